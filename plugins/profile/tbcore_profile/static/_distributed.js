// The distributed view: one row per worker of a torch.distributed job, its mean step split
// into computation, overlap, communication and other time, and the time its collectives spent
// waiting for the other workers; then each step per worker.

import { h } from "@tbcore/sdk";
import { formatBytes, formatMicros, sortableTable } from "./_table.js";

const PARTS = [
  ["computation_us", "Computation", "#4e79a7"],
  ["overlap_us", "Overlap", "#9c755f"],
  ["communication_us", "Communication", "#b07aa1"],
  ["other_us", "Other", "#bab0ac"],
];

/**
 * Render a `distributed` answer.
 * @param {any} data
 * @param {(span: number) => void} onSpan show another span
 * @returns {HTMLElement}
 */
export function renderDistributed(data, onSpan) {
  const spanSelect = h(
    "select",
    { class: "tb-input profile-span", "aria-label": "Span", onchange: () => onSpan(Number(spanSelect.value)) },
    data.spans.map((s) => h("option", { value: String(s) }, `Span ${s}`)),
  );
  spanSelect.value = String(data.span);
  const longest = Math.max(1, ...data.workers.map((w) => w.average.total_us ?? 0));
  const workers = sortableTable(
    [
      { key: "worker", label: "Worker" },
      { key: "bar", label: "Mean step", format: () => "" },
      { key: "total_us", label: "Step", numeric: true, format: formatMicros },
      ...PARTS.map(([key, label]) => ({ key, label, numeric: true, format: formatMicros })),
      { key: "wait_us", label: "Wait", numeric: true, format: formatMicros },
      { key: "transfer_us", label: "Data transfer", numeric: true, format: formatMicros },
    ],
    data.workers.map((w) => ({ worker: w.worker, ...w.average })),
    { sortKey: "worker", descending: false, className: "profile-workers" },
  );
  // the bar cells: drawn after the table is made (cells are text in sortableTable)
  for (const tr of workers.querySelectorAll("tbody tr")) {
    const name = tr.children[0].textContent;
    const worker = data.workers.find((w) => w.worker === name);
    if (!worker) continue;
    tr.children[1].replaceChildren(
      h(
        "div",
        { class: "profile-bar profile-worker-bar", style: { width: `${(100 * (worker.average.total_us ?? 0)) / longest}%` } },
        PARTS.map(([key, label, color]) => {
          const value = worker.average[key] ?? 0;
          const share = worker.average.total_us ? (100 * value) / worker.average.total_us : 0;
          return h("div", { class: "profile-bar-part", dataset: { category: key }, title: `${label}: ${formatMicros(value)}`, style: { width: `${share}%`, background: color } });
        }),
      ),
    );
  }
  const steps = sortableTable(
    [
      { key: "worker", label: "Worker" },
      { key: "step", label: "Step" },
      { key: "total_us", label: "Total", numeric: true, format: formatMicros },
      ...PARTS.map(([key, label]) => ({ key, label, numeric: true, format: formatMicros })),
      { key: "wait_us", label: "Wait", numeric: true, format: formatMicros },
    ],
    data.workers.flatMap((w) => w.steps.map((s) => ({ worker: w.worker, ...s }))),
    { sortKey: "worker", descending: false, className: "profile-worker-steps" },
  );
  const collectives = sortableTable(
    [
      { key: "worker", label: "Worker" },
      { key: "name", label: "Collective" },
      { key: "calls", label: "Calls", numeric: true },
      { key: "bytes", label: "Size", numeric: true, format: formatBytes },
      { key: "mean_bytes", label: "Mean size", numeric: true, format: formatBytes },
      { key: "total_us", label: "Time", numeric: true, format: formatMicros },
      { key: "mean_us", label: "Mean time", numeric: true, format: formatMicros },
      { key: "transfer_us", label: "Data transfer", numeric: true, format: formatMicros },
      { key: "mean_transfer_us", label: "Mean transfer", numeric: true, format: formatMicros },
      { key: "wait_us", label: "Wait", numeric: true, format: formatMicros },
    ],
    data.workers.flatMap((w) => w.collectives.map((c) => ({ worker: w.worker, ...c }))),
    { sortKey: "total_us", className: "profile-collectives" },
  );
  const anyCommunication = data.workers.some((w) => w.has_communication);
  return h(
    "div",
    { class: "profile-distributed" },
    h("div", { class: "tb-settings" }, h("label", null, "Span ", spanSelect)),
    anyCommunication ? null : h("p", { class: "tb-muted" }, "No worker of this run made collective calls (nccl:* or gloo:*)."),
    data.wait_note ? h("p", { class: "tb-muted profile-wait-note" }, `No wait time: ${data.wait_note}.`) : null,
    h("h3", null, "Workers (mean step)"),
    workers,
    h("h3", null, "Steps"),
    steps,
    h("h3", null, "Collectives"),
    collectives,
  );
}
