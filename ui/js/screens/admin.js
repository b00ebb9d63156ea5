// Admin: users and roles, the ward's emergency code, the idle lock. The core checks every
// permission; this screen only asks.

import { request } from "../api.js";
import { field, fill, h, printSheet, showAlert, whileBusy } from "../dom.js";

const ROLES = [
  ["clinician", "Clinician"],
  ["staff", "Staff"],
  ["lead", "Incident lead"],
  ["admin", "Admin"],
];
const roleName = (id) => (ROLES.find(([r]) => r === id) || [id, id])[1];

export async function renderAdmin(main) {
  fill(main, 
    h("h1", { tabindex: "-1" }, "Admin"),
    await usersSection(() => renderAdmin(main)),
    addUserSection(() => renderAdmin(main)),
    emergencySection(),
    recoverySection(),
    await idleSection(),
    await zoneSection(() => renderAdmin(main)),
    await clockRemindersSection(),
    await organisationSection());
}

async function usersSection(reload) {
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const section = h("section", { "aria-labelledby": "users-title" }, h("h2", { id: "users-title" }, "Users"), alert);
  const r = await request("list_users");
  if (r.state === "error") {
    showAlert(alert, r.error);
    return section;
  }
  const rows = r.data.map((u) => {
    const actions = h("td", {});
    const showButtons = () => actions.replaceChildren(
      h("button", { type: "button", onclick: () => askReset() }, "Reset passphrase"),
      h("button", { type: "button", class: "danger", onclick: () => askRemove() }, "Remove"));
    // Asking inside the row, not in a browser dialog: one decision, in place.
    const askRemove = () => actions.replaceChildren(
      h("span", {}, `Remove ${u.name}? `),
      h("button", { type: "button", class: "danger", onclick: () => act("remove_user", { name: u.name }) }, "Yes, remove"),
      h("button", { type: "button", onclick: showButtons }, "Cancel"));
    const askReset = () => {
      const id = `reset-${r.data.indexOf(u)}`;
      const input = h("input", { id, type: "password", autocomplete: "new-password" });
      actions.replaceChildren(
        h("label", { for: id }, `First passphrase for ${u.name}`), input,
        h("button", { type: "button", class: "primary", onclick: () => act("reset_passphrase", { name: u.name, passphrase: input.value }) }, "Save"),
        h("button", { type: "button", onclick: showButtons }, "Cancel"));
      input.focus();
    };
    const act = async (command, args) => {
      const result = await request(command, args);
      if (result.state === "error") showAlert(alert, result.error);
      else reload();
    };
    showButtons();
    return h("tr", { dataset: { user: u.name } },
      h("th", { scope: "row" }, u.name),
      h("td", {}, roleName(u.role)),
      h("td", {}, u.department || ""),
      h("td", {}, u.must_change_passphrase ? "Must set own passphrase" : "Active"),
      actions);
  });
  section.append(h("table", { class: "users", id: "users-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Role"), h("th", { scope: "col" }, "Department"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Actions"))),
    h("tbody", {}, rows)));
  return section;
}

function addUserSection(reload) {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const role = h("select", { id: "add-role", name: "add-role" }, ROLES.map(([id, label]) => h("option", { value: id }, label)));
  const form = h("form", { class: "card", id: "add-user-form", novalidate: true },
    field({ id: "add-name", label: "Name", autocomplete: "off" }),
    h("div", { class: "field" }, h("label", { for: "add-role" }, "Role"), role),
    field({ id: "add-department", label: "Department (optional)", autocomplete: "off", hint: "Training is assigned and reported by department." }),
    field({ id: "add-pass", label: "First passphrase", type: "password", autocomplete: "new-password", hint: "At least 12 characters. Tell it to them in person; they change it at first unlock." }),
    h("button", { type: "submit", class: "primary", id: "add-submit" }, "Add user"),
    status, alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const r = await whileBusy(form, status, alert, "Adding…", () => request("add_user", {
      name: form.querySelector("#add-name").value,
      role: role.value,
      passphrase: form.querySelector("#add-pass").value,
      department: form.querySelector("#add-department").value || null,
    }));
    if (r.state === "ready") reload();
  });
  return h("section", { "aria-labelledby": "add-title" }, h("h2", { id: "add-title" }, "Add a user"), form);
}

