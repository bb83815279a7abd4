// The part of the view kept in the URL, so that it can be bookmarked:
// #tab=scalars&runFilter=...&tagFilter=...  (the query string is read too, the hash wins).
// TensorBoard's links name the dashboard alone first (#scalars, #images&...): read as the tab.

/** @typedef {{tab: string, runFilter: string, tagFilter: string}} UrlState */

const KEYS = /** @type {const} */ (["tab", "runFilter", "tagFilter"]);

/**
 * The view named by the current URL.
 * @returns {UrlState}
 */
export function readUrlState() {
  const query = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  /** @type {UrlState} */
  const state = { tab: "", runFilter: "", tagFilter: "" };
  for (const key of KEYS) state[key] = hash.get(key) ?? query.get(key) ?? "";
  if (!state.tab) state.tab = tensorBoardTab(location.hash);
  return state;
}

/**
 * The dashboard named by a TensorBoard-style hash (`#images` or `#images&...`), or "".
 * @param {string} hash
 * @returns {string}
 */
function tensorBoardTab(hash) {
  const first = hash.replace(/^#/, "").split("&", 1)[0];
  if (!first || first.includes("=")) return "";
  try {
    return decodeURIComponent(first);
  } catch {
    return ""; // a malformed escape (#%zz): no tab named
  }
}

/**
 * Put the view in the URL's hash without adding a history entry (and without a
 * `hashchange` event). Empty values are left out; keys the shell does not own (dashboards'
 * own view settings, such as `histograms.xAxis`) are kept as they are.
 * @param {UrlState} state
 */
export function writeUrlState(state) {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const legacyTab = tensorBoardTab(location.hash);
  if (legacyTab) params.delete(legacyTab); // now written as tab=...
  for (const key of KEYS) {
    if (state[key]) params.set(key, state[key]);
    else params.delete(key);
  }
  const text = params.toString();
  const hash = text ? `#${text}` : "";
  if (hash === location.hash || (!hash && !location.hash)) return;
  history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
}
