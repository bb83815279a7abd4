// Test dashboard: a CardGrid of LineCharts (one card per tag, one line per selected run).
import { CardGrid, LineChart, groupTags, renderEmpty, renderError, tagMatcher } from "@tbcore/sdk";

export async function mount(el, ctx) {
  /** @type {Record<string, string[]>} */
  let tagsByRun = {};
  const grid = new CardGrid(el, {
    key: (tag) => tag,
    title: (tag) => tag,
    render: (card, tag) => {
      const chart = new LineChart(card, { xLabel: "step", yLabel: tag, height: 200 });
      card.__chart = chart; // for the browser tests
      let alive = true;
      const runs = ctx.runs.selected().filter((r) => (tagsByRun[r] || []).includes(tag));
      ctx.fetchJson("scalars", { tag, run: runs }).then(
        (data) => {
          if (!alive) return;
          chart.setSeries(runs.filter((r) => data[r]).map((r) => ({ name: r, color: ctx.runs.colorOf(r), x: data[r].x, y: data[r].y })));
          card.dataset.loaded = "true";
        },
        (err) => alive && renderError(card, err),
      );
      return () => {
        alive = false;
        chart.destroy();
      };
    },
  });

  function layout() {
    const matches = tagMatcher(ctx.tagFilter.get());
    const tags = new Set();
    for (const run of ctx.runs.selected()) for (const tag of tagsByRun[run] || []) if (matches(tag)) tags.add(tag);
    if (matches.error) {
      renderEmpty(el, `Invalid tag filter: ${matches.error}`);
      return;
    }
    if (!el.contains(grid.root)) el.replaceChildren(grid.root);
    grid.setGroups(groupTags([...tags].sort()).map((g) => ({ prefix: g.prefix, items: g.tags })));
    grid.refresh();
  }

  tagsByRun = await ctx.fetchJson("tags");
  layout();
  const subs = [
    ctx.runs.subscribe(layout),
    ctx.tagFilter.subscribe(layout),
    ctx.onUpdate(async () => {
      tagsByRun = await ctx.fetchJson("tags");
      layout();
    }),
  ];
  return () => {
    subs.forEach((fn) => fn());
    grid.destroy();
  };
}
