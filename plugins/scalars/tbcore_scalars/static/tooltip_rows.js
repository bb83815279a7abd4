/**
 * The scalars charts' tooltip: TensorBoard's columns (run, smoothed, value, step, time), one
 * row per run, nearest to the cursor first, at most {@link MAX_TOOLTIP_ROWS} of them.
 * @module
 */

import { formatNumber, h } from "@tbcore/sdk";

/** Rows shown at most (the nearest runs); the rest are counted, so the tooltip stays small. */
const MAX_TOOLTIP_ROWS = 12;

/**
 * @typedef {object} RunPointsMeta what a run's line carries for the tooltip (`meta`)
 * @property {ArrayLike<number>} x the line's x values (sorted)
 * @property {ArrayLike<number>} smoothed
 * @property {ArrayLike<number>} raw
 * @property {ArrayLike<number>} step
 * @property {ArrayLike<number>} [wall_time] seconds since the epoch (absent in a first pass)
 */

/**
 * @param {{points: import("@tbcore/sdk/line_chart.js").CursorPoint[]}} info
 * @param {"step" | "relative" | "wall"} xAxis which time to show: relative (also on the step
 *   axis) or wall-clock
 */
export function scalarTooltip({ points }, xAxis) {
  const rows = points.slice(0, MAX_TOOLTIP_ROWS).map((p) => {
    const meta = /** @type {RunPointsMeta | undefined} */ (p.meta);
    const i = meta ? indexOf(meta.x, p.x) : -1;
    const cells = meta && i >= 0
      ? [formatNumber(meta.smoothed[i]), formatNumber(meta.raw[i]), String(meta.step[i]), timeOf(meta, i, xAxis)]
      : [formatNumber(p.y), "", "", ""];
    return h(
      "tr",
      { class: "scalars-tooltip-row" },
      h("td", null, h("span", { class: "tb-swatch", style: { background: p.color } })),
      h("td", { class: "tb-chart-tooltip-name" }, p.name),
      cells.map((text) => h("td", { class: "tb-num" }, text)),
    );
  });
  const header = ["", "Run", "Smoothed", "Value", "Step", xAxis === "wall" ? "Time" : "Relative"];
  return h(
    "table",
    { class: "tb-chart-tooltip scalars-tooltip" },
    h("thead", null, h("tr", null, header.map((text) => h("th", null, text)))),
    h(
      "tbody",
      null,
      rows,
      points.length > rows.length
        ? h("tr", { class: "scalars-tooltip-more" }, h("td", { colspan: 6, class: "tb-muted" }, `… ${points.length - rows.length} more`))
        : null,
    ),
  );
}

/**
 * @param {RunPointsMeta} meta
 * @param {number} i
 * @param {"step" | "relative" | "wall"} xAxis
 */
function timeOf(meta, i, xAxis) {
  const wall = meta.wall_time;
  if (!wall || !wall.length) return "";
  if (xAxis === "wall") return new Date(wall[i] * 1000).toLocaleString();
  return formatDuration(wall[i] - wall[0]);
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
