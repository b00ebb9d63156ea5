// The window's controller: asks the core where we are (setup, locked, unlocked, emergency),
// shows the matching screen, keeps the session bar and banners true, reports activity for
// the idle lock, and warns before the idle lock. The core decides; this only shows.

import { request } from "./api.js";
import { fill, h, showAlert } from "./dom.js";
import { renderLock } from "./screens/lock.js";
import { setZone } from "./time.js";
import { routeFor, screenKey, to } from "./routes.js";

// Only the lock screen's modules load with the page: every other screen is imported on
// first use (a dynamic `import()`, allowed by the CSP's script-src 'self'), so the lock
// screen waits for 6 small modules, not 25 (scripts/bench-startup.sh, benches/README.md).

// Where the first screen's time went, in milliseconds from the page's start: this script,
// the two answers, the screen drawn, the frames after it. The startup benchmark prints them
// beside each launch (scripts/bench-startup.sh). Each is marked once: a status poll that
// keeps failing before the first screen adds nothing.
const marks = [];
const mark = (name) => {
  if (!marks.some((m) => m.startsWith(`${name}=`))) marks.push(`${name}=${performance.now().toFixed(0)}`);
};
mark("script");
const POLL_MS = 3000;
const TOUCH_EVERY_MS = 10000;
const WARN_SECS = 60;

const main = document.getElementById("main");
const bar = document.getElementById("session-bar");
const banner = document.getElementById("emergency-banner");
const warning = document.getElementById("idle-warning");

// What is on screen (its key), and where the person last went (a route, see routes.js).
let shown = { key: null };
let route = to.home();
let firstRender = true;
// What the lock screen shows, asked for as the page starts, at the same time as the session's
// status (most starts land on the lock screen): one round trip and one "Loading…" frame
// fewer before it is on screen. Used once; an answer nobody needs is dropped.
let lockScreenAhead = request("lock_screen").then((r) => { mark("lock"); return r; });

function goTo(next) {
  route = next;
  refresh({ force: true });
}

const redraw = () => refresh({ force: true });
const home = () => goTo(to.home());
const open = (id) => goTo(to.playbook(id));
const openWard = (id) => goTo(to.ward(id));
const guide = (id) => goTo(to.incident(id));
const startIncident = (id, drill = false) => goTo(to.start(id, drill));
const incidentRoutes = {
  onHome: home,
  onGuide: guide,
  onTeam: (id) => goTo(to.team(id)),
  onReview: (id) => goTo(to.review(id)),
  onCalls: (id) => goTo(to.calls(id)),
  onAssess: (id) => goTo(to.assess(id)),
  onBreach: (id) => goTo(to.breach(id)),
  onForensics: (id) => goTo(to.forensics(id)),
};

// The incident screens share guided.js, whose keys and timers stop whenever a screen is
// left: its `leaveGuided`, once any of them has loaded it.
let leaveGuided = () => {};
async function withGuided(screen) {
  const [module, guided] = await Promise.all([screen, import("./screens/guided.js")]);
  leaveGuided = guided.leaveGuided;
  return module;
}

/** Every screen by route name: `load` imports its module (at once for the lock screen, on
 * first use for the others), `draw` draws it from the route's parameters and the core's
 * status, and says where its buttons lead. */
