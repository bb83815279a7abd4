/**
 * Parallel coordinates: an axis per shown hparam and metric, a line per trial in its run's
 * colour (trials the filters leave out in faint grey behind). Numeric axes are linear or
 * logarithmic, other axes list their values; a trial without a value sits on the "missing"
 * mark below its axis. Dragging along an axis brushes it: the brush is that column's filter
 * (a range, or the set of values it covers), so the table follows while the mouse moves; a
 * click on an axis clears its brush. Every trial is drawn once, faint, on a background
 * canvas; the trials that pass are drawn over it on a second canvas, grouped by colour, from
 * positions kept between redraws: a brush move redraws only those.
 * @module
 */

import { h } from "@tbcore/sdk";
import { formatValue } from "./data.js";
import { axisScale, ticksOf } from "./scales.js";

const HEIGHT = 300;
const TOP = 48;
const BOTTOM = 34;
const SIDE = 56;
/** How far from an axis (px) a drag still brushes it. */
const GRAB = 14;
const MAX_CATEGORY_LABELS = 24;

/**
 * @typedef {object} ParallelCallbacks
 * @property {(key: string, filter: import("./state.js").Filter | null, done: boolean) => void} onBrush
 * @property {(key: string) => void} onToggleScale
 * @property {(run: string) => string} colorOf
 */

