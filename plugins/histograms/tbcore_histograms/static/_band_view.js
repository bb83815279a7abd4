/**
 * One run's distribution drawn on a canvas: the nine percentiles as nested bands along the
 * chosen x axis (step, relative or wall time), the median as a line; hover marks the nearest
 * step and lists its percentiles and times.
 * @module
 */

import { h, withAlpha } from "@tbcore/sdk";
import { label, sizeCanvas, themeColors, tickStep, ticks } from "./_canvas.js";
import { axisTicks, axisValues, extent, formatAxisValue, formatDuration } from "./_time_axis.js";
import { finiteSegments } from "./_distribution.js";

const PAD = { left: 52, right: 14, top: 10, bottom: 22 };
/** Pairs of basis-point indices bounding each band, outermost first. */
const BANDS = [[0, 8], [1, 7], [2, 6], [3, 5]];
const BAND_ALPHA = [0.12, 0.2, 0.3, 0.42];
const MEDIAN = 4;
const PERCENT = ["min", "6.68%", "15.87%", "30.85%", "50%", "69.15%", "84.13%", "93.32%", "max"];

/**
 * @typedef {object} BandViewOptions
 * @property {string} color the run's color
 * @property {string} run
 * @property {string} xAxis `"step"`, `"relative"` or `"wall"`
 * @property {number} height canvas height (CSS px)
 * @property {import("@tbcore/sdk").Tooltip} tooltip
 */

/** One run's percentile bands on one canvas, with hover. */
export class BandView {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {import("./_distribution.js").Distribution} dist
   * @param {BandViewOptions} options
   */
  constructor(canvas, dist, options) {
    this.canvas = canvas;
    this.dist = dist;
    this.options = options;
    /** Each step's position on the x axis. */
    this.xs = axisValues(dist.step, dist.wallTime, options.xAxis);
    this.hover = -1;
    /** @type {(v: number) => number} axis value to CSS px */
    this.x = (v) => v;
    canvas.addEventListener("mousemove", (e) => this._onMove(e));
    canvas.addEventListener("mouseleave", () => {
      this.hover = -1;
      this.options.tooltip.hide();
      this.draw();
    });
  }

