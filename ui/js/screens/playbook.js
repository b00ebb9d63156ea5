// One playbook, as a library page: by phase, or one role's job action sheet by time band.
// The grouping comes from the core; this only draws it. Printable.

import { request } from "../api.js";
import { callLine } from "../calllines.js";
import { fill, h, showAlert } from "../dom.js";

/** Draws the steps of `group` (indexes into playbook.steps). */
function stepList(playbook, indexes, { withRole, sheet }) {
  return h("ol", { class: "steps" }, indexes.map((i) => {
    const s = playbook.steps[i];
    const roleName = s.roleName || s.role;
    return h("li", { class: "step", dataset: { step: s.id } },
      h("h4", {}, s.title, s.ward ? h("span", { class: "tag" }, "Ward staff") : null),
      withRole ? h("p", { class: "meta" }, `For: ${roleName} · ${s.bandName}`) : null,
      h("p", { class: "instruction" }, s.instruction),
      s.checklist.length ? h("ul", { class: "checklist" }, s.checklist.map((c) => h("li", {}, c))) : null,
      callLine(s.callLines),
      s.timer ? h("p", { class: "meta" }, `Reminder after ${s.timer.text}: ${s.timer.say}`) : null,
      s.deadlines.map((d) => h("p", { class: "meta deadline" }, `Deadline: within ${d.text} of ${d.from.replace("-", " ")}: ${d.what}`, d.source ? ` (${d.source.title}, ${d.source.date})` : "")),
      s.question ? h("div", { class: "decision" },
        h("p", {}, h("strong", {}, "Decide: "), s.question),
        h("ul", {}, s.choices.map((c) => h("li", {}, `${c.label} → ${c.goto === "end" ? "the end" : stepTitle(playbook, c.goto)}`)))) : null,
      sheet ? h("p", { class: "initials" }, "Time ______   Initials ______") : null);
  }));
}

function stepTitle(playbook, id) {
  const s = playbook.steps.find((x) => x.id === id);
  return s ? `“${s.title}”` : id;
}

