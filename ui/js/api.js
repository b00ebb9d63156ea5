// The one way the window talks to the core. Every call resolves to a UI state, never
// throws: { state: "ready", data } or { state: "error", error: { code, message } }.
// The core's errors arrive as { code, message }; anything else (the core unreachable, a
// command not granted) becomes a code of our own, so screens only ever branch on `code`.

/** Codes made here, not by the core. */
export const CLIENT_CODES = Object.freeze({
  unavailable: "ipc_unavailable",
  failed: "ipc_failed",
});

function invoker() {
  const core = window.__TAURI__ && window.__TAURI__.core;
  return core && typeof core.invoke === "function" ? core.invoke : null;
}

function isReport(value) {
  return value !== null && typeof value === "object"
    && typeof value.code === "string" && typeof value.message === "string";
}

/**
 * Calls a core command.
 * @param {string} command snake_case name, as registered in src-tauri/build.rs
 * @param {object} [args]
 * @returns {Promise<{state: "ready", data: any} | {state: "error", error: {code: string, message: string}}>}
 */
export async function request(command, args = {}) {
  const invoke = invoker();
  if (!invoke) {
    return errorState(CLIENT_CODES.unavailable,
      "The app cannot reach its core. Close it and open it again. If this happens again, call IT.");
  }
  try {
    return { state: "ready", data: await invoke(command, args) };
  } catch (raw) {
    if (isReport(raw)) return errorState(raw.code, raw.message);
    // Details of an IPC failure are for support, not for the person at the bedside.
    console.error(`command ${command} failed:`, raw);
    return errorState(CLIENT_CODES.failed,
      "The app could not do that. Close it and open it again. If this happens again, call IT.");
  }
}

function errorState(code, message) {
  return { state: "error", error: { code, message } };
}

/**
 * A channel the core reports on while one call runs (a file's hashing, each whole
 * percent), handed to that call as an argument: `onMessage` gets each report, in order.
 * `null` when the core is unreachable (the call then says so).
 * @param {(message: any) => void} onMessage
 */
export function channel(onMessage) {
  const core = window.__TAURI__ && window.__TAURI__.core;
  if (!core || typeof core.Channel !== "function") return null;
  const c = new core.Channel();
  c.onmessage = onMessage;
  return c;
}
