/**
 * The trials of the experiment as columns: one per hparam and per metric, each holding one
 * value per trial (session group), read from the `experiment` and `session_groups` routes.
 * @module
 */

export const STATUSES = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"];
/** Largest `sliceSize` the server takes: every group in one answer. */
const ALL_GROUPS = 2 ** 31 - 1;

/**
 * @typedef {object} Column
 * @property {string} key `h:<name>` for an hparam, `m:["group","tag"]` for a metric
 * @property {"hparam" | "metric"} kind
 * @property {string} label shown in headers and on axes
 * @property {string} [description]
 * @property {"number" | "string" | "bool"} type
 * @property {(number | string | boolean | null)[]} values one per trial; null when missing
 * @property {Float64Array} numbers numeric columns: the values, NaN when missing or not a number
 * @property {(string | boolean | number)[]} categories distinct values (non-numeric columns), sorted
 * @property {number} min smallest finite value (numeric columns), else NaN
 * @property {number} max largest finite value
 * @property {boolean} positive every finite value > 0 (a log axis is possible)
 */

/**
 * @typedef {object} Trial
 * @property {string} name the group's name
 * @property {string[]} sessions its sessions' runs
 * @property {string} run the run its colour and selection follow (its first session)
 * @property {string} status a status, or `MIXED` when its sessions disagree
 * @property {string[]} statuses each session's status
 */

/**
 * @typedef {object} Trials
 * @property {Trial[]} trials
 * @property {Column[]} columns hparams first (the experiment's order), then metrics
 * @property {Map<string, Column>} byKey
 */

/**
 * Key of a metric column.
 * @param {{group?: string, tag?: string}} name
 */
export const metricKey = (name) => `m:${JSON.stringify([name.group ?? "", name.tag ?? ""])}`;

const AGGREGATIONS = { median: "AGGREGATION_MEDIAN", min: "AGGREGATION_MIN", max: "AGGREGATION_MAX" };

/**
 * Fetch the experiment and every session group.
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {string} aggregate "" (each metric averaged over a trial's sessions), or
 *   `median:`, `min:` or `max:` and a metric key (the metrics of the session with the median,
 *   smallest or largest value of that metric)
 * @returns {Promise<Trials>}
 */
export async function fetchTrials(ctx, aggregate = "") {
  /** @type {Record<string, unknown>} */
  const body = { experimentName: "", allowedStatuses: STATUSES, sliceSize: ALL_GROUPS };
  const match = /^(median|min|max):m:(.*)$/.exec(aggregate);
  if (match) {
    try {
      const [group, tag] = JSON.parse(match[2]);
      body.aggregationType = AGGREGATIONS[/** @type {"median" | "min" | "max"} */ (match[1])];
      body.aggregationMetric = { group: String(group), tag: String(tag) };
    } catch {
      // a malformed key: average
    }
  }
  const [experiment, answer] = await Promise.all([
    ctx.postJson("experiment", { experimentName: "" }),
    ctx.postJson("session_groups", body),
  ]);
  return buildTrials(experiment, answer.sessionGroups ?? []);
}

/**
 * Build the columns from an `experiment` answer and `session_groups`' groups.
 * @param {any} experiment
 * @param {any[]} groups
 * @returns {Trials}
 */
export function buildTrials(experiment, groups) {
  const trials = groups.map((g) => trialOf(g));
  /** @type {Column[]} */
  const columns = [];
  const hparamNames = (experiment.hparamInfos ?? []).map((/** @type {any} */ info) => info.name);
  const known = new Set(hparamNames);
  for (const g of groups) for (const name of Object.keys(g.hparams ?? {})) if (!known.has(name)) known.add(name), hparamNames.push(name);
  const infos = new Map((experiment.hparamInfos ?? []).map((/** @type {any} */ i) => [i.name, i]));
  for (const name of hparamNames) {
    const info = infos.get(name) ?? {};
    const values = groups.map((g) => (g.hparams && name in g.hparams ? g.hparams[name] : null));
    columns.push(makeColumn(`h:${name}`, "hparam", info.displayName || name, info.description ?? "", values));
  }
  for (const info of experiment.metricInfos ?? []) {
    const { group = "", tag = "" } = info.name ?? {};
    const values = groups.map((g) => {
      const found = (g.metricValues ?? []).find((/** @type {any} */ m) => (m.name?.group ?? "") === group && (m.name?.tag ?? "") === tag);
      return found ? toNumber(found.value) : null;
    });
    columns.push(makeColumn(metricKey({ group, tag }), "metric", info.displayName || (group ? `${group}/${tag}` : tag), info.description ?? "", values));
  }
  return { trials, columns, byKey: new Map(columns.map((c) => [c.key, c])) };
}

/** @param {any} group @returns {Trial} */
function trialOf(group) {
  const sessions = (group.sessions ?? []).map((/** @type {any} */ s) => String(s.name));
  const statuses = (group.sessions ?? []).map((/** @type {any} */ s) => String(s.status ?? "STATUS_UNKNOWN"));
  const distinct = new Set(statuses);
  return {
    name: String(group.name),
    sessions,
    run: sessions[0] ?? String(group.name),
    statuses,
    status: distinct.size === 1 ? statuses[0] : distinct.size === 0 ? "STATUS_UNKNOWN" : "MIXED",
  };
}

/** The API's numbers: finite numbers, or the strings "NaN", "Infinity", "-Infinity". */
function toNumber(/** @type {unknown} */ value) {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return NaN;
}

/**
 * @param {string} key
 * @param {"hparam" | "metric"} kind
 * @param {string} label
 * @param {string} description
 * @param {(number | string | boolean | null)[]} values
 * @returns {Column}
 */
function makeColumn(key, kind, label, description, values) {
  const present = values.filter((v) => v !== null && v !== undefined);
  /** @type {Column["type"]} */
  let type = "string";
  if (present.every((v) => typeof v === "number")) type = "number";
  else if (present.every((v) => typeof v === "boolean")) type = "bool";
  const numbers = new Float64Array(values.length);
  let min = Infinity, max = -Infinity, positive = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const x = type === "number" && typeof v === "number" ? v : NaN;
    numbers[i] = x;
    if (Number.isFinite(x)) {
      if (x < min) min = x;
      if (x > max) max = x;
      if (x <= 0) positive = false;
    }
  }
  const categories = type === "number" ? [] : [...new Set(present.map((v) => (type === "string" ? String(v) : v)))].sort(compareValues);
  if (type === "string") for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) values[i] = String(values[i]);
  return {
    key, kind, label, description, type, values, numbers, categories,
    min: min <= max ? min : NaN, max: min <= max ? max : NaN, positive: positive && min <= max,
  };
}

/**
 * Ascending order of hparam values: numbers, then booleans (false first), then strings.
 * @param {any} a
 * @param {any} b
 */
export function compareValues(a, b) {
  const rank = (/** @type {any} */ v) => (typeof v === "number" ? 0 : typeof v === "boolean" ? 1 : 2);
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A value as the table shows it.
 * @param {number | string | boolean | null} value
 */
export function formatValue(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "+Infinity" : "-Infinity";
    if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6)) return value.toExponential(3).replace(/\.?0+e/, "e");
    return String(Number(value.toPrecision(6)));
  }
  return String(value);
}

/**
 * A status as the table shows it.
 * @param {string} status
 */
export const statusLabel = (status) => (status === "MIXED" ? "mixed" : status.replace(/^STATUS_/, "").toLowerCase());
