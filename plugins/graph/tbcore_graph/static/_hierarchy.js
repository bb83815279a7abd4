/**
 * The graph as a hierarchy, TensorBoard's way: node names split on `/` into name scopes (a
 * group per scope, collapsed until opened), and siblings that repeat one structure (`block_1`,
 * `block_2`, ... or torch's `Layer[0]`, `Layer[1]`, ...) folded into one series node with a
 * count. Edges are kept per group: an edge between two ops is drawn in the innermost group
 * holding both, between the two children of that group that hold them.
 *
 * Pure data, no DOM: built once per graph on the main thread (a few tens of milliseconds for
 * 10,000 nodes); layouts are computed per group in the worker (see `_layout.js`).
 * @module
 */

/** The root group's id. */
export const ROOT = "/";

/** Fewest siblings of one structure that are folded into a series. */
export const SERIES_MIN = 3;

const NUMBERED = /^(.*?)(\d+)(\D*)$/;

/**
 * @typedef {object} Item a node of the hierarchy: an op, a scope or a series
 * @property {string} id unique: an op's id is its name; a scope's is its path and `/`
 * @property {"op" | "group" | "series"} kind
 * @property {string} label what the node shows (the last part of the name)
 * @property {string} name the full name (an op's, a scope's path, a series' pattern)
 * @property {string | null} parent the id of the group holding it
 * @property {string[]} children ids of the items inside (groups and series)
 * @property {number} depth 0 for the root
 * @property {number} opCount ops inside (1 for an op)
 * @property {number} signature an id of its structure: equal for repeated blocks
 * @property {any} [node] an op's node, as the `graph_nodes` route answers it
 * @property {string} [sublabel] a second line: a Keras layer's class and output shape
 * @property {{id: string, slot: number, control: boolean}[]} [inputs] an op's resolved inputs
 * @property {{id: string, control: boolean}[]} [outputs] the ops (or groups) it feeds
 * @property {string[]} [unresolved] input names that name nothing in the graph
 * @property {Map<string, number>} [devices] ops per device, inside a group
 * @property {Map<string, number>} [clusters] ops per XLA cluster, inside a group
 */

/**
 * @typedef {object} GroupEdge the edges between two children of a group, merged
 * @property {string} v the child the edges come from
 * @property {string} w the child they go to
 * @property {number} count how many op-level edges it stands for
 * @property {boolean} control whether all of them are control dependencies
 */

/**
 * @typedef {object} Hierarchy
 * @property {Map<string, Item>} items every op, scope and series, by id
 * @property {Map<string, GroupEdge[]>} edges each group's edges, by group id
 * @property {string[]} opIds the ops, in the graph's order
 */

/**
 * The `_XlaCluster` attribute of a node (TensorFlow's XLA auto-clustering), or "".
 * @param {any} node
 */
export function xlaCluster(node) {
  return attrOf(node, "_XlaCluster");
}

/**
 * A shape as text: `[?, 3, 8]`, or "unknown rank".
 * @param {(number | null)[] | null} shape
 */
export function shapeText(shape) {
  if (shape == null) return "unknown rank";
  return `[${shape.map((d) => (d == null || d < 0 ? "?" : String(d))).join(", ")}]`;
}

/**
 * The value of an attribute of a node, or "".
 * @param {any} node @param {string} key
 */
export function attrOf(node, key) {
  const found = node.attrs?.find((/** @type {string[]} */ a) => a[0] === key);
  return found ? found[1] : "";
}

/** @param {string} name */
function segments(name) {
  return name.split("/").filter((s) => s !== "");
}

/**
 * An input string (`name`, `name:2`, `^name`) resolved against the graph's names.
 * @param {string} text
 * @param {Map<string, Item>} items
 * @returns {{id: string, slot: number, control: boolean} | null}
 */
export function resolveInput(text, items) {
  const control = text.startsWith("^");
  let name = control ? text.slice(1) : text;
  let slot = 0;
  if (!items.has(name)) {
    const m = /^(.*):(\d+)$/.exec(name);
    if (m && items.has(m[1])) {
      name = m[1];
      slot = Number(m[2]);
    }
  }
  const item = items.get(name) ?? items.get(`${segments(name).join("/")}/`);
  return item ? { id: item.id, slot, control } : null;
}

/**
 * Build the hierarchy of a graph's nodes (`graph_nodes`' `nodes`).
 * @param {any[]} nodes
 * @param {{fold?: boolean}} [options] `fold: false` leaves repeated blocks unfolded
 * @returns {Hierarchy}
 */
