// An incident's forensic record (issue 19), as the core lets the signed-in person see it:
// the evidence items, each with what it is, where it is kept, who collected it and when,
// its SHA-256 and who holds it now (a hand-over waiting for its receiver said in words);
// the holder hands an item over, the person it is handed to confirms it under their own
// unlock, a file is checked again, and each item's chain-of-custody form is saved to print.
// Incident leads and admins add items (a file on this computer, read and hashed by the core
// with its progress shown; or the SHA-256 another tool made; or nothing to hash), record
// indicators of compromise and export them up to a TLP marking, and keep the findings and
// the summary. The core decides who may do what; this only offers it.

import { channel, request } from "../api.js";
import { fill, h, showAlert } from "../dom.js";
import { header, incidentNav } from "./guided.js";
import { local } from "../time.js";

/** "1.2 GB", "340.0 kB", "12 bytes", as the CLI says a size. */
function size(bytes) {
  for (const [unit, n] of [["GB", 1e9], ["MB", 1e6], ["kB", 1e3]]) {
    if (bytes >= n) return `${(bytes / n).toFixed(1)} ${unit}`;
  }
  return `${bytes} bytes`;
}

const same = (a, b) => (a || "").toLowerCase() === (b || "").toLowerCase();
const upper = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const optionsOf = (pairs, chosen) => pairs.map(([key, label]) => h("option", { value: key, selected: key === chosen }, upper(label)));
const labelOf = (pairs, key) => upper((pairs.find(([k]) => k === key) || [key, key])[1]);

/** A labelled control in one block; `hint` under the label. */
function labelled(control, label, hint) {
  const hintId = hint ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: control.id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null, control);
}

const text = (id, props = {}) => h("input", { id, type: "text", autocomplete: "off", ...props });
const when = (id) => h("input", { id, type: "datetime-local" });

/** A form's status line (what it did; `id` for it, if any) and its alert (what went wrong). */
const feedback = (id) => [h("p", { class: "status", role: "status", id }), h("div", { class: "alert", role: "alert", hidden: true })];

/** A message in a status line, with `data-state` for what it says and `data-path` for a
 * file saved. */
function say(status, words, state, path) {
  status.textContent = words;
  status.dataset.state = state;
  if (path) status.dataset.path = path; else delete status.dataset.path;
}

/** A file's hashing as it runs: a bar and its words ("Reading the file: 42% of 1.2 GB").
 * `start` shows it and gives the channel the core reports each whole percent on. */
function hashing(id) {
  const words = h("span", { id: `${id}-words` });
  const bar = h("progress", { id: `${id}-bar`, max: "100", value: "0", "aria-labelledby": `${id}-words` });
  const box = h("div", { class: "progress hashing", id, hidden: true, dataset: { state: "idle" } }, bar, words);
  let read = 0;
  const report = (p) => {
    read = p.done;
    const pct = p.total ? Math.min(100, Math.floor((p.done * 100) / p.total)) : null;
    if (pct === null) bar.removeAttribute("value"); else bar.value = pct;
    words.textContent = pct === null ? `Reading the file: ${size(p.done)} so far` : `Reading the file: ${pct}% of ${size(p.total)}`;
    box.dataset.percent = pct === null ? "" : String(pct);
  };
  return {
    box,
    start() {
      box.hidden = false;
      box.dataset.state = "hashing";
      report({ done: 0, total: null });
      return channel(report);
    },
    stop(ok) {
      box.dataset.state = ok ? "done" : "idle";
      box.hidden = !ok;
      if (ok) words.textContent = `Read the whole file: ${size(read)}`;
    },
  };
}

/** How an item's SHA-256 was made, in words. */
function madeBy(hash) {
  return hash.by === "app"
    ? `computed by Caregiver Playbook from ${hash.file} (${size(hash.bytes)})`
    : `hashed by ${hash.tool}`;
}

function transferWords(t) {
  switch (t.state) {
    case "pending": return `waiting for ${t.to} to confirm`;
    case "confirmed": return `confirmed by ${t.to} ${local(t.confirmed_at)}${t.received_condition ? `, received ${t.received_condition}` : ""}`;
    default: return "withdrawn: handed to someone else instead";
  }
}

/** One evidence item: what it is, its hash, who holds it; what the signed-in person may do
 * with it, the action that matters most to them first. */
