// The HICP self-assessment part of the Assets screen, for admins and incident leads (the
// core refuses everyone else): the score over time and the latest score by practice, both
// drawn by the core; the latest assessment's gaps, most serious for patients first, each
// of which an admin adds to the risk register in one step; and for admins a new
// assessment: the questions the core asks of the organisation's size, one fieldset each.

import { request } from "../api.js";
import { h, showAlert, svgNode } from "../dom.js";

const LEVELS = [1, 2, 3, 4, 5];

function select(id, label, value) {
  const s = h("select", { id }, LEVELS.map((n) => h("option", { value: n, selected: n === value }, n)));
  return h("div", { class: "field inline" }, h("label", { for: id }, label), s);
}

/** One gap: what is not in place, and for admins the step that adds it to the register. */
function gapRow(gap, date, view, manages, alert, reload) {
  const inRegister = view.in_register.includes(gap.risk_id);
  let action = h("td", {}, inRegister ? "In the risk register" : "–");
  if (manages && !inRegister) {
    const l = select(`hicp-${gap.question}-likelihood`, "Likelihood", 3);
    const i = select(`hicp-${gap.question}-impact`, "Impact", 3);
    const add = async () => {
      const r = await request("hicp_gap_to_risk", { date, question: gap.question,
        likelihood: Number(l.querySelector("select").value), impact: Number(i.querySelector("select").value) });
      if (r.state === "error") return showAlert(alert, r.error);
      reload(`Added "${r.data.vulnerability}" to the risk register as ${r.data.id} (score ${r.data.score}).`);
    };
    action = h("td", {}, l, i, h("button", { type: "button", id: `hicp-add-${gap.question}`, onclick: add }, "Add to risk register"));
  }
  return h("tr", { dataset: { gap: gap.question } },
    h("th", { scope: "row" }, `${gap.practice}. ${gap.practice_title}`),
    h("td", {}, gap.ask),
    h("td", {}, gap.answer_words),
    h("td", {}, gap.gap, gap.note ? h("p", { class: "meta" }, `Note: ${gap.note}`) : null),
    action);
}

function gapsTable(latest, view, manages, alert, reload) {
  if (!latest.gaps.length) return h("p", { id: "hicp-no-gaps" }, "No gaps: every practice asked is in place.");
  const head = ["Practice", "Question", "Answer", "Gap", manages ? "Risk register" : "In the register"];
  return h("div", { class: "table-scroll", role: "region", "aria-labelledby": "hicp-gaps-title", tabindex: "0" },
    h("table", { class: "users assets", id: "hicp-gaps" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, latest.gaps.map((g) => gapRow(g, latest.date, view, manages, alert, reload)))));
}

/** The questions of a size, one fieldset each, with an optional note. */
function questionForm(q) {
  return q.practices.map((p) => h("fieldset", { class: "hicp-practice", dataset: { practice: p.number } },
    h("legend", {}, `${p.number}. ${p.title}`),
    p.questions.map((x) => h("div", { class: "hicp-question", dataset: { question: x.id } },
      h("fieldset", { class: "picker inline-picks" },
        h("legend", {}, x.ask),
        q.answers.map(([value, words]) => h("label", { class: "pick", for: `hicp-${x.id}-${value}` },
          h("input", { type: "radio", name: `hicp-${x.id}`, id: `hicp-${x.id}-${value}`, value }), words))),
      h("div", { class: "field" },
        h("label", { for: `hicp-${x.id}-note` }, "Note (optional)"),
        h("input", { type: "text", id: `hicp-${x.id}-note`, maxlength: 2000 }))))));
}

/** Admins: a new assessment, for the size chosen, recorded on today's date. */
function newAssessment(alert, reload) {
  const size = h("select", { id: "hicp-size" });
  const form = h("div", { id: "hicp-form", dataset: { state: "loading" } });
  const save = h("button", { type: "button", class: "primary", id: "hicp-save" }, "Save the assessment");
  let asked = null;
  const load = async () => {
    form.dataset.state = "loading";
    const r = await request("hicp_questions", { size: size.value || "medium" });
    if (r.state === "error") return showAlert(alert, r.error);
    asked = r.data;
    if (!size.options.length) {
      r.data.sizes.forEach(([value, words]) => size.append(h("option", { value, selected: value === r.data.size }, words)));
    }
    form.replaceChildren(
      h("p", { class: "meta" }, r.data.summary),
      h("p", { class: "meta" }, `Sources: ${r.data.sources.join("; ")}.`),
      ...questionForm(r.data));
    form.dataset.state = "ready";
  };
  size.addEventListener("change", load);
  save.addEventListener("click", async () => {
    const answers = {};
    for (const x of asked.practices.flatMap((p) => p.questions)) {
      const picked = form.querySelector(`input[name="hicp-${x.id}"]:checked`);
      if (!picked) {
        form.querySelector(`#hicp-${x.id}-${asked.answers[0][0]}`)?.focus();
        return showAlert(alert, { code: "invalid_input", message: `Answer every question: "${x.ask}" has no answer yet.` });
      }
      const note = form.querySelector(`#hicp-${x.id}-note`).value.trim();
      answers[x.id] = note ? { answer: picked.value, note } : { answer: picked.value };
    }
    const r = await request("record_hicp", { size: asked.size, answers });
    if (r.state === "error") return showAlert(alert, r.error);
    reload(`Saved the self-assessment of ${r.data.date}: ${r.data.overall.percent}% (${r.data.overall.words}), ${r.data.gaps.length} gaps.`);
  });
  load();
  return h("section", { class: "no-print", "aria-labelledby": "hicp-new-title", id: "hicp-new" },
    h("h3", { id: "hicp-new-title" }, "New self-assessment (admins)"),
    h("p", { class: "meta" }, "Answer for the whole organisation. Recording again today replaces today's."),
    h("div", { class: "field" }, h("label", { for: "hicp-size" }, "Size of the organisation"), size),
    form, save);
}

/** The HICP section of the Assets screen. `reload(said)` renders the screen again. */
export async function hicpSection({ manages, reload }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("hicp_assessments");
  if (r.state === "error") {
    showAlert(alert, r.error);
    return h("section", { id: "hicp" }, h("h2", {}, "HICP self-assessment"), alert);
  }
  const view = r.data;
  const latest = view.assessments[0];
  return h("section", { "aria-labelledby": "hicp-title", id: "hicp", dataset: { state: "ready", assessments: view.assessments.length } },
    h("h2", { id: "hicp-title" }, "HICP self-assessment"),
    h("p", { class: "meta" }, "The ten HHS 405(d) Health Industry Cybersecurity Practices. In place scores 2, partly 1, not in place 0; not applicable is left out."),
    latest ? h("figure", { class: "chart", id: "hicp-over-time" }, svgNode(view.over_time, "The chart could not be drawn.")) : null,
    latest ? h("figure", { class: "chart", id: "hicp-by-practice" }, svgNode(view.by_practice, "The chart could not be drawn.")) : null,
    latest ? h("h3", { id: "hicp-gaps-title" }, `Gaps of ${latest.date} (${latest.size}), most serious for patients first`) : h("p", { id: "hicp-none" }, "No self-assessment recorded yet."),
    latest ? gapsTable(latest, view, manages && view.may_record, alert, reload) : null,
    manages && view.may_record ? newAssessment(alert, reload) : null,
    alert);
}
