// The left sidebar: a regex filter, select all / none, and a compact table of the runs: a
// row per run with its checkbox and name, its color (click the swatch to pick another) and
// its place in the order the runs started; a click on a column header sorts by it (see
// run_table_head.js). Rows are built once per run and shown or hidden by the filter (and
// skipped by layout while off screen: `content-visibility`), so 2,000 runs stay fast; one
// color input serves them all.

import { h, onRunColorChange, runColor, setRunColor } from "@tbcore/sdk";
import { runTableHead } from "./run_table_head.js";

/**
 * @param {HTMLElement} el the sidebar element
 * @param {import("./runs_model.js").RunsModel} model
 */
export function mountRunSelector(el, model) {
  const filter = /** @type {HTMLInputElement} */ (
    h("input", {
      id: "tb-run-filter",
      class: "tb-input",
      type: "search",
      placeholder: "Filter runs (regex)",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": "tb-run-filter-error",
      value: model.filter.get(),
    })
  );
  const error = h("div", { id: "tb-run-filter-error", class: "tb-field-error", role: "alert" });
  const count = h("span", { class: "tb-runs-count", "aria-live": "polite" });
  const selectedCount = h("span", { class: "tb-runs-selected" });
  const list = h("ul", { class: "tb-run-list", role: "rowgroup" });
  const empty = h("p", { class: "tb-muted tb-runs-empty" }, "No runs yet.");
  const bounded = h("p", { class: "tb-runs-bounded", role: "status", hidden: true });
  /** One color input for every run: a swatch click points it at its run and opens it. */
  const picker = /** @type {HTMLInputElement} */ (
    h("input", { type: "color", id: "tb-run-color", class: "tb-visually-hidden", "aria-label": "Run color", tabindex: "-1" })
  );
  let pickerRun = "";
  /** @type {Map<string, {row: HTMLElement, box: HTMLInputElement, start: HTMLElement}>} */
  const rows = new Map();
  /** @type {WeakMap<Element, string>} */
  const rowNames = new WeakMap();

  el.replaceChildren(
    h(
      "div",
      { class: "tb-runs-head" },
      h("h2", { class: "tb-sidebar-title" }, "Runs"),
      h("label", { class: "tb-visually-hidden", for: "tb-run-filter" }, "Filter runs (regex)"),
      filter,
      error,
      h(
        "div",
        { class: "tb-runs-actions" },
        h("button", { type: "button", class: "tb-button tb-small", onclick: () => checkVisible(true) }, "All"),
        h("button", { type: "button", class: "tb-button tb-small", onclick: () => checkVisible(false) }, "None"),
        h("span", { class: "tb-runs-counts" }, count, " · ", selectedCount),
      ),
      bounded,
      picker,
    ),
    h("div", { class: "tb-run-table", role: "table", "aria-label": "Runs" }, runTableHead(model), list),
    empty,
  );

  /** @param {boolean} checked */
  function checkVisible(checked) {
    const names = model.visible();
    model.setChecked(names, checked);
    for (const name of names) {
      const r = rows.get(name);
      if (r) r.box.checked = checked;
    }
  }

  const template = h(
    "li",
    { class: "tb-run", role: "row" },
    h("span", { class: "tb-run-cell", role: "cell" }, h("label", null, h("input", { type: "checkbox" }), h("span", { class: "tb-run-name" }))),
    h("span", { class: "tb-run-cell", role: "cell" }, h("button", { type: "button", class: "tb-swatch tb-swatch-button" })),
    h("span", { class: "tb-run-cell tb-run-start", role: "cell" }),
  );

  /** @param {string} name */
  function makeRow(name) {
    const row = /** @type {HTMLElement} */ (template.cloneNode(true));
    const box = /** @type {HTMLInputElement} */ (row.querySelector("input"));
    const swatch = /** @type {HTMLElement} */ (row.querySelector(".tb-swatch"));
    const label = /** @type {HTMLElement} */ (row.querySelector(".tb-run-name"));
    const start = /** @type {HTMLElement} */ (row.querySelector(".tb-run-start"));
    box.checked = model.isChecked(name);
    swatch.style.background = runColor(name);
    swatch.setAttribute("aria-label", `Color of ${name}`);
    swatch.title = "Pick a color";
    label.textContent = name;
    row.title = name;
    const entry = { row, box, start, started: /** @type {number | null | undefined} */ (undefined) };
    rows.set(name, entry);
    rowNames.set(row, name);
    return entry;
  }

  list.addEventListener("click", (event) => {
    const swatch = /** @type {HTMLElement} */ (event.target).closest?.(".tb-swatch-button");
    const row = swatch?.closest(".tb-run");
    const name = row ? rowNames.get(row) : undefined;
    if (name === undefined) return;
    pickerRun = name;
    picker.value = runColor(name);
    picker.dataset.run = name;
    try {
      picker.showPicker();
    } catch {
      picker.click(); // older browsers, or no user activation
    }
  });
  picker.addEventListener("input", () => {
    if (pickerRun) setRunColor(pickerRun, picker.value);
  });
  onRunColorChange((name, color) => {
    const swatch = /** @type {HTMLElement | null | undefined} */ (rows.get(name)?.row.querySelector(".tb-swatch"));
    if (swatch) swatch.style.background = color;
  });

  list.addEventListener("change", (event) => {
    const box = /** @type {HTMLInputElement} */ (event.target);
    if (box.type !== "checkbox") return;
    const row = box.closest(".tb-run");
    const name = row ? rowNames.get(row) : undefined;
    if (name !== undefined) model.setChecked([name], box.checked);
  });

  function renderRuns() {
    const runs = model.runList.get();
    const names = new Set(runs.map((r) => r.name));
    for (const [name, r] of rows) {
      if (!names.has(name)) {
        r.row.remove();
        rows.delete(name);
      }
    }
    /** @type {HTMLElement[]} */
    const ordered = [];
    let inOrder = true;
    let previous = /** @type {Element | null} */ (null);
    for (const { name } of runs) {
      const existing = rows.get(name);
      const entry = existing ?? makeRow(name);
      const row = entry.row;
      if (!existing || row.previousElementSibling !== previous) inOrder = false;
      row.hidden = !model.matches(name);
      // Shown by CSS (`content: attr(data-start)`), so a row's text stays its run's name.
      const started = model.startTime(name);
      if (entry.started !== started) {
        const [label, full] = started === null ? ["", ""] : startLabel(started);
        entry.start.dataset.start = label;
        entry.start.title = full && `Started ${full}`;
        entry.started = started;
      }
      previous = row;
      ordered.push(row);
    }
    // Rows already in place stay put (moving them into a fragment would detach them).
    if (!inOrder) {
      const fragment = document.createDocumentFragment();
      for (const row of ordered) fragment.appendChild(row);
      list.appendChild(fragment);
    }
    empty.hidden = runs.length > 0;
    renderCounts();
  }

  function renderFilter() {
    const message = model.matcher.error;
    error.textContent = message ? `Invalid regex: ${message}` : "";
    filter.setAttribute("aria-invalid", message ? "true" : "false");
    filter.classList.toggle("tb-invalid", !!message);
    for (const [name, r] of rows) r.row.hidden = !model.matches(name);
    renderCounts();
  }

  function renderCounts() {
    const total = model.runList.get().length;
    let shown = 0;
    for (const r of rows.values()) if (!r.row.hidden) shown++;
    count.textContent = `${shown} of ${total} runs`;
    selectedCount.textContent = `${model.selection.get().length} selected`;
  }

  /** Say that a large experiment opened with only its first runs checked. */
  function renderBounded() {
    const info = model.bounded.get();
    bounded.hidden = !info;
    if (info) bounded.textContent = `Showing the first ${info.shown} of ${info.total} runs: check more below, or "All".`;
  }

  let timer = 0;
  filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => model.setFilter(filter.value), 120);
  });
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      clearTimeout(timer);
      model.setFilter(filter.value);
    }
  });
  model.runList.subscribe(renderRuns);
  model.filter.subscribe(() => {
    if (filter.value !== model.filter.get()) filter.value = model.filter.get();
    renderFilter();
  });
  model.selection.subscribe(renderCounts);
  model.bounded.subscribe(renderBounded);
  renderBounded();
  renderRuns();
  renderFilter();
}

// Made once: a formatter per call would cost ~2,000 of them per render of a large experiment.
const FULL_DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const TIME_OF_DAY = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const DAY = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/**
 * A run's start as the run list shows it, short enough for its column: the time for a run
 * started today, the day this year, else the year; and the whole local date and time.
 * @param {number} seconds since the epoch
 * @param {Date} [now]
 * @returns {[string, string]}
 */
export function startLabel(seconds, now = new Date()) {
  const when = new Date(seconds * 1000);
  const full = FULL_DATE.format(when);
  if (when.toDateString() === now.toDateString()) return [TIME_OF_DAY.format(when), full];
  if (when.getFullYear() === now.getFullYear()) return [DAY.format(when), full];
  return [String(when.getFullYear()), full];
}
