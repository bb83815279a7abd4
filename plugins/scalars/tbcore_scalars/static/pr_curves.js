/**
 * The PR-curves dashboard: precision against recall per selected run, with a step slider
 * per tag (newest step by default) and the threshold table of the point under the cursor.
 * @module
 */

import { CardGrid, LineChart, groupTags, h, renderEmpty, renderError, tagMatcher } from "@tbcore/sdk";
import { numbers } from "./series.js";

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
    const table = h("table", { class: "pr-table" });
    card.replaceChildren(h("label", { class: "pr-slider" }, "Step ", slider, stepLabel), chartEl, table);
    const entry = { tag, slider, stepLabel, table, data: /** @type {Record<string, any[]>} */ ({}), chart: /** @type {LineChart} */ (/** @type {unknown} */ (null)) };
    entry.chart = new LineChart(chartEl, { xLabel: "recall", yLabel: "precision", xRange: [0, 1], yRange: [0, 1], onCursor: (info) => showTable(entry, info) });
    // Reachable from the chart element, for tests and tools: `el.__chart.data()`.
    Object.assign(chartEl, { __chart: entry.chart });
    slider.addEventListener("input", () => draw(entry, Number(slider.value)));
    cards.set(tag, entry);
    load(entry);
    return () => {
      entry.chart.destroy();
      cards.delete(tag);
    };
  }

  /** @param {any} entry */
  async function load(entry) {
    const runs = ctx.runs.selected().filter((r) => tags[r] && entry.tag in tags[r]);
    if (!runs.length) {
      entry.data = {};
      entry.chart.setSeries([]);
      return;
    }
    try {
      entry.data = await ctx.fetchJson("pr_curves", { run: runs, tag: entry.tag });
    } catch (error) {
      renderError(entry.chart.el, error);
      return;
    }
    const steps = stepsOf(entry.data);
    const atEnd = Number(entry.slider.value) >= Number(entry.slider.max);
    entry.slider.max = String(Math.max(0, steps.length - 1));
    if (atEnd) entry.slider.value = entry.slider.max; // follow the newest step unless moved
    draw(entry, Number(entry.slider.value));
  }

  /** @param {Record<string, any[]>} data @returns {number[]} */
  function stepsOf(data) {
    const all = new Set();
    for (const points of Object.values(data)) for (const p of points) all.add(p.step);
    return [...all].sort((a, b) => a - b);
  }

  /** Draw each run's curve at the latest step not after the chosen one. @param {any} entry @param {number} index */
  function draw(entry, index) {
    const steps = stepsOf(entry.data);
    const step = steps[Math.min(index, steps.length - 1)];
    entry.stepLabel.textContent = step === undefined ? "" : String(step);
    const series = [];
    entry.shown = {};
    for (const [run, points] of Object.entries(entry.data)) {
      const point = [...points].reverse().find((p) => p.step <= step) || points[0];
      if (!point) continue;
      entry.shown[run] = point;
      series.push({ name: run, color: ctx.runs.colorOf(run), x: numbers(point.recall), y: numbers(point.precision) });
    }
    entry.chart.setSeries(series);
  }

  /** @param {any} entry @param {{x: number} | null} info */
  function showTable(entry, info) {
    if (!info || !entry.shown) {
      entry.table.replaceChildren();
      return;
    }
    const header = h("tr", {}, ...["run", "threshold", "precision", "recall", "TP", "FP", "TN", "FN"].map((t) => h("th", {}, t)));
    const rows = Object.entries(entry.shown).map(([run, p]) => {
      let best = 0;
      for (let i = 1; i < p.recall.length; i++) if (Math.abs(p.recall[i] - info.x) < Math.abs(p.recall[best] - info.x)) best = i;
      const cells = [run, p.thresholds[best], p.precision[best], p.recall[best], p.true_positives[best], p.false_positives[best], p.true_negatives[best], p.false_negatives[best]];
      return h("tr", {}, ...cells.map((c) => h("td", {}, typeof c === "number" ? String(+c.toFixed(4)) : String(c))));
    });
    entry.table.replaceChildren(header, ...rows);
  }

  async function refreshTags() {
    try {
      tags = await ctx.fetchJson("tags");
    } catch (error) {
      message.hidden = false;
      renderError(message, error);
      return;
    }
    layout();
    for (const entry of cards.values()) load(entry);
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

  const unsubscribe = [
    ctx.tagFilter.subscribe(() => layout()),
    ctx.runs.subscribe(() => {
      layout();
      for (const entry of cards.values()) load(entry);
    }),
    ctx.onUpdate(() => refreshTags()),
  ];
  refreshTags();
  return () => {
    for (const off of unsubscribe) off();
    for (const entry of cards.values()) entry.chart.destroy();
  };
}
