/**
 * One run's histograms as ridges: parsing TensorBoard's rows, the shared value range,
 * re-binning onto display bins, finding the bucket under a value.
 * @module
 */

import { toNumber } from "./histogram_canvas.js";

/**
 * @typedef {object} Ridge one step's histogram, ready to draw
 * @property {number} step
 * @property {number} wallTime
 * @property {Float64Array} left original bucket edges and counts (finite buckets only)
 * @property {Float64Array} right
 * @property {Float64Array} count
 * @property {Float64Array} bins the counts spread over the display bins
 */

/**
 * Parse `[[wall_time, step, [[left, right, count], ...]], ...]` rows, sorted by step.
 * Buckets with a non-finite edge or count cannot be placed and are left out.
 * @param {any[]} rows
 * @returns {Ridge[]}
 */
export function parseRows(rows) {
  const out = rows.map(([wallTime, step, buckets]) => {
    const kept = buckets
      .map((/** @type {any[]} */ b) => b.map(toNumber))
      .filter((/** @type {number[]} */ b) => b.every(Number.isFinite));
    return {
      step,
      wallTime: toNumber(wallTime),
      left: Float64Array.from(kept, (b) => b[0]),
      right: Float64Array.from(kept, (b) => b[1]),
      count: Float64Array.from(kept, (b) => b[2]),
      bins: new Float64Array(0),
    };
  });
  return out.sort((a, b) => a.step - b.step);
}

/**
 * The value range every ridge shares (padded when degenerate).
 * @param {Ridge[]} ridges
 * @returns {[number, number]}
 */
export function valueRange(ridges) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of ridges) {
    for (let i = 0; i < r.left.length; i++) {
      lo = Math.min(lo, r.left[i]);
      hi = Math.max(hi, r.right[i]);
    }
  }
  if (!(hi >= lo)) return [-1, 1];
  if (hi === lo) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/**
 * Spread each bucket's count over `n` equal display bins of [lo, hi] by overlap (a bucket of
 * zero width falls in the bin holding its edge), so buckets of any widths and numbers draw
 * as one comparable shape.
 * @param {Ridge} r
 * @param {number} lo
 * @param {number} hi
 * @param {number} n
 */
export function rebin(r, lo, hi, n) {
  const bins = new Float64Array(n);
  const width = (hi - lo) / n;
  for (let i = 0; i < r.left.length; i++) {
    const a = r.left[i];
    const b = r.right[i];
    const c = r.count[i];
    if (!c) continue;
    const first = Math.min(n - 1, Math.max(0, Math.floor((a - lo) / width)));
    const last = Math.min(n - 1, Math.max(0, Math.floor((b - lo) / width)));
    if (b <= a || first === last) {
      bins[first] += c;
      continue;
    }
    for (let k = first; k <= last; k++) {
      const overlap = Math.min(b, lo + (k + 1) * width) - Math.max(a, lo + k * width);
      if (overlap > 0) bins[k] += (c * overlap) / (b - a);
    }
  }
  return bins;
}

/**
 * The original bucket under value `v`: of the buckets holding `v` (or, when none does, of
 * the nearest ones), the one with the largest count. TensorBoard-style data puts a spike in
 * many zero-width buckets at the same value with only one of them counted (tf.summary's
 * histogram of equal values), and adjacent buckets share their edge: the counted one wins.
 * @param {Ridge} r
 * @param {number} v
 * @returns {number} its index, or -1 for an empty histogram
 */
export function bucketAt(r, v) {
  let best = -1;
  let distance = Infinity;
  for (let i = 0; i < r.left.length; i++) {
    const d = v >= r.left[i] && v <= r.right[i] ? 0 : Math.min(Math.abs(v - r.left[i]), Math.abs(v - r.right[i]));
    if (d < distance || (d === distance && r.count[i] > r.count[best])) {
      distance = d;
      best = i;
    }
  }
  return best;
}
