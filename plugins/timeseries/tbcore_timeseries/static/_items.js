/**
 * The time series grid's cards, from the `tags` answer: one card per scalar tag (every
 * selected run in it), one per run and histogram tag, one per run, image tag and sample, as
 * TensorBoard 2.x lays them out; their keys, kinds and sections.
 * @module
 */

import { groupTags } from "@tbcore/sdk";

/** The type chips: value, label, the `plugin` of the cards they show (null: all). */
export const KINDS = /** @type {const} */ ([
  ["all", "All", null],
  ["scalars", "Scalars", "scalars"],
  ["images", "Image", "images"],
  ["histograms", "Histogram", "histograms"],
]);

/** Title of the section of pinned cards. */
export const PINNED = "Pinned";

/**
 * @typedef {object} CardItem
 * @property {string} key unique and stable: `JSON.stringify([kind, tag, run?, sample?])`
 * @property {"scalars" | "histograms" | "images"} kind
 * @property {string} tag
 * @property {string | null} run the card's run (histograms, images), null for scalars
 * @property {number} sample an image's index within its step (0 for other kinds)
 * @property {boolean} pinnedCopy whether this is the copy shown in the Pinned section
 */

/**
 * The key of a card.
 * @param {string} kind
 * @param {string} tag
 * @param {string | null} [run]
 * @param {number} [sample]
 */
export function cardKey(kind, tag, run = null, sample = 0) {
  if (kind === "scalars") return JSON.stringify([kind, tag]);
  if (kind === "histograms") return JSON.stringify([kind, tag, run]);
  return JSON.stringify([kind, tag, run, sample]);
}

/**
 * Every card the selected runs have, in tag order (then run order, then sample).
 * @param {any} tags the `tags` route's answer
 * @param {string[]} selected the selected runs, in the sidebar's order
 * @returns {Omit<CardItem, "key" | "pinnedCopy">[]}
 */
export function allCards(tags, selected) {
  const runs = new Set(selected);
  /** @type {Map<string, Omit<CardItem, "key" | "pinnedCopy">[]>} tag -> its cards */
  const byTag = new Map();
  const add = (/** @type {Omit<CardItem, "key" | "pinnedCopy">} */ card) => {
    if (!byTag.has(card.tag)) byTag.set(card.tag, []);
    byTag.get(card.tag)?.push(card);
  };
  const scalarTags = new Set();
  for (const [run, list] of Object.entries(tags?.scalars?.runTagInfo ?? {})) {
    if (runs.has(run)) for (const tag of list) scalarTags.add(tag);
  }
  for (const tag of scalarTags) add({ kind: "scalars", tag, run: null, sample: 0 });
  for (const run of selected) {
    for (const tag of tags?.histograms?.runTagInfo?.[run] ?? []) add({ kind: "histograms", tag, run, sample: 0 });
  }
  for (const [tag, perRun] of Object.entries(tags?.images?.tagRunSampledInfo ?? {})) {
    for (const run of selected) {
      const samples = /** @type {any} */ (perRun)[run]?.maxSamplesPerStep;
      if (samples === undefined) continue;
      for (let sample = 0; sample < Math.max(1, samples); sample++) add({ kind: "images", tag, run, sample });
    }
  }
  const order = { scalars: 0, histograms: 1, images: 2 };
  return [...byTag.keys()].sort().flatMap((tag) => {
    const cards = /** @type {Omit<CardItem, "key" | "pinnedCopy">[]} */ (byTag.get(tag));
    // Runs keep the sidebar's order within a kind (the sort is stable).
    return cards.sort((a, b) => order[a.kind] - order[b.kind] || a.sample - b.sample);
  });
}

/**
 * The grid's sections: the pinned copies first, then the cards of the chosen kind grouped by
 * tag prefix, or, while a tag filter is set, every match in one section.
 * @param {Omit<CardItem, "key" | "pinnedCopy">[]} cards from {@link allCards}
 * @param {{kind: string, match: (tag: string) => boolean, filter: string, pinned: Set<string>}} view
 * @param {(card: Omit<CardItem, "pinnedCopy">, pinnedCopy: boolean) => CardItem} item the
 *   grid's (stable) object for a card
 * @returns {{prefix: string, items: CardItem[]}[]}
 */
export function sections(cards, view, item) {
  const plugin = KINDS.find(([value]) => value === view.kind)?.[2] ?? null;
  const shown = cards
    .map((c) => ({ ...c, key: cardKey(c.kind, c.tag, c.run, c.sample) }))
    .filter((c) => (!plugin || c.kind === plugin) && view.match(c.tag));
  const out = [];
  const pinned = shown.filter((c) => view.pinned.has(c.key));
  if (pinned.length) out.push({ prefix: PINNED, items: pinned.map((c) => item(c, true)) });
  if (view.filter) {
    if (shown.length) out.push({ prefix: `Tags matching /${view.filter}/`, items: shown.map((c) => item(c, false)) });
    return out;
  }
  /** @type {Map<string, typeof shown>} */
  const byTag = new Map();
  for (const c of shown) {
    if (!byTag.has(c.tag)) byTag.set(c.tag, []);
    byTag.get(c.tag)?.push(c);
  }
  for (const group of groupTags(byTag.keys())) {
    // A tag group named like the pinned section is shown as "Pinned/" (prefixes hold no "/").
    const prefix = group.prefix === PINNED ? `${PINNED}/` : group.prefix;
    out.push({ prefix, items: group.tags.flatMap((tag) => (byTag.get(tag) ?? []).map((c) => item(c, false))) });
  }
  return out;
}
