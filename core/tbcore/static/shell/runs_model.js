// Which runs exist, in which order, which are checked, and which the run filter lets
// through. Dashboards see the runs that are both checked and matched by the filter, in the
// run order (the server's, by start time, or by name or newest first when the user sorts the
// run table by one of its columns). New runs
// start checked; a large experiment starts with its first MAX_INITIAL_RUNS runs checked, as
// TensorBoard does.

import { assignRunColors, createStore, tagMatcher } from "@tbcore/sdk";

/** Runs checked when an experiment with more runs opens (TensorBoard's bound). */
export const MAX_INITIAL_RUNS = 40;

/** The run orders offered: `[value, label]`, the default first. */
export const RUN_ORDERS = Object.freeze([
  ["start", "Start time"],
  ["start-desc", "Start time, newest first"],
  ["name", "Name A–Z"],
  ["name-desc", "Name Z–A"],
]);

/**
 * @param {string[]} a
 * @param {string[]} b
 */
const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * @param {string | undefined} order
 * @returns {string} `order` if it is one of {@link RUN_ORDERS}, else the default
 */
const knownOrder = (order) => (RUN_ORDERS.some(([v]) => v === order) ? /** @type {string} */ (order) : "start");

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export class RunsModel {
  /**
   * @param {{checked?: string[] | null, unchecked?: string[] | null, order?: string}} [initial]
   *   the selection a link names: exactly these runs checked, or all but these
   */
  constructor(initial = {}) {
    /** Every run, in the run order. */
    this.runList = createStore(/** @type {{name: string}[]} */ ([]));
    /** Runs checked and matching the filter, in the run order. */
    this.selection = createStore(/** @type {string[]} */ ([]), sameList);
    /** The run filter pattern. */
    this.filter = createStore("");
    /** The run order: one of {@link RUN_ORDERS}. */
    this.order = createStore(knownOrder(initial.order));
    /** Set when the first run list was bounded: `{shown, total}`. */
    this.bounded = createStore(/** @type {{shown: number, total: number} | null} */ (null));
    this.matcher = tagMatcher("");
    /** @type {Set<string>} */
    this.unchecked = new Set();
    /** @type {Map<string, boolean>} */
    this.matchCache = new Map();
    /** The server's order. @type {string[]} */
    this.serverOrder = [];
    /** Each run's start (wall time of its first event, seconds), null before it has one. @type {Map<string, number | null>} */
    this.starts = new Map();
    this.initial = initial;
    this.started = false;
    this.order.subscribe(() => this._applyOrder());
  }

  /**
   * @param {{name: string, start_time: number | null}[]} listed in the server's order (by start
   *   time), as `data/runs?with=start_time` gives them
   */
  setRuns(listed) {
    const names = listed.map((r) => r.name);
    const starts = new Map(listed.map((r) => [r.name, r.start_time]));
    const sameStarts = names.every((name) => this.starts.get(name) === starts.get(name));
    if (this.started && sameList(this.serverOrder, names) && sameStarts) return;
    const known = new Set(names);
    for (const name of this.unchecked) if (!known.has(name)) this.unchecked.delete(name);
    assignRunColors(names); // before anyone renders the new list
    this.serverOrder = [...names];
    this.starts = starts;
    if (!this.started) {
      this.started = true;
      this._initialSelection(names);
    }
    this._applyOrder();
  }

  /**
   * The first run list's selection: the link's, else the first MAX_INITIAL_RUNS runs (in the
   * run order) of a large experiment, else every run.
   * @param {string[]} names
   */
  _initialSelection(names) {
    const { checked, unchecked } = this.initial;
    if (checked) {
      const keep = new Set(checked);
      for (const name of names) if (!keep.has(name)) this.unchecked.add(name);
    } else if (unchecked) {
      for (const name of unchecked) this.unchecked.add(name);
    } else if (names.length > MAX_INITIAL_RUNS) {
      const ordered = this._sorted(names);
      for (const name of ordered.slice(MAX_INITIAL_RUNS)) this.unchecked.add(name);
      this.bounded.set({ shown: MAX_INITIAL_RUNS, total: names.length });
    }
  }

  /** @param {string[]} names */
  _sorted(names) {
    const order = this.order.get();
    if (order === "start") return [...names];
    if (order === "start-desc") return [...names].reverse();
    const sorted = [...names].sort(collator.compare);
    return order === "name-desc" ? sorted.reverse() : sorted;
  }

  _applyOrder() {
    const names = this._sorted(this.serverOrder);
    if (!sameList(this.runList.get().map((r) => r.name), names)) this.runList.set(names.map((name) => ({ name })));
    this._recompute();
  }

  /**
   * Sort the runs in this order (an unknown one, or "", is the default: by start time).
   * @param {string | undefined} order one of {@link RUN_ORDERS}
   */
  setOrder(order) {
    this.order.set(knownOrder(order));
  }

  /** @param {string} pattern */
  setFilter(pattern) {
    this.matcher = tagMatcher(pattern);
    this.matchCache.clear();
    this.filter.set(pattern);
    this._recompute();
  }

  /** @param {string} name */
  matches(name) {
    let hit = this.matchCache.get(name);
    if (hit === undefined) {
      hit = this.matcher(name);
      this.matchCache.set(name, hit);
    }
    return hit;
  }

  /**
   * When the run started (its first event's wall time, seconds since the epoch), null when it
   * has none yet or is unknown.
   * @param {string} name
   */
  startTime(name) {
    return this.starts.get(name) ?? null;
  }

  /** @param {string} name */
  isChecked(name) {
    return !this.unchecked.has(name);
  }

  /**
   * @param {Iterable<string>} names
   * @param {boolean} checked
   */
  setChecked(names, checked) {
    for (const name of names) {
      if (checked) this.unchecked.delete(name);
      else this.unchecked.add(name);
    }
    this._recompute();
  }

  /** Names that the filter lets through. */
  visible() {
    return this.runList.get().filter((r) => this.matches(r.name)).map((r) => r.name);
  }

  /**
   * The checked runs as a link keeps them: `{runs}` (those checked) or `{hideRuns}` (those
   * not), whichever is shorter; `{}` when every run is checked.
   * @returns {{runs?: string[], hideRuns?: string[]}}
   */
  linkSelection() {
    if (this.unchecked.size === 0) return {};
    const checked = this.serverOrder.filter((name) => !this.unchecked.has(name));
    return checked.length <= this.unchecked.size ? { runs: checked } : { hideRuns: [...this.unchecked] };
  }

  _recompute() {
    this.selection.set(
      this.runList.get()
        .filter((r) => !this.unchecked.has(r.name) && this.matches(r.name))
        .map((r) => r.name),
    );
  }
}
