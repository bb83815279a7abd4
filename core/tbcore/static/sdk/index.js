/**
 * The tbcore browser SDK, imported by dashboards as `@tbcore/sdk` (the page's import map
 * points there). Plain ES modules, no build step.
 * @module
 */

export { escapeHtml } from "./escape.js";
export { h, append, clear, setAttributes } from "./dom.js";
export { runColor, assignRunColors, setRunColor, onRunColorChange, PALETTE, withAlpha } from "./colors.js";
export {
  fetchJson,
  fetchText,
  fetchBlob,
  postJson,
  request,
  queryString,
  HttpError,
  CSRF_HEADER,
} from "./fetch.js";
export { groupTags, tagMatcher } from "./tags.js";
export { renderEmpty, renderLoading, renderError } from "./states.js";
export { Tooltip } from "./tooltip.js";
export { CardGrid } from "./card_grid.js";
export { LineChart } from "./line_chart.js";
export { TOOLTIP_SORTS, DEFAULT_TOOLTIP_ROWS } from "./chart_tooltip.js";
export { selectionTable, tableCsv, copyText } from "./step_table.js";
export { formatNumber, formatTick } from "./number_format.js";
export { viewSetting, readHashText, readHashValue, readHashNumber, readHashFlag, writeHashValue } from "./view_settings.js";
export { IMAGE_SETTINGS, readImageSettings, writeImageSetting, imageFilter } from "./image_settings.js";
export { createStore } from "./store.js";
export { createPluginContext } from "./context.js";
export { smooth, robustRange } from "./smoothing.js";
export { numbers, decodeColumns, fetchColumns } from "./columns.js";
export { StepSlider, formatWallTime, indexAtOrBefore, nextIndex } from "./step_slider.js";
export { RidgeView, ridgeBudget } from "./ridge_view.js";
export { parseRows as parseHistogramRows } from "./ridges.js";
export { X_AXIS_CHOICES, formatDuration } from "./time_axis.js";
