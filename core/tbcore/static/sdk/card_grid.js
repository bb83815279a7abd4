/**
 * A grid of cards in collapsible groups, each card rendered only once it scrolls into view.
 * @module
 */

import { h } from "./dom.js";

/**
 * @template T
 * @typedef {object} CardGridOptions
 * @property {(item: T) => string} key a stable, unique key per item
 * @property {(cardEl: HTMLElement, item: T) => (void | (() => void))} render fills a card
 *   the first time it is near the viewport; may return a cleanup function
 * @property {(item: T) => string} [title] card heading (shown as text)
 * @property {(item: T, cardEl: HTMLElement) => void} [onShow] called when a card rendered
 *   before comes near the viewport again (e.g. to draw it again after a setting changed
 *   while it was away, see {@link CardGrid#isVisible})
 * @property {string} [rootMargin] how far outside the viewport cards start rendering
 *   (default `"300px"`)
 */

/**
 * @template T
 * @typedef {{prefix: string, items: T[]}} CardGroup
 */

/**
 * Cards in `<details>` sections. Group collapse state survives {@link CardGrid#setGroups}
 * calls; a card whose key is still present keeps its rendered content.
 * @template T
 */
export class CardGrid {
  /**
   * @param {HTMLElement} el container (its content is replaced)
   * @param {CardGridOptions<T>} options
   */
  constructor(el, options) {
    this.el = el;
    this.options = options;
    this.root = h("div", { class: "tb-card-grid" });
    el.replaceChildren(this.root);
    /** @type {Map<string, {card: HTMLElement, body: HTMLElement, item: T, cleanup: (() => void) | null, rendered: boolean, visible: boolean, dirty: boolean}>} */
    this.cards = new Map();
    /** @type {Map<string, HTMLDetailsElement>} */
    this.sections = new Map();
    /** @type {Set<string>} */
    this.collapsed = new Set();
    this.observer = new IntersectionObserver((entries) => this._onIntersect(entries), {
      rootMargin: options.rootMargin ?? "300px",
    });
  }

  /**
   * Show these groups, in this order.
   * @param {CardGroup<T>[]} groups
   */
  setGroups(groups) {
    const keep = new Set();
    const sections = [];
    for (const group of groups) {
      const section = this._section(group.prefix);
      const cards = section.querySelector(".tb-card-grid-cards");
      const elements = [];
      for (const item of group.items) {
        const key = this.options.key(item);
        keep.add(key);
        elements.push(this._card(key, item).card);
      }
      /** @type {HTMLElement} */ (cards).replaceChildren(...elements);
      /** @type {HTMLElement} */ (section.querySelector(".tb-card-grid-count")).textContent =
        String(group.items.length);
      sections.push(section);
    }
    for (const [key, entry] of this.cards) {
      if (!keep.has(key)) this._drop(key, entry);
    }
    const prefixes = new Set(groups.map((g) => g.prefix));
    for (const prefix of [...this.sections.keys()]) {
      if (!prefixes.has(prefix)) this.sections.delete(prefix);
    }
    this.root.replaceChildren(...sections);
    this.root.dataset.cards = String(this.cards.size);
  }

  /**
   * Render cards again (all, or those with the given keys): visible ones now, the others when
   * they next scroll into view.
   * @param {Iterable<string>} [keys]
   */
  refresh(keys) {
    for (const key of keys ?? this.cards.keys()) {
      const entry = this.cards.get(key);
      if (!entry || !entry.rendered) continue;
      entry.dirty = true;
      if (entry.visible) this._render(entry);
    }
  }

  /**
   * Whether the card is near the viewport now (within `rootMargin`), as the grid last saw it.
   * @param {string} key
   */
  isVisible(key) {
    return this.cards.get(key)?.visible ?? false;
  }

  /** Run every card's cleanup and empty the container. */
  destroy() {
    this.observer.disconnect();
    for (const [key, entry] of this.cards) this._drop(key, entry);
    this.el.replaceChildren();
  }

  /** @param {string} prefix */
  _section(prefix) {
    let section = this.sections.get(prefix);
    if (!section) {
      section = /** @type {HTMLDetailsElement} */ (
        h(
          "details",
          { class: "tb-card-grid-group", open: !this.collapsed.has(prefix) },
          h(
            "summary",
            null,
            h("span", { class: "tb-card-grid-prefix" }, prefix),
            " ",
            h("span", { class: "tb-card-grid-count" }),
          ),
          h("div", { class: "tb-card-grid-cards" }),
        )
      );
      const details = section;
      details.addEventListener("toggle", () => {
        if (details.open) this.collapsed.delete(prefix);
        else this.collapsed.add(prefix);
      });
      this.sections.set(prefix, section);
    }
    return section;
  }

  /**
   * @param {string} key
   * @param {T} item
   */
  _card(key, item) {
    let entry = this.cards.get(key);
    if (entry) {
      if (entry.item !== item) {
        entry.item = item;
        entry.dirty = entry.rendered;
      }
      return entry;
    }
    const title = this.options.title?.(item);
    const body = h("div", { class: "tb-card-body" });
    const card = h(
      "section",
      { class: "tb-card", dataset: { key } },
      title != null ? h("h3", { class: "tb-card-title", title }, title) : null,
      body,
    );
    entry = { card, body, item, cleanup: null, rendered: false, visible: false, dirty: false };
    this.cards.set(key, entry);
    this.observer.observe(card);
    return entry;
  }

  /** @param {IntersectionObserverEntry[]} entries */
  _onIntersect(entries) {
    for (const e of entries) {
      const key = /** @type {HTMLElement} */ (e.target).dataset.key ?? "";
      const entry = this.cards.get(key);
      if (!entry) continue;
      entry.visible = e.isIntersecting;
      if (!e.isIntersecting) continue;
      if (!entry.rendered || entry.dirty) this._render(entry);
      else this.options.onShow?.(entry.item, entry.body);
    }
  }

  /** @param {{card: HTMLElement, body: HTMLElement, item: T, cleanup: (() => void) | null, rendered: boolean, dirty: boolean}} entry */
  _render(entry) {
    entry.cleanup?.();
    entry.body.replaceChildren();
    entry.rendered = true;
    entry.dirty = false;
    const cleanup = this.options.render(entry.body, entry.item);
    entry.cleanup = typeof cleanup === "function" ? cleanup : null;
    entry.card.dataset.rendered = "true";
  }

  /**
   * @param {string} key
   * @param {{card: HTMLElement, cleanup: (() => void) | null}} entry
   */
  _drop(key, entry) {
    this.observer.unobserve(entry.card);
    entry.cleanup?.();
    this.cards.delete(key);
  }
}
