// What people write for the HICS 201 Incident Briefing (situation summary, health and
// safety briefing, an action), the 204 Assignment List (a position's work assignment), the
// 215A Safety Analysis (a hazard and its mitigation) and the 251 Facility System Status
// Report (a system's status). Part of the Team screen's command section; the core decides
// who may.

import { request } from "../api.js";
import { field, h, showAlert } from "../dom.js";

const STATUSES = [["down", "Nonfunctional (down)"], ["partial", "Partially functional"], ["up", "Fully functional (up)"]];

const select = (id, options, value) => h("select", { id },
  options.map(([v, name]) => h("option", { value: v, selected: String(v) === String(value) }, name)));

const area = (id, label, maxlength) => h("div", { class: "field" },
  h("label", { for: id }, label), h("textarea", { id, rows: 3, maxlength }));

/** The section's forms: each sends one command and draws the screen again with the reply. */
export function planPanel({ id, v, p, alert, redraw }) {
  if (p.closed) return [];
  const send = (form, call) => form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const next = await call();
    if (next.state === "error") showAlert(alert, next.error); else redraw(next);
  });
  const value = (form, sel) => form.querySelector(sel).value;
  const out = [];
  if (v.can_command) {
    const briefing = h("form", { class: "card", id: "briefing-form" },
      h("h3", {}, "Incident briefing (HICS 201)"),
      area("briefing-summary", "3. Situation summary (leave empty to keep the one written)", 2000),
      area("briefing-safety", "4. Health and safety briefing (leave empty to keep it)", 2000),
      field({ id: "briefing-action", label: "8. A current or planned action", type: "text", autocomplete: "off", maxlength: 2000 }),
      h("button", { type: "submit", id: "briefing-save" }, "Log the briefing"));
    send(briefing, () => request("write_briefing", {
      id, summary: value(briefing, "#briefing-summary"), safety: value(briefing, "#briefing-safety"),
      action: value(briefing, "#briefing-action"),
    }));
    const position = select("work-position", v.positions_available, "it-lead");
    const work = h("form", { class: "card", id: "work-form" },
      h("h3", {}, "Work assignment (HICS 204)"),
      h("div", { class: "field" }, h("label", { for: "work-position" }, "Position"), position),
      area("work-text", "Work assignment and special instructions", 2000),
      h("button", { type: "submit", id: "work-save" }, "Log the assignment"));
    send(work, () => request("assign_work", { id, position: position.value, text: value(work, "#work-text") }));
    const hazard = h("form", { class: "card", id: "hazard-form" },
      h("h3", {}, "Safety analysis (HICS 215A)"),
      field({ id: "hazard-text", label: "Hazard or risk", type: "text", autocomplete: "off", maxlength: 500 }),
      field({ id: "hazard-mitigation", label: "Mitigation", type: "text", autocomplete: "off", maxlength: 1000 }),
      h("button", { type: "submit", id: "hazard-save" }, "Log the hazard"));
    send(hazard, () => request("note_hazard", {
      id, hazard: value(hazard, "#hazard-text"), mitigation: value(hazard, "#hazard-mitigation"),
    }));
    out.push(briefing, work, hazard);
  }
  const status = select("system-status", STATUSES, "down");
  const system = h("form", { class: "card", id: "system-form" },
    h("h3", {}, "Facility system status (HICS 251)"),
    field({ id: "system-name", label: "System (its asset register id, or its name)", type: "text", autocomplete: "off", maxlength: 120 }),
    h("div", { class: "field" }, h("label", { for: "system-status" }, "Status"), status),
    field({ id: "system-note", label: "Comment (where, why, repair estimate)", type: "text", autocomplete: "off", maxlength: 500 }),
    h("button", { type: "submit", id: "system-save" }, "Log the status"));
  send(system, () => request("set_system_status", {
    id, system: value(system, "#system-name"), status: status.value, note: value(system, "#system-note"),
  }));
  out.push(system);
  return out;
}
