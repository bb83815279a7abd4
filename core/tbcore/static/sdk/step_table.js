/**
 * The table under a line chart for a selected step (one row per series: smoothed, value,
 * step, wall and relative time) or a selected range (min, max, mean and change of each
 * series between the two markers). Columns sort on a click of their heading; the table copies
 * as CSV.
 * @module
 */

import { lowerBound, nearestIndex, upperBound } from "./_align.js";
import { formatWallTime } from "./chart_tooltip.js";
import { h } from "./dom.js";
import { formatNumber } from "./number_format.js";

/**
 * @typedef {object} StepSelection a chart's selection, in x-axis units
 * @property {number} start the step clicked (snapped to a point's x)
 * @property {number | null} end the other end of a range (shift-click), or null for one step
 */

/**
 * @typedef {object} TableColumn
 * @property {string} key
 * @property {string} label
 * @property {(value: any) => string} format how a cell reads
 */

/**
 * @typedef {object} TableRow
 * @property {string} name the series' name (the run)
 * @property {string} color
 * @property {Record<string, number>} values raw numbers of the cells, by column key
 */

/**
 * @typedef {object} SelectionTable
 * @property {"step" | "range"} kind
 * @property {TableColumn[]} columns the run column first
 * @property {TableRow[]} rows in the series' order
 */

/**
 * @typedef {object} TableSeries what the table reads of a chart series
 * @property {string} name
 * @property {string} color
 * @property {boolean} [tooltip] false: not listed (raw shadows, bands)
 * @property {ArrayLike<number>} [values] values before smoothing, as given
 * @property {ArrayLike<number>} [steps] the step of each point, as given
 * @property {ArrayLike<number>} [wallTimes] Unix seconds of each point, as given
 * @property {import("./_align.js").CleanSeries} clean
 */

const num = (/** @type {number} */ v) => formatNumber(v);
const duration = (/** @type {number} */ s) => (Number.isFinite(s) ? `${Number(s.toFixed(1))}s` : "");

/**
 * The rows of the table for `selection`.
 * @param {TableSeries[]} series
 * @param {StepSelection} selection
 * @returns {SelectionTable}
 */
export function selectionTable(series, selection) {
  const listed = series.filter((s) => s.tooltip !== false && s.clean.x.length > 0);
  const smoothed = listed.some((s) => s.values);
  const timed = listed.some((s) => s.wallTimes);
  const valueOf = (/** @type {TableSeries} */ s, /** @type {number} */ k) => (s.values ? +s.values[s.clean.index[k]] : s.clean.raw[k]);
  const stepOf = (/** @type {TableSeries} */ s, /** @type {number} */ k) => (s.steps ? +s.steps[s.clean.index[k]] : s.clean.x[k]);
  if (selection.end == null) {
    /** @type {TableColumn[]} */
    const columns = [
      { key: "run", label: "Run", format: String },
      ...(smoothed ? [{ key: "smoothed", label: "Smoothed", format: num }] : []),
      { key: "value", label: "Value", format: num },
      { key: "step", label: "Step", format: num },
      ...(timed ? [{ key: "wall_time", label: "Wall time", format: formatWallTime }, { key: "relative", label: "Relative", format: duration }] : []),
    ];
    const rows = listed.map((s) => {
      const k = nearestIndex(s.clean.x, selection.start);
      /** @type {Record<string, number>} */
      const values = { value: valueOf(s, k), step: stepOf(s, k) };
      if (smoothed) values.smoothed = s.clean.raw[k];
      if (timed) {
        const wall = s.wallTimes ? +s.wallTimes[s.clean.index[k]] : NaN;
        values.wall_time = wall;
        values.relative = wall - firstTime(s.wallTimes);
      }
      return { name: s.name, color: s.color, values };
    });
    return { kind: "step", columns, rows };
  }
  const lo = Math.min(selection.start, selection.end);
  const hi = Math.max(selection.start, selection.end);
  /** @type {TableColumn[]} */
  const columns = [
    { key: "run", label: "Run", format: String },
    { key: "start_step", label: "Start step", format: num },
    { key: "end_step", label: "End step", format: num },
    { key: "min", label: "Min", format: num },
    { key: "max", label: "Max", format: num },
    { key: "mean", label: "Mean", format: num },
    { key: "change", label: "Change", format: num },
    { key: "points", label: "Points", format: String },
  ];
  const rows = listed.map((s) => {
    const a = lowerBound(s.clean.x, lo);
    const b = upperBound(s.clean.x, hi);
    let min = Infinity, max = -Infinity, sum = 0, count = 0, first = NaN, last = NaN;
    for (let k = a; k < b; k++) {
      const v = valueOf(s, k);
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      if (count === 0) first = v;
      last = v;
      count++;
    }
    const values = {
      start_step: b > a ? stepOf(s, a) : NaN,
      end_step: b > a ? stepOf(s, b - 1) : NaN,
      min: count ? min : NaN,
      max: count ? max : NaN,
      mean: count ? sum / count : NaN,
      change: count ? last - first : NaN,
      points: b - a,
    };
    return { name: s.name, color: s.color, values };
  });
  return { kind: "range", columns, rows };
}

