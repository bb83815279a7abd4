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
 * widened by 10% on each side.
 * @param {{y: ArrayLike<number>}[]} series
 * @returns {[number, number] | undefined}
 */
export function robustRange(series) {
  const values = [];
  for (const s of series) for (let i = 0; i < s.y.length; i++) if (Number.isFinite(s.y[i])) values.push(s.y[i]);
  if (values.length < 10) return undefined;
  values.sort((a, b) => a - b);
  const lo = values[Math.floor(values.length * 0.05)];
  const hi = values[Math.ceil(values.length * 0.95) - 1];
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  return [lo - pad, hi + pad];
}