// A secret made on a button press (a second press confirms), shown once and printable:
// the ward’s emergency code, the recovery key.
function shownOnceSection(command, o) {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const out = h("div", {});
  const button = h("button", { type: "button", id: o.buttonId }, o.button);
  const form = h("form", { class: "card", novalidate: true }, button, status, alert);
  let confirmed = false;
  button.addEventListener("click", async () => {
    if (!confirmed) {
      // A second click confirms: the secret in use now stops working.
      confirmed = true;
      button.textContent = o.confirm;
      status.textContent = o.warning;
      return;
    }
    confirmed = false;
    button.textContent = o.button;
    const r = await whileBusy(form, status, alert, o.busy, () => request(command));
    if (r.state !== "ready") return;
    const sheet = h("section", { class: "sheet" },
      h("h3", {}, o.sheetTitle),
      h("p", { class: "secret", id: o.shownId }, r.data.secret),
      h("p", {}, o.explain),
      h("p", { class: "small" }, `Made ${new Date().toLocaleString(undefined, { hour12: false })}`));
    out.replaceChildren(sheet, h("button", { type: "button", onclick: () => printSheet(sheet) }, o.print));
  });
  return h("section", { "aria-labelledby": o.titleId },
    h("h2", { id: o.titleId }, o.title),
    h("p", {}, o.intro),
    form, out);
}

function emergencySection() {
  return shownOnceSection("new_emergency_code", {
    titleId: "emergency-admin-title",
    title: "Emergency access code",
    intro: "Ward staff use this code during an outage to open the playbooks without a personal passphrase. Print it for the ward; make a new one if it may have leaked.",
    buttonId: "emergency-new",
    button: "Make a new emergency code",
    confirm: "Yes, replace the ward's code now",
    warning: "The code the ward has now will stop working.",
    busy: "Making the code…",
    sheetTitle: "Emergency access code",
    shownId: "emergency-code-shown",
    explain: "On the Caregiver Playbook lock screen, choose “Use emergency access” and type this code. It opens the playbooks and the ward call list. Every use is recorded.",
    print: "Print for the ward",
  });
}

function recoverySection() {
  return shownOnceSection("new_recovery_key", {
    titleId: "recovery-admin-title",
    title: "Recovery key",
    intro: "The recovery key resets a forgotten passphrase. Make a new one if it may have leaked, and once after upgrading from a version before keys per person (the old key keeps the old shared key alive until then).",
    buttonId: "recovery-new",
    button: "Make a new recovery key",
    confirm: "Yes, replace the recovery key now",
    warning: "The recovery key you have locked away will stop working.",
    busy: "Making the key…",
    sheetTitle: "Recovery key",
    shownId: "recovery-key-shown",
    explain: "Whoever holds this key can reset any passphrase of this workstation's store. Print it, seal it in an envelope and lock it away.",
    print: "Print the key",
  });
}

/** The zone every time on this workstation reads in: the system's, or one set here for a
 * workstation whose system zone is wrong. */
async function zoneSection(reload) {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const [settings, now] = await Promise.all([request("get_settings"), request("session_status")]);
  const set = settings.state === "ready" ? settings.data.time_zone : null;
  const inForce = now.state === "ready" ? now.data.time_zone : "UTC";
  const form = h("form", { class: "card", id: "zone-form", novalidate: true },
    h("p", { id: "zone-now" }, set ? `Times read in ${inForce}, set here.` : `Times read in ${inForce}, this computer's zone.`),
    field({ id: "zone-name", label: "Time zone (for example America/New_York, America/Chicago, America/Denver, America/Los_Angeles)", value: set || "", autocomplete: "off" }),
    h("div", { class: "actions" },
      h("button", { type: "submit", id: "zone-submit" }, "Save"),
      set ? h("button", { type: "button", id: "zone-system", onclick: () => save(null) }, "Use this computer's zone") : null),
    status, alert);
  async function save(zone) {
    const r = await whileBusy(form, status, alert, "Saving…", () => request("set_time_zone", { zone }));
    if (r.state === "ready") await reload();
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(form.querySelector("#zone-name").value.trim());
  });
  return h("section", { "aria-labelledby": "zone-title" }, h("h2", { id: "zone-title" }, "Time zone"), form);
}

