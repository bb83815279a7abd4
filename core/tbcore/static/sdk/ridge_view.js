/**
 * One run's histograms drawn on a canvas. Offset mode: a ridge per step, its baseline placed
 * by the step's position on the x-axis choice (step, relative or wall time) between the top
 * (oldest) and the bottom (newest, drawn last: in front), with that axis on the right.
 * Overlay mode: every ridge on one baseline. Hover emphasizes the ridge under the pointer and
 * names its step, times, bucket and count.
 * @module
 */

import { withAlpha } from "./colors.js";
import { h } from "./dom.js";
import { label, sizeCanvas, themeColors, tickStep, ticks } from "./histogram_canvas.js";
import { bucketAt, rebin, valueRange } from "./ridges.js";
import { axisTicks, axisValues, extent, formatAxisValue, formatDuration } from "./time_axis.js";

const PAD = { left: 12, right: 56, top: 10, bottom: 22 };
const DISPLAY_BIN_PX = 2;
/** Height of one ridge, as a share of the plot, when they are offset (TensorBoard's 1/2.5). */
const RIDGE_SHARE = 0.4;
/** Closest spacing (CSS px) of the baselines of evenly spaced steps: closer is a solid block. */
const MIN_RIDGE_GAP_PX = 3;

/**
 * How many ridges a canvas `height` px tall can show apart: one per {@link MIN_RIDGE_GAP_PX}
 * over the span of the offset baselines. Overlay mode asks for as many, so that switching
 * modes needs no new request.
 * @param {number} height canvas height (CSS px)
 */
export function ridgeBudget(height) {
  const spread = (height - PAD.top - PAD.bottom) * (1 - RIDGE_SHARE);
  return Math.max(2, Math.floor(spread / MIN_RIDGE_GAP_PX) + 1);
}

/**
 * @typedef {object} RidgeViewOptions
 * @property {string} color the run's color
 * @property {string} run
 * @property {string} mode `"offset"` or `"overlay"`
 * @property {string} xAxis what offsets the ridges: `"step"`, `"relative"` or `"wall"`
 * @property {number} height canvas height (CSS px)
 * @property {import("@tbcore/sdk").Tooltip} tooltip
 */

/** One run's ridges on one canvas, with hover. */
export class RidgeView {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {import("./_ridges.js").Ridge[]} ridges sorted by step
   * @param {RidgeViewOptions} options
   */
  constructor(canvas, ridges, options) {
    this.canvas = canvas;
    this.ridges = ridges;
    this.options = options;
    /** Each ridge's position on the chosen axis. */
    this.offsets = axisValues(
      ridges.map((r) => r.step),
      ridges.map((r) => r.wallTime),
      options.xAxis,
    );
    [this.first, this.last] = extent(this.offsets);
    /** @type {number} index of the hovered ridge, -1 for none */
    this.hover = -1;
    this.geometry = { width: 0, plotW: 0, plotH: 0, lo: 0, hi: 1, peak: 1, ridgeH: 0, n: 1 };
    /** @type {ImageData | null} the ridges as drawn, without hover */
    this.picture = null;
    canvas.addEventListener("mousemove", (e) => this._onMove(e));
    canvas.addEventListener("mouseleave", () => {
      this.hover = -1;
      this.options.tooltip.hide();
      this._paintHover();
    });
  }

  /** Whether the ridges are spread over the height (offset mode with several steps). */
  get stacked() {
    return this.options.mode === "offset" && this.ridges.length > 1;
  }

  /**
   * The y (CSS px) of axis value `v` in offset mode: the oldest at the top, the newest at
   * the bottom, one ridge height apart at least.
   * @param {number} v
   */
  offsetY(v) {
    const { plotH, ridgeH } = this.geometry;
    const frac = this.last > this.first ? (v - this.first) / (this.last - this.first) : 1;
    return PAD.top + ridgeH + frac * (plotH - ridgeH);
  }

  /** The baseline (y, CSS px) of ridge `i`. @param {number} i */
  baseline(i) {
    const { plotH, ridgeH } = this.geometry;
    if (!this.stacked) return PAD.top + plotH;
    const v = this.offsets[i];
    if (this.last > this.first && Number.isFinite(v)) return this.offsetY(v);
    // Every step at one time (or none known): evenly by order.
    return PAD.top + ridgeH + (i / (this.ridges.length - 1)) * (plotH - ridgeH);
  }

