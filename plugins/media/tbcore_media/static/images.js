/**
 * The images dashboard: one card per run and tag, with a step slider (and arrow keys on the
 * focused card), a sample choice when a step holds several images, the newest step first.
 * Toolbar: actual size or fit to the card, pixelated rendering, brightness and contrast; the
 * actual size, brightness and contrast are the SDK's image settings, kept in the URL and
 * shared with the Time Series tab (a change in either shows in both).
 * Each card asks `images_index` once for every step's blob keys; images come through a
 * bounded cache of object URLs that prefetches the neighbours of the step shown, so
 * scrubbing through a thousand steps stays instant and never asks for an image twice.
 * @module
 */

import { IMAGE_SETTINGS, h, readImageSettings, writeImageSetting } from "@tbcore/sdk";
import { BlobCache } from "./_blob_cache.js";
import { mountMediaCards } from "./_media_cards.js";
import { SampleChoice } from "./_sample_choice.js";
import { setSafeHtml } from "./_safe_html.js";
import { StepSlider } from "./_step_slider.js";

/** Steps prefetched in the direction the slider last moved, and behind it. */
const PREFETCH_AHEAD = 12;
const PREFETCH_BEHIND = 4;
/** Steps prefetched around a card nobody has moved yet (a page may show many cards). */
const PREFETCH_IDLE = 2;

/**
 * The steps worth prefetching around `index`, the most likely next first: alternately one
 * ahead (in the direction of travel) and, up to a few, one behind.
 * @param {number} index
 * @param {number} count number of steps
 * @param {number} direction +1 or -1
 * @param {number} [reach] how many steps ahead
 * @returns {number[]} indices, without `index`
 */
export function prefetchOrder(index, count, direction, reach = PREFETCH_AHEAD) {
  const out = [];
  for (let d = 1; d <= reach; d++) {
    const ahead = index + d * direction;
    if (ahead >= 0 && ahead < count) out.push(ahead);
    const behind = index - d * direction;
    if (d <= PREFETCH_BEHIND && behind >= 0 && behind < count) out.push(behind);
  }
  return out;
}

/**
 * Mount the images dashboard into `el` (the shell's contract); returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @returns {() => void}
 */
export function mount(el, ctx) {
  const cache = new BlobCache();
  const actualSize = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "media-actual-size-toggle", "aria-label": "Show images at actual size" }));
  const pixelated = h("input", { type: "checkbox", class: "media-pixelated-toggle", "aria-label": "Pixelated rendering" });
  const brightness = rangeInput("Brightness", "media-brightness-input", IMAGE_SETTINGS.brightness);
  const contrast = rangeInput("Contrast", "media-contrast-input", IMAGE_SETTINGS.contrast);
  const brightnessValue = h("span", { class: "media-range-value" }, "100%");
  const contrastValue = h("span", { class: "media-range-value" }, "100%");
  const reset = h("button", { type: "button", class: "tb-button tb-small media-reset" }, "Reset");
  const cards = mountMediaCards(el, ctx, {
    emptyText: "No image data for the selected runs.",
    toolbar: [
      h("label", {}, actualSize, " Actual size"),
      h("label", { title: "No smoothing when small images are enlarged" }, pixelated, " Pixelated"),
      h("label", {}, "Brightness ", brightness, brightnessValue),
      h("label", {}, "Contrast ", contrast, contrastValue),
      reset,
    ],
    renderCard: (body, item) => new ImageCard(body, item, ctx, cache),
  });
  const root = cards.root;
  // Page-wide counters for tools and tests: how many image requests went out.
  Object.defineProperty(root, "__imageCache", { value: cache });

  /** Show the settings the URL names (on mount, and when another tab or a link changed them). */
  function followUrl() {
    const s = readImageSettings();
    if (actualSize.checked === s.actualSize && Number(brightness.value) === s.brightness && Number(contrast.value) === s.contrast) return;
    actualSize.checked = s.actualSize;
    brightness.value = String(s.brightness);
    contrast.value = String(s.contrast);
    applyView();
  }

  function applyView() {
    root.classList.toggle("media-actual-size", actualSize.checked);
    root.classList.toggle("media-pixelated", pixelated.checked);
    root.style.setProperty("--media-brightness", brightness.value);
    root.style.setProperty("--media-contrast", contrast.value);
    brightnessValue.textContent = `${Math.round(Number(brightness.value) * 100)}%`;
    contrastValue.textContent = `${Math.round(Number(contrast.value) * 100)}%`;
  }
  pixelated.addEventListener("change", applyView);
  actualSize.addEventListener("change", () => {
    writeImageSetting("actualSize", actualSize.checked);
    applyView();
  });
  for (const [input, name] of /** @type {const} */ ([[brightness, "brightness"], [contrast, "contrast"]])) {
    input.addEventListener("input", () => {
      writeImageSetting(name, Number(input.value));
      applyView();
    });
  }
  reset.addEventListener("click", () => {
    brightness.value = String(IMAGE_SETTINGS.brightness.fallback);
    contrast.value = String(IMAGE_SETTINGS.contrast.fallback);
    writeImageSetting("brightness", IMAGE_SETTINGS.brightness.fallback);
    writeImageSetting("contrast", IMAGE_SETTINGS.contrast.fallback);
    applyView();
  });
  followUrl();
  applyView();
  window.addEventListener("hashchange", followUrl);
  return () => {
    window.removeEventListener("hashchange", followUrl);
    cards.destroy();
    cache.destroy();
  };
}

