// The incident's operational periods (HICS), its objectives (the HICS 202, carried into
// each next period until closed), a general message (HICS 213) written here for a runner
// to carry, what people write for the 201, 204, 215A and 251 (`plan.js`), and its HICS
// forms saved in the exports folder: the action plan packet and the 201, 202, 203, 204,
// 205A, 207, 213, 215A and 251 of a period, and the 214 of any position. Part of the Team
// screen; the core decides who may.

import { request } from "../api.js";
import { field, h, showAlert } from "../dom.js";
import { local } from "../time.js";
import { planPanel } from "./plan.js";

const FORMS = [
  ["IAP", "Incident action plan (202, 203, 204, 205A, 215A, 207)"],
  ["201", "HICS 201 Incident Briefing"],
  ["202", "HICS 202 Incident Objectives"],
  ["203", "HICS 203 Organization Assignment List"],
  ["204", "HICS 204 Assignment List"],
  ["205A", "HICS 205A Communications List"],
  ["207", "HICS 207 Incident Organization Chart"],
  ["213", "HICS 213 General Messages"],
  ["214", "HICS 214 Activity Log of a position"],
  ["215A", "HICS 215A Incident Action Plan Safety Analysis"],
  ["251", "HICS 251 Facility System Status Report"],
];
const PRIORITIES = [["low", "Informational - Low"], ["medium", "Non urgent - Medium"], ["urgent", "Urgent - High"]];

const select = (id, options, value) => h("select", { id },
  options.map(([v, name]) => h("option", { value: v, selected: String(v) === String(value) }, name)));

/** The section's elements. `redraw(reply)` draws the screen again with a command's reply
 * (the incident); the form save and the message report in `status`. */
export function commandPanel({ id, v, p, alert, redraw }) {
  const act = async (command, args) => {
    const next = await request(command, { id, ...args });
    if (next.state === "error") showAlert(alert, next.error); else redraw(next);
  };
  const current = p.periods[p.periods.length - 1];
  const status = h("div", { id: "command-status", class: "status", role: "status" });
  const periods = h("table", { class: "users", id: "periods" },
    h("thead", {}, h("tr", {}, ["Period", "From", "To", "Started by"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, p.periods.map((q) => h("tr", { dataset: { period: q.number } },
      h("td", {}, `${q.number}${q.to ? "" : " (current)"}`), h("td", {}, local(q.from)),
      h("td", {}, q.to ? local(q.to) : `${q.length_hours} hours planned`), h("td", {}, q.by)))));
  const open = p.objectives.filter((o) => !o.closed);
  const objectives = open.length
    ? h("ol", { id: "objectives" }, open.map((o) => h("li", { value: o.number, dataset: { objective: o.number } },
      o.text, " ",
      v.can_command && !p.closed
        ? h("button", { type: "button", class: "small", onclick: () => act("close_objective", { number: o.number }) },
          `Close objective ${o.number}`)
        : null)))
    : h("p", { id: "objectives-empty" }, "No open objective.");

  let lead = null;
  if (v.can_command && !p.closed) {
    const objective = h("form", { class: "card", id: "objective-form" },
      field({ id: "objective-text", label: "New objective", type: "text", autocomplete: "off", maxlength: 500 }),
      h("button", { type: "submit", id: "objective-add" }, "Add objective"));
    objective.addEventListener("submit", (e) => {
      e.preventDefault();
      act("set_objective", { text: objective.querySelector("#objective-text").value });
    });
    const period = h("form", { class: "card", id: "period-form" },
      field({ id: "period-length", label: "Length of the next period (hours)", type: "text", inputmode: "numeric", autocomplete: "off",
        value: current.length_hours, hint: "Open objectives carry over into it." }),
      h("button", { type: "submit", id: "period-start" }, `Start period ${current.number + 1}`));
    period.addEventListener("submit", (e) => {
      e.preventDefault();
      act("start_period", { lengthHours: period.querySelector("#period-length").value });
    });
    lead = [objective, period];
  }

  let message = null;
  if (!p.closed) {
    const to = select("message-to", v.positions_available, "incident-commander");
    const priority = select("message-priority", PRIORITIES, "low");
    const text = h("textarea", { id: "message-text", rows: 3, maxlength: 2000 });
    message = h("form", { class: "card", id: "message-form" },
      h("h3", {}, "General message (HICS 213)"),
      h("div", { class: "field" }, h("label", { for: "message-to" }, "To"), to),
      field({ id: "message-subject", label: "Subject", type: "text", autocomplete: "off", maxlength: 200 }),
      h("div", { class: "field" }, h("label", { for: "message-priority" }, "Priority"), priority),
      h("div", { class: "field" }, h("label", { for: "message-text" }, "Message"), text),
      h("button", { type: "submit", id: "message-send" }, "Log the message"));
    message.addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await request("general_message", {
        id, to: to.value, subject: message.querySelector("#message-subject").value, text: text.value, priority: priority.value,
      });
      if (res.state === "error") return showAlert(alert, res.error);
      alert.hidden = true;
      text.value = "";
      status.textContent = `Message logged as entry ${res.data.seq}. Print it with the HICS 213 below.`;
    });
  }

  const form = select("form-kind", FORMS, "IAP");
  const period = select("form-period", p.periods.map((q) => [q.number, `Period ${q.number}`]), current.number);
  const position = select("form-position", v.positions_available, "incident-commander");
  const positionField = h("div", { class: "field", id: "form-position-field" },
    h("label", { for: "form-position" }, "Position (for the HICS 214)"), position);
  const save = async (kind, args) => {
    const res = await request("incident_form", { id, form: kind, period: Number(period.value), position: null, ...args });
    if (res.state === "error") return showAlert(alert, res.error);
    alert.hidden = true;
    status.textContent = `Saved: ${res.data.path}`;
    status.dataset.path = res.data.path;
  };
  const forms = h("form", { class: "card", id: "forms-form" },
    h("h3", {}, "Print a HICS form"),
    h("div", { class: "field" }, h("label", { for: "form-kind" }, "Form"), form),
    h("div", { class: "field" }, h("label", { for: "form-period" }, "Operational period"), period),
    positionField,
    h("button", { type: "submit", id: "form-save" }, "Save the form"));
  forms.addEventListener("submit", (e) => {
    e.preventDefault();
    save(form.value, form.value === "214" ? { position: position.value } : {});
  });

  return [
    h("h2", { id: "periods-title" }, `Operational periods: period ${current.number} now`), periods,
    h("h2", {}, "Objectives"), objectives, ...(lead || []),
    message, ...planPanel({ id, v, p, alert, redraw }), forms, status,
  ];
}
