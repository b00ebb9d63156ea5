// The breach register: every breach the signed-in person may see (the core decides: each
// incident's privacy officer sees their own, incident leads and admins all), each with its
// number affected and where it is reported; the yearly submission of breaches under 500
// saved as CSV; and one breach's report, field by field as HHS's breach portal asks it,
// which its privacy officer and admins complete. The core reads and checks every field.

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";
import { local } from "../time.js";

const REPORTING = {
  now: "500 or more: report to HHS with the individual notices",
  yearly: "under 500: the yearly report to HHS",
  unknown: "number affected not recorded yet",
};

function savedLine(status, alert, res) {
  if (res.state === "error") return showAlert(alert, res.error);
  alert.hidden = true;
  const missing = res.data.unknown_count.length
    ? ` The number affected is not recorded for: ${res.data.unknown_count.join(", ")}.` : "";
  status.textContent = `Saved ${res.data.rows} ${res.data.rows === 1 ? "breach" : "breaches"}: ${res.data.path}.${missing}`;
  status.dataset.path = res.data.path;
}

function card(e, { onBreach, onIncident }) {
  const i = e.incident;
  const a = e.report.affected;
  return h("li", { class: "card", dataset: { incidentId: i.id, reporting: e.reporting } },
    h("h2", {}, `${i.drill ? "DRILL: " : ""}${i.title}`),
    h("p", { class: "meta" }, `Incident ${i.id} · discovered ${e.discovered} · Privacy Officer ${e.privacy_officer || "not assigned"}`),
    h("p", {}, e.assessment
      ? `Assessment: ${e.assessment.result} (signed by ${e.assessment.by}, ${local(e.assessment.at)})`
      : "Recorded by hand: no breach risk assessment signed"),
    h("p", { class: "breach-count" }, a
      ? `${a.total} affected${Object.keys(a.by_state).length ? ` (${Object.entries(a.by_state).map(([s, n]) => `${s} ${n}`).join(", ")})` : ""} · ${REPORTING[e.reporting]}`
      : REPORTING.unknown),
    e.recorded ? null : h("p", { class: "meta" }, "The report is still to be completed."),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: () => onBreach(i.id) }, e.may_edit ? "Complete the report" : "Read the report"),
      h("button", { type: "button", onclick: () => onIncident(i.id) }, "Open the incident")));
}

export async function renderBreaches(main, opts) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("breach_register");
  if (r.state === "error") {
    fill(main, h("h1", { tabindex: "-1" }, "Breach register"), alert);
    return showAlert(alert, r.error);
  }
  const { entries, may_export_year: mayExport } = r.data;
  const status = h("div", { class: "status", id: "breach-export-status", role: "status" });
  let yearly = null;
  if (mayExport) {
    const year = h("input", { type: "number", id: "export-year", min: "2009", max: "2100", value: String(new Date().getFullYear() - 1) });
    yearly = h("form", { class: "card", id: "export-year-form" },
      h("h2", {}, "The yearly report to HHS"),
      h("div", { class: "field" }, h("label", { for: "export-year" }, "Year the breaches were discovered"),
        h("p", { class: "hint" }, "Every breach under 500 people discovered that year (not drills), due to HHS within 60 days of the year's end (45 CFR 164.408(c))."), year),
      h("button", { type: "submit", class: "primary", id: "export-year-save" }, "Save the yearly submission (CSV)"));
    yearly.addEventListener("submit", async (e) => {
      e.preventDefault();
      savedLine(status, alert, await request("export_breaches", { year: Number(year.value) }));
    });
  }
  fill(main,
    h("h1", { tabindex: "-1", id: "breaches-title" }, "Breach register"),
    h("p", { class: "lead" }, "Every breach: an incident whose breach risk assessment says breach, or one recorded by hand. Its Privacy Officer and admins complete each report; incident leads and admins see them all."),
    entries.length ? h("ul", { class: "breaches", id: "breach-list" }, entries.map((e) => card(e, opts)))
      : h("p", { id: "no-breaches" }, "No breach in the register."),
    yearly, status, alert);
}

/** Checkboxes for a list of options, ticked as `chosen` says. */
function checks(name, legend, options, chosen) {
  return h("fieldset", { class: "checks", id: name },
    h("legend", {}, legend),
    options.map(([key, label]) => h("label", { class: "check", for: `${name}-${key}` },
      h("input", { type: "checkbox", id: `${name}-${key}`, name, value: key, checked: chosen.includes(key) }), label)));
}

function input(id, label, value, props = {}) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    props.hint ? h("p", { class: "hint", id: `${id}-hint` }, props.hint) : null,
    h("input", { id, type: props.type || "text", value: value ?? "", "aria-describedby": props.hint ? `${id}-hint` : null }));
}

function yesNo(id, label, value) {
  const v = value === true ? "yes" : value === false ? "no" : "";
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("select", { id }, [["", "Not known yet"], ["yes", "Yes"], ["no", "No"]].map(([k, t]) =>
      h("option", { value: k, selected: k === v }, t))));
}