/**
 * @param {string} label
 * @param {string} cls
 * @param {{min: number, max: number, step: number, fallback: number}} setting
 * @returns {HTMLInputElement}
 */
function rangeInput(label, cls, { min, max, step, fallback }) {
  return /** @type {HTMLInputElement} */ (
    h("input", { type: "range", class: cls, min: String(min), max: String(max), step: String(step), value: String(fallback), "aria-label": label })
  );
}

/**
 * @typedef {object} IndexStep one step of `images_index`
 * @property {number} step
 * @property {number} wall_time
 * @property {string[]} blob_keys
 */

/** One run and tag: slider, sample choice, the image. */
class ImageCard {
  /**
   * @param {HTMLElement} body
   * @param {import("./_media_cards.js").CardItem} item
   * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
   * @param {BlobCache} cache
   */
  constructor(body, item, ctx, cache) {
    this.body = body;
    this.item = item;
    this.ctx = ctx;
    this.cache = cache;
    /** @type {IndexStep[]} */
    this.steps = [];
    /** The way the slider last moved; towards older steps before it has moved. */
    this.direction = -1;
    this.moved = false;
    this.wanted = "";
    this.loading = false;
    /** @type {AbortController | null} */
    this.controller = null;
    this.slider = new StepSlider((index) => this.show(index));
    this.samples = new SampleChoice("Sample", () => this.show(this.slider.index));
    this.status = h("div", { class: "media-status tb-muted", role: "status" }, "Loading…");
    this.img = /** @type {HTMLImageElement} */ (h("img", { class: "media-image", alt: `${item.tag} (${item.run})`, hidden: true }));
    this.frame = h("div", { class: "media-image-frame" }, this.img);
    this.size = h("span", { class: "media-image-size tb-muted" });
    this.description = h("div", { class: "media-description tb-muted" });
    body.tabIndex = 0;
    body.setAttribute("aria-label", `${item.tag}, ${item.run}: arrow keys change the step`);
    body.replaceChildren(h("div", { class: "media-controls" }, this.slider.el, this.samples.el, this.size), this.frame, this.status, this.description);
    this.slider.bindKeys(body);
    this.img.addEventListener("load", () => {
      this.img.hidden = false;
      this.size.textContent = `${this.img.naturalWidth}×${this.img.naturalHeight}`;
      this.body.dataset.shownStep = this.img.dataset.step ?? "";
      this.body.dataset.shownSample = this.img.dataset.sample ?? "";
    });
    this.reload();
  }

