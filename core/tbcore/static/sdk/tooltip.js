/**
 * A floating tooltip that follows the pointer and stays inside the window.
 * @module
 */

import { append, h } from "./dom.js";

/** One tooltip element, created on first use and reusable for any number of `show` calls. */
export class Tooltip {
  constructor() {
    /** @type {HTMLElement | null} */
    this.el = null;
  }

  /**
   * Show the tooltip near a point (client coordinates).
   * @param {number} clientX
   * @param {number} clientY
   * @param {import("./dom.js").Child} content text (shown as text) or nodes
   */
  show(clientX, clientY, content) {
    if (!this.el) {
      this.el = h("div", { class: "tb-tooltip", role: "tooltip" });
      document.body.appendChild(this.el);
    }
    const el = this.el;
    el.replaceChildren();
    append(el, [content]);
    el.hidden = false;
    const pad = 12;
    const { width, height } = el.getBoundingClientRect();
    let left = clientX + pad;
    let top = clientY + pad;
    if (left + width > window.innerWidth) left = Math.max(0, clientX - pad - width);
    if (top + height > window.innerHeight) top = Math.max(0, clientY - pad - height);
    el.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  /** Hide the tooltip (it can be shown again). */
  hide() {
    if (this.el) this.el.hidden = true;
  }

  /** Remove the tooltip element for good. */
  destroy() {
    this.el?.remove();
    this.el = null;
  }
}
