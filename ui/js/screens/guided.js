// Guided mode: one step at a time, in large type. Done, Skip (with a reason) and Note; a
// decision shows its answers, except one a form answers (the breach risk assessment),
// which opens the form for the incident's privacy officer and says who completes it to
// anyone else. Every action goes to the core, which logs it and says what
// comes next. Above the step: the reminders that have come due (each with "Seen") and the
// nearest legal deadline as a countdown. Keys: D done, S skip, N note, 1-9 an answer.

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";
import { local } from "../time.js";

/** "3 days 4 h", "2 h 5 min", "12 min" from milliseconds (its size). */
export function span(ms) {
  const m = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(m / 1440);
  const hrs = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (d > 0) return `${d} ${d === 1 ? "day" : "days"} ${hrs} h`;
  if (hrs > 0) return `${hrs} h ${min} min`;
  return `${min} min`;
}


/** A legal clock's words for now: time left (frozen while paused), how late, or its
 * state when it is not running. The core derives the state; a branch not taken is
 * "not applicable". */
export function countdown(d, now = Date.now()) {
  const due = d.due ? Date.parse(d.due) : null;
  switch (d.status) {
    case "met": return "met";
    case "late": return "met, late";
    case "missed": return "MISSED";
    case "not_applicable": return d.note ? `not applicable: ${d.note}` : "not applicable";
    case "undecided": return d.note ? `undecided: ${d.note}` : "undecided: applies only on its branch";
    case "paused": return `paused, ${span((d.left_minutes || 0) * 60000)} left`;
    default: return due >= now ? `${span(due - now)} left` : `OVERDUE by ${span(now - due)}`;
  }
}

/** The reminders that have come due, each with "Seen": at the top of the incident's
 * screens, because they ask for something now. */
export function clocks(v, act) {
  const p = v.progress;
  if (p.closed) return null;
  const now = Date.now();
  const due = p.timers.filter((t) => !t.acknowledged && Date.parse(t.due) <= now);
  if (!due.length) return null;
  return h("div", { class: "reminders", id: "reminders", role: "alert" },
    due.map((t) => h("div", { class: "reminder", dataset: { step: t.step } },
      h("strong", {}, "Reminder: "), t.say,
      h("button", { type: "button", class: "seen", onclick: () => act("acknowledge_timer", { step: t.step }) }, "Seen"))));
}

/** The next reminder and the legal deadlines as countdowns: below the step, because they
 * do not ask for anything yet (an overdue deadline says so in red). */
export function upcoming(v) {
  const p = v.progress;
  if (p.closed) return null;
  const now = Date.now();
  const next = p.timers.filter((t) => !t.acknowledged && Date.parse(t.due) > now)
    .sort((a, b) => Date.parse(a.due) - Date.parse(b.due))[0];
  // The clocks that run first, the soonest due at the top; those not yet decided after
  // them; none that is met or does not apply.
  const rank = (d) => (d.status === "undecided" ? 1 : 0);
  const open = p.deadlines.filter((d) => !["met", "late", "not_applicable"].includes(d.status))
    .sort((a, b) => rank(a) - rank(b) || (Date.parse(a.due || "9999") - Date.parse(b.due || "9999")));
  if (!next && !open.length) return null;
  return h("section", { class: "clocks", "aria-labelledby": "clocks-title" },
    h("h2", { id: "clocks-title" }, "Clocks"),
    next ? h("p", { class: "meta", id: "next-reminder" }, `Next reminder at ${local(next.due)}: ${next.say}`) : null,
    open.length ? h("ul", { class: "deadlines", id: "deadlines" }, open.map((d) =>
      h("li", { class: d.status === "overdue" ? "overdue" : "", dataset: { due: d.due || "", status: d.status } },
        h("span", { class: "countdown" }, countdown(d, now)), ` · ${d.what}`, d.due ? ` (due ${local(d.due)})` : ""))) : null);
}

