/**
 * Line charts on uPlot, for any number of series with their own x values.
 *
 * Non-finite values: a NaN or ±Infinity y value is not drawn as part of the line (the line
 * joins the finite points on either side) but as a marker in the series' color on the edge of
 * the plot at its x: a ▲ on the top edge for +Infinity, a ▼ on the bottom edge for -Infinity,
 * and a ◆ on the top edge for NaN. On a log axis, points at or below zero are left out (they
 * have no position there); on a log x axis, so are points with x <= 0.
 *
 * Long series: uPlot is handed at most two points per pixel column and series (each column's
 * lowest and highest, see `decimate` in `_align.js`), recomputed for the visible window after
 * every zoom, so 100 series of 10,000 points draw as fast as short ones and look the same.
 * `data()` and the tooltip still see every point. (Not on a log x axis, where every point is
 * handed over.)
 *
 * Log axes: a fixed y range (`yRange`, `setYRange`) is clamped to positive values on a log y
 * axis, and a chart with no point left to draw on its log axes says so on the card instead of
 * staying blank. Tick labels of both axes and tooltip values use {@link formatNumber}'s
 * compact forms (`1e-6`, `3e-4`, `1.2M`), with as many digits as the tick spacing needs (see
 * {@link formatTick}); the y axis is as wide as its longest label.
 *
 * Order: the x values of a series need not be sorted; each series is sorted by x (uPlot
 * draws a line through the points in the order it gets them, and needs them ascending).
 *
 * Axes (see `axis_ticks.js`): linear ticks 1, 2, 2.5 or 5 times a power of ten apart, as
 * dense as their labels allow; a log axis fits the data and labels intermediate ticks.
 *
 * Zoom (see `chart_zoom.js`): drag a box to zoom on x and y (a mostly horizontal drag zooms x
 * alone, a mostly vertical one y alone); the "Fit" button or a double-click shows all the data
 * again.
 *
 * Selection (see `chart_selection.js`; unless `selectable: false`): a click on the plot selects
 * the step nearest to it, a shift-click then selects a range; a table under the chart lists
 * each series at that step (smoothed, value, step, wall and relative time) or its min, max,
 * mean and change over the range (see `step_table.js`), with sortable columns and a CSV copy.
 * Charts given the same `link` store select the same step together.
 * @module
 */

import uPlot from "uplot";
import { fitLogRange } from "./axis_ticks.js";
import { chartAxes } from "./chart_axes.js";
import { drawMarkers, drawSelection } from "./chart_markers.js";
import { ChartSelection } from "./chart_selection.js";
import { DEFAULT_TOOLTIP_ROWS, cursorPoints, sortPoints, tooltipTable } from "./chart_tooltip.js";
import { withAlpha } from "./colors.js";
import { h } from "./dom.js";
import { formatNumber, formatTick } from "./number_format.js";
import { ChartZoom } from "./chart_zoom.js";
import { Tooltip } from "./tooltip.js";
import { alignSeries, cleanSeries, decimate, lineValues, needsDecimation } from "./_align.js";

// Where they were first exported, for modules that import them from here.
export { formatNumber, formatTick };

/**
 * @typedef {object} ChartSeries
 * @property {string} name shown in the tooltip
 * @property {string} color `#rrggbb` (e.g. from `runColor`)
 * @property {ArrayLike<number>} x in any order: each series is sorted by x before it is drawn
 *   (stably: points at the same x keep their order); points whose x is not a finite number
 *   (or is <= 0 on a log x axis) are left out
 * @property {ArrayLike<number>} y same length as `x`
 * @property {number[]} [dash] canvas dash pattern, e.g. `[4, 4]`
 * @property {number} [width] line width in CSS pixels (default 1.5)
 * @property {number} [alpha] line opacity 0..1 (default 1)
 * @property {number} [fillTo] index (in the array given to `setSeries`) of another series: the
 *   area between the two is filled with this series' color, faintly (for min–max or ±std bands)
 * @property {boolean} [tooltip] list the series in the tooltip (default true)
 * @property {unknown} [meta] anything the caller wants back in {@link CursorPoint} (e.g. the
 *   columns a custom tooltip shows)
 * @property {ArrayLike<number>} [values] the values before smoothing, in the order of `x`
 *   (then `y` is the smoothed line): the step table shows both
 * @property {ArrayLike<number>} [steps] each point's step, in the order of `x` (default: x)
 * @property {ArrayLike<number>} [wallTimes] each point's Unix time in seconds, in the order
 *   of `x`: the tooltip and step table show wall and relative time
 */

