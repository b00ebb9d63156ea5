// Exercises: the tabletop packages and the exercises run, the register (admins and leads),
// the corrective actions; and one exercise's facilitator's screen, made to go on a
// projector: the scenario clock, the inject in play shown large and what is next, with
// the facilitator's controls, participants' decisions, evaluators' observations, the
// improvement plan and the AAR/IP to save. The core decides who may do each.

import { request } from "../api.js";
import { field, fill, h, showAlert, svgNode } from "../dom.js";
import { local } from "../time.js";

/** Scenario seconds as people read them: "1 h 05 min 20 s". */
function clockText(seconds) {
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  const two = (n) => String(n).padStart(2, "0");
  return `${hh}:${two(mm)}:${two(ss)}`;
}

function actionItem(a, onClose) {
  const state = a.closed ? "closed" : "open";
  const note = h("input", { type: "text", "aria-label": `What was done for ${a.id}` });
  return h("li", { dataset: { action: a.id, state } },
    h("strong", {}, a.id), ` ${a.text} · owner ${a.owner} · due `,
    h("span", { class: "action-due" }, a.due), ` · changes ${a.changes} · ${a.closed ? `closed: ${a.closed.note}` : "open"}`,
    onClose && !a.closed ? h("span", { class: "close-action" }, note,
      h("button", { type: "button", class: "link", onclick: () => onClose(a, note.value) }, "Close it: done")) : null);
}

export async function renderExercises(main, { onExercise }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("exercises");
  if (r.state === "error") {
    fill(main, h("h1", { tabindex: "-1", id: "exercises-title" }, "Exercises"), alert);
    return showAlert(alert, r.error);
  }
  const { packages, exercises } = r.data;
  const start = async (id) => {
    const res = await request("start_exercise", { package: id });
    if (res.state === "error") return showAlert(alert, res.error);
    onExercise(res.data.id);
  };
  const actions = await request("corrective_actions");
  const close = async (a, note) => {
    const res = await request("close_corrective_action", { action: a.id, note });
    if (res.state === "error") return showAlert(alert, res.error);
    renderExercises(main, { onExercise });
  };
  // Only admins and incident leads see the register: the core refuses the others.
  const reg = await request("exercise_register");
  const register = reg.state === "ready" ? h("section", { id: "exercise-register", "aria-labelledby": "register-title" },
    h("h2", { id: "register-title" }, "Exercise register (42 CFR 482.15(d)(2): two a year)"),
    h("figure", { class: "chart" }, svgNode(reg.data.chart_svg, "The chart could not be drawn.")),
    reg.data.years.map((y) => h("div", { class: "register-year", dataset: { year: y.year, held: y.exercises.length, still: y.still_required.length } },
      h("h3", {}, `${y.year}: ${y.exercises.length} held`),
      h("ul", {}, y.exercises.map((x) => h("li", {}, x.recorded
        ? `${x.date} ${x.title} (${x.type}, held outside the app): ${x.recorded}`
        : `${x.date} ${x.title} (${x.type}); playbooks: ${x.playbooks.join(", ")}`))),
      y.still_required.length === 0
        ? h("p", { class: "met" }, "Requirement met.")
        : h("ul", { class: "still-required" }, y.still_required.map((s) => h("li", {}, `Still required: ${s}`)))))) : null;
  fill(main,
    h("h1", { tabindex: "-1", id: "exercises-title" }, "Exercises"),
    h("p", { class: "lead" }, "Tabletop exercises run as drills: they never count as real incidents."),
    h("h2", {}, "Packages"),
    h("ul", { class: "playbook-list", id: "exercise-packages" }, packages.map((p) => h("li", { class: "playbook", dataset: { package: p.id } },
      h("span", { class: "playbook-title" }, p.title),
      h("span", { class: "playbook-situation" }, ` ${p.injects} injects over ${p.minutes} min · tests ${p.playbooks.join(", ")}`),
      h("button", { type: "button", class: "primary", id: `start-exercise-${p.id}`, onclick: () => start(p.id) }, "Start this exercise")))),
    h("h2", {}, "Exercises run"),
    exercises.length === 0 ? h("p", {}, "No exercise yet.") : h("ul", { id: "exercise-list" }, exercises.map((x) => h("li", { dataset: { exercise: x.id } },
      h("button", { type: "button", class: "link", onclick: () => onExercise(x.id) }, `${x.title}, started ${local(x.started)}${x.ended ? " (ended)" : ""}`)))),
    h("h2", {}, "Corrective actions"),
    actions.state === "ready" && actions.data.length > 0
      ? h("ul", { id: "action-list" }, actions.data.map((a) => actionItem(a, close)))
      : h("p", {}, "No corrective action for you."),
    register,
    alert);
}

