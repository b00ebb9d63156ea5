// The channels a contact may be approved for, as the core lists them (`list_channels`):
// which are secure for patient information, and their names. The core is the one place
// that says so; this asks once and keeps the answer (it never changes while the app runs).

import { request } from "./api.js";

let known = null;

/**
 * The channels by id: Map<id, {id, name, secure}>, as a UI state.
 * @returns {Promise<{state: "ready", data: Map<string, {id: string, name: string, secure: boolean}>} | {state: "error", error: {code: string, message: string}}>}
 */
export async function channels() {
  if (known) return known;
  const r = await request("list_channels");
  if (r.state === "error") return r; // asked again next time
  known = { state: "ready", data: new Map(r.data.map((c) => [c.id, c])) };
  return known;
}

/** Whether `id` is a channel the core says is not for patient information. */
export function isUnsecure(list, id) {
  return list.get(id)?.secure === false;
}

/** The channel's name as a person reads it; the id itself for one the core does not list. */
export function channelName(list, id) {
  return list.get(id)?.name ?? id;
}
