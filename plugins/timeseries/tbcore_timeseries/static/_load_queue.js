/**
 * The order in which cards load: every card's light first pass goes out at once; the full
 * series (megabytes per card) wait until no first pass is pending and load a few at a time,
 * so the cards on screen paint first and a scroll never waits behind a full load.
 * @module
 */

/** How many full loads run at once. */
const FULL_CONCURRENCY = 2;

/**
 * @returns {{quick: <T>(fetch: () => Promise<T>) => Promise<T>, full: <T>(fetch: () => Promise<T>, signal: AbortSignal) => Promise<T | undefined>}}
 *   `quick` runs a first pass now; `full` queues a full load (not run, resolving undefined,
 *   if `signal` is aborted before its turn)
 */
export function createLoadQueue() {
  let quickPending = 0;
  let fullRunning = 0;
  /** @type {(() => void)[]} */
  const waiting = [];

  function next() {
    while (quickPending === 0 && fullRunning < FULL_CONCURRENCY && waiting.length) {
      /** @type {() => void} */ (waiting.shift())();
    }
  }

  return {
    async quick(fetch) {
      quickPending++;
      try {
        return await fetch();
      } finally {
        quickPending--;
        next();
      }
    },
    full(fetch, signal) {
      return new Promise((resolve, reject) => {
        waiting.push(() => {
          if (signal.aborted) return resolve(undefined);
          fullRunning++;
          fetch()
            .then(resolve, reject)
            .finally(() => {
              fullRunning--;
              next();
            });
        });
        next();
      });
    },
  };
}
