/**
 * What the histograms and distributions dashboards share: one card per tag (grouped by
 * prefix, filtered by the tag filter), every selected run of the tag fetched in one request
 * and drawn per run, live updates.
 * @module
 */

import { CardGrid, groupTags, h, renderEmpty, renderError, renderLoading, tagMatcher } from "@tbcore/sdk";

/**
 * @typedef {object} TagCardsOptions
 * @property {string} route the `<route>_multirun` route that answers `{run: rows}` for a tag
 * @property {string} emptyText shown when the selected runs have no histogram
 * @property {HTMLElement[]} [toolbar] controls shown above the cards
 * @property {(body: HTMLElement, tag: string, data: Record<string, any[]>) => (void | (() => void))} draw
 *   fills a card with every run's drawing; may return a cleanup
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
  /** @type {Map<string, {body: HTMLElement, data: Record<string, any[]> | null, controller: AbortController | null, cleanup: (() => void) | null}>} */
  const cards = new Map();
  const message = h("div", { class: "histograms-message" });
  const gridEl = h("div", { class: "histograms-grid" });
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  el.replaceChildren(style, h("div", { class: "histograms-toolbar" }, ...(options.toolbar ?? [])), message, gridEl);

  /** @param {((el: HTMLElement) => void) | null} render */
  function showState(render) {
    message.hidden = !render;
    gridEl.hidden = !!render;
    if (render) render(message);
  }

  const grid = new CardGrid(gridEl, {
    key: (tag) => tag,
    title: (tag) => tag,
    render: (body, tag) => {
      const entry = { body, data: null, controller: null, cleanup: null };
      cards.set(tag, entry);
      renderLoading(body);
      load(tag);
      return () => {
        entry.controller?.abort();
        entry.cleanup?.();
        cards.delete(tag);
      };
    },
  });

  /** @param {string} tag */
  async function load(tag) {
    const entry = cards.get(tag);
    if (!entry) return;
    entry.controller?.abort();
    const controller = (entry.controller = new AbortController());
    const runs = ctx.runs.selected().filter((r) => tagIndex[r] && tag in tagIndex[r]);
    try {
      entry.data = runs.length
        ? await ctx.fetchJson(`${options.route}_multirun`, { tag, run: runs }, { signal: controller.signal })
        : {};
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") renderError(entry.body, error);
      return;
    }
    draw(tag);
  }

  /** @param {string} tag */
  function draw(tag) {
    const entry = cards.get(tag);
    if (!entry || !entry.data) return;
    entry.cleanup?.();
    entry.body.replaceChildren();
    // Runs in the selection's order (the server answers in its own).
    /** @type {Record<string, any[]>} */
    const ordered = {};
    for (const run of ctx.runs.selected()) if (entry.data[run]) ordered[run] = entry.data[run];
    const cleanup = options.draw(entry.body, tag, ordered);
    entry.cleanup = typeof cleanup === "function" ? cleanup : null;
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
    for (const tag of cards.keys()) load(tag);
  }

  function layout() {
    const match = tagMatcher(ctx.tagFilter.get());
    const tags = new Set();
    for (const run of ctx.runs.selected()) for (const tag of Object.keys(tagIndex[run] || {})) tags.add(tag);
    const shown = [...tags].filter(match).sort();
    if (!shown.length) {
      showState((m) => renderEmpty(m, tags.size ? "No tags match the filter." : options.emptyText));
      return;
    }
    showState(null);
    grid.setGroups(groupTags(shown).map((g) => ({ prefix: g.prefix, items: g.tags })));
  }

  const unsubscribers = [
    ctx.tagFilter.subscribe(() => layout()),
    ctx.runs.subscribe(() => {
      layout();
      for (const tag of cards.keys()) load(tag);
    }),
    ctx.onUpdate((event) => {
      const changedTags = new Set(Object.values(event.changed || {}).flat());
      const knownTags = new Set(Object.values(tagIndex).flatMap((t) => Object.keys(t)));
      const unknown = event.full || (event.newRuns || []).length || [...changedTags].some((t) => !knownTags.has(t));
      if (unknown) refreshTags();
      else for (const tag of changedTags) if (cards.has(tag)) load(tag);
    }),
    ctx.onThemeChange(() => redraw()),
  ];

  function redraw() {
    for (const tag of cards.keys()) draw(tag);
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
