// The asset register, for admins and incident leads (the core refuses everyone else): the
// inventory in restore order with each asset's patch status on the workstation's date, a
// filter (overdue or unsupported only, one tier) that asks the core again, and how far
// behind the fleet is by tier. Admins also import the register from CSV (with a preview
// and every bad row as "line N: message") and export it.
// Its Risks part: the heat map the core draws (SVG, parsed as SVG, never as HTML), the risk
// register in priority order with its flags in words, a printable report saved through the
// core, and for admins the same import with a preview, and export. Its HICP part is
// `hicp.js`; its KEV part, `kev.js`; its threat bulletins, `bulletins.js`.

import { request } from "../api.js";
import { fill, h, listed, showAlert, svgNode } from "../dom.js";
import { hicpSection } from "./hicp.js";
import { kevSection } from "./kev.js";
import { bulletinSection } from "./bulletins.js";

const KINDS = { "system": "System", "data-set": "Data set", "medical-device": "Medical device" };
const TIERS = [[1, "1 · life-critical"], [2, "2 · care-critical"], [3, "3 · business-critical"], [4, "4 · other"]];

function inventoryTable(list, filter) {
  if (!list.length) return h("p", { id: "assets-none" }, filter.overdue || filter.tier ? "No asset matches." : "No asset in the register yet.");
  const head = ["Restore order", "ID", "Name", "Kind", "Tier", "Patch status", "Needed by"];
  return h("div", { class: "table-scroll", role: "region", "aria-labelledby": "assets-list-title", tabindex: "0" },
    h("table", { class: "users assets", id: "assets-table" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, list.map((a) => h("tr", { dataset: { asset: a.id }, class: a.patch.overdue || a.patch.unsupported ? "asset-late" : null },
        h("td", {}, a.restore_order ?? "–"),
        h("th", { scope: "row" }, a.id),
        h("td", {}, a.name),
        h("td", {}, KINDS[a.kind] || a.kind),
        h("td", {}, a.tier),
        h("td", { class: "asset-patch" }, a.patch_words),
        h("td", {}, a.needed_by.join(", ") || "–"))))));
}

function behindTable(rows) {
  const head = ["Tier", "Assets", "Behind", "Overdue", "Unsupported"];
  return h("table", { class: "users assets", id: "assets-behind" },
    h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.map((t) => h("tr", { dataset: { tier: t.tier } },
      h("th", { scope: "row" }, TIERS.find(([n]) => n === t.tier)?.[1] ?? t.tier),
      h("td", {}, t.assets), h("td", {}, t.behind), h("td", {}, t.overdue), h("td", {}, t.unsupported)))));
}

