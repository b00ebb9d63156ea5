// The incident's timeline (a picture the core draws, the same one the printed review
// holds), the after-action review with the log's anchor (its last checkpoint and its key's
// fingerprint, so a printed review anchors the log), and the exports: HICS 214 (HTML), CSV
// and the signed evidence bundle (JSON), saved to the exports folder.

import { request } from "../api.js";
import { fill, h, showAlert, svgNode } from "../dom.js";
import { header, incidentNav } from "./guided.js";
import { local } from "../time.js";

const OUTCOME = { done: "done", skipped: "SKIPPED", chosen: "decided", current: "open", pending: "not reached" };
const VERDICT = {
  undecided: "undecided", running: "running", paused: "paused", overdue: "OVERDUE", met: "met",
  late: "met late", missed: "MISSED", not_applicable: "not applicable",
};

function minutes(m) {
  if (m >= 1440) return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
  if (m >= 60) return `${Math.floor(m / 60)} h ${m % 60} min`;
  return m < 1 ? "under 1 min" : `${m} min`;
}

/** The signed breach risk assessment, as the core words it, and the register's count. */
function assessment(a, affected, table) {
  return h("section", { id: "review-assessment" },
    h("h2", {}, "Breach risk assessment (45 CFR 164.402)"),
    h("p", {}, `Signed by ${a.by} (Privacy Officer) at ${local(a.at)}. Result: `, h("strong", {}, a.result), "."),
    table("review-assessment-parts", ["Part", "Answer", "Reason or finding"],
      a.lines.map((l) => h("tr", {}, h("td", {}, l.part), h("td", {}, l.answer), h("td", {}, l.text)))),
    h("p", {}, `Conclusion: ${a.assessment.form.conclusion}`),
    affected ? h("p", {}, `Breach register: ${affected.total} affected${Object.keys(affected.by_state).length
      ? ` (${Object.entries(affected.by_state).map(([s, n]) => `${s} ${n}`).join(", ")})` : ""}.`) : null);
}

export async function renderReview(main, opts) {
  const { id } = opts;
  const [r, view] = await Promise.all([request("incident_review", { id }), request("incident_view", { id })]);
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  if (r.state === "error" || view.state === "error") {
    showAlert(alert, (r.state === "error" ? r : view).error);
    fill(main, h("h1", { tabindex: "-1" }, "Review"), alert);
    return;
  }
  const rv = r.data.review;
  const anchor = r.data.anchor;
  const saved = h("div", { id: "export-status", class: "status", role: "status" });
  const save = async (format) => {
    const res = await request("export_incident", { id, format });
    if (res.state === "error") showAlert(alert, res.error);
    else {
      alert.hidden = true;
      saved.textContent = `Saved: ${res.data.path}`;
      saved.dataset.path = res.data.path;
    }
  };
  const table = (cls, headings, rows) => h("table", { class: `users ${cls}` },
    h("thead", {}, h("tr", {}, headings.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows));

  fill(main, ...header(view.data),
    h("h1", { tabindex: "-1", id: "review-title" }, "Timeline and after-action review"),
    h("p", { class: "lead", id: "review-summary" },
      `${rv.closed_at ? "Closed after" : "Open for"} ${minutes(rv.minutes)}: ${rv.done} done, ${rv.decisions} decisions, ${rv.skipped} skipped, ${rv.not_reached} not reached; ${rv.notes} notes, ${rv.observations} observations.`),
    h("figure", { class: "timeline", id: "timeline" }, svgNode(r.data.timeline_svg, "The timeline could not be drawn."),
      h("figcaption", { class: "small" }, "Time runs left to right; one row per position. The table below lists every step.")),
    h("details", { class: "entries" },
      h("summary", {}, `All ${rv.entries.length} entries, numbered as in the timeline`),
      table("review-entries", ["No.", "Time", "By", "Activity"],
        rv.entries.map((e) => h("tr", {}, h("td", {}, String(e.number)), h("td", {}, local(e.time)), h("td", {}, e.by), h("td", {}, e.what))))),
    h("h2", {}, "Steps"),
    table("review-steps", ["Step", "Position", "Outcome", "When", "By", "Took"],
      rv.steps.map((s) => h("tr", { dataset: { step: s.step, status: s.status } },
        h("td", {}, s.title), h("td", {}, s.role),
        h("td", {}, OUTCOME[s.status] || s.status, s.detail ? `: ${s.detail}` : ""),
        h("td", {}, s.finished ? local(s.finished) : ""), h("td", {}, s.by || ""),
        h("td", {}, s.minutes === null ? "" : minutes(s.minutes))))),
    h("h2", {}, "Time per phase"),
    table("review-phases", ["Phase", "Steps", "Time"],
      rv.phases.map((ph) => h("tr", {}, h("td", {}, ph.name), h("td", {}, String(ph.steps)), h("td", {}, minutes(ph.minutes))))),
    h("h2", {}, rv.incident.drill ? "Time bands against the playbook's targets (drill)" : "Time bands against their targets"),
    table("review-bands", ["Band", "Target", "Finished", "Last step at", "Verdict"],
      rv.bands.map((b) => h("tr", {}, h("td", {}, b.name),
        h("td", {}, b.target_minutes === null ? "none" : `within ${minutes(b.target_minutes)}`),
        h("td", {}, String(b.finished_steps)),
        h("td", {}, b.last_minutes === null ? "" : minutes(b.last_minutes)),
        h("td", {}, b.met === null ? "" : b.met ? "met" : `NOT MET (${b.late_steps} late)`)))),
    h("h2", {}, "Deadlines"),
    rv.deadlines.length
      ? table("review-deadlines", ["Deadline", "Due", "Outcome"],
        rv.deadlines.map((d) => h("tr", { dataset: { outcome: d.status } }, h("td", {}, `${d.what} (${d.rule}${d.when ? `, ${d.when}` : ""})`), h("td", {}, d.due ? local(d.due) : "—"), h("td", {}, VERDICT[d.status] || d.status))))
      : h("p", {}, "This playbook sets no legal deadline."),
    rv.assessment ? assessment(rv.assessment, rv.affected, table) : null,
    h("p", { class: "small anchor", id: "review-anchor" },
      `Activity log ${anchor.log}, last checkpoint: ${anchor.size} entries, head ${anchor.head}. `,
      `Signed by the workstation key with fingerprint ${anchor.fingerprint}.`),
    h("h2", { class: "no-print" }, "Export"),
    h("p", { class: "no-print" }, "Exports go to the exports folder for forensics, regulators and the after-action review. Incident leads and admins."),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", id: "export-html", onclick: () => save("html") }, "Save HICS 214 (HTML)"),
      h("button", { type: "button", id: "export-csv", onclick: () => save("csv") }, "Save CSV"),
      h("button", { type: "button", id: "export-json", onclick: () => save("json") }, "Save signed evidence bundle (JSON)"),
      h("button", { type: "button", id: "print-review", onclick: () => window.print() }, "Print this review")),
    saved, alert,
    incidentNav(id, opts, "review"));
}
