/**
 * The line chart's hover box: the order of its rows (a user's choice) and the default table.
 * @module
 */

import { h } from "./dom.js";
import { formatNumber } from "./number_format.js";
import { nearestIndex } from "./_align.js";

/** The orders a tooltip can list its rows in: `[value, label]`, the default first. */
export const TOOLTIP_SORTS = Object.freeze([
  ["nearest", "Nearest first"],
  ["default", "Run order"],
  ["descending", "Highest value first"],
  ["ascending", "Lowest value first"],
]);

/** Rows a tooltip shows unless told otherwise. */
export const DEFAULT_TOOLTIP_ROWS = 12;

/**
 * The cursor's points in the chosen order. `points` come nearest first; "default" is the
 * order of the series as given; a value that is not a number (NaN) goes last.
 * @template {{y: number, order?: number}} P
 * @param {P[]} points nearest first
 * @param {string} sort one of {@link TOOLTIP_SORTS}
 * @returns {P[]}
 */
export function sortPoints(points, sort) {
  const byValue = (/** @type {number} */ sign) => (/** @type {P} */ a, /** @type {P} */ b) => {
    const va = Number.isNaN(a.y) ? Infinity : sign * a.y;
    const vb = Number.isNaN(b.y) ? Infinity : sign * b.y;
    return va === vb ? 0 : va < vb ? -1 : 1;
  };
  if (sort === "default") return [...points].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  if (sort === "ascending") return [...points].sort(byValue(1));
  if (sort === "descending") return [...points].sort(byValue(-1));
  return points;
}

/**
 * Each listed series' point nearest to the cursor's x, nearest to the cursor first (in
 * pixels; a point off the line, NaN or ±Infinity, after every other).
 * @param {import("uplot").default} u
 * @param {(import("./line_chart.js").ChartSeries & {clean: import("./_align.js").CleanSeries})[]} series
 * @param {number} x the cursor's x value
 * @param {number} left the cursor's position in the plot (CSS px)
 * @param {number} top
 * @returns {import("./line_chart.js").CursorPoint[]}
 */
export function cursorPoints(u, series, x, left, top) {
  /** @type {import("./line_chart.js").CursorPoint[]} */
  const points = [];
  /** @type {Map<import("./line_chart.js").CursorPoint, number>} */
  const distance = new Map();
  series.forEach((s, order) => {
    if (s.tooltip === false) return;
    const i = nearestIndex(s.clean.x, x);
    if (i < 0) return;
    const index = s.clean.index[i];
    /** @type {import("./line_chart.js").CursorPoint} */
    const point = { name: s.name, color: s.color, x: s.clean.x[i], y: s.clean.raw[i], index, order, meta: s.meta };
    if (s.wallTimes) point.wallTime = +s.wallTimes[index];
    points.push(point);
    const py = s.clean.y[i] === s.clean.y[i] ? u.valToPos(s.clean.y[i], "y") : NaN;
    const d = Math.hypot(u.valToPos(point.x, "x") - left, py - top);
    distance.set(point, Number.isFinite(d) ? d : Infinity);
  });
  points.sort((a, b) => /** @type {number} */ (distance.get(a)) - /** @type {number} */ (distance.get(b)));
  return points;
}

/**
 * A local date and time, `2024-05-01 13:04:05`, of Unix seconds.
 * @param {number} seconds
 */
export function formatWallTime(seconds) {
  if (!Number.isFinite(seconds)) return "";
  const d = new Date(seconds * 1000);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The default tooltip: a row per point (swatch, name, value, x, and the wall time when the
 * series has them), at most `maxRows`, the others counted.
 * @param {import("./line_chart.js").CursorPoint[]} points
 * @param {number} maxRows
 */
export function tooltipTable(points, maxRows) {
  const shown = points.slice(0, Math.max(1, maxRows));
  const withTime = shown.some((p) => p.wallTime != null);
  const columns = withTime ? 5 : 4;
  return h(
    "table",
    { class: "tb-chart-tooltip" },
    h(
      "tbody",
      null,
      shown.map((p) =>
        h(
          "tr",
          null,
          h("td", null, h("span", { class: "tb-swatch", style: { background: p.color } })),
          h("td", { class: "tb-chart-tooltip-name" }, p.name),
          h("td", { class: "tb-num" }, formatNumber(p.y)),
          h("td", { class: "tb-num tb-muted" }, formatNumber(p.x)),
          withTime ? h("td", { class: "tb-num tb-muted tb-chart-tooltip-time" }, p.wallTime != null ? formatWallTime(p.wallTime) : "") : null,
        ),
      ),
      points.length > shown.length
        ? h("tr", null, h("td", { colspan: columns, class: "tb-muted" }, `+${points.length - shown.length} more`))
        : null,
    ),
  );
}
