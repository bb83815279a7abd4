/**
 * The distributions dashboard: one card per tag; per selected run, the nine percentiles of
 * every step's histogram (TensorBoard's basis points) drawn as nested bands over steps on a
 * canvas, darker towards the median, with the median as a line.
 * @module
 */

import { Tooltip, h, withAlpha } from "@tbcore/sdk";
import { label, onWidthChange, sizeCanvas, themeColors, ticks, toNumber } from "./_canvas.js";
import { mountTagCards } from "./_cards.js";

const HEIGHT = 220;
const PAD = { left: 52, right: 12, top: 10, bottom: 22 };
/** Pairs of basis-point indices bounding each band, outermost first. */
const BANDS = [[0, 8], [1, 7], [2, 6], [3, 5]];
const BAND_ALPHA = [0.12, 0.2, 0.3, 0.42];
const MEDIAN = 4;
const PERCENT = ["min", "6.68%", "15.87%", "30.85%", "50%", "69.15%", "84.13%", "93.32%", "max"];

/**
 * @typedef {object} Distribution
 * @property {number[]} step
 * @property {number[][]} values per basis point, one value per step
 */

/**
 * Parse `[[wall_time, step, [[basis_point, value], ...9]], ...]` rows, sorted by step.
 * @param {any[]} rows
 * @returns {Distribution}
 */
export function parseRows(rows) {
  const sorted = [...rows].sort((a, b) => a[1] - b[1]);
  const values = Array.from({ length: 9 }, () => /** @type {number[]} */ ([]));
  for (const [, , points] of sorted) {
    for (let j = 0; j < 9; j++) values[j].push(points[j] ? toNumber(points[j][1]) : NaN);
  }
  return { step: sorted.map((r) => r[1]), values };
}

/**
 * Runs of consecutive steps whose nine values are all finite (a band is one polygon per run).
 * @param {Distribution} d
 * @returns {[number, number][]} [first, last] index pairs
 */
export function finiteSegments(d) {
  /** @type {[number, number][]} */
  const out = [];
  let start = -1;
  for (let i = 0; i <= d.step.length; i++) {
    const ok = i < d.step.length && d.values.every((v) => Number.isFinite(v[i]));
    if (ok && start < 0) start = i;
    if (!ok && start >= 0) {
      out.push([start, i - 1]);
      start = -1;
    }
  }
  return out;
}

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const tooltip = new Tooltip();
  const cards = mountTagCards(el, ctx, {
    route: "distributions",
    emptyText: "No histogram data for the selected runs.",
    draw: (body, tag, data) => {
      const cleanups = [];
      const runs = Object.entries(data);
      if (!runs.length) {
        body.append(h("div", { class: "tb-state tb-empty" }, "No data for the selected runs."));
        return;
      }
      for (const [run, rows] of runs) {
        const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "distributions-canvas", dataset: { run, tag } }));
        const swatch = h("span", { class: "histograms-swatch", style: { background: ctx.runs.colorOf(run) } });
        const block = h("div", { class: "histograms-run" }, h("div", { class: "histograms-run-name" }, swatch, run), canvas);
        body.append(block);
        const view = new BandView(canvas, parseRows(rows), ctx.runs.colorOf(run), run, tooltip);
        view.draw();
        cleanups.push(onWidthChange(block, () => view.draw()));
      }
      return () => cleanups.forEach((off) => off());
    },
  });
  return () => {
    cards.destroy();
    tooltip.destroy();
  };
}

/** One run's percentile bands on one canvas, with hover. */
class BandView {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {Distribution} dist
   * @param {string} color
   * @param {string} run
   * @param {Tooltip} tooltip
   */
  constructor(canvas, dist, color, run, tooltip) {
    this.canvas = canvas;
    this.dist = dist;
    this.color = color;
    this.run = run;
    this.tooltip = tooltip;
    this.hover = -1;
    this.scale = { x: (/** @type {number} */ s) => s, plotW: 1 };
    canvas.addEventListener("mousemove", (e) => this._onMove(e));
    canvas.addEventListener("mouseleave", () => {
      this.hover = -1;
      this.tooltip.hide();
      this.draw();
    });
  }

