/**
 * Compact numbers, as the charts label their ticks and tooltips: `3e-4`, `1.2M`, `1e+30`.
 * @module
 */

const SI_PREFIXES = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];

/**
 * A compact number: up to 5 significant digits; SI prefixes for large values (`1.2346M`),
 * exponent form beyond them and for small ones (`3e-4`). Not a number: `null` and `undefined`
 * give `""` (no value); other values are read with `Number`, so the HTTP API's `"NaN"`,
 * `"Infinity"` and `"-Infinity"` give `NaN`, `+Infinity` and `-Infinity`, like the numbers,
 * and anything that is no number at all gives `NaN`.
 * @param {number | string | null | undefined} value
 * @param {number} [digits] significant digits at most (default 5)
 * @returns {string}
 */
export function formatNumber(value, digits = 5) {
  if (value == null) return "";
  const v = Number(value);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Infinity" : "-Infinity";
  const abs = Math.abs(v);
  if (abs === 0) return "0";
  if (abs < 1e-3) return exponent(v.toExponential(digits - 1));
  if (abs < 1e4) return String(Number(v.toPrecision(digits)));
  const group = Math.floor(Math.log10(Number(abs.toPrecision(digits))) / 3);
  if (group >= SI_PREFIXES.length) return exponent(v.toExponential(digits - 1));
  return `${Number((v / 10 ** (3 * group)).toPrecision(digits))}${SI_PREFIXES[group]}`;
}

/**
 * A tick label: as {@link formatNumber}, with as many digits as the tick spacing `incr`
 * needs to tell neighbouring ticks apart (on a log axis, where `incr` is NaN, 3 digits).
 * `null` and `undefined` (the ticks a log axis leaves unlabelled) give `""`.
 * @param {number | null | undefined} value
 * @param {number} incr
 * @returns {string}
 */
export function formatTick(value, incr) {
  if (value == null || value === 0 || !Number.isFinite(value)) return formatNumber(value);
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  let lowest = magnitude - 2; // the position of the last digit shown (10^lowest)
  if (Number.isFinite(incr) && incr > 0) {
    // The spacing's own last digit: 2.5 -> -1, 0.02 -> -2, 5000 -> 3.
    const power = Math.floor(Math.log10(incr) + 1e-9);
    const mantissa = String(Number((incr / 10 ** power).toPrecision(6)));
    lowest = power - (mantissa.split(".")[1]?.length ?? 0);
  }
  return formatNumber(value, Math.min(15, Math.max(1, magnitude - lowest + 1)));
}

/** `1.50e-4` -> `1.5e-4`, `2.00e+30` -> `2e+30`. @param {string} text */
function exponent(text) {
  return text.replace(/\.?0+e/, "e");
}