  /** Draw every ridge at the width of the canvas's parent. */
  draw() {
    const { canvas, options } = this;
    const height = options.height;
    const width = Math.max(160, canvas.parentElement?.clientWidth || 400);
    const g = sizeCanvas(canvas, width, height);
    const colors = themeColors();
    const plotW = width - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    const [lo, hi] = valueRange(this.ridges);
    const n = Math.max(8, Math.floor(plotW / DISPLAY_BIN_PX));
    let peak = 0;
    for (const r of this.ridges) {
      r.bins = rebin(r, lo, hi, n);
      for (const c of r.bins) peak = Math.max(peak, c);
    }
    const ridgeH = this.stacked ? plotH * RIDGE_SHARE : plotH;
    this.geometry = { width, plotW, plotH, lo, hi, peak: peak || 1, ridgeH, n };
    const x = (/** @type {number} */ v) => PAD.left + ((v - lo) / (hi - lo)) * plotW;

    g.font = colors.font;
    g.strokeStyle = colors.grid;
    g.fillStyle = colors.muted;
    g.textAlign = "center";
    g.textBaseline = "top";
    let valueTicks = ticks(lo, hi, Math.max(2, Math.floor(plotW / 90)));
    let valueLabels = valueTicks.map((t) => label(t, tickStep(valueTicks)));
    // Labels with many digits (a narrow range of large values) need fewer ticks to fit.
    const widest = Math.max(0, ...valueLabels.map((t) => g.measureText(t).width));
    if (valueTicks.length > 2 && (widest + 12) * valueTicks.length > plotW) {
      valueTicks = ticks(lo, hi, Math.max(2, Math.floor(plotW / (widest + 12))));
      valueLabels = valueTicks.map((t) => label(t, tickStep(valueTicks)));
    }
    valueTicks.forEach((t, i) => {
      g.beginPath();
      g.moveTo(x(t), PAD.top);
      g.lineTo(x(t), PAD.top + plotH);
      g.globalAlpha = 0.5;
      g.stroke();
      g.globalAlpha = 1;
      g.fillText(valueLabels[i], x(t), PAD.top + plotH + 5);
    });

    const count = this.ridges.length;
    const mode = options.mode;
    // Oldest first, so the newest is drawn last: in front.
    for (let i = 0; i < count; i++) {
      const age = count > 1 ? i / (count - 1) : 1;
      this._path(g, i);
      if (mode === "offset") {
        g.fillStyle = colors.bg;
        g.fill();
        g.fillStyle = withAlpha(options.color, 0.1 + 0.25 * age);
        g.fill();
      }
      g.strokeStyle = withAlpha(options.color, 0.3 + 0.7 * age);
      g.stroke();
    }
    const axisLabels = this.stacked ? this._drawOffsetAxis(g, colors) : [];
    // Hovering repaints this picture and draws the hovered ridge on top, instead of
    // redrawing every ridge (thousands of steps x hundreds of buckets) on each move.
    this.picture = g.getImageData(0, 0, canvas.width, canvas.height);
    this._paintHover(g);

    Object.assign(canvas.dataset, {
      ridges: String(count),
      mode,
      xAxis: options.xAxis,
      steps: this.ridges.map((r) => r.step).join(","),
      buckets: String(this.ridges.reduce((sum, r) => sum + r.left.length, 0)),
      baselines: this.ridges.map((_, i) => this.baseline(i).toFixed(1)).join(","),
      axisLabels: axisLabels.join("|"),
      valueLabels: valueLabels.join("|"),
    });
  }

  /**
   * Ticks of the offset axis on the right (steps, durations or clock times).
   * @param {CanvasRenderingContext2D} g
   * @param {ReturnType<typeof themeColors>} colors
   * @returns {string[]} the labels drawn
   */
  _drawOffsetAxis(g, colors) {
    const { plotW, plotH, ridgeH } = this.geometry;
    const axis = this.options.xAxis;
    const span = this.last - this.first;
    const values = span > 0 ? axisTicks(this.first, this.last, Math.max(2, Math.floor((plotH - ridgeH) / 32)), axis) : [this.first];
    const labels = [];
    g.fillStyle = colors.muted;
    g.textAlign = "left";
    g.textBaseline = "middle";
    for (const v of values) {
      const text = formatAxisValue(v, axis, span);
      g.fillText(text, PAD.left + plotW + 4, this.offsetY(v));
      labels.push(text);
    }
    return labels;
  }

