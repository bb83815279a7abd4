/**
 * Point metadata (TensorBoard's TSV: one column without a header, or a header row naming
 * several columns) and colourings derived from a column.
 * @module
 */

import { PALETTE } from "@tbcore/sdk";

/**
 * @typedef {object} Metadata
 * @property {string[]} names column names
 * @property {string[][]} columns the values, column by column
 */

/**
 * Parse a metadata TSV as TensorBoard reads it: a first line with a tab is the header.
 * @param {string} text
 * @param {number} count number of points
 * @returns {Metadata}
 */
export function parseMetadata(text, count) {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (!lines.length) return { names: [], columns: [] };
  const header = lines[0].includes("\t");
  const names = header ? lines[0].split("\t") : ["label"];
  const rows = header ? lines.slice(1) : lines;
  const columns = names.map(() => new Array(count).fill(""));
  for (let i = 0; i < Math.min(count, rows.length); i++) {
    const cells = header ? rows[i].split("\t") : [rows[i]];
    for (let c = 0; c < names.length; c++) columns[c][i] = cells[c] ?? "";
  }
  return { names, columns };
}

const MAX_CATEGORIES = 40;

/**
 * Colours for every point from a column: a numeric column (every value a number, more than
 * `MAX_CATEGORIES` distinct values or not) gets a blue-to-red gradient, any other column a
 * categorical palette. Returns the colours and a legend.
 * @param {string[]} values
 * @returns {{colors: Float32Array, legend: {label: string, color: string}[], kind: string}}
 */
export function colorByColumn(values) {
  const n = values.length;
  const colors = new Float32Array(n * 3);
  const numbers = values.map((v) => (v.trim() === "" ? NaN : Number(v)));
  const distinct = new Set(values);
  const numeric = numbers.every((v) => Number.isFinite(v)) && distinct.size > 10;
  if (numeric) {
    let lo = Infinity, hi = -Infinity;
    for (const v of numbers) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const span = hi > lo ? hi - lo : 1;
    for (let i = 0; i < n; i++) {
      const t = (numbers[i] - lo) / span;
      colors[i * 3] = 0.15 + 0.8 * t;
      colors[i * 3 + 1] = 0.3 + 0.3 * (1 - Math.abs(2 * t - 1));
      colors[i * 3 + 2] = 0.95 - 0.8 * t;
    }
    return { colors, legend: [{ label: String(lo), color: rgb(0.15, 0.3, 0.95) }, { label: String(hi), color: rgb(0.95, 0.3, 0.15) }], kind: "numeric" };
  }
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
  const ranked = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || (a < b ? -1 : 1));
  const index = new Map(ranked.slice(0, MAX_CATEGORIES).map((v, i) => [v, i]));
  const rgbOf = ranked.slice(0, MAX_CATEGORIES).map((_, i) => hexToRgb(PALETTE[i % PALETTE.length]));
  for (let i = 0; i < n; i++) {
    const k = index.get(values[i]);
    const [r, g, b] = k === undefined ? [0.6, 0.6, 0.6] : rgbOf[k];
    colors[i * 3] = r; colors[i * 3 + 1] = g; colors[i * 3 + 2] = b;
  }
  const legend = ranked.slice(0, 12).map((label, i) => ({ label, color: PALETTE[i % PALETTE.length] }));
  return { colors, legend, kind: "categorical" };
}

/** @param {string} hex */
function hexToRgb(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex);
  return m ? [1, 2, 3].map((k) => parseInt(m[k], 16) / 255) : [0.4, 0.4, 0.4];
}

/** @param {number} r @param {number} g @param {number} b */
function rgb(r, g, b) {
  return `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`;
}

/**
 * Indices of the values that the case-insensitive regex `pattern` matches; `null` when the
 * pattern is not a valid regex, `[]` for an empty one.
 * @param {string} pattern
 * @param {string[]} values
 * @returns {number[] | null}
 */
export function matchingIndices(pattern, values) {
  if (!pattern) return [];
  let regex;
  try {
    regex = new RegExp(pattern, "i");
  } catch {
    return null;
  }
  const out = [];
  for (let i = 0; i < values.length; i++) if (regex.test(values[i])) out.push(i);
  return out;
}

/**
 * Positions for the point cloud (x, y, z per point) from a layout of `stride` values per
 * point: values `axes[0]`, `axes[1]` and (in 3-D, when `axes[2] >= 0`) `axes[2]`, scaled so
 * that the largest coordinate is 10.
 * @param {Float32Array} layout
 * @param {number} stride
 * @param {number[]} axes
 * @param {boolean} threeD
 * @param {Float32Array} out `count * 3` values
 */
export function scaledPositions(layout, stride, axes, threeD, out) {
  const count = out.length / 3;
  let extent = 0;
  for (let i = 0; i < layout.length; i++) extent = Math.max(extent, Math.abs(layout[i]));
  const k = extent > 0 ? 10 / extent : 1;
  const [ax, ay, az] = axes;
  const useZ = threeD && az >= 0 && az < stride;
  for (let i = 0; i < count; i++) {
    out[i * 3] = layout[i * stride + ax] * k;
    out[i * 3 + 1] = stride > 1 ? layout[i * stride + ay] * k : 0;
    out[i * 3 + 2] = useZ ? layout[i * stride + az] * k : 0;
  }
  return out;
}