/**
 * @typedef {object} CursorPoint
 * @property {string} name
 * @property {string} color
 * @property {number} x the series' x nearest to the cursor
 * @property {number} y its value (may be NaN or ±Infinity)
 * @property {number} index the point's index in the series' arrays as given
 * @property {number} order the series' index in `setSeries`
 * @property {number} [wallTime] its wall time, when the series has `wallTimes`
 * @property {unknown} [meta] the series' `meta`
 */

/**
 * @typedef {object} LineChartOptions
 * @property {string} [xLabel]
 * @property {boolean} [xIntegers] the x values are whole numbers (steps): no ticks between them
 * @property {string} [yLabel]
 * @property {boolean} [logX]
 * @property {boolean} [logY]
 * @property {boolean} [xTime] x values are Unix times in seconds: label the axis with dates
 * @property {(value: number) => string} [xFormat] label of an x-axis tick (e.g. a duration);
 *   called with numbers only (the ticks a log axis leaves unlabelled are left blank without
 *   calling it). Default: {@link formatTick}'s compact numbers, or dates with `xTime`
 * @property {[number, number]} [yRange] fixed y range (e.g. to ignore outliers); default: fit the data
 * @property {[number, number]} [xRange] fixed x range (e.g. `[0, 1]` for recall); default: fit the data
 * @property {number} [height] plot height in CSS pixels (default 240); the width follows the container
 * @property {boolean} [tooltip] show the built-in tooltip (default true)
 * @property {(info: {x: number, points: CursorPoint[]} | null) => void} [onCursor] called as
 *   the cursor moves (`null` when it leaves the plot)
 * @property {(info: {x: number, points: CursorPoint[], maxRows: number}) => import("./dom.js").Child} [tooltipContent]
 *   what the tooltip shows (default: a row per series, up to `tooltipRows`: name, value, x,
 *   wall time); `points` come in the `tooltipSort` order
 * @property {string} [tooltipSort] the tooltip's row order: "nearest" (default), "default"
 *   (the series' order), "descending" or "ascending" (by value); see `TOOLTIP_SORTS`
 * @property {number} [tooltipRows] rows the tooltip shows at most (default 12)
 * @property {boolean} [selectable] click selects a step, shift-click a range, with a table
 *   under the chart (default true)
 * @property {import("./store.js").Store<import("./step_table.js").StepSelection | null>} [link]
 *   a store shared by charts that select the same step together (e.g. `createStore(null)`)
 * @property {(selection: import("./step_table.js").StepSelection | null) => void} [onSelect]
 *   called after the user selects (or clears) a step or range
 */

/**
 * @typedef {object} DrawnSeries
 * @property {string} name
 * @property {string} color
 * @property {number[]} x x of every point kept (non-finite y included)
 * @property {(number | null)[]} y y drawn on the line (`null`: not on the line)
 * @property {{x: number, kind: "nan" | "+inf" | "-inf"}[]} markers non-finite points
 */

/** A line chart that resizes with its container and follows the light/dark theme. */
export class LineChart {
  /**
   * @param {HTMLElement} el container; the chart takes its width
   * @param {LineChartOptions} [options]
   */
  constructor(el, options = {}) {
    this.el = el;
    this.options = { height: 240, tooltip: true, selectable: true, tooltipSort: "nearest", tooltipRows: DEFAULT_TOOLTIP_ROWS, ...options };
    this.logX = !!options.logX;
    this.logY = !!options.logY;
    /** @type {(ChartSeries & {clean: import("./_align.js").CleanSeries})[]} */
    this.series = [];
    /** @type {uPlot | null} */
    this.plot = null;
    this.structure = "";
    this.tooltip = this.options.tooltip ? new Tooltip() : null;
    this.zoom = new ChartZoom(() => this.resetZoom());
    this.selector = new ChartSelection(this);
    /** Whether the series are long enough to be decimated at full extent. */
    this.decimating = false;
    this.refineFrame = 0;
    /** The x window the data handed to uPlot was made for. */
    this.window = [NaN, NaN];
    this.root = h("div", { class: "tb-line-chart" });
    /** Shown instead of the plot when nothing can be drawn on its log axes. */
    this.message = h("div", {
      class: "tb-line-chart-message tb-muted",
      hidden: true,
      style: { padding: "2em 1em", textAlign: "center" },
    });
    el.replaceChildren(this.root, this.message, this.selector.table);
    if (this.options.link) this.setLink(this.options.link);
    el.dataset.series = "0";
    this.resizeObserver = new ResizeObserver(() => this._resize());
    this.resizeObserver.observe(el);
    this.themeObserver = new MutationObserver(() => this._draw(true));
    this.themeObserver.observe(document.documentElement, { attributeFilter: ["data-theme"] });
  }

