// Training: the signed-in person's modules (due dates, overdue first), reading one, its
// READ-DO checklist and quiz, and acknowledging it under their own unlock. Admins and
// leads also see the compliance dashboard (the core's charts, the written policies'
// acknowledgment by department among them), the overdue list, and can
// assign modules, import a phishing campaign's results and save the report.

import { request } from "../api.js";
import { fill, h, showAlert, svgNode } from "../dom.js";

const STATE = {
  overdue: (s) => `Overdue: was due ${s.due} (${s.days_over} days ago)`,
  due_soon: (s) => `Due soon: ${s.due} (${s.days_left} days left)`,
  not_due: (s) => `Due ${s.due}`,
  done: (s) => (s.next ? `Done · due again ${s.next}` : "Done"),
};
const ORDER = { overdue: 0, due_soon: 1, not_due: 2, done: 3 };

function stateText(s) {
  return (STATE[s.state] || (() => s.state))(s);
}

export async function renderTraining(main, { role, onModule }) {
  const r = await request("my_training");
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  if (r.state === "error") {
    showAlert(alert, r.error);
    fill(main, h("h1", { tabindex: "-1" }, "Training"), alert);
    return;
  }
  const items = [...r.data].sort((a, b) => ORDER[a.state.state] - ORDER[b.state.state]);
  fill(main,
    h("h1", { tabindex: "-1", id: "training-title" }, "Training"),
    h("p", { class: "lead" }, "Read each module, confirm the checklist, answer the short quiz, and acknowledge it under your own name."),
    items.length === 0 ? h("p", {}, "Nothing is assigned to you.")
      : h("ul", { class: "playbook-list", id: "my-training" }, items.map((i) => h("li", { class: "playbook", dataset: { module: i.module, state: i.state.state } },
        h("button", { type: "button", class: `playbook-open training-${i.state.state}`, onclick: () => onModule(i.module) },
          h("span", { class: "playbook-title" }, i.title),
          h("span", { class: "playbook-situation" }, stateText(i.state), i.reason ? ` · ${i.reason}` : ""))))),
    role === "admin" || role === "lead" ? await dashboard(role) : null,
    alert);
}

/** A section's text: paragraphs, and "- " lines as a list. */
function paragraphs(text) {
  return text.split(/\n\s*\n/).map((block) => {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    if (lines.length && lines.every((l) => l.startsWith("- "))) {
      return h("ul", {}, lines.map((l) => h("li", {}, l.slice(2))));
    }
    const first = lines.findIndex((l) => l.startsWith("- "));
    if (first > 0 && lines.slice(first).every((l) => l.startsWith("- "))) {
      return [h("p", {}, lines.slice(0, first).join(" ")), h("ul", {}, lines.slice(first).map((l) => h("li", {}, l.slice(2))))];
    }
    return h("p", {}, lines.join(" "));
  });
}

export async function renderModule(main, { id, onBack }) {
  const r = await request("training_module", { id });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  if (r.state === "error") {
    showAlert(alert, r.error);
    fill(main, h("h1", { tabindex: "-1" }, "Training"), alert, h("button", { type: "button", onclick: onBack }, "Back"));
    return;
  }
  const m = r.data;
  const checks = m.checklist.map((c, n) => h("li", {}, h("label", { class: "check" },
    h("input", { type: "checkbox", class: "confirm", id: `confirm-${n}` }), c)));
  const questions = m.quiz ? m.quiz.questions.map(([ask, choices], q) => h("fieldset", { class: "question", dataset: { question: String(q) } },
    h("legend", {}, `${q + 1}. ${ask}`),
    choices.map((c, k) => h("label", { class: "pick" },
      h("input", { type: "radio", name: `q${q}`, value: String(k), id: `q${q}-${k}` }), c)))) : [];
  const done = h("div", { id: "ack-status", class: "status", role: "status" });
  const ackButton = h("button", { type: "submit", class: "primary big", id: "ack-submit" }, "I have read this and I will do it");
  const form = h("form", { id: "ack-form" },
    h("h2", {}, "I will"), h("ul", { class: "confirm-list" }, checks),
    m.quiz ? [h("h2", {}, `Quiz (${m.quiz.pass_mark_percent}% to pass)`), ...questions] : null,
    ackButton, done, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (![...form.querySelectorAll(".confirm")].every((c) => c.checked)) {
      showAlert(alert, { code: "invalid_input", message: "Tick each line of the checklist first." });
      return;
    }
    let answers = null;
    if (m.quiz) {
      answers = m.quiz.questions.map((_, q) => {
        const picked = form.querySelector(`input[name=q${q}]:checked`);
        return picked ? Number(picked.value) : null;
      });
      if (answers.some((a) => a === null)) {
        showAlert(alert, { code: "invalid_input", message: "Answer every question of the quiz." });
        return;
      }
    }
    ackButton.disabled = true;
    const res = await request("acknowledge_training", { id: m.id, answers });
    ackButton.disabled = false;
    if (res.state === "error") return showAlert(alert, res.error);
    alert.hidden = true;
    done.dataset.state = res.data.state.state;
    done.textContent = `Acknowledged and logged. ${stateText(res.data.state)}.`;
  });
  fill(main,
    h("div", { class: "actions no-print" }, h("button", { type: "button", id: "module-back", onclick: onBack }, "← All my training")),
    h("h1", { tabindex: "-1", id: "module-title", dataset: { module: m.id } }, m.title),
    h("p", { class: "meta" }, `Version ${m.version} · ${m.recurrence}`),
    h("p", { class: "lead" }, m.summary),
    m.sections.map((s) => h("section", { class: "module-section" }, h("h2", {}, s.heading), paragraphs(s.text))),
    form);
}

