/**
 * The PR-curves dashboard: precision against recall per selected run, with a step slider
 * per tag (newest step by default) and the threshold table of the points under the cursor.
 * Runs need not share steps: each run draws its latest step at or before the slider's (its
 * first step when it has none that early), and the legend says which step each run shows.
 * @module
 */

import { CardGrid, groupTags, h, renderEmpty, renderError, tagMatcher } from "@tbcore/sdk";
import { PrChart } from "./pr_chart.js";
import { numbers } from "./series.js";

const TABLE_COLUMNS = ["run", "step", "threshold", "precision", "recall", "TP", "FP", "TN", "FN"];

/**
 * @typedef {object} PrPoint one run's curve at one step, as the `pr_curves` route sends it
 * @property {number} step
 * @property {number[]} precision
 * @property {number[]} recall
 * @property {number[]} thresholds
 * @property {number[]} true_positives
 * @property {number[]} false_positives
 * @property {number[]} true_negatives
 * @property {number[]} false_negatives
 */

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  const message = h("div", { class: "scalars-message" });
  const gridEl = h("div", { class: "scalars-grid" });
  el.replaceChildren(style, message, gridEl);
  /** @type {Record<string, Record<string, unknown>>} */
  let tags = {};
  const cards = new Map();
  const grid = new CardGrid(gridEl, { key: (t) => t, title: (t) => t, render: (card, tag) => renderCard(card, tag) });

  /** @param {HTMLElement} card @param {string} tag */
  function renderCard(card, tag) {
    const chartEl = h("div", { class: "scalars-chart" });
    const slider = h("input", { type: "range", min: "0", max: "0", value: "0", "aria-label": "Step" });
    const stepLabel = h("span", { class: "pr-step" });
    const legend = h("div", { class: "scalars-downloads pr-legend" });
    const table = h("table", { class: "pr-table" });
    card.replaceChildren(h("label", { class: "pr-slider" }, "Step ", slider, stepLabel), chartEl, legend, table);
    const entry = {
      tag,
      slider,
      stepLabel,
      legend,
      table,
      /** @type {Record<string, PrPoint[]>} */
      data: {},
      /** @type {Record<string, PrPoint>} the point each run draws now */
      shown: {},
      /** Bumped by every load: an answer to an older load is dropped. */
      generation: 0,
      controller: /** @type {AbortController | null} */ (null),
      chart: /** @type {PrChart} */ (/** @type {unknown} */ (null)),
    };
    entry.chart = new PrChart(chartEl, { onCursor: (points) => showTable(entry, points) });
    // Reachable from the chart element, for tests and tools: `el.__chart.data()`.
    Object.assign(chartEl, { __chart: entry.chart });
    slider.addEventListener("input", () => draw(entry, Number(slider.value)));
    cards.set(tag, entry);
    load(entry);
    return () => {
      entry.controller?.abort();
      entry.chart.destroy();
      cards.delete(tag);
    };
  }

  /** Fetch every selected run's curves of the card's tag, then draw. @param {any} entry */
  async function load(entry) {
    const generation = ++entry.generation;
    entry.controller?.abort();
    const runs = ctx.runs.selected().filter((r) => tags[r] && entry.tag in tags[r]);
    if (!runs.length) {
      entry.data = {};
      draw(entry, 0);
      return;
    }
    entry.controller = new AbortController();
    let data;
    try {
      data = await ctx.fetchJson("pr_curves", { run: runs, tag: entry.tag }, { signal: entry.controller.signal });
    } catch (error) {
      if (generation === entry.generation && /** @type {Error} */ (error).name !== "AbortError") renderError(entry.chart.el, error);
      return;
    }
    if (generation !== entry.generation) return;
    entry.data = data;
    const steps = stepsOf(entry.data);
    const atEnd = Number(entry.slider.value) >= Number(entry.slider.max);
    entry.slider.max = String(Math.max(0, steps.length - 1));
    if (atEnd) entry.slider.value = entry.slider.max; // follow the newest step unless moved
    draw(entry, Number(entry.slider.value));
  }

  /** Draw each run's curve at its own step for the slider's position. @param {any} entry @param {number} index */
  function draw(entry, index) {
    const steps = stepsOf(entry.data);
    const step = steps[Math.min(index, steps.length - 1)];
    entry.stepLabel.textContent = step === undefined ? "" : String(step);
    /** @type {Record<string, PrPoint>} */
    const shown = {};
    for (const [run, points] of Object.entries(entry.data)) {
      const point = pointAt(points, step);
      if (point) shown[run] = point;
    }
    entry.shown = shown;
    const runs = Object.keys(shown);
    entry.chart.setCurves(
      runs.map((run) => ({ name: run, color: ctx.runs.colorOf(run), recall: numbers(shown[run].recall), precision: numbers(shown[run].precision) })),
    );
    entry.legend.replaceChildren(...runs.map((run) => legendItem(run, shown[run].step, step)));
    showTable(entry, null);
  }

  /**
   * A run in the card's legend, with the step it draws (marked when not the slider's).
   * @param {string} run @param {number} runStep @param {number} sliderStep
   */
  function legendItem(run, runStep, sliderStep) {
    return h(
      "span",
      { class: "scalars-legend-item pr-legend-item", dataset: { run, step: String(runStep) } },
      h("span", { class: "scalars-swatch", style: `background:${ctx.runs.colorOf(run)}` }),
      h("span", { class: "scalars-legend-name", title: run }, run),
      h("span", { class: runStep === sliderStep ? "pr-run-step" : "pr-run-step pr-run-step-other" }, `step ${runStep}`),
    );
  }

  /**
   * The threshold table of each run's point nearest to the cursor (empty without one).
   * @param {any} entry @param {import("./pr_chart.js").PrCursor[] | null} points
   */
  function showTable(entry, points) {
    if (!points || !points.length) {
      entry.table.replaceChildren();
      return;
    }
    const header = h("tr", {}, ...TABLE_COLUMNS.map((t) => h("th", {}, t)));
    const rows = points.map(({ name, index }) => {
      const p = entry.shown[name];
      const cells = [p.step, p.thresholds[index], p.precision[index], p.recall[index], p.true_positives[index], p.false_positives[index], p.true_negatives[index], p.false_negatives[index]];
      return h(
        "tr",
        { dataset: { run: name } },
        h("td", { class: "pr-table-run", title: name }, name),
        ...cells.map((c) => h("td", {}, typeof c === "number" ? String(+c.toFixed(4)) : String(c))),
      );
    });
    entry.table.replaceChildren(header, ...rows);
  }

  /**
   * Fetch the tag listing, lay the cards out again and reload those `reload` names.
   * @param {(tag: string) => boolean} [reload] default: every card
   */
  async function refreshTags(reload = () => true) {
    try {
      tags = await ctx.fetchJson("tags");
    } catch (error) {
      message.hidden = false;
      renderError(message, error);
      return;
    }
    layout();
    for (const [tag, entry] of cards) if (reload(tag)) load(entry);
  }

  function layout() {
    const match = tagMatcher(ctx.tagFilter.get());
    const all = new Set();
    for (const run of ctx.runs.selected()) for (const tag of Object.keys(tags[run] || {})) all.add(tag);
    const shown = [...all].filter(match).sort();
    message.hidden = shown.length > 0;
    gridEl.hidden = !shown.length;
    if (!shown.length) renderEmpty(message, "No PR curves for the selected runs.");
    else grid.setGroups(groupTags(shown).map((g) => ({ prefix: g.prefix, items: g.tags })));
  }

  /**
   * A live update: reload only the cards whose tag gained data; fetch the tag listing again
   * when a run or a tag is new to it (`full`: reload everything).
   * @param {import("@tbcore/sdk/context.js").UpdateEvent} event
   */
  function onUpdate(event) {
    if (event.full) {
      refreshTags();
      return;
    }
    const changed = new Set(Object.values(event.changed || {}).flat());
    const known = new Set(Object.values(tags).flatMap((t) => Object.keys(t)));
    // A PR tag the listing lacks for that run (a run that just wrote its first curve of it).
    const newToRun = Object.entries(event.changed || {}).some(([run, list]) => list.some((t) => known.has(t) && !(tags[run] && t in tags[run])));
    if ((event.newRuns || []).length || newToRun || [...changed].some((t) => !known.has(t))) refreshTags((tag) => changed.has(tag));
    else for (const [tag, entry] of cards) if (changed.has(tag)) load(entry);
  }

  const unsubscribe = [
    ctx.tagFilter.subscribe(() => layout()),
    ctx.runs.subscribe(() => {
      layout();
      for (const entry of cards.values()) load(entry);
    }),
    ctx.onUpdate(onUpdate),
  ];
  refreshTags();
  return () => {
    for (const off of unsubscribe) off();
    for (const entry of cards.values()) {
      entry.controller?.abort();
      entry.chart.destroy();
    }
  };
}

/** @param {Record<string, PrPoint[]>} data @returns {number[]} every step of any run, ascending */
function stepsOf(data) {
  const all = new Set();
  for (const points of Object.values(data)) for (const p of points) all.add(p.step);
  return [...all].sort((a, b) => a - b);
}

/**
 * A run's point for the slider's step: its latest at or before it, else its first.
 * @param {PrPoint[]} points @param {number | undefined} step
 * @returns {PrPoint | undefined}
 */
export function pointAt(points, step) {
  let chosen;
  for (const p of points) if (step !== undefined && p.step <= step && (!chosen || p.step >= chosen.step)) chosen = p;
  return chosen ?? points.reduce((a, p) => (!a || p.step < a.step ? p : a), /** @type {PrPoint | undefined} */ (undefined));
}