  /** Whether the user zoomed in (drag); live updates then keep the zoom. */
  get zoomed() {
    return this.zoom.zoomed;
  }

  /** A box zoom's y range (null: fit the data). */
  get yZoom() {
    return this.zoom.yZoom;
  }

  /**
   * The selected step or range (null: none).
   * @returns {import("./step_table.js").StepSelection | null}
   */
  get selection() {
    return this.selector.selection;
  }

  /**
   * Replace the drawn series.
   * @param {ChartSeries[]} series x values in any order (each series is sorted by x)
   */
  setSeries(series) {
    const scales = { logX: this.logX, logY: this.logY };
    this.series = series.map((s) => ({ ...s, clean: cleanSeries(s.x, s.y, scales) }));
    this._draw(false);
  }

  /**
   * Switch the axes between linear and logarithmic.
   * @param {{x?: boolean, y?: boolean}} scales axes left out keep their scale
   */
  setLogScale({ x = this.logX, y = this.logY }) {
    if (x === this.logX && y === this.logY) return;
    this.logX = x;
    this.logY = y;
    this.setSeries(this.series);
  }

  /**
   * Fix the y range (e.g. to ignore outliers), or fit the data again with `undefined`. On a
   * log y axis the range is clamped to positive values. A drag zoom on x is kept.
   * @param {[number, number] | undefined} range
   */
  setYRange(range) {
    this.options.yRange = range;
    if (this.plot) this._draw(false);
  }

  /**
   * Show all the data again after a zoom (the "Fit" button, a double-click).
   */
  resetZoom() {
    this.zoom.reset();
    if (this.plot) this._draw(false);
  }

  /**
   * Select a step (`{start, end: null}`), a range (`{start, end}`), or nothing (`null`), in
   * x-axis units, as a click would (without calling `onSelect`). Linked charts follow.
   * @param {import("./step_table.js").StepSelection | null} selection
   */
  setSelection(selection) {
    this.selector.select(selection, false);
  }

  /**
   * Share the selected step with the other charts given the same store (`null`: stop).
   * @param {import("./store.js").Store<import("./step_table.js").StepSelection | null> | null} store
   */
  setLink(store) {
    this.selector.setLink(store);
  }

  /**
   * Change the tooltip's row order and row limit.
   * @param {{sort?: string, rows?: number}} options
   */
  setTooltipOptions({ sort, rows }) {
    if (sort) this.options.tooltipSort = sort;
    if (rows && rows > 0) this.options.tooltipRows = Math.round(rows);
  }

  /**
   * The step or range table's rows (for tests and tools), in the order shown; null with no
   * selection.
   * @returns {import("./step_table.js").SelectionTable | null}
   */
  selectionTable() {
    return this.selector.rows();
  }

  /** The step or range table as CSV ("" with no selection). */
  selectionCsv() {
    return this.selector.csv();
  }

  /**
   * What is drawn, per series (for tests and for export).
   * @returns {DrawnSeries[]}
   */
  data() {
    return this.series.map((s) => ({
      name: s.name,
      color: s.color,
      x: Array.from(s.clean.x),
      y: lineValues(s.clean.y),
      markers: s.clean.markers.map((m) => ({ ...m })),
    }));
  }

  /** Remove the chart and stop observing its container. */
  destroy() {
    this.selector.destroy();
    this.zoom.destroy();
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    cancelAnimationFrame(this.refineFrame);
    this.plot?.destroy();
    this.plot = null;
    this.tooltip?.destroy();
    this.root.remove();
    this.message.remove();
    delete this.el.dataset.series;
    delete this.el.dataset.empty;
  }