export async function renderExercise(main, { id, onBack }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("exercise", { id });
  if (r.state === "error") {
    fill(main, h("h1", { tabindex: "-1" }, "Exercise"), alert, h("button", { type: "button", onclick: onBack }, "Back to the exercises"));
    return showAlert(alert, r.error);
  }
  const { package: pkg } = r.data;
  const status = h("p", { class: "status", role: "status", id: "exercise-status", tabindex: "-1" });
  const clock = h("p", { class: "scenario-clock", id: "scenario-clock", "aria-live": "off" });
  const now = h("section", { class: "inject-now", id: "inject-now", "aria-live": "polite" });
  const next = h("p", { class: "inject-next", id: "inject-next" });
  const questions = h("ul", { class: "questions", id: "inject-questions" });
  const decisions = h("ul", { id: "decision-list" });
  const observations = h("ul", { id: "observation-list" });
  const plan = h("ul", { id: "exercise-actions" });

  const draw = (x) => {
    clock.textContent = `Scenario clock ${clockText(x.scenario)} · ${x.ended ? "ended" : x.running ? `running at ${x.speed}x` : "paused"}`;
    clock.dataset.running = String(x.running);
    const inPlay = x.in_play === null ? null : x.injects[x.in_play];
    now.dataset.inject = inPlay ? inPlay.id : "";
    now.replaceChildren(...(inPlay ? [
      h("p", { class: "inject-from" }, `${inPlay.module} · from ${inPlay.from}`),
      h("p", { class: "inject-message" }, inPlay.message),
      h("p", { class: "inject-expect" }, `Expected: ${inPlay.expect.join("; ")}`),
    ] : [h("p", {}, "No inject yet.")]));
    // The discussion questions of the module in play.
    const module = inPlay ? pkg.modules.find((m) => m.title === inPlay.module) : null;
    questions.replaceChildren(...(module ? module.questions : []).map((q) => h("li", {}, q)));
    const following = x.next ? x.injects[x.next[0]] : null;
    next.dataset.inject = following ? following.id : "";
    next.textContent = following ? `Next: ${following.from}, in ${clockText(x.next[1])}` : "Next: none, the last inject is in play.";
    decisions.replaceChildren(...x.decisions.map((d) => h("li", { dataset: { inject: d.inject } }, `${d.inject}: ${d.text} (${d.by}, ${local(d.at)})`)));
    observations.replaceChildren(...x.observations.map((o) => h("li", { dataset: { task: o.task, rating: o.rating } }, `${o.task}: ${o.rating.toUpperCase()} · ${o.note} (${o.by})`)));
  };
  const act = async (command, args) => {
    const res = await request(command, { id, ...args });
    if (res.state === "error") return showAlert(alert, res.error);
    alert.hidden = true;
    const fresh = await request("exercise", { id });
    if (fresh.state === "ready") draw(fresh.data.exercise);
    return res.data;
  };
  const control = (action, speed) => act("control_exercise", { action, speed });
  const speed = h("select", { id: "exercise-speed", "aria-label": "Scenario speed" }, [1, 2, 5, 10, 30, 60].map((n) => h("option", { value: n }, `${n}x`)));
  const decisionText = h("textarea", { id: "decision-text", rows: 2, "aria-label": "The decision" });
  const decide = async () => {
    if (await act("exercise_decision", { text: decisionText.value }) !== undefined) decisionText.value = "";
  };
  const tasks = pkg.objectives.flatMap((o) => o.tasks.map((t) => ({ objective: o.id, ...t })));
  const task = h("select", { id: "observe-task", "aria-label": "Critical task" }, tasks.map((t) => h("option", { value: t.id }, `${t.objective}: ${t.task}`)));
  const rating = h("select", { id: "observe-rating", "aria-label": "Rating" },
    [["p", "P: performed without challenges"], ["s", "S: with some challenges"], ["m", "M: with major challenges"], ["u", "U: unable to be performed"]]
      .map(([v, label]) => h("option", { value: v }, label)));
  const note = h("textarea", { id: "observe-note", rows: 2, "aria-label": "What you observed" });
  const observe = async () => {
    if (await act("observe_exercise", { task: task.value, rating: rating.value, note: note.value }) !== undefined) note.value = "";
  };
  const objective = h("select", { id: "action-objective", "aria-label": "Objective" }, pkg.objectives.map((o) => h("option", { value: o.id }, o.text)));
  const addAction = async () => {
    const value = (el) => main.querySelector(el).value;
    const added = await act("add_corrective_action", {
      objective: objective.value, text: value("#action-text"), owner: value("#action-owner"),
      due: value("#action-due"), changes: value("#action-changes"),
    });
    if (added !== undefined) plan.append(actionItem(added, null));
  };
  const report = async () => {
    const res = await request("save_exercise_report", { id });
    if (res.state === "error") return showAlert(alert, res.error);
    status.textContent = `AAR/IP saved: ${res.data.path}`;
    status.dataset.path = res.data.path;
  };
  fill(main,
    h("h1", { tabindex: "-1", id: "exercise-title" }, `DRILL · ${pkg.title}`),
    h("section", { class: "facilitator", "aria-label": "Facilitator's screen" }, clock, now, next,
      h("div", { class: "actions no-print" },
        h("button", { type: "button", class: "primary", id: "exercise-next", onclick: () => control("next") }, "Next inject now"),
        h("button", { type: "button", id: "exercise-pause", onclick: () => control("pause") }, "Pause"),
        h("button", { type: "button", id: "exercise-resume", onclick: () => control("resume") }, "Resume"),
        speed, h("button", { type: "button", id: "exercise-speed-set", onclick: () => control("speed", Number(speed.value)) }, "Set speed"))),
    h("section", { "aria-labelledby": "questions-title" },
      h("h2", { id: "questions-title" }, "Discussion questions"), questions),
    h("details", { id: "exercise-guides" },
      h("summary", {}, "Situation manual and guides"),
      h("h3", {}, "Scenario"), h("p", {}, pkg.scenario),
      h("h3", {}, "Participants"), h("ul", {}, pkg.participants.map((p) => h("li", {}, p))),
      h("h3", {}, "Facilitator's guide"), h("p", { id: "facilitator-guide" }, pkg.facilitator),
      h("h3", {}, "Evaluator's guide"), h("p", { id: "evaluator-guide" }, pkg.evaluator),
      h("ul", {}, pkg.objectives.map((o) => h("li", {}, `${o.text} (${o.capabilities.join(", ")})`,
        h("ul", {}, o.tasks.map((t) => h("li", {}, `${t.task} Observe: ${t.observe.join("; ")}`)))))),
      h("h3", {}, "Sources"), h("ul", {}, pkg.sources.map((src) => h("li", {}, `${src.title} (${src.date})`)))),
    h("section", { "aria-labelledby": "decisions-title" },
      h("h2", { id: "decisions-title" }, "Decisions (against the inject in play)"),
      decisionText, h("button", { type: "button", id: "decision-log", onclick: decide }, "Log the decision"), decisions),
    h("section", { "aria-labelledby": "observe-title" },
      h("h2", { id: "observe-title" }, "Evaluator's observations"),
      task, rating, note, h("button", { type: "button", id: "observe-save", onclick: observe }, "Record the observation"), observations),
    h("section", { "aria-labelledby": "plan-title" },
      h("h2", { id: "plan-title" }, "Improvement plan"),
      objective,
      field({ id: "action-text", label: "Corrective action", type: "text" }),
      field({ id: "action-owner", label: "Owner", type: "text" }),
      field({ id: "action-due", label: "Due date (YYYY-MM-DD)", type: "text", placeholder: "2027-01-31" }),
      field({ id: "action-changes", label: "Playbook, playbook#step or training:module it changes", type: "text" }),
      h("button", { type: "button", id: "action-add", onclick: addAction }, "Add the corrective action"), plan),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", id: "exercise-report", onclick: report }, "Save the AAR/IP"),
      h("button", { type: "button", id: "exercise-back", onclick: onBack }, "Back to the exercises")),
    status, alert);
  draw(r.data.exercise);
  // The scenario clock moves on its own: ask the core again each second while this
  // screen is shown.
  const tick = setInterval(async () => {
    if (!document.body.contains(clock)) return clearInterval(tick);
    const fresh = await request("exercise", { id });
    if (fresh.state === "ready" && document.body.contains(clock)) draw(fresh.data.exercise);
  }, 1000);
}
