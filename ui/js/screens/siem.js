// The SIEM part of the Fleet screen (admins; issue 22, docs/siem.md): where forwarding
// stands (the target, TLS or mutual TLS, typed text withheld or sent, the entries
// forwarded and when, those waiting, why the last forward failed), "Forward now", the form
// to set the target (the CA and the client's certificate and key chosen as files and read
// here as text; the key is never shown back), and turning forwarding off after a
// confirmation. The core checks every permission and every certificate; this only asks.

import { request } from "../api.js";
import { field, fill, h, progress, showAlert, whileBusy } from "../dom.js";
import { local } from "../time.js";

export async function siemSection() {
  const state = h("div", { id: "siem-state", dataset: { state: "loading" } });
  const busy = h("div", { class: "status", role: "status", id: "siem-busy" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true, id: "siem-alert" });
  const refresh = async () => {
    const r = await request("siem_status");
    if (r.state === "error") {
      state.dataset.state = "error";
      return showAlert(alert, r.error);
    }
    fill(state, ...described(r.data));
    state.dataset.state = r.data.target ? "set" : "off";
    state.dataset.waiting = String(r.data.waiting);
    offArea.hidden = !r.data.target;
    forward.disabled = !r.data.target;
    if (r.data.target && !form.querySelector("#siem-target").value) form.querySelector("#siem-target").value = r.data.target;
  };

  const forward = h("button", { type: "button", class: "primary", id: "siem-forward", disabled: true }, "Forward now");
  forward.addEventListener("click", async () => {
    forward.disabled = true;
    alert.hidden = true;
    busy.replaceChildren(progress("Sending the entries waiting to the SIEM…"));
    const r = await request("forward_siem_now");
    busy.replaceChildren();
    forward.disabled = false;
    if (r.state === "error") return showAlert(alert, r.error);
    const a = r.data;
    if (a.outcome === "not_set") busy.textContent = "No SIEM is set: nothing was sent.";
    else if (a.outcome === "forwarded") busy.textContent = `Sent ${count(a.sent)} to ${a.target}; ${count(a.waiting)} waiting.`;
    await refresh();
    // A failure is the status's to show (with its code), as the periodic forward's is:
    // focus goes to it, so it is read out.
    if (a.outcome === "retry_later") state.querySelector("#siem-failed")?.focus();
  });

  const form = setForm(busy, alert, refresh);
  const offArea = offControl(busy, alert, refresh);
  await refresh();
  return h("section", { "aria-labelledby": "siem-title", id: "siem" },
    h("h2", { id: "siem-title" }, "SIEM"),
    h("p", { class: "hint" }, "This workstation's activity log is sent to the hospital's SIEM as syslog over TLS, every 5 minutes while someone is signed in and at each unlock. Each entry goes once or more, never skipped; the SIEM drops repeats by the entry's hash."),
    state,
    h("div", { class: "actions" }, forward),
    busy, alert,
    form,
    offArea);
}

/** The status, in words. */
function described(s) {
  if (!s.target) {
    return [h("p", { id: "siem-target-now" }, `No SIEM is set: the log is not forwarded (${count(s.waiting)} in the log).`)];
  }
  const how = !s.tls ? "plain TCP, unencrypted (for a lab only)"
    : s.mutual_tls ? "mutual TLS (the SIEM's certificate checked, and this workstation's shown)" : "TLS (the SIEM's certificate checked against the CA set)";
  const parts = [
    h("p", { id: "siem-target-now" }, h("strong", {}, "Sending to: "), `${s.target}, ${how}`),
    h("p", { id: "siem-text-now", dataset: { sendText: String(s.send_text) } }, h("strong", {}, "Typed text: "),
      s.send_text ? "sent (notes and observations may include patient information)" : "withheld (notes, observations and other typed text go as their kind and hash only)"),
    h("p", { id: "siem-counts" }, h("strong", {}, "Forwarded: "),
      `${count(s.forwarded)}${s.last_forwarded ? `, last ${local(s.last_forwarded)}` : ", none yet"}. `,
      h("strong", {}, "Waiting: "), h("span", { id: "siem-waiting" }, count(s.waiting)), "."),
  ];
  if (s.retrying) {
    parts.push(h("div", { class: "alert warning", id: "siem-failed", tabindex: "-1", dataset: { code: s.retrying.code } },
      h("p", {}, h("strong", {}, `The last forward failed, ${local(s.retrying.at)}: `), `${s.retrying.reason}. Tried again every 5 minutes while someone is signed in, and at each unlock.`),
      h("p", { class: "error-code" }, `Code for IT support: ${s.retrying.code}`)));
  }
  return parts;
}