export async function renderBreach(main, { id, onBack, onIncident }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const [r, reg] = await Promise.all([request("breach_entry", { id }), request("breach_register")]);
  if (r.state === "error" || reg.state === "error") {
    fill(main, h("h1", { tabindex: "-1" }, "Breach report"), alert,
      h("button", { type: "button", onclick: onBack }, "Back to the register"));
    return showAlert(alert, (r.state === "error" ? r : reg).error);
  }
  const e = r.data;
  const o = reg.data.options;
  const b = e.report;
  const a = b.affected;
  const status = h("div", { class: "status", id: "breach-status", role: "status" });
  // A read-only report: every control disabled at once.
  const body = h("fieldset", { class: "checks", disabled: !e.may_edit, "aria-label": "The report" },
    h("section", { class: "card" }, h("h2", {}, "The breach"),
      input("br-breach-start", "Breach start date", b.breach_start, { type: "date" }),
      input("br-breach-end", "Breach end date", b.breach_end, { type: "date" }),
      h("p", {}, `Discovered ${e.discovered} (the incident's discovery date; the lead corrects it in the incident).`),
      input("br-discovery-end", "Discovery end date", b.discovery_end, { type: "date" }),
      checks("br-types", "Type of breach", o.types, b.types),
      input("br-type-other", "Type of breach: other, described", b.type_other),
      checks("br-locations", "Location of the breached information", o.locations, b.locations),
      input("br-location-other", "Location: other, described", b.location_other),
      checks("br-phi", "Type of protected health information involved", o.phi, b.phi),
      input("br-phi-other", "Type of information: other, described", b.phi_other),
      h("div", { class: "field" }, h("label", { for: "br-description" }, "Brief description (no patient names)"),
        h("textarea", { id: "br-description", rows: "4" }, b.description || "")),
      checks("br-safeguards", "Safeguards in place before the breach", o.safeguards, b.safeguards)),
    h("section", { class: "card" }, h("h2", {}, "People affected"),
      input("br-affected", "Number of people affected in all", a ? String(a.total) : "", { type: "number" }),
      input("br-states", "Affected residents by state", a ? Object.entries(a.by_state).map(([s, n]) => `${s}=${n}`).join(", ") : "",
        { hint: "Two-letter code and count, separated by commas: CA=510, NV=130. More than 500 in one state means a media notice there." })),
    h("section", { class: "card" }, h("h2", {}, "Notice and actions taken"),
      input("br-notice-start", "Notice to individuals: start date", b.notice_start, { type: "date" }),
      input("br-notice-end", "Notice to individuals: end date (expected)", b.notice_end, { type: "date" }),
      yesNo("br-substitute", "Was substitute notice required?", b.substitute_notice),
      yesNo("br-media", "Was media notice required?", b.media_notice),
      input("br-media-date", "Media notice date", b.media_notice_date, { type: "date" }),
      input("br-hhs", "Reported to HHS on", b.hhs_reported, { type: "date" }),
      checks("br-actions", "Actions taken in response", o.actions, b.actions),
      h("div", { class: "field" }, h("label", { for: "br-actions-other" }, "Other actions taken, described"),
        h("textarea", { id: "br-actions-other", rows: "3" }, b.actions_other || "")),
      input("br-ba", "Business associate involved (name)", b.business_associate)));
  const val = (x) => main.querySelector(`#${x}`).value;
  const ticked = (name) => [...main.querySelectorAll(`input[name="${name}"]:checked`)].map((c) => c.value);
  const form = h("form", { class: "breach-form", id: "breach-form", novalidate: true }, body,
    h("div", { class: "actions" },
      e.may_edit ? h("button", { type: "submit", class: "primary big", id: "breach-save" }, "Save the report") : null,
      h("button", { type: "button", id: "breach-csv", onclick: async () => savedLine(status, alert, await request("export_breaches", { id })) }, "Save this report (CSV)"),
      h("button", { type: "button", onclick: () => onIncident(id) }, "Open the incident"),
      h("button", { type: "button", id: "breach-back", onclick: onBack }, "Back to the register")),
    status, alert);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const change = {
      breach_start: val("br-breach-start"), breach_end: val("br-breach-end"), discovery_end: val("br-discovery-end"),
      types: ticked("br-types"), type_other: val("br-type-other"),
      locations: ticked("br-locations"), location_other: val("br-location-other"),
      phi: ticked("br-phi"), phi_other: val("br-phi-other"), description: val("br-description"),
      safeguards: ticked("br-safeguards"),
      affected: val("br-affected"), by_state: val("br-states").split(/[,;\n]/).map((s) => s.trim()).filter(Boolean),
      notice_start: val("br-notice-start"), notice_end: val("br-notice-end"),
      substitute_notice: val("br-substitute"), media_notice: val("br-media"),
      media_notice_date: val("br-media-date"), hhs_reported: val("br-hhs"),
      actions: ticked("br-actions"), actions_other: val("br-actions-other"), business_associate: val("br-ba"),
    };
    const res = await request("record_breach", { id, change });
    status.textContent = "";
    delete status.dataset.state;
    if (res.state === "error") return showAlert(alert, res.error);
    alert.hidden = true;
    status.textContent = "Saved.";
    status.dataset.state = "saved";
  });
  fill(main,
    h("h1", { tabindex: "-1", id: "breach-title" }, `Breach report: ${e.incident.drill ? "DRILL: " : ""}${e.incident.title}`),
    h("p", { class: "meta" }, `Incident ${e.incident.id} · Privacy Officer ${e.privacy_officer || "not assigned"}`),
    e.may_edit ? h("p", { class: "lead" }, "The fields of HHS's breach report. Save as you learn more: each change is logged in your name with the counts.")
      : h("p", { class: "lead", id: "breach-read-only" }, "Only the incident's Privacy Officer and admins change this report."),
    form);
}
