/**
 * What the histograms and distributions dashboards share: the card grid (grouped by tag
 * prefix, filtered by the tag filter) with one card per tag holding every selected run, or
 * one card per run and tag; the x-axis and layout controls (kept in the URL); every run of a
 * card fetched in one request; live updates.
 * @module
 */

import { CardGrid, groupTags, h, renderEmpty, renderError, renderLoading, tagMatcher } from "@tbcore/sdk";
import { COMPACT_AFTER_RUNS, renderRunBlocks } from "./_run_blocks.js";
import { X_AXIS_CHOICES } from "./_time_axis.js";
import { viewSetting } from "@tbcore/sdk";

/** @type {[string, string][]} */
const LAYOUT_CHOICES = [
  ["tag", "One card per tag"],
  ["run", "One card per run"],
];

/**
 * @typedef {object} ViewOptions what a run's drawing depends on besides its data
 * @property {number} height canvas height (CSS px)
 * @property {string} xAxis `"step"`, `"relative"` or `"wall"`
 */

/**
 * @typedef {object} TagCardsOptions
 * @property {string} route the `<route>_multirun` route that answers `{run: {total, rows}}` for a tag
 * @property {string} emptyText shown when the selected runs have no histogram
 * @property {string} canvasClass class of each run's canvas
 * @property {{full: number, compact: number}} heights canvas heights, few runs / many runs
 * @property {HTMLElement[]} [toolbar] controls of the dashboard's own, after the shared ones
 * @property {(canvas: HTMLCanvasElement, run: string, rows: any[], view: ViewOptions) => import("./_run_blocks.js").RunView} createView
 *   draws one run's series on a canvas
 * @property {() => void} [onRedraw] called before the cards are drawn again
 * @property {(height: number) => number} [stepBudget] how many steps a canvas of that height
 *   can show (asked of the server as `samples`, evenly spread, newest included); every step
 *   when absent
 */

/**
 * @typedef {object} CardItem
 * @property {string} tag
 * @property {string | null} run the card's only run (per-run layout), or `null`: every selected run
 */

/**
 * Mount the card grid into `el`.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {TagCardsOptions} options
 * @returns {{redraw: () => void, destroy: () => void}}
 */
