/**
 * The histograms dashboard: one card per tag (or per run and tag); per run, every step's
 * histogram as a ridge on a canvas ("offset": older steps further back, spaced by step,
 * relative or wall time; newest in front) or all on one baseline ("overlay"). Hovering names
 * the step, its times, the bucket and its count.
 * @module
 */

import { Tooltip } from "@tbcore/sdk";
import { mountTagCards } from "./_cards.js";
import { RidgeView, ridgeBudget } from "./_ridge_view.js";
import { parseRows } from "./_ridges.js";
import { viewSetting } from "@tbcore/sdk";


/** Canvas heights (CSS px): a card with a few runs, and each small multiple of many. */
const HEIGHTS = { full: 260, compact: 150 };

/**
 * Mount the histograms dashboard into `el`; returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export function mount(el, ctx) {
  const tooltip = new Tooltip();
  const mode = viewSetting(ctx, {
    name: "mode",
    label: "Mode",
    className: "histograms-mode",
    choices: [
      ["offset", "Offset"],
      ["overlay", "Overlay"],
    ],
    onChange: () => cards.redraw(),
  });
  const cards = mountTagCards(el, ctx, {
    route: "histograms",
    emptyText: "No histogram data for the selected runs.",
    canvasClass: "histograms-canvas",
    heights: HEIGHTS,
    stepBudget: ridgeBudget,
    toolbar: [mode.element],
    onRedraw: () => tooltip.hide(),
    createView: (canvas, run, rows, view) =>
      new RidgeView(canvas, parseRows(rows), { color: ctx.runs.colorOf(run), run, mode: mode.get(), tooltip, ...view }),
  });
  return () => {
    mode.destroy();
    cards.destroy();
    tooltip.destroy();
  };
}
