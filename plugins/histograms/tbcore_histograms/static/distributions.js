/**
 * The distributions dashboard: one card per tag (or per run and tag); per run, the nine
 * percentiles of every step's histogram (TensorBoard's basis points) drawn as nested bands
 * along the x axis (step, relative or wall time), darker towards the median, with the median
 * as a line.
 * @module
 */

import { Tooltip } from "@tbcore/sdk";
import { BandView } from "./_band_view.js";
import { mountTagCards } from "./_cards.js";
import { parseRows } from "./_distribution.js";

/** Canvas heights (CSS px): a card with a few runs, and each small multiple of many. */
const HEIGHTS = { full: 220, compact: 130 };

/**
 * Mount the distributions dashboard into `el`; returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const tooltip = new Tooltip();
  const cards = mountTagCards(el, ctx, {
    route: "distributions",
    emptyText: "No histogram data for the selected runs.",
    canvasClass: "distributions-canvas",
    heights: HEIGHTS,
    onRedraw: () => tooltip.hide(),
    createView: (canvas, run, rows, view) =>
      new BandView(canvas, parseRows(rows), { color: ctx.runs.colorOf(run), run, tooltip, ...view }),
  });
  return () => {
    cards.destroy();
    tooltip.destroy();
  };
}
