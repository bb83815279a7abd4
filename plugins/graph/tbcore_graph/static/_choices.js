/**
 * What the selectors offer, from the `info` route's answer: the runs with a graph, each run's
 * graphs (its op graph, its traces' op graphs, its Keras models), and its run metadata steps.
 * @module
 */

/**
 * The runs with at least one graph, among the selected ones, sorted.
 * @param {Record<string, any>} info @param {string[]} selected
 */
export function runsWithGraphs(info, selected) {
  const chosen = new Set(selected);
  return Object.keys(info).filter((run) => chosen.has(run) && graphChoices(info[run]).length).sort();
}

/**
 * @typedef {object} GraphChoice
 * @property {string} value the `graph_nodes` query as JSON (also the graph's cache key)
 * @property {string} label
 */

/**
 * A run's graphs: the run-wide op graph first, then per tag its op graph and its Keras model.
 * @param {any} runInfo one run of `info`
 * @returns {GraphChoice[]}
 */
export function graphChoices(runInfo) {
  if (!runInfo) return [];
  const run = runInfo.run;
  /** @type {GraphChoice[]} */
  const out = [];
  if (runInfo.run_graph) out.push({ value: JSON.stringify({ run }), label: "Op graph" });
  for (const tag of Object.keys(runInfo.tags).sort()) {
    const item = runInfo.tags[tag];
    if (item.op_graph) out.push({ value: JSON.stringify({ run, tag }), label: `Op graph: ${tag}` });
    if (item.conceptual_graph) out.push({ value: JSON.stringify({ run, tag, conceptual: "true" }), label: `Conceptual graph: ${tag}` });
  }
  return out;
}

/**
 * A run's tags with step statistics (TensorBoard's "profile"), sorted.
 * @param {any} runInfo
 * @returns {string[]}
 */
export function statsChoices(runInfo) {
  if (!runInfo) return [];
  return Object.keys(runInfo.tags).filter((tag) => runInfo.tags[tag].profile).sort();
}
