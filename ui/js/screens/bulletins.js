// The threat bulletins part of the Assets screen, for admins and incident leads: every
// bulletin on this workstation with the assets of the register it affects and how many of
// its audience have read it; admins import a signed one (the core checks its signature
// against the pinned key and its expiry). Staff read theirs in the banner on every screen.

import { request } from "../api.js";
import { h, showAlert } from "../dom.js";

export async function bulletinSection({ manages, reload }) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const r = await request("bulletins");
  if (r.state === "error") {
    showAlert(alert, r.error);
    return h("section", { id: "bulletins" }, h("h2", {}, "Threat bulletins"), alert);
  }
  let admin = null;
  if (manages) {
    const file = h("input", { id: "bulletin-file", type: "file", accept: ".json,application/json" });
    file.addEventListener("change", async () => {
      alert.hidden = true;
      const f = file.files[0];
      if (!f) return;
      const res = await request("import_bulletin", { text: await f.text() });
      if (res.state === "error") return showAlert(alert, res.error);
      reload(`Imported the bulletin "${res.data.title}"${res.data.assets_words ? `: ${res.data.assets_words}` : ""}.`);
    });
    admin = h("div", { class: "field no-print" },
      h("label", { for: "bulletin-file" }, "Import a signed bulletin (made with caregiver bulletin sign)"), file);
  }
  const rows = r.data.map((b) => h("tr", { dataset: { bulletin: b.id }, class: b.expired ? null : `severity-${b.severity}` },
    h("th", { scope: "row" }, b.title),
    h("td", {}, b.severity),
    h("td", {}, `${b.issued} to ${b.expires}${b.expired ? " (expired)" : ""}`),
    h("td", {}, b.assets_words ?? "–", b.assets?.length ? h("p", { class: "meta" }, b.assets.join(", ")) : null),
    h("td", {}, b.receipts ? `${b.receipts[0]} of ${b.receipts[1]}` : "–")));
  return h("section", { "aria-labelledby": "bulletins-title", id: "bulletins", dataset: { state: "ready" } },
    h("h2", { id: "bulletins-title" }, "Threat bulletins"),
    r.data.length
      ? h("div", { class: "table-scroll", role: "region", "aria-labelledby": "bulletins-title", tabindex: "0" },
        h("table", { class: "users assets", id: "bulletins-table" },
          h("thead", {}, h("tr", {}, ["Bulletin", "Severity", "In effect", "Assets affected", "Read by"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows)))
      : h("p", { id: "bulletins-none" }, "No bulletin on this workstation."),
    admin, alert);
}