  /** @param {boolean} rebuild */
  _draw(rebuild) {
    const clean = this.series.map((s) => s.clean);
    const [first, last] = extent(clean);
    this.decimating = !this.logX && last > first && needsDecimation(clean, first, last, this._columns());
    // The y range is not part of the structure: uPlot asks `_yRange` on every rescale.
    const structure = JSON.stringify([
      this.logX,
      this.logY,
      this.series.map((s) => [s.name, s.color, s.dash, s.width, s.alpha, s.fillTo]),
    ]);
    if (this.plot && !rebuild && structure === this.structure) {
      if (this.zoomed) {
        const { min, max } = this.plot.scales.x;
        const window = /** @type {[number, number]} */ ([min ?? first, max ?? last]);
        this.plot.batch(() => {
          this.plot?.setData(/** @type {any} */ (this._data(clean, window)), false);
          this.plot?.setScale("x", { min: window[0], max: window[1] });
        });
      } else {
        this.plot.setData(/** @type {any} */ (this._data(clean, [first, last])), true);
      }
    } else {
      // A drag zoom survives a rebuild (series added or removed, theme) on the same x scale.
      const sameX = this.plot != null && JSON.parse(this.structure || "[]")[0] === this.logX;
      const zoom = this.zoomed && sameX ? this.plot?.scales.x : null;
      this.plot?.destroy();
      this.structure = structure;
      this.zoom.zoomed = false;
      this.plot = new uPlot(this._options(), /** @type {any} */ (this._data(clean, [first, last])), this.root);
      // A double-click shows all the data again; from then on, new data rescales again.
      this.zoom.attach(this.plot, this.root, () => {
        this.selector.undoDoubleClick();
        this.resetZoom();
      });
      // uPlot stops the click that ends a drag: a click here selects.
      this.plot.over.addEventListener("click", (event) => this.selector.onClick(event));
      if (zoom?.min != null && zoom.max != null) {
        this.zoom.zoomed = true;
        this.plot.setScale("x", { min: zoom.min, max: zoom.max });
      }
    }
    this._showMessage(clean);
    this.selector.render();
    this.el.dataset.series = String(this.series.length);
    this.el.dataset.points = String(this.series.reduce((n, s) => n + s.clean.x.length, 0));
  }

  /**
   * When series were given but none has a point on the chart's log axes, say why on the card.
   * @param {import("./_align.js").CleanSeries[]} clean
   */
  _showMessage(clean) {
    const drawable = clean.some((s) => s.y.some((v) => v === v) || s.markers.length > 0);
    const empty = this.series.length > 0 && !drawable && (this.logX || this.logY);
    this.message.hidden = !empty;
    this.root.hidden = empty;
    if (empty) {
      const axes = [this.logX ? "x <= 0" : "", this.logY ? "y <= 0" : ""].filter(Boolean).join(" or ");
      this.message.textContent = `Nothing to draw on a log scale: every point has ${axes}.`;
      this.el.dataset.empty = "log";
    } else {
      delete this.el.dataset.empty;
    }
  }

  /**
   * The y range uPlot asks for on every rescale: the fixed one, else the data's (padded);
   * on a log axis, positive whatever the fixed range says.
   * @param {number | null} min lowest value drawn in the x window
   * @param {number | null} max highest
   * @param {boolean} log whether the plot asking has a log y scale
   * @returns {[number | null, number | null]}
   */
  _yRange(min, max, log) {
    if (this.zoom.yZoom) return this.zoom.yZoom;
    const fixed = this.options.yRange;
    if (log) {
      if (!fixed) return fitLogRange(min, max) ?? [1, 10];
      let [lo, hi] = fixed;
      if (!(hi != null && hi > 0 && Number.isFinite(hi))) hi = max != null && max > 0 ? max : 10;
      if (!(lo != null && lo > 0 && Number.isFinite(lo))) lo = min != null && min > 0 && min < hi ? min : hi / 10;
      if (!(lo < hi)) lo = hi / 10;
      return [lo, hi];
    }
    if (fixed) return fixed;
    return min == null || max == null ? [null, null] : uPlot.rangeNum(min, max, 0.1, true);
  }

  /**
   * uPlot data for the x window `[lo, hi]`: decimated when the series are long, else every point.
   * @param {import("./_align.js").CleanSeries[]} clean
   * @param {[number, number]} window
   */
  _data(clean, [lo, hi]) {
    this.window = [lo, hi];
    if (this.decimating && hi > lo && needsDecimation(clean, lo, hi, this._columns())) {
      return decimate(clean, lo, hi, this._columns());
    }
    return alignSeries(clean);
  }

  /** Pixel columns of the plot area (its CSS width). */
  _columns() {
    const width = this.plot ? this.plot.bbox.width / devicePixelRatio : this.el.clientWidth - 60;
    return Math.max(50, Math.round(width));
  }

