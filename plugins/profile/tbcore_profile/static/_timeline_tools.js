// What the timeline shows besides its events: flow arrows, the events a search finds (with a
// way to step through them) and the summary of a selected time range. Names stay text.

import { h } from "@tbcore/sdk";
import { formatMicros, sortableTable } from "./_table.js";

/**
 * Draw the window's flow arrows (launch -> device work, forward -> backward); none when the
 * window has more than the server lists.
 * @param {CanvasRenderingContext2D} g
 * @param {any} flows the `flows` of a `timeline` answer
 * @param {(lane: number, depth: number) => number | undefined} rowMiddle y of a lane's row
 * @param {(us: number) => number} xOf
 * @param {number} left
 * @param {number} right the visible x range: arrows wholly outside it are skipped
 */
export function drawFlows(g, flows, rowMiddle, xOf, left, right) {
  if (!flows || flows.truncated) return; // thousands of arrows are noise: zoom in to see them
  const heads = [];
  g.save();
  g.strokeStyle = "rgba(120, 120, 120, 0.55)";
  g.fillStyle = "rgba(120, 120, 120, 0.7)";
  g.lineWidth = 1;
  g.beginPath(); // one path for every arrow: a stroke per arrow costs a frame with thousands
  for (let i = 0; i < flows.start.length; i++) {
    const x0 = xOf(flows.start[i]);
    const x1 = xOf(flows.end[i]);
    if ((x0 < left && x1 < left) || (x0 > right && x1 > right)) continue;
    const y0 = rowMiddle(flows.start_lane[i], flows.start_depth[i]);
    const y1 = rowMiddle(flows.end_lane[i], flows.end_depth[i]);
    if (y0 === undefined || y1 === undefined) continue;
    g.moveTo(x0, y0);
    g.bezierCurveTo((x0 + x1) / 2, y0, (x0 + x1) / 2, y1, x1, y1);
    heads.push(x1, y1);
  }
  g.stroke();
  g.beginPath();
  for (let i = 0; i < heads.length; i += 2) {
    g.moveTo(heads[i], heads[i + 1]);
    g.lineTo(heads[i] - 5, heads[i + 1] - 3);
    g.lineTo(heads[i] - 5, heads[i + 1] + 3);
    g.closePath();
  }
  g.fill();
  g.restore();
}

/**
 * A search box: finds events by name on the server, then steps through them.
 * @param {(query: string) => Promise<any>} find the `timeline_search` answer for a query
 * @param {(found: any, index: number) => void} show show the index-th event found
 */
export function searchBar(find, show) {
  const input = h("input", { type: "search", class: "profile-timeline-search", placeholder: "Find events by name", "aria-label": "Find events by name" });
  const status = h("span", { class: "tb-muted profile-timeline-found" });
  let found = null;
  let index = 0;
  const go = (step) => {
    if (!found || !found.events.start.length) return;
    index = (index + step + found.events.start.length) % found.events.start.length;
    status.textContent = `${index + 1} of ${found.total}${found.truncated ? ` (the first ${found.events.start.length})` : ""}`;
    show(found, index);
  };
  async function search() {
    const query = input.value.trim();
    if (!query) return;
    status.textContent = "Searching…";
    found = await find(query);
    index = 0;
    if (!found.total) {
      status.textContent = "No event has that in its name.";
      show(null, 0);
      return;
    }
    go(0);
  }
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (found && found.query === input.value.trim()) go(event.shiftKey ? -1 : 1);
    else search().catch((err) => (status.textContent = `Could not search: ${err.message}`));
  });
  const previous = h("button", { type: "button", class: "tb-button", title: "Previous (Shift+Enter)", onclick: () => go(-1) }, "◀");
  const next = h("button", { type: "button", class: "tb-button", title: "Next (Enter)", onclick: () => go(1) }, "▶");
  return h("div", { class: "tb-settings profile-timeline-tools" }, input, previous, next, status);
}

/**
 * The summary of a selected range, as a table of event names.
 * @param {any} data a `timeline_selection` answer
 */
export function selectionSummary(data) {
  const columns = [
    { key: "name", label: "Name" },
    { key: "kind", label: "Kind" },
    { key: "count", label: "Events", numeric: true },
    { key: "total_us", label: "Time in selection", numeric: true, format: formatMicros },
    { key: "mean_us", label: "Mean duration", numeric: true, format: formatMicros },
  ];
  return h(
    "div",
    { class: "profile-selection", dataset: { events: data.events } },
    h("p", null, `Selection: ${formatMicros(data.end - data.start)} from ${formatMicros(data.start)}, ${data.events} events.`),
    sortableTable(columns, data.rows, { sortKey: "total_us", className: "profile-selection-table" }),
  );
}
