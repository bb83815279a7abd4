// The part of the view kept in the URL, so that it can be bookmarked and shared:
// #tab=scalars&runFilter=...&tagFilter=...&runs=[...]&runSort=name  (the query string is read
// too, the hash wins). TensorBoard's links are read: the dashboard alone first (#scalars,
// #images&...) as the tab, `?runFilter=` / `?tagFilter=` (2.x) and `regexInput=` (1.x's run
// filter). A tab change adds a history entry (Back returns to the previous tab); other
// changes replace the current one.

/**
 * @typedef {object} UrlState
 * @property {string} tab
 * @property {string} runFilter
 * @property {string} tagFilter
 * @property {string[] | null} runs the runs checked (a shared selection), null: not named
 * @property {string[] | null} hideRuns the runs not checked, null: not named
 * @property {string} runSort the run order ("" for the default)
 */

const TEXT_KEYS = /** @type {const} */ (["tab", "runFilter", "tagFilter", "runSort"]);
const LIST_KEYS = /** @type {const} */ (["runs", "hideRuns"]);
/** A selection longer than this (as text) is left out of the URL. */
const MAX_LIST_CHARS = 8000;

/**
 * The view named by the current URL.
 * @returns {UrlState}
 */
export function readUrlState() {
  const query = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  /** @type {UrlState} */
  const state = { tab: "", runFilter: "", tagFilter: "", runs: null, hideRuns: null, runSort: "" };
  for (const key of TEXT_KEYS) state[key] = hash.get(key) ?? query.get(key) ?? "";
  if (!state.runFilter) state.runFilter = hash.get("regexInput") ?? query.get("regexInput") ?? "";
  for (const key of LIST_KEYS) state[key] = readList(key, hash.get(key) ?? query.get(key));
  if (!state.tab) state.tab = tensorBoardTab(location.hash);
  return state;
}

/**
 * @param {string} key
 * @param {string | null} text a JSON list of names
 * @returns {string[] | null}
 */
function readList(key, text) {
  if (text === null) return null;
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  } catch {
    // reported below
  }
  console.warn(`tbcore: ignoring ${key}=${JSON.stringify(text)} in the URL (expected a JSON list of run names)`);
  return null;
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
 * Put the view in the URL's hash (without a `hashchange` event). Empty values are left out;
 * keys the shell does not own (dashboards' own view settings, such as `histograms.xAxis`) are
 * kept as they are. The query string's copies of the shell's keys (a TensorBoard link) are
 * dropped: the hash holds them now.
 * @param {Partial<UrlState>} state keys left out keep their value
 * @param {{push?: boolean}} [options] `push`: a new history entry (a tab change)
 */
export function writeUrlState(state, { push = false } = {}) {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const legacyTab = tensorBoardTab(location.hash);
  if (legacyTab) params.delete(legacyTab); // now written as tab=...
  params.delete("regexInput");
  for (const key of TEXT_KEYS) {
    if (!(key in state)) continue;
    const value = state[key];
    if (value) params.set(key, value);
    else params.delete(key);
  }
  for (const key of LIST_KEYS) {
    if (!(key in state)) continue;
    const value = state[key];
    const text = value ? JSON.stringify(value) : "";
    if (text && text.length <= MAX_LIST_CHARS) params.set(key, text);
    else params.delete(key);
  }
  const query = new URLSearchParams(location.search);
  for (const key of [...TEXT_KEYS, ...LIST_KEYS, "regexInput"]) query.delete(key);
  const search = query.toString() ? `?${query}` : "";
  const text = params.toString();
  const hash = text ? `#${text}` : "";
  if (hash === location.hash && search === location.search) return;
  const url = `${location.pathname}${search}${hash}`;
  if (push) history.pushState(null, "", url);
  else history.replaceState(history.state, "", url);
}
