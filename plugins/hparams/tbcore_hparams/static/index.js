/**
 * The hparams dashboard: which settings won a sweep. Parallel coordinates (brushable on any
 * axis), a table of trials (sort, filter, show and hide columns, select), a scatter-plot
 * matrix of hparams against metrics, and a trial's curves on a click. The whole view lives
 * in the URL, so a reload or a shared link shows the same; colours are the runs' colours.
 * @module
 */

import { h, renderEmpty, renderError, renderLoading } from "@tbcore/sdk";
import { showTrialCurves } from "./curves.js";
import { fetchTrials, statusLabel } from "./data.js";
import { passMask, sortedRows } from "./filters.js";
import { ParallelCoordinates } from "./parallel.js";
import { ScatterMatrix } from "./scatter.js";
import { runFilterFor, selectedTrials, setRunFilter } from "./selection.js";
import { ALL_STATUSES, readState, writeState } from "./state.js";
import { TrialTable } from "./table.js";
import { isLog } from "./scales.js";

/** Wait after a live update before refetching (a sweep writes many trials at once). */
const UPDATE_DELAY_MS = 1000;
/** How often the table follows a moving brush. */
const TABLE_DELAY_MS = 150;

/**
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export async function mount(el, ctx) {
  const plugin = ctx.pluginName;
  let state = readState(plugin);
  /** @type {import("./data.js").Trials | null} */
  let model = null;
  let mask = new Uint8Array(0);
  const colorOf = (/** @type {string} */ run) => ctx.runs.colorOf(run);

  const message = h("div", { class: "hp-message" });
  const toolbar = h("div", { class: "tb-settings hp-toolbar" });
  const curvesEl = h("section", { class: "hp-curves", hidden: true, "aria-label": "Trial curves" });
  const pcEl = h("div", { class: "hp-pc-host" });
  const tableEl = h("div", { class: "hp-table-host" });
  const scatterHost = h("div", { class: "hp-sm-host" });
  const scatterSection = /** @type {HTMLDetailsElement} */ (h("details", { class: "hp-section hp-sm-section", open: true },
    h("summary", null, "Scatter-plot matrix"), scatterHost));
  const content = h("div", { class: "hp-content" },
    toolbar, curvesEl,
    h("section", { class: "hp-section", "aria-label": "Parallel coordinates" }, h("h3", null, "Parallel coordinates"), pcEl),
    h("section", { class: "hp-section", "aria-label": "Trials table" }, h("h3", null, "Trials"), tableEl),
    scatterSection);
  el.replaceChildren(h("link", { rel: "stylesheet", href: ctx.url("static/style.css") }), message, content);

  const table = new TrialTable(tableEl, {
    colorOf,
    onSort: (key) => {
      const sort = state.sort;
      // ascending, then descending, then unsorted
      state.sort = sort?.key !== key ? { key, desc: false } : !sort.desc ? { key, desc: true } : null;
      commit();
    },
    onFilter: (key, filter) => setFilter(key, filter, true),
    onSelect: (indices, checked) => select(indices, checked),
    onOpen: (i) => openTrial(i),
  });
  const parallel = new ParallelCoordinates(pcEl, {
    colorOf,
    onBrush: (key, filter, done) => setFilter(key, filter, done),
    onToggleScale: (key) => {
      const column = model?.byKey.get(key);
      if (!column) return;
      state.scales = { ...state.scales, [key]: isLog(column, state.scales[key]) ? "linear" : "log" };
      commit();
    },
  });
  const scatter = new ScatterMatrix(scatterHost, { colorOf, onOpen: (i) => openTrial(i) });

  /** @type {() => void} */
  let closeCurves = () => {};
  let curvesFor = "";
  /** @type {import("./data.js").Column[]} */
  let shown = [];
  let shownKey = "\0";
  let frame = 0;

  function showState(/** @type {((el: HTMLElement) => void) | null} */ render) {
    message.hidden = !render;
    content.hidden = !!render;
    if (render) render(message);
  }

  /** While a brush moves, only the parallel coordinates follow every frame. */
  let brushing = false;

  /** @param {string} key @param {import("./state.js").Filter | null} filter @param {boolean} done */
  function setFilter(key, filter, done) {
    const filters = { ...state.filters };
    if (filter) filters[key] = filter;
    else delete filters[key];
    state.filters = filters;
    brushing = !done;
    if (done) commit();
    else schedule();
  }

  /** Write the view into the URL and redraw. */
  function commit() {
    writeState(plugin, state);
    schedule();
  }

  function schedule() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  }

  function openTrial(/** @type {number} */ i) {
    if (!model) return;
    state.trial = state.trial === model.trials[i].name ? "" : model.trials[i].name;
    commit();
  }

  function select(/** @type {number[]} */ indices, /** @type {boolean} */ checked) {
    if (!model) return;
    const chosen = selectedTrials(model, ctx.runs.selected());
    for (const i of indices) {
      if (checked) chosen.add(i);
      else chosen.delete(i);
    }
    setRunFilter(runFilterFor(model, chosen, ctx.runs.all().map((r) => r.name)));
  }

  function render() {
    if (!model) return;
    if (model.trials.length === 0) return showState((m) => renderEmpty(m, "No hparams sessions yet: log them with add_hparams, hp.hparams or hp.KerasCallback."));
    showState(null);
    const key = state.hidden.join("\n");
    if (key !== shownKey) {
      const hidden = new Set(state.hidden);
      shown = model.columns.filter((c) => !hidden.has(c.key));
      shownKey = key;
    }
    mask = passMask(model, state);
    parallel.update(model, shown, state, mask, openIndex());
    if (brushing) {
      // The table follows a moving brush a few times a second; the scatter plots when it stops.
      if (!tableTimer) tableTimer = window.setTimeout(() => { tableTimer = 0; renderTable(); }, TABLE_DELAY_MS);
      return;
    }
    renderTable();
    // After the table and the lines are on screen: the matrix is the slowest to draw.
    clearTimeout(scatterTimer);
    cancelAnimationFrame(scatterFrame);
    scatterFrame = requestAnimationFrame(() => (scatterTimer = window.setTimeout(renderScatter, 0)));
    renderToolbar();
    renderCurves();
  }

  let tableTimer = 0;
  let scatterTimer = 0;
  let scatterFrame = 0;
  const openIndex = () => (model && state.trial ? model.trials.findIndex((t) => t.name === state.trial) : -1);

  function renderTable() {
    if (!model) return;
    const rows = sortedRows(model, state, mask);
    table.update(model, shown, rows, state, selectedTrials(model, ctx.runs.selected()), openIndex());
  }

  function renderScatter() {
    if (!model || !scatterSection.open) return;
    scatter.update(model, shown.filter((c) => c.kind === "hparam"), shown.filter((c) => c.kind === "metric"), state, mask);
  }

  function renderCurves() {
    if (!model) return;
    const open = openIndex();
    if (curvesFor === state.trial && (open >= 0 || !curvesFor)) return;
    closeCurves();
    curvesFor = "";
    if (open < 0) return;
    curvesFor = state.trial;
    closeCurves = showTrialCurves(curvesEl, ctx, model.trials[open], () => {
      state.trial = "";
      commit();
    });
  }

  let toolbarKey = "";
  function renderToolbar() {
    if (!model) return;
    const key = JSON.stringify([state.statuses, state.hidden, state.aggregate, model.columns.map((c) => c.key)]);
    if (key === toolbarKey) return;
    toolbarKey = key;
    const statuses = ALL_STATUSES.map((status) => h("label", { class: "hp-status-choice" },
      h("input", {
        type: "checkbox", checked: state.statuses.includes(status), dataset: { status },
        onchange: (/** @type {Event} */ e) => {
          const on = /** @type {HTMLInputElement} */ (e.target).checked;
          state.statuses = ALL_STATUSES.filter((s) => (s === status ? on : state.statuses.includes(s)));
          commit();
        },
      }), " ", statusLabel(status)));
    const columns = h("details", { class: "hp-columns" }, h("summary", null, "Columns"),
      h("div", { class: "hp-columns-list" }, model.columns.map((c) => h("label", null,
        h("input", {
          type: "checkbox", checked: !state.hidden.includes(c.key), dataset: { key: c.key },
          onchange: (/** @type {Event} */ e) => {
            const on = /** @type {HTMLInputElement} */ (e.target).checked;
            state.hidden = on ? state.hidden.filter((k) => k !== c.key) : [...state.hidden, c.key];
            commit();
          },
        }), " ", c.label, c.kind === "metric" ? h("span", { class: "tb-muted" }, " (metric)") : null))));
    const visibility = JSON.stringify(model.columns.map((c) => !state.hidden.includes(c.key)));
    const request = JSON.stringify({ allowedStatuses: state.statuses, sliceSize: 2 ** 31 - 1 });
    const downloads = h("span", { class: "hp-downloads" }, "Download: ",
      ["csv", "json", "latex"].map((format) => h("a", { href: ctx.url("download_data", { format, columnsVisibility: visibility, request }), download: `hparams.${format === "latex" ? "tex" : format}` }, format)));
    const clear = h("button", { type: "button", class: "tb-button hp-clear-filters", onclick: () => { state.filters = {}; commit(); } }, "Clear filters");
    const choice = aggregation();
    toolbar.replaceChildren(h("span", { class: "hp-statuses" }, "Status: ", statuses), ...(choice ? [choice] : []), columns, clear, downloads);
  }

  let firstLoad = true;
  let loadedAggregate = state.aggregate;
  /** The choice of how a trial's sessions make its metric values (when a trial has several). */
  function aggregation() {
    if (!model || !model.trials.some((t) => t.sessions.length > 1)) return null;
    const metrics = model.columns.filter((c) => c.kind === "metric");
    const choices = [["", "average of each metric"]];
    for (const [kind, text] of [["median", "median"], ["min", "smallest"], ["max", "largest"]]) {
      for (const m of metrics) choices.push([`${kind}:${m.key}`, `session with the ${text} ${m.label}`]);
    }
    const select = /** @type {HTMLSelectElement} */ (h("select", {
      class: "hp-aggregate", "aria-label": "Metrics of a trial with several sessions",
      onchange: () => {
        state.aggregate = select.value;
        commit();
        void load();
      },
    }, choices.map(([value, text]) => h("option", { value }, text))));
    select.value = state.aggregate;
    return h("label", null, "Trial metrics: ", select);
  }

  async function load() {
    try {
      loadedAggregate = state.aggregate;
      model = await fetchTrials(ctx, state.aggregate);
      shownKey = "\0";
      toolbarKey = "";
      if (firstLoad) {
        performance.mark("hparams:data");
        // after the first frame that holds the table and the lines (the benchmark reads it)
        requestAnimationFrame(() => setTimeout(() => performance.mark("hparams:drawn")));
      }
      render();
      firstLoad = false;
    } catch (err) {
      showState((m) => renderError(m, err, "Could not load the hparams"));
    }
  }

  const onHashChange = () => {
    const next = readState(plugin);
    if (JSON.stringify(next) === JSON.stringify(state)) return;
    state = next;
    if (state.aggregate !== loadedAggregate) void load();
    else schedule();
  };
  window.addEventListener("hashchange", onHashChange);
  scatterSection.addEventListener("toggle", () => scatterSection.open && schedule());
  let updateTimer = 0;
  ctx.onUpdate(() => {
    clearTimeout(updateTimer);
    updateTimer = window.setTimeout(load, UPDATE_DELAY_MS);
  });
  ctx.runs.subscribe(() => schedule());
  ctx.onThemeChange(() => {
    parallel.layout();
    renderScatter();
  });

  showState(renderLoading);
  await load();
  return () => {
    window.removeEventListener("hashchange", onHashChange);
    clearTimeout(updateTimer);
    clearTimeout(tableTimer);
    clearTimeout(scatterTimer);
    cancelAnimationFrame(scatterFrame);
    cancelAnimationFrame(frame);
    closeCurves();
    parallel.destroy();
    scatter.destroy();
  };
}