export function mountTagCards(el, ctx, options) {
  /** @type {Record<string, Record<string, unknown>>} */
  let tagIndex = {};
  /** @type {Map<string, {item: CardItem, body: HTMLElement, data: Record<string, {total: number, rows: any[]}> | null, controller: AbortController | null, cleanup: (() => void) | null}>} */
  const cards = new Map();
  const xAxis = viewSetting(ctx, {
    name: "xAxis",
    label: "X axis",
    className: "histograms-x-axis",
    choices: X_AXIS_CHOICES,
    onChange: () => redraw(),
  });
  const layoutSetting = viewSetting(ctx, {
    name: "layout",
    label: "Runs",
    className: "histograms-layout",
    choices: LAYOUT_CHOICES,
    onChange: () => layout(),
  });
  const message = h("div", { class: "histograms-message" });
  const gridEl = h("div", { class: "histograms-grid" });
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  const toolbar = h("div", { class: "tb-settings histograms-toolbar" }, xAxis.element, layoutSetting.element, ...(options.toolbar ?? []));
  el.replaceChildren(style, toolbar, message, gridEl);

  /** @param {((el: HTMLElement) => void) | null} render */
  function showState(render) {
    message.hidden = !render;
    gridEl.hidden = !!render;
    if (render) render(message);
  }

  const grid = new CardGrid(gridEl, {
    // A tag alone, or [tag, run] as JSON: unambiguous whatever the names hold.
    key: (/** @type {CardItem} */ item) => (item.run === null ? item.tag : JSON.stringify([item.tag, item.run])),
    title: (/** @type {CardItem} */ item) => (item.run === null ? item.tag : `${item.tag} · ${item.run}`),
    render: (body, /** @type {CardItem} */ item) => {
      const key = item.run === null ? item.tag : JSON.stringify([item.tag, item.run]);
      const entry = { item, body, data: null, controller: null, cleanup: null };
      cards.set(key, entry);
      renderLoading(body);
      load(key);
      return () => {
        entry.controller?.abort();
        entry.cleanup?.();
        cards.delete(key);
      };
    },
  });

  /** The runs a card shows: its own, or every selected run that has its tag. @param {CardItem} item */
  function runsOf(item) {
    const runs = item.run === null ? ctx.runs.selected() : [item.run];
    return runs.filter((r) => tagIndex[r] && item.tag in tagIndex[r]);
  }

  /** @param {string} key */
  async function load(key) {
    const entry = cards.get(key);
    if (!entry) return;
    entry.controller?.abort();
    const controller = (entry.controller = new AbortController());
    const runs = runsOf(entry.item);
    // Only the steps the canvas can tell apart: 2,000 steps of 600 buckets are tens of MB.
    const height = runs.length > COMPACT_AFTER_RUNS ? options.heights.compact : options.heights.full;
    const samples = options.stepBudget?.(height);
    try {
      entry.data = runs.length
        ? await ctx.fetchJson(`${options.route}_multirun`, { tag: entry.item.tag, run: runs, samples }, { signal: controller.signal })
        : {};
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") renderError(entry.body, error);
      return;
    }
    draw(key);
  }

  /** @param {string} key */
  function draw(key) {
    const entry = cards.get(key);
    if (!entry || !entry.data) return;
    entry.cleanup?.();
    entry.body.replaceChildren();
    // Runs in the selection's order (the server answers in its own).
    /** @type {Record<string, any[]>} */
    const ordered = {};
    /** @type {Record<string, number>} */
    const totals = {};
    for (const run of runsOf(entry.item)) {
      if (!entry.data[run]) continue;
      ordered[run] = entry.data[run].rows;
      totals[run] = entry.data[run].total;
    }
    const view = { xAxis: xAxis.get(), height: 0 };
    entry.cleanup = renderRunBlocks(entry.body, ordered, {
      canvasClass: options.canvasClass,
      tag: entry.item.tag,
      totals,
      colorOf: ctx.runs.colorOf,
      heights: options.heights,
      createView: (canvas, run, rows, height) => options.createView(canvas, run, rows, { ...view, height }),
    });
    entry.body.dataset.loaded = "true";
  }

  async function refreshTags() {
    if (!Object.keys(tagIndex).length) showState((m) => renderLoading(m));
    try {
      tagIndex = await ctx.fetchJson("tags");
    } catch (error) {
      showState((m) => renderError(m, error));
      return;
    }
    layout();
    for (const key of cards.keys()) load(key);
  }

  function layout() {
    const match = tagMatcher(ctx.tagFilter.get());
    const tags = new Set();
    const selected = ctx.runs.selected();
    for (const run of selected) for (const tag of Object.keys(tagIndex[run] || {})) tags.add(tag);
    const shown = [...tags].filter(match).sort();
    if (!shown.length) {
      showState((m) => renderEmpty(m, tags.size ? "No tags match the filter." : options.emptyText));
      return;
    }
    showState(null);
    const perRun = layoutSetting.get() === "run";
    grid.setGroups(
      groupTags(shown).map((g) => ({
        prefix: g.prefix,
        items: g.tags.flatMap((tag) =>
          perRun ? selected.filter((run) => tag in (tagIndex[run] || {})).map((run) => item(tag, run)) : [item(tag, null)],
        ),
      })),
    );
  }

  /** @type {Map<string, CardItem>} the same object for the same card, so that CardGrid keeps it */
  const items = new Map();
  /**
   * @param {string} tag
   * @param {string | null} run
   */
  function item(tag, run) {
    const key = run === null ? tag : JSON.stringify([tag, run]);
    let found = items.get(key);
    if (!found) items.set(key, (found = { tag, run }));
    return found;
  }

  const unsubscribers = [
    ctx.tagFilter.subscribe(() => layout()),
    ctx.runs.subscribe(() => {
      layout();
      for (const key of cards.keys()) load(key);
    }),
    ctx.onUpdate((event) => {
      const changedTags = new Set(Object.values(event.changed || {}).flat());
      const knownTags = new Set(Object.values(tagIndex).flatMap((t) => Object.keys(t)));
      const unknown = event.full || (event.newRuns || []).length || [...changedTags].some((t) => !knownTags.has(t));
      if (unknown) refreshTags();
      else for (const [key, entry] of cards) if (changedTags.has(entry.item.tag)) load(key);
    }),
    ctx.onThemeChange(() => redraw()),
    () => xAxis.destroy(),
    () => layoutSetting.destroy(),
  ];

  function redraw() {
    options.onRedraw?.();
    for (const key of cards.keys()) draw(key);
  }

  refreshTags();
  return {
    redraw,
    destroy: () => {
      for (const off of unsubscribers) off();
      grid.destroy();
    },
  };
}
