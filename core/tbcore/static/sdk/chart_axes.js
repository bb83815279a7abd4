/**
 * The line chart's two axes as uPlot options: where the ticks go (see `axis_ticks.js`), how
 * they read ({@link formatTick}'s compact numbers, a dashboard's `xFormat`, or dates), and a
 * y axis as wide as its longest label.
 * @module
 */

import { MIN_LOG_TICK_SPACE, MIN_TICK_SPACE, NICE_INCRS, linearIncrement, linearTicks, logTicks } from "./axis_ticks.js";
import { formatTick } from "./number_format.js";

/** Tick increments of a whole-number axis: 1, 2 and 5 times each power of ten. */
const INTEGER_INCRS = Array.from({ length: 16 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/**
 * @typedef {object} AxesOptions
 * @property {boolean} logX
 * @property {boolean} logY
 * @property {string} [xLabel]
 * @property {string} [yLabel]
 * @property {boolean} [xIntegers]
 * @property {boolean} [xTime]
 * @property {(value: number) => string} [xFormat]
 * @property {string} fg the labels' color
 * @property {string} grid the grid's and ticks' color
 */

/**
 * uPlot's `axes` option of a line chart.
 * @param {AxesOptions} o
 * @returns {any[]}
 */
export function chartAxes(o) {
  const axis = (/** @type {string | undefined} */ label) => ({
    label,
    stroke: o.fg,
    grid: { stroke: o.grid, width: 1 },
    ticks: { stroke: o.grid, width: 1 },
  });
  /** Which log ticks carry a label, per axis (set by `splits`, read by `values`). */
  const labelled = [new Map(), new Map()];
  const logSplits = (/** @type {0 | 1} */ i) => (/** @type {any} */ u, /** @type {number} */ _axis, /** @type {number} */ lo, /** @type {number} */ hi) => {
    const pixels = i === 0 ? u.bbox.width / devicePixelRatio : u.bbox.height / devicePixelRatio;
    const ticks = logTicks(lo, hi, pixels, i === 0 ? 50 : MIN_LOG_TICK_SPACE);
    labelled[i].clear();
    if (ticks) {
      ticks.splits.forEach((v, k) => labelled[i].set(v, ticks.labelled[k]));
      return ticks.splits;
    }
    // Narrower than two labelled powers: a linear axis' ticks, all labelled.
    const splits = linearTicks(lo, hi, linearIncrement(lo, hi, pixels, i === 0 ? 60 : MIN_TICK_SPACE));
    for (const v of splits) labelled[i].set(v, true);
    return splits;
  };
  const logLabels = (/** @type {0 | 1} */ i, /** @type {((v: number) => string) | undefined} */ format) => (/** @type {any} */ _u, /** @type {number[]} */ splits) =>
    splits.map((v) => (v == null || !labelled[i].get(v) ? "" : format ? (format(v) ?? String(v)) : formatTick(v, NaN)));
  return [
    {
      ...axis(o.xLabel),
      ...(o.xIntegers ? { incrs: INTEGER_INCRS } : o.xTime ? {} : { incrs: NICE_INCRS }),
      ...(o.logX ? { splits: logSplits(0), filter: keepAll, values: logLabels(0, o.xFormat) } : {}),
      // Dates on a time axis are uPlot's; numbers are labelled like the y axis'.
      ...(!o.logX && (o.xFormat || !o.xTime)
        ? { values: (/** @type {any} */ _u, /** @type {(number | null)[]} */ splits, /** @type {number} */ _axis, /** @type {number} */ _space, /** @type {number} */ incr) => tickLabels(splits, incr, o.xFormat) }
        : {}),
    },
    {
      ...axis(o.yLabel),
      space: MIN_TICK_SPACE,
      ...(o.logY
        ? { splits: logSplits(1), filter: keepAll, values: logLabels(1) }
        : { incrs: NICE_INCRS, values: (/** @type {any} */ _u, /** @type {(number | null)[]} */ splits, /** @type {number} */ _axis, /** @type {number} */ _space, /** @type {number} */ incr) => tickLabels(splits, incr) }),
      size: (/** @type {any} */ u, /** @type {string[] | null} */ values, /** @type {number} */ axisIndex, /** @type {number} */ cycle) => axisWidth(u, values, axisIndex, cycle),
    },
  ];
}

/**
 * An axis filter keeping every tick (uPlot's log axes blank all but the powers of ten; ours
 * say themselves which ticks carry a label).
 * @param {any} _u
 * @param {number[]} splits
 */
const keepAll = (_u, splits) => splits;

/**
 * Tick labels of an axis: `format(value)` if given, else {@link formatTick} with the tick
 * spacing `incr` (NaN on a log axis). uPlot passes null for the ticks a log axis leaves
 * unlabelled: those get `""`, and `format` never sees them.
 * @param {(number | null)[]} splits
 * @param {number} incr
 * @param {(value: number) => string} [format]
 * @returns {string[]}
 */
function tickLabels(splits, incr, format) {
  return splits.map((v) => (v == null ? "" : format ? (format(v) ?? String(v)) : formatTick(v, incr)));
}

/**
 * Width of the y axis: its longest tick label plus the ticks, so that no label is cut off.
 * @param {any} u
 * @param {string[] | null} values
 * @param {number} axisIndex
 * @param {number} cycle
 */
function axisWidth(u, values, axisIndex, cycle) {
  const axis = /** @type {any} */ (u.axes[axisIndex]);
  let size = (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 4;
  const longest = (values ?? []).reduce((a, b) => (b.length > a.length ? b : a), "");
  if (longest) {
    u.ctx.font = axis.font[0];
    size += u.ctx.measureText(longest).width / devicePixelRatio;
  }
  size = Math.max(40, Math.ceil(size));
  // Later layout cycles may pick finer ticks (longer labels) once the plot's width is known:
  // only ever grow within one layout, so that it still converges.
  return cycle > 1 && axis._size ? Math.max(axis._size, size) : size;
}