/** The Assets screen. `manages`: the core says this person imports and exports it. */
export async function renderAssets(main, { manages, said = "" }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const filter = { overdue: false, tier: null };
  const reload = async (done) => {
    await renderAssets(main, { manages, said: done });
    main.querySelector("#assets-said")?.focus();
  };
  const [list, behind, chart, risks, heatMap, kev, bulletins, hicp] = await Promise.all([request("assets", filter),
    request("assets_behind"), request("assets_behind_chart"), request("risks"), request("risk_heat_map"),
    kevSection({ manages, reload }), bulletinSection({ manages, reload }), hicpSection({ manages, reload })]);
  const failed = [list, behind, chart, risks, heatMap].find((x) => x.state === "error");
  if (failed) {
    fill(main, h("h1", { tabindex: "-1", id: "assets-title" }, "Asset register"), alert);
    return showAlert(alert, failed.error);
  }
  const inventory = h("div", { id: "assets-inventory", dataset: { state: "ready", filter: "all" } }, inventoryTable(list.data, filter));
  const overdue = h("input", { type: "checkbox", id: "assets-overdue" });
  const tier = h("select", { id: "assets-tier" },
    h("option", { value: "" }, "All tiers"), TIERS.map(([n, words]) => h("option", { value: n }, words)));
  // Each change asks the core again; an answer overtaken by a later change is dropped.
  let asked = 0;
  const reask = async () => {
    const mine = ++asked;
    filter.overdue = overdue.checked;
    filter.tier = tier.value ? Number(tier.value) : null;
    inventory.dataset.state = "loading";
    const r = await request("assets", filter);
    if (mine !== asked) return;
    if (r.state === "error") return showAlert(alert, r.error);
    alert.hidden = true;
    inventory.replaceChildren(inventoryTable(r.data, filter));
    inventory.dataset.filter = `${filter.overdue ? "overdue" : "all"}:${filter.tier ?? "all"}`;
    inventory.dataset.state = "ready";
  };
  overdue.addEventListener("change", reask);
  tier.addEventListener("change", reask);
  fill(main,
    h("h1", { tabindex: "-1", id: "assets-title" }, "Asset register"),
    h("p", { class: "lead" }, "The critical systems, data sets and medical devices, in the agreed restore order, with their patch status today. It lists weaknesses: do not print it or leave it on screen."),
    said ? h("p", { class: "status", role: "status", id: "assets-said", tabindex: "-1" }, said) : null,
    h("section", { "aria-labelledby": "assets-list-title" },
      h("h2", { id: "assets-list-title" }, "Inventory, in restore order"),
      h("div", { class: "actions filters", role: "group", "aria-label": "Which assets to show" },
        h("label", { class: "check", for: "assets-overdue" }, overdue, "Overdue or unsupported only"),
        h("div", { class: "field inline" }, h("label", { for: "assets-tier" }, "Tier"), tier)),
      inventory),
    h("section", { "aria-labelledby": "assets-behind-title" },
      h("h2", { id: "assets-behind-title" }, "How far behind, by tier"),
      h("p", { class: "meta" }, "Behind: not on the latest version. Overdue: behind for more than 30 days. Unsupported: past the vendor's end of support."),
      h("figure", { class: "chart", id: "assets-behind-chart" }, svgNode(chart.data, "The chart could not be drawn.")),
      behindTable(behind.data)),
    manages ? adminSection(reload, ASSET_FILE) : null,
    kev,
    bulletins,
    riskSection(risks.data, heatMap.data),
    manages ? adminSection(reload, RISK_FILE) : null,
    hicp,
    alert);
}

// Each names its commands in full, so the lists of commands the window calls can be read.
const ASSET_FILE = {
  prefix: "assets", noun: "assets", preview: (args) => request("preview_assets", args), import: (args) => request("import_assets", args), export: (args) => request("export_assets", args),
  title: "Keep the register (admins)", label: "Import the asset register (CSV): it replaces the register",
};
const RISK_FILE = {
  prefix: "risks", noun: "risks", preview: (args) => request("preview_risks", args), import: (args) => request("import_risks", args), export: (args) => request("export_risks", args),
  title: "Keep the risk register (admins)", label: "Import the risk register (CSV): it replaces the register; import the assets first",
};

function riskTable(list) {
  if (!list.length) return h("p", { id: "risks-none" }, "No risk in the register yet.");
  const head = ["Priority", "ID", "Threat", "Vulnerability", "Assets", "Likelihood", "Impact", "Score", "Patient impact", "Owner", "Treatment", "Due", "Status", "Next review", "Flags"];
  return h("div", { class: "table-scroll", role: "region", "aria-labelledby": "risks-list-title", tabindex: "0" },
    h("table", { class: "users assets", id: "risks-table" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, list.map((v, n) => h("tr", { dataset: { risk: v.id }, class: v.treatment_overdue || v.review_due ? "asset-late" : null },
        h("td", {}, n + 1),
        h("th", { scope: "row" }, v.id),
        h("td", {}, v.threat),
        h("td", {}, v.vulnerability),
        h("td", {}, v.assets.join(", ") || "–"),
        h("td", {}, v.likelihood),
        h("td", {}, v.impact),
        h("td", {}, v.score),
        h("td", {}, v.patient_words),
        h("td", {}, v.owner ?? "–"),
        h("td", {}, v.treatment),
        h("td", {}, v.due ?? "–"),
        h("td", {}, v.status),
        h("td", {}, v.next_review ?? "–"),
        h("td", { class: "asset-patch risk-flags" }, v.flags || "–"))))));
}

