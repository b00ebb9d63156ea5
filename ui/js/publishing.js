// How the window says when this workstation last published to the fleet folder (the
// footer, the Fleet screen), from the core's `fleet_publishing`.

import { local } from "./time.js";

/**
 * The words and a state for tests and styles ("published", "never", "retrying"), or null
 * when no fleet folder is set (nothing to say).
 * @param {{folder: ?string, last_published: ?string, retrying: ?string, every_minutes: number}} p
 */
export function publishingWords(p) {
  if (!p.folder) return null;
  const last = p.last_published ? `last published ${local(p.last_published)}` : "not published yet";
  if (p.retrying) {
    return {
      state: "retrying",
      text: `Fleet folder not reachable, trying again every ${p.every_minutes} minutes (${last})`,
    };
  }
  if (p.last_published) return { state: "published", text: `Fleet folder: ${last}` };
  return { state: "never", text: "Fleet folder: not published yet" };
}
