/**
 * Vertical axis scales of the parallel coordinates and scatter plots: numbers on a linear or
 * logarithmic scale, other values evenly spaced in their sorted order, and the way back from
 * a brushed pixel range to a column filter.
 * @module
 */

/** A numeric axis is logarithmic by default when its positive values span this factor. */
const AUTO_LOG_RATIO = 100;

/**
 * @typedef {object} AxisScale
 * @property {boolean} log
 * @property {number} lo smallest value on the axis (numbers)
 * @property {number} hi largest value on the axis (numbers)
 * @property {number} top pixel of the largest value
 * @property {number} bottom pixel of the smallest value
 * @property {number} missingY where trials without a value are drawn
 * @property {(value: unknown, number: number) => number} y pixel of a value (`number`: the
 *   value as a number, NaN for non-numeric columns)
 * @property {(y0: number, y1: number) => import("./state.js").Filter} filter the filter a brush
 *   from `y0` to `y1` makes
 * @property {(filter: any) => [number, number] | null} band pixels a filter covers
 */

/**
 * Whether a numeric column is drawn on a log axis: as the user chose, else when its values
 * are all positive and span a factor of 100 or more.
 * @param {import("./data.js").Column} column
 * @param {"log" | "linear" | undefined} choice
 */
export function isLog(column, choice) {
  if (column.type !== "number" || !column.positive) return false;
  if (choice) return choice === "log";
  return column.max / column.min >= AUTO_LOG_RATIO;
}

/**
 * @param {import("./data.js").Column} column
 * @param {"log" | "linear" | undefined} choice
 * @param {number} top
 * @param {number} bottom
 * @returns {AxisScale}
 */
export function axisScale(column, choice, top, bottom) {
  const missingY = bottom + 16;
  const toY = (/** @type {number} */ t) => bottom - t * (bottom - top);
  if (column.type !== "number") {
    const index = new Map(column.categories.map((v, i) => [v, i]));
    const m = column.categories.length;
    const position = (/** @type {number} */ i) => toY(m === 1 ? 0.5 : i / (m - 1));
    const step = m > 1 ? (bottom - top) / (m - 1) : bottom - top;
    return {
      log: false, lo: NaN, hi: NaN, top, bottom, missingY,
      y: (value) => {
        const i = index.get(/** @type {any} */ (value));
        return i === undefined ? missingY : position(i);
      },
      filter: (y0, y1) => {
        const [a, b] = [Math.min(y0, y1), Math.max(y0, y1)];
        return { values: column.categories.filter((_, i) => position(i) >= a && position(i) <= b) };
      },
      band: (f) => {
        if (!("values" in f)) return null;
        const ys = f.values.map((/** @type {any} */ v) => index.get(v)).filter((/** @type {any} */ i) => i !== undefined).map(position);
        if (!ys.length) return null;
        return [Math.min(...ys) - Math.min(step / 2, 8), Math.max(...ys) + Math.min(step / 2, 8)];
      },
    };
  }
  const log = isLog(column, choice);
  let lo = Number.isFinite(column.min) ? column.min : 0;
  let hi = Number.isFinite(column.max) ? column.max : 1;
  if (lo === hi) [lo, hi] = log ? [lo / 10, hi * 10] : [lo - 1, hi + 1];
  const f = log ? Math.log10 : (/** @type {number} */ x) => x;
  const finv = log ? (/** @type {number} */ t) => 10 ** t : (/** @type {number} */ t) => t;
  const flo = f(lo), fhi = f(hi);
  const t = (/** @type {number} */ x) => (f(x) - flo) / (fhi - flo);
  const valueAt = (/** @type {number} */ y) => finv(flo + ((bottom - y) / (bottom - top)) * (fhi - flo));
  const clamp = (/** @type {number} */ y) => Math.min(bottom, Math.max(top, y));
  return {
    log, lo, hi, top, bottom, missingY,
    y: (_value, x) => (Number.isFinite(x) && (!log || x > 0) ? toY(t(x)) : missingY),
    filter: (y0, y1) => ({ min: valueAt(Math.max(y0, y1)), max: valueAt(Math.min(y0, y1)) }),
    band: (filter) => {
      if ("values" in filter) return null;
      const yLo = filter.min === null || filter.min === undefined ? bottom : clamp(toY(t(Math.max(filter.min, log ? lo / 1e6 : -Infinity))));
      const yHi = filter.max === null || filter.max === undefined ? top : clamp(toY(t(filter.max)));
      return [Math.min(yLo, yHi), Math.max(yLo, yHi)];
    },
  };
}

/**
 * Tick values of a numeric scale and their pixels: 1, 2, 5 times a power of ten on a linear
 * axis; powers of ten on a log axis (and both ends when fewer than two fit).
 * @param {AxisScale} scale
 * @returns {{value: number, y: number}[]}
 */
export function ticksOf(scale) {
  const { lo, hi } = scale;
  /** @type {number[]} */
  let values = [];
  if (scale.log) {
    for (let e = Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) values.push(10 ** e);
    if (values.length > 6) values = values.filter((_, i) => i % Math.ceil(values.length / 6) === 0);
    if (values.length < 2) values = [lo, hi];
  } else {
    const raw = (hi - lo) / 4;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  }
  return values.map((value) => ({ value, y: scale.y(value, value) }));
}

/**
 * Whether trial `i` has a place on `column`'s `scale` (a value, finite, positive on a log axis).
 * @param {AxisScale} scale
 * @param {import("./data.js").Column} column
 * @param {number} i
 */
export function hasPlace(scale, column, i) {
  if (column.values[i] === null) return false;
  if (column.type !== "number") return true;
  const x = column.numbers[i];
  return Number.isFinite(x) && (!scale.log || x > 0);
}
