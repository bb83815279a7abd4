/**
 * The layout worker: lays out one group's children with dagre, off the page's main thread.
 *
 * A module worker. Workers do not see the page's import map, so the page sends the URL of
 * the vendored dagre module (`import.meta.resolve("@dagrejs/dagre")`) in an `init` message
 * and the worker imports it from there. Then each `layout` message
 * `{id, nodes: [[id, width, height]], edges: [[v, w, count]]}` is answered with
 * `{id, result: {width, height, nodes: {id: [x, y]}, edges: [[v, w, points]], ms}}` (node
 * centres, edge polylines, the origin at the top left; the milliseconds it took) or
 * `{id, error}`.
 * @module
 */

/** @type {Promise<any> | null} */
let dagre = null;

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.type === "init") {
    dagre = import(message.dagreUrl);
    return;
  }
  if (message.type !== "layout") return;
  try {
    if (!dagre) throw new Error("the layout worker was not given dagre's URL");
    const result = layout(await dagre, message.nodes, message.edges);
    self.postMessage({ id: message.id, result });
  } catch (error) {
    self.postMessage({ id: message.id, error: String(error) });
  }
});

/**
 * Above this many nodes, rank by longest path and order each rank by a depth-first walk
 * instead of dagre's crossing minimisation (whose per-rank graphs and sweeps cost most on
 * large groups): a 500-node scope is laid out in about a third of the time, with more
 * crossings.
 */
const LARGE_GROUP = 250;

/**
 * dagre's `customOrder`: each node's `order` within its rank, in the order a depth-first walk
 * from the top ranks down reaches them (dagre's own starting order).
 * @param {any} g the layered graph (dummy nodes included)
 */
function depthFirstOrder(g) {
  const layers = new Map();
  const seen = new Set();
  const nodes = g.nodes().sort((/** @type {string} */ a, /** @type {string} */ b) => g.node(a).rank - g.node(b).rank);
  for (const start of nodes) {
    const stack = [start];
    while (stack.length) {
      const v = stack.pop();
      if (seen.has(v)) continue;
      seen.add(v);
      const rank = g.node(v).rank;
      if (!layers.has(rank)) layers.set(rank, []);
      const layer = layers.get(rank);
      g.node(v).order = layer.length;
      layer.push(v);
      const next = g.successors(v) ?? [];
      for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
    }
  }
}

/**
 * @param {any} lib the dagre module
 * @param {[string, number, number][]} nodes
 * @param {[string, string, number][]} edges
 */
function layout(lib, nodes, edges) {
  const started = performance.now();
  const large = nodes.length > LARGE_GROUP;
  const g = new lib.graphlib.Graph();
  g.setGraph({
    rankdir: "TB",
    nodesep: 18,
    ranksep: 34,
    edgesep: 8,
    marginx: 0,
    marginy: 0,
    ranker: large ? "longest-path" : "network-simplex",
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const [id, width, height] of nodes) g.setNode(id, { width, height });
  for (const [v, w, count] of edges) g.setEdge(v, w, { weight: Math.min(count, 10), minlen: 1 });
  lib.layout(g, large ? { customOrder: depthFirstOrder } : {});
  /** @type {Record<string, [number, number]>} */
  const placed = {};
  for (const id of g.nodes()) {
    const node = g.node(id);
    placed[id] = [node.x, node.y];
  }
  const routed = g.edges().map((/** @type {{v: string, w: string}} */ e) => [
    e.v,
    e.w,
    (g.edge(e).points ?? []).map((/** @type {{x: number, y: number}} */ p) => [p.x, p.y]),
  ]);
  const { width = 0, height = 0 } = g.graph();
  return { width, height, nodes: placed, edges: routed, ms: performance.now() - started };
}