  draw() {
    const { canvas, dist } = this;
    const width = Math.max(200, canvas.parentElement?.clientWidth || 400);
    const g = sizeCanvas(canvas, width, HEIGHT);
    const colors = themeColors();
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
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
    const first = dist.step[0] ?? 0;
    const last = dist.step[dist.step.length - 1] ?? 1;
    const span = last > first ? last - first : 1;
    const x = (/** @type {number} */ s) => PAD.left + (last > first ? ((s - first) / span) * plotW : plotW / 2);
    const y = (/** @type {number} */ v) => PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;
    this.scale = { x, plotW };

    g.font = colors.font;
    g.fillStyle = colors.muted;
    g.strokeStyle = colors.grid;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (const t of ticks(lo, hi, 4)) {
      g.globalAlpha = 0.5;
      g.beginPath();
      g.moveTo(PAD.left, y(t));
      g.lineTo(PAD.left + plotW, y(t));
      g.stroke();
      g.globalAlpha = 1;
      g.fillText(label(t), PAD.left - 4, y(t));
    }
    g.textAlign = "center";
    g.textBaseline = "top";
    for (const t of ticks(first, last, Math.max(2, Math.floor(plotW / 90)))) {
      if (Number.isInteger(t)) g.fillText(label(t), x(t), PAD.top + plotH + 5);
    }

    // A lone step is drawn a few pixels wide, so that it shows.
    const half = (/** @type {number} */ a, /** @type {number} */ b) => (a === b ? 2 : 0);
    let bands = 0;
    for (const [a, b] of segments) {
      BANDS.forEach(([low, high], k) => {
        g.beginPath();
        g.moveTo(x(dist.step[a]) - half(a, b), y(dist.values[high][a]));
        for (let i = a; i <= b; i++) g.lineTo(x(dist.step[i]), y(dist.values[high][i]));
        g.lineTo(x(dist.step[b]) + half(a, b), y(dist.values[high][b]));
        g.lineTo(x(dist.step[b]) + half(a, b), y(dist.values[low][b]));
        for (let i = b; i >= a; i--) g.lineTo(x(dist.step[i]), y(dist.values[low][i]));
        g.lineTo(x(dist.step[a]) - half(a, b), y(dist.values[low][a]));
        g.closePath();
        g.fillStyle = withAlpha(this.color, BAND_ALPHA[k]);
        g.fill();
        bands++;
      });
      g.beginPath();
      g.moveTo(x(dist.step[a]) - half(a, b), y(dist.values[MEDIAN][a]));
      for (let i = a; i <= b; i++) g.lineTo(x(dist.step[i]), y(dist.values[MEDIAN][i]));
      g.lineTo(x(dist.step[b]) + half(a, b), y(dist.values[MEDIAN][b]));
      g.strokeStyle = this.color;
      g.lineWidth = 1.5;
      g.stroke();
      g.lineWidth = 1;
    }
    if (this.hover >= 0) {
      g.strokeStyle = colors.fg;
      g.globalAlpha = 0.6;
      g.beginPath();
      g.moveTo(x(dist.step[this.hover]), PAD.top);
      g.lineTo(x(dist.step[this.hover]), PAD.top + plotH);
      g.stroke();
      g.globalAlpha = 1;
    }
    canvas.dataset.bands = String(bands);
    canvas.dataset.steps = String(dist.step.length);
  }

  /** @param {MouseEvent} e */
  _onMove(e) {
    const { dist } = this;
    if (!dist.step.length) return;
    const mx = e.clientX - this.canvas.getBoundingClientRect().left;
    let hit = 0;
    let best = Infinity;
    dist.step.forEach((s, i) => {
      const d = Math.abs(this.scale.x(s) - mx);
      if (d < best) [best, hit] = [d, i];
    });
    const rows = [];
    for (let j = 8; j >= 0; j--) rows.push(h("div", {}, `${PERCENT[j]}: ${label(dist.values[j][hit])}`));
    this.tooltip.show(e.clientX, e.clientY, [h("div", { class: "histograms-tip-title" }, `${this.run} · step ${dist.step[hit]}`), rows]);
    this.canvas.dataset.hoverStep = String(dist.step[hit]);
    if (hit !== this.hover) {
      this.hover = hit;
      this.draw();
    }
  }
}
