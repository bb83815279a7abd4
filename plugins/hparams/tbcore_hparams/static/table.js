/**
 * The table of trials: a row per trial (past 200 trials, only the rows in view are in the
 * DOM, so thousands stay fast), a column per shown hparam and metric with a sort button and a filter (a range
 * for numbers; a regex or a set of values otherwise), the trial's status, and a checkbox that
 * selects the trial's runs in the shell's run selector.
 * @module
 */

import { h } from "@tbcore/sdk";
import { formatValue, statusLabel } from "./data.js";
import { STATUS_KEY, TRIAL_KEY } from "./filters.js";

const ROW_HEIGHT = 24;
/** Height of the scrolling area (CSS max-height): rows for it are drawn even while the
 * table is still shorter. */
const VIEW_HEIGHT = 440;
/** Rows drawn above and below the visible ones, so that scrolling shows no blank rows. */
const OVERSCAN = 10;
/** Up to this many rows, all are in the DOM (the browser's find sees them all). */
const ALL_ROWS_BELOW = 200;
/** Columns with at most this many distinct values get a checklist filter. */
const MAX_CHECKLIST = 30;
const FILTER_DELAY_MS = 250;

/**
 * @typedef {object} TableCallbacks
 * @property {(key: string) => void} onSort a header was clicked (cycles ascending, descending, none)
 * @property {(key: string, filter: import("./state.js").Filter | null) => void} onFilter
 * @property {(trials: number[], selected: boolean) => void} onSelect checkboxes changed
 * @property {(trial: number) => void} onOpen a trial's name was clicked (show its curves)
 * @property {(run: string) => string} colorOf
 */

export class TrialTable {
  /**
   * @param {HTMLElement} el
   * @param {TableCallbacks} callbacks
   */
  constructor(el, callbacks) {
    this.callbacks = callbacks;
    this.head = h("thead");
    this.body = h("tbody");
    this.table = h("table", { class: "tb-table hp-table" }, this.head, this.body);
    this.scroller = h("div", { class: "hp-table-scroll", tabindex: "0", "aria-label": "Trials" }, this.table);
    this.count = h("span", { class: "hp-count", "aria-live": "polite" });
    el.replaceChildren(this.count, this.scroller);
    /** @type {import("./data.js").Trials | null} */
    this.model = null;
    /** @type {number[]} */
    this.rows = [];
    /** @type {import("./data.js").Column[]} */
    this.columns = [];
    /** @type {Set<number>} */
    this.selected = new Set();
    this.open = -1;
    this.frame = 0;
    this.drawnRange = "";
    this.scroller.addEventListener("scroll", () => this.schedule());
    this.body.addEventListener("change", (event) => {
      const box = /** @type {HTMLInputElement} */ (event.target);
      const row = box.closest("tr");
      if (row?.dataset.index !== undefined) callbacks.onSelect([Number(row.dataset.index)], box.checked);
    });
    this.body.addEventListener("click", (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      const button = target.closest(".hp-open");
      const row = target.closest("tr");
      if (button && row?.dataset.index !== undefined) callbacks.onOpen(Number(row.dataset.index));
    });
  }

