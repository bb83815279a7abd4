/**
 * The graph dashboard: one graph at a time (a run's op graph, a TF2 trace's op graphs or a
 * Keras conceptual graph), name scopes collapsed into groups and repeated blocks into series,
 * laid out per group in a web worker (cached per graph); zoom, pan, fit and a minimap; an
 * inspector; search; tracing a node's inputs and outputs; colouring by structure, device,
 * XLA cluster, or a run metadata step's compute time or memory.
 *
 * The dashboard element carries what tests and benchmarks read: `data-state` (`loading`,
 * `ready`, `empty`, `error`), `data-graph`, `data-ops`, `data-load-ms` (from asking for the
 * graph to its top level drawn), `data-layout-ms` (the last expand or collapse) and
 * `data-worker-ms` (the part of either spent in the layout worker).
 * @module
 */

import { h, renderEmpty, renderError, renderLoading, viewSetting } from "@tbcore/sdk";
import { COLOR_MODES, colouring, statsByOp } from "./_colors.js";
import { ROOT, ancestors, buildHierarchy, opsInside, visibleItem } from "./_hierarchy.js";
import { renderInspector } from "./_inspector.js";
import { LayoutEngine, LayoutWorker } from "./_layout.js";
import { Minimap } from "./_minimap.js";
import { Scene } from "./_scene.js";
import { createSearch } from "./_search.js";
import { graphChoices, runsWithGraphs, statsChoices } from "./_choices.js";

/**
 * @typedef {object} GraphState one loaded graph, kept while the tab lives
 * @property {string} key
 * @property {import("./_hierarchy.js").Hierarchy} hierarchy
 * @property {LayoutEngine} engine
 * @property {Set<string>} expanded
 */

