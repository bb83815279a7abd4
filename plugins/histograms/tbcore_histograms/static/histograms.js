/**
 * The histograms dashboard: one card per tag; per selected run, every step's histogram as a
 * ridge on a canvas ("offset": older steps further back, newest in front) or all on one
 * baseline ("overlay"). Hovering names the step, the bucket and its count.
 * @module
 */

import { Tooltip, h, withAlpha } from "@tbcore/sdk";
import { label, onWidthChange, sizeCanvas, themeColors, ticks, toNumber } from "./_canvas.js";
import { mountTagCards } from "./_cards.js";

const HEIGHT = 260;
const PAD = { left: 12, right: 52, top: 10, bottom: 22 };
const DISPLAY_BIN_PX = 2;

/**
 * @typedef {object} Ridge one step's histogram, ready to draw
 * @property {number} step
 * @property {number} wallTime
 * @property {Float64Array} left original bucket edges and counts (finite buckets only)
 * @property {Float64Array} right
 * @property {Float64Array} count
 * @property {Float64Array} bins the counts spread over the display bins
 */

/**
 * Parse `[[wall_time, step, [[left, right, count], ...]], ...]` rows, sorted by step.
 * Buckets with a non-finite edge or count cannot be placed and are left out.
 * @param {any[]} rows
 * @returns {Ridge[]}
 */
export function parseRows(rows) {
  const out = rows.map(([wallTime, step, buckets]) => {
    const kept = buckets
      .map((/** @type {any[]} */ b) => b.map(toNumber))
      .filter((/** @type {number[]} */ b) => b.every(Number.isFinite));
    return {
      step,
      wallTime: toNumber(wallTime),
      left: Float64Array.from(kept, (b) => b[0]),
      right: Float64Array.from(kept, (b) => b[1]),
      count: Float64Array.from(kept, (b) => b[2]),
      bins: new Float64Array(0),
    };
  });
  return out.sort((a, b) => a.step - b.step);
}

/**
 * The value range every ridge shares (padded when degenerate).
 * @param {Ridge[]} ridges
 * @returns {[number, number]}
 */
export function valueRange(ridges) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of ridges) {
    for (let i = 0; i < r.left.length; i++) {
      lo = Math.min(lo, r.left[i]);
      hi = Math.max(hi, r.right[i]);
    }
  }
  if (!(hi >= lo)) return [-1, 1];
  if (hi === lo) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/**
 * Spread each bucket's count over `n` equal display bins of [lo, hi] by overlap (a bucket of
 * zero width falls in the bin holding its edge), so buckets of any widths and numbers draw
 * as one comparable shape.
 * @param {Ridge} r
 * @param {number} lo
 * @param {number} hi
 * @param {number} n
 */
export function rebin(r, lo, hi, n) {
  const bins = new Float64Array(n);
  const width = (hi - lo) / n;
  for (let i = 0; i < r.left.length; i++) {
    const a = r.left[i];
    const b = r.right[i];
    const c = r.count[i];
    if (!c) continue;
    const first = Math.min(n - 1, Math.max(0, Math.floor((a - lo) / width)));
    const last = Math.min(n - 1, Math.max(0, Math.floor((b - lo) / width)));
    if (b <= a || first === last) {
      bins[first] += c;
      continue;
    }
    for (let k = first; k <= last; k++) {
      const overlap = Math.min(b, lo + (k + 1) * width) - Math.max(a, lo + k * width);
      if (overlap > 0) bins[k] += (c * overlap) / (b - a);
    }
  }
  return bins;
}

/**
 * The original bucket under value `v` (the nearest one when `v` is in none).
 * @param {Ridge} r
 * @param {number} v
 * @returns {number} its index, or -1 for an empty histogram
 */
