// First run: create the encrypted store and the first admin, then show the recovery key once.

import { request } from "../api.js";
import { field, fill, h, printSheet, whileBusy } from "../dom.js";

export function renderSetup(main, { onDone }) {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const form = h("form", { class: "card", id: "setup-form", novalidate: true },
    field({ id: "setup-name", label: "Your name", autocomplete: "name", required: true }),
    field({
      id: "setup-pass", label: "Choose a passphrase", type: "password", autocomplete: "new-password",
      hint: "At least 12 characters. A few unrelated words are easy to type and hard to guess.",
      required: true,
    }),
    field({ id: "setup-pass2", label: "Type the passphrase again", type: "password", autocomplete: "new-password", required: true }),
    h("button", { type: "submit", class: "primary", id: "setup-submit" }, "Create the store"),
    status, alert);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = form.querySelector("#setup-name").value;
    const pass = form.querySelector("#setup-pass").value;
    if (pass !== form.querySelector("#setup-pass2").value) {
      alert.hidden = false;
      alert.replaceChildren(h("p", { class: "error-message" }, "The two passphrases are not the same. Type them again."));
      return;
    }
    const result = await whileBusy(form, status, alert, "Creating the encrypted store…",
      () => request("setup", { admin: name, passphrase: pass }));
    if (result.state === "ready") renderRecoveryKey(main, result.data.secret, onDone);
  });

  fill(main, 
    h("h1", { tabindex: "-1" }, "Set up Caregiver Playbook on this workstation"),
    h("p", { class: "lead" },
      "You are creating the first administrator. Everything people enter here is kept encrypted on this computer; only the passphrases you set can open it."),
    form);
}

function renderRecoveryKey(main, key, onDone) {
  const sheet = h("section", { class: "sheet", "aria-labelledby": "recovery-title" },
    h("h2", { id: "recovery-title" }, "Caregiver Playbook recovery key"),
    h("p", { class: "secret", id: "recovery-key" }, key),
    h("p", {}, "Whoever holds this key can reset any passphrase on this workstation's store. Keep it locked away with the IT security records."),
    h("p", { class: "small" }, `Printed ${new Date().toLocaleString(undefined, { hour12: false })}`));
  const confirm = h("input", { type: "checkbox", id: "recovery-confirm" });
  const next = h("button", { type: "button", class: "primary", id: "recovery-continue", disabled: true, onclick: onDone }, "Continue");
  confirm.addEventListener("change", () => { next.disabled = !confirm.checked; });
  fill(main, 
    h("h1", { tabindex: "-1" }, "Print the recovery key now"),
    h("p", { class: "lead" }, "It is shown only this once. Without it, a forgotten admin passphrase cannot be recovered."),
    sheet,
    h("div", { class: "actions" },
      h("button", { type: "button", id: "recovery-print", onclick: () => printSheet(sheet) }, "Print"),
      h("label", { class: "check" }, confirm, " I have printed it or stored it safely"),
      next));
  main.querySelector("h1").focus();
}
