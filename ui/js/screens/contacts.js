// The contact tree for everyone signed in: who calls whom, with numbers and alternates,
// printable whole or as pocket cards (one per caller: the people they call). Admins also
// import the tree (CSV or vCard, with a preview and every bad row as "line N: message")
// and export it.

import { request } from "../api.js";
import { channelName, channels, isUnsecure } from "../channels.js";
import { fill, h, listed, printSheet, showAlert } from "../dom.js";

function numbers(c) {
  return [["Work", c.work_phone], ["Mobile", c.mobile_phone], ["Pager", c.pager], ["Support", c.support_line],
    ["Claims", c.claim_line], ["Radio", c.radio_channel], ["Secure msg", c.secure_messaging]]
    .filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(" · ");
}

/** Who calls whom: children of `caller` (null: the incident lead), in order. */
function calledBy(contacts, caller) {
  const ids = new Set(contacts.map((c) => c.id));
  return contacts.filter((c) => (c.called_by && ids.has(c.called_by) ? c.called_by : null) === caller);
}

/** The contact's approved channels that are not for patient information, by name. */
function unsecureNote(c, known) {
  const unsecure = c.channels.filter((ch) => isUnsecure(known, ch));
  return unsecure.length
    ? h("div", { class: "small unsecure", dataset: { channels: unsecure.join(" ") } },
      "Not for patient information: " + unsecure.map((ch) => channelName(known, ch)).join("; "))
    : null;
}

function treeList(contacts, caller, byId, known) {
  const kids = calledBy(contacts, caller);
  if (!kids.length) return null;
  return h("ol", { class: "tree" }, kids.map((c) => h("li", { dataset: { contact: c.id } },
    h("strong", {}, c.name), c.position || c.role ? ` (${c.position || c.role})` : "",
    h("div", { class: "small" }, numbers(c)),
    c.alternate && byId[c.alternate] ? h("div", { class: "small" }, `No answer in ${c.escalate_after_minutes} min: ${byId[c.alternate].name}`) : null,
    unsecureNote(c, known),
    treeList(contacts, c.id, byId, known))));
}

/** One pocket card (A6): the people `caller` calls, with numbers and alternates. */
function pocketCard(title, kids, byId) {
  return h("article", { class: "pocket-card" },
    h("h3", {}, title),
    h("ol", {}, kids.map((c) => h("li", {},
      h("strong", {}, c.name), c.position || c.role ? ` · ${c.position || c.role}` : "",
      h("div", {}, numbers(c)),
      c.alternate && byId[c.alternate] ? h("div", { class: "small" }, `No answer in ${c.escalate_after_minutes} min → ${byId[c.alternate].name}: ${numbers(byId[c.alternate])}`) : null))),
    h("p", { class: "small" }, "Log every call: reached, no answer, message, wrong number, and the time."));
}

export async function renderContacts(main, { admin }) {
  const [r, known] = await Promise.all([request("list_contacts"), channels()]);
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const failed = [r, known].find((x) => x.state === "error");
  if (failed) {
    showAlert(alert, failed.error);
    fill(main, h("h1", { tabindex: "-1" }, "Contact tree"), alert);
    return;
  }
  const contacts = r.data;
  const byId = Object.fromEntries(contacts.map((c) => [c.id, c]));
  const whole = h("section", { class: "print-tree", id: "whole-tree" },
    h("h2", {}, "Call tree"), contacts.length ? treeList(contacts, null, byId, known.data) : h("p", {}, "No contact tree yet."));
  const cards = h("section", { class: "pocket-cards", id: "pocket-cards" },
    [["Incident lead", null], ...contacts.map((c) => [`${c.name}${c.position || c.role ? ` (${c.position || c.role})` : ""}`, c.id])]
      .map(([title, id]) => [title, calledBy(contacts, id)])
      .filter(([, kids]) => kids.length)
      .map(([title, kids]) => pocketCard(`${title} calls`, kids, byId)));
  const cardsBox = h("details", { id: "cards-box" }, h("summary", { class: "no-print" }, "Pocket cards (one per caller)"), cards);
  fill(main,
    h("h1", { tabindex: "-1", id: "contacts-title" }, "Contact tree"),
    h("p", { class: "lead" }, "Who calls whom when email and phones are down. Keep a printed copy in the downtime binder."),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", id: "print-tree", onclick: () => printSheet(whole) }, "Print the whole tree"),
      h("button", { type: "button", id: "print-cards", onclick: () => { cardsBox.open = true; printSheet(cards); } }, "Print pocket cards")),
    whole,
    cardsBox,
    admin ? await adminSection(() => renderContacts(main, { admin })) : null,
    alert);
}

/** Admins: import with a preview (the first bad rows as "line N: message"), and export. */
async function adminSection(reload) {
  const status = h("div", { class: "status", role: "status", id: "import-status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const file = h("input", { id: "contacts-file", type: "file", accept: ".csv,.vcf,.vcard,text/csv,text/vcard" });
  const preview = h("div", { id: "contacts-preview" });
  let chosen = null;
  const readFile = async () => {
    const f = file.files[0];
    if (!f) return null;
    return { bytes: [...new Uint8Array(await f.arrayBuffer())], fileName: f.name };
  };
  file.addEventListener("change", async () => {
    alert.hidden = true;
    status.textContent = "";
    chosen = await readFile();
    if (!chosen) return preview.replaceChildren();
    const r = await request("preview_contacts", chosen);
    if (r.state === "error") return showAlert(alert, r.error);
    const p = r.data;
    const bad = p.problems.first.length + p.problems.more;
    const skip = h("input", { type: "checkbox", id: "contacts-skip" });
    const go = h("button", { type: "button", class: "primary", id: "contacts-import", disabled: bad > 0 },
      `Import ${p.good} contacts`);
    skip.addEventListener("change", () => { go.disabled = bad > 0 && !skip.checked; });
    go.addEventListener("click", async () => {
      const res = await request("import_contacts", { ...chosen, skipBadRows: skip.checked });
      if (res.state === "error") return showAlert(alert, res.error);
      reload();
    });
    preview.replaceChildren(
      h("p", { id: "preview-summary" }, `${p.good} contacts can be imported: ${p.added} new, ${p.changed} changed, ${p.removed} removed from the tree.`),
      bad ? h("div", { class: "alert", role: "alert", id: "preview-problems" },
        h("p", {}, `${bad.toLocaleString("en-US")} rows have problems. Nothing is imported while they do, unless you skip them:`),
        listed(p.problems, "problems"),
        h("label", { class: "check", for: "contacts-skip" }, skip, "Skip these rows and import the rest")) : null,
      p.warnings.first.length ? h("div", { class: "alert warning", id: "preview-warnings" }, listed(p.warnings, "warnings")) : null,
      go);
  });
  const save = async (format) => {
    const r = await request("export_contacts", { format });
    if (r.state === "error") return showAlert(alert, r.error);
    status.textContent = `Saved: ${r.data.path}`;
    status.dataset.path = r.data.path;
  };
  return h("section", { class: "no-print", "aria-labelledby": "contacts-admin-title" },
    h("h2", { id: "contacts-admin-title" }, "Keep the tree (admins)"),
    h("div", { class: "field" }, h("label", { for: "contacts-file" }, "Import a contact tree (CSV or vCard): it replaces the tree"), file),
    preview,
    h("div", { class: "actions" },
      h("button", { type: "button", id: "contacts-export-csv", onclick: () => save("csv") }, "Export as CSV"),
      h("button", { type: "button", id: "contacts-export-vcard", onclick: () => save("vcard") }, "Export as vCard")),
    status, alert);
}
