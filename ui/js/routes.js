// Where the window is. A route is a plain object: its screen's name and that screen's
// parameters ({ name: "playbook", id: "ransomware" }, { name: "start", playbook, drill }).
// The person chooses a route; the core's phase may override it (nobody signed in: setup or
// the lock screen). `screenKey` is the one place that turns a route into the text the end-to-end
// tests wait on (`data-screen` on <main>).

/** The routes a person can go to, built here so a name or a parameter is spelt once. */
export const to = Object.freeze({
  home: () => ({ name: "home" }),
  admin: () => ({ name: "admin" }),
  training: () => ({ name: "training" }),
  module: (id) => ({ name: "module", id }),
  policies: () => ({ name: "policies" }),
  policy: (id, version = null) => ({ name: "policy", id, version }),
  contacts: () => ({ name: "contacts" }),
  clocks: () => ({ name: "clocks" }),
  assets: () => ({ name: "assets" }),
  passphrase: () => ({ name: "passphrase" }),
  playbook: (id) => ({ name: "playbook", id }),
  ward: (id) => ({ name: "ward", id }),
  start: (playbook, drill = false) => ({ name: "start", playbook, drill }),
  incident: (id) => ({ name: "incident", id }),
  team: (id) => ({ name: "team", id }),
  calls: (id) => ({ name: "calls", id }),
  review: (id) => ({ name: "review", id }),
  assess: (id) => ({ name: "assess", id }),
  breaches: () => ({ name: "breaches" }),
  breach: (id) => ({ name: "breach", id }),
  forensics: (id) => ({ name: "forensics", id }),
  exercises: () => ({ name: "exercises" }),
  fleet: () => ({ name: "fleet" }),
  exercise: (id) => ({ name: "exercise", id }),
});

/**
 * The route to show: the chosen one, unless the core's phase says otherwise.
 * @param {{phase: string, user?: {must_change_passphrase: boolean}}} status the core's session status
 * @param {{name: string}} chosen where the person last went
 */
export function routeFor(status, chosen) {
  switch (status.phase) {
    case "unlocked":
      return status.user.must_change_passphrase ? { name: "must-change" } : chosen;
    case "emergency":
      // Emergency access opens the playbooks (whole, or the ward's steps) and nothing else.
      return chosen.name === "playbook" || chosen.name === "ward" ? chosen : { name: "emergency" };
    default:
      // "setup", "locked"
      return { name: status.phase };
  }
}

/** The route's `data-screen` key: its name, then its parameters ("playbook:ransomware",
 * "start:ransomware:drill", "home"). Two routes are the same screen when their keys are. */
export function screenKey(route) {
  switch (route.name) {
    case "start":
      return `start:${route.playbook}${route.drill ? ":drill" : ""}`;
    case "policy":
      return `policy:${route.id}${route.version ? `:v${route.version}` : ""}`;
    case "playbook":
    case "ward":
    case "module":
    case "incident":
    case "team":
    case "calls":
    case "review":
    case "assess":
    case "breach":
    case "forensics":
    case "exercise":
      return `${route.name}:${route.id}`;
    default:
      return route.name;
  }
}