/** @param {ArrayLike<number> | undefined} times */
function firstTime(times) {
  let first = Infinity;
  if (times) for (let i = 0; i < times.length; i++) if (times[i] < first) first = times[i];
  return first;
}

/**
 * The rows sorted by one column (NaN last either way; the run column by name).
 * @param {TableRow[]} rows
 * @param {string | null} key
 * @param {1 | -1} direction
 */
export function sortRows(rows, key, direction) {
  if (!key) return rows;
  const cell = (/** @type {TableRow} */ r) => (key === "run" ? r.name : r.values[key]);
  return [...rows].sort((a, b) => {
    const va = cell(a);
    const vb = cell(b);
    if (typeof va === "number" && typeof vb === "number") {
      if (Number.isNaN(va) || Number.isNaN(vb)) return Number.isNaN(va) ? (Number.isNaN(vb) ? 0 : 1) : -1;
      return direction * (va - vb);
    }
    return direction * String(va).localeCompare(String(vb));
  });
}

/**
 * The table as CSV: a header of column keys, numbers in full precision.
 * @param {SelectionTable} table
 * @param {TableRow[]} [rows] in this order (default: the table's)
 */
export function tableCsv(table, rows = table.rows) {
  const quote = (/** @type {string} */ text) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [table.columns.map((c) => c.key).join(",")];
  for (const row of rows) {
    lines.push(table.columns.map((c) => (c.key === "run" ? quote(row.name) : Number.isFinite(row.values[c.key]) ? String(row.values[c.key]) : "")).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Build the table's element.
 * @param {SelectionTable} table
 * @param {{key: string | null, direction: 1 | -1}} sort
 * @param {{onSort: (key: string) => void, onCopy: (button: HTMLElement) => void, onClear: () => void}} actions
 * @returns {HTMLElement}
 */
export function renderSelectionTable(table, sort, actions) {
  const rows = sortRows(table.rows, sort.key, sort.direction);
  const arrow = (/** @type {string} */ key) => (sort.key === key ? (sort.direction > 0 ? " ▲" : " ▼") : "");
  const copy = h("button", { type: "button", class: "tb-button tb-small tb-step-table-copy" }, "Copy CSV");
  copy.addEventListener("click", () => actions.onCopy(copy));
  return h(
    "div",
    { class: "tb-step-table", dataset: { kind: table.kind } },
    h(
      "div",
      { class: "tb-step-table-bar" },
      h("span", { class: "tb-muted" }, table.kind === "step" ? "Selected step (shift-click for a range)" : "Selected range"),
      copy,
      h("button", { type: "button", class: "tb-button tb-small tb-step-table-clear", onclick: actions.onClear }, "Clear"),
    ),
    h(
      "table",
      { class: "tb-table" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          table.columns.map((c) =>
            h(
              "th",
              { dataset: { col: c.key }, "aria-sort": sort.key === c.key ? (sort.direction > 0 ? "ascending" : "descending") : null },
              h("button", { type: "button", class: "tb-step-table-sort", onclick: () => actions.onSort(c.key) }, `${c.label}${arrow(c.key)}`),
            ),
          ),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((row) =>
          h(
            "tr",
            { dataset: { run: row.name } },
            table.columns.map((c) =>
              c.key === "run"
                ? h("td", { dataset: { col: "run" }, title: row.name }, h("span", { class: "tb-swatch", style: { background: row.color } }), row.name)
                : h("td", { class: "tb-num", dataset: { col: c.key, value: String(row.values[c.key]) } }, c.format(row.values[c.key])),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Put text on the clipboard (the Clipboard API where the page may, else a hidden textarea).
 * @param {string} text
 * @returns {Promise<boolean>} whether it worked
 */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = /** @type {HTMLTextAreaElement} */ (h("textarea", { style: { position: "fixed", opacity: "0" } }));
    area.value = text;
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}