  /** Draw the bands at the width of the canvas's parent. */
  draw() {
    const { canvas, dist, options } = this;
    const height = options.height;
    const width = Math.max(160, canvas.parentElement?.clientWidth || 400);
    const g = sizeCanvas(canvas, width, height);
    const colors = themeColors();
    const plotH = height - PAD.top - PAD.bottom;
    const segments = finiteSegments(dist);
    let lo = Infinity;
    let hi = -Infinity;
    for (const [a, b] of segments) {
      for (let i = a; i <= b; i++) {
        lo = Math.min(lo, dist.values[0][i]);
        hi = Math.max(hi, dist.values[8][i]);
      }
    }
    if (!(hi >= lo)) [lo, hi] = [-1, 1];
    if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
    g.font = colors.font;
    const yTicks = ticks(lo, hi, Math.max(2, Math.floor(plotH / 50)));
    const yLabels = yTicks.map((t) => label(t, tickStep(yTicks)));
    // Wide enough for the longest label (-2.00e+12 does not fit the usual 52 px).
    const left = Math.max(PAD.left, Math.ceil(Math.max(0, ...yLabels.map((t) => g.measureText(t).width))) + 8);
    const plotW = width - left - PAD.right;
    const [first, last] = extent(this.xs);
    const span = last - first;
    const x = (/** @type {number} */ v) => left + (span > 0 ? ((v - first) / span) * plotW : plotW / 2);
    const xAt = (/** @type {number} */ i) => x(this.xs[i]);
    const y = (/** @type {number} */ v) => PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;
    this.x = x;

    g.fillStyle = colors.muted;
    g.strokeStyle = colors.grid;
    g.textAlign = "right";
    g.textBaseline = "middle";
    yTicks.forEach((t, i) => {
      g.globalAlpha = 0.5;
      g.beginPath();
      g.moveTo(left, y(t));
      g.lineTo(left + plotW, y(t));
      g.stroke();
      g.globalAlpha = 1;
      g.fillText(yLabels[i], left - 4, y(t));
    });
    g.textAlign = "center";
    g.textBaseline = "top";
    const axisLabels = [];
    const xTicks = span > 0 ? axisTicks(first, last, Math.max(2, Math.floor(plotW / 100)), options.xAxis) : [first];
    for (const t of xTicks) {
      const text = formatAxisValue(t, options.xAxis, span);
      g.fillText(text, x(t), PAD.top + plotH + 5);
      axisLabels.push(text);
    }

    // A lone step is drawn a few pixels wide, so that it shows.
    const half = (/** @type {number} */ a, /** @type {number} */ b) => (a === b ? 2 : 0);
    let bands = 0;
    for (const [a, b] of segments) {
      BANDS.forEach(([low, high], k) => {
        g.beginPath();
        g.moveTo(xAt(a) - half(a, b), y(dist.values[high][a]));
        for (let i = a; i <= b; i++) g.lineTo(xAt(i), y(dist.values[high][i]));
        g.lineTo(xAt(b) + half(a, b), y(dist.values[high][b]));
        g.lineTo(xAt(b) + half(a, b), y(dist.values[low][b]));
        for (let i = b; i >= a; i--) g.lineTo(xAt(i), y(dist.values[low][i]));
        g.lineTo(xAt(a) - half(a, b), y(dist.values[low][a]));
        g.closePath();
        g.fillStyle = withAlpha(options.color, BAND_ALPHA[k]);
        g.fill();
        bands++;
      });
      g.beginPath();
      g.moveTo(xAt(a) - half(a, b), y(dist.values[MEDIAN][a]));
      for (let i = a; i <= b; i++) g.lineTo(xAt(i), y(dist.values[MEDIAN][i]));
      g.lineTo(xAt(b) + half(a, b), y(dist.values[MEDIAN][b]));
      g.strokeStyle = options.color;
      g.lineWidth = 1.5;
      g.stroke();
      g.lineWidth = 1;
    }
    if (this.hover >= 0) {
      g.strokeStyle = colors.fg;
      g.globalAlpha = 0.6;
      g.beginPath();
      g.moveTo(xAt(this.hover), PAD.top);
      g.lineTo(xAt(this.hover), PAD.top + plotH);
      g.stroke();
      g.globalAlpha = 1;
    }
    Object.assign(canvas.dataset, {
      bands: String(bands),
      steps: String(dist.step.length),
      xAxis: options.xAxis,
      xPositions: dist.step.map((_, i) => xAt(i).toFixed(1)).join(","),
      axisLabels: axisLabels.join("|"),
      yLabels: yLabels.join("|"),
    });
  }

  /** @param {MouseEvent} e */
  _onMove(e) {
    const { dist } = this;
    if (!dist.step.length) return;
    const mx = e.clientX - this.canvas.getBoundingClientRect().left;
    let hit = 0;
    let best = Infinity;
    this.xs.forEach((v, i) => {
      const d = Math.abs(this.x(v) - mx);
      if (d < best) [best, hit] = [d, i];
    });
    const rows = [];
    for (let j = 8; j >= 0; j--) rows.push(h("div", {}, `${PERCENT[j]}: ${label(dist.values[j][hit])}`));
    const wall = dist.wallTime[hit];
    this.options.tooltip.show(e.clientX, e.clientY, [
      h("div", { class: "histograms-tip-title" }, `${this.options.run} · step ${dist.step[hit]}`),
      h("div", { class: "histograms-tip-time" }, `relative ${formatDuration(wall - dist.wallTime[0])} · wall ${new Date(wall * 1000).toLocaleString()}`),
      rows,
    ]);
    this.canvas.dataset.hoverStep = String(dist.step[hit]);
    if (hit !== this.hover) {
      this.hover = hit;
      this.draw();
    }
  }
}
