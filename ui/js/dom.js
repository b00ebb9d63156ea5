// Small DOM helpers. Text always goes in as text (never as HTML), so a name can never
// become markup.

/**
 * Makes an element: h("button", { class: "primary", onclick: go }, "Unlock").
 * Props: class, dataset, on<event>, boolean attributes (true/false), other attributes.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A labelled input with an optional hint, as one block. */
export function field({ id, label, hint, ...input }) {
  const hintId = hint ? `${id}-hint` : null;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("input", { id, name: id, "aria-describedby": hintId, ...input }));
}

/** The element for an in-progress message with an indeterminate progress bar. */
export function progress(message) {
  return h("div", { class: "progress" }, h("progress", { "aria-label": message }), h("span", {}, message));
}

/**
 * Runs `work` with the form's controls disabled and a progress message shown in
 * `statusEl`; shows the error in `alertEl` if the result is an error state.
 * Returns the result state.
 */
export async function whileBusy(form, statusEl, alertEl, message, work) {
  const controls = [...form.querySelectorAll("input, button, select")];
  controls.forEach((c) => { c.disabled = true; });
  alertEl.replaceChildren();
  alertEl.hidden = true;
  statusEl.replaceChildren(progress(message));
  try {
    const result = await work();
    if (result.state === "error") showAlert(alertEl, result.error);
    return result;
  } finally {
    statusEl.replaceChildren();
    controls.forEach((c) => { c.disabled = false; });
  }
}

/** Shows an error: the message in plain words, and the code, small, for support. */
export function showAlert(el, error) {
  el.hidden = false;
  el.dataset.code = error.code;
  el.replaceChildren(
    h("p", { class: "error-message" }, error.message),
    h("p", { class: "error-code" }, `Code for IT support: ${error.code}`));
}

/**
 * The core's list of a file's problems or warnings: the first ones, then "… and 4,900 more
 * problems" for those it only counted.
 */
export function listed({ first, more }, things) {
  return h("ul", {}, first.map((x) => h("li", {}, x)),
    more ? h("li", {}, `… and ${more.toLocaleString("en-US")} more ${things}`) : null);
}

/** Prints only `sheet` (a recovery key, an emergency code). */
export function printSheet(sheet) {
  document.body.classList.add("print-sheet-mode");
  sheet.classList.add("print-target");
  const done = () => {
    document.body.classList.remove("print-sheet-mode");
    sheet.classList.remove("print-target");
    window.removeEventListener("afterprint", done);
  };
  window.addEventListener("afterprint", done);
  window.print();
}

/** Replaces `el`'s children, skipping absent ones (null, undefined, false), which the DOM's
 * own replaceChildren would print as text. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** A picture the core drew (an SVG string: the timeline, a chart, the heat map), parsed
 * as SVG, never as HTML, and put in the page; `fallback` says so when it is not one. */
export function svgNode(text, fallback) {
  const root = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
  return root && root.nodeName === "svg" ? document.importNode(root, true) : h("p", {}, fallback);
}

/** A document the core rendered as HTML (a policy's Markdown, whose raw HTML the core has
 * already turned into text), parsed into inert nodes, never set through innerHTML, with any
 * script, style, link or inline handler dropped all the same. */
export function coreHtml(text) {
  const doc = new DOMParser().parseFromString(`<div>${text}</div>`, "text/html");
  const root = doc.body.firstElementChild;
  root.querySelectorAll("script, style, link, iframe, object, embed, img").forEach((n) => n.remove());
  root.querySelectorAll("*").forEach((n) => [...n.attributes].forEach((a) => {
    if (a.name.startsWith("on") || a.name === "href" || a.name === "src") n.removeAttribute(a.name);
  }));
  return document.importNode(root, true);
}
