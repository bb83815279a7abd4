/**
 * What the scalars dashboard computes from the runs' points: TensorBoard's smoothing, a y
 * range without outliers, and the mean line and band of a group of runs.
 * @module
 */

// Moved to the SDK, shared with the time series dashboard.
export { robustRange, smooth } from "@tbcore/sdk/smoothing.js";

/**
 * One mean line per group of runs (runs with the same `keyOf`: name less the regex, or hparam),
 * with a band: min–max, or ±1 standard deviation, of the runs' values at each step. Runs
 * without a finite value (all NaN) are left out of their group and of its count.
 * @param {Record<string, Curve>} curves each run's finite points (see {@link finitePoints})
 * @param {(run: string) => string} keyOf
 * @param {{band: string, colorOf: (run: string) => string}} options `band`: "minmax" or "std"
 * @returns {{series: import("@tbcore/sdk/line_chart.js").ChartSeries[], groups: {key: string, color: string, count: number}[]}}
 */
export function groupSeries(curves, keyOf, { band, colorOf }) {
  /** @type {Map<string, string[]>} */
  const groups = new Map();
  for (const run of Object.keys(curves)) {
    const key = keyOf(run);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)?.push(run);
  }
  const out = [];
  const legend = [];
  for (const [key, members] of groups) {
    // Runs are resampled (linearly) onto the union of their steps, each within its own
    // range, so runs logged at different steps still average smoothly.
    const runs = members.filter((run) => curves[run].steps.length > 0);
    if (!runs.length) continue;
    const drawn = runs.map((run) => curves[run]);
    const union = [...new Set(drawn.flatMap((c) => c.steps))].sort((a, b) => a - b);
    /** @type {Map<number, {xs: number[], ys: number[]}>} */
    const byStep = new Map(union.map((step) => [step, { xs: [], ys: [] }]));
    for (const curve of drawn) {
      let j = 0;
      for (const step of union) {
        if (step < curve.steps[0] || step > curve.steps[curve.steps.length - 1]) continue;
        while (curve.steps[j + 1] !== undefined && curve.steps[j + 1] <= step) j++;
        const next = Math.min(j + 1, curve.steps.length - 1);
        const span = curve.steps[next] - curve.steps[j];
        const t = span > 0 ? (step - curve.steps[j]) / span : 0;
        const at = byStep.get(step);
        at?.xs.push(curve.xs[j] + t * (curve.xs[next] - curve.xs[j]));
        at?.ys.push(curve.ys[j] + t * (curve.ys[next] - curve.ys[j]));
      }
    }
    const steps = [...byStep.keys()].sort((a, b) => a - b);
    const x = [], mean = [], lower = [], upper = [];
    for (const step of steps) {
      const { xs, ys } = /** @type {{xs: number[], ys: number[]}} */ (byStep.get(step));
      const m = ys.reduce((a, b) => a + b, 0) / ys.length;
      const sd = Math.sqrt(ys.reduce((a, b) => a + (b - m) ** 2, 0) / ys.length);
      x.push(xs.reduce((a, b) => a + b, 0) / xs.length);
      mean.push(m);
      lower.push(band === "std" ? m - sd : Math.min(...ys));
      upper.push(band === "std" ? m + sd : Math.max(...ys));
    }
    const color = colorOf(runs[0]);
    const first = out.length;
    out.push({ name: `${key} (lower)`, color, x, y: lower, width: 0.5, alpha: 0.4, tooltip: false });
    out.push({ name: `${key} (upper)`, color, x, y: upper, width: 0.5, alpha: 0.4, fillTo: first, tooltip: false });
    out.push({ name: `${key} (mean of ${runs.length})`, color, x, y: mean, width: 2 });
    legend.push({ key, color, count: runs.length });
  }
  return { series: out, groups: legend };
}

/**
 * @typedef {{steps: number[], xs: number[], ys: number[]}} Curve a run's points with a finite
 *   value: their steps, x values (step or time) and y values
 */

/**
 * The points of a run whose (smoothed) value is finite.
 * @param {ArrayLike<number>} steps
 * @param {ArrayLike<number>} x the x value of each point (step, or a time)
 * @param {ArrayLike<number>} y
 * @returns {Curve}
 */
export function finitePoints(steps, x, y) {
  /** @type {Curve} */
  const out = { steps: [], xs: [], ys: [] };
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) continue;
    out.steps.push(steps[i]);
    out.xs.push(x[i]);
    out.ys.push(y[i]);
  }
  return out;
}
