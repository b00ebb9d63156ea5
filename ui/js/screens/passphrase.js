// Change your own passphrase (forced after a first or reset passphrase).

import { request } from "../api.js";
import { field, fill, h, whileBusy } from "../dom.js";

export function renderChangePassphrase(main, { forced, onDone }) {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const form = h("form", { class: "card", id: "passphrase-form", novalidate: true },
    field({
      id: "new-pass", label: "New passphrase", type: "password", autocomplete: "new-password",
      hint: "At least 12 characters. A few unrelated words are easy to type and hard to guess.",
    }),
    field({ id: "new-pass2", label: "Type it again", type: "password", autocomplete: "new-password" }),
    h("button", { type: "submit", class: "primary", id: "passphrase-submit" }, "Save the new passphrase"),
    status, alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pass = form.querySelector("#new-pass").value;
    if (pass !== form.querySelector("#new-pass2").value) {
      alert.hidden = false;
      alert.replaceChildren(h("p", { class: "error-message" }, "The two passphrases are not the same. Type them again."));
      return;
    }
    const r = await whileBusy(form, status, alert, "Saving…", () => request("change_passphrase", { passphrase: pass }));
    if (r.state === "ready") onDone();
  });
  fill(main, 
    h("h1", { tabindex: "-1" }, forced ? "Choose your own passphrase" : "Change your passphrase"),
    forced ? h("p", { class: "lead" }, "You signed in with a passphrase someone else set. Choose one only you know before you go on.") : null,
    form);
}
