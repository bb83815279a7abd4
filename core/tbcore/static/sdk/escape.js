/**
 * Escaping user text for the rare places where HTML is built as a string.
 * Prefer {@link h} (text goes through `textContent`); use this only when a string of HTML is
 * unavoidable.
 * @module
 */

/** @type {Record<string, string>} */
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/**
 * Escape a value for use in HTML text or in a quoted attribute value.
 * @param {unknown} value any value; `null`/`undefined` become the empty string
 * @returns {string}
 */
export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}
