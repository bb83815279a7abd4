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
 * About `count` round tick values covering [lo, hi].
 * @param {number} lo
 * @param {number} hi
 * @param {number} count
 * @returns {number[]}
 */
export function ticks(lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * A short label for a number.
 * @param {number} v
 */
export function label(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}
