/**
 * Layouts of a hierarchy, computed in the layout worker and cached per graph.
 *
 * Each group is laid out on its own, as TensorBoard does: its children are boxes (an op, a
 * collapsed group, or an expanded group as large as its own layout), joined by the group's
 * merged edges. Expanding a group lays out that group and then its ancestors again (their
 * child changed size); every layout is cached under the sizes of the children it placed, so
 * collapsing and expanding again, or coming back to a graph, costs nothing. A second worker
 * lays out the large collapsed groups on screen ahead of time, so that opening one of them
 * usually finds its layout ready.
 * @module
 */

import { ROOT } from "./_hierarchy.js";

/** Sizes in SVG units (CSS px at zoom 1). */
export const SIZE = {
  charWidth: 6.4,
  opHeight: 24,
  groupHeight: 34,
  minWidth: 46,
  maxLabel: 30,
  pad: 14,
  padTop: 30,
};

/**
 * The label an item shows, shortened past `SIZE.maxLabel` characters.
 * @param {import("./_hierarchy.js").Item} item
 */
export function displayLabel(item) {
  const label = item.label || "(root)";
  return label.length > SIZE.maxLabel ? `${label.slice(0, SIZE.maxLabel - 1)}…` : label;
}

/**
 * Width and height of an item drawn collapsed.
 * @param {import("./_hierarchy.js").Item} item
 * @returns {[number, number]}
 */
export function collapsedSize(item) {
  const text = Math.max(
    displayLabel(item).length + (item.kind === "op" ? 0 : String(item.opCount).length + 3),
    (item.sublabel?.length ?? 0) * 0.9,
  );
  const width = Math.max(SIZE.minWidth, Math.round(text * SIZE.charWidth + 22));
  if (item.kind !== "op") return [width, SIZE.groupHeight];
  return [width, item.sublabel ? SIZE.opHeight + 12 : SIZE.opHeight];
}

/**
 * @typedef {object} GroupLayout one group's children placed, relative to its content's corner
 * @property {number} width
 * @property {number} height
 * @property {Record<string, [number, number]>} nodes child centres
 * @property {[string, string, [number, number][]][]} edges
 * @property {number} ms time the worker took
 */

/**
 * @typedef {object} Box an item on screen, in graph coordinates
 * @property {string} id
 * @property {number} x left
 * @property {number} y top
 * @property {number} w
 * @property {number} h
 * @property {boolean} expanded
 */

/**
 * @typedef {object} Placed what the scene draws
 * @property {Box[]} boxes every visible item, outer groups before what they hold
 * @property {{group: string, v: string, w: string, points: [number, number][], count: number, control: boolean}[]} edges
 * @property {number} width
 * @property {number} height
 */

export class LayoutEngine {
  /**
   * @param {import("./_hierarchy.js").Hierarchy} hierarchy
   * @param {LayoutWorker} worker lays out what is about to be drawn
   * @param {LayoutWorker} [background] lays out, ahead of time, groups that may be opened
   */
  constructor(hierarchy, worker, background) {
    this.hierarchy = hierarchy;
    this.worker = worker;
    this.background = background;
    /** Layouts by group, then by the sizes of the children they placed. @type {Map<string, Map<string, Promise<GroupLayout>>>} */
    this.cache = new Map();
    /** Milliseconds the worker spent on the layouts of the last `place` call. */
    this.workerMs = 0;
    this.prefetching = 0;
  }

  /**
   * Lay out the root and every expanded group inside it, then place them all.
   * @param {Set<string>} expanded
   * @returns {Promise<Placed>}
   */
  async place(expanded) {
    /** @type {Map<string, GroupLayout>} */
    const layouts = new Map();
    this.workerMs = 0;
    await this.layoutGroup(ROOT, expanded, layouts);
    return this.position(expanded, layouts);
  }

  /**
   * The children of a group with their sizes, and the cache key those sizes make.
   * @param {string} id @param {(childId: string) => Promise<[number, number]> | [number, number]} sizeOf
   */
  async children(id, sizeOf) {
    const group = /** @type {import("./_hierarchy.js").Item} */ (this.hierarchy.items.get(id));
    /** @type {[string, number, number][]} */
    const nodes = [];
    for (const childId of group.children) nodes.push([childId, ...(await sizeOf(childId))]);
    return { nodes, key: nodes.map((n) => `${n[1]}x${n[2]}`).join(",") };
  }

  /**
   * The layout of a group's children at these sizes: cached, already on its way (from the
   * background worker, say), or asked of `worker` now.
   * @param {string} id @param {[string, number, number][]} nodes @param {string} key
   * @param {LayoutWorker} worker
   */
  cached(id, nodes, key, worker) {
    if (!this.cache.has(id)) this.cache.set(id, new Map());
    const byKey = /** @type {Map<string, Promise<GroupLayout>>} */ (this.cache.get(id));
    let layout = byKey.get(key);
    if (!layout) {
      const edges = (this.hierarchy.edges.get(id) ?? []).map((e) => /** @type {[string, string, number]} */ ([e.v, e.w, e.count]));
      layout = worker.layout(nodes, edges);
      layout.catch(() => byKey.delete(key)); // a failed layout is asked for again next time
      byKey.set(key, layout);
      if (worker === this.worker) layout.then((l) => { this.workerMs += l.ms; }, () => {});
    }
    return layout;
  }

