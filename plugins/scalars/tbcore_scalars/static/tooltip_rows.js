/**
 * The scalars charts' tooltip: TensorBoard's columns (run, smoothed, value, step, relative
 * and wall time), one row per run, in the order the toolbar chose (nearest to the cursor
 * first by default), at most as many as it says (the rest are counted).
 * @module
 */

import { formatNumber, h } from "@tbcore/sdk";

/** Rows shown when the chart does not say. */
const DEFAULT_ROWS = 12;

/**
 * @typedef {object} RunPointsMeta what a run's line carries for the tooltip (`meta`)
 * @property {ArrayLike<number>} x the line's x values (sorted)
 * @property {ArrayLike<number>} smoothed
 * @property {ArrayLike<number>} raw
 * @property {ArrayLike<number>} step
 * @property {ArrayLike<number>} [wall_time] seconds since the epoch (absent in a first pass)
 */

/**
 * @param {{points: import("@tbcore/sdk/line_chart.js").CursorPoint[], maxRows?: number}} info
 * @param {"step" | "relative" | "wall"} _xAxis the x axis (every axis shows both times)
 */
export function scalarTooltip({ points, maxRows = DEFAULT_ROWS }, _xAxis) {
  const rows = points.slice(0, Math.max(1, maxRows)).map((p) => {
    const meta = /** @type {RunPointsMeta | undefined} */ (p.meta);
    const i = meta ? (p.index != null && p.index < meta.x.length ? p.index : indexOf(meta.x, p.x)) : -1;
    const cells = meta && i >= 0
      ? [formatNumber(meta.smoothed[i]), formatNumber(meta.raw[i]), String(meta.step[i]), relativeTime(meta, i), wallTime(meta, i)]
      : [formatNumber(p.y), "", "", "", ""];
    return h(
      "tr",
      { class: "scalars-tooltip-row" },
      h("td", null, h("span", { class: "tb-swatch", style: { background: p.color } })),
      h("td", { class: "tb-chart-tooltip-name" }, p.name),
      cells.map((text) => h("td", { class: "tb-num" }, text)),
    );
  });
  const header = ["", "Run", "Smoothed", "Value", "Step", "Relative", "Wall time"];
  return h(
    "table",
    { class: "tb-chart-tooltip scalars-tooltip" },
    h("thead", null, h("tr", null, header.map((text) => h("th", null, text)))),
    h(
      "tbody",
      null,
      rows,
      points.length > rows.length
        ? h("tr", { class: "scalars-tooltip-more" }, h("td", { colspan: 7, class: "tb-muted" }, `… ${points.length - rows.length} more`))
        : null,
    ),
  );
}

/** @param {RunPointsMeta} meta @param {number} i */
function relativeTime(meta, i) {
  const wall = meta.wall_time;
  return wall && wall.length ? formatDuration(wall[i] - wall[0]) : "";
}

/** @param {RunPointsMeta} meta @param {number} i */
function wallTime(meta, i) {
  const wall = meta.wall_time;
  return wall && wall.length ? new Date(wall[i] * 1000).toLocaleString() : "";
}

/**
 * A duration as TensorBoard writes relative times: `1h 2m 3s`, `4m 5s`, `6.7s`.
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  return hours ? `${hours}h ${minutes}m ${secs}s` : `${minutes}m ${secs}s`;
}

/**
 * Index of `value` in the sorted `xs` (or of the nearest value), -1 when empty.
 * @param {ArrayLike<number>} xs
 * @param {number} value
 */
function indexOf(xs, value) {
  if (!xs.length) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1] - value) <= Math.abs(xs[lo] - value)) return lo - 1;
  return lo;
}
