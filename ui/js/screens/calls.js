// The incident's call tree as a working checklist: who calls whom, each contact's numbers
// and approved channels, and one button per outcome. A call that goes unanswered past its
// wait asks for the alternate (here, in the reminder banner and as a desktop notification).
// The lead sees at a glance how many are still unreached.

import { request } from "../api.js";
import { channelName, channels as channelList, isUnsecure } from "../channels.js";
import { fill, h, showAlert } from "../dom.js";
import { header, incidentNav } from "./guided.js";
import { local } from "../time.js";

const OUTCOMES = [
  ["reached", "Reached"],
  ["no-answer", "No answer"],
  ["left-message", "Left message"],
  ["wrong-number", "Wrong number"],
];

function numbers(c) {
  return [["Work", c.work_phone], ["Mobile", c.mobile_phone], ["Pager", c.pager], ["Support line", c.support_line],
    ["Claim line", c.claim_line], ["Radio", c.radio_channel], ["Secure messaging", c.secure_messaging]]
    .filter(([, v]) => v).map(([k, v]) => h("span", { class: "number" }, h("span", { class: "small" }, `${k} `), v));
}

function stateText(s) {
  const st = s.state;
  switch (st.state) {
    case "reached": return ["reached", `Reached ${local(st.at)}`];
    case "alternate_reached": return ["reached", `Alternate reached ${local(st.at)}`];
    case "waiting": return ["waiting", `Not reached yet · alternate at ${local(st.escalate_at)}`];
    case "escalate": return ["escalate", `ESCALATE: ${st.reason}`];
    default: return ["not-called", "Not called yet"];
  }
}

function outcomeButtons(contact, act, label) {
  return h("div", { class: "actions outcomes", role: "group", "aria-label": label },
    OUTCOMES.map(([id, words]) => h("button", {
      type: "button", class: id === "reached" ? "primary" : "",
      dataset: { contact: contact.id, outcome: id },
      onclick: () => act("record_call", { contact: contact.id, outcome: id }),
    }, words)));
}

export async function renderCalls(main, opts) {
  const [r, view, known] = await Promise.all([
    request("incident_calls", { id: opts.id }), request("incident_view", { id: opts.id }), channelList()]);
  draw(main, opts, r, view, known);
}

function draw(main, opts, r, view, known) {
  const { id } = opts;
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const failed = [r, view, known].find((x) => x.state === "error");
  if (failed) {
    showAlert(alert, failed.error);
    fill(main, h("h1", { tabindex: "-1" }, "Calls"), alert);
    return;
  }
  const c = r.data;
  const act = async (command, args) => {
    const next = await request(command, { id, ...args });
    if (next.state === "error") showAlert(alert, next.error);
    else draw(main, opts, next, view, known);
  };
  const items = c.tree.map((s) => {
    const p = s.node.contact;
    const [cls, words] = stateText(s);
    const channels = p.channels.map((ch) => {
      const unsecure = isUnsecure(known.data, ch);
      const name = channelName(known.data, ch);
      return h("span", { class: unsecure ? "channel unsecure" : "channel", dataset: { channel: ch } },
        unsecure ? `${name} (no patient information)` : name);
    });
    return h("li", { class: `call state-${cls}`, dataset: { contact: p.id, state: s.state.state, depth: String(s.node.depth) } },
      h("div", { class: "call-head" },
        h("h3", {}, p.name, p.position || p.role ? h("span", { class: "small" }, ` · ${p.position || p.role}`) : null),
        h("p", { class: `call-state ${cls}` }, words)),
      h("p", { class: "numbers" }, numbers(p)),
      channels.length ? h("p", { class: "small" }, "Approved channels: ", channels) : null,
      s.alternate ? h("p", { class: "small" }, `Alternate: ${s.alternate.name}, after ${p.escalate_after_minutes} min without an answer`) : null,
      c.closed || ['reached', 'alternate_reached'].includes(s.state.state) ? null : outcomeButtons(p, act, `Call to ${p.name}`),
      !c.closed && s.alternate && s.state.state === "escalate"
        ? h("div", { class: "alternate" }, h("p", {}, h("strong", {}, `Alternate: ${s.alternate.name} `), numbers(s.alternate)), outcomeButtons(s.alternate, act, `Call to ${s.alternate.name}`))
        : null,
      s.calls.length ? h("p", { class: "small" }, s.calls.map((k) => `${local(k.at)} ${k.contact === p.id ? "" : "(alternate) "}${k.outcome} by ${k.by}`).join(" · ")) : null);
  });
  // Indentation shows who calls whom.
  items.forEach((li) => li.classList.add(`depth-${Math.min(Number(li.dataset.depth), 4)}`));
  fill(main, ...header(view.data),
    h("h1", { tabindex: "-1", id: "calls-title" }, "Calls"),
    c.tree.length === 0
      ? h("p", { class: "lead" }, "No contact tree has been set up. Use the paper call list in the downtime binder, and ask an admin to import the contact tree.")
      : h("p", { class: "lead", id: "unreached", dataset: { count: String(c.unreached) } },
        c.unreached === 0 ? "Everyone on the tree has been reached." : `Still unreached: ${c.unreached} of ${c.tree.length}`),
    alert,
    h("ol", { class: "call-tree", id: "call-tree" }, items),
    incidentNav(id, opts, "calls"));
}
