/**
 * A scatter-plot matrix of hparams (rows) against metrics (columns): a small plot per pair,
 * a point per trial in its run's colour (trials the filters leave out in faint grey). Every
 * plot is drawn on one canvas; clicking a point opens that trial's curves.
 * @module
 */

import { h } from "@tbcore/sdk";
import { formatValue } from "./data.js";
import { axisScale, hasPlace } from "./scales.js";

const CELL_W = 150;
const CELL_H = 110;
const PAD = 10;
const LEFT = 130;
const TOP = 36;
const DOT = 3;
/** Points drawn per task at most (a few milliseconds' work). */
const CHUNK_POINTS = 12000;

/**
 * @typedef {object} ScatterCallbacks
 * @property {(run: string) => string} colorOf
 * @property {(trial: number) => void} onOpen
 */

export class ScatterMatrix {
  /**
   * @param {HTMLElement} el
   * @param {ScatterCallbacks} callbacks
   */
  constructor(el, callbacks) {
    this.callbacks = callbacks;
    this.canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "hp-sm-canvas", role: "img", "aria-label": "Scatter-plot matrix of hparams against metrics" }));
    this.labels = h("div", { class: "hp-sm-labels" });
    this.el = h("div", { class: "hp-sm" }, this.canvas, this.labels);
    el.replaceChildren(this.el);
    /** @type {{row: import("./data.js").Column, col: import("./data.js").Column, x: number, y: number, sx: import("./scales.js").AxisScale, sy: import("./scales.js").AxisScale}[]} */
    this.cells = [];
    /** @type {import("./data.js").Trials | null} */
    this.model = null;
    this.mask = new Uint8Array(0);
    this.timer = 0;
    this.draws = 0;
    this.canvas.addEventListener("click", (e) => this.onClick(e));
  }

  /**
   * @param {import("./data.js").Trials} model
   * @param {import("./data.js").Column[]} hparams row columns
   * @param {import("./data.js").Column[]} metrics column columns
   * @param {import("./state.js").ViewState} state
   * @param {Uint8Array} mask
   */
  update(model, hparams, metrics, state, mask) {
    this.model = model;
    this.mask = mask;
    const width = LEFT + metrics.length * CELL_W;
    const height = TOP + hparams.length * CELL_H + 20;
    this.cells = [];
    const nodes = [];
    metrics.forEach((col, c) => nodes.push(h("div", { class: "hp-sm-col", style: { left: `${LEFT + c * CELL_W}px`, width: `${CELL_W}px` }, title: col.label }, col.label)));
    hparams.forEach((row, r) => {
      const y = TOP + r * CELL_H;
      nodes.push(h("div", { class: "hp-sm-row", style: { top: `${y + CELL_H / 2 - 8}px`, width: `${LEFT - 8}px` }, title: row.label }, row.label));
      metrics.forEach((col, c) => {
        const x = LEFT + c * CELL_W;
        // Horizontal: the hparam (axisScale maps its "bottom" to the left edge), vertical: the metric.
        const sx = axisScale(row, state.scales[row.key], x + CELL_W - PAD, x + PAD);
        const sy = axisScale(col, state.scales[col.key], y + PAD, y + CELL_H - PAD - 8);
        this.cells.push({ row, col, x, y, sx, sy });
      });
      if (row.type !== "number" && row.categories.length <= 6) {
        metrics.forEach((_, c) => {
          const sx = this.cells[r * metrics.length + c].sx;
          for (const v of row.categories) nodes.push(h("div", { class: "hp-sm-tick", style: { left: `${sx.y(v, NaN)}px`, top: `${y + CELL_H - 14}px` } }, formatValue(v)));
        });
      }
    });
    this.labels.replaceChildren(...nodes);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.el.style.width = `${width}px`;
    this.el.style.height = `${height}px`;
    this.width = width;
    this.height = height;
    this.draw();
  }

  /** Draw every plot, a few at a time (a task each), so that no task is long. */
  draw() {
    const c = this.canvas.getContext("2d");
    const model = this.model;
    if (!c || !model) return;
    clearTimeout(this.timer);
    const dpr = window.devicePixelRatio || 1;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.clearRect(0, 0, this.width ?? 0, this.height ?? 0);
    const muted = getComputedStyle(this.el).getPropertyValue("--tb-fg-muted").trim() || "#888";
    const colors = model.trials.map((t) => this.callbacks.colorOf(t.run));
    const perChunk = Math.max(1, Math.floor(CHUNK_POINTS / Math.max(1, model.trials.length)));
    const cells = this.cells;
    const step = (/** @type {number} */ from) => {
      this.drawCells(c, cells.slice(from, from + perChunk), colors, muted);
      if (from + perChunk < cells.length) this.timer = window.setTimeout(() => step(from + perChunk), 0);
      else this.canvas.dataset.drawn = String(++this.draws);
    };
    step(0);
  }

  /**
   * @param {CanvasRenderingContext2D} c
   * @param {typeof this.cells} cells
   * @param {string[]} colors each trial's colour
   * @param {string} muted
   */
  drawCells(c, cells, colors, muted) {
    const n = colors.length;
    const faint = new Path2D();
    /** @type {Map<string, Path2D>} */
    const byColor = new Map();
    c.strokeStyle = muted;
    c.lineWidth = 1;
    for (const { row, col, x, y, sx, sy } of cells) {
      c.strokeRect(x + PAD - 4 + 0.5, y + PAD - 4 + 0.5, CELL_W - 2 * PAD + 8, CELL_H - 2 * PAD);
      for (let i = 0; i < n; i++) {
        if (!hasPlace(sx, row, i) || !hasPlace(sy, col, i)) continue;
        const px = sx.y(row.values[i], row.numbers[i]);
        const py = sy.y(col.values[i], col.numbers[i]);
        if (!this.mask[i]) {
          faint.rect(px - 1, py - 1, 2, 2);
          continue;
        }
        let path = byColor.get(colors[i]);
        if (!path) byColor.set(colors[i], (path = new Path2D()));
        path.rect(px - DOT / 2, py - DOT / 2, DOT, DOT);
      }
    }
    c.globalAlpha = 0.25;
    c.fillStyle = muted;
    c.fill(faint);
    c.globalAlpha = 0.85;
    for (const [color, path] of byColor) {
      c.fillStyle = color;
      c.fill(path);
    }
    c.globalAlpha = 1;
  }

  destroy() {
    clearTimeout(this.timer);
  }

  /** @param {MouseEvent} e */
  onClick(e) {
    const model = this.model;
    if (!model) return;
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const cell = this.cells.find((cl) => x >= cl.x && x < cl.x + CELL_W && y >= cl.y && y < cl.y + CELL_H);
    if (!cell) return;
    let best = -1, distance = 36;
    for (let i = 0; i < model.trials.length; i++) {
      if (!this.mask[i] || !hasPlace(cell.sx, cell.row, i) || !hasPlace(cell.sy, cell.col, i)) continue;
      const dx = cell.sx.y(cell.row.values[i], cell.row.numbers[i]) - x;
      const dy = cell.sy.y(cell.col.values[i], cell.col.numbers[i]) - y;
      if (dx * dx + dy * dy < distance) (distance = dx * dx + dy * dy), (best = i);
    }
    if (best >= 0) this.callbacks.onOpen(best);
  }
}