/** The incident's own menu: team, review and exports, evidence and forensics. */
export function incidentNav(id, { onTeam, onReview, onGuide, onCalls, onForensics }, here) {
  return h("nav", { class: "actions secondary incident-nav", "aria-label": "This incident" },
    here !== "guide" ? h("button", { type: "button", id: "nav-guide", onclick: () => onGuide(id) }, "← Back to the step") : null,
    here !== "calls" ? h("button", { type: "button", id: "nav-calls", onclick: () => onCalls(id) }, "Calls") : null,
    here !== "team" ? h("button", { type: "button", id: "nav-team", onclick: () => onTeam(id) }, "Team and my job sheet") : null,
    here !== "review" ? h("button", { type: "button", id: "nav-review", onclick: () => onReview(id) }, "Timeline, review and export") : null,
    here !== "forensics" ? h("button", { type: "button", id: "nav-forensics", onclick: () => onForensics(id) }, "Evidence and forensics") : null);
}

export function header(v) {
  const p = v.progress;
  const band = p.incident.drill ? h("div", { class: "drill-band", id: "drill-band" }, "DRILL: this is an exercise") : null;
  return [band, h("p", { class: "meta" }, `${p.incident.title} · incident ${p.incident.id} · lead ${p.incident.lead}`)];
}

let keyHandler = null;
let clockTimer = null;
const CLOCK_MS = 15000;

/** Keeps the reminders and countdowns true while the step is on screen, without
 * redrawing the step (a half-typed reason or note stays). */
function keepClocks(main, id, act) {
  clearInterval(clockTimer);
  clockTimer = setInterval(async () => {
    const old = main.querySelector(".clocks-slot");
    if (!old) return clearInterval(clockTimer);
    const r = await request("incident_view", { id });
    if (r.state !== "ready") return;
    old.replaceChildren(clocks(r.data, act) || "");
    main.querySelector(".upcoming-slot")?.replaceChildren(upcoming(r.data) || "");
  }, CLOCK_MS);
}

/**
 * What an incident screen starts from: the error (drawn, with nothing else), or the view
 * and the alert its actions report to.
 */
export function incidentScreen(main, r, { title, onHome }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  if (r.state === "error") {
    showAlert(alert, r.error);
    const home = onHome ? h("button", { type: "button", onclick: onHome }, "Home") : null;
    fill(main, h("h1", { tabindex: "-1" }, title), alert, home);
    return null;
  }
  return { v: r.data, p: r.data.progress, alert };
}

export async function renderGuided(main, opts) {
  const r = await request("incident_view", { id: opts.id });
  draw(main, opts, r);
}

