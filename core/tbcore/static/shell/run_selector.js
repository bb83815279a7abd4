// The left sidebar: one checkbox per run with its color, a regex filter, select all / none,
// the run order, and a color picker (click a run's swatch). Rows are built once per run and
// shown or hidden by the filter, so 2,000 runs stay fast; one color input serves them all.

import { h, onRunColorChange, runColor, setRunColor } from "@tbcore/sdk";
import { RUN_ORDERS } from "./runs_model.js";

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
  const list = h("ul", { class: "tb-run-list", "aria-label": "Runs" });
  const empty = h("p", { class: "tb-muted tb-runs-empty" }, "No runs yet.");
  const bounded = h("p", { class: "tb-runs-bounded", role: "status", hidden: true });
  const sort = /** @type {HTMLSelectElement} */ (
    h("select", { id: "tb-run-sort", class: "tb-input tb-small", "aria-label": "Sort runs" }, RUN_ORDERS.map(([value, label]) => h("option", { value }, label)))
  );
  sort.value = model.order.get();
  sort.addEventListener("change", () => model.order.set(sort.value));
  /** One color input for every run: a swatch click points it at its run and opens it. */
  const picker = /** @type {HTMLInputElement} */ (
    h("input", { type: "color", id: "tb-run-color", class: "tb-visually-hidden", "aria-label": "Run color", tabindex: "-1" })
  );
  let pickerRun = "";
  /** @type {Map<string, {row: HTMLElement, box: HTMLInputElement}>} */
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
      h("div", { class: "tb-runs-sort" }, h("label", { for: "tb-run-sort" }, "Order "), sort),
      bounded,
      picker,
    ),
    list,
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
    { class: "tb-run" },
    h(
      "label",
      null,
      h("input", { type: "checkbox" }),
      h("span", { class: "tb-run-name" }),
    ),
    h("button", { type: "button", class: "tb-swatch tb-swatch-button" }),
  );

  /** @param {string} name */
  function makeRow(name) {
    const row = /** @type {HTMLElement} */ (template.cloneNode(true));
    const box = /** @type {HTMLInputElement} */ (row.querySelector("input"));
    const swatch = /** @type {HTMLElement} */ (row.querySelector(".tb-swatch"));
    const label = /** @type {HTMLElement} */ (row.querySelector(".tb-run-name"));
    box.checked = model.isChecked(name);
    swatch.style.background = runColor(name);
    swatch.setAttribute("aria-label", `Color of ${name}`);
    swatch.title = "Pick a color";
    label.textContent = name;
    row.title = name;
    rows.set(name, { row, box });
    rowNames.set(row, name);
    return row;
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
      const row = existing ? existing.row : makeRow(name);
      if (!existing || row.previousElementSibling !== previous) inOrder = false;
      row.hidden = !model.matches(name);
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
  model.order.subscribe((value) => (sort.value = value));
  model.bounded.subscribe(renderBounded);
  renderBounded();
  renderRuns();
  renderFilter();
}
