// The left sidebar: one checkbox per run with its color, a regex filter, select all / none.
// Rows are built once per run and shown or hidden by the filter, so 2,000 runs stay fast.

import { h, runColor } from "@tbcore/sdk";

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
      h("span", { class: "tb-swatch", "aria-hidden": "true" }),
      h("span", { class: "tb-run-name" }),
    ),
  );

  /** @param {string} name */
  function makeRow(name) {
    const row = /** @type {HTMLElement} */ (template.cloneNode(true));
    const box = /** @type {HTMLInputElement} */ (row.querySelector("input"));
    const swatch = /** @type {HTMLElement} */ (row.querySelector(".tb-swatch"));
    const label = /** @type {HTMLElement} */ (row.querySelector(".tb-run-name"));
    box.checked = model.isChecked(name);
    swatch.style.background = runColor(name);
    label.textContent = name;
    row.title = name;
    rows.set(name, { row, box });
    rowNames.set(row, name);
    return row;
  }

  list.addEventListener("change", (event) => {
    const box = /** @type {HTMLInputElement} */ (event.target);
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
  renderRuns();
  renderFilter();
}
