/**
 * The projector's side panel pieces: a point's metadata with its nearest neighbours, the
 * bookmark buttons, and saving a selection as a bookmarks file.
 * @module
 */

import { h } from "@tbcore/sdk";

/**
 * The inspector's content for point `point` (or a hint when none is selected).
 * @param {{point: number, names: string[], columns: string[][], neighbors: {index: number, distance: number}[], metric: string, labelOf: (i: number) => string, pick: (i: number) => void}} o
 */
export function inspectorContent({ point, names, columns, neighbors, metric, labelOf, pick }) {
  if (point < 0) return [h("p", { class: "tb-muted" }, "Click a point to inspect it.")];
  return [
    h("h3", null, `Point ${point}`),
    h("table", { class: "tb-table projector-point" }, h("tbody", null,
      names.map((n, c) => h("tr", null, h("th", null, n), h("td", null, columns[c][point]))))),
    h("h4", null, `Nearest neighbours (${metric})`),
    h("ol", { class: "projector-neighbors" }, neighbors.map(({ index, distance }) =>
      h("li", null, h("button", { type: "button", class: "projector-neighbor", dataset: { index: String(index) }, onclick: () => pick(index) }, labelOf(index)),
        h("span", { class: "tb-num" }, ` ${distance.toFixed(4)}`)))),
  ];
}

/**
 * A button per TensorBoard bookmark (`[{label, selectedPoints}]`); `apply` gets the valid
 * point indices of the one clicked.
 * @param {unknown} marks
 * @param {number} count
 * @param {(points: number[]) => void} apply
 */
export function bookmarkButtons(marks, count, apply) {
  const list = Array.isArray(marks) ? marks : [];
  return [h("h4", null, "Bookmarks"), ...list.map((mark) => {
    const points = Array.isArray(mark?.selectedPoints) ? mark.selectedPoints.filter((i) => Number.isInteger(i) && i >= 0 && i < count) : [];
    return h("button", { type: "button", class: "tb-button projector-bookmark", onclick: () => apply(points) }, String(mark?.label ?? "bookmark"));
  })];
}

/**
 * Offer `data` as a JSON file download named `filename`.
 * @param {string} filename
 * @param {unknown} data
 */
export function downloadJson(filename, data) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  h("a", { href: url, download: filename }).click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