  /**
   * Trace ridge `i` (a closed outline along its baseline) as the current path.
   * @param {CanvasRenderingContext2D} g
   * @param {number} i
   */
  _path(g, i) {
    const { plotW, peak, ridgeH, n } = this.geometry;
    const r = this.ridges[i];
    const base = this.baseline(i);
    g.beginPath();
    g.moveTo(PAD.left, base);
    for (let k = 0; k < n; k++) {
      const y = base - (r.bins[k] / peak) * ridgeH;
      g.lineTo(PAD.left + (k / n) * plotW, y);
      g.lineTo(PAD.left + ((k + 1) / n) * plotW, y);
    }
    g.lineTo(PAD.left + plotW, base);
  }

  /**
   * The drawn picture, plus the hovered ridge emphasized and labelled.
   * @param {CanvasRenderingContext2D} [g]
   */
  _paintHover(g = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"))) {
    if (this.picture) g.putImageData(this.picture, 0, 0);
    const i = this.hover;
    if (i < 0 || i >= this.ridges.length) return;
    const colors = themeColors();
    this._path(g, i);
    g.strokeStyle = this.options.color;
    g.lineWidth = 2.5;
    g.stroke();
    g.lineWidth = 1;
    g.font = colors.font;
    const text = `step ${this.ridges[i].step}`;
    const y = this.stacked ? this.baseline(i) : PAD.top + 8;
    const x = PAD.left + this.geometry.plotW + 2;
    // Over the axis labels: on a plate of the background color.
    g.fillStyle = colors.bg;
    g.fillRect(x, y - 7, Math.min(PAD.right - 2, g.measureText(text).width + 4), 14);
    g.fillStyle = colors.fg;
    g.textAlign = "left";
    g.textBaseline = "middle";
    g.fillText(text, x + 2, y);
  }

  /** @param {MouseEvent} e */
  _onMove(e) {
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    const { plotW, lo, hi, peak, ridgeH, n } = this.geometry;
    const tooltip = this.options.tooltip;
    if (!this.ridges.length || mx < PAD.left || mx > PAD.left + plotW) {
      tooltip.hide();
      return;
    }
    const k = Math.min(n - 1, Math.max(0, Math.floor(((mx - PAD.left) / plotW) * n)));
    const curveY = (/** @type {number} */ i) => this.baseline(i) - (this.ridges[i].bins[k] / peak) * ridgeH;
    let hit = -1;
    if (this.options.mode === "offset") {
      // The front-most ridge whose area is under the pointer, else the nearest baseline.
      for (let i = this.ridges.length - 1; i >= 0 && hit < 0; i--) {
        if (my >= curveY(i) - 2 && my <= this.baseline(i) + 2) hit = i;
      }
      if (hit < 0) {
        let best = Infinity;
        this.ridges.forEach((_, i) => {
          const d = Math.abs(this.baseline(i) - my);
          if (d < best) [best, hit] = [d, i];
        });
      }
    } else {
      let best = Infinity;
      this.ridges.forEach((_, i) => {
        const d = Math.abs(curveY(i) - my);
        if (d < best) [best, hit] = [d, i];
      });
    }
    const r = this.ridges[hit];
    const value = lo + ((mx - PAD.left) / plotW) * (hi - lo);
    const b = bucketAt(r, value);
    const lines = [
      h("div", { class: "histograms-tip-title" }, `${this.options.run} · step ${r.step}`),
      h("div", { class: "histograms-tip-time" }, `relative ${formatDuration(r.wallTime - this.ridges[0].wallTime)} · wall ${new Date(r.wallTime * 1000).toLocaleString()}`),
    ];
    if (b < 0) lines.push(h("div", {}, "empty histogram"));
    else lines.push(h("div", {}, `bucket [${label(r.left[b])}, ${label(r.right[b])}]`), h("div", {}, `count ${label(r.count[b])}`));
    tooltip.show(e.clientX, e.clientY, lines);
    Object.assign(this.canvas.dataset, { hoverStep: String(r.step), hoverBucket: String(b) });
    if (hit !== this.hover) {
      this.hover = hit;
      this._paintHover();
    }
  }
}
