/**
 * A scalar card of the time series grid: one tag, every selected run that has it, drawn by
 * the SDK's LineChart with TensorBoard's smoothing; a first, downsampled pass paints at
 * once and every point follows. Below the chart, a compact legend; the per-run downloads
 * (CSV, JSON) sit in the card's menu, so a card stays small with thousands of runs.
 * @module
 */

import { LineChart, fetchColumns, formatDuration, h, numbers, renderError, robustRange, smooth } from "@tbcore/sdk";

/** Buckets of the first pass: each bucket's first, last, lowest and highest point per run. */
const QUICK_BUCKETS = 120;
const COLUMNS = "step,wall_time,value";
/** Runs named in the legend; the others are counted. */
const LEGEND_RUNS = 5;

/**
 * @typedef {object} CardEnv what a card needs from the dashboard
 * @property {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @property {() => import("./_settings.js").Settings} settings
 * @property {(card: HTMLElement) => number} chartHeight the chart height for this card now
 * @property {(tag: string) => string[]} scalarRuns the selected runs that have this scalar tag
 * @property {import("@tbcore/sdk").Tooltip} tooltip the dashboard's shared hover box
 * @property {ReturnType<typeof import("./_load_queue.js").createLoadQueue>} loads when cards load
 */

/**
 * @typedef {object} CardView
 * @property {() => void} reload fetch again (new data, or other runs)
 * @property {() => void} redraw draw again from the data held (a setting changed)
 * @property {() => void} rebuild make the drawing anew (x axis, log scale, height)
 * @property {() => void} destroy
 */

/**
 * @param {HTMLElement} body the card's body
 * @param {import("./_items.js").CardItem} item
 * @param {CardEnv} env
 * @returns {CardView}
 */
export function renderScalarCard(body, item, env) {
  const { ctx } = env;
  const scalars = { fetchBlob: (/** @type {string} */ route, /** @type {any} */ params, /** @type {any} */ o) => ctx.fetchBlob(`scalars/${route}`, params, o) };
  const chartEl = h("div", { class: "timeseries-chart" });
  const legend = h("div", { class: "timeseries-legend" });
  const menuBody = h("div", { class: "timeseries-menu-body" });
  const menu = /** @type {HTMLDetailsElement} */ (
    h("details", { class: "timeseries-menu" }, h("summary", { title: "Downloads", "aria-label": "Card menu" }, "⋮"), menuBody)
  );
  menu.addEventListener("toggle", () => {
    if (menu.open) fillMenu();
  });
  body.append(chartEl, h("div", { class: "timeseries-legend-row" }, legend, menu));
  /** @type {Record<string, any>} */
  let data = {};
  /** @type {string[]} the runs drawn, in the sidebar's order */
  let order = [];
  /** @type {AbortController | null} */
  let controller = null;
  const card = /** @type {HTMLElement} */ (body.closest(".tb-card") ?? body);
  let chart = makeChart();
  Object.assign(body, { __chart: chart }); // tests and tools: `body.__chart.data()`

  function makeChart() {
    const s = env.settings();
    return new LineChart(chartEl, {
      xLabel: { step: "step", relative: "relative time", wall: "wall time" }[s.xAxis],
      xIntegers: s.xAxis === "step",
      xFormat: s.xAxis === "relative" ? (/** @type {number} */ v) => formatDuration(v) : undefined,
      xTime: s.xAxis === "wall",
      logY: s.logY,
      height: env.chartHeight(card),
    });
  }

  async function load() {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const runs = env.scalarRuns(item.tag);
    order = runs;
    delete body.dataset.complete;
    if (!runs.length) {
      data = {};
      draw();
      body.dataset.complete = "true";
      return;
    }
    try {
      data = await env.loads.quick(() => fetchColumns(scalars, { tag: item.tag, run: runs, columns: COLUMNS, buckets: QUICK_BUCKETS }, signal));
      draw();
      if (Object.values(data).some((c) => c.step.length < c.total)) {
        const full = await env.loads.full(() => fetchColumns(scalars, { tag: item.tag, run: runs, columns: COLUMNS }, signal), signal);
        if (!full) return;
        data = full;
        draw();
      }
      body.dataset.complete = "true";
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") renderError(chartEl, error);
    }
  }

  /** @param {any} cols */
  function xValues(cols) {
    const axis = env.settings().xAxis;
    if (axis === "step") return cols.step;
    if (axis === "wall") return cols.wall_time;
    const start = cols.wall_time.length ? cols.wall_time[0] : 0;
    return cols.wall_time.map((/** @type {number} */ t) => t - start);
  }

  function draw() {
    const s = env.settings();
    const series = [];
    const runs = order.filter((run) => run in data);
    for (const run of runs) {
      const cols = data[run];
      const color = ctx.runs.colorOf(run);
      const x = xValues(cols);
      const raw = numbers(cols.value);
      if (s.smoothing > 0) series.push({ name: `${run} (raw)`, color, x, y: raw, alpha: 0.25, width: 1, tooltip: false });
      series.push({ name: run, color, x, y: smooth(raw, s.smoothing), width: 1.75 });
    }
    const range = s.ignoreOutliers ? robustRange(series) : undefined;
    if (String(range) !== String(chart.options.yRange)) chart.setYRange(range);
    chart.setSeries(series);
    legend.replaceChildren(
      ...runs.slice(0, LEGEND_RUNS).map((run) =>
        h("span", { class: "timeseries-legend-run", title: run }, h("span", { class: "tb-swatch", style: { background: ctx.runs.colorOf(run) } }), run),
      ),
      runs.length > LEGEND_RUNS ? h("span", { class: "timeseries-legend-more tb-muted" }, `+${runs.length - LEGEND_RUNS} more runs`) : "",
    );
    legend.dataset.runs = String(runs.length);
    if (menu.open) fillMenu();
    body.dataset.loaded = "true";
  }

  /** The downloads, built when the menu opens (thousands of runs would be thousands of links). */
  function fillMenu() {
    const runs = order.filter((run) => run in data);
    menuBody.replaceChildren(
      runs.length ? "" : h("div", { class: "tb-muted" }, "No run to download."),
      ...runs.map((run) =>
        h("div", { class: "timeseries-download" },
          h("span", { class: "tb-swatch", style: { background: ctx.runs.colorOf(run) } }),
          h("span", { class: "timeseries-download-run", title: run }, run),
          h("a", { href: ctx.url("scalars/scalars", { run, tag: item.tag, format: "csv" }), download: `${run}_${item.tag}.csv` }, "CSV"),
          h("a", { href: ctx.url("scalars/scalars", { run, tag: item.tag, format: "json" }), download: `${run}_${item.tag}.json` }, "JSON"),
        ),
      ),
    );
  }

  load();
  return {
    reload: load,
    redraw: draw,
    rebuild() {
      chart.destroy();
      chart = makeChart();
      Object.assign(body, { __chart: chart });
      draw();
    },
    destroy() {
      controller?.abort();
      chart.destroy();
    },
  };
}
