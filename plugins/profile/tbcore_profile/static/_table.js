// A table whose columns sort on a click of their header (again: the other way round).
// Cells are text: operator and kernel names reach the DOM through h(), never as HTML.

import { h } from "@tbcore/sdk";

/** Text order with numbers in it compared as numbers ("9" before "10"); one collator for
 * every comparison (String.localeCompare makes one per call: slow on thousands of rows). */
const TEXT_ORDER = new Intl.Collator(undefined, { numeric: true });

/**
 * @typedef {{key: string, label: string, numeric?: boolean, format?: (v: any) => string}} Column
 */

/**
 * A sortable table.
 * @param {Column[]} columns
 * @param {Record<string, any>[]} rows
 * `rowClass(row)` gives a row's class; with `onRowClick(row, tr)` rows are clickable.
 * @param {{sortKey?: string, descending?: boolean, className?: string, limit?: number,
 *   rowClass?: (row: any) => string | null, onRowClick?: (row: any, tr: HTMLElement) => void}} [options]
 * @returns {HTMLElement} a wrapper holding the table
 */
export function sortableTable(columns, rows, options = {}) {
  let sortKey = options.sortKey ?? columns[0].key;
  let descending = options.descending ?? true;
  const limit = options.limit ?? 500;
  const wrapper = h("div", { class: "profile-table-wrap" });

  function compare(a, b) {
    const x = a[sortKey];
    const y = b[sortKey];
    const order =
      typeof x === "number" && typeof y === "number" ? x - y : TEXT_ORDER.compare(String(x ?? ""), String(y ?? ""));
    return descending ? -order : order;
  }

  function rowAttributes(row) {
    const classes = [options.rowClass ? options.rowClass(row) : null, options.onRowClick ? "profile-clickable" : null];
    const attrs = { class: classes.filter(Boolean).join(" ") || null };
    const click = options.onRowClick;
    if (click) attrs.onclick = (/** @type {Event} */ event) => click(row, /** @type {HTMLElement} */ (event.currentTarget));
    return attrs;
  }

  function render() {
    const sorted = [...rows].sort(compare);
    const head = h(
      "tr",
      null,
      columns.map((column) =>
        h(
          "th",
          {
            class: column.numeric ? "tb-num profile-sortable" : "profile-sortable",
            dataset: { key: column.key },
            "aria-sort": column.key === sortKey ? (descending ? "descending" : "ascending") : "none",
            onclick: () => {
              descending = column.key === sortKey ? !descending : Boolean(column.numeric);
              sortKey = column.key;
              render();
            },
          },
          column.label,
          column.key === sortKey ? (descending ? " ▼" : " ▲") : "",
        ),
      ),
    );
    const body = sorted.slice(0, limit).map((row) =>
      h(
        "tr",
        rowAttributes(row),
        columns.map((column) => {
          const value = row[column.key];
          const text = column.format ? column.format(value) : value == null ? "" : String(value);
          return h("td", { class: column.numeric ? "tb-num" : null, title: column.numeric ? null : text }, text);
        }),
      ),
    );
    const note = sorted.length > limit ? h("p", { class: "tb-muted" }, `First ${limit} of ${sorted.length} rows.`) : null;
    const table = h(
      "table",
      { class: `tb-table ${options.className ?? ""}`, dataset: { sortKey, sortDir: descending ? "desc" : "asc", rows: rows.length } },
      h("thead", null, head),
      h("tbody", null, body),
    );
    wrapper.replaceChildren(...(note ? [table, note] : [table]));
  }

  render();
  return wrapper;
}

/**
 * Microseconds as text with a unit that fits.
 * @param {number | null | undefined} us
 */
export function formatMicros(us) {
  if (us == null || !Number.isFinite(us)) return "";
  const abs = Math.abs(us);
  if (abs >= 1e6) return `${(us / 1e6).toFixed(3)} s`;
  if (abs >= 1e3) return `${(us / 1e3).toFixed(2)} ms`;
  return `${us.toFixed(abs >= 100 ? 0 : 1)} µs`;
}

/**
 * Bytes as text (KiB, MiB, GiB).
 * @param {number | null | undefined} bytes
 */
export function formatBytes(bytes) {
  if (bytes == null || !Number.isFinite(bytes)) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}
