/**
 * What charts of scalar curves compute from the points: TensorBoard's smoothing and a y range
 * without outliers (the scalars and time series dashboards).
 * @module
 */

/**
 * TensorBoard's smoothing: an exponential moving average, debiased so the start of the
 * curve is not pulled towards zero. Non-finite values pass through and do not disturb it.
 * @param {ArrayLike<number>} values
 * @param {number} weight 0 (none) to <1
 * @returns {Float64Array}
 */
export function smooth(values, weight) {
  const out = new Float64Array(values.length);
  let first = NaN;
  let constant = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) constant = false;
  }
  if (weight <= 0 || constant) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  let last = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

/**
 * A y range that ignores outliers: the 5th to 95th percentile of every finite value drawn,
 * widened by 10% on each side. Linear in the number of values (a card of 50 runs × 10,000
 * steps has a million: sorting them took a third of a second per card drawn).
 * @param {{y: ArrayLike<number>}[]} series
 * @returns {[number, number] | undefined}
 */
export function robustRange(series) {
  let count = 0;
  for (const s of series) for (let i = 0; i < s.y.length; i++) if (Number.isFinite(s.y[i])) count++;
  if (count < 10) return undefined;
  const values = new Float64Array(count);
  let n = 0;
  for (const s of series) {
    for (let i = 0; i < s.y.length; i++) if (Number.isFinite(s.y[i])) values[n++] = s.y[i];
  }
  const lo = nthSmallest(values, Math.floor(count * 0.05));
  const hi = nthSmallest(values, Math.ceil(count * 0.95) - 1);
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

/**
 * The value that would stand at index `k` if `values` were sorted (Hoare's selection with a
 * median-of-three pivot; reorders `values`, expected linear time).
 * @param {Float64Array} values finite numbers
 * @param {number} k
 * @returns {number}
 */
function nthSmallest(values, k) {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const a = values[lo];
    const b = values[(lo + hi) >> 1];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i++] = values[j];
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}
