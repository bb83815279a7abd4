/**
 * A precision–recall chart: each curve drawn as a path through its own points in threshold
 * order, on axes fixed to [0, 1]. A PR curve is not a function of recall (at recall 1 many
 * thresholds share one x), so the curves are not aligned on a shared x as `LineChart` does:
 * uPlot's mode 2 takes each series' own x and y arrays and its linear paths join the points
 * in the order given.
 * @module
 */

import uPlot from "uplot";
import { h } from "@tbcore/sdk";

/**
 * @typedef {object} PrCurve
 * @property {string} name
 * @property {string} color
 * @property {ArrayLike<number>} recall x, in threshold order
 * @property {ArrayLike<number>} precision y, same length as `recall`
 */

/**
 * @typedef {object} PrCursor
 * @property {string} name
 * @property {number} index the curve's point nearest to the cursor (index into its arrays)
 */

const HEIGHT = 240;
/** Hovered points: circle radius in CSS pixels. */
const DOT = 3.5;

/** A chart of PR curves that resizes with its container and follows the light/dark theme. */
export class PrChart {
  /**
   * @param {HTMLElement} el container; the chart takes its width
   * @param {{onCursor?: (points: PrCursor[] | null) => void}} [options] `onCursor` is called
   *   with each curve's nearest point as the pointer moves, `null` when it leaves the plot
   */
  constructor(el, options = {}) {
    this.el = el;
    this.onCursor = options.onCursor;
    /** @type {PrCurve[]} */
    this.curves = [];
    /** @type {{x: number[], y: number[], index: number[]}[]} finite points, per curve */
    this.drawn = [];
    /** @type {PrCursor[] | null} */
    this.hovered = null;
    /** @type {uPlot | null} */
    this.plot = null;
    this.root = h("div", { class: "tb-line-chart" });
    el.replaceChildren(this.root);
    el.dataset.series = "0";
    this.resizeObserver = new ResizeObserver(() => this._resize());
    this.resizeObserver.observe(el);
    this.themeObserver = new MutationObserver(() => this._build());
    this.themeObserver.observe(document.documentElement, { attributeFilter: ["data-theme"] });
  }

  /**
   * Replace the drawn curves.
   * @param {PrCurve[]} curves
   */
  setCurves(curves) {
    this.curves = curves;
    this.drawn = curves.map((c) => finitePoints(c.recall, c.precision));
    this.hovered = null;
    this._build();
    this.el.dataset.series = String(curves.length);
  }

  /**
   * What is drawn, per curve, in threshold order; `y` is null where a point is not finite.
   * @returns {{name: string, color: string, x: number[], y: (number | null)[]}[]}
   */
  data() {
    return this.curves.map((c) => {
      const n = Math.min(c.recall.length, c.precision.length);
      const y = Array.from({ length: n }, (_, i) => (Number.isFinite(+c.precision[i]) ? +c.precision[i] : null));
      return { name: c.name, color: c.color, x: Array.from(c.recall).slice(0, n).map(Number), y };
    });
  }

  /** Remove the chart and stop observing its container. */
  destroy() {
    this.resizeObserver.disconnect();
    this.themeObserver.disconnect();
    this.plot?.destroy();
    this.plot = null;
    this.root.remove();
    delete this.el.dataset.series;
  }

  /** (Re)create the uPlot instance for the current curves and theme. */
  _build() {
    this.plot?.destroy();
    const data = [null, ...this.drawn.map((d) => [d.x, d.y])];
    this.plot = new uPlot(this._options(), /** @type {any} */ (data), this.root);
    this.plot.over.addEventListener("mousemove", (e) => this._hover(e));
    this.plot.over.addEventListener("mouseleave", () => this._setHovered(null));
  }

  _resize() {
    const width = Math.floor(this.el.clientWidth);
    if (this.plot && width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }

  /** @param {MouseEvent} event */
  _hover(event) {
    const plot = this.plot;
    if (!plot) return;
    const box = plot.over.getBoundingClientRect();
    const left = event.clientX - box.left;
    const top = event.clientY - box.top;
    /** @type {PrCursor[]} */
    const points = [];
    this.drawn.forEach((d, k) => {
      let best = -1;
      let bestDistance = Infinity;
      for (let i = 0; i < d.x.length; i++) {
        const distance = Math.hypot(plot.valToPos(d.x[i], "x") - left, plot.valToPos(d.y[i], "y") - top);
        if (distance < bestDistance) [best, bestDistance] = [i, distance];
      }
      if (best >= 0) points.push({ name: this.curves[k].name, index: d.index[best] });
    });
    this._setHovered(points);
  }

  /** @param {PrCursor[] | null} points */
  _setHovered(points) {
    this.hovered = points;
    this.plot?.redraw(false, false);
    this.onCursor?.(points);
  }

  /** @param {uPlot} u draw a dot on each hovered point */
  _drawHovered(u) {
    if (!this.hovered) return;
    const { ctx } = u;
    ctx.save();
    for (const p of this.hovered) {
      const k = this.curves.findIndex((c) => c.name === p.name);
      if (k < 0) continue;
      const d = this.drawn[k];
      const i = d.index.indexOf(p.index);
      ctx.fillStyle = this.curves[k].color;
      ctx.beginPath();
      ctx.arc(u.valToPos(d.x[i], "x", true), u.valToPos(d.y[i], "y", true), DOT * devicePixelRatio, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();
  }

  /** @returns {uPlot.Options} */
  _options() {
    const style = getComputedStyle(this.el);
    const fg = style.getPropertyValue("--tb-fg-muted").trim() || "#555";
    const grid = style.getPropertyValue("--tb-grid").trim() || "rgba(128,128,128,0.2)";
    const axis = (/** @type {string} */ label) => ({ label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } });
    const unit = () => /** @type {[number, number]} */ ([0, 1]);
    const facet = (/** @type {string} */ scale) => ({ scale, auto: false, sorted: 0 });
    return {
      mode: 2,
      width: Math.max(50, Math.floor(this.el.clientWidth) || 400),
      height: HEIGHT,
      legend: { show: false },
      // The hover is ours (nearest point of each curve in two dimensions), so is the zoom: none.
      cursor: { show: false, drag: { x: false, y: false } },
      scales: { x: { time: false, auto: false, range: unit }, y: { auto: false, range: unit } },
      axes: [axis("recall"), axis("precision")],
      series: [
        {},
        ...this.curves.map((c) => ({
          label: c.name,
          stroke: c.color,
          width: 1.5,
          facets: [facet("x"), facet("y")],
          paths: uPlot.paths.linear?.(),
          points: { show: false },
        })),
      ],
      hooks: { draw: [(u) => this._drawHovered(u)] },
    };
  }
}

/**
 * The finite points of a curve, in the order given, with their indices.
 * @param {ArrayLike<number>} xs
 * @param {ArrayLike<number>} ys
 */
function finitePoints(xs, ys) {
  /** @type {{x: number[], y: number[], index: number[]}} */
  const out = { x: [], y: [], index: [] };
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(+xs[i]) || !Number.isFinite(+ys[i])) continue;
    out.x.push(+xs[i]);
    out.y.push(+ys[i]);
    out.index.push(i);
  }
  return out;
}
