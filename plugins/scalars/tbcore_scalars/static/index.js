/**
 * The scalars dashboard: one card per tag, every selected run in it, every point drawn.
 * @module
 */

import {
  CardGrid,
  LineChart,
  groupTags,
  h,
  renderEmpty,
  renderError,
  renderLoading,
  tagMatcher,
} from "@tbcore/sdk";
import { numbers } from "./series.js";

/**
 * TensorBoard's smoothing: an exponential moving average, debiased so the start of the
 * curve is not pulled towards zero. Non-finite values pass through and do not disturb it.
 * @param {ArrayLike<number>} values
 * @param {number} weight 0 (none) to <1
 * @returns {Float64Array}
 */
export function smooth(values, weight) {
  const out = new Float64Array(values.length);
  let first = NaN;
  let constant = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) constant = false;
  }
  if (weight <= 0 || constant) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  let last = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const state = { smoothing: 0.6, xAxis: "step", logY: false, tags: /** @type {Record<string, Record<string, unknown>>} */ ({}) };
  const charts = new Map();

  const smoothing = h("input", { type: "range", min: "0", max: "0.99", step: "0.01", value: String(state.smoothing), "aria-label": "Smoothing" });
  const smoothingValue = h("span", { class: "scalars-smoothing-value" }, String(state.smoothing));
  const xAxis = h(
    "select",
    { "aria-label": "Horizontal axis" },
    h("option", { value: "step" }, "Step"),
    h("option", { value: "relative" }, "Relative time"),
    h("option", { value: "wall" }, "Wall time"),
  );
  const logY = h("input", { type: "checkbox", "aria-label": "Logarithmic y axis" });
  const toolbar = h(
    "div",
    { class: "scalars-toolbar" },
    h("label", {}, "Smoothing ", smoothing, smoothingValue),
    h("label", {}, "X axis ", xAxis),
    h("label", {}, logY, " Log scale"),
  );
  const message = h("div", { class: "scalars-message" });
  const gridEl = h("div", { class: "scalars-grid" });
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  el.replaceChildren(style, toolbar, message, gridEl);

  /** Show a loading/empty/error state instead of the cards (`null`: show the cards). */
  function showState(render) {
    message.hidden = !render;
    gridEl.hidden = !!render;
    if (render) render(message);
  }

  const grid = new CardGrid(gridEl, {
    key: (tag) => tag,
    title: (tag) => tag,
    render: (card, tag) => renderCard(card, tag),
  });

  /** @param {HTMLElement} card @param {string} tag */
  function renderCard(card, tag) {
    const chartEl = h("div", { class: "scalars-chart" });
    const downloads = h("div", { class: "scalars-downloads" });
    card.replaceChildren(chartEl, downloads);
    const chart = new LineChart(chartEl, { xLabel: state.xAxis, logY: state.logY, xTime: state.xAxis === "wall" });
    // The chart is reachable from the card, for tests and tools: `card.__chart.data()`.
    Object.assign(card, { __chart: chart });
    const entry = { card, chart, chartEl, downloads, data: /** @type {Record<string, any>} */ ({}), controller: /** @type {AbortController|null} */ (null) };
    charts.set(tag, entry);
    load(tag);
    return () => {
      entry.controller?.abort();
      chart.destroy();
      charts.delete(tag);
    };
  }

  /** Fetch every selected run of `tag` (all points) and draw them. @param {string} tag */
  async function load(tag) {
    const entry = charts.get(tag);
    if (!entry) return;
    entry.controller?.abort();
    entry.controller = new AbortController();
    const runs = ctx.runs.selected().filter((r) => state.tags[r] && tag in state.tags[r]);
    if (!runs.length) {
      entry.data = {};
      draw(tag);
      return;
    }
    try {
      entry.data = await ctx.fetchJson("series", { tag, run: runs }, { signal: entry.controller.signal });
      draw(tag);
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") renderError(entry.chartEl, error);
    }
  }

  /** @param {string} tag */
  function draw(tag) {
    const entry = charts.get(tag);
    if (!entry) return;
    const series = [];
    const links = [];
    for (const [run, cols] of Object.entries(entry.data)) {
      const color = ctx.runs.colorOf(run);
      const x = xValues(cols);
      const raw = numbers(cols.value);
      if (state.smoothing > 0) series.push({ name: `${run} (raw)`, color, x, y: raw, alpha: 0.25, width: 1 });
      series.push({ name: run, color, x, y: smooth(raw, state.smoothing), width: 1.75 });
      links.push(
        h("span", { class: "scalars-download" }, h("span", { class: "scalars-swatch", style: `background:${color}` }), run + " ",
          h("a", { href: ctx.url("scalars", { run, tag, format: "csv" }), download: `${run}_${tag}.csv` }, "CSV"), " ",
          h("a", { href: ctx.url("scalars", { run, tag, format: "json" }), download: `${run}_${tag}.json` }, "JSON")),
      );
    }
    entry.chart.setSeries(series);
    entry.downloads.replaceChildren(...links);
    entry.card.dataset.loaded = "true";
  }

  /** @param {{step: number[], wall_time: number[]}} cols */
  function xValues(cols) {
    if (state.xAxis === "step") return cols.step;
    if (state.xAxis === "wall") return cols.wall_time;
    const start = cols.wall_time.length ? cols.wall_time[0] : 0;
    return cols.wall_time.map((t) => (t - start) / 3600);
  }

  function redrawAll() {
    for (const tag of charts.keys()) draw(tag);
  }

  function rebuildCharts() {
    for (const [tag, entry] of charts) {
      entry.chart.destroy();
      const chart = new LineChart(entry.chartEl, { xLabel: state.xAxis === "relative" ? "hours" : state.xAxis, logY: state.logY, xTime: state.xAxis === "wall" });
      entry.chart = chart;
      Object.assign(entry.card, { __chart: chart });
      draw(tag);
    }
  }

  async function refreshTags() {
    if (!Object.keys(state.tags).length) showState((m) => renderLoading(m));
    try {
      state.tags = await ctx.fetchJson("tags");
    } catch (error) {
      showState((m) => renderError(m, error));
      return;
    }
    layout();
    for (const tag of charts.keys()) load(tag);
  }

  function layout() {
    const selected = ctx.runs.selected();
    const match = tagMatcher(ctx.tagFilter.get());
    const tags = new Set();
    for (const run of selected) for (const tag of Object.keys(state.tags[run] || {})) tags.add(tag);
    const shown = [...tags].filter(match).sort();
    if (!shown.length) {
      showState((m) => renderEmpty(m, tags.size ? "No tags match the filter." : "No scalar data for the selected runs."));
      return;
    }
    showState(null);
    grid.setGroups(groupTags(shown).map((g) => ({ prefix: g.prefix, items: g.tags })));
  }

  smoothing.addEventListener("input", () => {
    state.smoothing = Number(smoothing.value);
    smoothingValue.textContent = smoothing.value;
    redrawAll();
  });
  xAxis.addEventListener("change", () => {
    state.xAxis = xAxis.value;
    rebuildCharts();
  });
  logY.addEventListener("change", () => {
    state.logY = logY.checked;
    for (const { chart } of charts.values()) chart.setLogScale({ y: state.logY });
  });

  const unsubscribers = [
    ctx.tagFilter.subscribe(() => layout()),
    ctx.runs.subscribe(() => {
      layout();
      for (const tag of charts.keys()) load(tag);
    }),
    ctx.onUpdate((event) => {
      const changedTags = new Set(Object.values(event.changed || {}).flat());
      const knownTags = new Set(Object.values(state.tags).flatMap((t) => Object.keys(t)));
      const unknown = event.full || (event.newRuns || []).length || [...changedTags].some((t) => !knownTags.has(t));
      if (unknown) refreshTags();
      else for (const tag of changedTags) if (charts.has(tag)) load(tag);
    }),
  ];
  refreshTags();
  return () => {
    for (const off of unsubscribers) off();
    for (const { chart, controller } of charts.values()) {
      controller?.abort();
      chart.destroy();
    }
  };
}
