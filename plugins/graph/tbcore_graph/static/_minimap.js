/**
 * The minimap: the whole drawn graph in a corner, with the part in view outlined; clicking
 * or dragging in it moves the view there.
 * @module
 */

import { h } from "@tbcore/sdk";

const WIDTH = 180;
const HEIGHT = 120;

export class Minimap {
  /**
   * @param {HTMLElement} container
   * @param {(x: number, y: number) => void} moveTo centre the view on graph coordinates
   */
  constructor(container, moveTo) {
    this.canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "graphs-minimap", width: WIDTH, height: HEIGHT, "aria-hidden": "true" }));
    container.append(this.canvas);
    /** @type {import("./_layout.js").Placed | null} */
    this.placed = null;
    /** @type {(id: string) => string} */
    this.fill = () => "";
    this.scale = 1;
    this.offset = { x: 0, y: 0 };
    this.frame = 0;
    /** @type {{x: number, y: number, w: number, h: number}} */
    this.view = { x: 0, y: 0, w: 0, h: 0 };
    let dragging = false;
    const move = (/** @type {PointerEvent} */ e) => {
      const r = this.canvas.getBoundingClientRect();
      moveTo((e.clientX - r.left - this.offset.x) / this.scale, (e.clientY - r.top - this.offset.y) / this.scale);
    };
    this.canvas.addEventListener("pointerdown", (e) => {
      dragging = true;
      this.canvas.setPointerCapture(e.pointerId);
      move(e);
    });
    this.canvas.addEventListener("pointermove", (e) => dragging && move(e));
    this.canvas.addEventListener("pointerup", () => { dragging = false; });
  }

  /**
   * @param {import("./_layout.js").Placed} placed @param {(id: string) => string} fill
   */
  setGraph(placed, fill) {
    this.placed = placed;
    this.fill = fill;
    const pad = 6;
    this.scale = Math.min((WIDTH - 2 * pad) / Math.max(placed.width, 1), (HEIGHT - 2 * pad) / Math.max(placed.height, 1));
    this.offset = { x: (WIDTH - placed.width * this.scale) / 2, y: (HEIGHT - placed.height * this.scale) / 2 };
    this.redraw();
  }

  /** @param {{x: number, y: number, w: number, h: number}} view the graph rectangle in view */
  setView(view) {
    this.view = view;
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.redraw(); });
  }

  redraw() {
    const ctx = this.canvas.getContext("2d");
    if (!ctx || !this.placed) return;
    const style = getComputedStyle(this.canvas);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    const { scale: k, offset: o } = this;
    for (const box of this.placed.boxes) {
      const fill = box.expanded ? "" : this.fill(box.id);
      ctx.fillStyle = fill || (box.expanded ? "rgba(128,128,128,0.08)" : "rgba(128,128,128,0.45)");
      ctx.fillRect(o.x + box.x * k, o.y + box.y * k, Math.max(box.w * k, 1), Math.max(box.h * k, 1));
    }
    const v = this.view;
    ctx.strokeStyle = style.getPropertyValue("--tb-accent").trim() || "#e8710a";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(o.x + v.x * k, o.y + v.y * k, v.w * k, v.h * k);
    this.canvas.dataset.view = [v.x, v.y, v.w, v.h].map((n) => n.toFixed(0)).join(",");
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.canvas.remove();
  }
}
