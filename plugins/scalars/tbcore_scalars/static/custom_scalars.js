/**
 * The custom-scalars dashboard: the charts of the layout the runs wrote, each chart drawing
 * every tag matching its regexes (multiline) or a value with its lower/upper bounds (margin),
 * for every selected run. Each line of a multiline chart has a color of its own and a legend
 * entry `run: tag`. A layout written after the page opened shows up with the next live update.
 * @module
 */

import { LineChart, PALETTE, h, renderEmpty, renderError, renderLoading } from "@tbcore/sdk";
import { numbers } from "./series.js";

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  const body = h("div", { class: "tb-card-grid" });
  el.replaceChildren(style, body);
  /** @type {{chart: LineChart, spec: any, legend: HTMLElement}[]} */
  let charts = [];
  /** The layout drawn (as JSON), to tell a new one from the same one. */
  let shownLayout = "";

  /** Fetch the layout; draw it anew when it changed, else only fetch the charts' data. */
  async function render() {
    if (!shownLayout) renderLoading(body);
    let layout;
    try {
      layout = await ctx.fetchJson("layout");
    } catch (error) {
      renderError(body, error);
      shownLayout = "";
      return;
    }
    const text = JSON.stringify(layout);
    if (text === shownLayout) {
      await refresh();
      return;
    }
    shownLayout = text;
    for (const { chart } of charts) chart.destroy();
    charts = [];
    const categories = layout.category || [];
    if (!categories.length) {
      renderEmpty(body, "No custom scalar layout was written.");
      return;
    }
    body.replaceChildren(
      ...categories.map((category) => {
        const cards = (category.chart || []).map((spec) => {
          const chartEl = h("div", { class: "scalars-chart" });
          const legend = h("div", { class: "scalars-downloads scalars-legend" });
          const card = h("div", { class: "tb-card", dataset: { title: spec.title || "" } }, h("h3", { class: "tb-card-title" }, spec.title || ""), chartEl, legend);
          const chart = new LineChart(chartEl, { xLabel: "step" });
          // Reachable from the chart element, for tests and tools: `el.__chart.data()`.
          Object.assign(chartEl, { __chart: chart });
          charts.push({ chart, spec, legend });
          return card;
        });
        return h(
          "details",
          { class: "tb-card-grid-group", open: !category.closed },
          h("summary", {}, category.title || "(untitled)"),
          h("div", { class: "tb-card-grid-cards" }, ...cards),
        );
      }),
    );
    await refresh();
  }

  async function refresh() {
    const runs = ctx.runs.selected();
    await Promise.all(charts.map(({ chart, spec, legend }) => draw(chart, spec, legend, runs)));
  }

  /** @param {LineChart} chart @param {any} spec @param {HTMLElement} legend @param {string[]} runs */
  async function draw(chart, spec, legend, runs) {
    const series = [];
    try {
      if (spec.multiline) {
        for (const run of runs) {
          for (const regex of spec.multiline.tag || []) {
            const res = await ctx.fetchJson("scalars", { run, tag: regex });
            for (const [tag, rows] of Object.entries(res.tag_to_events || {})) {
              // Every line its own color, as in TensorBoard: one run's tags must not look alike.
              series.push(seriesOf(`${run}: ${tag}`, PALETTE[series.length % PALETTE.length], rows));
            }
          }
        }
      } else if (spec.margin) {
        for (const run of runs) {
          for (const item of spec.margin.series || []) {
            const color = ctx.runs.colorOf(run);
            const [value, lower, upper] = await Promise.all(
              [item.value, item.lower, item.upper].map(async (tag) => {
                const res = await ctx.fetchJson("scalars", { run, tag: `^${escapeRegex(tag)}$` });
                const rows = (res.tag_to_events || {})[tag];
                return rows ? seriesOf(`${run}: ${tag}`, color, rows) : null;
              }),
            );
            if (value) series.push({ ...value, width: 1.75 });
            // The band between the bounds is filled (lower first, upper filled down to it).
            const bound = { dash: [4, 4], width: 1 };
            if (lower && upper) {
              series.push({ ...lower, ...bound, name: `${lower.name} (lower)` });
              series.push({ ...upper, ...bound, name: `${upper.name} (upper)`, fillTo: series.length - 1 });
            } else {
              for (const b of [lower, upper]) if (b) series.push({ ...b, ...bound });
            }
          }
        }
      }
      chart.setSeries(series);
      legend.replaceChildren(
        ...series
          .filter((s) => !s.name.endsWith("(lower)") && !s.name.endsWith("(upper)"))
          .map((s) => h("span", { class: "scalars-legend-item" }, h("span", { class: "scalars-swatch", style: `background:${s.color}` }), s.name)),
      );
    } catch (error) {
      renderError(chart.el, error);
    }
  }

  const unsubscribe = [ctx.runs.subscribe(() => refresh()), ctx.onUpdate(() => render())];
  render();
  return () => {
    for (const off of unsubscribe) off();
    for (const { chart } of charts) chart.destroy();
  };
}

/** @param {string} name @param {string} color @param {[number, number, number|string][]} rows */
function seriesOf(name, color, rows) {
  return { name, color, x: rows.map((r) => r[1]), y: numbers(rows.map((r) => r[2])) };
}

/** @param {string} text */
function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