export function bucketAt(r, v) {
  let best = -1;
  let distance = Infinity;
  for (let i = 0; i < r.left.length; i++) {
    if (v >= r.left[i] && v <= r.right[i]) return i;
    const d = Math.min(Math.abs(v - r.left[i]), Math.abs(v - r.right[i]));
    if (d < distance) {
      distance = d;
      best = i;
    }
  }
  return best;
}

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const state = { mode: "offset" };
  const mode = h(
    "select",
    { "aria-label": "Histogram mode", class: "histograms-mode" },
    h("option", { value: "offset" }, "Offset"),
    h("option", { value: "overlay" }, "Overlay"),
  );
  const tooltip = new Tooltip();
  const cards = mountTagCards(el, ctx, {
    route: "histograms",
    emptyText: "No histogram data for the selected runs.",
    toolbar: [h("label", {}, "Mode ", mode)],
    draw: (body, tag, data) => {
      const cleanups = [];
      const runs = Object.entries(data);
      if (!runs.length) {
        body.append(h("div", { class: "tb-state tb-empty" }, "No data for the selected runs."));
        return;
      }
      for (const [run, rows] of runs) {
        const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "histograms-canvas", dataset: { run, tag } }));
        const swatch = h("span", { class: "histograms-swatch", style: { background: ctx.runs.colorOf(run) } });
        const block = h("div", { class: "histograms-run" }, h("div", { class: "histograms-run-name" }, swatch, run), canvas);
        body.append(block);
        const view = new RidgeView(canvas, parseRows(rows), ctx.runs.colorOf(run), run, state.mode, tooltip);
        view.draw();
        cleanups.push(onWidthChange(block, () => view.draw()));
      }
      return () => cleanups.forEach((off) => off());
    },
  });
  mode.addEventListener("change", () => {
    state.mode = mode.value;
    tooltip.hide();
    cards.redraw();
  });
  return () => {
    cards.destroy();
    tooltip.destroy();
  };
}

/** One run's ridges on one canvas, with hover. */
class RidgeView {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {Ridge[]} ridges
   * @param {string} color
   * @param {string} run
   * @param {string} mode `"offset"` or `"overlay"`
   * @param {Tooltip} tooltip
   */
  constructor(canvas, ridges, color, run, mode, tooltip) {
    this.canvas = canvas;
    this.ridges = ridges;
    this.color = color;
    this.run = run;
    this.mode = mode;
    this.tooltip = tooltip;
    /** @type {number} index of the hovered ridge, -1 for none */
    this.hover = -1;
    this.geometry = { width: 0, plotW: 0, plotH: 0, lo: 0, hi: 1, peak: 1, ridgeH: 0, n: 1 };
    canvas.addEventListener("mousemove", (e) => this._onMove(e));
    canvas.addEventListener("mouseleave", () => {
      this.hover = -1;
      this.tooltip.hide();
      this._paintHover();
    });
    /** @type {ImageData | null} the ridges as drawn, without hover */
    this.picture = null;
  }

  /** The baseline (y, CSS px) of ridge `i`. @param {number} i */
  baseline(i) {
    const { plotH, ridgeH } = this.geometry;
    const bottom = PAD.top + plotH;
    if (this.mode === "overlay" || this.ridges.length < 2) return bottom;
    const first = this.ridges[0].step;
    const last = this.ridges[this.ridges.length - 1].step;
    const frac = last > first ? (this.ridges[i].step - first) / (last - first) : i / (this.ridges.length - 1);
    return PAD.top + ridgeH + frac * (plotH - ridgeH);
  }

