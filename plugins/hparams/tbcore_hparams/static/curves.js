/**
 * A trial's scalar curves: every scalar tag of the runs that belong to the trial (its
 * sessions, the runs below them, and torch's parent run of a timestamped session), a chart
 * per tag with a line per run in the run's colour.
 * @module
 */

import { LineChart, h, renderEmpty, renderError, renderLoading } from "@tbcore/sdk";

/** Charts drawn at most (a trial with more tags lists the rest by name). */
const MAX_CHARTS = 24;

/**
 * Show `trial`'s curves in `el`.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {import("./data.js").Trial} trial
 * @param {() => void} onClose
 * @returns {() => void} removes the charts
 */
export function showTrialCurves(el, ctx, trial, onClose) {
  /** @type {LineChart[]} */
  const charts = [];
  const body = h("div", { class: "hp-curves-grid" });
  el.replaceChildren(
    h("div", { class: "hp-curves-head" },
      h("h3", null, "Curves of ", h("span", { class: "hp-curves-trial" }, trial.name)),
      h("button", { type: "button", class: "tb-button hp-curves-close", onclick: onClose }, "Close")),
    body,
  );
  el.hidden = false;
  renderLoading(body);
  let alive = true;
  ctx.fetchJson("trial_scalars", { session: trial.sessions }).then(
    (answer) => {
      if (!alive) return;
      /** @type {Map<string, {run: string, step: number[], value: (number|string)[]}[]>} */
      const byTag = new Map();
      for (const [run, tags] of Object.entries(answer.runs ?? {})) {
        for (const [tag, cols] of Object.entries(/** @type {Record<string, any>} */ (tags))) {
          if (!byTag.has(tag)) byTag.set(tag, []);
          byTag.get(tag)?.push({ run, step: cols.step, value: cols.value });
        }
      }
      if (byTag.size === 0) return renderEmpty(body, "This trial has no scalar curves.");
      const tags = [...byTag.keys()].sort();
      body.replaceChildren();
      for (const tag of tags.slice(0, MAX_CHARTS)) {
        const chartEl = h("div", { class: "hp-curve-chart" });
        body.append(h("div", { class: "tb-card hp-curve-card", dataset: { tag } }, h("div", { class: "hp-curve-title" }, tag), chartEl));
        const chart = new LineChart(chartEl, { xLabel: "step", height: 180 });
        chart.setSeries((byTag.get(tag) ?? []).map((s) => ({
          name: s.run, color: ctx.runs.colorOf(s.run), x: s.step, y: s.value.map(toNumber),
        })));
        charts.push(chart);
      }
      if (tags.length > MAX_CHARTS) body.append(h("p", { class: "tb-muted" }, `${tags.length - MAX_CHARTS} more tags: ${tags.slice(MAX_CHARTS).join(", ")}`));
    },
    (err) => alive && renderError(body, err, "Could not load the trial's curves"),
  );
  return () => {
    alive = false;
    for (const chart of charts) chart.destroy();
    el.replaceChildren();
    el.hidden = true;
  };
}

/** @param {number | string} v */
function toNumber(v) {
  if (typeof v === "number") return v;
  return v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : NaN;
}
