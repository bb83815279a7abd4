/**
 * The step slider of a media card (images, audio, text; the time series' image cards): a range input over the steps a series holds, a label with
 * the step and its wall time, keyboard arrows on the card, and "follow the newest step" on
 * live updates while the slider sits at the newest one. A card that must not switch now (its
 * clip is playing) holds the step instead: the slider then says that newer steps are
 * available and {@link StepSlider#catchUp} moves on to the newest one later.
 * @module
 */

import { h } from "./dom.js";

/**
 * A wall time (seconds since the epoch) as local date and time, to the second.
 * @param {number} seconds
 * @returns {string}
 */
export function formatWallTime(seconds) {
  if (!Number.isFinite(seconds)) return "";
  const d = new Date(seconds * 1000);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The index of `step` in `steps` (ascending), else of the nearest older step, else 0.
 * @param {number[]} steps
 * @param {number} step
 * @returns {number} -1 when `steps` is empty
 */
export function indexAtOrBefore(steps, step) {
  if (!steps.length) return -1;
  let best = 0;
  for (let i = 0; i < steps.length && steps[i] <= step; i++) best = i;
  return best;
}

/**
 * Where to stand after the list of steps changed: the newest step if we stood at the newest
 * (or nowhere), else the same step, else the nearest older one.
 * @param {number[]} oldSteps
 * @param {number} oldIndex
 * @param {number[]} newSteps sorted ascending
 * @returns {number} an index into `newSteps` (-1 when it is empty)
 */
export function nextIndex(oldSteps, oldIndex, newSteps) {
  if (!newSteps.length) return -1;
  if (oldIndex < 0 || oldIndex >= oldSteps.length - 1) return newSteps.length - 1;
  return indexAtOrBefore(newSteps, oldSteps[oldIndex]);
}

/** One card's step control. */
export class StepSlider {
  /** @param {(index: number) => void} onChange called when the user (or an update) moves it */
  constructor(onChange) {
    this.onChange = onChange;
    /** @type {number[]} */
    this.steps = [];
    /** @type {number[]} */
    this.wallTimes = [];
    this.index = -1;
    /** Whether a held update left the slider behind the newest step it would have followed. */
    this.behind = false;
    this.input = /** @type {HTMLInputElement} */ (
      h("input", { type: "range", class: "media-step-input", min: "0", max: "0", step: "1", value: "0", "aria-label": "Step" })
    );
    this.stepLabel = h("span", { class: "media-step-label" });
    this.timeLabel = h("span", { class: "media-wall-time tb-muted" });
    this.newerLabel = h("span", { class: "media-newer-steps tb-muted", hidden: true }, "newer steps available");
    this.el = h(
      "div",
      { class: "media-step" },
      this.input,
      h("span", { class: "media-step-text" }, this.stepLabel, this.timeLabel, this.newerLabel),
    );
    this.input.addEventListener("input", () => this.go(Number(this.input.value)));
  }

  /** The step shown, or `undefined` when there is none. */
  get step() {
    return this.steps[this.index];
  }

  /**
   * Set the steps (ascending) and their wall times; keeps the position as {@link nextIndex}
   * says and calls `onChange` when the step shown changed. With `hold`, stays on the step
   * shown (or the nearest older one) without calling `onChange`, and remembers to follow the
   * newest step if it stood there.
   * @param {number[]} steps
   * @param {number[]} wallTimes
   * @param {{hold?: boolean}} [options]
   */
  setSteps(steps, wallTimes, options = {}) {
    const before = this.step;
    const following = this.behind || this.index < 0 || this.index >= this.steps.length - 1;
    const index = options.hold
      ? indexAtOrBefore(steps, before ?? Infinity)
      : nextIndex(this.steps, this.behind ? -1 : this.index, steps);
    this.steps = steps;
    this.wallTimes = wallTimes;
    this.input.max = String(Math.max(0, steps.length - 1));
    this.input.disabled = steps.length < 2;
    this.behind = Boolean(options.hold) && following && index < steps.length - 1;
    this._set(index, !options.hold && (this.step !== before || index !== this.index));
  }

  /** After a hold: move to the newest step if the slider stayed behind it (calls `onChange`). */
  catchUp() {
    if (this.behind) this.go(this.steps.length - 1);
  }

  /**
   * Show the step at `index` (clamped).
   * @param {number} index
   */
  go(index) {
    if (!this.steps.length) return;
    const clamped = Math.min(this.steps.length - 1, Math.max(0, Math.round(index)));
    this.behind = false;
    this._set(clamped, clamped !== this.index);
  }

  /**
   * Arrow keys on `target` move one step (Home/End: first/last), except while a form field
   * inside it has the focus (a range input moves itself).
   * @param {HTMLElement} target
   */
  bindKeys(target) {
    target.addEventListener("keydown", (event) => {
      const field = /** @type {HTMLElement} */ (event.target).closest("input, select, textarea, audio, button");
      if (field || event.altKey || event.ctrlKey || event.metaKey) return;
      const moves = { ArrowLeft: this.index - 1, ArrowRight: this.index + 1, Home: 0, End: this.steps.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      this.go(moves[/** @type {keyof typeof moves} */ (event.key)]);
    });
  }

  /**
   * @param {number} index
   * @param {boolean} notify
   */
  _set(index, notify) {
    this.index = index;
    const step = this.step;
    this.input.value = String(Math.max(0, index));
    this.stepLabel.textContent = step === undefined ? "no steps" : `step ${step}`;
    this.timeLabel.textContent = step === undefined ? "" : formatWallTime(this.wallTimes[index]);
    this.newerLabel.hidden = !this.behind;
    Object.assign(this.el.dataset, {
      step: String(step ?? ""),
      index: String(index),
      count: String(this.steps.length),
      behind: String(this.behind),
    });
    if (notify) this.onChange(index);
  }
}