  draw() {
    const canvas = this.canvas;
    const width = Math.max(200, canvas.parentElement?.clientWidth || 400);
    const g = sizeCanvas(canvas, width, HEIGHT);
    const colors = themeColors();
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const [lo, hi] = valueRange(this.ridges);
    const n = Math.max(8, Math.floor(plotW / DISPLAY_BIN_PX));
    let peak = 0;
    for (const r of this.ridges) {
      r.bins = rebin(r, lo, hi, n);
      for (const c of r.bins) peak = Math.max(peak, c);
    }
    const ridgeH = this.mode === "overlay" || this.ridges.length < 2 ? plotH : plotH * 0.4;
    this.geometry = { width, plotW, plotH, lo, hi, peak: peak || 1, ridgeH, n };
    const x = (/** @type {number} */ v) => PAD.left + ((v - lo) / (hi - lo)) * plotW;

    g.font = colors.font;
    g.strokeStyle = colors.grid;
    g.fillStyle = colors.muted;
    g.textAlign = "center";
    g.textBaseline = "top";
    for (const t of ticks(lo, hi, Math.max(2, Math.floor(plotW / 90)))) {
      g.beginPath();
      g.moveTo(x(t), PAD.top);
      g.lineTo(x(t), PAD.top + plotH);
      g.globalAlpha = 0.5;
      g.stroke();
      g.globalAlpha = 1;
      g.fillText(label(t), x(t), PAD.top + plotH + 5);
    }

    const count = this.ridges.length;
    // Oldest first, so the newest is drawn last: in front.
    for (let i = 0; i < count; i++) {
      const age = count > 1 ? i / (count - 1) : 1;
      this._path(g, i);
      if (this.mode === "offset") {
        g.fillStyle = colors.bg;
        g.fill();
        g.fillStyle = withAlpha(this.color, 0.1 + 0.25 * age);
        g.fill();
      }
      g.strokeStyle = withAlpha(this.color, 0.3 + 0.7 * age);
      g.stroke();
    }
    // Step labels on the right: the first and last ridges.
    g.fillStyle = colors.muted;
    g.textAlign = "left";
    g.textBaseline = "middle";
    if (this.mode === "offset" && count) {
      for (const i of new Set([0, count - 1])) g.fillText(`step ${this.ridges[i].step}`, PAD.left + plotW + 4, this.baseline(i));
    }
    // Hovering repaints this picture and draws the hovered ridge on top, instead of
    // redrawing every ridge (thousands of steps x hundreds of buckets) on each move.
    this.picture = g.getImageData(0, 0, canvas.width, canvas.height);
    this._paintHover(g);

    const ds = canvas.dataset;
    ds.ridges = String(count);
    ds.mode = this.mode;
    ds.steps = this.ridges.map((r) => r.step).join(",");
    ds.buckets = String(this.ridges.reduce((sum, r) => sum + r.left.length, 0));
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
    g.strokeStyle = this.color;
    g.lineWidth = 2.5;
    g.stroke();
    g.lineWidth = 1;
    g.font = colors.font;
    g.fillStyle = colors.fg;
    g.textAlign = "left";
    g.textBaseline = "middle";
    const y = this.mode === "offset" ? this.baseline(i) : PAD.top + 8;
    g.fillText(`step ${this.ridges[i].step}`, PAD.left + this.geometry.plotW + 4, y);
  }

  /** @param {MouseEvent} e */
  _onMove(e) {
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    const { plotW, lo, hi, peak, ridgeH, n } = this.geometry;
    if (!this.ridges.length || mx < PAD.left || mx > PAD.left + plotW) {
      this.tooltip.hide();
      return;
    }
    const k = Math.min(n - 1, Math.max(0, Math.floor(((mx - PAD.left) / plotW) * n)));
    const curveY = (/** @type {number} */ i) => this.baseline(i) - (this.ridges[i].bins[k] / peak) * ridgeH;
    let hit = -1;
    if (this.mode === "offset") {
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
    const lines = [h("div", { class: "histograms-tip-title" }, `${this.run} · step ${r.step}`)];
    if (b < 0) lines.push(h("div", {}, "empty histogram"));
    else lines.push(h("div", {}, `[${label(r.left[b])}, ${label(r.right[b])}]`), h("div", {}, `count ${label(r.count[b])}`));
    this.tooltip.show(e.clientX, e.clientY, lines);
    Object.assign(this.canvas.dataset, { hoverStep: String(r.step), hoverBucket: String(b) });
    if (hit !== this.hover) {
      this.hover = hit;
      this._paintHover();
    }
  }
}
