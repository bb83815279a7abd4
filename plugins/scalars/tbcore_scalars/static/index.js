/**
 * The scalars dashboard: one card per tag, every selected run in it, every point drawn.
 * @module
 */

import {
  CardGrid,
  LineChart,
  createStore,
  groupTags,
  h,
  renderEmpty,
  renderError,
  renderLoading,
  readHashText,
  tagMatcher,
  writeHashValue,
} from "@tbcore/sdk";
import { finitePoints, groupSeries, robustRange, smooth } from "./curves.js";
import { appendColumns, fetchColumns, numbers, sinceParams } from "./series.js";
import { formatDuration, scalarTooltip } from "./tooltip_rows.js";
import { MAX_SMOOTHING, createToolbar } from "./toolbar.js";
import { readSettings } from "./url_settings.js";

/** Buckets of the first, downsampled pass of a chart: a preview, replaced by every point. */
const QUICK_BUCKETS = 120;
/** Wall times even on the step axis: the tooltip shows each point's relative time. */
const COLUMNS = "step,wall_time,value";
/** How many cards load their full series at once. */
const FULL_CONCURRENCY = 2;
/** Label of the section of pinned cards. */
const PINNED = "Pinned";

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const plugin = ctx.pluginName;
  const state = {
    // smoothing, xAxis, logY, logX, ignoreOutliers, groupBy, groupPattern, band, showRuns
    ...readSettings(plugin, MAX_SMOOTHING),
    /** @type {Record<string, Record<string, number|string|boolean>>} run -> hparam -> value */
    hparams: {},
    tags: /** @type {Record<string, Record<string, unknown>>} */ ({}),
    pinned: new Set(readPinned(plugin)),
  };
  const charts = new Map();
  /** The step selected in one card, shared by every card while "Link steps" is on. */
  const linkedStep = createStore(/** @type {import("@tbcore/sdk/step_table.js").StepSelection | null} */ (null));

  const toolbar = createToolbar(plugin, state, {
    redraw: () => redrawAll(),
    rebuild: () => rebuildCharts(),
    logScales: () => applyLogScales(),
    chartTools: () => {
      for (const { chart } of charts.values()) applyChartTools(chart);
    },
  });
  const message = h("div", { class: "scalars-message" });
  const gridEl = h("div", { class: "scalars-grid" });
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  el.replaceChildren(style, toolbar.element, message, gridEl);

  /** Show a loading/empty/error state instead of the cards (`null`: show the cards). */
  function showState(render) {
    message.hidden = !render;
    gridEl.hidden = !!render;
    if (render) render(message);
  }

  // Settings redraw the cards on screen at once; the others are marked dirty and redrawn
  // when they scroll into view (hundreds of long cards would take seconds per slider move).
  const visibility = new IntersectionObserver(
    (observed) => {
      for (const o of observed) {
        const tag = /** @type {HTMLElement} */ (o.target.closest(".tb-card"))?.dataset.key ?? "";
        const entry = charts.get(tag);
        if (!entry) continue;
        entry.visible = o.isIntersecting;
        if (entry.visible && entry.dirty) draw(tag);
      }
    },
    { rootMargin: "200px" },
  );

  const grid = new CardGrid(gridEl, {
    key: (tag) => tag,
    title: (tag) => tag,
    render: (card, tag) => renderCard(card, tag),
  });

  /** @param {HTMLElement} card @param {string} tag */
  function renderCard(card, tag) {
    const chartEl = h("div", { class: "scalars-chart" });
    const downloads = h("div", { class: "scalars-downloads" });
    const pin = h("button", { type: "button", class: "scalars-card-button", "aria-pressed": String(state.pinned.has(tag)), title: "Pin to the top" }, "Pin");
    const wide = h("button", { type: "button", class: "scalars-card-button", "aria-pressed": "false", title: "Full width" }, "Wide");
    pin.addEventListener("click", () => {
      if (state.pinned.has(tag)) state.pinned.delete(tag);
      else state.pinned.add(tag);
      pin.setAttribute("aria-pressed", String(state.pinned.has(tag)));
      writePinned(plugin, [...state.pinned]);
      layout();
    });
    wide.addEventListener("click", () => {
      const on = card.closest(".tb-card")?.classList.toggle("scalars-wide") ?? false;
      wide.setAttribute("aria-pressed", String(on));
    });
    card.replaceChildren(h("div", { class: "scalars-card-actions" }, pin, wide), chartEl, downloads);
    const chart = new LineChart(chartEl, chartOptions());
    applyChartTools(chart);
    // The chart is reachable from the card, for tests and tools: `card.__chart.data()`.
    Object.assign(card, { __chart: chart });
    const entry = {
      card,
      chart,
      chartEl,
      downloads,
      data: /** @type {Record<string, any>} */ ({}),
      controller: /** @type {AbortController|null} */ (null),
      visible: true,
      /** Redraw when it next scrolls into view. */
      dirty: false,
      /** Its chart was made for other settings (x axis, log scales): make it anew first. */
      stale: false,
      /** The queued full load asks only for the points gained since `data` (a live update). */
      tail: false,
    };
    charts.set(tag, entry);
    visibility.observe(card);
    load(tag);
    return () => {
      visibility.unobserve(card);
      entry.controller?.abort();
      chart.destroy();
      charts.delete(tag);
    };
  }

  // Requests: every card's light first pass goes out at once; the full series (megabytes per
  // card) wait in a queue until no first pass is pending, and load FULL_CONCURRENCY at a
  // time, so the cards on screen paint first and a scroll never waits behind them.
  /** @type {string[]} */
  const fullQueue = [];
  let quickPending = 0;
  let fullRunning = 0;

  /** Fetch every selected run of `tag`: a light pass, then (queued) all points. @param {string} tag */
  async function load(tag) {
    const entry = charts.get(tag);
    if (!entry) return;
    entry.controller?.abort();
    entry.controller = new AbortController();
    const runs = ctx.runs.selected().filter((r) => state.tags[r] && tag in state.tags[r]);
    // A card that holds every point of these runs (a live update) asks straight away for the
    // points each run gained since (a light pass would only blur it for a moment).
    const shown = Object.keys(entry.data);
    const refresh = entry.card.dataset.complete === "true" && runs.length === shown.length && runs.every((r) => r in entry.data);
    entry.tail = refresh;
    delete entry.card.dataset.complete;
    if (refresh && runs.length) {
      if (!fullQueue.includes(tag)) fullQueue.push(tag);
      loadFull();
      return;
    }
    if (!runs.length) {
      entry.data = {};
      draw(tag);
      entry.card.dataset.complete = "true";
      return;
    }
    const signal = entry.controller.signal;
    quickPending++;
    try {
      // Each bucket's first/last/min/max point per run: spikes kept, a few KB per run.
      const quick = await fetchColumns(ctx, { tag, run: runs, columns: COLUMNS, buckets: QUICK_BUCKETS }, signal);
      entry.data = quick;
      draw(tag);
      if (Object.values(quick).some((c) => c.step.length < c.total)) {
        if (!fullQueue.includes(tag)) fullQueue.push(tag);
      } else {
        entry.card.dataset.complete = "true";
      }
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") renderError(entry.chartEl, error);
    } finally {
      quickPending--;
      loadFull();
    }
  }

  /** Start queued full loads while no first pass is pending (smoothing needs every point). */
  function loadFull() {
    while (quickPending === 0 && fullRunning < FULL_CONCURRENCY && fullQueue.length) {
      const tag = /** @type {string} */ (fullQueue.shift());
      const entry = charts.get(tag);
      if (!entry?.controller || entry.controller.signal.aborted) continue;
      const signal = entry.controller.signal;
      const runs = Object.keys(entry.data);
      const tail = entry.tail;
      entry.tail = false;
      const since = tail ? sinceParams(runs, entry.data) : undefined;
      fullRunning++;
      fetchColumns(ctx, { tag, run: runs, columns: COLUMNS, since }, signal)
        .then((full) => {
          if (signal.aborted) return;
          entry.data = tail ? appendColumns(entry.data, full) : full;
          draw(tag);
          entry.card.dataset.complete = "true";
        })
        .catch((error) => {
          if (error.name !== "AbortError") renderError(entry.chartEl, error);
        })
        .finally(() => {
          fullRunning--;
          loadFull();
        });
    }
  }

  /** @param {string} tag */
  function draw(tag) {
    const entry = charts.get(tag);
    if (!entry) return;
    entry.dirty = false;
    if (entry.stale) replaceChart(entry);
    const grouping = groupMatcher();
    const curves = grouping ? Object.fromEntries(Object.entries(entry.data).map(([run, cols]) => [run, curveOf(cols)])) : {};
    const grouped = grouping
      ? groupSeries(curves, grouping, { band: state.band, colorOf: (run) => ctx.runs.colorOf(run) })
      : { series: [], groups: [] };
    const series = grouped.series;
    const links = [];
    // The runs in the run order (the sidebar's), whatever order the answer came in.
    const order = ctx.runs.selected().filter((run) => run in entry.data);
    const inOrder = new Set(order);
    const ordered = [...order, ...Object.keys(entry.data).filter((run) => !inOrder.has(run))];
    for (const run of ordered) {
      const cols = entry.data[run];
      const color = ctx.runs.colorOf(run);
      const x = xValues(cols);
      const raw = numbers(cols.value);
      if (!grouping || state.showRuns) {
        const faint = grouping ? { alpha: 0.35, width: 1 } : { width: 1.75 };
        const smoothed = smooth(raw, state.smoothing);
        if (state.smoothing > 0 && !grouping) series.push({ name: `${run} (raw)`, color, x, y: raw, alpha: 0.25, width: 1, tooltip: false });
        const meta = { x, smoothed, raw, step: cols.step, wall_time: cols.wall_time };
        series.push({ name: run, color, x, y: smoothed, values: raw, steps: cols.step, wallTimes: cols.wall_time, meta, ...faint });
      }
      links.push(
        h("span", { class: "scalars-download" }, h("span", { class: "scalars-swatch", style: `background:${color}` }), h("span", { class: "scalars-run-name", title: run }, run), " ",
          h("a", { href: ctx.url("scalars", { run, tag, format: "csv" }), download: `${run}_${tag}.csv` }, "CSV"), " ",
          h("a", { href: ctx.url("scalars", { run, tag, format: "json" }), download: `${run}_${tag}.json` }, "JSON")),
      );
    }
    const range = state.ignoreOutliers ? robustRange(series) : undefined;
    if (String(range) !== String(entry.chart.options.yRange)) entry.chart.setYRange(range);
    entry.chart.setSeries(series);
    if (grouping) {
      // The legend names the groups drawn; the runs' downloads stay one click away.
      const legend = grouped.groups.map((g) =>
        h("span", { class: "scalars-group-legend", dataset: { group: g.key, members: g.count } },
          h("span", { class: "scalars-swatch", style: `background:${g.color}` }), `${g.key} (${g.count} run${g.count === 1 ? "" : "s"})`),
      );
      entry.downloads.replaceChildren(...legend, h("details", { class: "scalars-run-downloads" }, h("summary", null, "Downloads"), ...links));
    } else {
      entry.downloads.replaceChildren(...links);
    }
    entry.card.dataset.loaded = "true";
  }

  /**
   * The group of each run (a function of its name), or null when runs are drawn one by one:
   * the run name with a regex removed, or `name=value` of one hparam.
   * @returns {((run: string) => string) | null}
   */
  function groupMatcher() {
    toolbar.markPatternInvalid(false);
    if (state.groupBy.startsWith("hparam:")) {
      const name = state.groupBy.slice("hparam:".length);
      return (run) => {
        const value = state.hparams[run]?.[name];
        return `${name}=${value === undefined ? "(none)" : String(value)}`;
      };
    }
    if (state.groupBy !== "regex" || !state.groupPattern) return null;
    try {
      const regex = new RegExp(state.groupPattern, "g");
      return (run) => run.replace(regex, "") || run;
    } catch {
      toolbar.markPatternInvalid(true);
      return null;
    }
  }

  /** Fetch each run's hparams and offer them in the "group by" menu. */
  async function refreshHparams() {
    let answer;
    try {
      answer = await ctx.fetchJson("run_hparams");
    } catch (error) {
      console.warn("scalars: could not read the runs' hparams:", error);
      return;
    }
    state.hparams = answer.runs || {};
    toolbar.setHparams(answer.hparams || []);
    if (state.groupBy.startsWith("hparam:")) redrawAll();
  }

  /** A run's smoothed points with a finite value, for its group's mean. @param {any} cols */
  function curveOf(cols) {
    return finitePoints(cols.step, xValues(cols), smooth(numbers(cols.value), state.smoothing));
  }

  /** @param {import("./series.js").RunColumns} cols */
  function xValues(cols) {
    if (state.xAxis === "step") return cols.step;
    const wall = /** @type {Float64Array} */ (cols.wall_time);
    if (state.xAxis === "wall") return wall;
    const start = wall.length ? wall[0] : 0;
    return wall.map((t) => t - start); // seconds, labelled as durations
  }

  let redrawFrame = 0;
  /** Redraw the cards on screen, once per frame however many inputs arrive (a dragged
   * slider); mark the others to be redrawn when they scroll into view. */
  function redrawAll() {
    if (redrawFrame) return;
    redrawFrame = requestAnimationFrame(() => {
      redrawFrame = 0;
      for (const [tag, entry] of charts) {
        if (entry.visible) draw(tag);
        else entry.dirty = true;
      }
    });
  }

  /** @returns {import("@tbcore/sdk/line_chart.js").LineChartOptions} */
  function chartOptions() {
    return {
      xLabel: { step: "step", relative: "relative time", wall: "wall time" }[state.xAxis],
      xIntegers: state.xAxis === "step",
      xFormat: state.xAxis === "relative" ? formatDuration : undefined,
      logY: state.logY,
      logX: state.logX,
      xTime: state.xAxis === "wall",
      tooltipContent: (info) => scalarTooltip(info, /** @type {any} */ (state.xAxis)),
    };
  }

  /** The step link and the tooltip's order and rows, as the toolbar says. @param {LineChart} chart */
  function applyChartTools(chart) {
    chart.setTooltipOptions({ sort: state.tooltipSort, rows: state.tooltipRows });
    if (!state.linkSteps) linkedStep.set(null);
    chart.setLink(state.linkSteps ? linkedStep : null);
  }

  /** A new chart for the current settings in place of the card's old one. @param {any} entry */
  function replaceChart(entry) {
    entry.stale = false;
    const { selection, options } = entry.chart;
    entry.chart.destroy();
    const chart = new LineChart(entry.chartEl, chartOptions());
    applyChartTools(chart);
    entry.chart = chart;
    // Same x axis (log scales switched): the selected step stays.
    if (selection && !state.linkSteps && chart.options.xLabel === options.xLabel) chart.setSelection(selection);
    Object.assign(entry.card, { __chart: chart });
  }

  /** New charts for new settings: on screen now, the others when they scroll into view. */
  function rebuildCharts() {
    for (const [tag, entry] of charts) {
      entry.stale = true;
      if (entry.visible) draw(tag);
      else entry.dirty = true;
    }
  }

  /** Switch the log scales: on screen now, the others when they scroll into view. */
  function applyLogScales() {
    for (const entry of charts.values()) {
      if (entry.visible) entry.chart.setLogScale({ x: state.logX, y: state.logY });
      else entry.stale = entry.dirty = true;
    }
  }

  async function refreshTags() {
    if (!Object.keys(state.tags).length) showState((m) => renderLoading(m));
    try {
      refreshHparams(); // in parallel; it reports its own failure
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
    if (match.error) {
      showState((m) => renderError(m, `Invalid tag filter regex: ${match.error}`, "Invalid regex"));
      return;
    }
    if (!shown.length) {
      showState((m) => renderEmpty(m, tags.size ? "No tags match the filter." : "No scalar data for the selected runs."));
      return;
    }
    showState(null);
    const pinned = shown.filter((t) => state.pinned.has(t));
    // A tag group named like the pinned section would share its cards: it is shown as
    // "Pinned/" (a tag-group prefix never holds a "/", so this collides with nothing).
    const groups = groupTags(shown.filter((t) => !state.pinned.has(t))).map((g) => ({
      prefix: g.prefix === PINNED ? `${PINNED}/` : g.prefix,
      items: g.tags,
    }));
    grid.setGroups(pinned.length ? [{ prefix: PINNED, items: pinned }, ...groups] : groups);
  }

  const unsubscribers = [
    () => toolbar.destroy(),
    ctx.tagFilter.subscribe(() => layout()),
    // A run's new color: the charts are made anew with it (a color is part of their structure).
    ctx.runs.onColorChange(() => redrawAll()),
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
  if (state.pinned.size) writePinned(plugin, [...state.pinned]); // the page's URL shares them
  refreshTags();
  return () => {
    for (const off of unsubscribers) off();
    cancelAnimationFrame(redrawFrame);
    visibility.disconnect();
    for (const { chart, controller } of charts.values()) {
      controller?.abort();
      chart.destroy();
    }
  };
}

const PINNED_KEY = "tbcore.scalars.pinned";

/**
 * The pinned tags: those a shared link names (`#scalars.pinned=["a","b"]`), else those
 * pinned in an earlier visit (this browser).
 * @param {string} plugin
 * @returns {string[]}
 */
function readPinned(plugin) {
  const strings = (/** @type {unknown} */ saved) => (Array.isArray(saved) ? saved.filter((t) => typeof t === "string") : []);
  const linked = readHashText(`${plugin}.pinned`);
  if (linked !== null) {
    try {
      return strings(JSON.parse(linked));
    } catch {
      console.warn(`tbcore: ignoring ${plugin}.pinned=${JSON.stringify(linked)} in the URL (expected a JSON list of tags)`);
    }
  }
  try {
    return strings(JSON.parse(localStorage.getItem(PINNED_KEY) || "[]"));
  } catch {
    return [];
  }
}

/**
 * Keep the pins for later visits and in the URL, so that a shared link shows them.
 * @param {string} plugin
 * @param {string[]} tags
 */
function writePinned(plugin, tags) {
  writeHashValue(`${plugin}.pinned`, tags.length ? JSON.stringify(tags) : "", "");
  try {
    localStorage.setItem(PINNED_KEY, JSON.stringify(tags));
  } catch {
    // storage full or disabled: pins last for this page only
  }
}