  /** After a zoom or resize: decimate again for the visible window (next frame). */
  _refine() {
    if (!this.decimating || this.refineFrame) return;
    this.refineFrame = requestAnimationFrame(() => {
      this.refineFrame = 0;
      const plot = this.plot;
      const { min, max } = plot?.scales.x ?? {};
      // Nothing to do when the data handed over was made for this very window.
      if (!plot || min == null || max == null || (min === this.window[0] && max === this.window[1])) return;
      const data = this._data(this.series.map((s) => s.clean), [min, max]);
      plot.batch(() => {
        plot.setData(/** @type {any} */ (data), false);
        plot.setScale("x", { min, max });
      });
    });
  }

  _resize() {
    const width = Math.floor(this.el.clientWidth);
    if (this.plot && width > 0 && width !== this.plot.width) {
      this.plot.setSize({ width, height: this.options.height ?? 240 });
      this.window = [NaN, NaN]; // more or fewer pixel columns: decimate again
      this._refine();
    }
  }

  /** @returns {uPlot.Options} */
  _options() {
    const style = getComputedStyle(this.el);
    const fg = style.getPropertyValue("--tb-fg-muted").trim() || "#555";
    const grid = style.getPropertyValue("--tb-grid").trim() || "rgba(128,128,128,0.2)";
    const logX = this.logX;
    const logY = this.logY;
    return {
      width: Math.max(50, Math.floor(this.el.clientWidth) || 400),
      height: this.options.height ?? 240,
      legend: { show: false },
      cursor: { focus: { prox: 16 }, drag: { x: true, y: true, uni: 15 } },
      focus: { alpha: 0.35 },
      scales: {
        x: {
          time: !!this.options.xTime,
          distr: this.logX ? 3 : 1,
          ...(this.options.xRange ? { range: () => /** @type {[number, number]} */ (this.options.xRange) } : {}),
        },
        y: {
          distr: logY ? 3 : 1,
          // A box zoom's y range stays when x is set (a live update, a refined window).
          auto: () => !this.zoom.yZoom,
          // The scale the plot was built with, not `this.logY`: a plot being replaced may
          // still rescale once (uPlot commits in a microtask) after `this.logY` changed.
          range: (_u, min, max) => /** @type {[number, number]} */ (this._yRange(min, max, logY)),
        },
      },
      bands: this.series.flatMap((s, i) =>
        s.fillTo != null ? [{ series: /** @type {[number, number]} */ ([i + 1, s.fillTo + 1]), fill: withAlpha(s.color, 0.15) }] : [],
      ),
      axes: chartAxes({ ...this.options, logX, logY, fg, grid }),
      series: [
        {},
        ...this.series.map((s) => ({
          label: s.name,
          stroke: s.alpha != null && s.alpha < 1 ? withAlpha(s.color, s.alpha) : s.color,
          width: s.width ?? 1.5,
          dash: s.dash,
          spanGaps: true,
          points: { size: 4 },
        })),
      ],
      hooks: {
        draw: [
          (u) => {
            drawMarkers(u, this.series);
            drawSelection(u, this.selector.selection, style.getPropertyValue("--tb-accent").trim() || "#e8710a");
          },
        ],
        setCursor: [(u) => this._onCursor(u)],
        setSelect: [(u) => this.zoom.onBoxZoom(u)],
        setScale: [(_u, key) => key === "x" && this._refine()],
      },
    };
  }

  /** @param {uPlot} u */
  _onCursor(u) {
    const { left, top } = u.cursor;
    if (left == null || left < 0 || top == null || this.series.length === 0) {
      this.tooltip?.hide();
      this.options.onCursor?.(null);
      return;
    }
    const x = u.posToVal(left, "x");
    const points = cursorPoints(u, this.series, x, left, top);
    this.options.onCursor?.({ x, points });
    const sorted = sortPoints(points, this.options.tooltipSort ?? "nearest");
    const maxRows = this.options.tooltipRows ?? DEFAULT_TOOLTIP_ROWS;
    if (!this.tooltip) return;
    if (points.length === 0) {
      this.tooltip.hide();
      return;
    }
    const box = u.over.getBoundingClientRect();
    const content = this.options.tooltipContent ? this.options.tooltipContent({ x, points: sorted, maxRows }) : tooltipTable(sorted, maxRows);
    this.tooltip.show(box.left + left, box.top + top, content);
  }
}

/**
 * Smallest and largest x of all series (`[Infinity, -Infinity]` when there is none).
 * @param {import("./_align.js").CleanSeries[]} clean
 * @returns {[number, number]}
 */
function extent(clean) {
  let first = Infinity;
  let last = -Infinity;
  for (const s of clean) {
    if (!s.x.length) continue;
    first = Math.min(first, s.x[0]);
    last = Math.max(last, s.x[s.x.length - 1]);
  }
  return [first, last];
}
