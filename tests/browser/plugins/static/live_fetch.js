// Test dashboard: the plugin guide's pattern for live updates (one fetch per change), with
// every fetch and notification recorded on `window.liveFetch` for the browser tests.
import { h, renderError } from "@tbcore/sdk";

export async function mount(el, ctx) {
  const record = (window.liveFetch = { fetches: [], notifications: [] });
  /** @type {Map<string, number | null>} points of each run fetched so far (null: on its way) */
  const points = new Map();

  function render() {
    const rows = ctx.runs.selected().map((run) =>
      h("tr", { dataset: { run } }, h("td", null, run), h("td", { class: "tb-num" }, String(points.get(run) ?? "…"))),
    );
    el.replaceChildren(h("table", { class: "tb-table live-fetch" }, h("tbody", null, rows)));
  }

  /** @param {string[]} runs */
  async function fetchRuns(runs) {
    if (!runs.length) return;
    for (const run of runs) if (!points.has(run)) points.set(run, null);
    record.fetches.push(runs);
    try {
      const answer = await ctx.fetchJson("points", { run: runs });
      for (const run of runs) points.set(run, answer[run] ?? 0);
      render();
    } catch (err) {
      if (/** @type {Error} */ (err).name !== "AbortError") renderError(el, err);
    }
  }

  ctx.runs.subscribe((selected) => {
    record.notifications.push({ kind: "runs", selected });
    render();
    void fetchRuns(selected.filter((run) => !points.has(run)));
  });
  ctx.onUpdate((event) => {
    record.notifications.push({ kind: event.full ? "full update" : "update", newRuns: event.newRuns, changed: Object.keys(event.changed) });
    const fetchedOnSubscribe = new Set(event.newRuns);
    const stale = event.full ? [...points.keys()] : Object.keys(event.changed).filter((run) => points.has(run));
    void fetchRuns(stale.filter((run) => !fetchedOnSubscribe.has(run)));
  });
  render();
  await fetchRuns(ctx.runs.selected());
}