/** "1 entry", "1,204 entries". */
function count(n) {
  return `${Number(n).toLocaleString("en-US")} ${n === 1 ? "entry" : "entries"}`;
}

/** The form that sets the target. */
function setForm(busy, alert, refresh) {
  const file = (id, label, hint, required) => h("div", { class: "field" },
    h("label", { for: id }, label),
    h("p", { class: "hint", id: `${id}-hint` }, hint),
    h("input", { id, type: "file", accept: ".pem,.crt,.cer,.key,application/x-pem-file", "aria-describedby": `${id}-hint`, required }));
  const sendText = h("input", { type: "checkbox", id: "siem-send-text", "aria-describedby": "siem-send-text-warning" });
  const status = h("div", { class: "status", role: "status" });
  const formAlert = h("div", { class: "alert", role: "alert", hidden: true, id: "siem-form-alert" });
  const form = h("form", { class: "card", id: "siem-form", novalidate: true, "aria-labelledby": "siem-form-title" },
    h("h3", { id: "siem-form-title" }, "Set the SIEM"),
    field({ id: "siem-target", label: "The SIEM's syslog-over-TLS address, HOST:PORT", hint: "Such as siem.example.org:6514. The name must be one the SIEM's certificate carries.", autocomplete: "off", spellcheck: "false" }),
    file("siem-ca", "CA certificate (PEM file)", "The certificate authority the SIEM's certificate is signed by, from IT security. Choose it again each time you save.", true),
    file("siem-client-cert", "This workstation's certificate (PEM file), for mutual TLS only", "Only when the SIEM asks workstations for a certificate; then choose the key too.", false),
    file("siem-client-key", "This workstation's private key (PEM file), for mutual TLS only", "Kept sealed in the store and never shown again, here or anywhere.", false),
    h("div", { class: "field" },
      h("label", { class: "check", for: "siem-send-text" }, sendText, "Send typed text (may include patient information)"),
      h("p", { class: "alert warning", id: "siem-send-text-warning" },
        "Leave this off unless your privacy officer has approved it. When on, the text of notes, observations, reasons and messages leaves this workstation for the SIEM, and it may name patients. When off, those entries go as their kind and hash only.")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "siem-save" }, "Save")),
    status, formAlert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    busy.textContent = "";
    const chosen = (id) => form.querySelector(id).files[0];
    const text = async (id) => { const f = chosen(id); return f ? f.text() : null; };
    const r = await whileBusy(form, status, formAlert, "Checking the certificates…", async () => {
      const setting = {
        target: form.querySelector("#siem-target").value,
        ca_pem: (await text("#siem-ca")) ?? "",
        client_cert_pem: await text("#siem-client-cert"),
        client_key_pem: await text("#siem-client-key"),
        send_text: sendText.checked,
      };
      return request("set_siem", { setting });
    });
    if (r.state === "error") return;
    // The files are not kept in the page: the key least of all.
    for (const id of ["#siem-ca", "#siem-client-cert", "#siem-client-key"]) form.querySelector(id).value = "";
    busy.textContent = `Saved: the log is forwarded to ${r.data} (${sendText.checked ? "typed text sent" : "typed text withheld"}).`;
    await refresh();
    form.querySelector("#siem-target").focus();
  });
  return form;
}

/** "Turn forwarding off…", then a confirmation. */
function offControl(busy, alert, refresh) {
  const box = h("div", { class: "card", id: "siem-off-confirm-box", hidden: true, role: "group", "aria-label": "Turn SIEM forwarding off" },
    h("p", {}, "Turn forwarding off? New entries stop reaching the SIEM, and IT security stops seeing this workstation. How far it got is kept: setting the same SIEM again sends what was logged meanwhile."),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "danger", id: "siem-off-confirm", onclick: async () => {
        const r = await request("siem_off");
        if (r.state === "error") return showAlert(alert, r.error);
        box.hidden = true;
        busy.textContent = "SIEM forwarding is off.";
        await refresh();
        document.querySelector("#siem-target")?.focus();
      } }, "Yes, turn it off"),
      h("button", { type: "button", onclick: () => { box.hidden = true; open.focus(); } }, "Cancel")));
  const open = h("button", { type: "button", class: "danger", id: "siem-off", onclick: () => {
    box.hidden = false;
    box.querySelector("#siem-off-confirm").focus();
  } }, "Turn forwarding off…");
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") { box.hidden = true; open.focus(); } });
  return h("div", { class: "actions", id: "siem-off-area", hidden: true }, open, box);
}
