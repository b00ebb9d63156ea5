// Fleet (admins): the fleet folder in force, when this workstation last published into it,
// "Collect now" (every workstation's log read, checked and imported), and the report: per
// workstation what was imported, what was refused and why, which are quiet, the key pinned
// at first collection, when each last published and the pack each has in force. A
// workstation whose key changed is collected again only once an admin accepts its new key,
// after a confirmation. Then the SIEM the log is forwarded to (`siem.js`). The core checks
// every permission; this screen only asks.

import { request } from "../api.js";
import { fill, h, progress, showAlert } from "../dom.js";
import { publishingWords } from "../publishing.js";
import { siemSection } from "./siem.js";
import { local } from "../time.js";

export async function renderFleet(main) {
  const [pub, status, siem] = await Promise.all([request("fleet_publishing"), request("fleet_status"), siemSection()]);
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const busy = h("div", { class: "status", role: "status", id: "fleet-busy" });
  const report = h("div", { id: "fleet-report" });
  const folder = pub.state === "ready" ? pub.data.folder : null;
  const said = pub.state === "ready" ? publishingWords(pub.data) : null;

  const collect = h("button", { type: "button", class: "primary", id: "fleet-collect", disabled: !folder }, "Collect now");
  collect.addEventListener("click", async () => {
    collect.disabled = true;
    alert.hidden = true;
    busy.replaceChildren(progress("Collecting every workstation's log. On a big folder this takes a while."));
    const r = await request("collect_fleet");
    busy.replaceChildren();
    collect.disabled = false;
    if (r.state === "error") return showAlert(alert, r.error);
    const imported = r.data.workstations.reduce((n, w) => n + w.imported, 0);
    busy.textContent = `Collected: ${imported} new entries from ${r.data.workstations.length} workstations.`;
    fill(report, table(r.data, { collected: true, reload: () => renderFleet(main) }));
  });

  if (status.state === "ready") fill(report, table(status.data, { collected: false, reload: () => renderFleet(main) }));
  else if (folder) showAlert(alert, status.error);

  fill(main,
    h("h1", { tabindex: "-1" }, "Fleet"),
    h("section", { "aria-labelledby": "fleet-folder-title" },
      h("h2", { id: "fleet-folder-title" }, "Fleet folder"),
      folder
        ? h("p", { id: "fleet-folder", dataset: { path: folder } }, folder)
        : h("p", { id: "fleet-folder", dataset: { path: "" } },
          "No fleet folder is set. An admin sets one with `caregiver settings fleet-dir PATH`, or IT names one in the managed configuration."),
      said ? h("p", { id: "fleet-this", dataset: { state: said.state } }, `This workstation: ${said.text.replace(/^Fleet folder: /, "")}`) : null,
      said && said.state === "retrying" ? h("p", { class: "hint", id: "fleet-why" }, `Why: ${pub.data.retrying}`) : null),
    h("section", { "aria-labelledby": "fleet-collect-title" },
      h("h2", { id: "fleet-collect-title" }, "Workstations"),
      h("p", { class: "hint" }, "Collecting reads every workstation's log from the folder, checks each part against the workstation's key and imports what is new. Collecting twice changes nothing."),
      h("div", { class: "actions" }, collect),
      busy, alert, report),
    siem);
}

/** The report as a table: one row a workstation. */
function table(r, { collected, reload }) {
  if (r.workstations.length === 0) return h("p", { id: "fleet-none" }, "No workstation has published into this folder yet.");
  return h("div", { class: "fleet-scroll" }, h("table", { class: "users fleet", id: "fleet-table" },
    h("caption", {}, collected ? `Collected from ${r.dir}` : `In ${r.dir} (not collected now)`),
    h("thead", {}, h("tr", {}, ["Workstation", "Last published", "Pack in force", collected ? "Imported now" : "Entries collected", "What happened"]
      .map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, r.workstations.map((w) => row(w, r.stale_days, collected, reload)))));
}

function row(w, staleDays, collected, reload) {
  const state = w.this_workstation ? "this" : w.refused.length ? "refused" : w.stale ? "stale" : w.imported ? "imported" : "up-to-date";
  const notes = [];
  if (w.this_workstation) notes.push(h("li", {}, "This workstation (nothing to import)."));
  for (const f of w.refused) {
    notes.push(h("li", { class: "refused", dataset: { code: f.code } }, h("strong", {}, "Refused: "), `${f.file}: ${f.reason}`));
  }
  for (const warning of w.warnings) notes.push(h("li", { class: "warning" }, h("strong", {}, "Warning: "), warning));
  if (w.stale) notes.push(h("li", { class: "stale" }, h("strong", {}, "Quiet: "), `not published for ${staleDays} days or more`));
  if (!notes.length) notes.push(h("li", {}, w.imported ? "Imported." : "Nothing new."));
  const changed = w.refused.find((f) => f.code === "key_changed");
  return h("tr", { dataset: { workstation: w.workstation, state } },
    h("th", { scope: "row" }, w.workstation, w.key ? h("div", { class: "meta" }, `Key ${w.key}`) : null),
    h("td", {}, w.last_published ? local(w.last_published) : "never"),
    h("td", {}, w.pack_version ? `version ${w.pack_version}` : "built-in pack"),
    h("td", { class: "count" }, collected ? `${w.imported} entries (${w.segments} parts)` : `${w.entries}`),
    h("td", { class: "notes-cell" }, h("ul", { class: "notes" }, notes), changed ? accept(w.workstation, reload) : null));
}

/** "Accept the new key", then a confirmation: only once the change is confirmed with the
 * workstation itself (a rebuilt workstation), never on the folder's word alone. */
function accept(workstation, reload) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const box = h("div", { class: "card confirm-accept", hidden: true, role: "group", "aria-label": `Accept the new key of ${workstation}` },
    h("p", {}, "Accept this workstation's new key only once you have checked it on the workstation itself (`caregiver log key` there shows its fingerprint). Its entries are collected again from then on."),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", dataset: { accept: workstation }, onclick: async () => {
        const r = await request("accept_workstation_key", { workstation });
        if (r.state === "error") return showAlert(alert, r.error);
        reload();
      } }, "Yes, accept the new key"),
      h("button", { type: "button", onclick: () => { box.hidden = true; open.focus(); } }, "Cancel")),
    alert);
  const open = h("button", { type: "button", dataset: { acceptAsk: workstation }, onclick: () => {
    box.hidden = false;
    box.querySelector("button.primary").focus();
  } }, "Accept the new key…");
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") { box.hidden = true; open.focus(); } });
  return h("div", {}, open, box);
}
