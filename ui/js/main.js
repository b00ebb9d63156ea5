// The window's controller: asks the core where we are (setup, locked, unlocked, emergency),
// shows the matching screen, keeps the session bar and banners true, reports activity for
// the idle lock, and warns before the idle lock. The core decides; this only shows.

import { request } from "./api.js";
import { fill, h, showAlert } from "./dom.js";
import { renderAdmin } from "./screens/admin.js";
import { renderHome } from "./screens/home.js";
import { renderLock } from "./screens/lock.js";
import { leaveGuided, renderGuided } from "./screens/guided.js";
import { renderCalls } from "./screens/calls.js";
import { renderContacts } from "./screens/contacts.js";
import { renderModule, renderTraining } from "./screens/training.js";
import { renderReview } from "./screens/review.js";
import { renderStart } from "./screens/start.js";
import { renderTeam } from "./screens/team.js";
import { renderPlaybook } from "./screens/playbook.js";
import { renderChangePassphrase } from "./screens/passphrase.js";
import { renderSetup } from "./screens/setup.js";

const POLL_MS = 3000;
const TOUCH_EVERY_MS = 10000;
const WARN_SECS = 60;

const main = document.getElementById("main");
const bar = document.getElementById("session-bar");
const banner = document.getElementById("emergency-banner");
const warning = document.getElementById("idle-warning");

// What is on screen: the phase it was drawn for and, when unlocked, which view.
let shown = { key: null };
let view = "home";
let firstRender = true;

function screenKey(status) {
  if (status.phase === "emergency") return view.startsWith("playbook:") ? view : "emergency";
  if (status.phase !== "unlocked") return status.phase;
  return status.user.must_change_passphrase ? "must-change" : view;
}

function open(id) {
  view = `playbook:${id}`;
  refresh({ force: true });
}

function guide(id) {
  view = `incident:${id}`;
  refresh({ force: true });
}

function home() {
  view = "home";
  refresh({ force: true });
}

function goTo(to) {
  view = to;
  refresh({ force: true });
}

const startIncident = (id, drill = false) => goTo(`start:${id}${drill ? ":drill" : ""}`);
const incidentRoutes = {
  onHome: home,
  onGuide: (id) => goTo(`incident:${id}`),
  onTeam: (id) => goTo(`team:${id}`),
  onReview: (id) => goTo(`review:${id}`),
  onCalls: (id) => goTo(`calls:${id}`),
};

async function refresh({ force = false } = {}) {
  const result = await request("session_status");
  if (result.state === "error") {
    const alert = h("div", { class: "alert", role: "alert" });
    showAlert(alert, result.error);
    fill(main, h("h1", {}, "Caregiver Playbook"), alert);
    return;
  }
  const status = result.data;
  drawChrome(status);
  showReminders(status);
  const key = screenKey(status);
  if (force || key !== shown.key) {
    shown = { key };
    await draw(status);
  }
}

async function draw(status) {
  leaveGuided();
  main.dataset.screen = screenKey(status);
  const go = () => refresh({ force: true });
  switch (status.phase) {
    case "setup":
      renderSetup(main, { onDone: () => { view = "home"; go(); } });
      break;
    case "locked":
      view = "home";
      await renderLock(main, { onUnlocked: () => { view = "home"; go(); } });
      break;
    case "emergency":
      if (view.startsWith("playbook:")) await renderPlaybook(main, { id: view.slice(9), onBack: home });
      else await renderHome(main, { emergency: true, onOpen: open });
      break;
    case "unlocked":
      if (status.user.must_change_passphrase) {
        renderChangePassphrase(main, { forced: true, onDone: go });
      } else if (view === "admin") {
        await renderAdmin(main);
      } else if (view === "training") {
        await renderTraining(main, { role: status.user.role, onModule: (id) => goTo(`module:${id}`) });
      } else if (view.startsWith("module:")) {
        await renderModule(main, { id: view.slice(7), onBack: () => goTo("training") });
      } else if (view === "contacts") {
        await renderContacts(main, { admin: status.user.role === "admin" });
      } else if (view.startsWith("playbook:")) {
        await renderPlaybook(main, { id: view.slice(9), onBack: home, onStart: startIncident });
      } else if (view.startsWith("start:")) {
        const [, playbookId, drill] = view.split(":");
        await renderStart(main, { playbookId, drill: drill === "drill", me: status.user.name, onStarted: guide, onBack: home });
      } else if (view.startsWith("incident:")) {
        await renderGuided(main, { id: view.slice(9), ...incidentRoutes });
      } else if (view.startsWith("team:")) {
        await renderTeam(main, { id: view.slice(5), ...incidentRoutes });
      } else if (view.startsWith("calls:")) {
        await renderCalls(main, { id: view.slice(6), ...incidentRoutes });
      } else if (view.startsWith("review:")) {
        await renderReview(main, { id: view.slice(7), ...incidentRoutes });
      } else if (view === "passphrase") {
        renderChangePassphrase(main, { forced: false, onDone: () => { view = "home"; go(); } });
      } else {
        await renderHome(main, { emergency: false, onOpen: open, onResume: guide, onStart: startIncident });
      }
      break;
    default:
      break;
  }
  // Move focus to the new screen's heading (unless the screen put it on its one action),
  // except on the first screen after start-up, where the first Tab should reach the skip
  // link.
  if (!firstRender && !main.contains(document.activeElement)) main.querySelector("h1")?.focus();
  firstRender = false;
}

