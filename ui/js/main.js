// The window's controller: asks the core where we are (setup, locked, unlocked, emergency),
// shows the matching screen, keeps the session bar and banners true, reports activity for
// the idle lock, and warns before the idle lock. The core decides; this only shows.

import { request } from "./api.js";
import { fill, h, showAlert } from "./dom.js";
import { renderAdmin } from "./screens/admin.js";
import { renderHome } from "./screens/home.js";
import { renderLock } from "./screens/lock.js";
import { renderGuided } from "./screens/guided.js";
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
  const key = screenKey(status);
  if (force || key !== shown.key) {
    shown = { key };
    await draw(status);
  }
}

async function draw(status) {
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
      } else if (view.startsWith("playbook:")) {
        await renderPlaybook(main, { id: view.slice(9), onBack: home, onStarted: guide });
      } else if (view.startsWith("incident:")) {
        await renderGuided(main, { id: view.slice(9), onHome: home });
      } else if (view === "passphrase") {
        renderChangePassphrase(main, { forced: false, onDone: () => { view = "home"; go(); } });
      } else {
        await renderHome(main, { emergency: false, onOpen: open, onResume: guide });
      }
      break;
    default:
      break;
  }
  // Move focus to the new screen's heading, except on the first screen after start-up,
  // where the first Tab should reach the skip link.
  if (!firstRender) main.querySelector("h1")?.focus();
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
