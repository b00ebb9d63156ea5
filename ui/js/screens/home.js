// Home: the playbooks in force. Under emergency access, also the ward's call list.

import { request } from "../api.js";
import { h, showAlert } from "../dom.js";

export async function renderHome(main, { emergency }) {
  const status = h("div", { id: "playbooks-status", class: "status", role: "status", dataset: { state: "loading" } }, "Loading the playbooks…");
  const list = h("ul", { id: "playbook-list", class: "playbook-list", "aria-labelledby": "playbooks-title", hidden: true });
  main.replaceChildren(
    h("h1", { id: "home-title", tabindex: "-1" }, "What is happening?"),
    h("p", { class: "lead" }, "Choose the situation that matches what you see. Each playbook walks you through what to do, one step at a time."),
    h("section", { "aria-labelledby": "playbooks-title" }, h("h2", { id: "playbooks-title" }, "Playbooks"), status, list),
    emergency ? callListSection() : null);

  showPackInForce();
  const result = await request("list_playbooks");
  if (result.state === "error") {
    status.dataset.state = "error";
    showAlert(status, result.error);
    return;
  }
  const playbooks = result.data;
  list.replaceChildren(...playbooks.map((p) => h("li", { class: "playbook", dataset: { playbookId: p.id } }, p.title)));
  list.hidden = playbooks.length === 0;
  status.dataset.state = playbooks.length === 0 ? "empty" : "ready";
  status.textContent = playbooks.length === 0
    ? "No playbooks are installed. Call IT security."
    : `${playbooks.length} ${playbooks.length === 1 ? "playbook" : "playbooks"} available.`;
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

/** The footer says which playbook pack is in force. */
async function showPackInForce() {
  const el = document.getElementById("pack-in-force");
  const r = await request("pack_status");
  if (r.state !== "ready") return;
  el.textContent = r.data
    ? `Playbook pack version ${r.data.version}, signed ${r.data.created.slice(0, 10)}`
    : "Built-in playbook pack";
  el.dataset.version = r.data ? String(r.data.version) : "built-in";
}
