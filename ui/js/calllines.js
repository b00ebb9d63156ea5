// A step's "Call:" line. The core resolves each call a playbook step names (a contact
// role) to the person and number on the call list; when nobody on the list answers for
// it, the role is shown with a pointer to the paper list.

import { h } from "./dom.js";

/** The line for `lines` (the core's CallLine list), or nothing when the step calls nobody. */
export function callLine(lines) {
  if (!lines || lines.length === 0) return null;
  return h("p", { class: "meta step-call" }, "Call: ", lines.flatMap((l, i) => [
    i ? "; " : "",
    l.name ? h("strong", {}, l.name) : l.role,
    l.name && l.phone ? `, ${l.phone}` : "",
    l.name ? "" : " (not on the call list: use the paper call list)",
  ]));
}
