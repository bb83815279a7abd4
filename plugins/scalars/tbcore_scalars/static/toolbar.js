/**
 * The scalars dashboard's settings bar: smoothing (slider and number box), x axis, log
 * scales, outliers, run grouping, the step link across cards and the tooltip's order and rows. Each control writes its setting into the dashboard's state and the URL and tells
 * the dashboard what to do about it; an edited URL (back/forward) sets them all at once.
 * @module
 */

import { TOOLTIP_SORTS, h } from "@tbcore/sdk";
import { MAX_TOOLTIP_ROWS, readSettings, saveSetting } from "./url_settings.js";

/** The highest smoothing weight, as in TensorBoard. */
export const MAX_SMOOTHING = 0.999;

/**
 * @typedef {object} ToolbarActions what a change asks of the dashboard
 * @property {() => void} redraw draw the cards again from the data they hold
 * @property {() => void} rebuild make the charts anew (x axis, or several settings at once)
 * @property {() => void} logScales switch the charts' log scales
 * @property {() => void} chartTools apply the step link and tooltip settings to the charts
 */

/**
 * @param {string} plugin the plugin name (prefix of the settings' URL keys)
 * @param {import("./url_settings.js").ScalarSettings} state the dashboard's settings, changed in place
 * @param {ToolbarActions} actions
 * @returns {{element: HTMLElement, setHparams: (names: string[]) => void, markPatternInvalid: (invalid: boolean) => void, destroy: () => void}}
 */
