/**
 * Pinned cards: their keys, kept in the URL (`timeseries.pinned`, a JSON list, so a shared
 * link shows the same pins) and in this browser's storage (so a plain reload keeps them).
 * The URL wins when it names pins.
 * @module
 */

import { readHashText, writeHashValue } from "@tbcore/sdk";

const STORAGE_KEY = "tbcore.timeseries.pinned";

/** @param {string | null} text @returns {string[] | null} */
function parseList(text) {
  if (text === null) return null;
  try {
    const list = JSON.parse(text);
    if (Array.isArray(list)) return list.filter((k) => typeof k === "string");
  } catch {
    // fall through
  }
  console.warn(`tbcore: ignoring a malformed list of pinned cards: ${JSON.stringify(text)}`);
  return null;
}

/**
 * The pinned keys: the URL's, else the ones saved in this browser.
 * @param {string} plugin
 * @returns {Set<string>}
 */
export function readPins(plugin) {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage disabled
  }
  return new Set(parseList(readHashText(`${plugin}.pinned`)) ?? parseList(saved) ?? []);
}

/**
 * Save the pinned keys in the URL and in this browser.
 * @param {string} plugin
 * @param {Set<string>} pins
 */
export function writePins(plugin, pins) {
  const text = JSON.stringify([...pins]);
  writeHashValue(`${plugin}.pinned`, pins.size ? text : "", "");
  try {
    localStorage.setItem(STORAGE_KEY, text);
  } catch {
    // storage full or disabled: the URL still holds them
  }
}