  /**
   * Show `rows` (trial indices, in order) with the shown `columns`.
   * @param {import("./data.js").Trials} model
   * @param {import("./data.js").Column[]} columns
   * @param {number[]} rows
   * @param {import("./state.js").ViewState} state
   * @param {Set<number>} selected
   * @param {number} open the trial whose curves are open, or -1
   */
  update(model, columns, rows, state, selected, open) {
    const headerChanged = this.model !== model || this.columns !== columns || this.sortKey !== JSON.stringify(state.sort);
    this.model = model;
    this.rows = rows;
    this.selected = selected;
    this.open = open;
    this.count.textContent = `${rows.length} of ${model.trials.length} trials shown · ${selected.size} selected`;
    if (headerChanged || this.columns !== columns) {
      this.columns = columns;
      this.sortKey = JSON.stringify(state.sort);
      this.renderHead(state);
    } else {
      this.syncFilters(state);
    }
    this.drawnRange = "";
    this.renderBody();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderBody();
    });
  }

  /** @param {import("./state.js").ViewState} state */
  renderHead(state) {
    const sort = state.sort;
    const arrow = (/** @type {string} */ key) => (sort?.key === key ? (sort.desc ? " ▼" : " ▲") : "");
    const ariaSort = (/** @type {string} */ key) => (sort?.key === key ? (sort.desc ? "descending" : "ascending") : "none");
    const sortButton = (/** @type {string} */ key, /** @type {string} */ label, /** @type {string} */ title) =>
      h("button", { type: "button", class: "hp-sort", title, dataset: { key }, onclick: () => this.callbacks.onSort(key) }, label, arrow(key));
    const allBox = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "hp-select-all", "aria-label": "Select every trial shown" }));
    allBox.addEventListener("change", () => this.callbacks.onSelect(this.rows, allBox.checked));
    this.allBox = allBox;
    const names = h("tr", null,
      h("th", { class: "hp-check" }, allBox),
      h("th", { "aria-sort": ariaSort(TRIAL_KEY) }, sortButton(TRIAL_KEY, "Trial", "Sort by trial name")),
      h("th", { "aria-sort": ariaSort(STATUS_KEY) }, sortButton(STATUS_KEY, "Status", "Sort by status")),
      this.columns.map((c) => h("th", { "aria-sort": ariaSort(c.key), class: c.kind === "metric" ? "hp-metric tb-num" : "hp-hparam", dataset: { key: c.key } },
        sortButton(c.key, c.label, `${c.kind === "metric" ? "Metric" : "Hyperparameter"} ${c.label}${c.description ? `: ${c.description}` : ""}`))),
    );
    /** @type {Map<string, (f: any) => void>} */
    this.filterSetters = new Map();
    const filters = h("tr", { class: "hp-filters" }, h("th"), h("th"), h("th"), this.columns.map((c) => h("th", null, this.filterControl(c, state.filters[c.key]))));
    this.head.replaceChildren(names, filters);
  }

  /** @param {import("./state.js").ViewState} state */
  syncFilters(state) {
    for (const [key, set] of this.filterSetters ?? []) set(state.filters[key]);
  }

  /**
   * @param {import("./data.js").Column} column
   * @param {import("./state.js").Filter | undefined} filter
   */
  filterControl(column, filter) {
    const label = column.label;
    if (column.type === "number") {
      const input = (/** @type {string} */ which) => /** @type {HTMLInputElement} */ (h("input", {
        type: "number", step: "any", class: `tb-input hp-${which}`, placeholder: which, "aria-label": `${label} ${which}`,
      }));
      const lo = input("min"), hi = input("max");
      let timer = 0;
      const commit = () => {
        clearTimeout(timer);
        const min = lo.value.trim() === "" ? null : Number(lo.value);
        const max = hi.value.trim() === "" ? null : Number(hi.value);
        this.callbacks.onFilter(column.key, min === null && max === null ? null : { min, max });
      };
      for (const box of [lo, hi]) {
        box.addEventListener("input", () => { clearTimeout(timer); timer = window.setTimeout(commit, FILTER_DELAY_MS); });
        box.addEventListener("change", commit);
      }
      const set = (/** @type {any} */ f) => {
        const range = f && !("regex" in f) && !("values" in f) ? f : {};
        if (document.activeElement !== lo) lo.value = range.min === null || range.min === undefined ? "" : String(Number(range.min.toPrecision(6)));
        if (document.activeElement !== hi) hi.value = range.max === null || range.max === undefined ? "" : String(Number(range.max.toPrecision(6)));
      };
      set(filter);
      this.filterSetters?.set(column.key, set);
      return h("div", { class: "hp-range" }, lo, hi);
    }
    const regex = /** @type {HTMLInputElement} */ (h("input", { type: "search", class: "tb-input hp-regex", placeholder: "regex", "aria-label": `${label} regex` }));
    let timer = 0;
    regex.addEventListener("input", () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => this.callbacks.onFilter(column.key, regex.value ? { regex: regex.value } : null), FILTER_DELAY_MS);
    });
    /** @type {HTMLInputElement[]} */
    let boxes = [];
    let list = null;
    if (column.categories.length <= MAX_CHECKLIST) {
      boxes = column.categories.map((value) => /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", checked: true, dataset: { value: JSON.stringify(value) } })));
      const onBoxes = () => {
        const chosen = boxes.filter((b) => b.checked).map((b) => JSON.parse(b.dataset.value ?? "null"));
        this.callbacks.onFilter(column.key, chosen.length === boxes.length ? null : { values: chosen });
      };
      list = h("details", { class: "hp-values" }, h("summary", { "aria-label": `${label} values` }, "values"),
        h("div", { class: "hp-values-list", onchange: onBoxes }, column.categories.map((value, i) => h("label", null, boxes[i], " ", formatValue(value)))));
    }
    const set = (/** @type {any} */ f) => {
      if (document.activeElement !== regex) regex.value = f && "regex" in f ? f.regex : "";
      const allowed = f && "values" in f ? new Set(f.values.map((/** @type {any} */ v) => JSON.stringify(v))) : null;
      for (const b of boxes) b.checked = allowed === null || allowed.has(b.dataset.value ?? "");
    };
    set(filter);
    this.filterSetters?.set(column.key, set);
    return h("div", { class: "hp-text-filter" }, regex, list);
  }

  renderBody() {
    const model = this.model;
    if (!model) return;
    const total = this.rows.length;
    const top = this.scroller.scrollTop;
    const height = Math.max(this.scroller.clientHeight, VIEW_HEIGHT);
    const few = total <= ALL_ROWS_BELOW;
    const first = few ? 0 : Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = few ? total : Math.min(total, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const range = `${first}:${last}`;
    if (range === this.drawnRange) return;
    this.drawnRange = range;
    const span = this.columns.length + 3;
    const spacer = (/** @type {number} */ rows) => h("tr", { class: "hp-spacer", "aria-hidden": "true" }, h("td", { colspan: span, style: { height: `${rows * ROW_HEIGHT}px` } }));
    const out = [spacer(first)];
    for (let r = first; r < last; r++) out.push(this.row(this.rows[r]));
    out.push(spacer(total - last));
    this.body.replaceChildren(...out);
    if (this.allBox) {
      const selectedShown = this.rows.filter((i) => this.selected.has(i)).length;
      this.allBox.checked = total > 0 && selectedShown === total;
      this.allBox.indeterminate = selectedShown > 0 && selectedShown < total;
    }
  }

  /** A row with the shown columns' cells, empty: cloned for every row drawn. */
  template() {
    if (this.templateFor !== this.columns) {
      this.templateFor = this.columns;
      this.rowTemplate = h("tr", { class: "hp-row" },
        h("td", { class: "hp-check" }, h("input", { type: "checkbox" })),
        h("td", { class: "hp-name" }, h("span", { class: "tb-swatch" }), h("button", { type: "button", class: "hp-open" })),
        h("td", { class: "hp-status" }),
        this.columns.map((c) => h("td", { class: c.kind === "metric" || c.type === "number" ? "tb-num" : null })));
    }
    return /** @type {HTMLElement} */ (this.rowTemplate);
  }

  /** @param {number} index */
  row(index) {
    const model = /** @type {import("./data.js").Trials} */ (this.model);
    const trial = model.trials[index];
    const tr = /** @type {HTMLTableRowElement} */ (this.template().cloneNode(true));
    if (index === this.open) tr.classList.add("hp-open-row");
    tr.dataset.index = String(index);
    tr.dataset.trial = trial.name;
    const cells = tr.cells;
    const box = /** @type {HTMLInputElement} */ (cells[0].firstChild);
    box.checked = this.selected.has(index);
    box.setAttribute("aria-label", `Select ${trial.name}`);
    const swatch = /** @type {HTMLElement} */ (cells[1].firstChild);
    swatch.style.background = this.callbacks.colorOf(trial.run);
    const open = /** @type {HTMLElement} */ (cells[1].lastChild);
    open.textContent = trial.name;
    open.title = `Show the curves of ${trial.name}`;
    const status = statusLabel(trial.status);
    cells[2].textContent = status;
    cells[2].classList.add(`hp-status-${status}`);
    for (let j = 0; j < this.columns.length; j++) cells[j + 3].textContent = formatValue(this.columns[j].values[index]);
    return tr;
  }
}
