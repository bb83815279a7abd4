// The dashboard tabs: one per plugin of `data/plugins_listing`, in its order. A dashboard's
// module is imported the first time its tab opens; a module that fails to load, or whose
// mount throws, shows an error panel in its own tab and nowhere else.

import { h, renderEmpty, renderError, renderLoading } from "@tbcore/sdk";

/**
 * @typedef {object} ListingEntry one value of `data/plugins_listing`
 * @property {boolean} enabled
 * @property {string} tab_name
 * @property {string} title
 * @property {string | null} module
 * @property {"active" | "inactive" | "broken"} status
 * @property {string | null} error
 * @property {boolean} disable_reload
 * @property {boolean} remove_dom
 */

/**
 * @typedef {object} Tab
 * @property {string} name
 * @property {string} title
 * @property {"active" | "inactive" | "broken"} status
 * @property {string | null} error
 * @property {string | null} module
 * @property {boolean} removeDom
 * @property {boolean} disableReload
 * @property {HTMLButtonElement} button
 * @property {HTMLElement} panel
 * @property {boolean} usesTagFilter
 * @property {number} generation bumped on every mount/teardown, so late results are dropped
 * @property {{cleanup: (() => void) | null, dispose: () => void} | null} mounted
 * @property {boolean} mounting
 */

/**
 * @typedef {object} TabsOptions
 * @property {HTMLElement} nav where the tab bar goes
 * @property {HTMLElement} panels where the panels go
 * @property {Record<string, ListingEntry>} listing
 * @property {import("../sdk/store.js").Store<string>} current name of the open tab
 * @property {(tab: Tab) => {ctx: object, dispose: () => void}} makeContext
 * @property {(tab: Tab | null) => void} onShow called after a tab is shown
 */

/** @param {string} name */
const domId = (name) => name.replace(/[^A-Za-z0-9_-]/g, "_");

/**
 * @param {ListingEntry} entry
 * @returns {"active" | "inactive" | "broken"}
 */
function statusOf(entry) {
  if (entry.status === "broken") return "broken";
  if (entry.status === "inactive" || !entry.enabled) return "inactive";
  return "active";
}

/**
 * Build the tab bar and panels, and keep them in step with `options.current`.
 * @param {TabsOptions} options
 * @returns {{tabs: Map<string, Tab>, current: () => Tab | null, activate: (listing: Record<string, ListingEntry>) => void, hasInactive: () => boolean}}
 */
