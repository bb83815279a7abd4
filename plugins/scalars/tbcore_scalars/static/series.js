/**
 * Helpers shared by the scalars dashboards' modules.
 * @module
 */

// Moved to the SDK, shared with the time series dashboard.
export { decodeColumns, fetchColumns, numbers } from "@tbcore/sdk/columns.js";

/** @typedef {import("@tbcore/sdk/columns.js").RunColumns} RunColumns */

/**
 * The `since` parameter (one per run, in the order of `runs`) asking only for the points each
 * run gained after the columns held: `count:step:wall_time` of the last point held.
 * @param {string[]} runs
 * @param {Record<string, RunColumns>} held
 * @returns {string[]}
 */
export function sinceParams(runs, held) {
  return runs.map((run) => {
    const cols = held[run];
    const n = cols?.step.length ?? 0;
    return n && cols.wall_time ? `${n}:${cols.step[n - 1]}:${cols.wall_time[n - 1]}` : "";
  });
}

/**
 * The columns held with a `since` answer applied: a run whose answer starts where its held
 * columns end (`offset` = their length) is extended, any other run is replaced.
 * @param {Record<string, RunColumns>} held
 * @param {Record<string, RunColumns & {offset?: number}>} fresh
 * @returns {Record<string, RunColumns>}
 */
export function appendColumns(held, fresh) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const [run, cols] of Object.entries(fresh)) {
    const old = /** @type {Record<string, any>} */ (held[run]);
    if (!cols.offset || !old || old.step.length !== cols.offset) {
      out[run] = cols;
      continue;
    }
    /** @type {Record<string, any>} */
    const merged = { total: cols.total };
    for (const [name, tail] of Object.entries(cols)) {
      if (!ArrayBuffer.isView(tail)) continue;
      const head = old[name];
      const Kind = head instanceof Float64Array || tail instanceof Float64Array ? Float64Array : Float32Array;
      const joined = new Kind(head.length + tail.length);
      joined.set(head);
      joined.set(/** @type {Float32Array|Float64Array} */ (tail), head.length);
      merged[name] = joined;
    }
    out[run] = merged;
  }
  return out;
}
