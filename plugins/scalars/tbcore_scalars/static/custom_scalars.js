/**
 * The custom-scalars dashboard: the charts of the layout the runs wrote, each chart drawing
 * every tag matching its regexes (multiline) or a value with its lower/upper bounds (margin),
 * for every selected run. A line has its run's color (as everywhere); the tags of one run in a
 * multiline chart differ by dash pattern, each tag keeping its pattern while the page is open.
 * A (run, tag) matched by several regexes is drawn once; a regex the server cannot compile is
 * named on its chart. Live updates refetch only the charts whose runs and tags gained data.
 * @module
 */

import { LineChart, h, renderEmpty, renderError, renderLoading } from "@tbcore/sdk";
import { numbers } from "./series.js";

/** The tag the layout is written under (see `metadata.py`). */
const LAYOUT_TAG = "custom_scalars__config__";

/** Dash patterns of a run's tags in a multiline chart: solid first, then ever sparser. */
const DASHES = [[], [6, 4], [1.5, 3], [12, 4], [8, 3, 2, 3], [3, 7]];

/**
 * @typedef {object} ChartEntry one chart of the layout
 * @property {LineChart} chart
 * @property {any} spec the layout's chart (`{title, multiline: {tag: [...]}}` or `{title, margin: {series: [...]}}`)
 * @property {HTMLElement} legend
 * @property {HTMLElement} warning says which regexes are invalid
 * @property {Map<string, number>} dashes tag -> index into DASHES, kept while the page is open
 * @property {Set<string>} invalid regexes the server could not compile
 * @property {number} generation bumped by every draw: an answer to an older draw is dropped
 * @property {AbortController | null} controller the requests of the latest draw
 */

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  const body = h("div", { class: "tb-card-grid" });
  el.replaceChildren(style, body);
  /** @type {ChartEntry[]} */
  let charts = [];
  /** The layout drawn (as JSON), to tell a new one from the same one. */
  let shownLayout = "";
  /** Bumped by every layout fetch: an older answer is dropped. */
  let layoutGeneration = 0;

  /**
   * Fetch the layout; draw it anew when it changed, else draw the charts `which` picks again.
   * @param {(entry: ChartEntry) => boolean} [which] default: every chart
   */
  async function render(which = () => true) {
    const generation = ++layoutGeneration;
    if (!shownLayout) renderLoading(body);
    let layout;
    try {
      layout = await ctx.fetchJson("layout");
    } catch (error) {
      if (generation !== layoutGeneration || /** @type {Error} */ (error).name === "AbortError") return;
      renderError(body, error);
      shownLayout = "";
      return;
    }
    if (generation !== layoutGeneration) return;
    const text = JSON.stringify(layout);
    if (text === shownLayout) {
      refresh(charts.filter(which));
      return;
    }
    shownLayout = text;
    destroyCharts();
    const categories = layout.category || [];
    if (!categories.length) {
      renderEmpty(body, "No custom scalar layout was written.");
      return;
    }
    body.replaceChildren(...categories.map((category) => categoryElement(category)));
    refresh(charts);
  }

  /** @param {any} category @returns {HTMLElement} */
  function categoryElement(category) {
    const cards = (category.chart || []).map((/** @type {any} */ spec) => {
      const chartEl = h("div", { class: "scalars-chart" });
      const legend = h("div", { class: "scalars-downloads scalars-legend" });
      const warning = h("div", { class: "scalars-chart-warning", role: "status", hidden: true });
      const title = spec.title || "";
      const card = h("div", { class: "tb-card", dataset: { title } }, h("h3", { class: "tb-card-title", title }, title), warning, chartEl, legend);
      const chart = new LineChart(chartEl, { xLabel: "step", xIntegers: true });
      // Reachable from the chart element, for tests and tools: `el.__chart.data()`.
      Object.assign(chartEl, { __chart: chart });
      charts.push({ chart, spec, legend, warning, dashes: new Map(), invalid: new Set(), generation: 0, controller: null });
      return card;
    });
    return h(
      "details",
      { class: "tb-card-grid-group", open: !category.closed },
      h("summary", {}, category.title || "(untitled)"),
      h("div", { class: "tb-card-grid-cards" }, ...cards),
    );
  }

  function destroyCharts() {
    for (const entry of charts) {
      entry.controller?.abort();
      entry.chart.destroy();
    }
    charts = [];
  }

  /** Draw the given charts for the selected runs, each fetching on its own. @param {ChartEntry[]} entries */
  function refresh(entries) {
    const runs = ctx.runs.selected();
    for (const entry of entries) draw(entry, runs);
  }

  /** @param {ChartEntry} entry @param {string[]} runs */
  async function draw(entry, runs) {
    const generation = ++entry.generation;
    entry.controller?.abort();
    const controller = (entry.controller = new AbortController());
    let series;
    try {
      if (entry.spec.multiline) series = await multilineSeries(entry, runs, controller.signal);
      else if (entry.spec.margin) series = await marginSeries(entry, runs, controller.signal);
      else series = [];
    } catch (error) {
      if (generation === entry.generation && /** @type {Error} */ (error).name !== "AbortError") renderError(entry.chart.el, error);
      return;
    }
    if (generation !== entry.generation) return;
    entry.chart.setSeries(series);
    entry.legend.replaceChildren(...series.filter((s) => s.legend).map((s) => legendItem(s)));
    const invalid = [...entry.invalid];
    entry.warning.hidden = !invalid.length;
    entry.warning.textContent = invalid.length ? `Invalid regex: ${invalid.map((r) => JSON.stringify(r)).join(", ")} (skipped)` : "";
  }

  /**
   * One line per (run, tag) matched by any of the chart's regexes, in run order, then by tag.
   * @param {ChartEntry} entry @param {string[]} runs @param {AbortSignal} signal
   */
  async function multilineSeries(entry, runs, signal) {
    const regexes = entry.spec.multiline.tag || [];
    const requests = runs.flatMap((run) => regexes.map((/** @type {string} */ regex) => ({ run, regex })));
    const answers = await Promise.all(requests.map(({ run, regex }) => ctx.fetchJson("scalars", { run, tag: regex }, { signal })));
    /** @type {Map<string, Map<string, [number, number, number | string][]>>} */
    const byRun = new Map(runs.map((run) => [run, new Map()]));
    entry.invalid = new Set();
    answers.forEach((answer, i) => {
      const { run, regex } = requests[i];
      if (!answer.regex_valid) entry.invalid.add(regex);
      const tags = /** @type {Map<string, any>} */ (byRun.get(run));
      for (const [tag, rows] of Object.entries(answer.tag_to_events || {})) if (!tags.has(tag)) tags.set(tag, rows);
    });
    assignDashes(entry.dashes, [...byRun.values()].flatMap((tags) => [...tags.keys()]));
    return runs.flatMap((run) =>
      [.../** @type {Map<string, any>} */ (byRun.get(run)).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([tag, rows]) => {
          const dash = DASHES[/** @type {number} */ (entry.dashes.get(tag)) % DASHES.length];
          return { ...seriesOf(`${run}: ${tag}`, ctx.runs.colorOf(run), rows), dash: dash.length ? dash : undefined, legend: { run, tag } };
        }),
    );
  }

  /**
   * Per run and margin series: the value line and the band between its bounds.
   * @param {ChartEntry} entry @param {string[]} runs @param {AbortSignal} signal
   */
  async function marginSeries(entry, runs, signal) {
    const items = runs.flatMap((run) => (entry.spec.margin.series || []).map((/** @type {any} */ item) => ({ run, item })));
    const fetched = await Promise.all(
      items.map(({ run, item }) =>
        Promise.all(
          [item.value, item.lower, item.upper].map(async (tag) => {
            const res = await ctx.fetchJson("scalars", { run, tag: `^${escapeRegex(tag)}$` }, { signal });
            const rows = (res.tag_to_events || {})[tag];
            return rows ? seriesOf(`${run}: ${tag}`, ctx.runs.colorOf(run), rows) : null;
          }),
        ),
      ),
    );
    entry.invalid = new Set();
    /** @type {any[]} */
    const series = [];
    fetched.forEach(([value, lower, upper], i) => {
      if (value) series.push({ ...value, width: 1.75, legend: { run: items[i].run, tag: items[i].item.value } });
      // The band between the bounds is filled (lower first, upper filled down to it).
      const bound = { dash: [4, 4], width: 1 };
      if (lower && upper) {
        series.push({ ...lower, ...bound, name: `${lower.name} (lower)` });
        series.push({ ...upper, ...bound, name: `${upper.name} (upper)`, fillTo: series.length - 1 });
      } else {
        const { run, item } = items[i];
        if (lower) series.push({ ...lower, ...bound, legend: { run, tag: item.lower } });
        if (upper) series.push({ ...upper, ...bound, legend: { run, tag: item.upper } });
      }
    });
    return series;
  }

  /** @param {{name: string, color: string, dash?: number[], legend: {run: string, tag: string}}} s */
  function legendItem(s) {
    return h(
      "span",
      { class: "scalars-legend-item", dataset: { run: s.legend.run, tag: s.legend.tag, dash: JSON.stringify(s.dash ?? []) } },
      h("span", { class: "scalars-legend-line", style: `background:${lineSample(s.color, s.dash)}` }),
      h("span", { class: "scalars-legend-name", title: s.name }, s.name),
    );
  }

  /**
   * A live update: the layout again when it (or the run list) may have changed, else only the
   * charts that draw a (run, tag) that gained data.
   * @param {import("@tbcore/sdk/context.js").UpdateEvent} event
   */
  function onUpdate(event) {
    const changed = event.changed || {};
    if (event.full || (event.newRuns || []).length) {
      render();
      return;
    }
    const selected = new Set(ctx.runs.selected());
    const touched = (/** @type {ChartEntry} */ entry) =>
      Object.entries(changed).some(([run, tags]) => selected.has(run) && tags.some((tag) => drawsTag(entry, tag)));
    if (Object.values(changed).some((tags) => tags.includes(LAYOUT_TAG))) render(touched);
    else refresh(charts.filter(touched));
  }

  const unsubscribe = [ctx.runs.subscribe(() => refresh(charts)), ctx.onUpdate(onUpdate), ctx.runs.onColorChange(() => refresh(charts))];
  render();
  return () => {
    for (const off of unsubscribe) off();
    destroyCharts();
  };
}

