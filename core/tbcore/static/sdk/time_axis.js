/**
 * The axis along which steps are laid out: by step, by time since the first step (relative),
 * or by wall time, as TensorBoard's histogram and distribution charts offer. Time values are
 * seconds; labels and ticks for each kind.
 * @module
 */

import { label, ticks } from "./histogram_canvas.js";

/** @typedef {"step" | "relative" | "wall"} XAxis */

/** @type {[XAxis, string][]} the choices, the default first */
export const X_AXIS_CHOICES = [
  ["step", "Step"],
  ["relative", "Relative"],
  ["wall", "Wall"],
];

/**
 * Each point's position on `axis`: its step, seconds since the first point's wall time, or
 * its wall time in seconds.
 * @param {ArrayLike<number>} steps
 * @param {ArrayLike<number>} wallTimes in seconds, same order as `steps`
 * @param {string} axis
 * @returns {Float64Array}
 */
export function axisValues(steps, wallTimes, axis) {
  if (axis === "step") return Float64Array.from(steps);
  const start = axis === "relative" && wallTimes.length ? wallTimes[0] : 0;
  return Float64Array.from(wallTimes, (t) => t - start);
}

/**
 * The smallest and largest finite value (`[0, 0]` when there is none).
 * @param {ArrayLike<number>} values
 * @returns {[number, number]}
 */
export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return hi >= lo ? [lo, hi] : [0, 0];
}

/**
 * A duration in seconds as days, hours, minutes and seconds (`"1h 5m"`), at most `parts`
 * units; under a minute, seconds with up to three significant digits.
 * @param {number} seconds
 * @param {number} [parts]
 */
export function formatDuration(seconds, parts = 4) {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? "-" : "";
  let rest = Math.abs(seconds);
  if (rest < 60) return `${sign}${Number(rest.toPrecision(3))}s`;
  rest = Math.round(rest);
  const out = [];
  for (const [unit, size] of /** @type {[string, number][]} */ ([["d", 86400], ["h", 3600], ["m", 60], ["s", 1]])) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if ((n || out.length) && out.length < parts) out.push(`${n}${unit}`);
  }
  while (out.length > 1 && /^0[a-z]$/.test(out[out.length - 1])) out.pop();
  return sign + out.join(" ");
}

/**
 * A wall time (seconds) as local time of day, with the date when `span` covers days.
 * @param {number} seconds
 * @param {number} [span] seconds the axis covers (0: with seconds)
 */
export function formatWallTime(seconds, span = 0) {
  const date = new Date(seconds * 1000);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (span >= 2 * 86400) return `${date.getMonth() + 1}/${date.getDate()} ${time}`;
  return span > 0 && span >= 600 ? time : `${time}:${pad(date.getSeconds())}`;
}

/**
 * A short label of an axis value.
 * @param {number} value
 * @param {string} axis
 * @param {number} span how much the axis covers (for the precision of wall times)
 */
export function formatAxisValue(value, axis, span) {
  if (axis === "relative") return formatDuration(value, 2);
  if (axis === "wall") return formatWallTime(value, span);
  return label(value);
}

/** Round time steps (seconds) for ticks. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/**
 * About `count` round tick values covering [lo, hi] on `axis`: whole steps, or round
 * durations (local clock times for wall time); at least two for a non-empty range.
 * @param {number} lo
 * @param {number} hi
 * @param {number} count
 * @param {string} axis
 * @returns {number[]}
 */
export function axisTicks(lo, hi, count, axis) {
  if (axis === "step") return ticks(lo, hi, count).filter((t) => Number.isInteger(t));
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  if (raw < 1) return ticks(lo, hi, count);
  // Wall-time ticks fall on round local times: shift by the time zone's offset.
  const shift = axis === "wall" ? -new Date(lo * 1000).getTimezoneOffset() * 60 : 0;
  let i = TIME_STEPS.findIndex((s) => s >= raw);
  if (i < 0) i = TIME_STEPS.length;
  let out = timeMultiples(lo, hi, TIME_STEPS[i] ?? Math.ceil(raw / 604800) * 604800, shift);
  while (out.length < 2 && i > 0) out = timeMultiples(lo, hi, TIME_STEPS[--i], shift);
  return out;
}

/**
 * The times in [lo, hi] that are multiples of `step` once shifted by `shift` seconds.
 * @param {number} lo
 * @param {number} hi
 * @param {number} step
 * @param {number} shift
 * @returns {number[]}
 */
function timeMultiples(lo, hi, step, shift) {
  const out = [];
  for (let v = Math.ceil((lo + shift) / step) * step - shift; v <= hi; v += step) out.push(v);
  return out;
}