export class ParallelCoordinates {
  /**
   * @param {HTMLElement} el
   * @param {ParallelCallbacks} callbacks
   */
  constructor(el, callbacks) {
    this.callbacks = callbacks;
    this.back = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "hp-pc-back", "aria-hidden": "true" }));
    this.canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "hp-pc-canvas", role: "img", "aria-label": "Parallel coordinates of the trials" }));
    this.labels = h("div", { class: "hp-pc-labels" });
    this.el = h("div", { class: "hp-pc", style: { height: `${HEIGHT}px` } }, this.back, this.canvas, this.labels);
    el.replaceChildren(this.el);
    /** @type {{column: import("./data.js").Column, x: number, scale: import("./scales.js").AxisScale}[]} */
    this.axes = [];
    this.ys = new Float32Array(0);
    this.mask = new Uint8Array(0);
    /** @type {import("./data.js").Trials | null} */
    this.model = null;
    this.open = -1;
    /** @type {{axis: number, y0: number, y1: number} | null} */
    this.drag = null;
    /** @type {Record<string, import("./state.js").Filter>} */
    this.filters = {};
    this.width = 0;
    this.resize = new ResizeObserver(() => {
      if (this.el.clientWidth !== this.width && this.model) this.layout();
    });
    this.resize.observe(this.el);
    this.canvas.addEventListener("pointerdown", (e) => this.onDown(e));
    this.canvas.addEventListener("pointermove", (e) => this.onMove(e));
    this.canvas.addEventListener("pointerup", (e) => this.onUp(e));
    this.canvas.addEventListener("pointercancel", () => (this.drag = null));
  }

  destroy() {
    this.resize.disconnect();
  }

  /**
   * @param {import("./data.js").Trials} model
   * @param {import("./data.js").Column[]} columns shown columns, in axis order
   * @param {import("./state.js").ViewState} state
   * @param {Uint8Array} mask trials that pass every filter
   * @param {number} open trial whose curves are open (drawn thick), or -1
   */
  update(model, columns, state, mask, open) {
    const axesChanged = this.model !== model || this.columnsKey !== columns.map((c) => c.key).join("\n") || this.scalesKey !== JSON.stringify(state.scales);
    this.model = model;
    this.columns = columns;
    this.mask = mask;
    this.open = open;
    this.filters = state.filters;
    this.scales = state.scales;
    if (axesChanged) {
      this.columnsKey = columns.map((c) => c.key).join("\n");
      this.scalesKey = JSON.stringify(state.scales);
      this.layout();
    } else {
      this.draw();
    }
  }

  /** Axis positions, scales and every line's points; then draw. */
  layout() {
    const model = this.model;
    if (!model) return;
    const width = (this.width = this.el.clientWidth || 800);
    const columns = this.columns ?? [];
    const k = columns.length;
    const span = width - 2 * SIDE;
    const bottom = HEIGHT - BOTTOM;
    this.axes = columns.map((column, j) => ({
      column,
      x: k === 1 ? width / 2 : SIDE + (span * j) / (k - 1),
      scale: axisScale(column, this.scales?.[column.key], TOP, bottom),
    }));
    const n = model.trials.length;
    this.ys = new Float32Array(n * k);
    for (let j = 0; j < k; j++) {
      const { column, scale } = this.axes[j];
      for (let i = 0; i < n; i++) this.ys[i * k + j] = scale.y(column.values[i], column.numbers[i]);
    }
    const dpr = window.devicePixelRatio || 1;
    for (const canvas of [this.back, this.canvas]) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(HEIGHT * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${HEIGHT}px`;
    }
    this.renderLabels();
    this.drawBackground();
    this.draw();
  }

  /** Every trial, faint, and the axes: drawn once per layout. */
  drawBackground() {
    const model = this.model;
    const c = this.back.getContext("2d");
    if (!model || !c) return;
    const dpr = window.devicePixelRatio || 1;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, this.width, HEIGHT);
    const muted = getComputedStyle(this.el).getPropertyValue("--tb-fg-muted").trim() || "#888";
    if (this.axes.length > 0) {
      const faint = new Path2D();
      for (let i = 0; i < model.trials.length; i++) this.trace(faint, i);
      c.lineWidth = 1;
      c.globalAlpha = 0.12;
      c.strokeStyle = muted;
      c.stroke(faint);
      c.globalAlpha = 1;
    }
    c.strokeStyle = muted;
    c.fillStyle = muted;
    for (const { x, scale } of this.axes) {
      c.beginPath();
      c.moveTo(x + 0.5, TOP);
      c.lineTo(x + 0.5, HEIGHT - BOTTOM);
      c.stroke();
      c.fillRect(x - 2, scale.missingY - 2, 5, 5);
    }
  }

  /**
   * Add trial `i`'s line to `path`.
   * @param {Path2D} path
   * @param {number} i
   */
  trace(path, i) {
    const k = this.axes.length;
    const base = i * k;
    path.moveTo(this.axes[0].x, this.ys[base]);
    for (let j = 1; j < k; j++) path.lineTo(this.axes[j].x, this.ys[base + j]);
  }

  renderLabels() {
    const nodes = [];
    for (const { column, x, scale } of this.axes) {
      const title = h("div", { class: "hp-pc-title", style: { left: `${x}px` }, title: column.label }, column.label);
      const controls = [];
      if (column.type === "number" && column.positive) {
        controls.push(h("button", {
          type: "button", class: "hp-pc-scale", dataset: { key: column.key },
          title: `Show ${column.label} on a ${scale.log ? "linear" : "logarithmic"} axis`,
          onclick: () => this.callbacks.onToggleScale(column.key),
        }, scale.log ? "log" : "lin"));
      }
      nodes.push(title, h("div", { class: "hp-pc-controls", style: { left: `${x}px` } }, controls));
      const ticks = column.type === "number" ? ticksOf(scale) : column.categories.length <= MAX_CATEGORY_LABELS ? column.categories.map((v) => ({ value: v, y: scale.y(v, NaN) })) : [];
      for (const t of ticks) nodes.push(h("div", { class: "hp-pc-tick", style: { left: `${x + 4}px`, top: `${t.y}px` } }, formatValue(t.value)));
      nodes.push(h("div", { class: "hp-pc-tick hp-pc-missing", style: { left: `${x + 4}px`, top: `${scale.missingY}px` } }, "missing"));
    }
    this.labels.replaceChildren(...nodes);
  }

  /** Redraw the trials that pass, and the brushes (positions unchanged). */
  draw() {
    const model = this.model;
    const c = this.canvas.getContext("2d");
    if (!model || !c) return;
    const dpr = window.devicePixelRatio || 1;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, this.width, HEIGHT);
    const k = this.axes.length;
    const n = model.trials.length;
    if (k > 0) {
      /** @type {Map<string, Path2D>} */
      const byColor = new Map();
      let passing = 0;
      for (let i = 0; i < n; i++) {
        if (!this.mask[i]) continue;
        passing++;
        const color = this.callbacks.colorOf(model.trials[i].run);
        let path = byColor.get(color);
        if (!path) byColor.set(color, (path = new Path2D()));
        this.trace(path, i);
      }
      c.lineWidth = 1;
      c.globalAlpha = passing > 500 ? 0.45 : 0.8;
      for (const [color, path] of byColor) {
        c.strokeStyle = color;
        c.stroke(path);
      }
      c.globalAlpha = 1;
      if (this.open >= 0 && this.open < n) {
        const path = new Path2D();
        this.trace(path, this.open);
        c.lineWidth = 3;
        c.strokeStyle = this.callbacks.colorOf(model.trials[this.open].run);
        c.stroke(path);
      }
    }
    c.lineWidth = 1;
    for (let j = 0; j < k; j++) {
      const band = this.brushBand(j);
      if (!band) continue;
      const x = this.axes[j].x;
      c.fillStyle = "rgba(120, 140, 200, 0.25)";
      c.strokeStyle = "rgba(60, 90, 180, 0.9)";
      c.fillRect(x - 8, band[0], 16, band[1] - band[0]);
      c.strokeRect(x - 8 + 0.5, band[0] + 0.5, 16, band[1] - band[0]);
    }
  }

  /**
   * The brush on axis `j` (top and bottom y), from the drag under way or the column's filter.
   * @param {number} j
   * @returns {[number, number] | null}
   */
  brushBand(j) {
    if (this.drag?.axis === j) return [Math.min(this.drag.y0, this.drag.y1), Math.max(this.drag.y0, this.drag.y1)];
    const { column, scale } = this.axes[j];
    const f = /** @type {any} */ (this.filters[column.key]);
    if (!f || "regex" in f) return null;
    return scale.band(f);
  }

  /** @param {PointerEvent} e */
  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: Math.min(Math.max(e.clientY - r.top, TOP - 4), HEIGHT - BOTTOM + 4) };
  }

  /** @param {PointerEvent} e */
  onDown(e) {
    const { x, y } = this.point(e);
    let best = -1, distance = GRAB;
    this.axes.forEach((a, j) => {
      const d = Math.abs(a.x - x);
      if (d <= distance) (best = j), (distance = d);
    });
    if (best < 0) return;
    this.drag = { axis: best, y0: y, y1: y };
    this.canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  /** @param {PointerEvent} e */
  onMove(e) {
    if (!this.drag) {
      const { x } = this.point(e);
      this.canvas.style.cursor = this.axes.some((a) => Math.abs(a.x - x) <= GRAB) ? "ns-resize" : "default";
      return;
    }
    this.drag.y1 = this.point(e).y;
    if (Math.abs(this.drag.y1 - this.drag.y0) < 3) return;
    const { column, scale } = this.axes[this.drag.axis];
    this.callbacks.onBrush(column.key, scale.filter(this.drag.y0, this.drag.y1), false);
  }

  /** @param {PointerEvent} e */
  onUp(e) {
    const drag = this.drag;
    if (!drag) return;
    drag.y1 = this.point(e).y;
    this.drag = null;
    const { column, scale } = this.axes[drag.axis];
    const clicked = Math.abs(drag.y1 - drag.y0) < 3;
    this.callbacks.onBrush(column.key, clicked ? null : scale.filter(drag.y0, drag.y1), true);
  }
}
