// Under emergency access: the incidents running on this workstation, each with the steps
// for ward staff, and a box to log what they see. The observation is sealed now and joins
// the incident's signed log when someone next signs in.

import { request } from "../api.js";
import { callLine } from "../calllines.js";
import { fill, h, showAlert } from "../dom.js";
import { local } from "../time.js";

export function wardIncidentsSection() {
  const section = h("section", { id: "ward-incidents", "aria-labelledby": "ward-incidents-title", hidden: true });
  request("ward_incidents").then((r) => {
    if (r.state !== "ready" || r.data.length === 0) return;
    section.hidden = false;
    fill(section, h("h2", { id: "ward-incidents-title" }, "Incidents running now"),
      r.data.map((w) => incidentCard(w)));
  });
  return section;
}

function incidentCard(w) {
  const i = w.incident;
  const text = h("textarea", { id: `observe-${i.id}`, rows: 3, class: "observe-text" });
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const form = h("form", { class: "observe" },
    h("label", { for: `observe-${i.id}` }, "What do you see? (logged for the incident lead)"), text,
    h("button", { type: "submit", class: "primary", dataset: { observe: i.id } }, "Log this observation"), status, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await request("observe", { id: i.id, text: text.value });
    if (r.state === "error") return showAlert(alert, r.error);
    alert.hidden = true;
    text.value = "";
    status.textContent = "Logged. It joins the incident's record when someone next signs in.";
  });
  return h("article", { class: "card ward-incident", dataset: { incidentId: i.id } },
    h("h3", {}, `${i.drill ? "DRILL: " : ""}${i.title}`),
    h("p", { class: "meta" }, `Started ${local(i.started)}`),
    h("h4", {}, "Steps for ward staff"),
    h("ol", { class: "steps" }, w.steps.map((s, n) => h("li", { class: "step", dataset: { step: s.id } },
      h("h4", {}, s.title),
      h("p", { class: "instruction" }, s.instruction),
      s.checklist.length ? h("ul", { class: "checklist" }, s.checklist.map((c) => h("li", {}, c))) : null,
      callLine(w.calls[n])))),
    form);
}