/** The Risks part: the heat map, the register in priority order, and its printable report. */
function riskSection(list, svg) {
  const status = h("div", { class: "status", role: "status", id: "risks-report-status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const print = async () => {
    const r = await request("risk_report", { format: "html" });
    if (r.state === "error") return showAlert(alert, r.error);
    status.textContent = `Saved the report: ${r.data.path}`;
    status.dataset.path = r.data.path;
  };
  return h("section", { "aria-labelledby": "risks-title", id: "risks" },
    h("h2", { id: "risks-title" }, "Risks"),
    h("p", { class: "meta" }, "Open risks by likelihood and impact; each cell gives its count and its band (low, medium, high, critical) in words."),
    h("figure", { class: "chart", id: "risk-heat-map" }, svgNode(svg, "The heat map could not be drawn.")),
    h("h3", { id: "risks-list-title" }, "The risk register, in priority order"),
    h("p", { class: "meta" }, "Open risks first; the impact on patient care weighs first, then the score (likelihood × impact), then the due date."),
    riskTable(list),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", id: "risks-print", onclick: print }, "Print report")),
    status, alert);
}

/** Admins: import with a preview (each bad row as "line N: message"), and export. */
function adminSection(reload, k) {
  const pre = k.prefix;
  const status = h("div", { class: "status", role: "status", id: `${pre}-export-status` });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const file = h("input", { id: `${pre}-file`, type: "file", accept: ".csv,text/csv" });
  const preview = h("div", { id: `${pre}-preview` });
  let bytes = null;
  file.addEventListener("change", async () => {
    alert.hidden = true;
    status.textContent = "";
    const f = file.files[0];
    if (!f) return preview.replaceChildren();
    bytes = [...new Uint8Array(await f.arrayBuffer())];
    const r = await k.preview({ bytes });
    if (r.state === "error") return showAlert(alert, r.error);
    const p = r.data;
    const skip = h("input", { type: "checkbox", id: `${pre}-skip` });
    const go = h("button", { type: "button", class: "primary", id: `${pre}-import`, disabled: p.bad_rows > 0 },
      `Import ${p.good} ${k.noun}`);
    skip.addEventListener("change", () => { go.disabled = p.bad_rows > 0 && !skip.checked; });
    go.addEventListener("click", async () => {
      const res = await k.import({ bytes, skipBadRows: skip.checked });
      if (res.state === "error") return showAlert(alert, res.error);
      const d = res.data;
      reload(`Imported ${d.good} ${k.noun}: ${d.added} new, ${d.changed} changed, ${d.removed} removed${d.bad_rows ? `; ${d.bad_rows} bad rows skipped` : ""}.`);
    });
    preview.replaceChildren(
      h("p", { id: `${pre}-preview-summary` }, `${p.good} ${k.noun} can be imported: ${p.added} new, ${p.changed} changed, ${p.removed} removed from the register.`),
      p.bad_rows ? h("div", { class: "alert", role: "alert", id: `${pre}-preview-problems` },
        h("p", {}, `${p.bad_rows.toLocaleString("en-US")} rows have problems. Nothing is imported while they do, unless you skip them:`),
        listed(p.problems, "problems"),
        h("label", { class: "check", for: `${pre}-skip` }, skip, "Skip the bad rows and import the rest")) : null,
      go);
  });
  const save = async () => {
    const r = await k.export();
    if (r.state === "error") return showAlert(alert, r.error);
    status.textContent = `Saved: ${r.data.path}`;
    status.dataset.path = r.data.path;
  };
  return h("section", { class: "no-print", "aria-labelledby": `${pre}-admin-title` },
    h("h2", { id: `${pre}-admin-title` }, k.title),
    h("div", { class: "field" }, h("label", { for: `${pre}-file` }, k.label), file),
    preview,
    h("div", { class: "actions" },
      h("button", { type: "button", id: `${pre}-export-csv`, onclick: save }, "Export as CSV")),
    status, alert);
}
