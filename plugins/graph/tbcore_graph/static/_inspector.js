/**
 * The node inspector: what the selected op, group or series is. An op shows its type,
 * device, XLA cluster, output shapes, attributes, step statistics, and its inputs and
 * outputs as links (with the shape each input carries); a group shows what it holds.
 * Every value is text (`h` puts it in with `textContent`).
 * @module
 */

import { formatNumber, h } from "@tbcore/sdk";
import { deviceOf } from "./_colors.js";
import { shapeText, xlaCluster } from "./_hierarchy.js";

/**
 * @typedef {object} InspectorContext
 * @property {import("./_hierarchy.js").Hierarchy} hierarchy
 * @property {Map<string, import("./_colors.js").NodeStats> | null} stats
 * @property {Set<string>} expanded
 * @property {(id: string) => void} navigate select another item
 * @property {(id: string) => void} toggle expand or collapse a group
 */

/**
 * @param {string} label @param {...import("@tbcore/sdk/dom.js").Child} value
 */
function row(label, ...value) {
  return h("tr", null, h("th", { scope: "row" }, label), h("td", null, ...value));
}

/**
 * @param {string} id @param {string} text @param {InspectorContext} c @param {string} [extra]
 */
function link(id, text, c, extra) {
  return h("li", null,
    h("button", { type: "button", class: "graphs-link", dataset: { target: id }, onclick: () => c.navigate(id) }, text),
    extra ? h("span", { class: "tb-muted" }, ` ${extra}`) : null);
}

/**
 * Render the inspector for `id` (or a hint when nothing is selected).
 * @param {HTMLElement} el @param {string | null} id @param {InspectorContext} c
 */
export function renderInspector(el, id, c) {
  const item = id == null ? null : c.hierarchy.items.get(id);
  if (!item) {
    el.replaceChildren(h("p", { class: "tb-muted" }, "Click a node to inspect it; double-click a group to open it."));
    return;
  }
  const head = [h("h3", { class: "graphs-inspector-title" }, item.label || "(root)"), h("div", { class: "graphs-inspector-name" }, item.name)];
  el.replaceChildren(...head, h("div", { class: "graphs-inspector-body" }, item.kind === "op" ? opBody(item, c) : groupBody(item, c)));
  el.dataset.id = item.id;
}

/** @param {any} op @param {InspectorContext} c */
function opBody(op, c) {
  const node = op.node;
  const stats = c.stats?.get(op.id);
  const table = h("table", { class: "graphs-props" },
    row("Op", node.op || "—"),
    row("Device", deviceOf(op, c.stats) || "—"),
    xlaCluster(node) ? row("XLA cluster", xlaCluster(node)) : null,
    node.input_shapes?.length ? row("Input shapes", h("span", { class: "graphs-input-shapes" }, node.input_shapes.map(shapeText).join(", "))) : null,
    row("Output shapes", node.shapes?.length
      ? h("ol", { class: "graphs-shapes", start: "0" }, node.shapes.map((/** @type {any} */ s) => h("li", null, shapeText(s))))
      : "—"),
    stats ? row("Compute time", h("span", { class: "graphs-compute" }, `${formatNumber(stats.compute_us)} µs`)) : null,
    stats ? row("Memory", h("span", { class: "graphs-memory" }, `${formatNumber(stats.memory_bytes, 3)}B`)) : null,
  );
  const attrs = node.attrs.filter((/** @type {string[]} */ a) => a[0] !== "_XlaCluster");
  const sections = [table];
  if (attrs.length || node.large_attrs?.length) {
    sections.push(h("h4", null, "Attributes"), h("table", { class: "graphs-props graphs-attrs" },
      attrs.map(([key, value]) => row(key, h("code", null, value))),
      (node.large_attrs ?? []).map((/** @type {string} */ key) => row(key, h("span", { class: "tb-muted" }, "too large to show")))));
  }
  const items = c.hierarchy.items;
  sections.push(h("h4", null, `Inputs (${op.inputs.length + op.unresolved.length})`), h("ul", { class: "graphs-io graphs-inputs" },
    op.inputs.map((/** @type {any} */ input) => {
      const source = items.get(input.id);
      const shape = source?.node?.shapes?.[input.slot];
      const extra = [input.slot ? `:${input.slot}` : "", shape !== undefined ? shapeText(shape) : "", input.control ? "control" : ""].filter(Boolean).join(" ");
      return link(input.id, input.id, c, extra);
    }),
    op.unresolved.map((/** @type {string} */ name) => h("li", { class: "tb-muted" }, `${name} (not in the graph)`))));
  sections.push(h("h4", null, `Outputs (${op.outputs.length})`), h("ul", { class: "graphs-io graphs-outputs" },
    op.outputs.map((/** @type {any} */ out) => link(out.id, out.id, c, out.control ? "control" : ""))));
  return sections;
}

/** @param {any} group @param {InspectorContext} c */
function groupBody(group, c) {
  const open = c.expanded.has(group.id);
  const devices = [...group.devices].filter(([d]) => d).sort((a, b) => b[1] - a[1]);
  const table = h("table", { class: "graphs-props" },
    row("Kind", group.kind === "series" ? `series of ${group.children.length} repeated blocks` : "name scope"),
    row("Ops inside", String(group.opCount)),
    devices.length ? row("Devices", h("ul", { class: "graphs-devices" }, devices.map(([d, n]) => h("li", null, `${d}: ${n}`)))) : null,
  );
  const toggle = h("button", { type: "button", class: "tb-button graphs-toggle-button", onclick: () => c.toggle(group.id) }, open ? "Collapse" : "Expand");
  const shown = group.children.slice(0, 200);
  const items = c.hierarchy.items;
  return [
    table,
    toggle,
    h("h4", null, `Holds (${group.children.length})`),
    h("ul", { class: "graphs-io graphs-children" }, shown.map((/** @type {string} */ child) => {
      const it = items.get(child);
      return link(child, it.label, c, it.kind === "op" ? it.node.op : `${it.opCount} ops`);
    })),
    group.children.length > shown.length ? h("p", { class: "tb-muted" }, `and ${group.children.length - shown.length} more`) : null,
  ];
}
