// The profile dashboard: pick a run and one of its traces, then its overview (step-time
// breakdown), operators, kernels, memory and timeline. Plain JavaScript on @tbcore/sdk.

import { LineChart, h, renderEmpty, renderError, renderLoading } from "@tbcore/sdk";
import { renderCompare } from "./_compare.js";
import { renderDistributed } from "./_distributed.js";
import { renderOverview } from "./_overview.js";
import { formatBytes, formatMicros, sortableTable } from "./_table.js";
import { Timeline } from "./_timeline.js";

const VIEWS = ["overview", "operators", "kernels", "memory", "timeline", "compare", "distributed"];
const VIEW_LABELS = {
  overview: "Overview",
  operators: "Operators",
  kernels: "Kernels",
  memory: "Memory",
  timeline: "Timeline",
  compare: "Compare",
  distributed: "Distributed",
};

/**
 * @param {HTMLElement} el
 * @param {any} ctx
 */
export async function mount(el, ctx) {
  document.head.append(h("link", { rel: "stylesheet", href: ctx.url("static/style.css") }));
  const runSelect = h("select", { class: "tb-input profile-run", "aria-label": "Run" });
  const traceSelect = h("select", { class: "tb-input profile-trace", "aria-label": "Trace" });
  const viewButtons = VIEWS.map((view) =>
    h("button", { class: "tb-button profile-view-button", dataset: { view }, onclick: () => show(view) }, VIEW_LABELS[view]),
  );
  const body = h("div", { class: "profile-body" });
  el.replaceChildren(
    h("div", { class: "tb-settings profile-toolbar" }, h("label", null, "Run ", runSelect), h("label", null, "Trace ", traceSelect), h("span", { class: "profile-views" }, viewButtons)),
    body,
  );

  /** @type {{run: string, traces: any[]}[]} */
  let runs = [];
  /** @type {{importers: string[], importer_errors: Record<string, string>}} */
  let importers = { importers: [], importer_errors: {} };
  let view = "overview";
  let cleanup = () => {};
  let generation = 0;

  function visibleRuns() {
    const selected = new Set(ctx.runs.selected());
    return runs.filter((r) => selected.has(r.run));
  }

  function fillSelects() {
    const shown = visibleRuns();
    const current = runSelect.value;
    runSelect.replaceChildren(...shown.map((r) => h("option", { value: r.run }, r.run)));
    if (shown.some((r) => r.run === current)) runSelect.value = current;
    fillTraces();
  }

  function fillTraces() {
    const run = runs.find((r) => r.run === runSelect.value);
    const current = traceSelect.value;
    const traces = run ? run.traces : [];
    traceSelect.replaceChildren(
      ...traces.map((t) =>
        h("option", { value: t.trace }, `${t.worker}${t.span ? ` · ${t.span}` : ""}${t.status === "ready" ? "" : ` (${t.status})`}`),
      ),
    );
    if (traces.some((t) => t.trace === current)) traceSelect.value = current;
    else if (traces.length) traceSelect.value = traces[traces.length - 1].trace;
  }

  function params(extra = {}) {
    return { run: runSelect.value, trace: traceSelect.value, ...extra };
  }

  function show(next) {
    view = next;
    for (const button of viewButtons) button.setAttribute("aria-pressed", String(button.dataset.view === view));
    render();
  }

  async function render() {
    cleanup();
    cleanup = () => {};
    const mine = ++generation;
    el.dataset.view = view;
    if (!importers.importers.length) {
      const broken = Object.entries(importers.importer_errors).map(([name, error]) => `${name}: ${error}`);
      return renderEmpty(
        body,
        ["No trace importer is installed: pip install \"tbcore[profile]\" (tbcore-kineto reads torch.profiler traces).", ...broken].join(" "),
      );
    }
    if (!runs.length) return renderEmpty(body, "No run holds a profiler trace (torch.profiler writes *.pt.trace.json).");
    if (!runSelect.value) return renderEmpty(body, "No run with a profiler trace is selected.");
    renderLoading(body);
    try {
      const section = h("section", { class: `profile-section profile-${view}`, dataset: { view } });
      if (view === "overview") {
        const data = await ctx.fetchJson("overview", params());
        if (mine !== generation) return;
        section.append(renderOverview(data));
      } else if (view === "operators") {
        await renderOperators(section, mine);
      } else if (view === "kernels") {
        const data = await ctx.fetchJson("kernels", params({ group_by: "name_op" }));
        if (mine !== generation) return;
        if (!data.rows.length) section.append(h("p", { class: "tb-muted" }, "This trace has no GPU kernels."));
        else section.append(sortableTable(kernelColumns(), data.rows, { sortKey: "total_us", className: "profile-kernels" }));
      } else if (view === "compare") {
        const current = { run: runSelect.value, trace: traceSelect.value };
        body.replaceChildren(section);
        await renderCompare(section, runs, current, (route, p) => ctx.fetchJson(route, p), () => mine !== generation);
        return;
      } else if (view === "distributed") {
        await renderDistributedView(section, mine, undefined);
      } else if (view === "memory") {
        const data = await ctx.fetchJson("memory", params({ points: 2000 }));
        if (mine !== generation) return;
        renderMemory(section, data);
      } else {
        const timeline = new Timeline(section, (route, extra, signal) => ctx.fetchJson(route, params(extra), { signal }));
        cleanup = () => timeline.destroy();
        body.replaceChildren(section);
        await timeline.load();
        return;
      }
      if (mine === generation) body.replaceChildren(section);
    } catch (err) {
      if (mine !== generation) return;
      if (err.status === 409) {
        // the trace is still being written: look again shortly
        renderLoading(body, "The trace is still being written…");
        const timer = setTimeout(() => mine === generation && render(), 1500);
        cleanup = () => clearTimeout(timer);
        return;
      }
      renderError(body, err, "Could not load the profile");
    }
  }

  async function renderDistributedView(section, mine, span) {
    const data = await ctx.fetchJson("distributed", span ? { run: runSelect.value, span } : { run: runSelect.value });
    if (mine !== generation) return;
    section.replaceChildren(
      renderDistributed(data, (next) =>
        renderDistributedView(section, mine, next).catch((err) => renderError(section, err, "Could not load the distributed view")),
      ),
    );
  }

  async function showStacks(box, row, tr, mine) {
    for (const selected of tr.parentElement.querySelectorAll("tr.profile-selected")) selected.classList.remove("profile-selected");
    tr.classList.add("profile-selected");
    const extra = { name: row.name };
    if (row.input_shape != null) extra.input_shape = row.input_shape;
    const data = await ctx.fetchJson("operator_stacks", params(extra));
    if (mine !== generation) return;
    const title = h("h3", null, `Call stacks of ${row.name}${row.input_shape != null ? ` ${row.input_shape}` : ""}`);
    if (!data.stacks.length || data.stacks.every((s) => !s.frames.length)) {
      box.replaceChildren(title, h("p", { class: "tb-muted" }, "No call stack was recorded for this operator (profile with with_stack=True)."));
      return;
    }
    box.replaceChildren(
      title,
      ...data.stacks.map((stack) =>
        h(
          "div",
          { class: "profile-stack" },
          h("p", null, `${stack.calls} call${stack.calls === 1 ? "" : "s"}, host total ${formatMicros(stack.host_total_us)}, host self ${formatMicros(stack.host_self_us)}${stack.device_total_us ? `, device total ${formatMicros(stack.device_total_us)}` : ""}`),
          stack.frames.length ? h("ol", null, stack.frames.map((frame) => h("li", null, frame))) : h("p", { class: "tb-muted" }, "(outside any recorded Python frame)"),
        ),
      ),
    );
    box.dataset.stacks = String(data.stacks.length);
  }

  async function renderOperators(section, mine) {
    const group = h(
      "select",
      { class: "tb-input profile-group", "aria-label": "Group by" },
      h("option", { value: "name" }, "Operator name"),
      h("option", { value: "name_shapes" }, "Name and input shapes"),
    );
    const tableBox = h("div");
    const stacksBox = h("div", { class: "profile-stacks" });
    section.append(h("div", { class: "tb-settings" }, h("label", null, "Group by ", group)), tableBox, stacksBox);
    async function load() {
      const data = await ctx.fetchJson("operators", params({ group_by: group.value }));
      if (mine !== generation) return;
      const columns = [
        { key: "name", label: "Name" },
        ...(data.group_by === "name_shapes" ? [{ key: "input_shape", label: "Input shapes" }] : []),
        { key: "calls", label: "Calls", numeric: true },
        ...(data.has_device
          ? [
              { key: "device_self_us", label: "Device self", numeric: true, format: formatMicros },
              { key: "device_total_us", label: "Device total", numeric: true, format: formatMicros },
            ]
          : []),
        { key: "host_self_us", label: "Host self", numeric: true, format: formatMicros },
        { key: "host_total_us", label: "Host total", numeric: true, format: formatMicros },
        ...(data.has_device ? TENSOR_CORE_COLUMNS : []),
      ];
      const onRowClick = data.call_stacks
        ? (row, tr) => showStacks(stacksBox, row, tr, mine).catch((err) => renderError(stacksBox, err, "Could not load the call stacks"))
        : undefined;
      stacksBox.replaceChildren(
        data.call_stacks ? h("p", { class: "tb-muted" }, "Click an operator to see where it was called from.") : "",
      );
      tableBox.replaceChildren(sortableTable(columns, data.rows, { sortKey: data.sort, className: "profile-operators", onRowClick }));
    }
    group.addEventListener("change", () => load().catch((err) => renderError(tableBox, err, "Could not load the operators")));
    await load();
  }

  function renderMemory(section, data) {
    if (!data.devices.length) {
      section.append(h("p", { class: "tb-muted" }, "This trace has no memory events (profile with profile_memory=True)."));
      return;
    }
    for (const device of data.devices) {
      const box = h("div", { class: "profile-memory-chart" });
      section.append(
        h("h3", null, device.device),
        h("p", { class: "tb-muted" }, `Peak allocated ${formatBytes(device.peak_allocated)}, peak reserved ${formatBytes(device.peak_reserved)}, ${device.events} allocator events.`),
        box,
      );
      const chart = new LineChart(box, { xLabel: "time (µs)", yLabel: "bytes", height: 240 });
      chart.setSeries([
        { name: "allocated", color: "#4e79a7", x: device.time_us, y: device.allocated.map((v) => v ?? NaN) },
        { name: "reserved", color: "#e15759", x: device.time_us, y: device.reserved.map((v) => v ?? NaN) },
      ]);
      const previous = cleanup;
      cleanup = () => {
        previous();
        chart.destroy();
      };
    }
  }

  let listed = "";

  async function load() {
    try {
      const answer = await ctx.fetchJson("runs");
      listed = JSON.stringify(answer);
      runs = answer.runs;
      importers = answer;
      fillSelects();
      show(view);
    } catch (err) {
      renderError(body, err, "Could not list the profiles");
    }
  }

  // New traces, and traces that finished being written, do not change any event file, so the
  // shell's reload does not report them: while auto-reload is on, list the traces again at its
  // pace, and redraw only when the listing changed.
  async function poll() {
    if (!ctx.settings.get("autoReload")) return;
    try {
      const answer = await ctx.fetchJson("runs");
      const text = JSON.stringify(answer);
      if (text === listed) return;
      const before = `${runSelect.value}\n${traceSelect.value}`;
      listed = text;
      runs = answer.runs;
      importers = answer;
      fillSelects();
      if (`${runSelect.value}\n${traceSelect.value}` !== before || body.querySelector(".tb-empty")) render();
    } catch {
      // the next poll tries again; the page shows the server's state otherwise
    }
  }
  const interval = Math.max(Number(ctx.settings.get("reloadInterval")) || 30, 2);
  const poller = setInterval(poll, interval * 1000);

  runSelect.addEventListener("change", () => {
    fillTraces();
    render();
  });
  traceSelect.addEventListener("change", () => render());
  ctx.runs.subscribe(() => {
    const before = runSelect.value;
    fillSelects();
    if (runSelect.value !== before) render();
  });
  ctx.onUpdate(() => load());
  renderLoading(body);
  await load();
  return () => {
    clearInterval(poller);
    cleanup();
  };
}

