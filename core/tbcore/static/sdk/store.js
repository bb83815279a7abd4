/**
 * A minimal observable value, the building block of the shell's shared state.
 * @module
 */

/**
 * @template T
 * @typedef {object} Store
 * @property {() => T} get
 * @property {(value: T) => void} set notifies subscribers unless `equals(old, new)`
 * @property {(fn: (value: T) => void) => () => void} subscribe returns the unsubscribe function
 */

/**
 * Create a store. A subscriber that throws is reported on the console and does not stop the
 * others.
 * @template T
 * @param {T} initial
 * @param {(a: T, b: T) => boolean} [equals] default `Object.is`
 * @returns {Store<T>}
 */
export function createStore(initial, equals = Object.is) {
  let value = initial;
  /** @type {Set<(value: T) => void>} */
  const listeners = new Set();
  return {
    get: () => value,
    set(next) {
      if (equals(value, next)) return;
      value = next;
      for (const fn of [...listeners]) {
        try {
          fn(value);
        } catch (err) {
          console.error("tbcore: a subscriber failed", err);
        }
      }
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
  };
}