function itemCard(v, ctx) {
  const { item, holder } = v;
  const pending = v.transfers.find((t) => t.state === "pending");
  const [status, alert] = feedback();
  const slot = h("div", {});
  const lastCheck = v.checks[v.checks.length - 1];
  const facts = [
    ["Held by", `${holder}${v.since ? ` since ${local(v.since)}` : ""}`],
    pending ? ["Being handed to", h("span", { class: "pending-words" }, `${pending.to} since ${local(pending.at)}, for ${pending.purpose}: waiting for ${pending.to} to confirm`)] : null,
    ["Kept at", item.kept_at || "not recorded"],
    ["Collected", `by ${item.collected_by}, ${local(item.collected)}`],
    item.asset ? ["From asset", item.asset.name ? `${item.asset.name} (${item.asset.id})` : item.asset.tag] : null,
    ["SHA-256", item.hash
      ? h("span", {}, h("span", { class: "sha256 evidence-sha256" }, item.hash.sha256), h("br"), h("span", { class: "meta" }, madeBy(item.hash)))
      : "none: a physical item, nothing to hash"],
    lastCheck ? ["Last check", h("span", { class: lastCheck.matches ? "" : "mismatch" },
      `${lastCheck.matches ? "the file matches" : "the file DOES NOT MATCH"} (${lastCheck.by}, ${local(lastCheck.at)})`)] : null,
  ].filter(Boolean);
  const history = v.transfers.length ? h("details", {},
    h("summary", {}, `Hand-overs (${v.transfers.length})`),
    h("ol", {}, v.transfers.map((t) => h("li", { dataset: { state: t.state } },
      `${local(t.at)}: ${t.from} to ${t.to}, for ${t.purpose}${t.condition ? ` (${t.condition})` : ""}; ${transferWords(t)}`)))) : null;

  const toMe = pending && same(pending.to, ctx.me);
  const mine = same(holder, ctx.me);
  // One form open at a time under the buttons; Escape closes it and goes back to its button.
  const open = (form, e) => {
    const from = e.currentTarget;
    form.addEventListener("keydown", (k) => {
      if (k.key !== "Escape") return;
      slot.replaceChildren();
      from.focus();
    });
    slot.replaceChildren(form);
    form.querySelector("input, select")?.focus();
  };
  const mayCheck = item.hash && (ctx.manages || mine || toMe);
  const print = async () => {
    const r = await request("custody_form", { item: item.id });
    if (r.state === "error") return showAlert(alert, r.error);
    alert.hidden = true;
    say(status, `Saved the chain-of-custody form: ${r.data.path}. Open it to print it.`, "saved", r.data.path);
  };
  const card = h("li", { class: "card", dataset: { item: item.id, holder, ...(pending ? { pending: pending.to } : {}) } },
    h("h3", {}, `${item.id} · ${labelOf(ctx.options.evidence_kinds, item.kind)}`),
    h("p", { class: "big-text" }, item.description),
    h("dl", { class: "facts" }, facts.flatMap(([k, val]) => [h("dt", {}, k), h("dd", {}, val)])),
    history,
    v.not_counted.length ? h("div", { class: "alert warning", role: "note" },
      h("p", {}, "Entries in the log that claim a hand-over their writer could not make (not counted):"),
      h("ul", {}, v.not_counted.map((n) => h("li", {}, n)))) : null,
    toMe ? confirmForm(item, ctx, alert) : null,
    h("div", { class: "actions" },
      mine ? h("button", { type: "button", class: "primary", dataset: { action: "hand-over" }, onclick: (e) => open(handOverForm(item, ctx, alert), e) }, "Hand over…") : null,
      mayCheck ? h("button", { type: "button", dataset: { action: "check" }, onclick: (e) => open(checkForm(item, ctx, alert), e) }, "Check the file again…") : null,
      h("button", { type: "button", dataset: { action: "print" }, onclick: print }, "Print the chain-of-custody form")),
    slot, status, alert);
  if (ctx.said && ctx.said.item === item.id) say(status, ctx.said.words, ctx.said.state);
  return card;
}

