/**
 * What the images, audio and text dashboards share: a toolbar, then one card per run and tag
 * (grouped by tag prefix, filtered by the tag filter, in the selection's run order), each
 * drawn when it scrolls into view and reloaded when a live update names its run and tag.
 * @module
 */

import { CardGrid, groupTags, h, renderEmpty, renderError, renderLoading, tagMatcher } from "@tbcore/sdk";

/**
 * @typedef {object} CardItem one card's series
 * @property {string} run
 * @property {string} tag
 * @property {Record<string, any>} info the series' entry in the `tags` route (e.g. `samples`);
 *   updated in place when the tags are fetched again
 */

/**
 * @typedef {object} CardView what a dashboard's card renderer returns
 * @property {() => void} reload fetch the series again (new steps arrived)
 * @property {() => void} [destroy]
 */

/**
 * @typedef {object} MediaCardsOptions
 * @property {string} emptyText shown when no selected run has a series of this kind
 * @property {HTMLElement[]} [toolbar] controls shown above the cards
 * @property {(body: HTMLElement, item: CardItem) => CardView} renderCard fills a card body
 */

/**
 * The `tags` route's answer as run → tag → info; accepts both of TensorBoard's shapes:
 * `{run: {tag: info}}` (images, audio) and `{run: [tag, ...]}` (text).
 * @param {Record<string, any>} answer
 * @returns {Map<string, Map<string, Record<string, any>>>}
 */
export function parseTagIndex(answer) {
  const index = new Map();
  for (const [run, tags] of Object.entries(answer ?? {})) {
    const entries = Array.isArray(tags) ? tags.map((t) => [String(t), {}]) : Object.entries(tags ?? {});
    index.set(run, new Map(entries));
  }
  return index;
}

/**
 * The key of a run and tag's card (also its `data-key`).
 * @param {string} run
 * @param {string} tag
 * @returns {string}
 */
export function cardKey(run, tag) {
  return JSON.stringify([run, tag]);
}

/**
 * Mount the toolbar and the card grid into `el`.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {MediaCardsOptions} options
 * @returns {{root: HTMLElement, views: () => IterableIterator<CardView>, destroy: () => void}}
 *   `root` is the dashboard's element (for dashboard-wide classes and CSS variables)
 */
export function mountMediaCards(el, ctx, options) {
  let index = parseTagIndex({});
  /** @type {Map<string, CardItem>} the same object per key, so the grid keeps rendered cards */
  const items = new Map();
  /** @type {Map<string, CardView>} */
  const views = new Map();
  /** @type {Set<string>} card keys of changed series that are not of this dashboard */
  const foreign = new Set();
  const message = h("div", { class: "media-message" });
  const gridEl = h("div", { class: "media-grid" });
  const style = h("link", { rel: "stylesheet", href: ctx.url("static/style.css") });
  const root = h("div", { class: `media-dashboard media-${ctx.pluginName}` },
    h("div", { class: "tb-settings media-toolbar" }, ...(options.toolbar ?? [])), message, gridEl);
  el.replaceChildren(style, root);

  /** @param {((el: HTMLElement) => void) | null} render */
  function showState(render) {
    message.hidden = !render;
    gridEl.hidden = !!render;
    if (render) render(message);
  }

  const grid = new CardGrid(gridEl, {
    key: (item) => cardKey(item.run, item.tag),
    title: (item) => item.tag,
    render: (body, item) => {
      const key = cardKey(item.run, item.tag);
      const swatch = h("span", { class: "media-swatch", style: { background: ctx.runs.colorOf(item.run) } });
      const content = h("div", { class: "media-card-content", dataset: { run: item.run, tag: item.tag } });
      body.replaceChildren(h("div", { class: "media-run", title: item.run }, swatch, item.run), content);
      const view = options.renderCard(content, item);
      views.set(key, view);
      return () => {
        view.destroy?.();
        if (views.get(key) === view) views.delete(key);
      };
    },
  });

  /**
   * Fetch the tags again and lay the cards out.
   * @param {boolean} reloadAll also reload every card shown (a manual reload)
   */
  async function refreshTags(reloadAll) {
    if (!index.size) showState((m) => renderLoading(m));
    try {
      index = parseTagIndex(await ctx.fetchJson("tags"));
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") showState((m) => renderError(m, error));
      return;
    }
    layout();
    if (reloadAll) for (const view of views.values()) view.reload();
  }

  function layout() {
    const match = tagMatcher(ctx.tagFilter.get());
    const runs = ctx.runs.selected().filter((r) => index.has(r));
    /** @type {Map<string, CardItem[]>} */
    const byTag = new Map();
    for (const run of runs) {
      for (const [tag, info] of /** @type {Map<string, Record<string, any>>} */ (index.get(run))) {
        const key = cardKey(run, tag);
        let item = items.get(key);
        if (!item) items.set(key, (item = { run, tag, info }));
        item.info = info;
        if (!byTag.has(tag)) byTag.set(tag, []);
        /** @type {CardItem[]} */ (byTag.get(tag)).push(item);
      }
    }
    const shown = [...byTag.keys()].filter(match).sort();
    if (!shown.length) {
      const text = byTag.size ? "No tags match the filter." : options.emptyText;
      showState((m) => renderEmpty(m, match.error ? `Invalid tag filter: ${match.error}` : text));
      grid.setGroups([]);
      return;
    }
    showState(null);
    grid.setGroups(
      groupTags(shown).map((g) => ({ prefix: g.prefix, items: g.tags.flatMap((t) => /** @type {CardItem[]} */ (byTag.get(t))) })),
    );
  }

  const unsubscribers = [
    ctx.tagFilter.subscribe(() => layout()),
    ctx.runs.subscribe(() => layout()),
    ctx.onUpdate(async (event) => {
      if (event.full) {
        await refreshTags(true);
        return;
      }
      const changed = Object.entries(event.changed ?? {});
      // A tag we have not seen (or a new run) may mean new cards; tags that turn out to
      // belong to other dashboards are remembered, so they cost one refetch only.
      const unseen = changed.flatMap(([run, tags]) => tags.filter((t) => !index.get(run)?.has(t) && !foreign.has(cardKey(run, t))).map((t) => [run, t]));
      if ((event.newRuns ?? []).length || unseen.length) {
        await refreshTags(false);
        for (const [run, tag] of unseen) if (!index.get(run)?.has(tag)) foreign.add(cardKey(run, tag));
      }
      for (const [run, tags] of changed) for (const tag of tags) views.get(cardKey(run, tag))?.reload();
    }),
  ];

  refreshTags(false);
  return {
    root,
    views: () => views.values(),
    destroy: () => {
      for (const off of unsubscribers) off();
      grid.destroy();
    },
  };
}
