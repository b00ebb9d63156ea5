// Guided mode: one step at a time, in large type. Done, Skip (with a reason) and Note; a
// decision shows its answers. Every action goes to the core, which logs it and says what
// comes next.

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";

export async function renderGuided(main, { id, onHome }) {
  const r = await request("incident_view", { id });
  draw(main, id, r, onHome);
}

function draw(main, id, r, onHome) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  if (r.state === "error") {
    showAlert(alert, r.error);
    fill(main, h("h1", { tabindex: "-1" }, "Incident"), alert);
    return;
  }
  const v = r.data;
  const p = v.progress;
  const act = async (command, args) => {
    const next = await request(command, { id, ...args });
    if (next.state === "error") showAlert(alert, next.error);
    else draw(main, id, next, onHome);
  };
  const band = p.incident.drill ? h("div", { class: "drill-band", id: "drill-band" }, "DRILL: this is an exercise") : null;
  const progressLine = h("p", { class: "progress-line", id: "progress-line" },
    [v.phase_name, v.band_name, `${p.done} done`, `${p.skipped} skipped`].filter(Boolean).join(" · "));
  const header = [band, h("p", { class: "meta" }, `${p.incident.title} · incident ${p.incident.id}`), progressLine];

  if (p.closed || !v.step) {
    main.dataset.screen = `incident:${id}`;
    fill(main, ...header,
      h("h1", { tabindex: "-1", id: "guided-title" }, p.closed ? "Incident closed" : "Playbook complete"),
      p.closed ? null : h("p", { class: "lead" }, "Every step on this path is done or skipped. Close the incident when the situation is over."),
      h("div", { class: "actions" },
        p.closed ? null : h("button", { type: "button", class: "primary", id: "close-incident", onclick: () => act("close_incident", {}) }, p.incident.drill ? "End the drill" : "Close the incident"),
        h("button", { type: "button", id: "guided-home", onclick: onHome }, "Home")),
      alert);
    main.querySelector("h1").focus();
    return;
  }

  const s = v.step;
  const reason = h("input", { id: "skip-reason", type: "text", autocomplete: "off" });
  const skipBox = h("div", { class: "field", hidden: true },
    h("label", { for: "skip-reason" }, "Why is this step skipped?"), reason,
    h("button", { type: "button", id: "skip-confirm", onclick: () => act("incident_step", { step: s.id, action: "skip", value: reason.value }) }, "Skip with this reason"));
  const noteText = h("input", { id: "note-text", type: "text", autocomplete: "off" });
  const noteBox = h("div", { class: "field", hidden: true },
    h("label", { for: "note-text" }, "Note for the record"), noteText,
    h("button", { type: "button", id: "note-save", onclick: () => act("incident_note", { text: noteText.value }) }, "Save the note"));
  const actions = s.question
    ? h("div", { class: "actions choices", role: "group", "aria-label": s.question },
      s.choices.map((c, i) => h("button", { type: "button", class: "primary", dataset: { choice: String(i + 1) },
        onclick: () => act("incident_step", { step: s.id, action: "choose", value: c.label }) }, c.label)))
    : h("div", { class: "actions" },
      h("button", { type: "button", class: "primary big", id: "step-done", onclick: () => act("incident_step", { step: s.id, action: "done" }) }, "Done"));

  main.dataset.screen = `incident:${id}`;
  fill(main, ...header,
    h("p", { class: "for-role" }, `For: ${v.role_name}`),
    h("h1", { tabindex: "-1", id: "guided-title", dataset: { step: s.id } }, s.title),
    h("p", { class: "instruction big-text" }, s.instruction),
    s.checklist.length ? h("ul", { class: "checklist big-text" }, s.checklist.map((c) => h("li", {}, c))) : null,
    s.calls.length ? h("p", { class: "meta" }, `Call: ${s.calls.join(", ")}`) : null,
    s.question ? h("h2", { id: "decision" }, s.question) : null,
    actions,
    h("div", { class: "actions secondary" },
      h("button", { type: "button", id: "step-skip", onclick: () => { skipBox.hidden = false; reason.focus(); } }, "Skip…"),
      h("button", { type: "button", id: "step-note", onclick: () => { noteBox.hidden = false; noteText.focus(); } }, "Note…")),
    skipBox, noteBox, alert);
  main.querySelector("h1").focus();
}