  /**
   * @param {string} id @param {Set<string>} expanded @param {Map<string, GroupLayout>} out
   * @returns {Promise<[number, number]>} the group's size as a child box
   */
  async layoutGroup(id, expanded, out) {
    const { items } = this.hierarchy;
    const { nodes, key } = await this.children(id, (childId) => {
      const child = /** @type {import("./_hierarchy.js").Item} */ (items.get(childId));
      return child.kind !== "op" && expanded.has(childId) ? this.layoutGroup(childId, expanded, out) : collapsedSize(child);
    });
    const layout = await this.cached(id, nodes, key, this.worker);
    out.set(id, layout);
    return this.openSize(id, layout);
  }

  /** @param {string} id @param {GroupLayout} layout @returns {[number, number]} */
  openSize(id, layout) {
    const labelWidth = collapsedSize(/** @type {import("./_hierarchy.js").Item} */ (this.hierarchy.items.get(id)))[0];
    return [Math.max(layout.width + 2 * SIZE.pad, labelWidth + 24), layout.height + SIZE.padTop + SIZE.pad];
  }

  /**
   * Lay out ahead of time, in the background worker, the collapsed groups on screen that
   * hold at least `minChildren` items, largest first, so that opening one costs only its
   * drawing. A later call replaces the list of an earlier one.
   * @param {string[]} visible ids on screen @param {Set<string>} expanded
   * @param {number} [minChildren]
   */
  async prefetch(visible, expanded, minChildren = 40) {
    if (!this.background) return;
    const round = ++this.prefetching;
    const { items } = this.hierarchy;
    const groups = visible
      .map((id) => /** @type {import("./_hierarchy.js").Item} */ (items.get(id)))
      .filter((item) => item.kind !== "op" && !expanded.has(item.id) && item.children.length >= minChildren)
      .sort((a, b) => b.children.length - a.children.length);
    for (const group of groups) {
      if (round !== this.prefetching) return;
      if (group.children.some((c) => expanded.has(c))) continue; // drawn open inside: sizes unknown yet
      const { nodes, key } = await this.children(group.id, (c) => collapsedSize(/** @type {any} */ (items.get(c))));
      try {
        await this.cached(group.id, nodes, key, this.background);
      } catch {
        return; // the view was closed
      }
    }
  }

  /**
   * Absolute boxes and edge polylines from the per-group layouts.
   * @param {Set<string>} expanded @param {Map<string, GroupLayout>} layouts
   * @returns {Placed}
   */
  position(expanded, layouts) {
    const { items, edges } = this.hierarchy;
    /** @type {Placed} */
    const placed = { boxes: [], edges: [], width: 0, height: 0 };
    const root = /** @type {GroupLayout} */ (layouts.get(ROOT));
    placed.width = root.width;
    placed.height = root.height;
    /** @param {string} id @param {number} ox @param {number} oy */
    const visit = (id, ox, oy) => {
      const layout = /** @type {GroupLayout} */ (layouts.get(id));
      const group = /** @type {import("./_hierarchy.js").Item} */ (items.get(id));
      const merged = new Map((edges.get(id) ?? []).map((e) => [`${e.v}\u0000${e.w}`, e]));
      for (const [v, w, points] of layout.edges) {
        const edge = merged.get(`${v}\u0000${w}`);
        placed.edges.push({
          group: id, v, w, count: edge?.count ?? 1, control: edge?.control ?? false,
          points: points.map(([x, y]) => [x + ox, y + oy]),
        });
      }
      for (const childId of group.children) {
        const child = /** @type {import("./_hierarchy.js").Item} */ (items.get(childId));
        const [cx, cy] = layout.nodes[childId];
        const open = child.kind !== "op" && expanded.has(childId) && layouts.has(childId);
        let w, h;
        if (open) {
          const inner = /** @type {GroupLayout} */ (layouts.get(childId));
          w = Math.max(inner.width + 2 * SIZE.pad, collapsedSize(child)[0] + 24);
          h = inner.height + SIZE.padTop + SIZE.pad;
        } else [w, h] = collapsedSize(child);
        const box = { id: childId, x: ox + cx - w / 2, y: oy + cy - h / 2, w, h, expanded: open };
        placed.boxes.push(box);
        if (open) {
          const inner = /** @type {GroupLayout} */ (layouts.get(childId));
          visit(childId, box.x + (w - inner.width) / 2, box.y + SIZE.padTop);
        }
      }
    };
    visit(ROOT, 0, 0);
    return placed;
  }
}

/** The page side of the layout worker: one request at a time per message id. */
export class LayoutWorker {
  constructor() {
    this.worker = new Worker(new URL("./_layout_worker.js", import.meta.url), { type: "module" });
    this.worker.postMessage({ type: "init", dagreUrl: import.meta.resolve("@dagrejs/dagre") });
    /** @type {Map<number, {resolve: (r: GroupLayout) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    this.nextId = 1;
    this.worker.addEventListener("message", (event) => {
      const { id, result, error } = event.data;
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (!waiting) return;
      if (error) waiting.reject(new Error(`layout failed: ${error}`));
      else waiting.resolve(result);
    });
    this.worker.addEventListener("error", (event) => {
      event.preventDefault();
      for (const waiting of this.pending.values()) waiting.reject(new Error("the layout worker failed to start"));
      this.pending.clear();
    });
  }

  /**
   * Lay out one group's children.
   * @param {[string, number, number][]} nodes @param {[string, string, number][]} edges
   * @returns {Promise<GroupLayout>}
   */
  layout(nodes, edges) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: "layout", id, nodes, edges });
    });
  }

  destroy() {
    this.worker.terminate();
    for (const waiting of this.pending.values()) waiting.reject(new Error("the graph view was closed"));
    this.pending.clear();
  }
}