function navButton(label, id, onclick) {
  return h("button", { type: "button", id, onclick }, label);
}

function drawChrome(status) {
  banner.hidden = status.phase !== "emergency";
  document.body.dataset.phase = status.phase;
  const items = [];
  if (status.phase === "unlocked") {
    const { name, role, must_change_passphrase: mustChange } = status.user;
    items.push(h("span", { class: "who", id: "signed-in" }, `${name} (${role})`));
    if (!mustChange) {
      items.push(navButton("Home", "nav-home", () => { view = "home"; refresh({ force: true }); }));
      items.push(navButton("Training", "nav-training", () => { view = "training"; refresh({ force: true }); }));
      items.push(navButton("Contacts", "nav-contacts", () => { view = "contacts"; refresh({ force: true }); }));
      items.push(navButton("Change passphrase", "nav-passphrase", () => { view = "passphrase"; refresh({ force: true }); }));
      if (role === "admin") items.push(navButton("Admin", "nav-admin", () => { view = "admin"; refresh({ force: true }); }));
    }
  }
  if (status.phase === "unlocked" || status.phase === "emergency") {
    items.push(h("button", { type: "button", class: "lock", id: "nav-lock", onclick: lockNow }, "Lock"));
  }
  bar.replaceChildren(...items);
  bar.hidden = items.length === 0;

  const remaining = status.idle_remaining_secs;
  const warn = (status.phase === "unlocked" || status.phase === "emergency") && remaining <= WARN_SECS;
  warning.hidden = !warn;
  warning.textContent = warn
    ? `The app locks in ${remaining} seconds because nobody has used it. Press a key or move the mouse to stay signed in.`
    : "";
}

// Reminders that have come due in any open incident, on every screen until someone says
// they saw them (on the incident's screen). The desktop notification comes from the core's
// ticker, once per reminder.
const reminderBar = document.getElementById("reminder-banner");
async function showReminders(status) {
  if (status.phase !== "unlocked" || status.user.must_change_passphrase) {
    reminderBar.hidden = true;
    return;
  }
  const r = await request("reminders");
  const due = r.state === "ready" ? r.data : [];
  const here = view.startsWith("incident:") ? view.slice(9) : null;
  // The step's screen shows its own timers with "Seen"; call escalations show here too.
  const others = due.filter((d) => d.incident !== here || d.step.startsWith("call:"));
  reminderBar.hidden = others.length === 0;
  reminderBar.replaceChildren(...others.map((d) => h("div", { class: "reminder", dataset: { incident: d.incident, step: d.step } },
    h("strong", {}, `${d.drill ? "DRILL " : ""}${d.title}: `), d.say,
    d.step.startsWith("training:")
      ? h("button", { type: "button", onclick: () => goTo(`module:${d.step.slice(9)}`) }, "Open the module")
      : d.step.startsWith("call:")
        ? h("button", { type: "button", onclick: () => goTo(`calls:${d.incident}`) }, "Open the calls")
        : h("button", { type: "button", onclick: () => guide(d.incident) }, "Open the incident"))));
}

async function lockNow() {
  // Clear the screen first: nothing stays visible while the core drops the keys.
  fill(main);
  await request("lock");
  refresh({ force: true });
}

// Activity restarts the idle clock in the core, at most every TOUCH_EVERY_MS.
let lastTouch = 0;
function activity() {
  const now = Date.now();
  if (!warning.hidden || now - lastTouch > TOUCH_EVERY_MS) {
    lastTouch = now;
    request("touch").then(() => { if (!warning.hidden) refresh(); });
  }
}
for (const type of ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"]) {
  document.addEventListener(type, activity, { passive: true });
}

async function showAbout() {
  const result = await request("app_info");
  if (result.state !== "ready") return;
  document.getElementById("app-version").textContent = `Version ${result.data.version}`;
  const dataDir = document.getElementById("app-data-dir");
  dataDir.textContent = `Data folder: ${result.data.data_dir}`;
  dataDir.dataset.path = result.data.data_dir;
}

showAbout();
refresh();
setInterval(refresh, POLL_MS);
