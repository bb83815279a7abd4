/**
 * One run's distribution: TensorBoard's rows parsed into columns, and the stretches of steps
 * that can be drawn.
 * @module
 */

import { toNumber } from "./_canvas.js";

/**
 * @typedef {object} Distribution
 * @property {number[]} step
 * @property {number[]} wallTime seconds, one per step
 * @property {number[][]} values per basis point, one value per step
 */

/**
 * Parse `[[wall_time, step, [[basis_point, value], ...9]], ...]` rows, sorted by step.
 * @param {any[]} rows
 * @returns {Distribution}
 */
export function parseRows(rows) {
  const sorted = [...rows].sort((a, b) => a[1] - b[1]);
  const values = Array.from({ length: 9 }, () => /** @type {number[]} */ ([]));
  for (const [, , points] of sorted) {
    for (let j = 0; j < 9; j++) values[j].push(points[j] ? toNumber(points[j][1]) : NaN);
  }
  return { step: sorted.map((r) => r[1]), wallTime: sorted.map((r) => toNumber(r[0])), values };
}

/**
 * Runs of consecutive steps whose nine values are all finite (a band is one polygon per run).
 * @param {Distribution} d
 * @returns {[number, number][]} [first, last] index pairs
 */
export function finiteSegments(d) {
  /** @type {[number, number][]} */
  const out = [];
  let start = -1;
  for (let i = 0; i <= d.step.length; i++) {
    const ok = i < d.step.length && d.values.every((v) => Number.isFinite(v[i]));
    if (ok && start < 0) start = i;
    if (!ok && start >= 0) {
      out.push([start, i - 1]);
      start = -1;
    }
  }
  return out;
}
