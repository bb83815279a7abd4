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
 * @module
 */

import uPlot from "uplot";
import { withAlpha } from "./colors.js";
import { h } from "./dom.js";
import { Tooltip } from "./tooltip.js";
import { alignSeries, cleanSeries, decimate, lineValues, nearestIndex, needsDecimation } from "./_align.js";

/**
 * @typedef {object} ChartSeries
 * @property {string} name shown in the tooltip
 * @property {string} color `#rrggbb` (e.g. from `runColor`)
 * @property {ArrayLike<number>} x
 * @property {ArrayLike<number>} y same length as `x`
 * @property {number[]} [dash] canvas dash pattern, e.g. `[4, 4]`
 * @property {number} [width] line width in CSS pixels (default 1.5)
 * @property {number} [alpha] line opacity 0..1 (default 1)
 * @property {number} [fillTo] index (in the array given to `setSeries`) of another series: the
 *   area between the two is filled with this series' color, faintly (for min–max or ±std bands)
 * @property {boolean} [tooltip] list the series in the tooltip (default true)
 * @property {unknown} [meta] anything the caller wants back in {@link CursorPoint} (e.g. the
 *   columns a custom tooltip shows)
 */

/**
 * @typedef {object} CursorPoint
 * @property {string} name
 * @property {string} color
 * @property {number} x the series' x nearest to the cursor
 * @property {number} y its value (may be NaN or ±Infinity)
 * @property {unknown} [meta] the series' `meta`
 */

/**
 * @typedef {object} LineChartOptions
 * @property {string} [xLabel]
 * @property {string} [yLabel]
 * @property {boolean} [logX]
 * @property {boolean} [logY]
 * @property {boolean} [xTime] x values are Unix times in seconds: label the axis with dates
 * @property {(value: number) => string} [xFormat] label of an x-axis tick (e.g. a duration)
 * @property {[number, number]} [yRange] fixed y range (e.g. to ignore outliers); default: fit the data
 * @property {number} [height] plot height in CSS pixels (default 240); the width follows the container
 * @property {boolean} [tooltip] show the built-in tooltip (default true)
 * @property {(info: {x: number, points: CursorPoint[]} | null) => void} [onCursor] called as
 *   the cursor moves (`null` when it leaves the plot)
 * @property {(info: {x: number, points: CursorPoint[]}) => import("./dom.js").Child} [tooltipContent]
 *   what the tooltip shows (default: a row per series, up to 12: name, value, x); `points`
 *   come nearest to the cursor first
 */

/**
 * @typedef {object} DrawnSeries
 * @property {string} name
 * @property {string} color
 * @property {number[]} x x of every point kept (non-finite y included)
 * @property {(number | null)[]} y y drawn on the line (`null`: not on the line)
 * @property {{x: number, kind: "nan" | "+inf" | "-inf"}[]} markers non-finite points
 */

const MAX_TOOLTIP_ROWS = 12;

/** A line chart that resizes with its container and follows the light/dark theme. */
export class LineChart {
  /**
   * @param {HTMLElement} el container; the chart takes its width
   * @param {LineChartOptions} [options]
   */
  constructor(el, options = {}) {
    this.el = el;
    this.options = { height: 240, tooltip: true, ...options };
    this.logX = !!options.logX;
    this.logY = !!options.logY;
    /** @type {(ChartSeries & {clean: import("./_align.js").CleanSeries})[]} */
    this.series = [];
    /** @type {uPlot | null} */
    this.plot = null;
    this.structure = "";
    this.tooltip = this.options.tooltip ? new Tooltip() : null;
    /** Whether the user zoomed in (drag); live updates then keep the zoom. */
    this.zoomed = false;
    /** Whether the series are long enough to be decimated at full extent. */
    this.decimating = false;
    this.refineFrame = 0;
    /** The x window the data handed to uPlot was made for. */
    this.window = [NaN, NaN];
    this.root = h("div", { class: "tb-line-chart" });
    el.replaceChildren(this.root);
    el.dataset.series = "0";
    this.resizeObserver = new ResizeObserver(() => this._resize());
    this.resizeObserver.observe(el);
    this.themeObserver = new MutationObserver(() => this._draw(true));
    this.themeObserver.observe(document.documentElement, { attributeFilter: ["data-theme"] });
  }

  /**
   * Replace the drawn series.
   * @param {ChartSeries[]} series
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
   * Fix the y range (e.g. to ignore outliers), or fit the data again with `undefined`.
   * @param {[number, number] | undefined} range
   */
  setYRange(range) {
    this.options.yRange = range;
    this._draw(true);
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
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    cancelAnimationFrame(this.refineFrame);
    this.plot?.destroy();
    this.plot = null;
    this.tooltip?.destroy();
    this.root.remove();
    delete this.el.dataset.series;
  }