export function buildHierarchy(nodes, { fold = true } = {}) {
  /** @type {Map<string, Item>} */
  const items = new Map();
  const root = makeGroup(ROOT, "", "", null);
  items.set(ROOT, root);
  const groupOf = (/** @type {string[]} */ parts) => {
    let parent = root;
    for (let i = 0; i < parts.length; i++) {
      const id = `${parts.slice(0, i + 1).join("/")}/`;
      let group = items.get(id);
      if (!group) {
        group = makeGroup(id, parts[i], parts.slice(0, i + 1).join("/"), parent.id);
        items.set(id, group);
        parent.children.push(id);
      }
      parent = group;
    }
    return parent;
  };
  for (const node of nodes) {
    const parts = segments(node.name);
    groupOf(parts.slice(0, -1));
    if (items.has(node.name)) continue; // a duplicate name: the first one stands
    // A Keras layer (conceptual graph) has no op: its class stands for one.
    const kerasClass = attrOf(node, "keras_class");
    if (!node.op && kerasClass) node.op = kerasClass;
    items.set(node.name, {
      id: node.name, kind: "op", label: parts.at(-1) ?? node.name, name: node.name, parent: null,
      children: [], depth: 0, opCount: 1, signature: 0, node,
      sublabel: kerasClass ? `${kerasClass} ${node.shapes?.length ? shapeText(node.shapes[0]) : ""}`.trim() : "",
    });
  }
  // An op named like a scope ("dense" beside "dense/MatMul") goes inside it, as "(dense)".
  for (const node of nodes) {
    const op = /** @type {Item} */ (items.get(node.name));
    if (op.node !== node) continue;
    const parts = segments(node.name);
    const sameScope = parts.length ? items.get(`${parts.join("/")}/`) : undefined;
    const parent = sameScope ?? groupOf(parts.slice(0, -1));
    if (sameScope) op.label = `(${op.label})`;
    op.parent = parent.id;
    parent.children.push(op.id);
  }
  const signatures = new Map();
  const intern = (/** @type {string} */ key) => {
    if (!signatures.has(key)) signatures.set(key, signatures.size + 1);
    return signatures.get(key);
  };
  summarize(root, items, intern, fold);
  setDepths(root, items, 0);
  const opIds = nodes.map((n) => n.name).filter((id, i) => items.get(id)?.node === nodes[i]);
  return { items, edges: connect(items, opIds), opIds };
}

/**
 * @param {string} id @param {string} label @param {string} name @param {string | null} parent
 * @returns {Item}
 */
function makeGroup(id, label, name, parent) {
  return { id, kind: "group", label, name, parent, children: [], depth: 0, opCount: 0, signature: 0, devices: new Map(), clusters: new Map() };
}

/**
 * Bottom-up: fold each group's repeated children, then count its ops, devices and clusters
 * and give it a structural signature.
 * @param {Item} group @param {Map<string, Item>} items
 * @param {(key: string) => number} intern @param {boolean} fold
 */
function summarize(group, items, intern, fold) {
  for (const id of group.children) {
    const child = /** @type {Item} */ (items.get(id));
    if (child.kind === "op") child.signature = intern(`op:${child.node.op}`);
    else summarize(child, items, intern, fold);
  }
  if (fold) foldSeries(group, items, intern);
  aggregate(group, items, intern);
}

/**
 * Count a group's ops, devices and clusters from its children, and give it a signature of
 * their structures (names left out: torch numbers the ops of each block differently).
 * @param {Item} group @param {Map<string, Item>} items @param {(key: string) => number} intern
 */
function aggregate(group, items, intern) {
  const devices = new Map(), clusters = new Map();
  group.opCount = 0;
  for (const id of group.children) {
    const child = /** @type {Item} */ (items.get(id));
    group.opCount += child.opCount;
    if (child.kind === "op") {
      add(devices, child.node.device || "");
      add(clusters, xlaCluster(child.node));
    } else {
      for (const [k, n] of /** @type {Map<string, number>} */ (child.devices)) add(devices, k, n);
      for (const [k, n] of /** @type {Map<string, number>} */ (child.clusters)) add(clusters, k, n);
    }
  }
  group.devices = devices;
  group.clusters = clusters;
  const parts = group.children.map((id) => /** @type {Item} */ (items.get(id)).signature).sort((a, b) => a - b);
  group.signature = intern(`${group.kind}(${parts.join(",")})`);
}

/** @param {Map<string, number>} map @param {string} key @param {number} [n] */
function add(map, key, n = 1) {
  map.set(key, (map.get(key) ?? 0) + n);
}

/**
 * Replace runs of at least `SERIES_MIN` children named `<prefix><number><suffix>` with the
 * same structure by one series holding them.
 * @param {Item} group @param {Map<string, Item>} items @param {(key: string) => number} intern
 */