const SCREENS = {
  "setup": {
    load: () => import("./screens/setup.js"),
    draw: (m) => m.renderSetup(main, { onDone: home }),
  },
  "locked": {
    load: async () => ({ renderLock }),
    draw: (m) => {
      route = to.home();
      // The first lock screen uses the names asked for at start, alongside the status.
      const ahead = lockScreenAhead;
      lockScreenAhead = null;
      return m.renderLock(main, { onUnlocked: home, ahead });
    },
  },
  "emergency": {
    load: () => import("./screens/home.js"),
    draw: (m) => m.renderHome(main, { emergency: true, onOpen: open, onSituation: openWard }),
  },
  "must-change": {
    load: () => import("./screens/passphrase.js"),
    draw: (m) => m.renderChangePassphrase(main, { forced: true, onDone: redraw }),
  },
  "home": {
    load: () => import("./screens/home.js"),
    draw: (m, _, status) => m.renderHome(main, {
      emergency: false, onOpen: open, onResume: guide, onStart: startIncident,
      onForensics: incidentRoutes.onForensics,
      // The core says who starts an incident from a situation button; the rest follow the
      // ward's steps.
      onSituation: status.user.starts_incidents ? startIncident : openWard,
    }),
  },
  "admin": {
    load: () => import("./screens/admin.js"),
    draw: (m) => m.renderAdmin(main),
  },
  "training": {
    load: () => import("./screens/training.js"),
    draw: (m, _, status) => m.renderTraining(main,
      { role: status.user.role, onModule: (id) => goTo(to.module(id)) }),
  },
  "module": {
    load: () => import("./screens/training.js"),
    draw: (m, { id }) => m.renderModule(main, { id, onBack: () => goTo(to.training()) }),
  },
  "policies": {
    load: () => import("./screens/policies.js"),
    draw: (m) => m.renderPolicies(main, { onPolicy: (id) => goTo(to.policy(id)) }),
  },
  "policy": {
    load: () => import("./screens/policies.js"),
    draw: (m, { id, version }) => m.renderPolicy(main, {
      id, version, onVersion: (v) => goTo(to.policy(id, v)), onBack: () => goTo(to.policies()),
    }),
  },
  "exercises": {
    load: () => import("./screens/exercises.js"),
    draw: (m) => m.renderExercises(main, { onExercise: (id) => goTo(to.exercise(id)) }),
  },
  "exercise": {
    load: () => import("./screens/exercises.js"),
    draw: (m, { id }) => m.renderExercise(main, { id, onBack: () => goTo(to.exercises()) }),
  },
  "fleet": {
    load: () => import("./screens/fleet.js"),
    draw: (m) => m.renderFleet(main),
  },
  "contacts": {
    load: () => import("./screens/contacts.js"),
    draw: (m, _, status) => m.renderContacts(main, { admin: status.user.role === "admin" }),
  },
  "clocks": {
    load: () => import("./screens/clocks.js"),
    draw: (m) => m.renderClocks(main, { onIncident: guide }),
  },
  // The core says who imports and exports the register (admins).
  "assets": {
    load: () => import("./screens/assets.js"),
    draw: (m, _, status) => m.renderAssets(main, { manages: status.user.manages_assets }),
  },
  // Under emergency access a playbook is for reading: nothing to start.
  "playbook": {
    load: () => import("./screens/playbook.js"),
    draw: (m, { id }, status) => m.renderPlaybook(main,
      { id, onBack: home, onStart: status.phase === "unlocked" ? startIncident : undefined }),
  },
  "ward": {
    load: () => import("./screens/wardsteps.js"),
    draw: (m, { id }, status) => m.renderWardSteps(main,
      { id, emergency: status.phase === "emergency", onAll: open, onBack: home }),
  },
  "start": {
    load: () => import("./screens/start.js"),
    draw: (m, { playbook, drill }, status) => m.renderStart(main,
      { playbookId: playbook, drill, me: status.user.name, onStarted: guide, onBack: home }),
  },
  "incident": {
    load: () => withGuided(import("./screens/guided.js")),
    draw: (m, { id }) => m.renderGuided(main, { id, ...incidentRoutes }),
  },
  "team": {
    load: () => withGuided(import("./screens/team.js")),
    draw: (m, { id }) => m.renderTeam(main, { id, ...incidentRoutes }),
  },
  "calls": {
    load: () => withGuided(import("./screens/calls.js")),
    draw: (m, { id }) => m.renderCalls(main, { id, ...incidentRoutes }),
  },
  "review": {
    load: () => withGuided(import("./screens/review.js")),
    draw: (m, { id }) => m.renderReview(main, { id, ...incidentRoutes }),
  },
  "assess": {
    load: () => withGuided(import("./screens/assess.js")),
    draw: (m, { id }) => m.renderAssess(main, { id, ...incidentRoutes }),
  },
  // What each person sees and may do there is the core's (`forensics`): a clinician sees
  // only the items handed to them, no indicators.
  "forensics": {
    load: () => withGuided(import("./screens/forensics.js")),
    draw: (m, { id }, status) => m.renderForensics(main, { id, me: status.user.name, ...incidentRoutes }),
  },
  "breaches": {
    load: () => import("./screens/breaches.js"),
    draw: (m) => m.renderBreaches(main, { onBreach: (id) => goTo(to.breach(id)), onIncident: guide }),
  },
  "breach": {
    load: () => import("./screens/breaches.js"),
    draw: (m, { id }) => m.renderBreach(main, { id, onBack: () => goTo(to.breaches()), onIncident: guide }),
  },
  "passphrase": {
    load: () => import("./screens/passphrase.js"),
    draw: (m) => m.renderChangePassphrase(main, { forced: false, onDone: home }),
  },
};