/** Confirming a hand-over addressed to me: the condition it arrived in, then one button. */
function confirmForm(item, ctx, alert) {
  const condition = text(`confirm-condition-${item.id}`);
  const form = h("form", { class: "confirm-form" },
    h("p", { class: "pending-words" }, "This item is being handed to you. Check it, then confirm you have it: you hold it from then."),
    labelled(condition, "Condition it arrived in (optional)", "For example: sealed bag intact, seal number 4471."),
    h("button", { type: "submit", class: "primary big", id: `confirm-${item.id}` }, "Confirm I have received it"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await request("confirm_evidence", { item: item.id, condition: condition.value || null });
    if (r.state === "error") return showAlert(alert, r.error);
    ctx.reload({ item: item.id, words: `Confirmed: you hold ${item.id} now.`, state: "confirmed" });
  });
  return form;
}

/** Handing an item I hold to another user of this workstation. */
function handOverForm(item, ctx, alert) {
  const others = ctx.people.filter((p) => !same(p, ctx.me));
  const to = h("select", { id: `hand-to-${item.id}` }, h("option", { value: "" }, "Choose a person"), others.map((p) => h("option", { value: p }, p)));
  const purpose = text(`hand-purpose-${item.id}`);
  const condition = text(`hand-condition-${item.id}`);
  const form = h("form", { class: "card hand-over-form" },
    h("h4", {}, `Hand ${item.id} over`),
    labelled(to, "To", "A user of this workstation, who confirms under their own unlock. Someone from outside signs the printed form instead."),
    labelled(purpose, "Purpose", "For example: imaging by IT security, storage in the safe."),
    labelled(condition, "Condition as you hand it over (optional)"),
    h("button", { type: "submit", class: "primary", id: `hand-submit-${item.id}` }, "Hand over"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await request("transfer_evidence", { item: item.id, to: to.value, purpose: purpose.value, condition: condition.value || null });
    if (r.state === "error") return showAlert(alert, r.error);
    ctx.reload({ item: item.id, words: `Handed to ${to.value}: you hold it until they confirm.`, state: "handed" });
  });
  return form;
}

/** Checking a file against the item's SHA-256: read here, with its progress. */
function checkForm(item, ctx, alert) {
  const path = text(`check-path-${item.id}`, { spellcheck: "false" });
  const bar = hashing(`check-progress-${item.id}`);
  const go = h("button", { type: "submit", class: "primary", id: `check-submit-${item.id}` }, "Check the file");
  const form = h("form", { class: "card check-form" },
    h("h4", {}, `Check the file of ${item.id} again`),
    labelled(path, "Full path of the file on this computer", "The file is only read. The check is logged, whatever it finds."),
    bar.box, go);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    go.disabled = true;
    alert.hidden = true;
    const r = await request("verify_evidence", { item: item.id, file: path.value, onProgress: bar.start() });
    go.disabled = false;
    bar.stop(r.state === "ready");
    if (r.state === "error") return showAlert(alert, r.error);
    const words = r.data.matches
      ? `The file matches ${item.id} (SHA-256 ${r.data.found}).`
      : `The file DOES NOT MATCH ${item.id}: its SHA-256 is ${r.data.found}, the item's is ${r.data.recorded}. Tell the incident lead.`;
    ctx.reload({ item: item.id, words, state: r.data.matches ? "matches" : "mismatch" });
  });
  return form;
}

