/**
 * The scalars dashboard's settings (smoothing, x axis, log scales, outliers, grouping) in the
 * page URL's hash, as `scalars.<name>=<value>` beside the shell's keys, so that a view can be
 * bookmarked and shared. Defaults are left out of the URL; a bad value is ignored with a warning.
 * TensorBoard's own link parameters are read too: `?smoothing=0.8` (its 2.x query string) and
 * `_smoothingWeight=` (its older hash).
 * @module
 */

import { readHashText, readHashValue, writeHashValue } from "@tbcore/sdk";

/** Each setting's default. */
export const DEFAULTS = Object.freeze({
  smoothing: 0.6,
  xAxis: "step",
  logY: false,
  logX: false,
  ignoreOutliers: true,
  groupBy: "none",
  groupPattern: "",
  band: "minmax",
  showRuns: false,
  linkSteps: false,
  tooltipSort: "nearest",
  tooltipRows: 12,
});

/** @typedef {{-readonly [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K]}} ScalarSettings */

const CHOICES = { xAxis: ["step", "relative", "wall"], band: ["minmax", "std"], tooltipSort: ["nearest", "default", "descending", "ascending"] };
const FLAGS = ["logY", "logX", "ignoreOutliers", "showRuns", "linkSteps"];
/** Most rows a tooltip may be set to list. */
export const MAX_TOOLTIP_ROWS = 100;

/**
 * The settings the URL names, the defaults for the others.
 * @param {string} plugin the plugin name (the keys' prefix)
 * @param {number} maxSmoothing
 * @returns {ScalarSettings}
 */
export function readSettings(plugin, maxSmoothing) {
  const out = { ...DEFAULTS };
  const key = (/** @type {string} */ name) => `${plugin}.${name}`;
  for (const [name, values] of Object.entries(CHOICES)) {
    /** @type {any} */ (out)[name] = readHashValue(key(name), values);
  }
  for (const name of FLAGS) {
    const fallback = String(DEFAULTS[/** @type {keyof typeof DEFAULTS} */ (name)]);
    const values = fallback === "true" ? ["true", "false"] : ["false", "true"];
    /** @type {any} */ (out)[name] = readHashValue(key(name), values) === "true";
  }
  const rows = readHashText(key("tooltipRows"));
  if (rows !== null) {
    const value = Number(rows);
    if (Number.isInteger(value) && value >= 1 && value <= MAX_TOOLTIP_ROWS) out.tooltipRows = value;
    else console.warn(`tbcore: ignoring ${key("tooltipRows")}=${JSON.stringify(rows)} in the URL (expected 1 to ${MAX_TOOLTIP_ROWS})`);
  }
  const smoothing = readHashText(key("smoothing")) ?? tensorBoardSmoothing();
  if (smoothing !== null) {
    const value = Number(smoothing);
    if (smoothing.trim() !== "" && value >= 0 && value <= maxSmoothing) out.smoothing = value;
    else console.warn(`tbcore: ignoring ${key("smoothing")}=${JSON.stringify(smoothing)} in the URL (expected 0 to ${maxSmoothing})`);
  }
  const groupBy = readHashText(key("groupBy"));
  if (groupBy !== null) {
    if (/^(none|regex|hparam:.+)$/.test(groupBy)) out.groupBy = groupBy;
    else console.warn(`tbcore: ignoring ${key("groupBy")}=${JSON.stringify(groupBy)} in the URL`);
  }
  out.groupPattern = readHashText(key("groupPattern")) ?? "";
  return out;
}

/** TensorBoard's smoothing parameter: `?smoothing=` (2.x), else `_smoothingWeight=` (1.x hash). */
function tensorBoardSmoothing() {
  const query = new URLSearchParams(location.search).get("smoothing");
  if (query !== null) return query;
  return new URLSearchParams(location.hash.replace(/^#/, "")).get("_smoothingWeight");
}

/**
 * Write one setting into the URL (removed when it is the default), keeping every other key.
 * @param {string} plugin
 * @param {keyof typeof DEFAULTS} name
 * @param {string | number | boolean} value
 */
export function saveSetting(plugin, name, value) {
  writeHashValue(`${plugin}.${name}`, String(value), String(DEFAULTS[name]));
}
