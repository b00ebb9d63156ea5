// The workstation's legal clocks: every clock of the open incidents that runs, is paused
// or is overdue, overdue and soonest due first, each with its due time in the
// workstation's zone, the time left as the core worked it out, the rule it keeps, and a
// way into its incident.

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";

export async function renderClocks(main, { onIncident }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("running_clocks");
  if (r.state === "error") {
    fill(main, h("h1", { tabindex: "-1" }, "Legal clocks"), alert);
    return showAlert(alert, r.error);
  }
  const rows = r.data.map((c) => h("li", { class: "card clock", dataset: { status: c.clock.status, incidentId: c.incident, clock: c.clock.clock } },
    h("p", { class: "clock-due" }, h("strong", {}, `Due ${c.due_words}`), ` · ${c.state_words}`),
    h("p", {}, c.clock.what),
    h("p", { class: "meta" }, `${c.clock.rule}${c.clock.when ? `, ${c.clock.when}` : ""}`),
    h("button", { type: "button", class: "clock-incident", onclick: () => onIncident(c.incident) },
      `${c.drill ? "DRILL: " : ""}${c.title}`)));
  fill(main,
    h("h1", { tabindex: "-1" }, "Legal clocks"),
    h("p", {}, "Every legal clock of the open incidents, the most urgent first. Reminders come at the lead times an admin sets, and when a clock is overdue."),
    rows.length ? h("ul", { class: "clocks", id: "clock-list" }, rows) : h("p", { id: "no-clocks" }, "No legal clock is running."),
    alert);
}