/** Adding an item (incident leads and admins): what it is, then how its SHA-256 is made. */
function addForm(ctx) {
  const kind = h("select", { id: "ev-kind" }, optionsOf(ctx.options.evidence_kinds, "disk-image"));
  const description = h("textarea", { id: "ev-description", rows: "2" });
  const keptAt = text("ev-kept-at");
  const collectedBy = text("ev-collected-by");
  const collected = when("ev-collected");
  const asset = text("ev-asset");
  const path = text("ev-path", { spellcheck: "false" });
  const sha256 = text("ev-sha256", { spellcheck: "false" });
  const tool = text("ev-tool");
  const byFile = h("div", {}, labelled(path, "Full path of the file on this computer", "For example /media/usb/ward4-pc12.E01. The file is only read, and may be large: its progress shows below."));
  const byTool = h("div", { hidden: true }, labelled(sha256, "SHA-256 (64 letters and digits)"), labelled(tool, "Made by (the tool or write-blocker)"));
  const ways = [["file", "Read a file on this computer"], ["tool", "Type the SHA-256 another tool made"], ["none", "Nothing to hash (paper, a device kept whole)"]];
  const pick = h("fieldset", { class: "picker" }, h("legend", {}, "Its SHA-256"),
    ways.map(([value, words]) => h("label", { class: "pick", for: `ev-hash-${value}` },
      h("input", { type: "radio", name: "ev-hash", id: `ev-hash-${value}`, value, checked: value === "file" }), words)));
  const way = () => pick.querySelector("input:checked").value;
  pick.addEventListener("change", () => { byFile.hidden = way() !== "file"; byTool.hidden = way() !== "tool"; });
  const bar = hashing("ev-progress");
  const [status, alert] = feedback("ev-status");
  const go = h("button", { type: "submit", class: "primary big", id: "ev-add" }, "Add the item");
  const form = h("form", { class: "card", id: "evidence-add-form", novalidate: true },
    labelled(kind, "What it is"),
    labelled(description, "Description", "What it is and where it came from, for example: disk image of the ward 4 nurses' station PC."),
    labelled(keptAt, "Where it is kept (optional)", "A safe, a locker, a network share."),
    labelled(collectedBy, "Collected by (optional)", "Leave empty if you collected it."),
    labelled(collected, "Collected at (optional)", "Leave empty for now."),
    labelled(asset, "From asset (optional)", "Its asset tag or id in the asset register."),
    pick, byFile, byTool, bar.box, go, status, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const hash = way() === "file" ? { by: "file", path: path.value }
      : way() === "tool" ? { by: "tool", sha256: sha256.value, tool: tool.value } : { by: "none" };
    const evidence = {
      kind: kind.value, description: description.value, kept_at: keptAt.value || null,
      collected_by: collectedBy.value || null, collected: collected.value || null, asset: asset.value || null, hash,
    };
    go.disabled = true;
    alert.hidden = true;
    say(status, way() === "file" ? "Reading the file…" : "Adding…", "adding");
    const onProgress = way() === "file" ? bar.start() : channel(() => {});
    const r = await request("add_evidence", { id: ctx.id, evidence, onProgress });
    go.disabled = false;
    bar.stop(r.state === "ready" && way() === "file");
    if (r.state === "error") {
      say(status, "", "error");
      return showAlert(alert, r.error);
    }
    [description, keptAt, collectedBy, collected, asset, path, sha256, tool].forEach((c) => { c.value = ""; });
    say(status, `Added ${r.data.item.id}. You hold it: hand it over from its card.`, "added");
    ctx.reload();
  });
  return h("section", { "aria-labelledby": "evidence-add-title", class: "no-print" },
    h("h2", { id: "evidence-add-title" }, "Add an evidence item"), form);
}

/** The summary, as the core sums it up. */
function summaryFacts(s) {
  const at = (t) => (t ? local(t) : "not known yet");
  const facts = [
    ["Systems affected", s.systems_affected.length
      ? h("ul", {}, s.systems_affected.map((x) => h("li", {}, `${x.asset} (${[...x.evidence, ...x.indicators].join(", ")})`)))
      : "none named by evidence or indicators yet"],
    ["First malicious activity", at(s.first_malicious)],
    ["Last malicious activity", at(s.last_malicious)],
    ["How it got in", s.entry_vector || "not recorded"],
    ["Data affected", s.data_affected || "not recorded"],
    ["Evidence", `${s.evidence_items} ${s.evidence_items === 1 ? "item" : "items"}, ${s.pending_transfers} ${s.pending_transfers === 1 ? "hand-over" : "hand-overs"} waiting`],
    s.mismatched.length ? ["Files that DO NOT MATCH", h("span", { class: "mismatch" }, s.mismatched.join(", "))] : null,
    ["Indicators", `${s.indicators}${s.by_tlp.length ? ` (${s.by_tlp.map(([t, n]) => `${n} ${t}`).join(", ")})` : ""}`],
  ].filter(Boolean);
  return h("dl", { class: "facts", id: "forensics-summary-facts" }, facts.flatMap(([k, val]) => [h("dt", {}, k), h("dd", {}, val)]));
}

/** The findings only a person can say (incident leads and admins). */
function findingsForm(ctx, s) {
  const vector = h("textarea", { id: "findings-vector", rows: "3" }, s.entry_vector || "");
  const data = h("textarea", { id: "findings-data", rows: "3" }, s.data_affected || "");
  const [status, alert] = feedback("findings-status");
  const form = h("form", { class: "card", id: "findings-form" },
    labelled(vector, "How the attacker got in", "For example: a phishing email opened on ward 4; a VPN account without MFA."),
    labelled(data, "Data affected", "Systems' data and kinds of patient information, never names."),
    h("button", { type: "submit", class: "primary", id: "findings-save" }, "Save the findings"), status, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await request("record_findings", { id: ctx.id, change: { entry_vector: vector.value, data_affected: data.value } });
    if (r.state === "error") return showAlert(alert, r.error);
    alert.hidden = true;
    ctx.showSummary(r.data);
    say(status, "Saved.", "saved");
  });
  return h("section", { "aria-labelledby": "findings-title", class: "no-print" }, h("h2", { id: "findings-title" }, "Findings"), form);
}