async function refresh({ force = false } = {}) {
  const asked = route;
  const result = await request("session_status");
  if (firstRender) mark("status");
  if (result.state === "error") {
    const alert = h("div", { class: "alert", role: "alert" });
    showAlert(alert, result.error);
    fill(main, h("h1", {}, "Caregiver Playbook"), alert);
    return;
  }
  const status = result.data;
  setZone(status.time_zone);
  showManaged(status.managed);
  drawChrome(status);
  showReminders(status);
  showBulletins(status);
  showPublishing(status);
  // Someone went elsewhere while the core answered this poll: that navigation's own refresh
  // draws the screen. (Drawing it here too would draw it twice, and the slower of the two
  // could put back data older than a click made in between.)
  if (!force && route !== asked) return;
  const current = routeFor(status, route);
  const key = screenKey(current);
  if (force || key !== shown.key) {
    shown = { key };
    await draw(status, current);
  }
}

// Draws counted, so that a draw still importing its screen when a later one starts gives
// way to it.
let draws = 0;

async function draw(status, current) {
  const mine = ++draws;
  const screen = SCREENS[current.name];
  if (!screen) return;
  // The screen is marked only once its module is here, so its first synchronous drawing
  // follows the mark at once, as the end-to-end tests expect.
  const module = await screen.load();
  if (mine !== draws) return;
  leaveGuided();
  main.dataset.screen = screenKey(current);
  await screen.draw(module, current, status);
  // Move focus to the new screen's heading (unless the screen put it on its one action),
  // except on the first screen after start-up, where the first Tab should reach the skip
  // link.
  if (!firstRender && !main.contains(document.activeElement)) main.querySelector("h1")?.focus();
  if (firstRender) markFirstPaint();
  firstRender = false;
}

// When the first screen was first on screen (wall-clock milliseconds, at the start of the
// frame after the one that drew it: WebKit begins a frame only once the one before was
// presented), and when the page started; for the startup benchmark
// (scripts/bench-startup.sh), which reads them back over WebDriver.
function markFirstPaint() {
  mark("drawn");
  requestAnimationFrame(() => {
    mark("frame");
    requestAnimationFrame(() => {
      mark("next-frame");
      const paint = performance.getEntriesByName("first-contentful-paint")[0];
      if (paint) marks.push(`first-contentful-paint=${paint.startTime.toFixed(0)}`);
      main.dataset.marks = marks.join(" ");
      main.dataset.pageStart = String(performance.timeOrigin);
      main.dataset.paintedAt = String(performance.timeOrigin + performance.now());
    });
  });
}

function navButton(label, id, onclick) {
  return h("button", { type: "button", id, onclick }, label);
}

