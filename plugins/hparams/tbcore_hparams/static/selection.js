/**
 * The trials selected in the table are the runs selected in the shell's run selector, in
 * both directions: a trial is selected while its first session's run is; selecting trials
 * sets the shell's run filter (`#runFilter=`, which the shell follows) to a pattern that
 * matches exactly their runs (each session, the runs below it, and torch's parent run of a
 * timestamped session), or, when fewer trials are left out than kept, every run but those
 * of the trials left out. Every dashboard then shows the same runs.
 * @module
 */

/** A pattern that matches no run at all. */
const NOTHING = "^(?!)";

/** @param {string} text */
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * The indices of the trials whose run is selected in the shell.
 * @param {import("./data.js").Trials} model
 * @param {string[]} selectedRuns `ctx.runs.selected()`
 * @returns {Set<number>}
 */
export function selectedTrials(model, selectedRuns) {
  const runs = new Set(selectedRuns);
  const out = new Set();
  model.trials.forEach((t, i) => runs.has(t.run) && out.add(i));
  return out;
}

/**
 * The run-filter pattern that selects exactly the trials `chosen` ("" when every trial is).
 * @param {import("./data.js").Trials} model
 * @param {Set<number>} chosen
 * @param {string[]} allRuns every run the shell lists
 * @returns {string}
 */
export function runFilterFor(model, chosen, allRuns) {
  const n = model.trials.length;
  if (chosen.size >= n) return "";
  if (chosen.size === 0) return NOTHING;
  const runs = new Set(allRuns);
  const sessions = new Set(model.trials.flatMap((t) => t.sessions));
  const include = chosen.size <= n - chosen.size;
  /** @type {string[]} */
  const trees = [];
  /** @type {string[]} */
  const parents = [];
  model.trials.forEach((t, i) => {
    if (chosen.has(i) !== include) return;
    for (const session of t.sessions) {
      trees.push(escapeRegex(session));
      const slash = session.lastIndexOf("/");
      const parent = slash > 0 ? session.slice(0, slash) : "";
      if (parent && runs.has(parent) && !sessions.has(parent)) parents.push(escapeRegex(parent));
    }
  });
  const alternatives = [`(?:${trees.join("|")})(?:/|$)`];
  if (parents.length) alternatives.push(`(?:${parents.join("|")})$`);
  const body = alternatives.join("|");
  return include ? `^(?:${body})` : `^(?!${body})`;
}

/**
 * Set the shell's run filter: written into the URL's hash, then a `hashchange` event, which
 * the shell follows (the run selector shows the new filter and every dashboard its runs).
 * @param {string} pattern
 */
export function setRunFilter(pattern) {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  if ((params.get("runFilter") ?? "") === pattern) return;
  if (pattern) params.set("runFilter", pattern);
  else params.delete("runFilter");
  const text = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${location.search}${text ? `#${text}` : ""}`);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}