function indicatorTable(list, options) {
  if (!list.length) return h("p", { id: "indicators-none" }, "No indicator recorded yet.");
  const head = ["ID", "Type", "Value", "Marking", "Source", "First seen", "Confidence"];
  return h("div", { class: "table-scroll", role: "region", "aria-labelledby": "indicators-title", tabindex: "0" },
    h("table", { class: "users", id: "indicator-table" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, list.map((i) => h("tr", { dataset: { indicator: i.id, tlp: i.tlp } },
        h("th", { scope: "row" }, i.id), h("td", {}, labelOf(options.indicator_types, i.type)),
        h("td", { class: "sha256" }, i.value), h("td", {}, labelOf(options.tlp, i.tlp)),
        h("td", {}, i.source || "–"), h("td", {}, i.first_seen ? local(i.first_seen) : "–"),
        h("td", {}, i.confidence === undefined || i.confidence === null ? "–" : `${i.confidence} of 100`))))));
}

/** Indicators of compromise: the list; for incident leads and admins, adding one and an
 * export up to the highest marking the recipient may receive. */
function indicatorsSection(ctx, list) {
  const o = ctx.options;
  const shown = h("div", { id: "indicators-list" }, indicatorTable(list, o));
  if (!ctx.managesIndicators) {
    return h("section", { "aria-labelledby": "indicators-title" }, h("h2", { id: "indicators-title" }, "Indicators of compromise"), shown);
  }
  const type = h("select", { id: "ioc-type" }, optionsOf(o.indicator_types, "sha256"));
  const value = text("ioc-value", { spellcheck: "false" });
  const tlp = h("select", { id: "ioc-tlp" }, optionsOf(o.tlp, o.default_tlp));
  const source = text("ioc-source");
  const seen = when("ioc-first-seen");
  const confidence = h("select", { id: "ioc-confidence" }, optionsOf([["", "not given"], ["low", "low"], ["medium", "medium"], ["high", "high"]], ""));
  const asset = text("ioc-asset");
  const [status, alert] = feedback("ioc-status");
  const add = h("form", { class: "card", id: "ioc-add-form" },
    h("h3", {}, "Add an indicator"),
    labelled(type, "Type"),
    labelled(value, "Value", "As found. A defanged value (hxxp://, example[.]com) is taken back to its real form."),
    labelled(tlp, "Marking (TLP 2.0)", "Who it may be shared with. AMBER+STRICT: this organisation only."),
    labelled(source, "Source (optional)", "An EDR alert, the outside firm's report."),
    labelled(seen, "First seen (optional)"),
    labelled(confidence, "Confidence (optional)"),
    labelled(asset, "Found on asset (optional)", "Its asset tag or id in the asset register."),
    h("button", { type: "submit", class: "primary", id: "ioc-add" }, "Add the indicator"), status, alert);
  add.addEventListener("submit", async (e) => {
    e.preventDefault();
    const indicator = {
      type: type.value, value: value.value, tlp: tlp.value, source: source.value || null,
      first_seen: seen.value || null, confidence: confidence.value || null, asset: asset.value || null,
    };
    const r = await request("add_indicator", { id: ctx.id, indicator });
    if (r.state === "error") return showAlert(alert, r.error);
    alert.hidden = true;
    [value, source, seen, asset].forEach((c) => { c.value = ""; });
    say(status, `Added ${r.data.id}.`, "added");
    const [all, summary] = await Promise.all([request("indicators", { id: ctx.id }), request("forensics_summary", { id: ctx.id })]);
    if (all.state === "ready") shown.replaceChildren(indicatorTable(all.data, o));
    if (summary.state === "ready") ctx.showSummary(summary.data);
  });
  return h("section", { "aria-labelledby": "indicators-title" },
    h("h2", { id: "indicators-title" }, "Indicators of compromise"), shown,
    h("div", { class: "no-print" }, add, exportForm(ctx)));
}