function minutes(m) {
  const units = [[10080, "week"], [1440, "day"], [60, "hour"], [1, "minute"]];
  const [size, unit] = units.find(([u]) => m % u === 0);
  const n = m / size;
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** Adds display text the core's model leaves to the reader (durations, band names). */
export function prepare(view) {
  const bandNames = {};
  view.roles.forEach((r) => r.bands.forEach((b) => { bandNames[b.id] = b.name; }));
  view.playbook.steps.forEach((s, i) => {
    s.callLines = view.calls[i];
    s.bandName = bandNames[s.band] || s.band;
    s.roleName = (view.roles.find((r) => r.id === s.role) || {}).name;
    if (s.timer) s.timer.text = minutes(s.timer.after_minutes);
    s.deadlines.forEach((d) => {
      d.text = d.window_known ? `${d.within.amount} ${d.within.unit.replace("-", " ")}` : `the ${d.within_contact} contact's notice window`;
    });
  });
  return view;
}

/** The whole playbook as one printable section. */
export function playbookSection(view, { mode = "phase", roleId = null } = {}) {
  const p = view.playbook;
  const header = [
    h("h2", { class: "pb-title" }, p.title),
    h("p", { class: "meta" }, `Severity: ${p.severity} · version ${p.version}`),
    h("p", {}, p.summary),
    h("h3", {}, "Use this when"),
    h("ul", {}, p.triggers.map((t) => h("li", {}, t))),
  ];
  let body;
  if (mode === "role") {
    const role = view.roles.find((r) => r.id === roleId) || view.roles[0];
    body = [h("h3", { class: "sheet-title" }, `Job action sheet: ${role.name}`),
      h("p", { class: "meta" }, `Position: ${role.kind}`),
      ...(role.mission ? [h("p", {}, `Reports to: ${role.reports_to}`), h("p", {}, `Mission: ${role.mission}`)] : []),
      ...role.bands.map((b) => h("section", { class: "group" }, h("h3", {}, b.name), stepList(p, b.steps, { withRole: false, sheet: true }))),
      ...(role.forms.length ? [h("section", { class: "group" }, h("h3", {}, "Documents and forms"), h("ul", {}, role.forms.map((f) => h("li", {}, f))))] : [])];
  } else {
    body = view.phases.map((g) => h("section", { class: "group" }, h("h3", {}, g.name), stepList(p, g.steps, { withRole: true, sheet: false })));
  }
  return h("article", { class: "binder-playbook" }, header, body,
    h("h3", {}, "Sources"), h("ul", { class: "sources" }, p.sources.map((s) => h("li", {}, `${s.title} (${s.date})`))));
}

export async function renderPlaybook(main, { id, onBack, onStart }) {
  fill(main, h("p", { class: "status", role: "status" }, "Opening the playbook…"));
  const r = await request("open_playbook", { id });
  if (r.state === "error") {
    const alert = h("div", { class: "alert", role: "alert" });
    showAlert(alert, r.error);
    fill(main, h("h1", { tabindex: "-1" }, "Playbook"), alert, h("button", { type: "button", onclick: onBack }, "Back to all playbooks"));
    return;
  }
  const view = prepare(r.data);
  const area = h("div", { id: "playbook-body" });
  const byPhase = h("button", { type: "button", id: "view-phase", "aria-pressed": "true" }, "By phase");
  const byRole = h("button", { type: "button", id: "view-role", "aria-pressed": "false" }, "By role");
  const roleSelect = h("select", { id: "role-select", "aria-label": "Role" }, view.roles.map((ro) => h("option", { value: ro.id }, ro.name)));
  const roleField = h("div", { class: "field inline", hidden: true }, h("label", { for: "role-select" }, "Role"), roleSelect);
  const show = (mode) => {
    byPhase.setAttribute("aria-pressed", String(mode === "phase"));
    byRole.setAttribute("aria-pressed", String(mode === "role"));
    roleField.hidden = mode !== "role";
    area.dataset.mode = mode;
    const section = playbookSection(view, { mode, roleId: roleSelect.value });
    section.querySelector(".pb-title").remove(); // the page's own h1 is the title
    area.replaceChildren(section);
  };
  byPhase.addEventListener("click", () => show("phase"));
  byRole.addEventListener("click", () => show("role"));
  roleSelect.addEventListener("change", () => show("role"));
  const start = (drill) => onStart(view.playbook.id, drill);
  fill(main, 
    h("div", { class: "actions no-print" },
      h("button", { type: "button", id: "back-home", onclick: onBack }, "← All playbooks"),
      onStart ? h("button", { type: "button", class: "primary", id: "start-incident", onclick: () => start(false) }, "Start this playbook now") : null,
      onStart ? h("button", { type: "button", id: "start-drill", onclick: () => start(true) }, "Start as a drill") : null,
      h("button", { type: "button", id: "print-playbook", onclick: () => window.print() }, "Print")),
    h("h1", { tabindex: "-1", id: "playbook-title", dataset: { playbookId: view.playbook.id } }, view.playbook.title),
    h("div", { class: "actions no-print", role: "group", "aria-label": "View" }, byPhase, byRole, roleField),
    area);
  show("phase");
}

/** Prints `sections` alone (the binder area), each playbook on new pages. */
function printSections(sections) {
  const binder = document.getElementById("binder");
  binder.replaceChildren(...sections);
  document.body.classList.add("print-binder");
  const done = () => {
    document.body.classList.remove("print-binder");
    binder.replaceChildren();
    window.removeEventListener("afterprint", done);
  };
  window.addEventListener("afterprint", done);
  window.print();
}

/** Prints every playbook in force, each on new pages, by phase. */
export async function printBinder() {
  const r = await request("playbook_binder");
  if (r.state !== "ready") return r;
  printSections(r.data.map((v) => playbookSection(prepare(v))));
  return r;
}

/** Prints one playbook (already prepared), whole, by phase. */
export function printPlaybook(view) {
  printSections([playbookSection(view)]);
}
