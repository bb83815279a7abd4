/**
 * The "which image (or clip) of the step" choice of a media card, shown only when some step
 * of the series holds more than one.
 * @module
 */

import { h } from "@tbcore/sdk";

/** A labelled `<select>` of samples `0 .. count-1`. */
export class SampleChoice {
  /**
   * @param {string} label `"Sample"`, `"Clip"`
   * @param {(sample: number) => void} onChange called when the user picks another one
   */
  constructor(label, onChange) {
    this.value = 0;
    this.select = /** @type {HTMLSelectElement} */ (h("select", { class: "media-sample", "aria-label": label }));
    this.el = h("label", { class: "media-sample-label", hidden: true }, `${label} `, this.select);
    this.select.addEventListener("change", () => {
      this.value = Number(this.select.value);
      onChange(this.value);
    });
  }

  /**
   * Offer `count` samples (the most any step holds), keeping the choice when it still exists.
   * @param {number} count
   */
  setCount(count) {
    if (this.select.options.length !== count) {
      this.select.replaceChildren(
        ...Array.from({ length: count }, (_, i) => h("option", { value: String(i) }, `${i + 1} of ${count}`)),
      );
    }
    this.value = Math.min(this.value, Math.max(0, count - 1));
    this.select.value = String(this.value);
    this.el.hidden = count < 2;
  }
}
