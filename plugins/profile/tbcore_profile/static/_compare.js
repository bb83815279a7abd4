// The comparison view: this trace against a baseline trace (another run's, or another span or
// worker of the same run): the average step breakdown side by side, then operators and kernels
// sorted by how much slower they got; slower rows are marked.

import { h, renderError } from "@tbcore/sdk";
import { CATEGORY_LABELS } from "./_overview.js";
import { formatMicros, sortableTable } from "./_table.js";

/**
 * Fill `section` with the comparison controls and tables.
 * @param {HTMLElement} section
 * @param {{run: string, traces: any[]}[]} runs every run with traces
 * @param {{run: string, trace: string}} current the trace being looked at
 * @param {(route: string, params: Record<string, string>) => Promise<any>} fetchJson
 * @param {() => boolean} stale whether the view was replaced meanwhile
 */
export async function renderCompare(section, runs, current, fetchJson, stale) {
  const choices = runs.flatMap((r) => r.traces.map((t) => ({ run: r.run, trace: t.trace, label: `${r.run} · ${t.worker}${t.span ? ` · ${t.span}` : ""}` })));
  const baseSelect = h(
    "select",
    { class: "tb-input profile-base", "aria-label": "Baseline" },
    choices.map((c, i) => h("option", { value: String(i) }, c.label)),
  );
  const othersFirst = choices.findIndex((c) => c.run !== current.run || c.trace !== current.trace);
  baseSelect.value = String(Math.max(othersFirst, 0));
  const group = h(
    "select",
    { class: "tb-input profile-compare-group", "aria-label": "Group operators by" },
    h("option", { value: "name" }, "Operator name"),
    h("option", { value: "name_shapes" }, "Name and input shapes"),
  );
  const box = h("div", { class: "profile-compare-body" });
  section.append(
    h("div", { class: "tb-settings" }, h("label", null, "Baseline ", baseSelect), h("label", null, "Group by ", group)),
    box,
  );
  async function load() {
    const base = choices[Number(baseSelect.value)];
    if (!base) {
      box.replaceChildren(h("p", { class: "tb-muted" }, "No trace to compare with."));
      return;
    }
    const data = await fetchJson("compare", {
      run: current.run,
      trace: current.trace,
      base_run: base.run,
      base_trace: base.trace,
      group_by: group.value,
    });
    if (stale()) return;
    box.replaceChildren(...renderTables(data));
    box.dataset.loaded = "true";
  }
  const reload = () => load().catch((err) => renderError(box, err, "Could not compare the traces"));
  baseSelect.addEventListener("change", reload);
  group.addEventListener("change", reload);
  await load();
}

function delta(value) {
  if (value == null || !Number.isFinite(value)) return "";
  return value > 0 ? `+${formatMicros(value)}` : formatMicros(value);
}

function countDelta(value) {
  return value > 0 ? `+${value}` : String(value);
}

function statusClass(row) {
  return `profile-${row.status}`;
}

function renderTables(data) {
  const breakdown = sortableTable(
    [
      { key: "label", label: "Category" },
      { key: "base_us", label: "Baseline", numeric: true, format: formatMicros },
      { key: "us", label: "This trace", numeric: true, format: formatMicros },
      { key: "delta_us", label: "Change", numeric: true, format: delta },
    ],
    data.breakdown.map((row) => ({ ...row, label: row.category === "total" ? "Step total" : CATEGORY_LABELS[row.category] ?? row.category, status: row.delta_us > 0 ? "slower" : row.delta_us < 0 ? "faster" : "same" })),
    { sortKey: "delta_us", className: "profile-compare-breakdown", rowClass: statusClass },
  );
  const sort = data.sort;
  const opColumns = [
    { key: "name", label: "Operator" },
    ...(data.group_by === "name_shapes" ? [{ key: "input_shape", label: "Input shapes" }] : []),
    { key: "status", label: "" },
    { key: `${sort}_delta`, label: "Change", numeric: true, format: delta },
    { key: `base_${sort}`, label: sort === "device_self_us" ? "Base device self" : "Base host self", numeric: true, format: formatMicros },
    { key: sort, label: sort === "device_self_us" ? "Device self" : "Host self", numeric: true, format: formatMicros },
    { key: "host_total_us_delta", label: "Host total change", numeric: true, format: delta },
    { key: "base_calls", label: "Base calls", numeric: true },
    { key: "calls", label: "Calls", numeric: true },
    { key: "calls_delta", label: "Calls change", numeric: true, format: countDelta },
  ];
  const kernelColumns = [
    { key: "name", label: "Kernel" },
    { key: "status", label: "" },
    { key: "total_us_delta", label: "Change", numeric: true, format: delta },
    { key: "base_total_us", label: "Base total", numeric: true, format: formatMicros },
    { key: "total_us", label: "Total", numeric: true, format: formatMicros },
    { key: "base_calls", label: "Base calls", numeric: true },
    { key: "calls", label: "Calls", numeric: true },
  ];
  return [
    h("p", { class: "profile-summary" }, `${data.run} (${data.steps} steps) against ${data.base.run} (${data.base_steps} steps): mean step ${delta(data.breakdown.at(-1).delta_us)}.`),
    h("h3", null, "Step breakdown (mean step)"),
    breakdown,
    h("h3", null, "Operators"),
    sortableTable(opColumns, data.operators, { sortKey: `${sort}_delta`, className: "profile-compare-operators", rowClass: statusClass }),
    ...(data.kernels.length
      ? [h("h3", null, "Kernels"), sortableTable(kernelColumns, data.kernels, { sortKey: "total_us_delta", className: "profile-compare-kernels", rowClass: statusClass })]
      : []),
  ];
}
