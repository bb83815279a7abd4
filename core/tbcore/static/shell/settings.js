// User settings (auto-reload, reload interval, theme), saved in localStorage, and the dialog
// that edits them.

import { createStore, h } from "@tbcore/sdk";

const STORAGE_KEY = "tbcore.settings";

/** @typedef {{autoReload: boolean, reloadInterval: number, theme: "light" | "dark" | "system"}} Settings */

/** @returns {Settings} */
function defaults() {
  return { autoReload: true, reloadInterval: 30, theme: "system" };
}

const THEMES = ["light", "dark", "system"];

/**
 * The theme that applies: the chosen one, or with "system" the operating system's.
 * @param {{get: () => Settings}} settings
 * @returns {"light" | "dark"}
 */
export function resolvedTheme(settings) {
  const theme = settings.get().theme;
  if (theme === "light" || theme === "dark") return theme;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/**
 * @param {unknown} raw
 * @returns {Settings}
 */
function validate(raw) {
  const base = defaults();
  const value = /** @type {Partial<Settings>} */ (raw && typeof raw === "object" ? raw : {});
  const interval = Number(value.reloadInterval);
  return {
    autoReload: typeof value.autoReload === "boolean" ? value.autoReload : base.autoReload,
    reloadInterval: Number.isFinite(interval) && interval >= 1 ? Math.round(interval) : base.reloadInterval,
    theme: THEMES.includes(/** @type {string} */ (value.theme)) ? /** @type {Settings["theme"]} */ (value.theme) : base.theme,
  };
}

/** The settings store, loaded from and saved to localStorage. */
export function createSettingsStore() {
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
  } catch {
    stored = null;
  }
  const store = createStore(validate(stored), (a, b) => JSON.stringify(a) === JSON.stringify(b));
  return {
    get: store.get,
    subscribe: store.subscribe,
    /** @param {Partial<Settings>} patch */
    update(patch) {
      const next = validate({ ...store.get(), ...patch });
      store.set(next);
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // private mode or quota: the setting still applies to this page
      }
    },
  };
}

/** @typedef {ReturnType<typeof createSettingsStore>} SettingsStore */

/**
 * Apply the theme to `<html data-theme>` now and whenever it changes (with "system", also
 * when the operating system switches).
 * @param {SettingsStore} settings
 */
export function applyTheme(settings) {
  const apply = () => {
    document.documentElement.dataset.theme = resolvedTheme(settings);
  };
  apply();
  settings.subscribe(apply);
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", apply);
}

/**
 * Build the settings dialog (a `<dialog>`, appended to `document.body`).
 * @param {SettingsStore} settings
 * @param {{version: string, data_location: string}} environment
 * @returns {() => void} opens the dialog
 */
export function createSettingsDialog(settings, environment) {
  const current = settings.get();
  const autoReload = /** @type {HTMLInputElement} */ (
    h("input", { type: "checkbox", id: "tb-setting-auto-reload", checked: current.autoReload })
  );
  const interval = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "number",
      id: "tb-setting-interval",
      class: "tb-input tb-input-number",
      min: 1,
      step: 1,
      value: String(current.reloadInterval),
    })
  );
  const themeRadio = (/** @type {Settings["theme"]} */ value, /** @type {string} */ label) =>
    h(
      "label",
      { class: "tb-radio" },
      h("input", {
        type: "radio",
        name: "tb-theme",
        value,
        checked: current.theme === value,
        onchange: () => settings.update({ theme: value }),
      }),
      ` ${label}`,
    );
  const dialog = /** @type {HTMLDialogElement} */ (
    h(
      "dialog",
      { class: "tb-dialog", "aria-labelledby": "tb-settings-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "tb-settings-title" }, "Settings"),
        h(
          "div",
          { class: "tb-field" },
          h("label", { for: "tb-setting-auto-reload" }, autoReload, " Reload data automatically"),
        ),
        h(
          "div",
          { class: "tb-field" },
          h("label", { for: "tb-setting-interval" }, "Reload interval (seconds) "),
          interval,
        ),
        h(
          "fieldset",
          { class: "tb-field" },
          h("legend", null, "Theme"),
          themeRadio("system", "System"),
          themeRadio("light", "Light"),
          themeRadio("dark", "Dark"),
        ),
        h(
          "p",
          { class: "tb-muted tb-about" },
          `tbcore ${environment.version || ""}`.trim(),
          h("br"),
          `Data: ${environment.data_location || "?"}`,
        ),
        h("div", { class: "tb-dialog-actions" }, h("button", { class: "tb-button", value: "close" }, "Close")),
      ),
    )
  );
  autoReload.addEventListener("change", () => settings.update({ autoReload: autoReload.checked }));
  interval.addEventListener("change", () => {
    settings.update({ reloadInterval: Number(interval.value) });
    interval.value = String(settings.get().reloadInterval);
  });
  settings.subscribe((s) => {
    autoReload.checked = s.autoReload;
    if (document.activeElement !== interval) interval.value = String(s.reloadInterval);
    for (const radio of dialog.querySelectorAll('input[name="tb-theme"]')) {
      /** @type {HTMLInputElement} */ (radio).checked = /** @type {HTMLInputElement} */ (radio).value === s.theme;
    }
  });
  document.body.appendChild(dialog);
  return () => dialog.showModal();
}