function exportForm(ctx) {
  const format = h("select", { id: "ioc-format" }, optionsOf([["csv", "CSV (a spreadsheet)"], ["stix", "STIX 2.1 (for threat-sharing tools)"]], "csv"));
  const max = h("select", { id: "ioc-tlp-max" }, optionsOf(ctx.options.tlp, "green"));
  const [status, alert] = feedback("ioc-export-status");
  const form = h("form", { class: "card", id: "ioc-export-form" },
    h("h3", {}, "Share the indicators"),
    labelled(format, "Format"),
    labelled(max, "Highest marking the recipient may receive", "Indicators marked above it are left out of the file."),
    h("button", { type: "submit", class: "primary", id: "ioc-export" }, "Save the export"), status, alert);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await request("export_indicators", { id: ctx.id, format: format.value, tlpMax: max.value });
    if (r.state === "error") return showAlert(alert, r.error);
    alert.hidden = true;
    const left = r.data.left_out ? ` ${r.data.left_out} marked above it left out.` : "";
    say(status, `Saved ${r.data.written} ${r.data.written === 1 ? "indicator" : "indicators"}: ${r.data.path}.${left}`, "saved", r.data.path);
  });
  return form;
}

/** The Evidence and forensics screen of incident `id`; `me`, the signed-in person. */
export async function renderForensics(main, opts) {
  const { id, me } = opts;
  const [r, view, options, people] = await Promise.all([request("forensics", { id }), request("incident_view", { id }),
    request("forensics_options"), request("people")]);
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const failed = [r, view, options].find((x) => x.state === "error");
  if (failed) {
    fill(main, h("h1", { tabindex: "-1", id: "forensics-title" }, "Evidence and forensics"), alert, incidentNav(id, opts, "forensics"));
    return showAlert(alert, failed.error);
  }
  const f = r.data;
  const list = h("ul", { class: "evidence-list", id: "evidence-list", dataset: { state: "ready" } });
  const waiting = h("div", { class: "reminders", id: "evidence-waiting-here", role: "status", hidden: true });
  const summaryBox = h("div", { id: "forensics-summary" });
  const ctx = {
    id, me, options: options.data, people: people.state === "ready" ? people.data : [],
    manages: f.manages_evidence, managesIndicators: f.manages_indicators,
    showSummary: (s) => summaryBox.replaceChildren(summaryFacts(s)),
  };
  const drawRecord = (record, said) => {
    const c = { ...ctx, said };
    list.replaceChildren(...record.evidence.map((v) => itemCard(v, c)));
    if (!record.evidence.length) {
      list.replaceChildren(h("li", { id: "evidence-none" }, record.manages_evidence
        ? "No evidence item recorded yet."
        : "No evidence item has passed through your hands in this incident. Incident leads and admins see every item."));
    }
    waiting.hidden = record.waiting_for_me.length === 0;
    waiting.replaceChildren(h("p", {}, h("strong", {}, "Handed to you: "), record.waiting_for_me.join(", "),
      ". Check each item, then confirm on its card that you have it."));
    if (record.summary) ctx.showSummary(record.summary);
  };
  // After an action: the record asked for again; `said` shown on the item's card.
  ctx.reload = async (said) => {
    list.dataset.state = "loading";
    const again = await request("forensics", { id });
    if (again.state === "error") {
      list.dataset.state = "error";
      return showAlert(alert, again.error);
    }
    drawRecord(again.data, said);
    list.dataset.state = "ready";
  };
  drawRecord(f);
  fill(main, ...header(view.data),
    h("h1", { tabindex: "-1", id: "forensics-title" }, "Evidence and forensics"),
    h("p", { class: "lead" }, "The evidence of this incident and who holds each item. Every hand-over is signed in the activity log under the person's own unlock, and the person receiving it confirms under theirs."),
    waiting, alert,
    h("section", { class: "forensics", "aria-labelledby": "evidence-title" }, h("h2", { id: "evidence-title" }, "Evidence items"), list),
    f.manages_evidence ? h("div", { class: "forensics" }, addForm(ctx)) : null,
    f.indicators ? h("div", { class: "forensics" }, indicatorsSection(ctx, f.indicators)) : null,
    f.summary ? h("section", { class: "forensics", "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title" }, "Forensics summary"), summaryBox) : null,
    f.summary ? h("div", { class: "forensics" }, findingsForm(ctx, f.summary)) : null,
    incidentNav(id, opts, "forensics"));
}
