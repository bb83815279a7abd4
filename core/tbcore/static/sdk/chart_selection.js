/**
 * Step and range selection of the line chart: a click on the plot selects the step nearest
 * to it, a shift-click then selects a range; a table under the chart lists each series at
 * that step or over that range (see `step_table.js`), with sortable columns and a CSV copy.
 * Charts given the same `link` store select the same step together.
 * @module
 */

import { h } from "./dom.js";
import { copyText, renderSelectionTable, selectionTable, sortRows, tableCsv } from "./step_table.js";
import { nearestIndex } from "./_align.js";

/** Clicks closer together than this (ms) are a double-click's. */
const DOUBLE_CLICK_MS = 600;

/**
 * What the selection needs from its chart, read when it is needed.
 * @typedef {object} SelectionHost
 * @property {HTMLElement} el the chart's container (gets `data-selection`)
 * @property {import("uplot").default | null} plot
 * @property {(import("./line_chart.js").ChartSeries & {clean: import("./_align.js").CleanSeries})[]} series
 * @property {import("./line_chart.js").LineChartOptions} options `selectable`, `link`, `onSelect`
 */

/** A chart's selected step or range and the table under it. */
export class ChartSelection {
  /** @param {SelectionHost} chart */
  constructor(chart) {
    this.chart = chart;
    /** @type {import("./step_table.js").StepSelection | null} */
    this.selection = null;
    this.tableSort = /** @type {{key: string | null, direction: 1 | -1}} */ ({ key: null, direction: 1 });
    /** The selection before the last lone click (a double-click's two clicks are undone). */
    this.beforeClick = /** @type {{selection: import("./step_table.js").StepSelection | null, time: number}} */ ({ selection: null, time: 0 });
    this.unlink = /** @type {(() => void) | null} */ (null);
    /** The step or range table, under the plot. */
    this.table = h("div", { class: "tb-step-table-slot", hidden: true });
  }

  /**
   * Share the selected step with the other charts given the same store (`null`: stop).
   * @param {import("./store.js").Store<import("./step_table.js").StepSelection | null> | null} store
   */
  setLink(store) {
    this.unlink?.();
    this.unlink = null;
    this.chart.options.link = store ?? undefined;
    if (!store) return;
    const follow = (/** @type {import("./step_table.js").StepSelection | null} */ value) => {
      if (!sameSelection(value, this.selection)) this.select(value, false, false);
    };
    this.unlink = store.subscribe(follow);
    if (store.get()) follow(store.get());
  }

  /**
   * The table's rows in the order shown; null with no selection.
   * @returns {import("./step_table.js").SelectionTable | null}
   */
  rows() {
    if (!this.selection) return null;
    const table = selectionTable(this.chart.series, this.selection);
    return { ...table, rows: sortRows(table.rows, this.tableSort.key, this.tableSort.direction) };
  }

  /** The table as CSV ("" with no selection). */
  csv() {
    const table = this.rows();
    return table ? tableCsv(table) : "";
  }

  /**
   * A click on the plot (not the end of a drag): select the step nearest to it, or with
   * shift, the range from the selected step to it.
   * @param {MouseEvent} event
   */
  onClick(event) {
    const u = this.chart.plot;
    if (!u || !this.chart.options.selectable || !this.chart.series.length) return;
    const now = performance.now();
    if (now - this.beforeClick.time > DOUBLE_CLICK_MS) this.beforeClick = { selection: this.selection, time: now };
    const left = event.clientX - u.over.getBoundingClientRect().left;
    const x = this.snap(u.posToVal(left, "x"));
    if (x == null) return;
    const extend = event.shiftKey && this.selection != null;
    this.select(extend ? { start: /** @type {any} */ (this.selection).start, end: x } : { start: x, end: null }, true);
  }

  /** A double-click: take back what its two clicks selected. */
  undoDoubleClick() {
    if (performance.now() - this.beforeClick.time < DOUBLE_CLICK_MS) this.select(this.beforeClick.selection, false);
  }

  /**
   * The x of the listed point nearest to `x` (null when no series has one).
   * @param {number} x
   */
  snap(x) {
    let best = null;
    let distance = Infinity;
    for (const s of this.chart.series) {
      if (s.tooltip === false) continue;
      const i = nearestIndex(s.clean.x, x);
      if (i >= 0 && Math.abs(s.clean.x[i] - x) < distance) {
        distance = Math.abs(s.clean.x[i] - x);
        best = s.clean.x[i];
      }
    }
    return best;
  }

  /**
   * @param {import("./step_table.js").StepSelection | null} selection
   * @param {boolean} byUser call `onSelect`
   * @param {boolean} [share] tell the linked charts (default true)
   */
  select(selection, byUser, share = true) {
    const next = selection && Number.isFinite(selection.start) ? { start: selection.start, end: selection.end ?? null } : null;
    if (next && next.end === next.start) next.end = null;
    this.selection = next;
    this.chart.plot?.redraw(false, false);
    this.render();
    const { link, onSelect } = this.chart.options;
    if (share && link && !sameSelection(link.get(), next)) link.set(next);
    if (byUser) onSelect?.(next);
  }

  /** Show the selection's table under the plot (or nothing without one). */
  render() {
    const table = this.selection ? selectionTable(this.chart.series, this.selection) : null;
    const el = this.chart.el;
    this.table.hidden = !table;
    if (!table) {
      this.table.replaceChildren();
      delete el.dataset.selection;
      return;
    }
    el.dataset.selection = table.kind;
    this.table.replaceChildren(
      renderSelectionTable(table, this.tableSort, {
        onSort: (key) => {
          this.tableSort = { key, direction: this.tableSort.key === key ? /** @type {1 | -1} */ (-this.tableSort.direction) : 1 };
          this.render();
        },
        onCopy: async (button) => {
          const ok = await copyText(this.csv());
          button.textContent = ok ? "Copied" : "Copy failed";
          setTimeout(() => (button.textContent = "Copy CSV"), 1500);
        },
        onClear: () => this.select(null, true),
      }),
    );
  }

  /** Stop following the link and remove the table. */
  destroy() {
    this.unlink?.();
    this.unlink = null;
    this.table.remove();
  }
}

/**
 * @param {import("./step_table.js").StepSelection | null | undefined} a
 * @param {import("./step_table.js").StepSelection | null | undefined} b
 */
function sameSelection(a, b) {
  if (!a || !b) return !a && !b;
  return a.start === b.start && (a.end ?? null) === (b.end ?? null);
}
