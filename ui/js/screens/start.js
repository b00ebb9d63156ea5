// Starting an incident asks for as little as possible: the playbook is already chosen; the
// lead defaults to whoever is signed in; the discovery time defaults to now and can be set
// earlier, because the legal clocks (the 60-day breach notice) run from discovery.

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";
import { local } from "../time.js";

/** Now on the workstation's clock, as the field holds it: "2026-11-28T06:30". */
function localInputValue(date) {
  return local(date.toISOString()).slice(0, 16).replace(" ", "T");
}

export async function renderStart(main, { playbookId, drill, me, onStarted, onBack }) {
  const [pb, people] = await Promise.all([
    request("open_playbook", { id: playbookId }),
    request("people"),
  ]);
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  if (pb.state === "error") {
    showAlert(alert, pb.error);
    fill(main, h("h1", { tabindex: "-1" }, "Start an incident"), alert,
      h("button", { type: "button", onclick: onBack }, "Back"));
    return;
  }
  const names = people.state === "ready" ? people.data : [me];
  const lead = h("select", { id: "start-lead", name: "lead" },
    names.map((n) => h("option", { value: n, selected: n === me }, n === me ? `${n} (you)` : n)));
  const now = new Date();
  const discovered = h("input", {
    id: "start-discovered", name: "discovered", type: "datetime-local",
    value: localInputValue(now), max: localInputValue(now), "aria-describedby": "start-discovered-hint",
  });
  const drillBox = h("input", { id: "start-drill", name: "drill", type: "checkbox", checked: drill });
  const startButton = h("button", { type: "submit", class: "primary big", id: "start-confirm" },
    drill ? "Start the drill" : "Start now");
  drillBox.addEventListener("change", () => {
    startButton.textContent = drillBox.checked ? "Start the drill" : "Start now";
  });
  const form = h("form", { id: "start-form", class: "card" },
    h("div", { class: "field" }, h("label", { for: "start-lead" }, "Incident lead"), lead),
    h("div", { class: "field" },
      h("label", { for: "start-discovered" }, "When was the problem discovered?"),
      h("p", { class: "hint", id: "start-discovered-hint" }, "Leave it at now unless it was found earlier: the legal deadlines count from this moment."),
      discovered),
    h("div", { class: "field" }, h("label", { class: "check", for: "start-drill" }, drillBox, "This is a drill (an exercise, kept out of real-incident reports)")),
    h("div", { class: "actions" }, startButton,
      h("button", { type: "button", id: "start-cancel", onclick: onBack }, "Cancel")),
    alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    startButton.disabled = true;
    // As typed, on the workstation's clock: the core reads it in the workstation's zone.
    const r = await request("start_incident", {
      playbook: playbookId,
      drill: drillBox.checked,
      discovered: discovered.value || null,
      lead: lead.value,
    });
    startButton.disabled = false;
    if (r.state === "error") showAlert(alert, r.error);
    else onStarted(r.data.progress.incident.id);
  });
  fill(main,
    h("h1", { tabindex: "-1", id: "start-title" }, `Start: ${pb.data.playbook.title}`),
    h("p", { class: "lead" }, pb.data.playbook.summary),
    form);
  startButton.focus();
}
