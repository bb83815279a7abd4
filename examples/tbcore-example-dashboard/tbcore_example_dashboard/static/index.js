// The example dashboard's browser module: a table of the selected runs with their colors,
// number of scalar tags (and how many match the tag filter) and latest step.
// Plain JavaScript against @tbcore/sdk; no build step.

import { h, renderEmpty, renderError, renderLoading, tagMatcher } from "@tbcore/sdk";

/**
 * Called by the shell the first time the "Example" tab opens.
 * @param {HTMLElement} el the tab's content element
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @returns {Promise<() => void>} cleanup, called if the tab is torn down
 */
export async function mount(el, ctx) {
  const greeting = h("p", { class: "example-greeting" });
  const body = h("div", { class: "example-body" });
  el.replaceChildren(h("h2", null, "Runs"), greeting, body);

  /** @type {{run: string, scalar_tags: number, latest_step: number | null, tags: string[]}[] | null} */
  let summary = null;

  function render() {
    if (!summary) return;
    const selected = ctx.runs.selected();
    const byRun = new Map(summary.map((row) => [row.run, row]));
    const rows = selected.map((name) => byRun.get(name)).filter((row) => row !== undefined);
    if (rows.length === 0) {
      renderEmpty(body, summary.length ? "No run is selected." : "No runs yet.");
      return;
    }
    const matches = tagMatcher(ctx.tagFilter.get());
    body.replaceChildren(
      h(
        "table",
        { class: "tb-table example-table", dataset: { rows: rows.length } },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, "Run"),
            h("th", { scope: "col", class: "tb-num" }, "Scalar tags"),
            h("th", { scope: "col", class: "tb-num" }, "Matching tag filter"),
            h("th", { scope: "col", class: "tb-num" }, "Latest step"),
          ),
        ),
        h(
          "tbody",
          null,
          rows.map((row) =>
            h(
              "tr",
              { dataset: { run: row.run } },
              h(
                "td",
                null,
                h("span", { class: "tb-swatch", style: { background: ctx.runs.colorOf(row.run) } }),
                " ",
                h("span", { class: "example-run-name" }, row.run),
              ),
              h("td", { class: "tb-num" }, row.scalar_tags),
              h("td", { class: "tb-num example-matching" }, matches.error ? "—" : row.tags.filter(matches).length),
              h("td", { class: "tb-num" }, row.latest_step ?? "—"),
            ),
          ),
        ),
      ),
    );
  }

  async function load() {
    try {
      summary = await ctx.fetchJson("runs_summary");
      render();
    } catch (err) {
      if (/** @type {Error} */ (err).name !== "AbortError") renderError(body, err, "Could not load the runs");
    }
  }

  renderLoading(body);
  const hello = ctx.fetchJson("hello", { name: "tbcore" }).then((answer) => {
    greeting.textContent = answer.message;
  });
  await Promise.all([hello, load()]);

  const unsubscribe = [
    ctx.runs.subscribe(render),
    ctx.tagFilter.subscribe(render),
    ctx.onUpdate(() => load()),
  ];
  return () => unsubscribe.forEach((fn) => fn());
}