  /** @param {boolean} rebuild */
  _draw(rebuild) {
    const clean = this.series.map((s) => s.clean);
    const [first, last] = extent(clean);
    this.decimating = !this.logX && last > first && needsDecimation(clean, first, last, this._columns());
    const structure = JSON.stringify([
      this.logX,
      this.logY,
      this.series.map((s) => [s.name, s.color, s.dash, s.width, s.alpha, s.fillTo]),
      this.options.yRange,
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
      this.plot?.destroy();
      this.structure = structure;
      this.zoomed = false;
      this.plot = new uPlot(this._options(), /** @type {any} */ (this._data(clean, [first, last])), this.root);
      // uPlot resets the zoom on double-click; from then on, new data rescales again.
      this.plot.over.addEventListener("dblclick", () => (this.zoomed = false));
    }
    this.el.dataset.series = String(this.series.length);
    this.el.dataset.points = String(this.series.reduce((n, s) => n + s.clean.x.length, 0));
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
    const axis = (/** @type {string | undefined} */ label) => ({
      label,
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
    });
    return {
      width: Math.max(50, Math.floor(this.el.clientWidth) || 400),
      height: this.options.height ?? 240,
      legend: { show: false },
      cursor: { focus: { prox: 16 }, drag: { x: true, y: false } },
      focus: { alpha: 0.35 },
      scales: {
        x: { time: !!this.options.xTime, distr: this.logX ? 3 : 1 },
        y: {
          distr: this.logY ? 3 : 1,
          ...(this.options.yRange ? { range: () => /** @type {[number, number]} */ (this.options.yRange) } : {}),
        },
      },
      bands: this.series.flatMap((s, i) =>
        s.fillTo != null ? [{ series: /** @type {[number, number]} */ ([i + 1, s.fillTo + 1]), fill: withAlpha(s.color, 0.15) }] : [],
      ),
      axes: [
        {
          ...axis(this.options.xLabel),
          ...(this.options.xFormat ? { values: (_u, splits) => splits.map((v) => this.options.xFormat?.(v) ?? String(v)) } : {}),
        },
        axis(this.options.yLabel),
      ],
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
        draw: [(u) => this._drawMarkers(u)],
        setCursor: [(u) => this._onCursor(u)],
        setSelect: [(u) => (this.zoomed = this.zoomed || u.select.width > 0)],
        setScale: [(_u, key) => key === "x" && this._refine()],
      },
    };
  }

  /** @param {uPlot} u */
  _drawMarkers(u) {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    const r = 4 * devicePixelRatio;
    ctx.save();
    this.series.forEach((s) => {
      if (s.clean.markers.length === 0) return;
      ctx.fillStyle = s.color;
      for (const m of s.clean.markers) {
        const cx = u.valToPos(m.x, "x", true);
        if (!(cx >= left - 1 && cx <= left + width + 1)) continue;
        const cy = m.kind === "-inf" ? top + height - r : top + r;
        ctx.beginPath();
        if (m.kind === "+inf") {
          ctx.moveTo(cx, cy - r);
          ctx.lineTo(cx + r, cy + r);
          ctx.lineTo(cx - r, cy + r);
        } else if (m.kind === "-inf") {
          ctx.moveTo(cx, cy + r);
          ctx.lineTo(cx + r, cy - r);
          ctx.lineTo(cx - r, cy - r);
        } else {
          ctx.moveTo(cx, cy - r);
          ctx.lineTo(cx + r, cy);
          ctx.lineTo(cx, cy + r);
          ctx.lineTo(cx - r, cy);
        }
        ctx.closePath();
        ctx.fill();
      }
    });
    ctx.restore();
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
    /** @type {CursorPoint[]} */
    const points = [];
    /** @type {Map<CursorPoint, number>} */
    const distance = new Map();
    for (const s of this.series) {
      if (s.tooltip === false) continue;
      const i = nearestIndex(s.clean.x, x);
      if (i < 0) continue;
      const point = { name: s.name, color: s.color, x: s.clean.x[i], y: s.clean.raw[i], meta: s.meta };
      points.push(point);
      // Nearest first, in pixels; a point off the line (NaN, ±Infinity) after every other.
      const py = s.clean.y[i] === s.clean.y[i] ? u.valToPos(s.clean.y[i], "y") : NaN;
      const d = Math.hypot(u.valToPos(point.x, "x") - left, py - top);
      distance.set(point, Number.isFinite(d) ? d : Infinity);
    }
    points.sort((a, b) => /** @type {number} */ (distance.get(a)) - /** @type {number} */ (distance.get(b)));
    this.options.onCursor?.({ x, points });
    if (!this.tooltip) return;
    if (points.length === 0) {
      this.tooltip.hide();
      return;
    }
    const box = u.over.getBoundingClientRect();
    const content = this.options.tooltipContent ? this.options.tooltipContent({ x, points }) : tooltipTable(points);
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

/** @param {CursorPoint[]} points */
function tooltipTable(points) {
  const shown = points.slice(0, MAX_TOOLTIP_ROWS);
  return h(
    "table",
    { class: "tb-chart-tooltip" },
    h(
      "tbody",
      null,
      shown.map((p) =>
        h(
          "tr",
          null,
          h("td", null, h("span", { class: "tb-swatch", style: { background: p.color } })),
          h("td", { class: "tb-chart-tooltip-name" }, p.name),
          h("td", { class: "tb-num" }, formatNumber(p.y)),
          h("td", { class: "tb-num tb-muted" }, formatNumber(p.x)),
        ),
      ),
      points.length > shown.length
        ? h("tr", null, h("td", { colspan: 4, class: "tb-muted" }, `+${points.length - shown.length} more`))
        : null,
    ),
  );
}

/**
 * A compact number: up to 5 significant digits, exponent form for very large/small values.
 * @param {number} value
 * @returns {string}
 */
export function formatNumber(value) {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Infinity" : "-Infinity";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return value.toExponential(3);
  return String(Number(value.toPrecision(5)));
}