/** How long before a legal clock is due its reminders come. */
async function clockRemindersSection() {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const current = await request("get_settings");
  const minutes = current.state === "ready" ? current.data.clock_reminders : [10080, 1440];
  const words = (list) => list.map((m) => (m % 1440 === 0 ? `${m / 1440}d` : m % 60 === 0 ? `${m / 60}h` : `${m}m`)).join(" ");
  const form = h("form", { class: "card", id: "lead-form", novalidate: true },
    field({ id: "lead-times", label: "Remind this long before a legal clock is due (days d, hours h, minutes m)", value: words(minutes), autocomplete: "off" }),
    h("button", { type: "submit", id: "lead-submit" }, "Save"),
    status, alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const lead = form.querySelector("#lead-times").value;
    const r = await whileBusy(form, status, alert, "Saving…", () => request("set_clock_reminders", { lead }));
    if (r.state === "ready") status.textContent = `Saved: reminders come ${words(r.data)} before a clock is due, and when it is overdue.`;
  });
  return h("section", { "aria-labelledby": "lead-title" }, h("h2", { id: "lead-title" }, "Legal clock reminders"), form);
}

/** The organisation's profile the legal clocks' rules look at: its states and traits. */
async function organisationSection() {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const current = await request("get_organisation");
  const org = current.state === "ready" ? current.data : {};
  const traits = org.traits || [];
  const box = (id, label, checked) => {
    const input = h("input", { type: "checkbox", id });
    input.checked = checked;
    return h("label", { class: "check", for: id }, input, label);
  };
  const form = h("form", { class: "card", id: "org-form", novalidate: true },
    field({ id: "org-states", label: "States and territories the organisation operates in (two-letter codes, such as CA NY)", value: (org.jurisdictions || []).join(" "), autocomplete: "off" }),
    box("org-public", "Publicly traded (reports to the SEC)", traits.includes("publicly-traded")),
    box("org-ba", "A business associate of another covered entity", traits.includes("business-associate")),
    h("button", { type: "submit", id: "org-submit" }, "Save"),
    status, alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const states = form.querySelector("#org-states").value.split(/[\s,;]+/).filter(Boolean);
    const chosen = [["#org-public", "publicly-traded"], ["#org-ba", "business-associate"]]
      .filter(([id]) => form.querySelector(id).checked).map(([, t]) => t);
    const r = await whileBusy(form, status, alert, "Saving…", () => request("set_organisation", { states, traits: chosen }));
    if (r.state === "ready") status.textContent = `Saved: ${r.data.jurisdictions.length ? r.data.jurisdictions.join(", ") : "no state"}${r.data.traits.length ? `; ${r.data.traits.join(", ")}` : ""}.`;
  });
  return h("section", { "aria-labelledby": "org-title" }, h("h2", { id: "org-title" }, "Organisation, for the legal clocks"),
    h("p", { class: "hint" }, "Clock rules for one state, or for publicly traded organisations, apply only as this profile says. Until it is saved they show as undecided."), form);
}

async function idleSection() {
  const status = h("div", { class: "status", role: "status" });
  const alert = h("div", { class: "alert", role: "alert", hidden: true });
  const current = await request("get_settings");
  const minutes = current.state === "ready" ? current.data.idle_lock_minutes : 10;
  const form = h("form", { class: "card", id: "idle-form", novalidate: true },
    field({ id: "idle-minutes", label: "Lock after this many idle minutes", type: "number", min: "1", max: "120", value: String(minutes), inputmode: "numeric" }),
    h("button", { type: "submit", id: "idle-submit" }, "Save"),
    status, alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = Number(form.querySelector("#idle-minutes").value);
    const r = await whileBusy(form, status, alert, "Saving…", () => request("set_idle_lock", { minutes: value }));
    if (r.state === "ready") status.textContent = `Saved: the app locks after ${value} idle minutes.`;
  });
  return h("section", { "aria-labelledby": "idle-title" }, h("h2", { id: "idle-title" }, "Idle lock"), form);
}
