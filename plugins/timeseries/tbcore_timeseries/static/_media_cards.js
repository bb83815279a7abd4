/**
 * The histogram and image cards of the time series grid, one run each (as in TensorBoard
 * 2.x): a histogram card draws every step the canvas can tell apart as ridges (the SDK's
 * RidgeView, the histograms dashboard's drawing); an image card shows one step's image with
 * the SDK's step slider (the images dashboard's), newest step first.
 * @module
 */

import { RidgeView, StepSlider, h, parseHistogramRows, renderError, ridgeBudget } from "@tbcore/sdk";

/**
 * @param {HTMLElement} body
 * @param {import("./_items.js").CardItem} item
 * @param {import("./_scalar_card.js").CardEnv} env
 * @returns {import("./_scalar_card.js").CardView}
 */
export function renderHistogramCard(body, item, env) {
  const { ctx } = env;
  const run = /** @type {string} */ (item.run);
  const card = /** @type {HTMLElement} */ (body.closest(".tb-card") ?? body);
  const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { class: "timeseries-histogram", dataset: { run, tag: item.tag } }));
  const holder = h("div", { class: "timeseries-histogram-holder" }, canvas);
  body.append(holder);
  /** @type {any[] | null} */
  let rows = null;
  /** @type {RidgeView | null} */
  let view = null;
  /** @type {AbortController | null} */
  let controller = null;
  let height = env.chartHeight(card);

  async function load() {
    controller?.abort();
    controller = new AbortController();
    height = env.chartHeight(card);
    try {
      const answer = await ctx.fetchJson(
        "histograms/histograms_multirun",
        { tag: item.tag, run: [run], samples: ridgeBudget(height) },
        { signal: controller.signal },
      );
      rows = answer[run]?.rows ?? [];
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") renderError(holder, error);
      return;
    }
    draw();
  }

  function draw() {
    if (!rows) return;
    canvas.style.height = `${height}px`;
    view = new RidgeView(canvas, parseHistogramRows(rows), {
      color: ctx.runs.colorOf(run),
      run,
      mode: env.settings().histogramMode,
      xAxis: env.settings().xAxis,
      height,
      tooltip: env.tooltip,
    });
    view.draw();
    canvas.dataset.drawn = "true";
    canvas.dataset.steps = String(rows.length);
    body.dataset.loaded = "true";
  }

  let width = holder.clientWidth;
  const resize = new ResizeObserver(() => {
    if (holder.clientWidth === width) return;
    width = holder.clientWidth;
    view?.draw();
  });
  resize.observe(holder);
  load();
  return {
    reload: load,
    redraw: draw,
    rebuild: () => (env.chartHeight(card) === height ? draw() : load()),
    destroy() {
      controller?.abort();
      resize.disconnect();
    },
  };
}

/**
 * @param {HTMLElement} body
 * @param {import("./_items.js").CardItem} item
 * @param {import("./_scalar_card.js").CardEnv} env
 * @returns {import("./_scalar_card.js").CardView}
 */
export function renderImageCard(body, item, env) {
  const { ctx } = env;
  const run = /** @type {string} */ (item.run);
  const card = /** @type {HTMLElement} */ (body.closest(".tb-card") ?? body);
  const image = /** @type {HTMLImageElement} */ (h("img", { class: "timeseries-image", alt: `${item.tag} · ${run}` }));
  const frame = h("div", { class: "timeseries-image-frame" }, image);
  /** @type {{step: number, wall_time: number, blob_keys: string[]}[]} */
  let steps = [];
  const slider = new StepSlider((index) => show(index));
  slider.bindKeys(card);
  card.tabIndex = 0;
  body.append(frame, slider.el);
  /** @type {AbortController | null} */
  let controller = null;

  /** @param {number} index */
  function show(index) {
    const key = steps[index]?.blob_keys[item.sample];
    if (key === undefined) {
      image.removeAttribute("src");
      delete body.dataset.shownStep;
      return;
    }
    image.src = ctx.url("images/individualImage", { blob_key: key });
    body.dataset.shownStep = String(steps[index].step);
  }

  async function load() {
    controller?.abort();
    controller = new AbortController();
    try {
      const answer = await ctx.fetchJson("images/images_index", { run, tag: item.tag }, { signal: controller.signal });
      steps = answer.steps.filter((/** @type {any} */ s) => s.blob_keys.length > item.sample);
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") renderError(frame, error);
      return;
    }
    frame.style.height = `${env.chartHeight(card)}px`;
    slider.setSteps(steps.map((s) => s.step), steps.map((s) => s.wall_time));
    show(slider.index);
    body.dataset.loaded = "true";
  }

  load();
  return {
    reload: load,
    redraw: () => {},
    rebuild: () => {
      frame.style.height = `${env.chartHeight(card)}px`;
    },
    destroy: () => controller?.abort(),
  };
}
