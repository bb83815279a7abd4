/**
 * The inside of one card: a block per run (its name and a canvas). A few runs stack at full
 * width; many runs become a grid of small multiples of reduced height, on a card spanning the
 * whole row, whose canvases draw only once they come near the viewport.
 * @module
 */

import { h } from "@tbcore/sdk";

/** More runs than this in one card: small multiples. */
export const COMPACT_AFTER_RUNS = 4;

/**
 * @typedef {object} RunView what a dashboard draws one run with
 * @property {() => void} draw (re)draw at the canvas's parent's width
 */

/**
 * @typedef {object} RunBlocksOptions
 * @property {string} canvasClass class of every canvas (`histograms-canvas`, ...)
 * @property {string} tag the card's tag (set on each canvas as `data-tag`)
 * @property {Record<string, number>} [totals] how many steps each run's series holds, when
 *   its rows are a sample of them: the block then says "N of M steps"
 * @property {(run: string) => string} colorOf
 * @property {{full: number, compact: number}} heights canvas heights (CSS px)
 * @property {(canvas: HTMLCanvasElement, run: string, rows: any[], height: number) => RunView} createView
 */

/**
 * Fill `body` with one block per run of `data` (`{run: rows}`, in display order).
 * @param {HTMLElement} body
 * @param {Record<string, any[]>} data
 * @param {RunBlocksOptions} options
 * @returns {() => void} the cleanup
 */
export function renderRunBlocks(body, data, options) {
  const runs = Object.entries(data);
  const card = body.closest(".tb-card");
  const compact = runs.length > COMPACT_AFTER_RUNS;
  card?.classList.toggle("histograms-card-wide", compact);
  if (!runs.length) {
    body.append(h("div", { class: "tb-state tb-empty" }, "No data for the selected runs."));
    return () => {};
  }
  const height = compact ? options.heights.compact : options.heights.full;
  const container = h("div", {
    class: compact ? "histograms-runs histograms-runs-compact" : "histograms-runs",
    dataset: { runs: String(runs.length), compact: String(compact) },
  });
  body.append(container);
  /** @type {Map<Element, {view: RunView, canvas: HTMLCanvasElement, visible: boolean, stale: boolean}>} */
  const blocks = new Map();
  for (const [run, rows] of runs) {
    const canvas = /** @type {HTMLCanvasElement} */ (
      h("canvas", { class: options.canvasClass, dataset: { run, tag: options.tag } })
    );
    canvas.style.height = `${height}px`; // reserves the space before the first draw
    const swatch = h("span", { class: "histograms-swatch", style: { background: options.colorOf(run) } });
    const total = options.totals?.[run] ?? rows.length;
    // Sampled series say so: nothing is hidden silently.
    const note =
      total > rows.length
        ? h("span", { class: "histograms-run-steps", dataset: { shown: String(rows.length), total: String(total) } }, `${rows.length.toLocaleString()} of ${total.toLocaleString()} steps`)
        : null;
    const name = h("div", { class: "histograms-run-name", title: run }, swatch, run, note);
    const block = h("div", { class: "histograms-run" }, name, canvas);
    container.append(block);
    blocks.set(block, { view: options.createView(canvas, run, rows, height), canvas, visible: !compact, stale: true });
  }
  const draw = (/** @type {{view: RunView, canvas: HTMLCanvasElement, stale: boolean}} */ b) => {
    b.view.draw();
    b.stale = false;
    b.canvas.dataset.drawn = "true";
  };

  /** @type {IntersectionObserver | null} */
  let observer = null;
  if (compact) {
    // Dozens of runs: draw a canvas only when it nears the viewport (or the card's scroll area).
    observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const b = blocks.get(e.target);
          if (!b) continue;
          b.visible = e.isIntersecting;
          if (b.visible && b.stale) draw(b);
        }
      },
      { rootMargin: "200px" },
    );
    for (const block of blocks.keys()) observer.observe(block);
  } else {
    for (const b of blocks.values()) draw(b);
  }

  let width = container.clientWidth;
  const resize = new ResizeObserver(() => {
    if (container.clientWidth === width) return;
    width = container.clientWidth;
    for (const b of blocks.values()) {
      b.stale = true;
      if (b.visible) draw(b);
    }
  });
  resize.observe(container);
  return () => {
    observer?.disconnect();
    resize.disconnect();
  };
}