function foldSeries(group, items, intern) {
  /** @type {Map<string, {prefix: string, suffix: string, members: {id: string, n: number}[]}>} */
  const candidates = new Map();
  for (const id of group.children) {
    const child = /** @type {Item} */ (items.get(id));
    const m = NUMBERED.exec(child.label);
    if (!m || child.label.startsWith("(")) continue;
    const key = `${m[1]}\u0000${m[3]}\u0000${child.signature}`;
    if (!candidates.has(key)) candidates.set(key, { prefix: m[1], suffix: m[3], members: [] });
    candidates.get(key)?.members.push({ id, n: Number(m[2]) });
  }
  for (const [key, { prefix, suffix, members }] of candidates) {
    if (members.length < SERIES_MIN) continue;
    members.sort((a, b) => a.n - b.n);
    const first = members[0].n, last = /** @type {{n: number}} */ (members.at(-1)).n;
    const range = prefix.endsWith("[") ? `${first}-${last}` : `[${first}-${last}]`;
    const label = `${prefix}${range}${suffix}`;
    const id = `${group.id}\u27e8${label}:${/** @type {Item} */ (items.get(members[0].id)).signature}\u27e9`;
    const memberSet = new Set(members.map((m) => m.id));
    const series = makeGroup(id, label, group.kind === "group" && group.name ? `${group.name}/${label}` : label, group.id);
    series.kind = "series";
    series.children = members.map((m) => m.id);
    for (const m of members) /** @type {Item} */ (items.get(m.id)).parent = id;
    items.set(id, series);
    const at = group.children.findIndex((c) => memberSet.has(c));
    group.children = group.children.filter((c) => !memberSet.has(c));
    group.children.splice(at, 0, id);
    aggregate(series, items, intern);
  }
}

/** @param {Item} item @param {Map<string, Item>} items @param {number} depth */
function setDepths(item, items, depth) {
  item.depth = depth;
  for (const id of item.children) setDepths(/** @type {Item} */ (items.get(id)), items, depth + 1);
}

/**
 * Resolve every op's inputs, fill its outputs, and merge the edges per group.
 * @param {Map<string, Item>} items @param {string[]} opIds
 * @returns {Map<string, GroupEdge[]>}
 */
function connect(items, opIds) {
  /** @type {Map<string, Map<string, GroupEdge>>} */
  const merged = new Map();
  for (const id of opIds) /** @type {Item} */ (items.get(id)).outputs = [];
  for (const id of opIds) {
    const op = /** @type {Item} */ (items.get(id));
    op.inputs = [];
    op.unresolved = [];
    for (const text of op.node.inputs) {
      const input = resolveInput(text, items);
      if (!input || input.id === id) {
        if (!input) op.unresolved.push(text);
        continue;
      }
      op.inputs.push(input);
      const source = /** @type {Item} */ (items.get(input.id));
      if (source.kind === "op") source.outputs?.push({ id, control: input.control });
      const pair = childrenUnderCommonGroup(items, input.id, id);
      if (!pair) continue;
      const [group, v, w] = pair;
      if (!merged.has(group)) merged.set(group, new Map());
      const edges = /** @type {Map<string, GroupEdge>} */ (merged.get(group));
      const key = `${v}\u0000${w}`;
      const edge = edges.get(key);
      if (edge) {
        edge.count += 1;
        edge.control &&= input.control;
      } else edges.set(key, { v, w, count: 1, control: input.control });
    }
  }
  return new Map([...merged].map(([group, edges]) => [group, [...edges.values()]]));
}

/**
 * The innermost group holding both `a` and `b`, and its two children that hold them; null
 * when one holds the other.
 * @param {Map<string, Item>} items @param {string} a @param {string} b
 * @returns {[string, string, string] | null}
 */
function childrenUnderCommonGroup(items, a, b) {
  let x = /** @type {Item} */ (items.get(a)), y = /** @type {Item} */ (items.get(b));
  while (x.depth > y.depth) x = /** @type {Item} */ (items.get(/** @type {string} */ (x.parent)));
  while (y.depth > x.depth) y = /** @type {Item} */ (items.get(/** @type {string} */ (y.parent)));
  if (x === y) return null;
  while (x.parent !== y.parent) {
    x = /** @type {Item} */ (items.get(/** @type {string} */ (x.parent)));
    y = /** @type {Item} */ (items.get(/** @type {string} */ (y.parent)));
  }
  return [/** @type {string} */ (x.parent), x.id, y.id];
}

/**
 * The ids of the groups holding `id`, outermost first (the root left out).
 * @param {Map<string, Item>} items @param {string} id
 */
export function ancestors(items, id) {
  const out = [];
  for (let item = items.get(id); item && item.parent; item = items.get(item.parent)) {
    if (item.parent !== ROOT) out.push(item.parent);
  }
  return out.reverse();
}

/**
 * The item that stands for `id` on screen: itself if every group around it is expanded,
 * else the outermost collapsed group around it.
 * @param {Map<string, Item>} items @param {Set<string>} expanded @param {string} id
 */
export function visibleItem(items, expanded, id) {
  for (const group of ancestors(items, id)) if (!expanded.has(group)) return group;
  return id;
}

/** @type {WeakMap<Map<string, Item>, Map<string, string[]>>} */
const opsCache = new WeakMap();

/**
 * Every op inside an item (the op itself for an op); remembered per hierarchy, so do not
 * change the array.
 * @param {Map<string, Item>} items @param {string} id
 * @returns {string[]}
 */
export function opsInside(items, id) {
  let cache = opsCache.get(items);
  if (!cache) opsCache.set(items, (cache = new Map()));
  let ops = cache.get(id);
  if (!ops) {
    const item = /** @type {Item} */ (items.get(id));
    ops = item.kind === "op" ? [id] : item.children.flatMap((child) => opsInside(items, child));
    cache.set(id, ops);
  }
  return ops;
}
