/**
 * t-SNE and UMAP on the server: their controls (perplexity, learning rate, iterations;
 * neighbours, minimum distance, epochs), and following a job: start it (POST `tsne` or
 * `umap`), then poll its positions (`tsne_positions`, `umap_positions`) until it is done,
 * handing each new snapshot on as it arrives.
 * @module
 */

import { h } from "@tbcore/sdk";

const POLL_MS = 250;

/**
 * @typedef {object} LayoutControls
 * @property {HTMLElement} element the inputs and the Run button
 * @property {() => Record<string, number | null>} params the parameters as the route takes them
 */

/**
 * @param {string} cls
 * @param {string} label
 * @param {string} value
 * @param {string} min
 * @param {string} max
 * @param {string} [step]
 */
function numberBox(cls, label, value, min, max, step) {
  const box = /** @type {HTMLInputElement} */ (h("input", { class: `tb-input projector-layout-number ${cls}`, type: "number", min, max, value, "aria-label": label }));
  if (step) box.step = step;
  return box;
}

/** @param {HTMLInputElement} box */
const numberOrNull = (box) => (box.value === "" ? null : Number(box.value));

/**
 * The inputs of a layout and a Run button calling `run`.
 * @param {"tsne" | "umap"} kind
 * @param {() => void} run
 * @returns {LayoutControls}
 */
export function layoutControls(kind, run) {
  const button = h("button", { type: "button", class: `tb-button projector-${kind}-run`, onclick: run }, "Run");
  if (kind === "tsne") {
    const perplexity = numberBox("projector-perplexity", "Perplexity", "30", "2", "100");
    const rate = numberBox("projector-learning-rate", "Learning rate", "", "1", "10000");
    rate.placeholder = "auto";
    const iterations = numberBox("projector-iterations", "Iterations", "500", "10", "5000");
    return {
      element: h("span", { class: "projector-tsne-controls", hidden: true },
        h("label", null, "Perplexity ", perplexity), h("label", null, "Learning rate ", rate),
        h("label", null, "Iterations ", iterations), button),
      params: () => ({ perplexity: Number(perplexity.value), learning_rate: numberOrNull(rate), iterations: Number(iterations.value) }),
    };
  }
  const neighbors = numberBox("projector-umap-neighbors", "UMAP neighbours", "15", "2", "200");
  const minDist = numberBox("projector-umap-min-dist", "Minimum distance", "0.1", "0", "0.99", "0.01");
  const epochs = numberBox("projector-umap-epochs", "Epochs", "", "10", "2000");
  epochs.placeholder = "auto";
  return {
    element: h("span", { class: "projector-umap-controls", hidden: true },
      h("label", null, "Neighbours ", neighbors), h("label", null, "Min. distance ", minDist),
      h("label", null, "Epochs ", epochs), button),
    params: () => ({ neighbors: Number(neighbors.value), min_dist: Number(minDist.value), epochs: numberOrNull(epochs) }),
  };
}

/**
 * Start or join the job of `kind` for these parameters and follow it until done or stopped.
 * Snapshots without positions yet (the job is still preparing) are skipped.
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {"tsne" | "umap"} kind
 * @param {Record<string, unknown>} params the route's body
 * @param {(positions: Float32Array, progress: {iteration: number, iterations: number, done: boolean, error: string, method: string}) => void} onSnapshot
 * @returns {{stop: () => void, finished: Promise<void>}}
 */
export function followLayout(ctx, kind, params, onSnapshot) {
  let stopped = false;
  const finished = (async () => {
    const started = await ctx.postJson(kind, params);
    let last = -1;
    while (!stopped) {
      const response = await fetch(ctx.url(`${kind}_positions`, { job: started.job }), { signal: ctx.signal });
      if (!response.ok) throw new Error(`${kind} positions: HTTP ${response.status}`);
      const progress = JSON.parse(response.headers.get(`x-${kind}-progress`) || "{}");
      const buffer = await response.arrayBuffer();
      if (stopped) return;
      if (buffer.byteLength && (progress.iteration !== last || progress.done)) {
        last = progress.iteration;
        onSnapshot(new Float32Array(buffer), progress);
      } else if (progress.error) {
        onSnapshot(new Float32Array(0), progress);
      }
      if (progress.done) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return { stop: () => { stopped = true; }, finished };
}
