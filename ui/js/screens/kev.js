// The KEV part of the Assets screen, for admins and incident leads (the core refuses
// everyone else): CISA's Known Exploited Vulnerabilities entries that affect assets of the
// register, those past their due date first, each with its assets and required action;
// admins import the catalogue's CSV, carried in by hand (the core names each bad row in
// its message, and imports nothing while one is).

import { request } from "../api.js";
import { h, showAlert } from "../dom.js";

function matchesTable(view) {
  if (!view.matches.length) return h("p", { id: "kev-none" }, "No entry of the catalogue affects an asset of the register.");
  const head = ["CVE", "Vulnerability", "Affects", "Due", "Flags", "Required action"];
  return h("div", { class: "table-scroll", role: "region", "aria-labelledby": "kev-title", tabindex: "0" },
    h("table", { class: "users assets", id: "kev-table" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, view.matches.map((m) => h("tr", { dataset: { cve: m.cve }, class: m.overdue ? "asset-late" : null },
        h("th", { scope: "row" }, m.cve),
        h("td", {}, m.name || `${m.vendor} ${m.product}`),
        h("td", {}, m.words, h("p", { class: "meta" }, m.assets.join(", "))),
        h("td", {}, m.due ?? "–"),
        h("td", { class: "asset-patch" }, [m.overdue ? "OVERDUE" : null, m.ransomware ? "used in ransomware" : null].filter(Boolean).join("; ") || "–"),
        h("td", {}, m.required_action))))));
}

/** The KEV section. `reload(said)` renders the screen again. */
export async function kevSection({ manages, reload }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("kev_matches");
  if (r.state === "error") {
    showAlert(alert, r.error);
    return h("section", { id: "kev" }, h("h2", {}, "Known exploited vulnerabilities"), alert);
  }
  const view = r.data;
  let admin = null;
  if (manages) {
    const file = h("input", { id: "kev-file", type: "file", accept: ".csv,text/csv" });
    file.addEventListener("change", async () => {
      alert.hidden = true;
      const f = file.files[0];
      if (!f) return;
      const bytes = [...new Uint8Array(await f.arrayBuffer())];
      const res = await request("import_kev", { bytes });
      if (res.state === "error") return showAlert(alert, res.error);
      reload(`Imported the KEV catalogue: ${res.data} entries.`);
    });
    admin = h("div", { class: "field no-print" },
      h("label", { for: "kev-file" }, "Import CISA's KEV catalogue (its CSV, known_exploited_vulnerabilities.csv): it replaces the last one"),
      file);
  }
  return h("section", { "aria-labelledby": "kev-title", id: "kev", dataset: { state: "ready" } },
    h("h2", { id: "kev-title" }, "Known exploited vulnerabilities (CISA KEV)"),
    h("p", { class: "meta", id: "kev-standing" }, view.imported
      ? `Catalogue imported ${view.imported}: ${view.entries.toLocaleString("en-US")} entries, ${view.matches.length} affecting the register. Matched by vendor and product: check the version each asset runs.`
      : "No catalogue imported yet."),
    view.imported ? matchesTable(view) : null,
    admin, alert);
}