function draw(main, opts, r) {
  const { id, onHome } = opts;
  if (keyHandler) document.removeEventListener("keydown", keyHandler);
  keyHandler = null;
  const shown = incidentScreen(main, r, { title: "Incident", onHome });
  if (!shown) return;
  const { v, p, alert } = shown;
  const act = async (command, args) => {
    const next = await request(command, { id, ...args });
    if (next.state === "error") showAlert(alert, next.error); else draw(main, opts, next);
  };
  const progressLine = h("p", { class: "progress-line", id: "progress-line" },
    [v.phase_name, v.band_name, `${p.done} done`, `${p.skipped} skipped`,
      v.step ? `up to ${v.steps_left} ${v.steps_left === 1 ? "step" : "steps"} left` : null].filter(Boolean).join(" · "));
  const top = [...header(v), progressLine, h("div", { class: "clocks-slot" }, clocks(v, act))];
  keepClocks(main, id, act);
  const nav = incidentNav(id, opts, "guide");

  if (p.closed || !v.step) {
    fill(main, ...top,
      h("h1", { tabindex: "-1", id: "guided-title" }, p.closed ? (p.incident.drill ? "Drill ended" : "Incident closed") : "Playbook complete"),
      p.closed ? null : h("p", { class: "lead" }, v.can_command
        ? "Every step on this path is done or skipped. Close the incident when the situation is over."
        : "Every step on this path is done or skipped. The incident lead closes the incident."),
      h("div", { class: "actions" },
        p.closed || !v.can_command ? null : h("button", { type: "button", class: "primary big", id: "close-incident", onclick: () => act("close_incident", {}) }, p.incident.drill ? "End the drill" : "Close the incident"),
        h("button", { type: "button", id: "guided-home", onclick: onHome }, "Home")),
      alert, h("div", { class: "upcoming-slot" }, upcoming(v)), nav);
    return;
  }

  const s = v.step;
  const reason = h("input", { id: "skip-reason", type: "text", autocomplete: "off" });
  const skipBox = h("form", { class: "field", hidden: true },
    h("label", { for: "skip-reason" }, "Why is this step skipped?"), reason,
    h("button", { type: "submit", id: "skip-confirm" }, "Skip with this reason"));
  skipBox.addEventListener("submit", (e) => { e.preventDefault(); act("incident_step", { step: s.id, action: "skip", value: reason.value }); });
  const noteText = h("input", { id: "note-text", type: "text", autocomplete: "off" });
  const noteBox = h("form", { class: "field", hidden: true },
    h("label", { for: "note-text" }, "Note for the record"), noteText,
    h("button", { type: "submit", id: "note-save" }, "Save the note"));
  // A note that would send patient information over public email or consumer messaging
  // asks once before it is saved.
  const noteWarn = h("div", { class: "alert warning", id: "note-warning", role: "alert", hidden: true });
  noteBox.append(noteWarn);
  let warnedFor = null;
  noteBox.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (warnedFor !== noteText.value) {
      const w = await request("check_channels", { text: noteText.value });
      if (w.state === "ready" && w.data.length) {
        warnedFor = noteText.value;
        noteWarn.replaceChildren(...w.data.map((x) => h("p", {}, x.message)), h("p", {}, "Press “Save the note” again to save it as it is."));
        noteWarn.hidden = false;
        return;
      }
    }
    act("incident_note", { text: noteText.value });
  });
  const openSkip = () => { skipBox.hidden = false; reason.focus(); };
  const openNote = () => { noteBox.hidden = false; noteText.focus(); };
  const choose = (c) => act("incident_step", { step: s.id, action: "choose", value: c.label });
  const actions = s.form ? formActions(v, opts) : s.question
    ? h("div", { class: "actions choices", role: "group", "aria-label": s.question },
      s.choices.map((c, i) => h("button", { type: "button", class: "primary", dataset: { choice: String(i + 1) }, onclick: () => choose(c) },
        h("span", { class: "key", "aria-hidden": "true" }, String(i + 1)), c.label)))
    : h("div", { class: "actions" },
      h("button", { type: "button", class: "primary big", id: "step-done", "aria-keyshortcuts": "D", onclick: () => act("incident_step", { step: s.id, action: "done" }) }, "Done"));

  fill(main, ...top,
    h("p", { class: "for-role" }, `For: ${v.role_name}${s.ward ? " · ward staff" : ""}`),
    h("h1", { tabindex: "-1", id: "guided-title", dataset: { step: s.id } }, s.title),
    v.step_warnings.length ? h("div", { class: "alert warning", id: "step-warning", role: "note" }, v.step_warnings.map((w) => h("p", {}, w.message))) : null,
    h("p", { class: "instruction big-text" }, s.instruction),
    s.checklist.length ? h("ul", { class: "checklist big-text" }, s.checklist.map((c) => h("li", {}, c))) : null,
    s.calls.length ? h("div", { class: "step-calls", id: "step-calls" },
      v.step_contacts.length
        ? h("ul", { class: "numbers-list" }, v.step_contacts.map((c) => h("li", {},
          h("strong", {}, `Call ${c.name}`), ` (${c.role}): `,
          [c.work_phone, c.mobile_phone, c.pager, c.support_line].filter(Boolean).join(" · "))))
        : h("p", { class: "meta" }, `Call: ${s.calls.join(", ")}`)) : null,
    v.register ? registerPanel(v.register) : null,
    s.question ? h("h2", { id: "decision" }, s.question) : null,
    actions,
    h("div", { class: "actions secondary" },
      s.form ? null : h("button", { type: "button", id: "step-skip", "aria-keyshortcuts": "S", onclick: openSkip }, "Skip…"),
      h("button", { type: "button", id: "step-note", "aria-keyshortcuts": "N", onclick: openNote }, "Note…")),
    skipBox, noteBox, alert,
    h("p", { class: "small keys" }, s.form ? "Keys: N note"
      : s.question ? "Keys: 1-9 choose an answer · S skip · N note"
        : "Keys: D done · S skip · N note"),
    h("div", { class: "upcoming-slot" }, upcoming(v)),
    nav);

  keyHandler = (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
    if (!main.contains(document.getElementById("guided-title"))) return;
    const key = e.key.toLowerCase();
    if (key === "d" && !s.question) { e.preventDefault(); act("incident_step", { step: s.id, action: "done" }); }
    else if (key === "s" && !s.form) { e.preventDefault(); openSkip(); }
    else if (key === "n") { e.preventDefault(); openNote(); }
    else if (s.question && !s.form && /^[1-9]$/.test(key) && s.choices[Number(key) - 1]) { e.preventDefault(); choose(s.choices[Number(key) - 1]); }
  };
  document.addEventListener("keydown", keyHandler);
}

