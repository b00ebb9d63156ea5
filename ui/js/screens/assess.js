// The breach risk assessment (45 CFR 164.402) as a form, for the incident's privacy
// officer: whether the information was secured and each of the three exceptions, each yes
// or no with its reason; the four factors, each with the finding and a rating; the
// conclusion. The regulation's words come from the core, which checks the form, works out
// the result (breach, low probability, or an exception) and answers the playbook's
// decisions with it, in the privacy officer's name. Nothing is worked out here.

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";
import { header, incidentNav, incidentScreen } from "./guided.js";

/** The JSON field of a part: its key with underscores. */
const field = (key) => key.replaceAll("-", "_");

function radios(name, legend, options) {
  return h("fieldset", { class: "picker inline-picks" },
    h("legend", {}, legend),
    options.map(([value, label]) => h("label", { class: "pick", for: `${name}-${value}` },
      h("input", { type: "radio", name, id: `${name}-${value}`, value }), label)));
}

function textarea(id, label, hint) {
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("textarea", { id, name: id, rows: "3", "aria-describedby": hint ? `${id}-hint` : null }));
}

export async function renderAssess(main, opts) {
  const [r, text] = await Promise.all([request("incident_view", { id: opts.id }), request("breach_form")]);
  const shown = incidentScreen(main, r.state === "error" ? r : text.state === "error" ? text : r,
    { title: "Breach risk assessment", onHome: opts.onHome });
  if (!shown) return;
  const { v, alert } = shown;
  const form = text.data;
  const me = v.my_positions.includes("privacy-officer");

  const exceptions = form.exceptions.map((part) => h("section", { class: "card assess-part", dataset: { part: part.key } },
    h("h3", {}, part.title),
    h("p", { class: "rule" }, part.rule),
    h("p", { class: "small" }, part.cite),
    radios(`${part.key}`, `Does it apply? (${part.title})`, [["yes", "Yes"], ["no", "No"]]),
    textarea(`${part.key}-reason`, "Why (or why not)")));
  const factors = form.factors.map((part) => h("section", { class: "card assess-part", dataset: { part: part.key } },
    h("h3", {}, part.title),
    h("p", { class: "rule" }, part.rule),
    h("p", { class: "small" }, part.cite),
    textarea(`${part.key}-finding`, "What you found"),
    radios(`${part.key}-rating`, `Does this factor point to a low probability of compromise? (${part.title})`,
      [["low", "Yes: low"], ["not-low", "No: not low"]])));

  const el = (id) => main.querySelector(`#${id}`);
  const picked = (name) => main.querySelector(`input[name="${name}"]:checked`)?.value;
  const collect = () => {
    const out = { conclusion: el("conclusion").value };
    for (const part of form.exceptions) {
      out[field(part.key)] = { applies: picked(part.key) === "yes", reason: el(`${part.key}-reason`).value };
    }
    for (const part of form.factors) {
      const finding = el(`${part.key}-finding`).value;
      const rating = picked(`${part.key}-rating`);
      out[field(part.key)] = finding.trim() || rating ? { finding, rating: rating || "" } : null;
    }
    return out;
  };
  const status = h("div", { class: "status", id: "assess-status", role: "status" });
  const submit = h("button", { type: "submit", class: "primary big", id: "assess-submit" },
    `Sign the assessment as ${v.progress.positions.find((a) => a.position === "privacy-officer")?.person || "the Privacy Officer"}`);
  const body = h("form", { class: "assess", id: "assess-form", novalidate: true },
    h("h2", {}, "1. Secured information and the three exceptions"),
    h("p", {}, "If the information was secured, or one exception applies, it is not a breach that needs notice. Answer each one, with your reason."),
    exceptions,
    h("h2", {}, "2. The four factors (45 CFR 164.402(2))"),
    h("p", {}, "A breach is presumed unless the assessment shows a low probability that the information was compromised. Assess every factor unless an exception applies: every factor low means a low probability; any factor not low means a breach."),
    factors,
    h("h2", {}, "3. Conclusion"),
    textarea("conclusion", "Your conclusion and its reasons", "This is signed in your name and kept in the incident's log."),
    h("div", { class: "actions" }, submit), status, alert,
    h("p", { class: "small" }, form.source));
  body.addEventListener("submit", async (e) => {
    e.preventDefault();
    const answers = collect();
    for (const part of form.exceptions) {
      if (!picked(part.key)) {
        showAlert(alert, { code: "invalid_input", message: `${part.title}: answer yes or no.` });
        return;
      }
    }
    for (const part of form.factors) {
      if (answers[field(part.key)] && !answers[field(part.key)].rating) {
        showAlert(alert, { code: "invalid_input", message: `${part.title}: choose a rating.` });
        return;
      }
    }
    submit.disabled = true;
    const res = await request("assess_breach", { id: opts.id, form: answers });
    submit.disabled = false;
    if (res.state === "error") {
      showAlert(alert, res.error);
      return;
    }
    status.textContent = `Signed: ${res.data.progress.assessment.result}.`;
    opts.onGuide(opts.id);
  });

  fill(main, ...header(v),
    h("h1", { tabindex: "-1", id: "assess-title" }, "Breach risk assessment"),
    me ? h("p", { class: "lead" }, "You hold the Privacy Officer position. The result answers the playbook's questions, and the legal clocks follow.")
      : h("p", { class: "lead", id: "assess-not-mine" }, "Only the person holding the incident's Privacy Officer position can sign this assessment."),
    me ? body : alert,
    incidentNav(opts.id, opts, "assess"));
}
