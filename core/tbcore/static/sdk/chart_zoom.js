/**
 * Box zoom of the line chart: drag a box to zoom on x and y (a mostly horizontal drag zooms
 * x alone, a mostly vertical one y alone); the "Fit" button or a double-click shows all the
 * data again. The chart asks {@link ChartZoom#yZoom} for its y range and keeps an x zoom
 * across live updates while {@link ChartZoom#zoomed} is set.
 * @module
 */

import { h } from "./dom.js";

/** A chart's zoom state and its "Fit" button. */
export class ChartZoom {
  /**
   * @param {() => void} onReset called when the user asks for all the data again (the chart
   *   redraws)
   */
  constructor(onReset) {
    /** Whether the user zoomed in (drag); live updates then keep the zoom. */
    this.zoomed = false;
    /** A box zoom's y range (null: fit the data). @type {[number, number] | null} */
    this.yZoom = null;
    this.fitButton = h(
      "button",
      { type: "button", class: "tb-chart-fit", title: "Fit the domain to the data (or double-click)", "aria-label": "Fit domain" },
      "Fit",
    );
    this.fitButton.addEventListener("click", onReset);
  }

  /** Forget the zoom (the chart then fits the data). */
  reset() {
    this.zoomed = false;
    this.yZoom = null;
  }

  /**
   * Put the "Fit" button on a new plot and make a double-click on it reset the zoom.
   * @param {import("uplot").default} plot
   * @param {HTMLElement} root the plot's container
   * @param {() => void} onDoubleClick what a double-click does (undo the click's selection, reset)
   */
  attach(plot, root, onDoubleClick) {
    root.appendChild(this.fitButton);
    plot.over.addEventListener("dblclick", onDoubleClick);
  }

  /**
   * A box was dragged: zoom x to it, and y too unless the drag was mostly horizontal (then
   * uPlot's box spans the plot's height); uPlot sets the scales after this hook.
   * @param {import("uplot").default} u
   */
  onBoxZoom(u) {
    const { top, width, height } = u.select;
    const plotWidth = u.bbox.width / devicePixelRatio;
    const plotHeight = u.bbox.height / devicePixelRatio;
    if (width > 0 && width < plotWidth - 0.5) this.zoomed = true;
    if (height > 0 && height < plotHeight - 0.5) {
      const lo = u.posToVal(top + height, "y");
      const hi = u.posToVal(top, "y");
      if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) this.yZoom = [lo, hi];
    }
  }

  /** Remove the "Fit" button. */
  destroy() {
    this.fitButton.remove();
  }
}
