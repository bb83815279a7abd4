/**
 * The tbcore browser SDK, imported by dashboards as `@tbcore/sdk` (the page's import map
 * points there). Plain ES modules, no build step.
 * @module
 */

export { escapeHtml } from "./escape.js";
export { h, append, clear, setAttributes } from "./dom.js";
export { runColor, assignRunColors, PALETTE, withAlpha } from "./colors.js";
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
export { formatNumber, formatTick } from "./number_format.js";
export { viewSetting, readHashText, readHashValue, writeHashValue } from "./view_settings.js";
export { createStore } from "./store.js";
export { createPluginContext } from "./context.js";