function drawChrome(status) {
  banner.hidden = status.phase !== "emergency";
  document.body.dataset.phase = status.phase;
  const items = [];
  if (status.phase === "unlocked") {
    const { name, role, must_change_passphrase: mustChange, reads_assets: readsAssets } = status.user;
    items.push(h("span", { class: "who", id: "signed-in" }, `${name} (${role})`));
    if (!mustChange) {
      items.push(navButton("Home", "nav-home", home));
      items.push(navButton("Training", "nav-training", () => goTo(to.training())));
      items.push(navButton("Policies", "nav-policies", () => goTo(to.policies())));
      items.push(navButton("Exercises", "nav-exercises", () => goTo(to.exercises())));
      items.push(navButton("Contacts", "nav-contacts", () => goTo(to.contacts())));
      items.push(navButton("Clocks", "nav-clocks", () => goTo(to.clocks())));
      items.push(navButton("Breaches", "nav-breaches", () => goTo(to.breaches())));
      // The asset register lists weaknesses: only those the core lets read it see the way in.
      if (readsAssets) items.push(navButton("Assets", "nav-assets", () => goTo(to.assets())));
      items.push(navButton("Change passphrase", "nav-passphrase", () => goTo(to.passphrase())));
      if (role === "admin") items.push(navButton("Admin", "nav-admin", () => goTo(to.admin())));
      // Collecting the fleet folder is the admins' (the core refuses anyone else).
      if (role === "admin") items.push(navButton("Fleet", "nav-fleet", () => goTo(to.fleet())));
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
// Reminder steps the core names by what they are about: "training:<module>", "call:<contact>".
const TRAINING_STEP = "training:";
const CALL_STEP = "call:";
const ACTION_STEP = "action:";
async function showReminders(status) {
  if (status.phase !== "unlocked" || status.user.must_change_passphrase) {
    reminderBar.hidden = true;
    return;
  }
  const r = await request("reminders");
  const due = r.state === "ready" ? r.data : [];
  const here = route.name === "incident" ? route.id : null;
  // The step's screen shows its own timers with "Seen"; call escalations and legal clocks'
  // reminders show here too.
  const others = due.filter((d) => d.incident !== here || d.step.startsWith(CALL_STEP) || d.step.startsWith("clock:"));
  reminderBar.hidden = others.length === 0;
  reminderBar.replaceChildren(...others.map((d) => h("div", { class: "reminder", dataset: { incident: d.incident, step: d.step } },
    h("strong", {}, `${d.drill ? "DRILL " : ""}${d.title}: `), d.say,
    d.step.startsWith(TRAINING_STEP)
      ? h("button", { type: "button", onclick: () => goTo(to.module(d.step.slice(TRAINING_STEP.length))) }, "Open the module")
      : d.step.startsWith(CALL_STEP)
        ? h("button", { type: "button", onclick: () => goTo(to.calls(d.incident)) }, "Open the calls")
        : d.step.startsWith(ACTION_STEP)
          ? h("button", { type: "button", onclick: () => goTo(to.exercise(d.incident)) }, "Open the exercise")
          : h("button", { type: "button", onclick: () => guide(d.incident) }, "Open the incident"))));
}

// Threat bulletins addressed to the signed-in person, on every screen until they say they
// have read each one (the core logs the read receipt under their own unlock).
const bulletinBar = document.getElementById("bulletin-banner");
async function showBulletins(status) {
  if (status.phase !== "unlocked" || status.user.must_change_passphrase) {
    bulletinBar.hidden = true;
    return;
  }
  const r = await request("my_bulletins");
  const list = r.state === "ready" ? r.data : [];
  bulletinBar.hidden = list.length === 0;
  bulletinBar.replaceChildren(...list.map((b) => {
    const said = h("p", { class: "alert", role: "alert", hidden: true });
    const read = async () => {
      const res = await request("acknowledge_bulletin", { id: b.id });
      if (res.state === "error") return showAlert(said, res.error);
      showBulletins(status);
    };
    return h("section", { class: `bulletin severity-${b.severity}`, dataset: { bulletin: b.id }, "aria-labelledby": `bulletin-${b.id}-title` },
      h("h2", { id: `bulletin-${b.id}-title` }, `${b.severity.toUpperCase()}: ${b.title}`),
      h("p", {}, b.text),
      h("p", { class: "meta" }, `${b.source}, issued ${b.issued}`),
      h("button", { type: "button", class: "primary", id: `bulletin-${b.id}-read`, onclick: read }, "I have read this"),
      said);
  }));
}

async function lockNow() {
  // Clear the screen first: nothing stays visible while the core drops the keys.
  fill(main);
  await request("lock");
  refresh({ force: true });
}

// Activity restarts the idle clock in the core, at most every TOUCH_EVERY_MS. A pointer
// that did not move is not activity: WebKit sends a move event when the page changes
// under a still pointer (the idle warning's countdown does), and that must not keep an
// unattended screen open.
let lastTouch = 0;
function activity(e) {
  if (e.type === "pointermove" && e.movementX === 0 && e.movementY === 0) return;
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

/** When this workstation last published to the fleet folder, in the footer, while someone
 * is signed in and a folder is set (publishing.js words it). */
async function showPublishing(status) {
  const el = document.getElementById("fleet-published");
  if (status.phase !== "unlocked") {
    el.hidden = true;
    return;
  }
  // Loaded on first use, like the screens: the lock screen does not wait for it.
  const [r, { publishingWords }] = await Promise.all([request("fleet_publishing"), import("./publishing.js")]);
  const said = r.state === "ready" ? publishingWords(r.data) : null;
  el.hidden = !said;
  el.textContent = said ? said.text : "";
  el.dataset.state = said ? said.state : "none";
}

/** "Managed by your IT department", in the footer, when IT manages this workstation; why
 * not, when its configuration has problems. */
function showManaged(m) {
  const el = document.getElementById("managed-by");
  const text = m.managed_by
    ? `${m.ward_label ? `${m.ward_label} · ` : ""}Managed by ${m.managed_by}${m.forbid_local_changes ? " (settings locked)" : ""}`
    : (m.problem || "");
  el.textContent = text;
  el.hidden = !text;
  el.dataset.managed = m.managed_by ? "yes" : (m.problem ? "problem" : "no");
}

// The first screen first; the footer's version and data folder after it.
refresh().then(showAbout);
setInterval(refresh, POLL_MS);
