// The ward's path: what a nurse sees after pressing a situation button under emergency
// access (or as ward staff): the playbook's ward steps, one per screen, in large type,
// starting with the first thing to do. Each step's call line names the person and number
// from the ward call list. "All steps" and "Print" are one tap away; nothing needs a
// personal passphrase. Under emergency access, the incidents running now are below, with
// the box to log an observation.

import { request } from "../api.js";
import { callLine } from "../calllines.js";
import { fill, h, showAlert } from "../dom.js";
import { prepare, printPlaybook } from "./playbook.js";
import { wardIncidentsSection } from "./ward.js";

export async function renderWardSteps(main, { id, emergency, onAll, onBack }) {
  fill(main, h("p", { class: "status", role: "status" }, "Opening the steps…"));
  const r = await request("open_playbook", { id });
  if (r.state === "error") {
    const alert = h("div", { class: "alert", role: "alert" });
    showAlert(alert, r.error);
    fill(main, h("h1", { tabindex: "-1" }, "Steps for the ward"), alert,
      h("button", { type: "button", onclick: onBack }, "Back"));
    return;
  }
  const view = prepare(r.data);
  const steps = view.playbook.steps.filter((s) => s.ward);
  if (steps.length === 0) {
    // A playbook with nothing for the ward: show it whole.
    onAll(id);
    return;
  }
  const observe = emergency ? wardIncidentsSection() : null;
  const show = (n) => {
    const s = steps[n];
    const previous = h("button", { type: "button", id: "ward-back", disabled: n === 0, onclick: () => show(n - 1) }, "← Back");
    const next = n + 1 < steps.length
      ? h("button", { type: "button", class: "primary big", id: "ward-next", onclick: () => show(n + 1) }, "Next step →")
      : h("p", { class: "lead", id: "ward-last" }, "That was the last step for the ward. Keep following the incident lead's instructions.");
    fill(main,
      h("div", { class: "actions no-print" },
        h("button", { type: "button", id: "ward-home", onclick: onBack }, "← Situations"),
        h("button", { type: "button", id: "ward-all", onclick: () => onAll(id) }, "All steps"),
        h("button", { type: "button", id: "ward-print", onclick: () => printPlaybook(view) }, "Print")),
      h("p", { class: "for-role", id: "ward-playbook", dataset: { playbookId: id } },
        `${view.playbook.title} · step ${n + 1} of ${steps.length} for the ward`),
      h("h1", { tabindex: "-1", id: "ward-step-title", dataset: { step: s.id } }, s.title),
      h("p", { class: "instruction big-text" }, s.instruction),
      s.checklist.length ? h("ul", { class: "checklist big-text" }, s.checklist.map((c) => h("li", {}, c))) : null,
      callLine(s.callLines),
      h("div", { class: "actions" }, previous, next),
      observe);
    document.getElementById("ward-step-title").focus();
  };
  show(0);
}
