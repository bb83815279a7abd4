/**
 * A bounded cache of fetched blobs (images) as object URLs, with a prefetch queue, so that
 * scrubbing through steps shows each image at once and never requests a blob twice while it
 * is cached.
 * @module
 */

import { fetchBlob } from "@tbcore/sdk";

/**
 * @typedef {object} BlobCacheOptions
 * @property {number} [maxEntries] object URLs kept (least recently used go first)
 * @property {number} [maxBytes] total size kept
 * @property {number} [concurrency] prefetch requests in flight at once
 */

/** Blobs by URL, least recently used first (a `Map` keeps insertion order). */
export class BlobCache {
  /** @param {BlobCacheOptions} [options] */
  constructor(options = {}) {
    this.maxEntries = options.maxEntries ?? 2000;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 4;
    /** @type {Map<string, {objectUrl: string, size: number}>} */
    this.entries = new Map();
    /** @type {Map<string, Promise<string>>} */
    this.inFlight = new Map();
    /** @type {Map<unknown, string[]>} URLs to prefetch per owner (a card), most wanted first;
     * the owner that asked last comes last in the map and is served first */
    this.queues = new Map();
    this.bytes = 0;
    /** Network requests made (for the page's tests and tools). */
    this.requests = 0;
    this.controller = new AbortController();
  }

  /**
   * The object URL of a cached blob (marking it recently used), or `undefined`.
   * @param {string} url
   * @returns {string | undefined}
   */
  get(url) {
    const entry = this.entries.get(url);
    if (!entry) return undefined;
    this.entries.delete(url);
    this.entries.set(url, entry);
    return entry.objectUrl;
  }

  /**
   * The object URL of a blob, fetching it unless it is cached or already on its way. A
   * load the page waits for starts at once, ahead of the prefetch queue.
   * @param {string} url
   * @returns {Promise<string>}
   */
  load(url) {
    const cached = this.get(url);
    if (cached) return Promise.resolve(cached);
    let pending = this.inFlight.get(url);
    if (!pending) {
      this.requests += 1;
      pending = fetchBlob(url, { signal: this.controller.signal })
        .then((blob) => this._store(url, blob))
        .finally(() => {
          this.inFlight.delete(url);
          this._pump();
        });
      this.inFlight.set(url, pending);
    }
    return pending;
  }

  /**
   * Replace an owner's prefetch queue: these URLs are fetched in order, a few at a time,
   * unless cached; the owner that asked last goes first. Requests already on their way
   * finish (their blobs are kept).
   * @param {unknown} owner whoever asks (a card); its previous queue is dropped
   * @param {string[]} urls most wanted first
   */
  prefetch(owner, urls) {
    this.queues.delete(owner);
    const wanted = urls.filter((u) => !this.entries.has(u) && !this.inFlight.has(u));
    if (wanted.length) this.queues.set(owner, wanted);
    this._pump();
  }

  /**
   * Drop an owner's prefetch queue (its card went away).
   * @param {unknown} owner
   */
  forget(owner) {
    this.queues.delete(owner);
  }

  /** Abort every request and free every object URL. */
  destroy() {
    this.controller.abort();
    this.queues.clear();
    for (const entry of this.entries.values()) URL.revokeObjectURL(entry.objectUrl);
    this.entries.clear();
    this.bytes = 0;
  }

  _pump() {
    while (this.inFlight.size < this.concurrency && this.queues.size) {
      const [owner, queue] = [...this.queues].at(-1) ?? [];
      const url = queue?.shift();
      if (!queue?.length) this.queues.delete(owner);
      if (url === undefined || this.entries.has(url) || this.inFlight.has(url)) continue;
      // A failed prefetch is retried when the step is shown, which reports the error.
      this.load(url).catch(() => {});
    }
  }

  /**
   * @param {string} url
   * @param {Blob} blob
   * @returns {string}
   */
  _store(url, blob) {
    if (this.controller.signal.aborted) throw new DOMException("cache destroyed", "AbortError");
    const objectUrl = URL.createObjectURL(blob);
    this.entries.set(url, { objectUrl, size: blob.size });
    this.bytes += blob.size;
    // Evict the least recently used, never the blob just stored (it is about to be shown).
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      if (key === url) continue;
      this.entries.delete(key);
      this.bytes -= entry.size;
      URL.revokeObjectURL(entry.objectUrl);
    }
    return objectUrl;
  }
}
