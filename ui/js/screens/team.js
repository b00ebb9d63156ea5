// The incident's team: who holds which HICS position (the lead assigns them), the
// signed-in person's own job action sheet for this incident, with where each step stands,
// and its operational periods, objectives, general messages and HICS forms (command.js).

import { request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";
import { clocks, header, incidentNav, incidentScreen, upcoming } from "./guided.js";
import { local } from "../time.js";
import { commandPanel } from "./command.js";

const STATUS_WORDS = { pending: "to do", current: "NOW", done: "done", skipped: "skipped", chosen: "decided" };

export async function renderTeam(main, opts) {
  const [r, people] = await Promise.all([request("incident_view", { id: opts.id }), request("people")]);
  draw(main, opts, r, people.state === "ready" ? people.data : []);
}

function draw(main, opts, r, people) {
  const { id } = opts;
  const shown = incidentScreen(main, r, { title: "Team" });
  if (!shown) return;
  const { v, p, alert } = shown;
  const act = async (command, args) => {
    const next = await request(command, { id, ...args });
    if (next.state === "error") showAlert(alert, next.error); else draw(main, opts, next, people);
  };

  const held = h("table", { class: "users", id: "positions" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Position"), h("th", { scope: "col" }, "Held by"), h("th", { scope: "col" }, "Since"))),
    h("tbody", {}, p.positions.map((a) => h("tr", { dataset: { position: a.position } },
      h("td", {}, a.name), h("td", {}, a.person), h("td", {}, local(a.since))))));

  let assign = null;
  if (v.can_command && !p.closed) {
    const position = h("select", { id: "assign-position" },
      v.positions_available.map(([pid, name]) => h("option", { value: pid }, name)));
    const person = h("input", { id: "assign-person", type: "text", list: "assign-people", autocomplete: "off", "aria-describedby": "assign-person-hint" });
    assign = h("form", { class: "card", id: "assign-form" },
      h("h2", {}, "Assign a position"),
      h("div", { class: "field" }, h("label", { for: "assign-position" }, "Position"), position),
      h("div", { class: "field" }, h("label", { for: "assign-person" }, "Person"),
        h("p", { class: "hint", id: "assign-person-hint" }, "A user of this workstation sees their job sheet here; anyone else can hold a position too."),
        person, h("datalist", { id: "assign-people" }, people.map((n) => h("option", { value: n })))),
      h("button", { type: "submit", class: "primary", id: "assign-confirm" }, "Assign"));
    assign.addEventListener("submit", (e) => {
      e.preventDefault();
      act("assign_position", { position: position.value, person: person.value });
    });
  }

  const mine = v.my_steps.length
    ? h("ol", { class: "steps", id: "my-sheet" }, v.my_steps.map((s) => h("li", { class: `step status-${s.status}`, dataset: { step: s.id, status: s.status } },
      h("h4", {}, s.title, h("span", { class: "tag" }, STATUS_WORDS[s.status] || s.status)),
      s.finished ? h("p", { class: "meta" }, `${STATUS_WORDS[s.status]} ${local(s.finished)}${s.by ? ` by ${s.by}` : ""}${s.detail ? `: ${s.detail}` : ""}`) : null)))
    : h("p", { id: "my-sheet-empty" }, "You hold no position in this incident. The incident lead can assign you one.");

  fill(main, ...header(v), clocks(v, act),
    h("h1", { tabindex: "-1", id: "team-title" }, "Team and my job sheet"),
    h("h2", {}, "Who holds which position"), held, assign, alert,
    h("h2", { id: "my-sheet-title" }, v.my_positions.length
      ? `My job sheet: ${p.positions.filter((a) => v.my_positions.includes(a.position)).map((a) => a.name).join(", ")}`
      : "My job sheet"),
    mine,
    commandPanel({ id, v, p, alert, redraw: (next) => draw(main, opts, next, people) }),
    upcoming(v),
    incidentNav(id, opts, "team"));
}