/**
 * Whether a chart may draw `tag` (its regexes are Python's, matched from the start; one that
 * JavaScript cannot compile counts as matching unless the server said it is invalid).
 * @param {ChartEntry} entry @param {string} tag
 */
function drawsTag(entry, tag) {
  if (entry.spec.margin) return (entry.spec.margin.series || []).some((/** @type {any} */ s) => [s.value, s.lower, s.upper].includes(tag));
  return (entry.spec.multiline?.tag || []).some((/** @type {string} */ regex) => {
    try {
      return new RegExp(`^(?:${regex})`).test(tag);
    } catch {
      return !entry.invalid.has(regex);
    }
  });
}

/**
 * Give each tag not seen before in this chart the next dash pattern (new tags in name order).
 * @param {Map<string, number>} dashes @param {string[]} tags
 */
function assignDashes(dashes, tags) {
  for (const tag of [...new Set(tags)].sort()) if (!dashes.has(tag)) dashes.set(tag, dashes.size);
}

/**
 * A CSS background drawing a short horizontal sample of a line with the dash pattern.
 * @param {string} color @param {number[] | undefined} dash
 */
function lineSample(color, dash) {
  if (!dash || !dash.length) return color;
  const stops = [];
  let at = 0;
  dash.forEach((length, i) => {
    const paint = i % 2 === 0 ? color : "transparent";
    stops.push(`${paint} ${at}px ${at + length}px`);
    at += length;
  });
  return `repeating-linear-gradient(90deg, ${stops.join(", ")})`;
}

/** @param {string} name @param {string} color @param {[number, number, number|string][]} rows */
function seriesOf(name, color, rows) {
  // Wall times too: a selected step's table shows them (click a chart; shift-click for a range).
  return { name, color, x: rows.map((r) => r[1]), y: numbers(rows.map((r) => r[2])), wallTimes: rows.map((r) => r[0]) };
}

/** @param {string} text */
function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
