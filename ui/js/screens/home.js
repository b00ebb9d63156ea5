// Home: find the right playbook fast. A search box that finds a playbook from any word a
// nurse might type, the playbooks as big buttons, and the whole pack as a paper binder.
// Under emergency access, also the ward's call list.

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";
import { local } from "../time.js";
import { printBinder } from "./playbook.js";
import { wardIncidentsSection } from "./ward.js";

const SEARCH_DELAY_MS = 120;

/** The commonest situations, as the biggest buttons on the screen. */
const SITUATIONS = [
  ["ransomware", "Suspected ransomware", "Screens locked or a ransom message"],
  ["ehr-downtime", "The EHR is down", "Charts, orders or results will not load"],
  ["phishing", "Someone clicked a phishing link", "Or typed a password into a fake page"],
  ["lost-device", "A device is lost or stolen", "Laptop, phone, tablet or USB stick"],
];

function situations(emergency, onSituation) {
  return h("section", { id: "situations", "aria-labelledby": "situations-title" },
    h("h2", { id: "situations-title" }, emergency ? "Open the steps for" : "Start now"),
    h("ul", { class: "situations" }, SITUATIONS.map(([id, title, hint]) =>
      h("li", {}, h("button", { type: "button", class: "situation", dataset: { situation: id }, onclick: () => onSituation(id) },
        h("span", { class: "situation-title" }, title), h("span", { class: "situation-hint" }, hint))))));
}

export async function renderHome(main, { emergency, onOpen, onResume, onStart, onSituation, onForensics }) {
  const status = h("div", { id: "playbooks-status", class: "status", role: "status", dataset: { state: "loading" } }, "Loading the playbooks…");
  const list = h("ul", { id: "playbook-list", class: "playbook-list", "aria-labelledby": "playbooks-title", hidden: true });
  const search = h("input", { id: "playbook-search", type: "search", autocomplete: "off", spellcheck: "false", "aria-describedby": "playbook-search-hint" });
  const binderAlert = h("div", { class: "alert", role: "alert", hidden: true });
  const packWarning = h("div", { id: "pack-warning", class: "alert", role: "alert", hidden: true });
  fill(main,
    h("h1", { id: "home-title", tabindex: "-1" }, "What is happening?"),
    packWarning,
    h("p", { class: "lead" }, "Choose the situation that matches what you see. Each playbook walks you through what to do, one step at a time."),
    emergency ? wardIncidentsSection() : null,
    onResume ? openIncidentsSection(onResume) : null,
    onForensics ? evidenceWaitingSection(onForensics) : null,
    situations(emergency, onSituation || (emergency || !onStart ? onOpen : onStart)),
    h("div", { class: "field search" },
      h("label", { for: "playbook-search" }, "Something else? Find a playbook"),
      h("p", { class: "hint", id: "playbook-search-hint" }, "Type any word: “ransom”, “EHR down”, “clicked a link”, “laptop stolen”."),
      search),
    h("section", { "aria-labelledby": "playbooks-title" }, h("h2", { id: "playbooks-title" }, "Playbooks"), status, list),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", id: "print-binder", onclick: async () => {
        const r = await printBinder();
        if (r.state === "error") showAlert(binderAlert, r.error);
      } }, "Print all playbooks (paper binder)"),
      binderAlert),
    emergency ? callListSection() : null);
  showPackInForce(packWarning);

  let timer = null;
  let asked = 0;
  const find = async () => {
    const query = search.value;
    const mine = ++asked;
    const r = await request("search_playbooks", { query });
    if (mine !== asked) return; // a newer search is on its way
    if (r.state === "error") {
      status.dataset.state = "error";
      list.hidden = true;
      showAlert(status, r.error);
      return;
    }
    drawList(list, status, r.data, query, onOpen);
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(find, SEARCH_DELAY_MS);
  });
  await find();
}

function drawList(list, status, hits, query, onOpen) {
  list.replaceChildren(...hits.map((p) => h("li", { class: "playbook", dataset: { playbookId: p.id } },
    h("button", { type: "button", class: "playbook-open", onclick: () => onOpen(p.id) },
      h("span", { class: "playbook-title" }, p.title),
      p.situation ? h("span", { class: "playbook-situation" }, p.situation) : null))));
  list.hidden = hits.length === 0;
  status.dataset.state = hits.length === 0 ? "empty" : "ready";
  const q = query.trim();
  if (q === "") {
    status.textContent = hits.length === 0
      ? "No playbooks are installed. Call IT security."
      : `${hits.length} ${hits.length === 1 ? "playbook" : "playbooks"} available.`;
  } else {
    status.textContent = hits.length === 0
      ? `No playbook matches “${q}”. Try another word, or call IT security.`
      : `${hits.length} ${hits.length === 1 ? "playbook matches" : "playbooks match"} “${q}”.`;
  }
}

