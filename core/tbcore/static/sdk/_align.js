// Turns series with their own x values into uPlot's aligned data: one sorted x array shared by
// all series, with null where a series has no point. Non-finite y values become gaps (the line
// joins their finite neighbours because series span gaps) and are returned as markers.

/**
 * @typedef {"nan" | "+inf" | "-inf"} MarkerKind
 * @typedef {{x: number, kind: MarkerKind}} Marker
 * @typedef {{x: Float64Array, y: (number | null)[], raw: Float64Array, markers: Marker[]}} CleanSeries
 *   `raw` holds the original y values (NaN, ±Infinity included) at the same indices as `x`
 */

/**
 * Clean one series: drop points with a non-finite x (or x <= 0 on a log x axis), sort by x,
 * turn non-finite y values into markers, drop y <= 0 on a log y axis.
 * @param {ArrayLike<number>} xs
 * @param {ArrayLike<number>} ys
 * @param {{logX: boolean, logY: boolean}} scales
 * @returns {CleanSeries}
 */
export function cleanSeries(xs, ys, { logX, logY }) {
  const n = Math.min(xs.length, ys.length);
  let order = null;
  for (let i = 1; i < n; i++) {
    if (+xs[i] < +xs[i - 1]) {
      order = Array.from({ length: n }, (_, k) => k).sort((a, b) => +xs[a] - +xs[b]);
      break;
    }
  }
  const x = new Float64Array(n);
  const raw = new Float64Array(n);
  /** @type {(number | null)[]} */
  const y = [];
  /** @type {Marker[]} */
  const markers = [];
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    const xv = +xs[i];
    const yv = +ys[i];
    if (!Number.isFinite(xv) || (logX && xv <= 0)) continue;
    x[m] = xv;
    raw[m] = yv;
    if (!Number.isFinite(yv)) {
      markers.push({ x: xv, kind: Number.isNaN(yv) ? "nan" : yv > 0 ? "+inf" : "-inf" });
      y.push(null);
    } else {
      y.push(logY && yv <= 0 ? null : yv);
    }
    m++;
  }
  return { x: x.subarray(0, m), y, raw: raw.subarray(0, m), markers };
}

/**
 * @param {Float64Array} a
 * @param {Float64Array} b
 */
function sameValues(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Align cleaned series on the union of their x values.
 * @param {CleanSeries[]} series
 * @returns {[number[] | Float64Array, ...(number | null)[][]]} uPlot data
 */
export function alignSeries(series) {
  if (series.length === 0) return [[]];
  const first = series[0].x;
  if (series.every((s) => sameValues(s.x, first))) {
    return [first, ...series.map((s) => s.y)];
  }
  let total = 0;
  for (const s of series) total += s.x.length;
  const all = new Float64Array(total);
  let offset = 0;
  for (const s of series) {
    all.set(s.x, offset);
    offset += s.x.length;
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i];
  const xs = all.subarray(0, n);
  const columns = series.map((s) => {
    /** @type {(number | null)[]} */
    const col = new Array(n).fill(null);
    let j = 0;
    for (let i = 0; i < s.x.length; i++) {
      while (xs[j] < s.x[i]) j++;
      col[j] = s.y[i];
    }
    return col;
  });
  return [xs, ...columns];
}

/**
 * Index of the point of `xs` (sorted) nearest to `value`, or -1 when empty.
 * @param {Float64Array} xs
 * @param {number} value
 */
export function nearestIndex(xs, value) {
  if (xs.length === 0) return -1;
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
