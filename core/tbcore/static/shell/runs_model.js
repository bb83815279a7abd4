// Which runs exist, which are checked, and which the run filter lets through. Dashboards see
// the runs that are both checked and matched by the filter. New runs start checked.

import { assignRunColors, createStore, tagMatcher } from "@tbcore/sdk";

/**
 * @param {string[]} a
 * @param {string[]} b
 */
const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export class RunsModel {
  constructor() {
    /** Every run, in the server's order. */
    this.runList = createStore(/** @type {{name: string}[]} */ ([]));
    /** Runs checked and matching the filter, in the server's order. */
    this.selection = createStore(/** @type {string[]} */ ([]), sameList);
    /** The run filter pattern. */
    this.filter = createStore("");
    this.matcher = tagMatcher("");
    /** @type {Set<string>} */
    this.unchecked = new Set();
    /** @type {Map<string, boolean>} */
    this.matchCache = new Map();
  }

  /** @param {string[]} names */
  setRuns(names) {
    const current = this.runList.get();
    if (sameList(current.map((r) => r.name), names)) return;
    const known = new Set(names);
    for (const name of this.unchecked) if (!known.has(name)) this.unchecked.delete(name);
    assignRunColors(names); // before anyone renders the new list
    this.runList.set(names.map((name) => ({ name })));
    this._recompute();
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

  _recompute() {
    this.selection.set(
      this.runList.get()
        .filter((r) => !this.unchecked.has(r.name) && this.matches(r.name))
        .map((r) => r.name),
    );
  }
}