function callListSection() {
  const body = h("div", { id: "call-list", class: "status", role: "status" }, "Loading the call list…");
  request("ward_call_list").then((r) => {
    if (r.state === "error") return showAlert(body, r.error);
    body.replaceChildren(r.data.length === 0
      ? h("p", {}, "No call list has been set up for this ward yet. Use the paper call list in the downtime binder.")
      : h("ul", {}, r.data.map((entry) => h("li", {}, [entry.name, entry.phone].filter(Boolean).join(": ")))));
  });
  return h("section", { "aria-labelledby": "call-list-title" }, h("h2", { id: "call-list-title" }, "Ward call list"), body);
}

/**
 * The footer (and every printed page) says which playbook pack is in force. When the
 * hospital's pack does not verify, the built-in pack is shown instead, and the home screen
 * says so in words a nurse can act on.
 */
async function showPackInForce(warning) {
  const el = document.getElementById("pack-in-force");
  const r = await request("pack_status");
  if (r.state === "error" && r.error.code === "pack_rejected") {
    warning.hidden = false;
    warning.replaceChildren(
      h("p", {}, h("strong", {}, "These are the built-in playbooks, not your hospital's own."),
        " Your hospital's playbook pack on this computer failed its safety check, so it is not shown. The built-in steps are safe to follow. Tell IT security, and use your downtime binder if it differs."),
      h("p", { class: "small" }, r.error.message));
    el.textContent = "Built-in playbook pack (the hospital's pack failed its check)";
    el.dataset.version = "built-in";
    return;
  }
  if (r.state !== "ready") return;
  el.textContent = r.data
    ? `Playbook pack version ${r.data.version}, signed ${r.data.created.slice(0, 10)}`
    : "Built-in playbook pack";
  el.dataset.version = r.data ? String(r.data.version) : "built-in";
  const printed = new Date().toLocaleString(undefined, { hour12: false });
  document.getElementById("print-footer").textContent = `${el.textContent} · printed ${printed} · Caregiver Playbook`;
}

/** Incidents still open on this workstation: anyone signed in can resume one. */
function openIncidentsSection(onResume) {
  const section = h("section", { id: "open-incidents", class: "open-incidents", "aria-labelledby": "open-title", hidden: true });
  request("open_incidents").then((r) => {
    if (r.state !== "ready" || r.data.length === 0) return;
    section.hidden = false;
    fill(section,
      h("h2", { id: "open-title" }, "Open incidents"),
      h("ul", { class: "playbook-list" }, r.data.map((v) => {
        const i = v.progress.incident;
        const where = v.step ? `Now: ${v.step.title}` : "Playbook complete: close it";
        return h("li", { class: "playbook", dataset: { incidentId: i.id } },
          h("button", { type: "button", class: "playbook-open resume", onclick: () => onResume(i.id) },
            h("span", { class: "playbook-title" }, `${i.drill ? "DRILL: " : ""}${i.title}`),
            h("span", { class: "playbook-situation" }, `${where} · started ${local(i.started)} by ${i.lead}`)));
      })));
  });
  return section;
}

/** Evidence someone has handed to the signed-in person, waiting for them to confirm they
 * received it: until they do, the hand-over is pending and the giver still holds it. */
function evidenceWaitingSection(onForensics) {
  const section = h("section", { id: "evidence-waiting", class: "reminders", "aria-labelledby": "evidence-waiting-title", hidden: true });
  request("evidence_waiting_for_me").then((r) => {
    if (r.state !== "ready" || r.data.length === 0) return;
    section.hidden = false;
    fill(section,
      h("h2", { id: "evidence-waiting-title" }, "Evidence handed to you: confirm you have it"),
      h("ul", { class: "numbers-list" }, r.data.map((v) => {
        const t = v.transfers.find((x) => x.state === "pending");
        return h("li", { class: "reminder", dataset: { item: v.item.id, incidentId: v.item.incident } },
          h("strong", {}, `${v.item.id}: `), v.item.description,
          t ? ` (from ${t.from}, ${local(t.at)}: ${t.purpose})` : null,
          h("button", { type: "button", class: "primary", onclick: () => onForensics(v.item.incident) }, "Open to confirm"));
      })));
  });
  return section;
}