/** What of the asset register the step shows: the agreed restore order, or the medical
 * devices with a box to find one by its tag (the list is the core's; the box only narrows
 * what is shown). Those who may not read the register are told who can. */
function registerPanel(r) {
  const devices = r.view === "devices";
  const title = devices ? "Medical devices in the asset register" : "The agreed restore order";
  if (!r.assets) {
    return h("section", { class: "register", id: "step-register", "aria-labelledby": "register-title" },
      h("h2", { id: "register-title" }, title),
      h("p", { class: "meta" }, "The asset register is for incident leads and admins: ask one of them."));
  }
  const row = (a) => h("tr", { dataset: { asset: a.id } },
    h("td", {}, a.restore_order ?? "—"), h("td", {}, a.name),
    h("td", {}, devices ? (a.asset_tag || "—") : `Tier ${a.tier}`),
    h("td", {}, devices ? [a.make, a.model, a.firmware && `firmware ${a.firmware}`].filter(Boolean).join(" ") : (a.rto_hours != null ? `${a.rto_hours} h` : "—")),
    h("td", {}, a.patch.unsupported || a.patch.overdue ? a.patch_words : (a.downtime_playbook || "")));
  const body = h("tbody", {}, r.assets.map(row));
  const table = h("table", { class: "register-table" },
    h("thead", {}, h("tr", {}, ["Order", "Name", devices ? "Tag" : "Tier", devices ? "Device" : "Recovery time", devices ? "Status" : "Downtime"].map((c) => h("th", { scope: "col" }, c)))),
    body);
  const find = devices ? h("input", { id: "register-tag", type: "search", autocomplete: "off" }) : null;
  if (find) {
    find.addEventListener("input", () => {
      const want = find.value.replace(/[^0-9a-z]/gi, "").toLowerCase();
      body.replaceChildren(...r.assets
        .filter((a) => !want || (a.asset_tag || "").replace(/[^0-9a-z]/gi, "").toLowerCase().includes(want))
        .map(row));
    });
  }
  return h("section", { class: "register", id: "step-register", "aria-labelledby": "register-title" },
    h("h2", { id: "register-title" }, title),
    find ? h("div", { class: "field" }, h("label", { for: "register-tag" }, "Find a device by its asset tag"), find) : null,
    r.assets.length ? table : h("p", { class: "meta" }, "The register lists none yet: an admin imports it."));
}

/** A decision the breach risk assessment answers: the form, for the incident's privacy
 * officer; for anyone else, who completes it. */
function formActions(v, { id, onAssess }) {
  if (v.my_positions.includes("privacy-officer")) {
    return h("div", { class: "actions" },
      h("button", { type: "button", class: "primary big", id: "assess-open", onclick: () => onAssess(id) },
        "Complete the breach risk assessment"));
  }
  const officer = v.progress.positions.find((a) => a.position === "privacy-officer");
  return h("p", { class: "lead", id: "assess-who" }, officer
    ? `${officer.person}, the incident's Privacy Officer, answers this with the breach risk assessment, signed under their own unlock.`
    : "The incident's Privacy Officer answers this with the breach risk assessment, signed under their own unlock. Nobody holds that position yet: the incident lead assigns it on the Team screen.");
}

/** Leaving guided mode stops its keys. */
export function leaveGuided() {
  if (keyHandler) document.removeEventListener("keydown", keyHandler);
  keyHandler = null;
  clearInterval(clockTimer);
}
