// The overview: the average step as a stacked bar, the breakdown of every step, devices and
// recommendations (plain text).

import { h } from "@tbcore/sdk";
import { formatMicros, sortableTable } from "./_table.js";

export const CATEGORY_LABELS = {
  kernel: "Kernel",
  memcpy: "Memcpy",
  memset: "Memset",
  communication: "Communication",
  runtime: "Runtime",
  data_loading: "Data loading",
  cpu_exec: "CPU exec",
  other: "Other",
};

export const CATEGORY_COLORS = {
  kernel: "#4e79a7",
  memcpy: "#f28e2b",
  memset: "#edc948",
  communication: "#b07aa1",
  runtime: "#e15759",
  data_loading: "#76b7b2",
  cpu_exec: "#59a14f",
  other: "#bab0ac",
};

/**
 * Render an `overview` answer.
 * @param {any} data
 * @returns {HTMLElement}
 */
export function renderOverview(data) {
  const total = data.average.total || 0;
  const bar = h(
    "div",
    { class: "profile-bar", role: "img", "aria-label": "Average step time by category" },
    data.categories.map((key) => {
      const value = data.average[key] ?? 0;
      const share = total > 0 ? (100 * value) / total : 0;
      return h("div", {
        class: "profile-bar-part",
        dataset: { category: key, us: value },
        title: `${CATEGORY_LABELS[key] ?? key}: ${formatMicros(value)} (${share.toFixed(1)}%)`,
        style: { width: `${share}%`, background: CATEGORY_COLORS[key] ?? "#999" },
      });
    }),
  );
  const legend = h(
    "ul",
    { class: "profile-legend" },
    data.categories.map((key) => {
      const value = data.average[key] ?? 0;
      const share = total > 0 ? (100 * value) / total : 0;
      return h(
        "li",
        { dataset: { category: key } },
        h("span", { class: "tb-swatch", style: { background: CATEGORY_COLORS[key] ?? "#999" } }),
        ` ${CATEGORY_LABELS[key] ?? key}: ${formatMicros(value)} (${share.toFixed(1)}%)`,
      );
    }),
  );
  const columns = [
    { key: "step", label: "Step" },
    { key: "total_us", label: "Total", numeric: true, format: formatMicros },
    ...data.categories.map((key) => ({
      key: `${key}_us`,
      label: CATEGORY_LABELS[key] ?? key,
      numeric: true,
      format: formatMicros,
    })),
  ];
  const steps = sortableTable(columns, data.steps, { sortKey: "step", descending: false, className: "profile-steps" });
  const devices = data.devices.length
    ? h(
        "table",
        { class: "tb-table profile-devices" },
        h("thead", null, h("tr", null, ["GPU", "Name", "Kernels", "Utilization", "Est. SM efficiency", "Est. occupancy", "Tensor cores"].map((t) => h("th", null, t)))),
        h(
          "tbody",
          null,
          data.devices.map((d) =>
            h(
              "tr",
              null,
              h("td", null, String(d.device)),
              h("td", null, d.name ?? ""),
              h("td", { class: "tb-num" }, String(d.kernels)),
              h("td", { class: "tb-num" }, percent(d.utilization)),
              h("td", { class: "tb-num" }, percent(d.sm_efficiency)),
              h("td", { class: "tb-num" }, d.occupancy == null ? "" : `${d.occupancy.toFixed(1)}%`),
              h("td", { class: "tb-num profile-tensor-cores", title: "Share of kernel time in kernels that use tensor cores" }, percent(d.tensor_core_share)),
            ),
          ),
        ),
      )
    : null;
  const advice = data.recommendations.length
    ? h("ul", { class: "profile-recommendations" }, data.recommendations.map((text) => h("li", null, text)))
    : h("p", { class: "tb-muted" }, "No recommendation: nothing stands out in this profile.");
  return h(
    "div",
    { class: "profile-overview" },
    h(
      "p",
      { class: "profile-summary" },
      `Average step: ${formatMicros(total)} over ${data.steps.length} step${data.steps.length === 1 ? "" : "s"}; `,
      `${data.summary.events} events on ${data.summary.lanes} threads and streams.`,
      data.tensor_core_share == null ? "" : ` Tensor cores: ${percent(data.tensor_core_share)} of kernel time`,
      data.tensor_core_eligible_share == null
        ? ""
        : `; ${percent(data.tensor_core_eligible_share)} in operators that could use them.`,
    ),
    bar,
    legend,
    h("h3", null, "Steps"),
    steps,
    devices && h("h3", null, "Devices"),
    devices,
    h("h3", null, "Recommendations"),
    advice,
  );
}

function percent(value) {
  return value == null ? "" : `${(100 * value).toFixed(1)}%`;
}
