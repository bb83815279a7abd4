/**
 * The image view settings every dashboard that shows images uses (Images, Time Series):
 * brightness, contrast and actual size, kept in the page URL as the Images dashboard's keys
 * (`#images.brightness=1.5&images.actualSize=true`), so there is one setting, set in either
 * tab and shown in both, carried by a link. Defaults are left out of the URL.
 *
 * A dashboard reads them with {@link readImageSettings}, saves a change with
 * {@link writeImageSetting}, and reads them again on `hashchange` (the shell sends one when
 * a tab is shown, so a tab follows what another tab set meanwhile).
 * @module
 */

import { readHashFlag, readHashNumber, writeHashValue } from "./view_settings.js";

/** The settings: URL key, range and default. */
export const IMAGE_SETTINGS = Object.freeze({
  brightness: Object.freeze({ key: "images.brightness", min: 0, max: 3, step: 0.05, fallback: 1 }),
  contrast: Object.freeze({ key: "images.contrast", min: 0, max: 3, step: 0.05, fallback: 1 }),
  actualSize: Object.freeze({ key: "images.actualSize", fallback: false }),
});

/**
 * @typedef {object} ImageSettings
 * @property {number} brightness CSS `brightness()` factor, 1: unchanged
 * @property {number} contrast CSS `contrast()` factor, 1: unchanged
 * @property {boolean} actualSize show images at their own size instead of fitting the card
 */

/**
 * The settings the URL names now (defaults for those it does not, or names wrongly).
 * @returns {ImageSettings}
 */
export function readImageSettings() {
  return {
    brightness: readHashNumber(IMAGE_SETTINGS.brightness.key, IMAGE_SETTINGS.brightness),
    contrast: readHashNumber(IMAGE_SETTINGS.contrast.key, IMAGE_SETTINGS.contrast),
    actualSize: readHashFlag(IMAGE_SETTINGS.actualSize.key, IMAGE_SETTINGS.actualSize.fallback),
  };
}

/**
 * Save one setting in the URL (a default value is removed), without a history entry.
 * @param {keyof ImageSettings} name
 * @param {number | boolean} value
 */
export function writeImageSetting(name, value) {
  const setting = IMAGE_SETTINGS[name];
  writeHashValue(setting.key, String(value), String(setting.fallback));
}

/**
 * The CSS `filter` of these settings.
 * @param {ImageSettings} settings
 */
export function imageFilter({ brightness, contrast }) {
  return `brightness(${brightness}) contrast(${contrast})`;
}
