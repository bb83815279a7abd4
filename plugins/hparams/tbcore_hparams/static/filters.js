/**
 * Which trials pass the view's filters, and in which order the table lists them.
 * A column with a filter lets through only the trials that have a value there.
 * @module
 */

import { tagMatcher } from "@tbcore/sdk";
import { compareValues, formatValue } from "./data.js";
import { isEmptyFilter } from "./state.js";

/** Keys of the two columns that are not hparams or metrics. */
export const TRIAL_KEY = "trial";
export const STATUS_KEY = "status";

/**
 * A predicate over trial indices for one column's filter, or null when it lets all through.
 * @param {import("./data.js").Column} column
 * @param {import("./state.js").Filter | undefined} filter
 * @returns {((i: number) => boolean) | null}
 */
export function columnTest(column, filter) {
  if (!filter || isEmptyFilter(filter)) return null;
  const values = column.values;
  if ("regex" in filter) {
    const matches = tagMatcher(filter.regex);
    return (i) => values[i] !== null && matches(formatValue(values[i]));
  }
  if ("values" in filter) {
    const allowed = new Set(filter.values);
    return (i) => values[i] !== null && allowed.has(/** @type {any} */ (values[i]));
  }
  const lo = filter.min ?? -Infinity;
  const hi = filter.max ?? Infinity;
  const numbers = column.numbers;
  return (i) => numbers[i] >= lo && numbers[i] <= hi;
}

/**
 * 1 for each trial that passes every filter and has an allowed status, else 0.
 * @param {import("./data.js").Trials} model
 * @param {import("./state.js").ViewState} state
 * @param {string} [skipKey] leave this column's filter out (an axis shows what its own brush
 *   would let in)
 * @returns {Uint8Array}
 */
export function passMask(model, state, skipKey) {
  const n = model.trials.length;
  const mask = new Uint8Array(n).fill(1);
  const statuses = new Set(state.statuses);
  if (statuses.size < 4) {
    for (let i = 0; i < n; i++) {
      const t = model.trials[i];
      if (!t.statuses.some((s) => statuses.has(s)) && !(t.statuses.length === 0 && statuses.has("STATUS_UNKNOWN"))) mask[i] = 0;
    }
  }
  for (const [key, filter] of Object.entries(state.filters)) {
    if (key === skipKey) continue;
    const column = model.byKey.get(key);
    const test = column ? columnTest(column, filter) : null;
    if (!test) continue;
    for (let i = 0; i < n; i++) if (mask[i] && !test(i)) mask[i] = 0;
  }
  return mask;
}

/**
 * The indices of the trials that pass, sorted by the view's sort column (missing values
 * last, whichever the direction), then by name.
 * @param {import("./data.js").Trials} model
 * @param {import("./state.js").ViewState} state
 * @param {Uint8Array} mask
 * @returns {number[]}
 */
export function sortedRows(model, state, mask) {
  const rows = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) rows.push(i);
  const names = model.trials.map((t) => t.name);
  const byName = (/** @type {number} */ a, /** @type {number} */ b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0);
  const sort = state.sort;
  if (!sort) return rows.sort(byName);
  const sign = sort.desc ? -1 : 1;
  /** @type {(i: number) => any} */
  let get;
  if (sort.key === TRIAL_KEY) get = (i) => names[i];
  else if (sort.key === STATUS_KEY) get = (i) => model.trials[i].status;
  else {
    const column = model.byKey.get(sort.key);
    if (!column) return rows.sort(byName);
    get = column.type === "number" ? (i) => (Number.isNaN(column.numbers[i]) && column.values[i] === null ? null : column.numbers[i]) : (i) => column.values[i];
  }
  return rows.sort((a, b) => {
    const va = get(a), vb = get(b);
    if (va === null || vb === null) return va === vb ? byName(a, b) : va === null ? 1 : -1;
    return sign * compareValues(va, vb) || byName(a, b);
  });
}
