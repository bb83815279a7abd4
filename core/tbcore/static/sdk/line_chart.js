/**
 * Line charts on uPlot, for any number of series with their own x values.
 *
 * Non-finite values: a NaN or ±Infinity y value is not drawn as part of the line (the line
 * joins the finite points on either side) but as a marker in the series' color on the edge of
 * the plot at its x: a ▲ on the top edge for +Infinity, a ▼ on the bottom edge for -Infinity,
 * and a ◆ on the top edge for NaN. On a log axis, points at or below zero are left out (they
 * have no position there); on a log x axis, so are points with x <= 0.
 * @module
 */

import uPlot from "uplot";
import { withAlpha } from "./colors.js";
import { h } from "./dom.js";
import { Tooltip } from "./tooltip.js";
import { alignSeries, cleanSeries, nearestIndex } from "./_align.js";

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
 */

/**
 * @typedef {object} CursorPoint
 * @property {string} name
 * @property {string} color
 * @property {number} x the series' x nearest to the cursor
 * @property {number} y its value (may be NaN or ±Infinity)
 */

/**
 * @typedef {object} LineChartOptions
 * @property {string} [xLabel]
 * @property {string} [yLabel]
 * @property {boolean} [logX]
 * @property {boolean} [logY]
 * @property {boolean} [xTime] x values are Unix times in seconds: label the axis with dates
 * @property {[number, number]} [yRange] fixed y range (e.g. to ignore outliers); default: fit the data
 * @property {number} [height] plot height in CSS pixels (default 240); the width follows the container
 * @property {boolean} [tooltip] show the built-in tooltip (default true)
 * @property {(info: {x: number, points: CursorPoint[]} | null) => void} [onCursor] called as
 *   the cursor moves (`null` when it leaves the plot)
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
      y: s.clean.y.slice(),
      markers: s.clean.markers.map((m) => ({ ...m })),
    }));
  }

  /** Remove the chart and stop observing its container. */
  destroy() {
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    this.plot?.destroy();
    this.plot = null;
    this.tooltip?.destroy();
    this.root.remove();
    delete this.el.dataset.series;
  }

  /** @param {boolean} rebuild */
  _draw(rebuild) {
    const data = alignSeries(this.series.map((s) => s.clean));
    const structure = JSON.stringify([
      this.logX,
      this.logY,
      this.series.map((s) => [s.name, s.color, s.dash, s.width, s.alpha, s.fillTo]),
      this.options.yRange,
    ]);
    if (this.plot && !rebuild && structure === this.structure) {
      this.plot.setData(/** @type {any} */ (data), !this.zoomed);
    } else {
      this.plot?.destroy();
      this.structure = structure;
      this.zoomed = false;
      this.plot = new uPlot(this._options(), /** @type {any} */ (data), this.root);
      // uPlot resets the zoom on double-click; from then on, new data rescales again.
      this.plot.over.addEventListener("dblclick", () => (this.zoomed = false));
    }
    this.el.dataset.series = String(this.series.length);
    this.el.dataset.points = String(this.series.reduce((n, s) => n + s.clean.x.length, 0));
  }

  _resize() {
    const width = Math.floor(this.el.clientWidth);
    if (this.plot && width > 0 && width !== this.plot.width) {
      this.plot.setSize({ width, height: this.options.height ?? 240 });
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
      axes: [axis(this.options.xLabel), axis(this.options.yLabel)],
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
    for (const s of this.series) {
      const i = nearestIndex(s.clean.x, x);
      if (i >= 0) points.push({ name: s.name, color: s.color, x: s.clean.x[i], y: s.clean.raw[i] });
    }
    // Nearest line first: sort by distance to the cursor's y.
    const y = u.posToVal(top, "y");
    points.sort((a, b) => Math.abs(+a.y - y) - Math.abs(+b.y - y) || (Number.isFinite(+a.y) ? -1 : 1));
    this.options.onCursor?.({ x, points });
    if (!this.tooltip) return;
    if (points.length === 0) {
      this.tooltip.hide();
      return;
    }
    const box = u.over.getBoundingClientRect();
    this.tooltip.show(box.left + left, box.top + top, tooltipTable(points));
  }
}

/** @param {CursorPoint[]} points */
function tooltipTable(points) {
  const sorted = points.slice().sort((a, b) => (b.y > a.y ? 1 : b.y < a.y ? -1 : 0));
  const shown = sorted.slice(0, MAX_TOOLTIP_ROWS);
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
      sorted.length > shown.length
        ? h("tr", null, h("td", { colspan: 4, class: "tb-muted" }, `+${sorted.length - shown.length} more`))
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
