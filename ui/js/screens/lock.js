// The lock screen: pick your name, type your passphrase; or emergency access with the ward's
// code. It shows no data.

import { request } from "../api.js";
import { field, fill, h, showAlert, whileBusy } from "../dom.js";

export async function renderLock(main, { onUnlocked, ahead = null }) {
  if (!ahead) fill(main, h("p", { class: "status", role: "status" }, "Loading…"));
  const result = await (ahead ?? request("lock_screen"));
  if (result.state === "error") {
    const alert = h("div", { class: "alert", role: "alert" });
    showAlert(alert, result.error);
    fill(main, h("h1", { tabindex: "-1" }, "Caregiver Playbook is locked"), alert);
    return;
  }
  const { names, emergency_available: emergency } = result.data;

  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const picker = h("fieldset", { class: "picker" },
    h("legend", {}, "Who are you?"),
    names.map((name, i) => h("label", { class: "pick" },
      h("input", { type: "radio", name: "unlock-name", value: name, checked: names.length === 1 && i === 0 }),
      h("span", {}, name))));
  const form = h("form", { class: "card", id: "unlock-form", novalidate: true },
    picker,
    field({ id: "unlock-pass", label: "Your passphrase", type: "password", autocomplete: "current-password" }),
    h("button", { type: "submit", class: "primary", id: "unlock-submit" }, "Unlock"),
    status, alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=unlock-name]:checked");
    if (!chosen) {
      showAlert(alert, { code: "no_name", message: "Choose your name first." });
      return;
    }
    const pass = form.querySelector("#unlock-pass");
    const r = await whileBusy(form, status, alert, "Checking your passphrase…",
      () => request("unlock", { name: chosen.value, passphrase: pass.value }));
    pass.value = "";
    if (r.state === "ready") onUnlocked(r.data);
    else pass.focus();
  });

  fill(main, 
    h("h1", { tabindex: "-1" }, "Caregiver Playbook is locked"),
    h("section", { "aria-labelledby": "unlock-title" }, h("h2", { id: "unlock-title" }, "Sign in"), form),
    emergency ? emergencySection(onUnlocked) : null);
}

function emergencySection(onUnlocked) {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const form = h("form", { class: "card emergency", id: "emergency-form", novalidate: true, hidden: true },
    field({ id: "emergency-code", label: "Emergency code for this ward", autocomplete: "off", autocapitalize: "characters", spellcheck: "false" }),
    h("button", { type: "submit", class: "primary danger", id: "emergency-submit" }, "Open emergency access"),
    status, alert);
  const open = h("button", {
    type: "button", class: "danger", id: "emergency-open", "aria-expanded": "false", "aria-controls": "emergency-form",
    onclick: () => {
      form.hidden = false;
      open.setAttribute("aria-expanded", "true");
      form.querySelector("#emergency-code").focus();
    },
  }, "Use emergency access");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = form.querySelector("#emergency-code");
    const r = await whileBusy(form, status, alert, "Checking the code…",
      () => request("unlock_emergency", { code: code.value }));
    code.value = "";
    if (r.state === "ready") onUnlocked(r.data);
  });
  return h("section", { class: "emergency-section", "aria-labelledby": "emergency-title" },
    h("h2", { id: "emergency-title" }, "Emergency access"),
    h("p", {}, "For ward staff during an outage, with the code printed for your ward. It opens the playbooks and the ward's call list, nothing else. Every use is recorded."),
    open, form);
}
