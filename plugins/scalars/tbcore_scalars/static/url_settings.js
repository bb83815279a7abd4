/**
 * The scalars dashboard's settings (smoothing, x axis, log scales, outliers, grouping) in the
 * page URL's hash, as `scalars.<name>=<value>` beside the shell's keys, so that a view can be
 * bookmarked and shared. Defaults are left out of the URL; a bad value is ignored with a warning.
 * @module
 */

import { readHashText, readHashValue, writeHashValue } from "@tbcore/sdk";

/** Each setting's default. */
export const DEFAULTS = Object.freeze({
  smoothing: 0.6,
  xAxis: "step",
  logY: false,
  logX: false,
  ignoreOutliers: false,
  groupBy: "none",
  groupPattern: "",
  band: "minmax",
  showRuns: false,
});

/** @typedef {{-readonly [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K]}} ScalarSettings */

const CHOICES = { xAxis: ["step", "relative", "wall"], band: ["minmax", "std"] };
const FLAGS = ["logY", "logX", "ignoreOutliers", "showRuns"];

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
    /** @type {any} */ (out)[name] = readHashValue(key(name), ["false", "true"]) === "true";
  }
  const smoothing = readHashText(key("smoothing"));
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

/**
 * Write one setting into the URL (removed when it is the default), keeping every other key.
 * @param {string} plugin
 * @param {keyof typeof DEFAULTS} name
 * @param {string | number | boolean} value
 */
export function saveSetting(plugin, name, value) {
  writeHashValue(`${plugin}.${name}`, String(value), String(DEFAULTS[name]));
}
