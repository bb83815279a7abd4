/**
 * The `ctx` object a dashboard's `mount(el, ctx)` receives, and how the shell builds it.
 *
 * A dashboard module is a plain ES module that exports
 *
 * ```js
 * export function mount(el, ctx) {   // may also be async
 *   ...                              // render into `el`
 *   return () => { ... };            // optional cleanup, called when the tab is torn down
 * }
 * ```
 *
 * Subscriptions made through `ctx` are dropped automatically when the dashboard is torn down,
 * and `ctx.signal` is aborted then, so pending fetches given that signal stop.
 * @module
 */

import { onRunColorChange, runColor } from "./colors.js";
import { fetchBlob, fetchJson, fetchText, postJson, queryString } from "./fetch.js";

/**
 * @callback Unsubscribe
 * @returns {void}
 */

/**
 * @typedef {object} RunsApi the run selection shared by every dashboard (the left sidebar)
 * @property {() => {name: string, color: string}[]} all every run, in the run order (the
 *   sidebar's: the server's, by start time, unless the user sorted the run table by name or
 *   newest first)
 * @property {() => string[]} selected names of the checked runs, in the run order
 * @property {(name: string) => string} colorOf a run's color (same everywhere; the user may
 *   pick another in the sidebar)
 * @property {(fn: (name: string, color: string) => void) => Unsubscribe} onColorChange called
 *   when the user picks another color for a run: draw it again
 * @property {(fn: (selected: string[]) => void) => Unsubscribe} subscribe called (once per
 *   task, in a microtask) with the selected names whenever the selection or the run list
 *   changes: the user checks or unchecks runs or edits the run filter, or a reload finds a
 *   new run or loses one (then `onUpdate` listeners are called right after, with the new
 *   runs in `newRuns`: fetch a new run in one of the two places only, see
 *   `docs/plugin_guide.md` §5, "Live updates")
 */

/**
 * @typedef {object} UpdateEvent what a reload of the logdir found
 * @property {string[]} newRuns runs that appeared; `runs.subscribe` listeners have already been
 *   called for them (the run list changed)
 * @property {Record<string, string[]>} changed tags with new data, per run
 * @property {boolean} [full] anything may have changed (a manual reload, or runs whose files
 *   were deleted): refetch everything
 */

/**
 * @typedef {object} SettingsApi the user's settings (settings dialog; saved in the browser)
 * @property {(key: string) => unknown} get `autoReload` (boolean), `reloadInterval`
 *   (seconds), `theme` (`"light"` | `"dark"` | `"system"`: the chosen one; `ctx.theme()` says which applies)
 * @property {(fn: (settings: Record<string, unknown>) => void) => Unsubscribe} subscribe
 */

/**
 * @typedef {object} TagFilterApi the tag filter regex, kept in the URL (`#tagFilter=`)
 * @property {() => string} get
 * @property {(pattern: string) => void} set
 * @property {(fn: (pattern: string) => void) => Unsubscribe} subscribe
 */

/**
 * @typedef {object} PluginContext
 * @property {string} pluginName
 * @property {(route: string, params?: Record<string, unknown>) => string} url absolute URL of
 *   `data/plugin/<name>/<route>?<params>`; arrays in `params` repeat their key
 * @property {(route: string, params?: Record<string, unknown>, options?: {signal?: AbortSignal}) => Promise<any>} fetchJson
 *   GET a route and parse JSON; rejects with an `HttpError` carrying the server's message and status
 * @property {(route: string, params?: Record<string, unknown>, options?: {signal?: AbortSignal}) => Promise<string>} fetchText
 * @property {(route: string, params?: Record<string, unknown>, options?: {signal?: AbortSignal}) => Promise<Blob>} fetchBlob
 * @property {(route: string, body: unknown, options?: {csrf?: boolean, signal?: AbortSignal}) => Promise<any>} postJson
 *   POST a JSON body; adds `X-TBCore-Request: 1` unless `csrf` is `false`
 * @property {RunsApi} runs
 * @property {(fn: (event: UpdateEvent) => void) => Unsubscribe} onUpdate called after a
 *   reload found new data (only while auto-reload is on, or on a manual reload; never for a
 *   plugin with `disable_reload`). A reload that changed the run list has called
 *   `runs.subscribe` listeners first
 * @property {SettingsApi} settings
 * @property {() => "light" | "dark"} theme
 * @property {(fn: (theme: "light" | "dark") => void) => Unsubscribe} onThemeChange
 * @property {TagFilterApi} tagFilter
 * @property {AbortSignal} signal aborted when the dashboard is torn down
 */

