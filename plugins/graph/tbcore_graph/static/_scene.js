/**
 * The graph drawn in SVG: a box per visible op, group or series (an expanded group as a
 * frame around what it holds), edges as polylines with arrowheads, and the view transform
 * (wheel to zoom around the pointer, drag to pan, fit, centre on an item).
 *
 * Every label goes in through `textContent`, every id through `setAttribute`: node names
 * never become markup.
 * @module
 */

import { displayLabel } from "./_layout.js";

const SVG = "http://www.w3.org/2000/svg";
const MIN_SCALE = 0.02;
const MAX_SCALE = 4;

/**
 * @param {string} tag @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * @typedef {object} SceneHandlers
 * @property {(id: string) => void} select a click on an item
 * @property {(id: string) => void} toggle a double click on a group, or its +/- button
 * @property {() => void} viewChanged the transform changed (for the minimap)
 */

export class Scene {
  /**
   * @param {HTMLElement} container
   * @param {SceneHandlers} handlers
   */
  constructor(container, handlers) {
    this.handlers = handlers;
    this.root = /** @type {SVGSVGElement} */ (svg("svg", { class: "graphs-svg", role: "img", "aria-label": "Graph" }));
    const defs = svg("defs");
    const marker = svg("marker", { id: "graphs-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "graphs-arrowhead" }));
    defs.append(marker);
    this.viewport = svg("g", { class: "graphs-viewport" });
    this.root.append(defs, this.viewport);
    container.append(this.root);
    this.transform = { x: 0, y: 0, k: 1 };
    /** @type {Map<string, SVGElement>} */
    this.elements = new Map();
    /** @type {Map<string, SVGElement>} */
    this.shapes = new Map();
    /** @type {Map<string, import("./_layout.js").Box>} */
    this.boxes = new Map();
    /** @type {SVGElement[]} */
    this.edgeElements = [];
    /** @type {import("./_layout.js").Placed | null} */
    this.placed = null;
    this.listen();
  }

  listen() {
    this.root.addEventListener("wheel", (event) => {
      event.preventDefault();
      const r = this.root.getBoundingClientRect();
      const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002));
      this.zoomAt(event.clientX - r.left, event.clientY - r.top, factor);
    }, { passive: false });
    /** @type {{x: number, y: number, tx: number, ty: number, moved: boolean} | null} */
    let drag = null;
    this.root.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, tx: this.transform.x, ty: this.transform.y, moved: false };
    });
    this.root.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 3) return;
      if (!drag.moved) this.root.setPointerCapture(event.pointerId);
      drag.moved = true;
      this.setTransform(drag.tx + dx, drag.ty + dy, this.transform.k);
    });
    const end = () => {
      if (drag?.moved) this.root.classList.add("graphs-dragged");
      drag = null;
    };
    this.root.addEventListener("pointerup", end);
    this.root.addEventListener("pointercancel", end);
    this.root.addEventListener("click", (event) => {
      if (this.root.classList.contains("graphs-dragged")) {
        this.root.classList.remove("graphs-dragged");
        return; // the end of a pan, not a click
      }
      const target = /** @type {Element} */ (event.target);
      const toggle = target.closest(".graphs-toggle");
      const node = target.closest(".graphs-node");
      const id = node?.getAttribute("data-id");
      if (id == null) return;
      if (toggle) this.handlers.toggle(id);
      else this.handlers.select(id);
    });
    this.root.addEventListener("dblclick", (event) => {
      const node = /** @type {Element} */ (event.target).closest(".graphs-node");
      const id = node?.getAttribute("data-id");
      if (id != null && node?.getAttribute("data-kind") !== "op") this.handlers.toggle(id);
    });
  }

  /**
   * Draw what the layout placed; `describe(id)` gives each item's kind, count and fill.
   * @param {import("./_layout.js").Placed} placed
   * @param {Map<string, import("./_hierarchy.js").Item>} items
   */
  draw(placed, items) {
    this.placed = placed;
    this.elements.clear();
    this.shapes.clear();
    this.boxes.clear();
    const edgeLayer = svg("g", { class: "graphs-edges" });
    const nodeLayer = svg("g", { class: "graphs-nodes" });
    for (const box of placed.boxes) {
      const item = /** @type {import("./_hierarchy.js").Item} */ (items.get(box.id));
      const g = svg("g", {
        class: `graphs-node graphs-${item.kind}${box.expanded ? " graphs-expanded" : ""}`,
        transform: `translate(${box.x},${box.y})`,
        "data-id": item.id,
        "data-kind": item.kind,
        "data-label": item.label,
      });
      const shape = item.kind === "op"
        ? svg("rect", { width: box.w, height: box.h, rx: Math.min(box.h / 2, 12), class: "graphs-shape" })
        : svg("rect", { width: box.w, height: box.h, rx: 5, class: "graphs-shape" });
      if (item.kind === "series" && !box.expanded) g.append(svg("rect", { x: 4, y: -4, width: box.w, height: box.h, rx: 5, class: "graphs-stack" }));
      const title = svg("title");
      title.textContent = item.kind === "op" ? `${item.name} (${item.node.op})` : `${item.name || "(root)"}: ${item.opCount} ops`;
      const text = svg("text", { x: item.kind === "op" ? box.w / 2 : 8, y: item.kind === "op" || !box.expanded ? box.h / 2 + 4 : 18, class: "graphs-label" });
      if (item.kind === "op") text.setAttribute("text-anchor", "middle");
      text.textContent = displayLabel(item);
      g.append(shape, title, text);
      if (item.sublabel) {
        text.setAttribute("y", String(box.h / 2 - 2));
        const sub = svg("text", { x: box.w / 2, y: box.h / 2 + 10, class: "graphs-sublabel", "text-anchor": "middle" });
        sub.textContent = item.sublabel;
        g.append(sub);
      }
      if (item.kind !== "op") {
        const count = svg("text", { x: box.w - 20, y: box.expanded ? 18 : box.h / 2 + 4, class: "graphs-count", "text-anchor": "end" });
        count.textContent = item.kind === "series" ? `×${item.children.length}` : String(item.opCount);
        const toggle = svg("g", { class: "graphs-toggle", transform: `translate(${box.w - 14},${box.expanded ? 13 : box.h / 2 - 5})` });
        toggle.append(svg("rect", { width: 10, height: 10, rx: 2 }), svg("path", { d: box.expanded ? "M2 5h6" : "M2 5h6M5 2v6" }));
        g.append(count, toggle);
      }
      nodeLayer.append(g);
      this.elements.set(item.id, g);
      this.shapes.set(item.id, shape);
      this.boxes.set(item.id, box);
    }
    this.edgeElements = placed.edges.map((edge) => {
      const d = edge.points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`).join("");
      const path = svg("path", {
        d,
        class: `graphs-edge${edge.control ? " graphs-control" : ""}`,
        "marker-end": "url(#graphs-arrow)",
        "stroke-width": Math.min(1 + Math.log2(edge.count), 5).toFixed(1),
      });
      path.dataset.v = edge.v;
      path.dataset.w = edge.w;
      edgeLayer.append(path);
      return path;
    });
    this.viewport.replaceChildren(edgeLayer, nodeLayer);
  }

  /**
   * Paint each collapsed item with `fill(id)` (a CSS colour, or "" for the default); an open
   * group keeps its faint frame (its colour would tint everything inside it).
   * @param {(id: string) => string} fill
   */
  paint(fill) {
    for (const [id, g] of this.elements) {
      const shape = /** @type {SVGElement} */ (this.shapes.get(id));
      const colour = this.boxes.get(id)?.expanded ? "" : fill(id);
      if (colour) shape.style.fill = colour;
      else shape.style.removeProperty("fill");
      g.setAttribute("data-fill", colour);
    }
  }

  /**
   * Mark items: `classes` maps an id to a class name ("" removes the marks).
   * @param {Map<string, string>} classes @param {boolean} dimOthers
   */
  mark(classes, dimOthers) {
    for (const [id, g] of this.elements) {
      g.classList.remove("graphs-selected", "graphs-upstream", "graphs-downstream", "graphs-dim");
      const cls = classes.get(id);
      if (cls) g.classList.add(...cls.split(" "));
      else if (dimOthers) g.classList.add("graphs-dim");
    }
    // An edge is on a traced path when both its ends are upstream (or the selection), or both
    // downstream (or the selection).
    const side = (/** @type {string | undefined} */ cls, /** @type {string} */ dir) =>
      Boolean(cls && (cls.includes(dir) || cls.includes("graphs-selected")));
    for (const path of this.edgeElements) {
      const v = classes.get(path.dataset.v ?? ""), w = classes.get(path.dataset.w ?? "");
      const traced = dimOthers && ((side(v, "upstream") && side(w, "upstream")) || (side(v, "downstream") && side(w, "downstream")));
      path.classList.toggle("graphs-traced", Boolean(traced));
      path.classList.toggle("graphs-dim", dimOthers && !traced);
    }
  }

  /** @param {number} x @param {number} y @param {number} k */
  setTransform(x, y, k) {
    this.transform = { x, y, k };
    this.viewport.setAttribute("transform", `translate(${x},${y}) scale(${k})`);
    this.root.dataset.scale = k.toFixed(3);
    this.handlers.viewChanged();
  }

  /** @param {number} px @param {number} py @param {number} factor */
  zoomAt(px, py, factor) {
    const { x, y, k } = this.transform;
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, k * factor));
    const gx = (px - x) / k, gy = (py - y) / k;
    this.setTransform(px - gx * next, py - gy * next, next);
  }

  /** The visible area's size in CSS px. */
  size() {
    const r = this.root.getBoundingClientRect();
    return { width: r.width || 800, height: r.height || 600 };
  }

  /** Scale and move so that the whole graph is in view (at most at zoom 1). */
  fit() {
    if (!this.placed) return;
    const { width, height } = this.size();
    const margin = 24;
    const w = Math.max(this.placed.width, 1), h = Math.max(this.placed.height, 1);
    const k = Math.max(MIN_SCALE, Math.min(1, (width - 2 * margin) / w, (height - 2 * margin) / h));
    this.setTransform((width - w * k) / 2, (height - h * k) / 2, k);
  }

  /**
   * Move so that an item is in the middle, zooming in to at least `minScale`.
   * @param {string} id @param {number} [minScale]
   */
  centerOn(id, minScale = 0.8) {
    const box = this.boxes.get(id);
    if (!box) return;
    const { width, height } = this.size();
    const k = Math.max(this.transform.k, minScale);
    this.setTransform(width / 2 - (box.x + box.w / 2) * k, height / 2 - (box.y + box.h / 2) * k, k);
  }

  /** The graph-coordinate rectangle in view. */
  visibleRect() {
    const { width, height } = this.size();
    const { x, y, k } = this.transform;
    return { x: -x / k, y: -y / k, w: width / k, h: height / k };
  }

  destroy() {
    this.root.remove();
  }
}
