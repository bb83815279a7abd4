/**
 * The time series settings pane: the scalars settings (smoothing, x axis, outliers, log
 * scale), the histograms' (mode) and the images' (brightness, contrast, actual size), and the
 * cards' size, in one pane. Each is kept in the URL (defaults left out), so a link carries
 * the view and back/forward follow it. The scalar, histogram and image settings are the
 * Scalars, Histograms and Images tabs' own keys (`scalars.smoothing`, `histograms.mode`,
 * `images.brightness`, ...): one setting, shown in either tab. The others are
 * `timeseries.<name>`.
 * @module
 */

import { IMAGE_SETTINGS, X_AXIS_CHOICES, h, readHashFlag, readHashNumber, viewSetting, writeHashValue } from "@tbcore/sdk";

/** The highest smoothing weight, as in TensorBoard. */
export const MAX_SMOOTHING = 0.999;

/** Card widths (the grid's smallest column, CSS px) and chart heights (CSS px). */
export const CARD_WIDTHS = { small: 300, medium: 420, large: 640 };
export const CARD_HEIGHTS = { small: 160, medium: 230, large: 360 };

/**
 * @typedef {object} Settings
 * @property {number} smoothing
 * @property {string} xAxis
 * @property {boolean} ignoreOutliers
 * @property {boolean} logY
 * @property {string} histogramMode
 * @property {number} brightness
 * @property {number} contrast
 * @property {boolean} actualSize images at their own size instead of fitting the card
 * @property {keyof typeof CARD_WIDTHS} cardWidth
 * @property {keyof typeof CARD_HEIGHTS} cardHeight
 */

/**
 * A number kept in the URL: a range input and a number box that follow each other.
 * @param {string} key URL key
 * @param {{label: string, min: number, max: number, step: number, fallback: number, className: string}} o
 * @param {(value: number) => void} onChange
 */
function numberSetting(key, o, onChange) {
  const read = () => readHashNumber(key, o);
  const attrs = { min: String(o.min), max: String(o.max), step: String(o.step), value: String(read()) };
  const range = /** @type {HTMLInputElement} */ (h("input", { type: "range", ...attrs, class: o.className, "aria-label": o.label }));
  const box = /** @type {HTMLInputElement} */ (h("input", { type: "number", ...attrs, class: `${o.className}-value`, "aria-label": `${o.label} value` }));
  const set = (/** @type {number} */ value, /** @type {boolean} */ save) => {
    range.value = box.value = String(value);
    if (save) writeHashValue(key, String(value), String(o.fallback));
    onChange(value);
  };
  range.addEventListener("input", () => set(Number(range.value), true));
  box.addEventListener("change", () => {
    const value = Number(box.value);
    if (box.value.trim() !== "" && value >= o.min && value <= o.max) set(value, true);
    else box.value = range.value;
  });
  const follow = () => {
    const value = read();
    if (value !== Number(range.value)) set(value, false);
  };
  return { element: h("label", {}, `${o.label} `, range, box), get: () => Number(range.value), follow };
}

/**
 * A checkbox kept in the URL as `true` / `false`.
 * @param {string} key
 * @param {{label: string, fallback: boolean, className: string}} o
 * @param {(value: boolean) => void} onChange
 */
function flagSetting(key, o, onChange) {
  const read = () => readHashFlag(key, o.fallback);
  const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: o.className, "aria-label": o.label }));
  box.checked = read();
  box.addEventListener("change", () => {
    writeHashValue(key, String(box.checked), String(o.fallback));
    onChange(box.checked);
  });
  const follow = () => {
    if (box.checked === read()) return;
    box.checked = read();
    onChange(box.checked);
  };
  return { element: h("label", {}, box, ` ${o.label}`), get: () => box.checked, follow };
}

/**
 * Build the pane.
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {{redrawScalars: () => void, rebuild: () => void, redrawHistograms: () => void, restyle: () => void}} actions
 *   what a change asks of the dashboard: redraw the scalar charts from their data, make
 *   every card anew (x axis, card height), redraw the histograms, apply styles (images, width)
 * @returns {{element: HTMLElement, get: () => Settings, destroy: () => void}}
 */
export function createSettings(ctx, actions) {
  const scalars = { pluginName: "scalars" };
  const smoothing = numberSetting("scalars.smoothing", { label: "Smoothing", min: 0, max: MAX_SMOOTHING, step: 0.001, fallback: 0.6, className: "timeseries-smoothing" }, actions.redrawScalars);
  const xAxis = viewSetting(scalars, { name: "xAxis", label: "X axis", className: "timeseries-x-axis", choices: X_AXIS_CHOICES, onChange: actions.rebuild });
  const outliers = flagSetting("scalars.ignoreOutliers", { label: "Ignore outliers", fallback: true, className: "timeseries-outliers" }, actions.redrawScalars);
  const logY = flagSetting("scalars.logY", { label: "Log y", fallback: false, className: "timeseries-log-y" }, actions.rebuild);
  const mode = viewSetting({ pluginName: "histograms" }, { name: "mode", label: "Mode", className: "timeseries-histogram-mode", choices: [["offset", "Offset"], ["overlay", "Overlay"]], onChange: actions.redrawHistograms });
  const images = IMAGE_SETTINGS;
  const brightness = numberSetting(images.brightness.key, { ...images.brightness, label: "Brightness", className: "timeseries-brightness" }, actions.restyle);
  const contrast = numberSetting(images.contrast.key, { ...images.contrast, label: "Contrast", className: "timeseries-contrast" }, actions.restyle);
  const actualSize = flagSetting(images.actualSize.key, { ...images.actualSize, label: "Actual size", className: "timeseries-actual-size-toggle" }, actions.restyle);
  const width = viewSetting(ctx, { name: "cardWidth", label: "Card width", className: "timeseries-card-width", choices: [["medium", "Medium"], ["small", "Small"], ["large", "Large"]], onChange: actions.restyle });
  const height = viewSetting(ctx, { name: "cardHeight", label: "Card height", className: "timeseries-card-height", choices: [["medium", "Medium"], ["small", "Small"], ["large", "Large"]], onChange: actions.rebuild });
  const section = (/** @type {string} */ title, /** @type {HTMLElement[]} */ ...controls) =>
    h("fieldset", { class: "timeseries-settings-group" }, h("legend", null, title), ...controls);
  const element = h(
    "aside",
    { class: "timeseries-settings", "aria-label": "Time series settings" },
    section("Cards", width.element, height.element),
    section("Scalars", smoothing.element, xAxis.element, outliers.element, logY.element),
    section("Histograms", mode.element),
    section("Images", brightness.element, contrast.element, actualSize.element),
  );
  const onHash = () => [smoothing, outliers, logY, brightness, contrast, actualSize].forEach((s) => s.follow());
  window.addEventListener("hashchange", onHash);
  return {
    element,
    get: () => ({
      smoothing: smoothing.get(),
      xAxis: xAxis.get(),
      ignoreOutliers: outliers.get(),
      logY: logY.get(),
      histogramMode: mode.get(),
      brightness: brightness.get(),
      contrast: contrast.get(),
      actualSize: actualSize.get(),
      cardWidth: /** @type {keyof typeof CARD_WIDTHS} */ (width.get()),
      cardHeight: /** @type {keyof typeof CARD_HEIGHTS} */ (height.get()),
    }),
    destroy: () => {
      window.removeEventListener("hashchange", onHash);
      for (const s of [xAxis, mode, width, height]) s.destroy();
    },
  };
}
