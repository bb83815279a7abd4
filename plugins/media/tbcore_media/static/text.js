/**
 * The text dashboard: one card per run and tag showing the step chosen with its slider (arrow
 * keys on the focused card), or every step in a list ("All steps"). The server renders the
 * Markdown (tables, code blocks) to sanitized HTML; the page inserts it through
 * `_safe_html.js` all the same, so no script or handler can run whatever arrives.
 * @module
 */

import { h } from "@tbcore/sdk";
import { mountMediaCards } from "./_media_cards.js";
import { setSafeHtml } from "./_safe_html.js";
import { StepSlider, formatWallTime } from "./_step_slider.js";

/**
 * Mount the text dashboard into `el` (the shell's contract); returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @returns {() => void}
 */
export function mount(el, ctx) {
  const allSteps = h("input", { type: "checkbox", class: "media-all-steps-toggle", "aria-label": "Show all steps" });
  const markdown = h("input", { type: "checkbox", class: "media-markdown-toggle", checked: true, "aria-label": "Render Markdown" });
  const view = { allSteps: false, markdown: true };
  const cards = mountMediaCards(el, ctx, {
    emptyText: "No text data for the selected runs.",
    toolbar: [h("label", {}, allSteps, " All steps"), h("label", {}, markdown, " Markdown")],
    renderCard: (body, item) => new TextCard(body, item, ctx, view),
  });
  allSteps.addEventListener("change", () => {
    view.allSteps = allSteps.checked;
    for (const card of cards.views()) /** @type {TextCard} */ (card).render();
  });
  markdown.addEventListener("change", () => {
    view.markdown = markdown.checked;
    for (const card of cards.views()) card.reload();
  });
  return () => cards.destroy();
}

/**
 * @typedef {object} TextEntry one step of the `text` route
 * @property {number} step
 * @property {number} wall_time
 * @property {string} text sanitized HTML
 */

/** One run and tag: one step with a slider, or all steps. */
class TextCard {
  /**
   * @param {HTMLElement} body
   * @param {import("./_media_cards.js").CardItem} item
   * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
   * @param {{allSteps: boolean, markdown: boolean}} view the toolbar's choices
   */
  constructor(body, item, ctx, view) {
    this.body = body;
    this.item = item;
    this.ctx = ctx;
    this.view = view;
    /** @type {TextEntry[]} */
    this.entries = [];
    /** @type {AbortController | null} */
    this.controller = null;
    this.slider = new StepSlider(() => this.render());
    this.content = h("div", { class: "media-text-view" });
    this.status = h("div", { class: "media-status tb-muted", role: "status" }, "Loading…");
    body.tabIndex = 0;
    body.setAttribute("aria-label", `${item.tag}, ${item.run}: arrow keys change the step`);
    body.replaceChildren(h("div", { class: "media-controls" }, this.slider.el), this.content, this.status);
    this.slider.bindKeys(body);
    this.reload();
  }

  /** Fetch every step again and show them. */
  async reload() {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const params = { run: this.item.run, tag: this.item.tag, markdown: this.view.markdown ? undefined : "false" };
    try {
      this.entries = await this.ctx.fetchJson("text", params, { signal: controller.signal });
    } catch (error) {
      if (/** @type {Error} */ (error).name !== "AbortError") this.status.textContent = `Could not load: ${/** @type {Error} */ (error).message}`;
      return;
    }
    this.slider.setSteps(this.entries.map((e) => e.step), this.entries.map((e) => e.wall_time));
    this.render();
    this.body.dataset.steps = String(this.entries.length);
    this.body.dataset.loaded = "true";
  }

  /** Show the slider's step, or every step (newest first) in the "All steps" view. */
  render() {
    this.slider.el.hidden = this.view.allSteps;
    this.status.textContent = this.entries.length ? "" : "No text in this series.";
    this.body.dataset.mode = this.view.allSteps ? "all" : "step";
    // Plain text keeps its line breaks (the server escapes it, without Markdown's paragraphs).
    const textClass = this.view.markdown ? "media-text" : "media-text media-text-plain";
    if (this.view.allSteps) {
      const blocks = [...this.entries].reverse().map((entry) => {
        const html = h("div", { class: textClass });
        setSafeHtml(html, entry.text);
        return h(
          "article",
          { class: "media-text-step", dataset: { step: String(entry.step) } },
          h("div", { class: "media-text-step-head" }, h("strong", {}, `step ${entry.step}`), " ", h("span", { class: "tb-muted" }, formatWallTime(entry.wall_time))),
          html,
        );
      });
      this.content.replaceChildren(...blocks);
      return;
    }
    const entry = this.entries[this.slider.index];
    const html = h("div", { class: textClass, dataset: { step: String(entry?.step ?? "") } });
    if (entry) setSafeHtml(html, entry.text);
    this.content.replaceChildren(html);
  }

  destroy() {
    this.controller?.abort();
  }
}
