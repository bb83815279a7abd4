/**
 * The three placeholder states of a panel: empty, loading, error.
 * @module
 */

import { h } from "./dom.js";

/**
 * Replace the content of `el` with a "nothing to show" message.
 * @param {Element} el
 * @param {string} [message]
 * @returns {HTMLElement} the message element
 */
export function renderEmpty(el, message = "No data to show.") {
  const box = h("div", { class: "tb-state tb-empty", role: "status" }, message);
  el.replaceChildren(box);
  return box;
}

/**
 * Replace the content of `el` with a loading indicator.
 * @param {Element} el
 * @param {string} [message]
 * @returns {HTMLElement} the indicator element
 */
export function renderLoading(el, message = "Loading…") {
  const box = h(
    "div",
    { class: "tb-state tb-loading", role: "status", "aria-busy": "true" },
    h("span", { class: "tb-spinner", "aria-hidden": "true" }),
    message,
  );
  el.replaceChildren(box);
  return box;
}

/**
 * Replace the content of `el` with an error panel. The message is shown as text.
 * @param {Element} el
 * @param {unknown} error an Error (its `message`, and `status` if it has one) or any value
 * @param {string} [title]
 * @returns {HTMLElement} the panel element
 */
export function renderError(el, error, title = "Something went wrong") {
  const err = /** @type {{message?: unknown, status?: unknown}} */ (error ?? {});
  const message = typeof error === "string" ? error : String(err.message ?? error);
  const status = typeof err.status === "number" && err.status > 0 ? ` (HTTP ${err.status})` : "";
  const box = h(
    "div",
    { class: "tb-state tb-error", role: "alert" },
    h("strong", { class: "tb-error-title" }, title + status),
    h("pre", { class: "tb-error-message" }, message),
  );
  el.replaceChildren(box);
  return box;
}