async function dashboard(role) {
  const r = await request("training_dashboard");
  const section = h("section", { id: "dashboard", "aria-labelledby": "dashboard-title" }, h("h2", { id: "dashboard-title" }, "Compliance dashboard"));
  if (r.state === "error") {
    const alert = h("div", { class: "alert", role: "alert" });
    showAlert(alert, r.error);
    section.append(alert);
    return section;
  }
  const d = r.data;
  const saved = h("div", { id: "report-status", class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const save = async (format) => {
    const res = await request("training_report", { format });
    if (res.state === "error") return showAlert(alert, res.error);
    saved.textContent = `Saved: ${res.data.path}`;
    saved.dataset.path = res.data.path;
  };
  section.append(
    h("figure", { class: "chart", id: "chart-modules" }, svgNode(d.module_chart, "The chart could not be drawn.")),
    h("figure", { class: "chart", id: "chart-departments" }, svgNode(d.department_chart, "The chart could not be drawn.")),
    d.policies.length ? h("figure", { class: "chart", id: "chart-policies" }, svgNode(d.policy_chart, "The chart could not be drawn.")) : null,
    h("h3", {}, "Overdue"),
    d.overdue.length === 0 ? h("p", { id: "overdue-none" }, "Nobody is overdue.")
      : h("table", { class: "users", id: "overdue" },
        h("thead", {}, h("tr", {}, ["Person", "Department", "Module", "Status"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, d.overdue.map((i) => h("tr", {}, h("td", {}, i.user), h("td", {}, i.department || ""), h("td", {}, i.title), h("td", {}, stateText(i.state)))))),
    h("figure", { class: "chart", id: "chart-phishing" }, svgNode(d.phishing_chart, "The chart could not be drawn.")),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "report-html", onclick: () => save("html") }, "Save the report (printable HTML)"),
      h("button", { type: "button", id: "report-csv", onclick: () => save("csv") }, "Save the report (CSV)")),
    saved, alert);
  if (role === "admin") section.append(assignForm(), phishingForm());
  return section;
}

function assignForm() {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const by = h("select", { id: "assign-by" }, [["role", "Role"], ["department", "Department"], ["user", "Person"]].map(([v, t]) => h("option", { value: v }, t)));
  const form = h("form", { class: "card", id: "training-assign" },
    h("h3", {}, "Assign a module"),
    h("div", { class: "field" }, h("label", { for: "assign-module" }, "Module id"), h("input", { id: "assign-module", type: "text", autocomplete: "off" })),
    h("div", { class: "field" }, h("label", { for: "assign-by" }, "To a"), by),
    h("div", { class: "field" }, h("label", { for: "assign-value" }, "Role (clinician, staff, lead, admin), department or person"), h("input", { id: "assign-value", type: "text", autocomplete: "off" })),
    h("div", { class: "field" }, h("label", { for: "assign-due" }, "Due"), h("input", { id: "assign-due", type: "date" })),
    h("button", { type: "submit", class: "primary" }, "Assign"), status, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = form.querySelector("#assign-value").value.trim();
    const res = await request("assign_training", {
      module: form.querySelector("#assign-module").value.trim(),
      target: { by: by.value, value },
      due: form.querySelector("#assign-due").value,
    });
    if (res.state === "error") return showAlert(alert, res.error);
    alert.hidden = true;
    status.textContent = "Assigned.";
  });
  return form;
}

function phishingForm() {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const file = h("input", { id: "phishing-file", type: "file", accept: ".csv,text/csv" });
  const name = h("input", { id: "phishing-name", type: "text", autocomplete: "off" });
  const form = h("form", { class: "card", id: "phishing-import" },
    h("h3", {}, "Import a phishing simulation"),
    h("p", { class: "hint" }, "GoPhish's campaign results CSV as it is, or email,name,clicked,reported,time. Everyone who clicked is assigned the phishing refresher."),
    h("div", { class: "field" }, h("label", { for: "phishing-file" }, "Results file"), file),
    h("div", { class: "field" }, h("label", { for: "phishing-name" }, "Campaign name"), name),
    h("button", { type: "submit", class: "primary" }, "Import"), status, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return showAlert(alert, { code: "invalid_input", message: "Choose the results file." });
    const bytes = [...new Uint8Array(await f.arrayBuffer())];
    const res = await request("import_phishing", { bytes, name: name.value || f.name.replace(/\.[^.]*$/, "") });
    if (res.state === "error") return showAlert(alert, res.error);
    alert.hidden = true;
    const c = res.data;
    status.textContent = `${c.name}: ${c.sent} sent, ${c.clicked} clicked, ${c.reported} reported; refresher assigned to ${c.clickers.length}; ${c.unmatched} matched no user.`;
  });
  return form;
}
