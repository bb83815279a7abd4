/**
 * The Time Series dashboard, as TensorBoard 2.x users know it: the scalars, histograms and
 * images of every selected run in one grid of cards, filtered by the shared tag filter (the
 * matches gather in one section) and by type chips; cards can be pinned (a copy at the top,
 * kept in the URL and across reloads), shown full screen and resized; one settings pane
 * holds the scalars, histograms and images settings. A setting change (or new data) redraws
 * the cards in sight at once and the others when they scroll into view (`_stale_cards.js`).
 * @module
 */

import { CardGrid, Tooltip, imageFilter, h, readHashValue, renderEmpty, renderError, renderLoading, tagMatcher, writeHashValue } from "@tbcore/sdk";
import { KINDS, allCards, sections } from "./_items.js";
import { renderHistogramCard, renderImageCard } from "./_media_cards.js";
import { readPins, writePins } from "./_pins.js";
import { createLoadQueue } from "./_load_queue.js";
import { renderScalarCard } from "./_scalar_card.js";
import { CARD_HEIGHTS, CARD_WIDTHS, createSettings } from "./_settings.js";
import { createStaleCards } from "./_stale_cards.js";

const RENDERERS = { scalars: renderScalarCard, histograms: renderHistogramCard, images: renderImageCard };

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const typeKey = `${ctx.pluginName}.type`;
  const kindValues = KINDS.map(([value]) => value);
  let kind = readHashValue(typeKey, kindValues);
  let pins = readPins(ctx.pluginName);
  /** @type {any} */
  let tags = null;
  /** @type {Map<string, {view: import("./_scalar_card.js").CardView, item: import("./_items.js").CardItem, card: HTMLElement}>} the rendered cards, by grid key */
  const views = new Map();
  const tooltip = new Tooltip();
  const stale = createStaleCards((key) => grid.isVisible(key));

  const settings = createSettings(ctx, {
    redrawScalars: () => refresh("redraw", (item) => item.kind === "scalars"),
    redrawHistograms: () => refresh("redraw", (item) => item.kind === "histograms"),
    rebuild: () => refresh("rebuild"),
    restyle: () => restyle(),
  });
  const chips = h("div", { class: "timeseries-chips", role: "group", "aria-label": "Card types" },
    KINDS.map(([value, label]) =>
      h("button", { type: "button", class: "timeseries-chip", dataset: { kind: value }, "aria-pressed": String(value === kind), onclick: () => setKind(value) }, label)),
  );
  const message = h("div", { class: "timeseries-message" });
  const gridEl = h("div", { class: "timeseries-grid" });
  const root = h("div", { class: "timeseries-root" },
    h("div", { class: "timeseries-main" }, chips, message, gridEl), settings.element);
  el.replaceChildren(h("link", { rel: "stylesheet", href: ctx.url("static/style.css") }), root);

  /**
   * Ask the rendered cards (those `which` picks) to draw again, make their drawing anew or
   * fetch again: the cards in sight now, the others when they scroll into view.
   * @param {import("./_stale_cards.js").CardAction} action
   * @param {(item: import("./_items.js").CardItem) => boolean} [which]
   */
  function refresh(action, which = () => true) {
    for (const [key, entry] of views) if (which(entry.item)) stale.request(key, entry, action);
  }

  /** Card size and image settings, as CSS variables and classes of the dashboard. */
  function restyle() {
    const s = settings.get();
    root.style.setProperty("--timeseries-card-width", `${CARD_WIDTHS[s.cardWidth] ?? CARD_WIDTHS.medium}px`);
    root.style.setProperty("--timeseries-image-filter", imageFilter(s));
    root.classList.toggle("timeseries-actual-size", s.actualSize);
  }
  restyle();

  /** @param {HTMLElement} card */
  function chartHeight(card) {
    if (card.classList.contains("timeseries-fullscreen")) return Math.max(240, window.innerHeight - 200);
    return CARD_HEIGHTS[settings.get().cardHeight] ?? CARD_HEIGHTS.medium;
  }

  /** @param {string} tag */
  function scalarRuns(tag) {
    const info = tags?.scalars?.runTagInfo ?? {};
    return ctx.runs.selected().filter((run) => (info[run] ?? []).includes(tag));
  }

  const env = { ctx, settings: settings.get, chartHeight, scalarRuns, tooltip, loads: createLoadQueue() };

  /** @type {Map<string, import("./_items.js").CardItem>} one object per grid key, so the grid keeps cards */
  const items = new Map();
  /** @param {Omit<import("./_items.js").CardItem, "pinnedCopy">} card @param {boolean} pinnedCopy */
  function item(card, pinnedCopy) {
    const gridKey = pinnedCopy ? `pinned:${card.key}` : card.key;
    let found = items.get(gridKey);
    if (!found) items.set(gridKey, (found = { ...card, pinnedCopy }));
    return found;
  }
  const gridKeyOf = (/** @type {import("./_items.js").CardItem} */ it) => (it.pinnedCopy ? `pinned:${it.key}` : it.key);

  const grid = new CardGrid(gridEl, {
    key: gridKeyOf,
    title: (it) => (it.kind === "scalars" ? it.tag : `${it.tag} · ${it.run}${it.sample ? ` · sample ${it.sample + 1}` : ""}`),
    render: (body, it) => renderCard(body, it),
    onShow: (it) => {
      const key = gridKeyOf(it);
      const entry = views.get(key);
      if (entry) stale.shown(key, entry);
    },
  });

  /** @param {HTMLElement} body @param {import("./_items.js").CardItem} it */
  function renderCard(body, it) {
    const card = /** @type {HTMLElement} */ (body.closest(".tb-card"));
    card.dataset.kind = it.kind;
    card.dataset.pinnedCopy = String(it.pinnedCopy);
    const pin = h("button", { type: "button", class: "timeseries-card-button timeseries-pin", "aria-pressed": String(pins.has(it.key)), title: "Pin a copy to the top" }, pins.has(it.key) ? "Unpin" : "Pin");
    const full = h("button", { type: "button", class: "timeseries-card-button timeseries-fullscreen-button", "aria-pressed": "false", title: "Full screen" }, "Full screen");
    pin.addEventListener("click", () => togglePin(it.key));
    full.addEventListener("click", () => {
      const on = card.classList.toggle("timeseries-fullscreen");
      full.setAttribute("aria-pressed", String(on));
      full.textContent = on ? "Exit full screen" : "Full screen";
      view.rebuild();
    });
    body.append(h("div", { class: "timeseries-card-actions" }, h("span", { class: "timeseries-kind tb-muted" }, it.kind), pin, full));
    const view = RENDERERS[it.kind](body, it, env);
    const gridKey = gridKeyOf(it);
    views.set(gridKey, { view, item: it, card });
    stale.forget(gridKey); // drawn anew: it owes nothing
    delete card.dataset.stale;
    return () => {
      card.classList.remove("timeseries-fullscreen");
      view.destroy();
      views.delete(gridKey);
      stale.forget(gridKey);
    };
  }

  /** @param {string} key */
  function togglePin(key) {
    pins = new Set(pins);
    if (pins.has(key)) pins.delete(key);
    else pins.add(key);
    writePins(ctx.pluginName, pins);
    for (const button of gridEl.querySelectorAll(".timeseries-pin")) {
      const k = /** @type {HTMLElement} */ (button.closest(".tb-card")).dataset.key ?? "";
      const on = pins.has(k.replace(/^pinned:/, ""));
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? "Unpin" : "Pin";
    }
    layout();
  }

  /** @param {string} value */
  function setKind(value) {
    kind = value;
    writeHashValue(typeKey, kind, kindValues[0]);
    for (const chip of chips.querySelectorAll(".timeseries-chip")) {
      chip.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (chip).dataset.kind === kind));
    }
    layout();
  }

  /** @param {((el: HTMLElement) => void) | null} render */
  function showState(render) {
    message.hidden = !render;
    gridEl.hidden = !!render;
    if (render) render(message);
  }

  function layout() {
    if (!tags) return;
    const filter = ctx.tagFilter.get();
    const match = tagMatcher(filter);
    if (match.error) {
      showState((m) => renderError(m, `Invalid tag filter regex: ${match.error}`, "Invalid regex"));
      return;
    }
    const cards = allCards(tags, ctx.runs.selected());
    const groups = sections(cards, { kind, match, filter, pinned: pins }, item);
    if (!groups.length) {
      const why = !cards.length ? "No scalar, histogram or image data for the selected runs." : filter ? "No tags match the filter." : "No cards of this type.";
      showState((m) => renderEmpty(m, why));
      return;
    }
    showState(null);
    grid.setGroups(groups);
  }

  async function refreshTags() {
    if (!tags) showState((m) => renderLoading(m));
    try {
      tags = await ctx.fetchJson("tags");
    } catch (error) {
      showState((m) => renderError(m, error));
      return;
    }
    layout();
    refresh("reload");
  }

  const onHash = () => {
    const next = readHashValue(typeKey, kindValues);
    if (next !== kind) setKind(next);
    const nextPins = readPins(ctx.pluginName);
    if ([...nextPins].join("\n") !== [...pins].join("\n")) {
      pins = nextPins;
      layout();
    }
  };
  window.addEventListener("hashchange", onHash);
  const unsubscribers = [
    ctx.tagFilter.subscribe(() => layout()),
    ctx.runs.subscribe(() => {
      layout();
      refresh("reload", (it) => it.kind === "scalars");
    }),
    ctx.onUpdate((event) => {
      if (event.full || event.newRuns.length) return refreshTags();
      const changed = new Set(Object.values(event.changed ?? {}).flat());
      const known = new Set(cardsTags());
      if ([...changed].some((t) => !known.has(t))) return refreshTags();
      refresh("reload", (it) => changed.has(it.tag) && (it.run === null || (event.changed[it.run] ?? []).includes(it.tag)));
    }),
    ctx.onThemeChange(() => refresh("redraw", (it) => it.kind === "histograms")),
  ];

  /** Every tag the `tags` answer lists, of any kind. */
  function cardsTags() {
    const out = [];
    for (const kindInfo of [tags?.scalars, tags?.histograms]) for (const list of Object.values(kindInfo?.runTagInfo ?? {})) out.push(...list);
    out.push(...Object.keys(tags?.images?.tagRunSampledInfo ?? {}));
    return out;
  }

  refreshTags();
  return () => {
    window.removeEventListener("hashchange", onHash);
    for (const off of unsubscribers) off();
    settings.destroy();
    grid.destroy();
    tooltip.destroy();
  };
}