export function mountTabs(options) {
  const { nav, panels, listing, current } = options;
  /** @type {Map<string, Tab>} */
  const tabs = new Map();
  const tablist = h("div", { class: "tb-tablist", role: "tablist", "aria-label": "Dashboards" });
  const moreList = h("div", { class: "tb-more-list", role: "tablist", "aria-label": "Inactive dashboards", "aria-orientation": "vertical" });
  const more = /** @type {HTMLDetailsElement} */ (
    h("details", { class: "tb-more" }, h("summary", { class: "tb-tab" }), moreList)
  );

  for (const [name, entry] of Object.entries(listing)) {
    const status = statusOf(entry);
    const title = entry.title || entry.tab_name || name;
    const id = domId(name);
    const button = /** @type {HTMLButtonElement} */ (
      h(
        "button",
        {
          type: "button",
          id: `tb-tab-${id}`,
          class: `tb-tab tb-tab-${status}`,
          role: "tab",
          "aria-selected": "false",
          "aria-controls": `tb-panel-${id}`,
          tabindex: "-1",
          dataset: { plugin: name, status },
          title: status === "broken" ? `Failed to load: ${entry.error || "unknown error"}` : status === "inactive" ? "No data for this dashboard yet" : null,
          onclick: () => {
            more.open = false;
            current.set(name);
          },
        },
        status === "broken" ? h("span", { class: "tb-tab-icon", "aria-hidden": "true" }, "⚠ ") : null,
        title,
      )
    );
    const panel = h("section", {
      id: `tb-panel-${id}`,
      class: "tb-panel",
      role: "tabpanel",
      "aria-labelledby": `tb-tab-${id}`,
      dataset: { plugin: name },
      hidden: true,
    });
    panels.appendChild(panel);
    (status === "inactive" ? moreList : tablist).appendChild(button);
    tabs.set(name, {
      name,
      title,
      status,
      error: entry.error,
      module: entry.module,
      removeDom: !!entry.remove_dom,
      disableReload: !!entry.disable_reload,
      button,
      panel,
      usesTagFilter: false,
      generation: 0,
      mounted: null,
      mounting: false,
    });
  }
  function layoutBar() {
    const inactiveCount = moreList.childElementCount;
    /** @type {HTMLElement} */ (more.firstElementChild).textContent = `Inactive (${inactiveCount})`;
    nav.replaceChildren(tablist, inactiveCount ? more : "");
  }
  layoutBar();
  document.addEventListener("click", (event) => {
    if (more.open && !more.contains(/** @type {Node} */ (event.target))) more.open = false;
  });
  if (tabs.size === 0) renderEmpty(panels, "No dashboards are installed.");

  tablist.addEventListener("keydown", (event) => {
    const buttons = /** @type {HTMLButtonElement[]} */ ([...tablist.querySelectorAll('[role="tab"]')]);
    const i = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    if (i < 0) return;
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = buttons[(i + step + buttons.length) % buttons.length];
    next.focus();
    next.click();
  });

  /** @type {Tab | null} */
  let shown = null;
  /** Shown instead of a dashboard when the URL names one that is not installed. */
  const unknown = h("section", { class: "tb-panel tb-unknown-tab", role: "alert", hidden: true });
  panels.appendChild(unknown);

  function defaultTab() {
    const list = [...tabs.values()];
    return (list.find((t) => t.status === "active") ?? list[0] ?? null)?.name ?? "";
  }

  function show() {
    const name = current.get();
    let tab = tabs.get(name);
    if (!tab && name && tabs.size) {
      showUnknown(name);
      return;
    }
    unknown.hidden = true;
    if (!tab) {
      const fallback = defaultTab();
      if (fallback && fallback !== current.get()) {
        current.set(fallback); // re-enters show() through the subscription
        return;
      }
      tab = tabs.get(fallback);
    }
    if (shown && shown !== tab) {
      shown.panel.hidden = true;
      shown.button.setAttribute("aria-selected", "false");
      shown.button.tabIndex = -1;
      if (shown.removeDom) teardown(shown);
    }
    more.classList.toggle("tb-current", tab?.status === "inactive");
    shown = tab ?? null;
    if (tab) {
      tab.panel.hidden = false;
      tab.button.setAttribute("aria-selected", "true");
      tab.button.tabIndex = 0;
      if (!tab.mounted && !tab.mounting) void mount(tab);
    }
    options.onShow(shown);
  }

  /**
   * The URL names a dashboard that is not installed (a typo, or a TensorBoard link to one
   * tbcore lacks): say so, and offer the dashboards there are, instead of showing another.
   * @param {string} name
   */
  function showUnknown(name) {
    if (shown) {
      shown.panel.hidden = true;
      shown.button.setAttribute("aria-selected", "false");
      shown.button.tabIndex = -1;
      if (shown.removeDom) teardown(shown);
    }
    shown = null;
    more.classList.remove("tb-current");
    const links = [...tabs.values()].map((t) =>
      h("li", null, h("button", { type: "button", class: "tb-button tb-small", onclick: () => current.set(t.name) }, t.title)),
    );
    unknown.replaceChildren(
      h("h2", null, "No such dashboard"),
      h("p", null, `There is no dashboard called “${name}” here: it may not be installed, or the link may be mistyped.`),
      h("p", null, "Open one of these:"),
      h("ul", { class: "tb-unknown-tab-list" }, links),
    );
    unknown.dataset.tab = name;
    unknown.hidden = false;
    options.onShow(null);
  }

  /** @param {Tab} tab */
  async function mount(tab) {
    const generation = ++tab.generation;
    const stale = () => generation !== tab.generation;
    tab.panel.dataset.state = "loading";
    if (tab.status === "broken") {
      fail(tab, tab.error || "unknown error", `The “${tab.title}” dashboard failed to load`);
      return;
    }
    if (!tab.module) {
      renderEmpty(tab.panel, "This dashboard has no browser module.");
      tab.panel.dataset.state = "empty";
      return;
    }
    tab.mounting = true;
    renderLoading(tab.panel);
    let module;
    try {
      module = await import(new URL(tab.module, document.baseURI).href);
      if (typeof module.mount !== "function") throw new Error(`${tab.module} does not export a mount(el, ctx) function`);
    } catch (err) {
      if (!stale()) fail(tab, err, `The “${tab.title}” dashboard could not be loaded`);
      tab.mounting = false;
      return;
    }
    if (stale()) return;
    const body = h("div", { class: "tb-dashboard" });
    tab.panel.replaceChildren(body);
    const { ctx, dispose } = options.makeContext(tab);
    tab.mounted = { cleanup: null, dispose };
    try {
      const result = await module.mount(body, ctx);
      if (stale()) {
        if (typeof result === "function") result();
        return;
      }
      tab.mounted.cleanup = typeof result === "function" ? result : null;
      tab.panel.dataset.state = "mounted";
    } catch (err) {
      if (stale()) return;
      console.error(`tbcore: dashboard ${tab.name} failed:`, err);
      dispose();
      tab.mounted = null;
      fail(tab, err, `The “${tab.title}” dashboard failed`);
    } finally {
      tab.mounting = false;
    }
  }

  /**
   * @param {Tab} tab
   * @param {unknown} error
   * @param {string} title
   */
  function fail(tab, error, title) {
    renderError(tab.panel, error, title);
    tab.panel.dataset.state = "error";
    tab.button.classList.add("tb-tab-failed");
  }

  /** @param {Tab} tab */
  function teardown(tab) {
    tab.generation++;
    const mounted = tab.mounted;
    tab.mounted = null;
    tab.mounting = false;
    tab.usesTagFilter = false;
    if (mounted) {
      try {
        mounted.cleanup?.();
      } catch (err) {
        console.error(`tbcore: cleanup of dashboard ${tab.name} failed:`, err);
      }
      mounted.dispose();
    }
    tab.panel.replaceChildren();
    delete tab.panel.dataset.state;
  }

  /**
   * Move the tabs whose dashboard now has data (a newer `data/plugins_listing`) from the
   * inactive menu to the tab bar, in the listing's order.
   * @param {Record<string, ListingEntry>} newer
   */
  function activate(newer) {
    let moved = false;
    for (const [name, entry] of Object.entries(newer)) {
      const tab = tabs.get(name);
      if (!tab || tab.status !== "inactive" || statusOf(entry) !== "active") continue;
      tab.status = "active";
      tab.button.classList.replace("tb-tab-inactive", "tb-tab-active");
      tab.button.dataset.status = "active";
      tab.button.removeAttribute("title");
      moved = true;
    }
    if (!moved) return;
    for (const tab of tabs.values()) (tab.status === "inactive" ? moreList : tablist).appendChild(tab.button);
    more.classList.toggle("tb-current", shown?.status === "inactive");
    layoutBar();
  }

  current.subscribe(show);
  show();
  return { tabs, current: () => shown, activate, hasInactive: () => [...tabs.values()].some((t) => t.status === "inactive") };
}