export function createToolbar(plugin, state, actions) {
  const smoothing = /** @type {HTMLInputElement} */ (
    h("input", { type: "range", min: "0", max: String(MAX_SMOOTHING), step: "0.001", value: String(state.smoothing), "aria-label": "Smoothing" })
  );
  const smoothingValue = /** @type {HTMLInputElement} */ (
    h("input", { type: "number", class: "tb-input tb-input-number scalars-smoothing-value", min: "0", max: String(MAX_SMOOTHING), step: "0.001", value: String(state.smoothing), "aria-label": "Smoothing value" })
  );
  const xAxis = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { "aria-label": "Horizontal axis" },
      h("option", { value: "step" }, "Step"),
      h("option", { value: "relative" }, "Relative time"),
      h("option", { value: "wall" }, "Wall time"),
    )
  );
  const logY = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "aria-label": "Logarithmic y axis" }));
  const logX = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "aria-label": "Logarithmic x axis" }));
  const outliers = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "aria-label": "Ignore outliers" }));
  const groupBy = /** @type {HTMLSelectElement} */ (
    h("select", { "aria-label": "Group runs by" }, h("option", { value: "none" }, "no grouping"), h("option", { value: "regex" }, "run name regex"))
  );
  const groupInput = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "search",
      class: "scalars-group",
      placeholder: "Group runs: regex to remove, e.g. seed_\\d+",
      "aria-label": "Group runs by removing this regex from run names",
    })
  );
  const band = /** @type {HTMLSelectElement} */ (
    h("select", { "aria-label": "Group band" }, h("option", { value: "minmax" }, "min–max"), h("option", { value: "std" }, "±1 std"))
  );
  const showRuns = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "aria-label": "Show the runs of each group" }));
  const linkSteps = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "aria-label": "Link the selected step across cards" }));
  const tooltipSort = /** @type {HTMLSelectElement} */ (
    h("select", { "aria-label": "Tooltip order" }, TOOLTIP_SORTS.map(([value, text]) => h("option", { value }, text)))
  );
  const tooltipRows = /** @type {HTMLInputElement} */ (
    h("input", { type: "number", class: "tb-input tb-input-number", min: "1", max: String(MAX_TOOLTIP_ROWS), step: "1", "aria-label": "Tooltip rows" })
  );
  const element = h(
    "div",
    { class: "tb-settings scalars-toolbar" },
    h("label", {}, "Smoothing ", smoothing, smoothingValue),
    h("label", {}, "X axis ", xAxis),
    h("label", {}, logY, " Log y"),
    h("label", {}, logX, " Log x"),
    h("label", {}, outliers, " Ignore outliers"),
    h("span", { class: "scalars-grouping" }, h("label", {}, "Group ", groupBy), groupInput, h("label", {}, "Band ", band), h("label", {}, showRuns, " Runs")),
    h("label", { title: "Click a chart to select a step, shift-click for a range" }, linkSteps, " Link steps"),
    h("label", {}, "Tooltip ", tooltipSort, tooltipRows, " rows"),
  );

  /** Put the state's settings into the controls (an hparam group is selected once known). */
  function showState() {
    smoothing.value = smoothingValue.value = String(state.smoothing);
    xAxis.value = state.xAxis;
    logY.checked = state.logY;
    logX.checked = state.logX;
    outliers.checked = state.ignoreOutliers;
    groupBy.value = [...groupBy.options].some((o) => o.value === state.groupBy) ? state.groupBy : "none";
    groupInput.value = state.groupPattern;
    band.value = state.band;
    showRuns.checked = state.showRuns;
    linkSteps.checked = state.linkSteps;
    tooltipSort.value = state.tooltipSort;
    tooltipRows.value = String(state.tooltipRows);
  }
  showState();

  /**
   * @template {keyof import("./url_settings.js").ScalarSettings} K
   * @param {HTMLElement} control @param {string} type @param {K} name
   * @param {() => import("./url_settings.js").ScalarSettings[K]} read @param {() => void} then
   */
  const bind = (control, type, name, read, then) =>
    control.addEventListener(type, () => {
      state[name] = read();
      saveSetting(plugin, name, state[name]);
      then();
    });
  bind(smoothing, "input", "smoothing", () => Number(smoothing.value), () => {
    smoothingValue.value = smoothing.value;
    actions.redraw();
  });
  // The number box: a typed value in range applies; anything else snaps back on leaving it.
  smoothingValue.addEventListener("input", () => {
    const value = Number(smoothingValue.value);
    if (smoothingValue.value.trim() === "" || !(value >= 0 && value <= MAX_SMOOTHING)) return;
    state.smoothing = value;
    smoothing.value = String(value);
    saveSetting(plugin, "smoothing", value);
    actions.redraw();
  });
  smoothingValue.addEventListener("change", () => (smoothingValue.value = String(state.smoothing)));
  bind(xAxis, "change", "xAxis", () => xAxis.value, actions.rebuild); // every pass holds wall times
  bind(logY, "change", "logY", () => logY.checked, actions.logScales);
  bind(logX, "change", "logX", () => logX.checked, actions.logScales);
  bind(outliers, "change", "ignoreOutliers", () => outliers.checked, actions.redraw);
  bind(groupBy, "change", "groupBy", () => groupBy.value, actions.redraw);
  bind(band, "change", "band", () => band.value, actions.redraw);
  bind(showRuns, "change", "showRuns", () => showRuns.checked, actions.redraw);
  bind(linkSteps, "change", "linkSteps", () => linkSteps.checked, actions.chartTools);
  bind(tooltipSort, "change", "tooltipSort", () => tooltipSort.value, actions.chartTools);
  bind(tooltipRows, "change", "tooltipRows", () => Math.min(MAX_TOOLTIP_ROWS, Math.max(1, Math.round(Number(tooltipRows.value)) || 12)), () => {
    tooltipRows.value = String(state.tooltipRows);
    actions.chartTools();
  });
  groupInput.addEventListener("input", () => {
    state.groupPattern = groupInput.value;
    state.groupBy = groupBy.value = "regex";
    saveSetting(plugin, "groupPattern", state.groupPattern);
    saveSetting(plugin, "groupBy", state.groupBy);
    actions.redraw();
  });

  // Back/forward or an edited URL: take all its settings, then make every chart anew once
  // (one change after another would rebuild the charts several times in a row).
  const followUrl = () => {
    const next = readSettings(plugin, MAX_SMOOTHING);
    const keys = /** @type {(keyof typeof next)[]} */ (Object.keys(next));
    if (keys.every((k) => next[k] === state[k])) return;
    Object.assign(state, next);
    showState();
    actions.rebuild();
  };
  window.addEventListener("hashchange", followUrl);

  return {
    element,
    /** Offer grouping by each of these hparams. @param {string[]} names */
    setHparams(names) {
      const options = names.map((name) => h("option", { value: `hparam:${name}` }, `hparam ${name}`));
      groupBy.replaceChildren(groupBy.options[0], groupBy.options[1], ...options);
      groupBy.value = [...groupBy.options].some((o) => o.value === state.groupBy) ? state.groupBy : "none";
    },
    /** Mark the group regex as invalid (or valid again). @param {boolean} invalid */
    markPatternInvalid(invalid) {
      groupInput.classList.toggle("invalid", invalid);
    },
    destroy() {
      window.removeEventListener("hashchange", followUrl);
    },
  };
}