const percent = (v) => (v == null ? "" : `${(100 * v).toFixed(1)}%`);
const yesNo = (v) => (v ? "Yes" : "No");

/** The operator table's tensor-core columns (traces with device work). */
const TENSOR_CORE_COLUMNS = [
  { key: "tensor_core_eligible", label: "Tensor cores eligible", format: yesNo },
  { key: "tensor_core_self_share", label: "Tensor cores self", numeric: true, format: percent },
  { key: "tensor_core_total_share", label: "Tensor cores total", numeric: true, format: percent },
];

function kernelColumns() {
  return [
    { key: "name", label: "Kernel" },
    { key: "operator", label: "Operator" },
    { key: "grid", label: "Grid" },
    { key: "block", label: "Block" },
    { key: "calls", label: "Calls", numeric: true },
    { key: "total_us", label: "Total", numeric: true, format: formatMicros },
    { key: "mean_us", label: "Mean", numeric: true, format: formatMicros },
    { key: "max_us", label: "Max", numeric: true, format: formatMicros },
    { key: "occupancy", label: "Est. occupancy %", numeric: true, format: (v) => (v == null ? "" : v.toFixed(1)) },
    { key: "tensor_cores", label: "Tensor cores", format: yesNo },
    { key: "operator_tensor_core_eligible", label: "Operator eligible for tensor cores", format: yesNo },
  ];
}
