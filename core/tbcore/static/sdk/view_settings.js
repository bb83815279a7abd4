/**
 * A dashboard's view settings (x axis, smoothing, log scales, ...) kept in the page URL's
 * hash beside the shell's own keys (`#tab=histograms&histograms.xAxis=wall`), so that a view
 * can be bookmarked and shared. Keys are `<plugin>.<name>`; a default value is left out.
 * @module
 */

import { h } from "./dom.js";

/**
 * @typedef {object} ViewSetting
 * @property {HTMLElement} element the labelled control, for a toolbar
 * @property {() => string} get the current choice
 * @property {() => void} destroy stops following the URL
 */

/**
 * A select kept in the URL as `<plugin>.<name>=<value>`; the first choice is the default and
 * is left out of the URL. An unknown value in the URL is ignored with a warning.
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {object} options
 * @param {string} options.name the setting's name in the URL, after the plugin's
 * @param {string} options.label visible label and accessible name
 * @param {string} options.className class of the select (tests and styles find it by this)
 * @param {[string, string][]} options.choices `[value, text]` pairs, the default first
 * @param {(value: string) => void} options.onChange called after the user (or the URL) changes it
 * @returns {ViewSetting}
 */
export function viewSetting(ctx, { name, label, className, choices, onChange }) {
  const key = `${ctx.pluginName}.${name}`;
  const values = choices.map(([value]) => value);
  const select = /** @type {HTMLSelectElement} */ (
    h("select", { "aria-label": label, class: className }, ...choices.map(([value, text]) => h("option", { value }, text)))
  );
  select.value = readHashValue(key, values);
  select.addEventListener("change", () => {
    writeHashValue(key, select.value, values[0]);
    onChange(select.value);
  });
  // Back/forward or an edited URL: follow it.
  const onHashChange = () => {
    const value = readHashValue(key, values);
    if (value === select.value) return;
    select.value = value;
    onChange(value);
  };
  window.addEventListener("hashchange", onHashChange);
  return {
    element: h("label", {}, `${label} `, select),
    get: () => select.value,
    destroy: () => window.removeEventListener("hashchange", onHashChange),
  };
}

/**
 * The text of `key` in the URL's hash (else its query string), `null` when absent: for
 * settings that are not a choice among a few values (a number, a pattern); the caller
 * validates it.
 * @param {string} key
 * @returns {string | null}
 */
export function readHashText(key) {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  return hash.get(key) ?? new URLSearchParams(location.search).get(key);
}

/**
 * The value of `key` in the URL's hash (else its query string), if it is one of `values`.
 * @param {string} key
 * @param {string[]} values allowed values, the default first
 */
export function readHashValue(key, values) {
  const value = readHashText(key);
  if (value === null) return values[0];
  if (values.includes(value)) return value;
  console.warn(`tbcore: ignoring ${key}=${JSON.stringify(value)} in the URL (expected one of ${values.join(", ")})`);
  return values[0];
}

/**
 * The number `key` names in the URL, if it lies in `[min, max]`; else `fallback` (with a
 * warning when the URL names something else).
 * @param {string} key
 * @param {{min: number, max: number, fallback: number}} range
 */
export function readHashNumber(key, { min, max, fallback }) {
  const text = readHashText(key);
  const value = Number(text);
  if (text === null) return fallback;
  if (text.trim() === "" || !(value >= min && value <= max)) {
    console.warn(`tbcore: ignoring ${key}=${JSON.stringify(text)} in the URL (expected ${min} to ${max})`);
    return fallback;
  }
  return value;
}

/**
 * The flag `key` names in the URL (`true` / `false`), else `fallback`.
 * @param {string} key
 * @param {boolean} fallback
 */
export function readHashFlag(key, fallback) {
  const text = readHashText(key);
  return text === "true" ? true : text === "false" ? false : fallback;
}

/**
 * Set `key` in the URL's hash (remove it for the default), keeping every other key, without
 * a history entry or a `hashchange` event.
 * @param {string} key
 * @param {string} value
 * @param {string} fallback the default value
 */
export function writeHashValue(key, value, fallback) {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (value === fallback) params.delete(key);
  else params.set(key, value);
  const text = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${location.search}${text ? `#${text}` : ""}`);
}