/**
 * @template T
 * @typedef {object} Observable
 * @property {() => T} get
 * @property {(fn: (value: T) => void) => Unsubscribe} subscribe
 */

/**
 * @typedef {object} ContextSources what the shell (or a test page) provides
 * @property {string} pluginName
 * @property {string} [baseUrl] URL the `data/...` paths are relative to (default `document.baseURI`)
 * @property {Observable<{name: string}[]>} runList every run, in order
 * @property {Observable<string[]>} selection selected run names
 * @property {Observable<Record<string, unknown>>} settings
 * @property {Observable<"light" | "dark">} theme
 * @property {Observable<string> & {set: (pattern: string) => void}} tagFilter
 * @property {(fn: (event: UpdateEvent) => void) => Unsubscribe} onUpdate
 */

/**
 * Build the context of one dashboard. The shell calls this once per mount; a test page can
 * call it with stub observables to mount a dashboard outside the shell.
 * @param {ContextSources} sources
 * @returns {{ctx: PluginContext, dispose: () => void}} `dispose` drops every subscription
 *   the dashboard made and aborts `ctx.signal`
 */
export function createPluginContext(sources) {
  const { pluginName } = sources;
  const base = new URL(`data/plugin/${encodeURIComponent(pluginName)}/`, sources.baseUrl ?? document.baseURI);
  const controller = new AbortController();
  /** @type {Set<Unsubscribe>} */
  const subscriptions = new Set();
  /**
   * @param {Unsubscribe} unsubscribe
   * @returns {Unsubscribe}
   */
  const track = (unsubscribe) => {
    const once = () => {
      if (subscriptions.delete(once)) unsubscribe();
    };
    subscriptions.add(once);
    return once;
  };
  /**
   * @param {string} route
   * @param {Record<string, unknown>} [params]
   */
  const url = (route, params) => new URL(String(route).replace(/^\/+/, ""), base).href + queryString(params);
  const opts = (/** @type {{signal?: AbortSignal} | undefined} */ o) => ({ signal: o?.signal ?? controller.signal });
  const selectedInOrder = () => {
    const selected = new Set(sources.selection.get());
    return sources.runList.get().filter((r) => selected.has(r.name)).map((r) => r.name);
  };

  /** @type {PluginContext} */
  const ctx = {
    pluginName,
    url,
    fetchJson: (route, params, o) => fetchJson(url(route, params), opts(o)),
    fetchText: (route, params, o) => fetchText(url(route, params), opts(o)),
    fetchBlob: (route, params, o) => fetchBlob(url(route, params), opts(o)),
    postJson: (route, body, o = {}) =>
      postJson(url(route), body, { csrf: o.csrf ?? true, signal: o.signal ?? controller.signal }),
    runs: {
      all: () => sources.runList.get().map((r) => ({ name: r.name, color: runColor(r.name) })),
      selected: selectedInOrder,
      colorOf: runColor,
      onColorChange: (fn) => track(onRunColorChange(fn)),
      subscribe: (fn) => {
        // One call per task even when the run list and the selection change together.
        let pending = false;
        let active = true;
        const notify = () => {
          if (pending) return;
          pending = true;
          queueMicrotask(() => {
            pending = false;
            if (active) fn(selectedInOrder());
          });
        };
        const a = sources.selection.subscribe(notify);
        const b = sources.runList.subscribe(notify);
        return track(() => {
          active = false;
          a();
          b();
        });
      },
    },
    onUpdate: (fn) => track(sources.onUpdate(fn)),
    settings: {
      get: (key) => sources.settings.get()[key],
      subscribe: (fn) => track(sources.settings.subscribe(fn)),
    },
    theme: () => sources.theme.get(),
    onThemeChange: (fn) => track(sources.theme.subscribe(fn)),
    tagFilter: {
      get: () => sources.tagFilter.get(),
      set: (pattern) => sources.tagFilter.set(String(pattern ?? "")),
      subscribe: (fn) => track(sources.tagFilter.subscribe(fn)),
    },
    signal: controller.signal,
  };
  const dispose = () => {
    for (const unsubscribe of [...subscriptions]) unsubscribe();
    controller.abort();
  };
  return { ctx: Object.freeze(ctx), dispose };
}
