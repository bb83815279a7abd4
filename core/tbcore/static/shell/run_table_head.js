// The header row of the sidebar's run table: a click on a column's header sorts the runs by
// it, a second click reverses the order; the sorted column shows an arrow (and `aria-sort`).
// The order is the RunsModel's, so it is the one run order of every dashboard.

import { h } from "@tbcore/sdk";

/**
 * @typedef {object} Column
 * @property {string} label
 * @property {string} [title] what a click does
 * @property {[string, string]} [orders] the run orders of this column: `[ascending, descending]`
 * @property {boolean} [hiddenLabel] the label is for screen readers only
 */

/** The columns, in the order of a row's cells. @type {Column[]} */
const COLUMNS = [
  { label: "Run", title: "Sort by name (click again to reverse)", orders: ["name", "name-desc"] },
  { label: "Color", hiddenLabel: true },
  { label: "Start", title: "Sort by the order the runs started in (click again for newest first)", orders: ["start", "start-desc"] },
];

/**
 * @param {import("./runs_model.js").RunsModel} model
 * @returns {HTMLElement} the header's row group
 */
export function runTableHead(model) {
  /** @type {{cell: HTMLElement, arrow: HTMLElement, orders: [string, string]}[]} */
  const sortable = [];
  const cells = COLUMNS.map((column) => {
    if (!column.orders) {
      return h("span", { role: "columnheader", class: "tb-run-head-cell" }, h("span", { class: column.hiddenLabel ? "tb-visually-hidden" : "" }, column.label));
    }
    const orders = column.orders;
    const arrow = h("span", { class: "tb-run-sort-arrow", "aria-hidden": "true" });
    const button = h(
      "button",
      { type: "button", class: "tb-run-sort", title: column.title, dataset: { sort: orders[0] } },
      column.label,
      arrow,
    );
    button.addEventListener("click", () => model.order.set(model.order.get() === orders[0] ? orders[1] : orders[0]));
    const cell = h("span", { role: "columnheader", class: "tb-run-head-cell" }, button);
    sortable.push({ cell, arrow, orders });
    return cell;
  });
  const render = (/** @type {string} */ order) => {
    for (const { cell, arrow, orders } of sortable) {
      const direction = order === orders[0] ? "ascending" : order === orders[1] ? "descending" : "";
      if (direction) cell.setAttribute("aria-sort", direction);
      else cell.removeAttribute("aria-sort");
      arrow.textContent = direction === "ascending" ? "▲" : direction === "descending" ? "▼" : "";
    }
  };
  render(model.order.get());
  model.order.subscribe(render);
  return h("div", { role: "rowgroup" }, h("div", { role: "row", class: "tb-run-head" }, cells));
}
