// Turns series with their own x values into uPlot's aligned data: one sorted x array shared by
// all series, with null where a series has no point. Non-finite y values become gaps (the line
// joins their finite neighbours because series span gaps) and are returned as markers.

/**
 * @typedef {"nan" | "+inf" | "-inf"} MarkerKind
 * @typedef {{x: number, kind: MarkerKind}} Marker
 * @typedef {{x: Float64Array, y: Float64Array, raw: Float64Array, index: Int32Array, markers: Marker[]}} CleanSeries
 *   `y` holds the value drawn on the line, NaN where the point is not on it (a non-finite
 *   value, or <= 0 on a log axis); `raw` the original values (NaN, ±Infinity included);
 *   `index` each point's index in the arrays the series was given with; all at the same
 *   indices as `x`
 */

/**
 * Clean one series: drop points with a non-finite x (or x <= 0 on a log x axis), sort by x
 * (stably), turn non-finite y values into markers, leave y <= 0 off the line on a log y axis.
 * @param {ArrayLike<number>} xs
 * @param {ArrayLike<number>} ys
 * @param {{logX: boolean, logY: boolean}} scales
 * @returns {CleanSeries}
 */
export function cleanSeries(xs, ys, { logX, logY }) {
  const n = Math.min(xs.length, ys.length);
  const kept = (/** @type {number} */ xv) => Number.isFinite(xv) && !(logX && xv <= 0);
  // Each x is compared with the last one kept, not with its neighbour: a NaN between two
  // points would hide that they are out of order. Sorted input (the usual case) is not copied.
  /** @type {number[] | null} */
  let order = null;
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const xv = +xs[i];
    if (!kept(xv)) continue;
    if (xv < previous) {
      order = [];
      for (let k = 0; k < n; k++) if (kept(+xs[k])) order.push(k);
      order.sort((a, b) => +xs[a] - +xs[b]);
      break;
    }
    previous = xv;
  }
  const x = new Float64Array(n);
  const raw = new Float64Array(n);
  const y = new Float64Array(n);
  const index = new Int32Array(n);
  /** @type {Marker[]} */
  const markers = [];
  let m = 0;
  const count = order ? order.length : n;
  for (let k = 0; k < count; k++) {
    const i = order ? order[k] : k;
    const xv = +xs[i];
    const yv = +ys[i];
    if (!kept(xv)) continue;
    x[m] = xv;
    raw[m] = yv;
    index[m] = i;
    if (!Number.isFinite(yv)) {
      markers.push({ x: xv, kind: Number.isNaN(yv) ? "nan" : yv > 0 ? "+inf" : "-inf" });
      y[m] = NaN;
    } else {
      y[m] = logY && yv <= 0 ? NaN : yv;
    }
    m++;
  }
  return { x: x.subarray(0, m), y: y.subarray(0, m), raw: raw.subarray(0, m), index: index.subarray(0, m), markers };
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
 * A line's values for uPlot: null where the point is not on the line.
 * @param {Float64Array} y
 * @returns {(number | null)[]}
 */
export function lineValues(y) {
  const out = new Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] === y[i] ? y[i] : null;
  return out;
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
    return [first, ...series.map((s) => lineValues(s.y))];
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
      const v = s.y[i];
      if (v === v) col[j] = v;
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

/**
 * Whether the series, aligned, would have more x values inside `[xMin, xMax]` than a plot
 * `columns` pixels wide can show (more than four per pixel column): then {@link decimate} them.
 * @param {CleanSeries[]} series
 * @param {number} xMin
 * @param {number} xMax
 * @param {number} columns
 */
export function needsDecimation(series, xMin, xMax, columns) {
  // Aligned, the series would share the union of their x values; series logged at the same
  // steps share them exactly, otherwise the union is up to the sum of their points.
  let most = 0;
  let sum = 0;
  for (const s of series) {
    const count = upperBound(s.x, xMax) - lowerBound(s.x, xMin);
    most = Math.max(most, count);
    sum += count;
  }
  const union = series.every((s) => s.x === series[0].x || sameValues(s.x, series[0].x)) ? most : sum;
  return union > 4 * columns;
}

