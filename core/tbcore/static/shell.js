// The tbcore page: header with the dashboard tabs, the shared run selector, settings and live
// reload. Dashboards are plugins; their modules are loaded on demand (see shell/tabs.js) and
// get a `ctx` (see sdk/context.js). All URLs are relative to the page, so path prefixes work.

import { createPluginContext, createStore, fetchJson, h, renderError, tagMatcher } from "@tbcore/sdk";
import { startLive } from "./shell/live.js";
import { mountRunSelector } from "./shell/run_selector.js";
import { RunsModel } from "./shell/runs_model.js";
import { applyTheme, createSettingsDialog, createSettingsStore, resolvedTheme } from "./shell/settings.js";
import { mountTabs } from "./shell/tabs.js";
import { readUrlState, writeUrlState } from "./shell/url_state.js";

/** Shortest time between two `data/plugins_listing` requests made for live news without new runs. */
const LISTING_INTERVAL_MS = 5000;
/** How long a manual reload waits for the server when no live connection reports back. */
const MANUAL_RELOAD_WAIT_MS = 1000;

/** @param {string} path */
const dataUrl = (path) => new URL(path, document.baseURI).href;

async function main() {
  const app = /** @type {HTMLElement} */ (document.getElementById("tbcore-app"));
  const settings = createSettingsStore();
  applyTheme(settings);

  const initial = readUrlState();
  const runs = new RunsModel({ checked: initial.runs, unchecked: initial.hideRuns, order: initial.runSort });
  runs.setFilter(initial.runFilter);
  const tagFilter = createStore(initial.tagFilter);
  const currentTab = createStore(initial.tab);
  const theme = createStore(resolvedTheme(settings));
  settings.subscribe(() => theme.set(resolvedTheme(settings)));
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => theme.set(resolvedTheme(settings)));

  const title = h("h1", { class: "tb-title" }, "tbcore");
  const nav = h("nav", { class: "tb-tabs", "aria-label": "Dashboards" });
  const reloadButton = h("button", { type: "button", class: "tb-icon-button", title: "Reload data", "aria-label": "Reload data" }, "↻");
  const settingsButton = h("button", { type: "button", class: "tb-icon-button", title: "Settings", "aria-label": "Settings" }, "⚙");
  const status = h("div", { class: "tb-status", role: "status", "aria-live": "polite" });
  const sidebar = h("aside", { class: "tb-sidebar", "aria-label": "Run selector" });
  const tagInput = /** @type {HTMLInputElement} */ (
    h("input", {
      id: "tb-tag-filter",
      class: "tb-input",
      type: "search",
      placeholder: "Filter tags (regex)",
      autocomplete: "off",
      spellcheck: "false",
      value: tagFilter.get(),
    })
  );
  const toolbar = h(
    "div",
    { class: "tb-toolbar", hidden: true },
    h("label", { class: "tb-visually-hidden", for: "tb-tag-filter" }, "Filter tags (regex)"),
    tagInput,
  );
  const panels = h("div", { class: "tb-panels" });
  app.replaceChildren(
    h("header", { class: "tb-header" }, title, nav, h("div", { class: "tb-header-actions" }, status, reloadButton, settingsButton)),
    h("div", { class: "tb-body" }, sidebar, h("main", { class: "tb-main" }, toolbar, panels)),
  );

  let environment, listing, listedRuns;
  try {
    [environment, listing, listedRuns] = await Promise.all([
      fetchJson(dataUrl("data/environment")),
      fetchJson(dataUrl("data/plugins_listing")),
      fetchJson(dataUrl("data/runs?with=start_time")),
    ]);
  } catch (err) {
    renderError(panels, err, "Could not reach the tbcore server");
    return;
  }
  const pageTitle = environment.window_title || environment.experiment_name || "tbcore";
  title.textContent = pageTitle;
  document.title = pageTitle;
  runs.setRuns(listedRuns);
  mountRunSelector(sidebar, runs);
  settingsButton.addEventListener("click", createSettingsDialog(settings, environment));

  // URL <-> view. A tab the user opens is a new history entry (Back returns to the previous
  // tab); the first tab shown, and every other change, replaces the current entry.
  let shownTab = currentTab.get();
  let followingUrl = false;
  const syncUrl = () => {
    const tab = currentTab.get();
    const push = !followingUrl && !!shownTab && tab !== shownTab;
    shownTab = tab;
    const runSort = runs.order.get() === "start" ? "" : runs.order.get();
    writeUrlState({ tab, runFilter: runs.filter.get(), tagFilter: tagFilter.get(), runSort, ...selectionParams() }, { push });
  };
  const selectionParams = () => ({ runs: null, hideRuns: null, ...runs.linkSelection() });
  const syncSelection = () => writeUrlState(selectionParams());
  for (const store of [currentTab, runs.filter, tagFilter, runs.order]) store.subscribe(syncUrl);
  runs.selection.subscribe(syncSelection);
  const followUrl = () => {
    const state = readUrlState();
    followingUrl = true;
    try {
      if (state.runFilter !== runs.filter.get()) runs.setFilter(state.runFilter);
      tagFilter.set(state.tagFilter);
      runs.setOrder(state.runSort);
      if (state.tab) currentTab.set(state.tab);
    } finally {
      followingUrl = false;
    }
  };
  window.addEventListener("hashchange", followUrl);
  window.addEventListener("popstate", followUrl);
  let tagTimer = 0;
  tagInput.addEventListener("input", () => {
    clearTimeout(tagTimer);
    tagTimer = window.setTimeout(() => tagFilter.set(tagInput.value), 150);
  });
  /** Mark the tag filter invalid (red, with the reason as its tooltip) while its regex is. */
  const checkTagFilter = (/** @type {string} */ value) => {
    const error = tagMatcher(value).error;
    tagInput.setAttribute("aria-invalid", String(error !== null));
    tagInput.title = error ? `Invalid regex: ${error}` : "";
  };
  checkTagFilter(tagFilter.get());
  tagFilter.subscribe((value) => {
    if (tagInput.value !== value) tagInput.value = value;
    checkTagFilter(value);
  });

  // Reload news -> dashboards
  /** @type {Set<(event: import("./sdk/context.js").UpdateEvent) => void>} */
  const updateListeners = new Set();
  /** @param {import("./sdk/context.js").UpdateEvent} event */
  const emitUpdate = (event) => {
    for (const fn of [...updateListeners]) {
      try {
        fn(event);
      } catch (err) {
        console.error("tbcore: an update listener failed", err);
      }
    }
  };
  /** @type {ReturnType<typeof mountTabs> | null} */
  let tabBar = null;
  const refreshRuns = async () => runs.setRuns(await fetchJson(dataUrl("data/runs?with=start_time")));
  /**
   * @param {import("./shell/live.js").ChangePayload} change
   * @param {boolean} [full]
   */
  const applyChange = async (change, full = false) => {
    // Runs whose files were deleted (or rebuilt without some): every dashboard starts over.
    full ||= !!change.removed_runs?.length;
    const before = new Set(runs.runList.get().map((r) => r.name));
    const changed = change.changed ?? {};
    try {
      if (full || change.new_runs?.length || Object.keys(changed).some((r) => !before.has(r))) await refreshRuns();
    } catch (err) {
      console.warn("tbcore: could not refresh the run list:", err);
    }
    const newRuns = runs.runList.get().map((r) => r.name).filter((n) => !before.has(n));
    if (tabBar?.hasInactive() && (full || newRuns.length || Object.keys(changed).length)) void refreshListing(full || newRuns.length > 0);
    emitUpdate(full ? { newRuns, changed, full } : { newRuns, changed });
  };
  // A dashboard whose first data arrives while the page is open gets its tab: the listing is
  // asked again on news (at most every LISTING_INTERVAL_MS unless runs appeared).
  let listingAsked = 0;
  /** @param {boolean} now */
  const refreshListing = async (now) => {
    if (!now && performance.now() - listingAsked < LISTING_INTERVAL_MS) return;
    listingAsked = performance.now();
    try {
      tabBar?.activate(await fetchJson(dataUrl("data/plugins_listing")));
    } catch (err) {
      console.warn("tbcore: could not refresh the dashboards listing:", err);
    }
  };
  const live = startLive(settings, (change) => applyChange(change));
  reloadButton.addEventListener("click", async () => {
    reloadButton.setAttribute("aria-busy", "true");
    status.textContent = "";
    try {
      const answer = await live.reloadNow();
      if (answer && ("new_runs" in answer || "changed" in answer || "removed_runs" in answer)) {
        await applyChange(answer, true);
      } else if (!live.connected()) {
        // The server reloads in the background and, without a live connection, cannot tell
        // us when it is done: give it a moment, then refetch everything.
        await new Promise((resolve) => setTimeout(resolve, MANUAL_RELOAD_WAIT_MS));
        await applyChange({}, true);
      }
    } catch (err) {
      status.textContent = `Reload failed: ${/** @type {Error} */ (err).message}`;
    } finally {
      reloadButton.removeAttribute("aria-busy");
    }
  });

  tabBar = mountTabs({
    nav,
    panels,
    listing,
    current: currentTab,
    makeContext: (tab) =>
      createPluginContext({
        pluginName: tab.name,
        runList: runs.runList,
        selection: runs.selection,
        settings,
        theme,
        tagFilter: {
          get: tagFilter.get,
          set: tagFilter.set,
          subscribe: (fn) => {
            tab.usesTagFilter = true;
            toolbar.hidden = false;
            return tagFilter.subscribe(fn);
          },
        },
        onUpdate: (fn) => {
          if (tab.disableReload) return () => {};
          updateListeners.add(fn);
          return () => updateListeners.delete(fn);
        },
      }),
    onShow: (tab) => {
      toolbar.hidden = !tab?.usesTagFilter;
      const name = tab?.name ?? "";
      if (name && name !== app.dataset.tab) {
        // Dashboards share view settings in the URL (`scalars.smoothing`, `images.brightness`,
        // ...) and save them without a `hashchange`; a dashboard shown again may have missed
        // a change made in another tab: let it read the URL, as it does on Back/Forward.
        window.dispatchEvent(new HashChangeEvent("hashchange"));
      }
      app.dataset.tab = name;
    },
  });
  app.dataset.ready = "true";
}

main().catch((err) => {
  console.error("tbcore: the page failed to start", err);
  const app = document.getElementById("tbcore-app");
  if (app) renderError(app, err, "The page failed to start");
});
