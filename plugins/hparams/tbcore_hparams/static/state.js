/**
 * The dashboard's view in the page URL's hash, as `hparams.<name>=<value>` beside the shell's
 * keys, so that a reload, a bookmark or a shared link shows the same view: the sort, the
 * hidden columns, each column's filter (a brush on a parallel-coordinates axis is the same
 * filter), log or linear axes, the allowed statuses and the trial whose curves are open.
 * Defaults are left out of the URL; a malformed value is ignored with a warning.
 * @module
 */

import { readHashText } from "@tbcore/sdk";

export const ALL_STATUSES = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"];

/**
 * A column's filter: a closed range (numbers), a regex (searched, case-insensitive), or a
 * set of allowed values.
 * @typedef {{min?: number | null, max?: number | null} | {regex: string} | {values: (string | number | boolean)[]}} Filter
 */

/**
 * @typedef {object} ViewState
 * @property {{key: string, desc: boolean} | null} sort
 * @property {string[]} hidden keys of hidden columns
 * @property {Record<string, Filter>} filters by column key
 * @property {Record<string, "log" | "linear">} scales axis scales chosen by the user
 * @property {string[]} statuses allowed statuses
 * @property {string} trial the trial whose curves are open ("" when none)
 * @property {string} aggregate how a trial's sessions make its metric values: "" (average),
 *   or `median:`, `min:` or `max:` followed by the key of the metric that picks the session
 */

/** @returns {ViewState} */
export function defaultState() {
  return { sort: null, hidden: [], filters: {}, scales: {}, statuses: [...ALL_STATUSES], trial: "", aggregate: "" };
}

/**
 * @param {string} plugin
 * @returns {ViewState}
 */
export function readState(plugin) {
  const state = defaultState();
  const read = (/** @type {string} */ name, /** @type {(v: any) => boolean} */ valid) => {
    const text = readHashText(`${plugin}.${name}`);
    if (text === null) return undefined;
    try {
      const value = JSON.parse(text);
      if (valid(value)) return value;
    } catch {
      // fall through to the warning
    }
    console.warn(`tbcore: ignoring ${plugin}.${name}=${JSON.stringify(text.slice(0, 200))} in the URL`);
    return undefined;
  };
  const isObject = (/** @type {any} */ v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const sort = read("sort", (v) => isObject(v) && typeof v.key === "string" && typeof v.desc === "boolean");
  if (sort) state.sort = { key: sort.key, desc: sort.desc };
  state.hidden = read("hidden", (v) => Array.isArray(v) && v.every((k) => typeof k === "string")) ?? [];
  state.filters = read("filters", (v) => isObject(v) && Object.values(v).every(validFilter)) ?? {};
  state.scales = read("scales", (v) => isObject(v) && Object.values(v).every((s) => s === "log" || s === "linear")) ?? {};
  const statuses = read("statuses", (v) => Array.isArray(v) && v.every((s) => ALL_STATUSES.includes(s)));
  if (statuses) state.statuses = statuses;
  state.trial = readHashText(`${plugin}.trial`) ?? "";
  const aggregate = readHashText(`${plugin}.aggregate`) ?? "";
  if (aggregate === "" || /^(median|min|max):m:/.test(aggregate)) state.aggregate = aggregate;
  else console.warn(`tbcore: ignoring ${plugin}.aggregate=${JSON.stringify(aggregate.slice(0, 200))} in the URL`);
  return state;
}

/** @param {any} f */
function validFilter(f) {
  if (f === null || typeof f !== "object") return false;
  if ("regex" in f) return typeof f.regex === "string";
  if ("values" in f) return Array.isArray(f.values) && f.values.every((/** @type {any} */ v) => ["string", "number", "boolean"].includes(typeof v));
  return ["min", "max"].every((k) => f[k] === undefined || f[k] === null || typeof f[k] === "number");
}

/**
 * Write the whole view into the URL's hash (each key removed when it holds its default),
 * keeping every other key, in one history update without a `hashchange` event.
 * @param {string} plugin
 * @param {ViewState} state
 */
export function writeState(plugin, state) {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const put = (/** @type {string} */ name, /** @type {string | null} */ text) => {
    if (text === null) params.delete(`${plugin}.${name}`);
    else params.set(`${plugin}.${name}`, text);
  };
  const json = (/** @type {unknown} */ value, /** @type {boolean} */ isDefault) => (isDefault ? null : JSON.stringify(value));
  put("sort", json(state.sort, state.sort === null));
  put("hidden", json(state.hidden, state.hidden.length === 0));
  put("filters", json(state.filters, Object.keys(state.filters).length === 0));
  put("scales", json(state.scales, Object.keys(state.scales).length === 0));
  put("statuses", json(state.statuses, state.statuses.length === ALL_STATUSES.length));
  put("trial", state.trial || null);
  put("aggregate", state.aggregate || null);
  const text = params.toString();
  const hash = text ? `#${text}` : "";
  if (hash === location.hash || (!hash && !location.hash)) return;
  history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
}

/**
 * Whether a filter lets nothing out (an empty regex, an open range).
 * @param {Filter | undefined} f
 */
export function isEmptyFilter(f) {
  if (!f) return true;
  if ("regex" in f) return f.regex === "";
  if ("values" in f) return false;
  return (f.min ?? null) === null && (f.max ?? null) === null;
}
