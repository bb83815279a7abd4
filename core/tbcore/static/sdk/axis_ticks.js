/**
 * Where the charts put their ticks and which ones they label.
 *
 * Linear axes: the tick spacing is 1, 2, 2.5 or 5 times a power of ten, the smallest that
 * leaves {@link MIN_TICK_SPACE} pixels between ticks, so a 0.5–2.6 range reads 0.5, 1, 1.5,
 * 2, 2.5 (not only 1 and 2).
 *
 * Log axes: the range fits the data (a maximum of 2.6 is not padded to 10), ticks sit at each
 * 1–9 multiple of a power of ten, and as many of them are labelled as fit: every one, or those
 * at 1, 2, 3, 5, or at 1, 2, 5, or 1 and 3, or the powers of ten alone (every n-th over many
 * decades). A range narrower than two labelled ticks is labelled like a linear axis.
 * @module
 */

/** Fewest pixels between two labelled ticks of the y axis (x: {@link MIN_X_TICK_SPACE}). */
export const MIN_TICK_SPACE = 24;
/** Fewest pixels between two labelled ticks of a log y axis (its labels are short). */
export const MIN_LOG_TICK_SPACE = 20;
/** Fewest pixels between two labelled ticks of the x axis (its labels are wider). */
export const MIN_X_TICK_SPACE = 60;

/** Linear tick spacings: 1, 2, 2.5 and 5 times each power of ten, 1e-16 to 5e16. */
export const NICE_INCRS = Array.from({ length: 33 }, (_, i) => [1, 2, 2.5, 5].map((m) => Number((m * 10 ** (i - 16)).toPrecision(3)))).flat();

/** Mantissas labelled on a log axis, finest first. */
const LOG_LABEL_SETS = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 5], [1, 2, 5], [1, 3], [1]];

/**
 * A log axis' range around the data: `[min, max]` widened by 5% of its span in log space on
 * each side (a single value: by a factor of 2 each way). Non-positive or missing bounds give
 * `null` (no data to fit).
 * @param {number | null} min
 * @param {number | null} max
 * @returns {[number, number] | null}
 */
export function fitLogRange(min, max) {
  if (min == null || max == null || !(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return null;
  if (max <= min) return [min / 2, max * 2];
  const pad = (Math.log10(max) - Math.log10(min)) * 0.05;
  return [min / 10 ** pad, max * 10 ** pad];
}

/**
 * The ticks of a log axis over `[lo, hi]` and which of them carry a label.
 * @param {number} lo > 0
 * @param {number} hi > lo
 * @param {number} pixels the axis' length in CSS pixels
 * @param {number} space fewest pixels between two labelled ticks
 * @returns {{splits: number[], labelled: boolean[]} | null} null when fewer than two ticks
 *   would be labelled (then label the axis linearly)
 */
export function logTicks(lo, hi, pixels, space) {
  if (!(lo > 0) || !(hi > lo) || !(pixels > 0)) return null;
  const perDecade = pixels / (Math.log10(hi) - Math.log10(lo));
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  if (last - first > 60) return null;
  for (const set of LOG_LABEL_SETS) {
    if (!fits(set, perDecade, space)) continue;
    const fine = set.length > 1 || perDecade >= space * 0.5;
    return build(lo, hi, first, last, set, fine, 1);
  }
  // Not even every power of ten fits: label every n-th one, draw no minor ticks.
  const every = Math.ceil(space / perDecade);
  return build(lo, hi, first, last, [1], false, every);
}

/**
 * Whether labels at `set`'s mantissas of each decade stay `space` pixels apart.
 * @param {number[]} set
 * @param {number} perDecade
 * @param {number} space
 */
function fits(set, perDecade, space) {
  const marks = [...set, 10];
  for (let i = 1; i < marks.length; i++) if ((Math.log10(marks[i]) - Math.log10(marks[i - 1])) * perDecade < space) return false;
  return true;
}

/**
 * @param {number} lo
 * @param {number} hi
 * @param {number} first
 * @param {number} last
 * @param {number[]} set labelled mantissas
 * @param {boolean} minor draw unlabelled ticks at the other mantissas
 * @param {number} every label every n-th power of ten
 * @returns {{splits: number[], labelled: boolean[]} | null}
 */
function build(lo, hi, first, last, set, minor, every) {
  const splits = [];
  const labelled = [];
  const tolerance = 1e-9;
  for (let e = first; e <= last; e++) {
    for (let m = 1; m <= 9; m++) {
      const value = Number((m * 10 ** e).toPrecision(12));
      if (value < lo * (1 - tolerance) || value > hi * (1 + tolerance)) continue;
      const label = set.includes(m) && (every === 1 || (m === 1 && e % every === 0));
      if (!label && !minor) continue;
      splits.push(value);
      labelled.push(label);
    }
  }
  return labelled.filter(Boolean).length >= 2 ? { splits, labelled } : null;
}

/**
 * Ticks of a linear axis over `[lo, hi]` `incr` apart (the multiples of `incr` inside).
 * @param {number} lo
 * @param {number} hi
 * @param {number} incr
 * @returns {number[]}
 */
export function linearTicks(lo, hi, incr) {
  if (!(incr > 0) || !(hi >= lo)) return [];
  const out = [];
  const decimals = Math.max(0, -Math.floor(Math.log10(incr)) + 2);
  for (let k = Math.ceil(lo / incr - 1e-9); k * incr <= hi + incr * 1e-9 && out.length < 200; k++) {
    out.push(Number((k * incr).toFixed(Math.min(20, decimals))));
  }
  return out;
}

/**
 * The linear tick spacing for `[lo, hi]` on an axis `pixels` long: the smallest of
 * {@link NICE_INCRS} leaving `space` pixels between ticks.
 * @param {number} lo
 * @param {number} hi
 * @param {number} pixels
 * @param {number} space
 */
export function linearIncrement(lo, hi, pixels, space) {
  const span = hi - lo;
  if (!(span > 0) || !(pixels > 0)) return NaN;
  for (const incr of NICE_INCRS) if ((incr / span) * pixels >= space) return incr;
  return NaN;
}