/**
 * Mount the graph dashboard into `el`; returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export async function mount(el, ctx) {
  if (!document.querySelector("link[data-graphs-style]")) {
    document.head.append(h("link", { rel: "stylesheet", href: ctx.url("static/style.css"), dataset: { graphsStyle: "" } }));
  }
  const runSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "graphs-run", "aria-label": "Run" }));
  const graphSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "graphs-graph", "aria-label": "Graph" }));
  const statsSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "graphs-stats", "aria-label": "Run metadata step" }));
  const colour = viewSetting(ctx, { name: "color", label: "Colour", className: "graphs-color", choices: COLOR_MODES, onChange: () => paint() });
  const traceBox = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "graphs-trace", onchange: () => mark() }));
  const search = createSearch((id) => reveal(id));
  const toolbar = h("div", { class: "tb-settings graphs-toolbar" },
    h("label", null, "Run ", runSelect), h("label", null, "Graph ", graphSelect),
    h("label", null, "Run metadata ", statsSelect), colour.element,
    h("label", null, traceBox, "Trace inputs"),
    h("button", { type: "button", class: "tb-button graphs-fit", onclick: () => scene.fit() }, "Fit"),
    search.element);
  const view = h("div", { class: "graphs-view" });
  const placeholder = h("div", { class: "graphs-placeholder" });
  const legendSlot = h("div", { class: "graphs-legend-slot" });
  const inspector = h("aside", { class: "graphs-inspector", "aria-label": "Node inspector" });
  const root = h("div", { class: "graphs-dashboard", dataset: { state: "loading" } }, toolbar,
    h("div", { class: "graphs-main" }, view, inspector));
  el.replaceChildren(root);

  const worker = new LayoutWorker();
  const background = new LayoutWorker();
  const scene = new Scene(view, {
    select: (id) => select(id),
    toggle: (id) => toggle(id),
    viewChanged: () => minimap.setView(scene.visibleRect()),
  });
  const minimap = new Minimap(view, (x, y) => {
    const { width, height } = scene.size();
    const k = scene.transform.k;
    scene.setTransform(width / 2 - x * k, height / 2 - y * k, k);
  });
  view.append(legendSlot, placeholder);

  /** @type {Record<string, any>} */
  let info = {};
  /** @type {Map<string, GraphState>} */
  const graphs = new Map();
  /** @type {GraphState | null} */
  let current = null;
  /** @type {Map<string, import("./_colors.js").NodeStats> | null} */
  let stats = null;
  /** @type {string | null} */
  let selected = null;
  /** @type {string[]} */
  let visible = [];
  let fillOf = (/** @type {string} */ _id) => "";
  let queue = Promise.resolve();
  let closed = false;
  let loadToken = 0;

  /** @param {string} state @param {Record<string, string>} [extra] */
  const setState = (state, extra = {}) => Object.assign(root.dataset, { state, ...extra });
  /** @param {(el: HTMLElement) => void} fn */
  const showPlaceholder = (fn) => {
    placeholder.hidden = false;
    fn(placeholder);
  };

  function renderRuns() {
    const runs = runsWithGraphs(info, ctx.runs.selected());
    const previous = runSelect.value;
    runSelect.replaceChildren(...runs.map((run) => h("option", { value: run }, run)));
    if (runs.includes(previous)) runSelect.value = previous;
    if (!runs.length) {
      current = null;
      scene.draw({ boxes: [], edges: [], width: 0, height: 0 }, new Map());
      showPlaceholder((p) => renderEmpty(p, "No graph in the selected runs."));
      setState("empty");
      return;
    }
    if (runSelect.value !== previous || !current) renderGraphChoices();
  }

  function renderGraphChoices() {
    const run = runSelect.value;
    const previous = graphSelect.value;
    const choices = graphChoices(info[run]);
    graphSelect.replaceChildren(...choices.map((c) => h("option", { value: c.value }, c.label)));
    if (choices.some((c) => c.value === previous)) graphSelect.value = previous;
    const steps = statsChoices(info[run]);
    statsSelect.replaceChildren(h("option", { value: "" }, "None"), ...steps.map((tag) => h("option", { value: tag }, tag)));
    stats = null;
    loadGraph();
  }

  async function loadGraph() {
    const token = ++loadToken;
    const params = JSON.parse(graphSelect.value || "null");
    if (!params) return;
    const key = graphSelect.value;
    const started = performance.now();
    setState("loading");
    try {
      let state = graphs.get(key);
      if (!state) {
        showPlaceholder((p) => renderLoading(p, "Loading the graph…"));
        const answer = await ctx.fetchJson("graph_nodes", params);
        if (token !== loadToken) return;
        const hierarchy = buildHierarchy(answer.nodes);
        state = { key, hierarchy, engine: new LayoutEngine(hierarchy, worker, background), expanded: soleGroups(hierarchy) };
        graphs.set(key, state);
      }
      if (current && current !== state) current.engine.prefetching++; // stop its look-ahead
      current = state;
      selected = null;
      search.setHierarchy(state.hierarchy);
      if (!state.hierarchy.opIds.length) {
        scene.draw({ boxes: [], edges: [], width: 0, height: 0 }, new Map());
        showPlaceholder((p) => renderEmpty(p, "This graph has no nodes."));
        setState("empty", { graph: key, ops: "0" });
        renderInspector(inspector, null, inspectorContext());
        return;
      }
      await redraw();
      if (token !== loadToken) return;
      placeholder.hidden = true;
      scene.fit();
      setState("ready", {
        graph: key, ops: String(state.hierarchy.opIds.length), loadMs: (performance.now() - started).toFixed(1),
        workerMs: state.engine.workerMs.toFixed(1),
      });
      renderInspector(inspector, null, inspectorContext());
      if (statsSelect.value) loadStats();
    } catch (error) {
      if (token !== loadToken || closed) return;
      showPlaceholder((p) => renderError(p, error, "Could not load the graph"));
      setState("error");
    }
  }

  async function loadStats() {
    const tag = statsSelect.value;
    if (!tag || !current) {
      stats = null;
    } else {
      try {
        const answer = await ctx.fetchJson("step_stats", { run: runSelect.value, tag });
        if (!current) return;
        stats = statsByOp(answer.nodes, current.hierarchy.items);
      } catch (error) {
        stats = null;
        console.warn("tbcore graphs: no step statistics", error);
      }
    }
    root.dataset.stats = tag;
    paint();
    renderInspector(inspector, selected, inspectorContext());
  }

  /** Lay out and draw the current graph with its expanded groups. */
  async function redraw() {
    if (!current) return;
    const placed = await current.engine.place(current.expanded);
    const t0 = performance.now();
    scene.draw(placed, current.hierarchy.items);
    const t1 = performance.now();
    visible = placed.boxes.map((b) => b.id);
    paint();
    minimap.setView(scene.visibleRect());
    root.dataset.drawMs = `${(t1 - t0).toFixed(1)}+${(performance.now() - t1).toFixed(1)}`;
    current.engine.prefetch(visible, current.expanded);
  }

  function paint() {
    if (!current) return;
    // Open groups are frames, not coloured: leave them out of the scale too.
    const collapsed = visible.filter((id) => !scene.boxes.get(id)?.expanded);
    const result = colouring(colour.get(), current.hierarchy, stats, collapsed);
    fillOf = result.fill;
    scene.paint(fillOf);
    legendSlot.replaceChildren(result.legend);
    if (scene.placed) minimap.setGraph(scene.placed, fillOf);
    mark();
  }

  /** Selection, and with "Trace inputs" the selection's inputs and outputs, all the way. */
  function mark() {
    if (!current) return;
    const { items } = current.hierarchy;
    /** @type {Map<string, string>} */
    const classes = new Map();
    const tracing = traceBox.checked && selected != null && items.has(selected);
    if (tracing && selected != null) {
      const seeds = opsInside(items, selected);
      const shown = (/** @type {string} */ id) => visibleItem(items, /** @type {GraphState} */ (current).expanded, id);
      for (const id of walk(items, seeds, "inputs")) classes.set(shown(id), "graphs-upstream");
      for (const id of walk(items, seeds, "outputs")) classes.set(shown(id), `${classes.get(shown(id)) ?? ""} graphs-downstream`.trim());
    }
    if (selected != null) classes.set(visibleItem(items, current.expanded, selected), "graphs-selected");
    scene.mark(classes, tracing);
    root.dataset.traced = tracing ? String(classes.size) : "";
  }

  /** @param {string} id */
  function select(id) {
    selected = id;
    mark();
    renderInspector(inspector, id, inspectorContext());
  }

  /** @param {() => Promise<void>} task */
  function enqueue(task) {
    queue = queue.then(task).catch((error) => closed || console.error("tbcore graphs:", error));
    return queue;
  }

  /** Expand or collapse a group, keeping it where it was on screen. @param {string} id */
  function toggle(id) {
    return enqueue(async () => {
      if (!current) return;
      const started = performance.now();
      const before = scene.boxes.get(id);
      if (current.expanded.has(id)) current.expanded.delete(id);
      else current.expanded.add(id);
      await redraw();
      const after = scene.boxes.get(id);
      if (before && after) {
        const { x, y, k } = scene.transform;
        scene.setTransform(x + (before.x - after.x) * k, y + (before.y - after.y) * k, k);
      }
      root.dataset.workerMs = current.engine.workerMs.toFixed(1);
      root.dataset.layoutMs = (performance.now() - started).toFixed(1);
      if (selected === id) renderInspector(inspector, id, inspectorContext());
    });
  }

  /** Open every group around an item, select it and bring it to the middle. @param {string} id */
  function reveal(id) {
    return enqueue(async () => {
      if (!current) return;
      const closed = ancestors(current.hierarchy.items, id).filter((g) => !current?.expanded.has(g));
      if (closed.length) {
        for (const g of closed) current.expanded.add(g);
        await redraw();
      }
      select(id);
      scene.centerOn(id);
      root.dataset.centered = id;
    });
  }

  function inspectorContext() {
    return {
      hierarchy: /** @type {GraphState} */ (current).hierarchy,
      stats,
      expanded: current?.expanded ?? new Set(),
      navigate: (/** @type {string} */ id) => reveal(id),
      toggle: (/** @type {string} */ id) => toggle(id),
    };
  }

  async function loadInfo() {
    try {
      info = await ctx.fetchJson("info");
      renderRuns();
    } catch (error) {
      showPlaceholder((p) => renderError(p, error, "Could not list the graphs"));
      setState("error");
    }
  }

  runSelect.addEventListener("change", renderGraphChoices);
  graphSelect.addEventListener("change", () => loadGraph());
  statsSelect.addEventListener("change", () => loadStats());
  ctx.runs.subscribe(() => renderRuns());
  ctx.onUpdate(async (event) => {
    // A graph is read again only when its own series changed (not on every new scalar).
    const run = runSelect.value;
    const graphTags = ["__run_graph__", "__meta_graph__", ...Object.keys(info[run]?.tags ?? {})];
    const stale = Boolean(run) && (event.full || (event.changed?.[run] ?? []).some((tag) => graphTags.includes(tag)));
    const kept = new Map();
    if (stale) {
      for (const [key, state] of graphs) {
        if (JSON.parse(key).run !== run) continue;
        kept.set(key, state.expanded);
        graphs.delete(key);
      }
    }
    await loadInfo();
    if (stale && run === runSelect.value && graphSelect.value) {
      await loadGraph();
      const expanded = kept.get(graphSelect.value);
      if (expanded && current) {
        for (const id of expanded) if (current.hierarchy.items.has(id)) current.expanded.add(id);
        if (current.expanded.size) enqueue(redraw);
      }
    }
  });
  const resize = new ResizeObserver(() => minimap.setView(scene.visibleRect()));
  resize.observe(view);
  await loadInfo();
  return () => {
    closed = true;
    resize.disconnect();
    worker.destroy();
    background.destroy();
    colour.destroy();
    search.destroy();
    minimap.destroy();
    scene.destroy();
  };
}

/**
 * A graph whose top level is one group (a Keras model, a module) opens with that group (and
 * any sole group inside it) expanded: a single box says nothing.
 * @param {import("./_hierarchy.js").Hierarchy} hierarchy
 */
function soleGroups(hierarchy) {
  const expanded = new Set();
  let group = hierarchy.items.get(ROOT);
  while (group && group.children.length === 1) {
    const only = hierarchy.items.get(group.children[0]);
    if (!only || only.kind === "op") break;
    expanded.add(only.id);
    group = only;
  }
  return expanded;
}

/**
 * Every op reached from `seeds` along `inputs` or `outputs`.
 * @param {Map<string, any>} items @param {string[]} seeds @param {"inputs" | "outputs"} direction
 */
function walk(items, seeds, direction) {
  const seen = new Set(seeds);
  const stack = [...seeds];
  while (stack.length) {
    const item = items.get(/** @type {string} */ (stack.pop()));
    for (const next of item?.[direction] ?? []) {
      if (seen.has(next.id)) continue;
      seen.add(next.id);
      if (items.get(next.id)?.kind === "op") stack.push(next.id);
    }
  }
  for (const id of seeds) seen.delete(id);
  return seen;
}

