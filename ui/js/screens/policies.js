// The written policies: every policy in force with where the signed-in person stands on
// those addressed to them (overdue first); one policy to read in large, readable type (the
// core renders its Markdown), its earlier versions, printing it (saved by the core with its
// version and date on every page), and acknowledging the version in force under one's own
// unlock. Compliance by policy and department is on the training dashboard.

import { request } from "../api.js";
import { coreHtml, fill, h, showAlert } from "../dom.js";

/** A standing in words, as the core's states read. */
function standingText(s) {
  if (!s) return "For information: not addressed to you";
  if (s.state === "acknowledged") return `Acknowledged (version ${s.version})`;
  return s.overdue ? `Overdue: to acknowledge by ${s.due}` : `To acknowledge by ${s.due}`;
}

function rank(p) {
  if (!p.mine) return 3;
  if (p.mine.state === "acknowledged") return 2;
  return p.mine.overdue ? 0 : 1;
}

export async function renderPolicies(main, { onPolicy }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("policies");
  if (r.state === "error") {
    fill(main, h("h1", { tabindex: "-1", id: "policies-title" }, "Policies"), alert);
    return showAlert(alert, r.error);
  }
  const list = [...r.data].sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title));
  fill(main,
    h("h1", { tabindex: "-1", id: "policies-title" }, "Policies"),
    h("p", { class: "lead" }, "The organisation's written security policies. Read each one addressed to you and acknowledge it under your own name."),
    h("ul", { class: "playbook-list", id: "policy-list" }, list.map((p) => h("li", { class: "playbook", dataset: { policy: p.id, state: p.mine ? (p.mine.state === "acknowledged" ? "acknowledged" : "due") : "info" } },
      h("button", { type: "button", class: "playbook-open", onclick: () => onPolicy(p.id) },
        h("span", { class: "playbook-title" }, p.title),
        h("span", { class: "playbook-situation" }, `Version ${p.version}, effective ${p.effective} · ${standingText(p.mine)}`))))),
    alert);
}

export async function renderPolicy(main, { id, version, onVersion, onBack }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("policy", { id, version });
  if (r.state === "error") {
    fill(main, h("h1", { tabindex: "-1" }, "Policy"), alert, h("button", { type: "button", onclick: onBack }, "Back to the policies"));
    return showAlert(alert, r.error);
  }
  const p = r.data;
  const status = h("p", { class: "status", role: "status", id: "policy-status", tabindex: "-1" });
  const due = p.in_force && p.mine && p.mine.state !== "acknowledged";
  const ack = async () => {
    const res = await request("acknowledge_policy", { id });
    if (res.state === "error") return showAlert(alert, res.error);
    await renderPolicy(main, { id, version, onVersion, onBack });
    const said = main.querySelector("#policy-status");
    said.textContent = `Acknowledged version ${res.data.version}. Thank you.`;
    said.focus();
  };
  const print = async () => {
    const res = await request("print_policy", { id, version: p.shown });
    if (res.state === "error") return showAlert(alert, res.error);
    status.textContent = `Saved to print: ${res.data.path}`;
    status.dataset.path = res.data.path;
  };
  fill(main,
    h("h1", { tabindex: "-1", id: "policy-title" }, p.title),
    h("p", { class: "meta", id: "policy-meta" },
      `Version ${p.shown}${p.in_force ? "" : " (no longer in force)"} · owner ${p.owner} · next review ${p.review}`),
    h("p", { class: "lead", id: "policy-standing", dataset: { state: p.mine ? p.mine.state : "info" } }, standingText(p.mine)),
    h("article", { class: "policy-text", id: "policy-text", lang: "en", dataset: { version: p.shown } }, coreHtml(p.html)),
    h("section", { "aria-labelledby": "policy-sources-title" },
      h("h2", { id: "policy-sources-title" }, "Sources"),
      h("ul", {}, p.sources.map((s) => h("li", {}, s)))),
    due ? h("div", { class: "actions no-print" },
      h("button", { type: "button", class: "primary", id: "policy-ack", onclick: ack }, "I have read this policy and will follow it")) : null,
    status,
    h("section", { class: "no-print", "aria-labelledby": "policy-versions-title" },
      h("h2", { id: "policy-versions-title" }, "Versions"),
      h("ul", { id: "policy-versions" }, p.versions.map(([v, effective, superseded]) => h("li", { dataset: { version: v } },
        v === p.shown ? h("strong", {}, `Version ${v}`) : h("button", { type: "button", class: "link", id: `policy-version-${v}`, onclick: () => onVersion(v) }, `Version ${v}`),
        `: effective ${effective}${superseded ? `, replaced ${superseded}` : ", in force"}`)))),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", id: "policy-print", onclick: print }, "Print"),
      h("button", { type: "button", id: "policy-back", onclick: onBack }, "Back to the policies")),
    alert);
}
