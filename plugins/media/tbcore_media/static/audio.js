/**
 * The audio dashboard: one card per run and tag with a player, a step slider (arrow keys on
 * the focused card), the clip's label, and a sample choice when steps hold several clips.
 * The player streams the clip from `individualAudio`, so nothing is fetched before it plays.
 * A live update never interrupts a clip that is playing: the card stays on its step (the
 * slider says newer steps are available) and moves to the newest one when playback stops.
 * @module
 */

import { h } from "@tbcore/sdk";
import { mountMediaCards } from "./_media_cards.js";
import { SampleChoice } from "./_sample_choice.js";
import { setSafeHtml } from "./_safe_html.js";
import { StepSlider } from "./_step_slider.js";

/**
 * Mount the audio dashboard into `el` (the shell's contract); returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @returns {() => void}
 */
export function mount(el, ctx) {
  const cards = mountMediaCards(el, ctx, {
    emptyText: "No audio data for the selected runs.",
    renderCard: (body, item) => new AudioCard(body, item, ctx),
  });
  return () => cards.destroy();
}

/**
 * @typedef {object} AudioEntry one step of the `audio` route
 * @property {number} step
 * @property {number} wall_time
 * @property {string} label sanitized HTML (TensorBoard 2.21 always sends `""`)
 * @property {string} contentType
 * @property {string} query the `individualAudio` query string, opaque
 */

/** One run and tag: slider, sample choice, player and label. */
class AudioCard {
  /**
   * @param {HTMLElement} body
   * @param {import("./_media_cards.js").CardItem} item
   * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
   */
  constructor(body, item, ctx) {
    this.body = body;
    this.item = item;
    this.ctx = ctx;
    /** @type {AudioEntry[]} */
    this.entries = [];
    /** @type {AbortController | null} */
    this.controller = null;
    this.slider = new StepSlider((index) => this.show(index));
    this.samples = new SampleChoice("Clip", () => this.load(false));
    this.player = /** @type {HTMLAudioElement} */ (h("audio", { class: "media-audio", controls: true, preload: "metadata" }));
    this.label = h("div", { class: "media-audio-label" });
    this.status = h("div", { class: "media-status tb-muted", role: "status" }, "Loading…");
    this.description = h("div", { class: "media-description tb-muted" });
    body.tabIndex = 0;
    body.setAttribute("aria-label", `${item.tag}, ${item.run}: arrow keys change the step`);
    body.replaceChildren(
      h("div", { class: "media-controls" }, this.slider.el, this.samples.el),
      this.player,
      this.label,
      this.status,
      this.description,
    );
    this.slider.bindKeys(body);
    /** Removes the player's listeners: a destroyed card's pause must not load a clip again. */
    this.listeners = new AbortController();
    const stopped = () => this.playbackStopped();
    this.player.addEventListener("pause", stopped, { signal: this.listeners.signal });
    this.player.addEventListener("ended", stopped, { signal: this.listeners.signal });
    this.load(false);
  }

  /** Whether the player is playing a clip (or waiting for data to go on playing it). */
  get playing() {
    return !this.player.paused && !this.player.ended;
  }

  /** New steps arrived (a live update): fetch again, holding the step while a clip plays. */
  reload() {
    this.load(true);
  }

  /**
   * Fetch the chosen clip of every step again and show the slider's step.
   * @param {boolean} live a live update, which must not interrupt the clip playing
   */
  async load(live) {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    this.samples.setCount(Number(this.item.info?.samples) || 1);
    try {
      this.entries = await this.ctx.fetchJson(
        "audio",
        { run: this.item.run, tag: this.item.tag, sample: this.samples.value },
        { signal: controller.signal },
      );
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") this.status.textContent = `Could not load: ${/** @type {Error} */ (error).message}`;
      return;
    }
    setSafeHtml(this.description, this.item.info?.description ?? "");
    const before = this.slider.index;
    const hold = live && this.playing;
    this.slider.setSteps(this.entries.map((e) => e.step), this.entries.map((e) => e.wall_time), { hold });
    if (!hold && this.slider.index === before) this.show(before);
    this.body.dataset.steps = String(this.entries.length);
    this.body.dataset.loaded = "true";
  }

  /** Playback paused or ended: show what a held live update left waiting. */
  playbackStopped() {
    if (this.playing) return;
    this.slider.catchUp();
    if (this.entries.length) this.show(this.slider.index);
  }

  /** @param {number} index */
  show(index) {
    const entry = this.entries[index];
    if (!entry) {
      this.player.removeAttribute("src");
      this.label.replaceChildren();
      this.status.textContent = "No clips in this series.";
      return;
    }
    const src = `${this.ctx.url("individualAudio")}?${entry.query}`;
    if (this.player.getAttribute("src") !== src) {
      this.player.src = src;
      Object.assign(this.player.dataset, { step: String(entry.step), sample: String(this.samples.value) });
    }
    setSafeHtml(this.label, entry.label ?? "");
    this.status.textContent = "";
  }

  destroy() {
    this.controller?.abort();
    this.listeners.abort();
    this.player.pause();
    this.player.removeAttribute("src");
  }
}
