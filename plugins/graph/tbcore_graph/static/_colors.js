/**
 * Colouring the graph: by structure (repeated blocks share a colour), device, XLA cluster,
 * or, from a run metadata's step statistics, compute time or memory. A group takes the
 * device or cluster most of its ops have, and the sum of their times or bytes.
 * @module
 */

import { PALETTE, formatNumber, h, withAlpha } from "@tbcore/sdk";
import { opsInside, xlaCluster } from "./_hierarchy.js";

/** @type {[string, string][]} */
export const COLOR_MODES = [
  ["structure", "Structure"],
  ["device", "Device"],
  ["xla", "XLA cluster"],
  ["compute", "Compute time"],
  ["memory", "Memory"],
];

const HOT = [217, 72, 1];

/**
 * @typedef {object} NodeStats an op's step statistics (the `step_stats` route's, by op id)
 * @property {string} device
 * @property {number} compute_us
 * @property {number} memory_bytes
 */

/**
 * Step statistics keyed by op id: names as recorded, else with TF's `:<suffix>` dropped.
 * @param {Record<string, NodeStats>} nodes @param {Map<string, any>} items
 * @returns {Map<string, NodeStats>}
 */
export function statsByOp(nodes, items) {
  const out = new Map();
  for (const [name, stats] of Object.entries(nodes)) {
    const id = items.get(name)?.kind === "op" ? name : name.replace(/:.*$/, "");
    if (items.get(id)?.kind !== "op") continue;
    const known = out.get(id);
    if (known) {
      known.compute_us += stats.compute_us;
      known.memory_bytes += stats.memory_bytes;
    } else out.set(id, { ...stats });
  }
  return out;
}

/**
 * An op's device: its node's, else the one its step statistics ran it on.
 * @param {any} op @param {Map<string, NodeStats> | null} stats
 */
export function deviceOf(op, stats) {
  return op.node.device || stats?.get(op.id)?.device || "";
}

/** @param {Map<string, number>} counts */
function majority(counts) {
  let best = "", most = 0;
  for (const [key, n] of counts) if (key && n > most) [best, most] = [key, n];
  return best;
}

/**
 * @typedef {object} Colouring
 * @property {(id: string) => string} fill a CSS colour per visible item ("" for the default)
 * @property {HTMLElement} legend
 */

/**
 * @param {string} mode one of `COLOR_MODES`
 * @param {import("./_hierarchy.js").Hierarchy} hierarchy
 * @param {Map<string, NodeStats> | null} stats
 * @param {string[]} visible ids of the items on screen
 * @returns {Colouring}
 */
export function colouring(mode, hierarchy, stats, visible) {
  const { items } = hierarchy;
  const inside = { get: (/** @type {string} */ id) => opsInside(items, id) };
  if (mode === "device" || mode === "xla") {
    const keyOf = mode === "device" ? (/** @type {any} */ op) => deviceOf(op, stats) : (/** @type {any} */ op) => xlaCluster(op.node);
    const keys = [...new Set(hierarchy.opIds.map((id) => keyOf(items.get(id))))].filter(Boolean).sort();
    const colours = new Map(keys.map((k, i) => [k, withAlpha(PALETTE[i % PALETTE.length], 0.55)]));
    const chosen = new Map(visible.map((id) => {
      const counts = new Map();
      for (const op of inside.get(id) ?? []) {
        const key = keyOf(items.get(op));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return [id, colours.get(majority(counts)) ?? ""];
    }));
    const none = mode === "device" ? "no device" : "not clustered";
    return {
      fill: (id) => chosen.get(id) ?? "",
      legend: legend(keys.length ? keys.map((k) => [k, /** @type {string} */ (colours.get(k))]) : [[none, ""]], mode),
    };
  }
  if (mode === "compute" || mode === "memory") {
    const field = mode === "compute" ? "compute_us" : "memory_bytes";
    if (!stats) return { fill: () => "", legend: legend([["choose a run metadata step", ""]], mode) };
    const totals = new Map(visible.map((id) => {
      const ops = inside.get(id) ?? [];
      const known = ops.filter((op) => stats.has(op));
      const sum = known.reduce((s, op) => s + /** @type {any} */ (stats.get(op))[field], 0);
      return [id, known.length ? sum : null];
    }));
    const max = Math.max(1, ...[...totals.values()].map((v) => v ?? 0));
    const unit = mode === "compute" ? " µs" : "B";
    return {
      fill: (id) => {
        const value = totals.get(id);
        return value == null ? "" : `rgba(${HOT.join(",")},${(0.08 + 0.85 * (value / max)).toFixed(3)})`;
      },
      legend: legend([[`0${unit}`, `rgba(${HOT.join(",")},0.08)`], [`${formatNumber(max)}${unit}`, `rgba(${HOT.join(",")},0.93)`]], mode),
    };
  }
  return {
    fill: (id) => {
      const item = items.get(id);
      return item && item.kind !== "op" ? withAlpha(PALETTE[item.signature % PALETTE.length], 0.3) : "";
    },
    legend: legend([["same colour: same structure", ""]], mode),
  };
}

/**
 * @param {[string, string][]} entries label and colour
 * @param {string} mode
 */
function legend(entries, mode) {
  return h("div", { class: "graphs-legend", dataset: { mode } },
    entries.map(([label, colour]) => h("span", { class: "graphs-legend-entry", dataset: { colour } },
      colour ? h("span", { class: "graphs-legend-swatch", style: { background: colour } }) : null, label)));
}
