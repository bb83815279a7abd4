/**
 * Canvas helpers of the histogram drawings: sizing for the device pixel ratio, theme colors,
 * axis ticks, TensorBoard's non-finite strings.
 * @module
 */

const NON_FINITE = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/**
 * A JSON number of our routes as a number (`"NaN"`, `"Infinity"`, `"-Infinity"` included).
 * @param {number | string} v
 */
export function toNumber(v) {
  return typeof v === "string" ? NON_FINITE[v] ?? NaN : v;
}

/**
 * Size `canvas` to `width` x `height` CSS pixels, sharp on high-DPI screens.
 * @param {HTMLCanvasElement} canvas
 * @param {number} width
 * @param {number} height
 * @returns {CanvasRenderingContext2D} a context in CSS pixels
 */
export function sizeCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  return g;
}

/** The shell's theme colors (CSS variables), with fallbacks. */
export function themeColors() {
  const css = getComputedStyle(document.documentElement);
  const get = (/** @type {string} */ name, /** @type {string} */ fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: get("--tb-fg", "#222"),
    muted: get("--tb-fg-muted", "#777"),
    bg: get("--tb-bg-elev", get("--tb-bg", "#fff")),
    grid: get("--tb-border", "#ddd"),
    font: `11px ${get("--tb-font", "sans-serif")}`,
  };
}

/**
 * The round step (1, 2 or 5 times a power of ten) nearest to `raw`, on a log scale.
 * @param {number} raw a positive step
 * @returns {number}
 */
function roundStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  const candidates = [1, 2, 5, 10].map((m) => m * power);
  let best = candidates[0];
  for (const s of candidates) if (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(best / raw))) best = s;
  return best;
}

/**
 * The next smaller round step than `step` (5 → 2 → 1 → 0.5 …).
 * @param {number} step
 * @returns {number}
 */
function smallerStep(step) {
  const power = 10 ** Math.floor(Math.log10(step) + 1e-9);
  const m = Math.round(step / power);
  return m === 5 ? 2 * power : m === 2 ? power : power / 2;
}

/**
 * The multiples of `step` in [lo, hi], rounded to the step's digits so that no float noise
 * (0.30000000000000004) reaches the labels.
 * @param {number} lo
 * @param {number} hi
 * @param {number} step
 * @returns {number[]}
 */
function multiples(lo, hi, step) {
  const digits = Math.max(0, 1 - Math.floor(Math.log10(step)));
  const round = (/** @type {number} */ v) => (digits <= 100 ? Number(v.toFixed(digits)) : v);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  // A step below the values' float resolution counts no ticks (instead of looping forever).
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last - first > 1000) return [];
  const out = [];
  for (let k = first; k <= last; k++) out.push(k === 0 ? 0 : round(k * step));
  return out;
}

/**
 * About `count` round tick values (multiples of 1, 2 or 5 times a power of ten) inside
 * [lo, hi]: the step nearest to range / count, made smaller until at least two ticks fit.
 * @param {number} lo
 * @param {number} hi
 * @param {number} count
 * @returns {number[]} `[lo]` when the range is empty
 */
export function ticks(lo, hi, count) {
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return [lo];
  let step = roundStep((hi - lo) / Math.max(1, count));
  let out = multiples(lo, hi, step);
  // Three smaller steps always fit two ticks; the bound only stops ranges below float resolution.
  for (let tries = 0; out.length < 2 && tries < 8; tries++) {
    step = smallerStep(step);
    out = multiples(lo, hi, step);
  }
  return out.length < 2 ? [lo, hi] : out;
}

/**
 * A short label for a number; with `step` (the distance between neighbouring ticks), one
 * with enough digits to tell those ticks apart (1.000000002 next to 1.000000004).
 * @param {number} v
 * @param {number} [step]
 */
export function label(v, step) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const exponential = a !== 0 && (a >= 1e5 || a < 1e-3);
  if (!(step && step > 0) || v === 0) return exponential ? v.toExponential(2) : String(Number(v.toPrecision(4)));
  const stepDigit = Math.floor(Math.log10(step) + 1e-9); // the place of the step's leading digit
  if (exponential) {
    const digits = Math.min(14, Math.max(2, Math.floor(Math.log10(a)) - stepDigit));
    return v.toExponential(digits);
  }
  return String(Number(v.toFixed(Math.min(20, Math.max(0, -stepDigit)))));
}

/**
 * The step between the ticks `ticks` returned (0 for fewer than two).
 * @param {number[]} values
 */
export function tickStep(values) {
  return values.length > 1 ? values[1] - values[0] : 0;
}