/**
 * What a plot `columns` pixels wide shows of the series over `[xMin, xMax]`, in uPlot's aligned
 * form but small: the window is cut into `columns` slices, and each series gives each slice its
 * lowest and highest point (in their order), placed at a quarter and three quarters of the
 * slice. Drawn, that is the same picture as every point (a line's pixels in one column span its
 * min to max there), at a cost that does not grow with the series. Each series also keeps its
 * value at both window edges (so lines run to them) and its first and last point (so the full
 * extent stays known, for resetting the zoom). Non-finite values are markers, not points, and
 * are not part of this.
 * @param {CleanSeries[]} series
 * @param {number} xMin
 * @param {number} xMax
 * @param {number} columns
 * @returns {[Float64Array, ...(number | null)[][]]} uPlot data
 */
export function decimate(series, xMin, xMax, columns) {
  const width = (xMax - xMin) / columns;
  let first = Infinity;
  let last = -Infinity;
  for (const s of series) {
    if (!s.x.length) continue;
    first = Math.min(first, s.x[0]);
    last = Math.max(last, s.x[s.x.length - 1]);
  }
  // Slots: [first point, left edge, 2 per column..., right edge, last point].
  const xs = new Float64Array(2 * columns + 4);
  xs[0] = Math.min(first, xMin);
  xs[1] = xMin;
  for (let b = 0; b < columns; b++) {
    xs[2 + 2 * b] = xMin + (b + 0.25) * width;
    xs[3 + 2 * b] = xMin + (b + 0.75) * width;
  }
  xs[2 * columns + 2] = xMax;
  xs[2 * columns + 3] = Math.max(last, xMax);
  const out = series.map((s) => decimateOne(s, xMin, xMax, columns, width, xs));
  return [xs, ...out];
}

/**
 * @param {CleanSeries} s
 * @param {number} xMin
 * @param {number} xMax
 * @param {number} columns
 * @param {number} width
 * @param {Float64Array} xs
 */
function decimateOne(s, xMin, xMax, columns, width, xs) {
  /** @type {(number | null)[]} */
  const col = new Array(xs.length).fill(null);
  const n = s.x.length;
  if (!n) return col;
  if (s.x[0] === xs[0] && s.y[0] === s.y[0]) col[0] = s.y[0];
  if (s.x[n - 1] === xs[xs.length - 1] && s.y[n - 1] === s.y[n - 1]) col[xs.length - 1] = s.y[n - 1];
  const lo = lowerBound(s.x, xMin);
  const hi = upperBound(s.x, xMax);
  col[1] = valueAt(s, lo, xMin);
  col[2 * columns + 2] = valueAt(s, hi, xMax);
  let bucket = -1;
  let minI = -1;
  let maxI = -1;
  const flush = () => {
    if (bucket < 0 || minI < 0) return;
    const [a, b] = minI <= maxI ? [minI, maxI] : [maxI, minI];
    col[2 + 2 * bucket] = s.y[a];
    if (b !== a) col[3 + 2 * bucket] = s.y[b];
  };
  for (let i = lo; i < hi; i++) {
    const y = s.y[i];
    if (y !== y) continue; // NaN: not on the line
    const b = Math.min(columns - 1, Math.max(0, Math.floor((s.x[i] - xMin) / width)));
    if (b !== bucket) {
      flush();
      bucket = b;
      minI = maxI = i;
      continue;
    }
    if (y < s.y[minI]) minI = i;
    if (y > s.y[maxI]) maxI = i;
  }
  flush();
  return col;
}

/**
 * The series' value at `x`, interpolated between its points at `i - 1` and `i` (the first
 * point at or after `x`); null outside the series or next to a gap.
 * @param {CleanSeries} s
 * @param {number} i
 * @param {number} x
 */
function valueAt(s, i, x) {
  if (i < s.x.length && s.x[i] === x) return s.y[i] === s.y[i] ? s.y[i] : null;
  if (i <= 0 || i >= s.x.length) return null;
  const y0 = s.y[i - 1];
  const y1 = s.y[i];
  if (y0 !== y0 || y1 !== y1) return null;
  const t = (x - s.x[i - 1]) / (s.x[i] - s.x[i - 1]);
  return y0 + t * (y1 - y0);
}

/**
 * First index of `xs` (sorted) whose value is >= `value`.
 * @param {Float64Array} xs
 * @param {number} value
 */
export function lowerBound(xs, value) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * First index of `xs` (sorted) whose value is > `value`.
 * @param {Float64Array} xs
 * @param {number} value
 */
export function upperBound(xs, value) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