  /** Fetch the series' index again (new steps) and show the slider's step. */
  async reload() {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    let index;
    try {
      index = await this.ctx.fetchJson("images_index", { run: this.item.run, tag: this.item.tag }, { signal: controller.signal });
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") this.fail(error);
      return;
    }
    this.steps = index.steps ?? [];
    if (index.width && index.height && !this.img.getAttribute("width")) {
      // The newest image's size: lays the card out before any image arrives.
      this.img.width = index.width;
      this.img.height = index.height;
    }
    this.samples.setCount(Number(index.samples) || 0);
    setSafeHtml(this.description, this.item.info?.description ?? "");
    const before = this.slider.index;
    this.slider.setSteps(this.steps.map((s) => s.step), this.steps.map((s) => s.wall_time));
    // Same position, but the step's images may have been rewritten (a restarted run).
    if (this.slider.index === before) this.show(before);
    this.body.dataset.steps = String(this.steps.length);
    this.body.dataset.loaded = "true";
  }

  /**
   * Show the image of step `index` (and the chosen sample, or the step's last one when it
   * holds fewer), then prefetch the neighbours.
   * @param {number} index
   */
  show(index) {
    const entry = this.steps[index];
    if (!entry?.blob_keys.length) {
      this.wanted = "";
      this.img.hidden = true;
      this.frame.classList.remove("media-pending");
      this.status.textContent = entry ? `Step ${entry.step} holds no image.` : "No images in this series.";
      return;
    }
    const previous = Number(this.img.dataset.index ?? index);
    if (index !== previous) {
      this.direction = Math.sign(index - previous);
      this.moved = true;
    }
    const sample = Math.min(this.samples.value, entry.blob_keys.length - 1);
    const url = this.blobUrl(entry, sample);
    this.wanted = url;
    this.status.textContent =
      sample < this.samples.value ? `Step ${entry.step} holds ${entry.blob_keys.length} image(s); showing the last.` : "";
    const put = (/** @type {string} */ objectUrl) => {
      if (this.wanted !== url) return;
      this.frame.classList.remove("media-pending");
      delete this.body.dataset.error;
      Object.assign(this.img.dataset, { index: String(index), step: String(entry.step), sample: String(sample) });
      if (this.img.src !== objectUrl) this.img.src = objectUrl;
      else this.img.dispatchEvent(new Event("load"));
    };
    const cached = this.cache.get(url);
    if (cached) put(cached);
    else if (!this.loading) {
      // One image the card waits for at a time: while the slider races ahead of the
      // network, the steps passed over are skipped, not queued.
      this.loading = true;
      this.frame.classList.add("media-pending");
      this.cache
        .load(url)
        .then(put, (error) => {
          if (this.wanted === url && error.name !== "AbortError") this.fail(error);
        })
        .finally(() => {
          this.loading = false;
          if (this.wanted !== url && this.wanted) this.show(this.slider.index);
        });
    }
    this.cache.prefetch(
      this,
      prefetchOrder(index, this.steps.length, this.direction, this.moved ? PREFETCH_AHEAD : PREFETCH_IDLE)
        .filter((i) => this.steps[i].blob_keys.length)
        .map((i) => this.blobUrl(this.steps[i], Math.min(this.samples.value, this.steps[i].blob_keys.length - 1))),
    );
  }

  /**
   * @param {IndexStep} entry
   * @param {number} sample
   */
  blobUrl(entry, sample) {
    return `${this.ctx.url("individualImage")}?blob_key=${encodeURIComponent(entry.blob_keys[sample])}`;
  }

  /** @param {unknown} error */
  fail(error) {
    this.status.textContent = `Could not load: ${/** @type {Error} */ (error).message ?? error}`;
    this.body.dataset.error = "true";
  }

  destroy() {
    this.controller?.abort();
    this.cache.forget(this);
    this.wanted = "";
  }
}
