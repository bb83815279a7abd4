/**
 * The custom projection: four regex searches (left, right, down, up) over the search column,
 * and the server's positions along the two directions they define (`custom_projection`).
 * @module
 */

import { h } from "@tbcore/sdk";

/**
 * The four search boxes and a Project button calling `run`.
 * @param {() => void} run
 * @returns {{element: HTMLElement, patterns: () => string[]}}
 */
export function customControls(run) {
  const box = (cls, label) => /** @type {HTMLInputElement} */ (h("input", { class: `tb-input ${cls}`, type: "search", placeholder: label, "aria-label": label }));
  const boxes = [box("projector-custom-left", "Left (regex)"), box("projector-custom-right", "Right (regex)"),
    box("projector-custom-down", "Down (regex)"), box("projector-custom-up", "Up (regex)")];
  return {
    element: h("span", { class: "projector-custom-controls", hidden: true }, ...boxes,
      h("button", { type: "button", class: "tb-button projector-custom-run", onclick: run }, "Project")),
    patterns: () => boxes.map((b) => b.value),
  };
}

/**
 * Positions `[N, 2]` from the server: x from the mean of `groups[0]` to that of `groups[1]`,
 * y from `groups[2]` to `groups[3]` (point indices).
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 * @param {string} run
 * @param {string} name
 * @param {number[][]} groups
 * @returns {Promise<Float32Array>}
 */
export async function fetchCustomProjection(ctx, run, name, groups) {
  const [left, right, down, up] = groups;
  const response = await fetch(ctx.url("custom_projection"), {
    method: "POST", signal: ctx.signal,
    headers: { "Content-Type": "application/json", "X-TBCore-Request": "1" },
    body: JSON.stringify({ run, name, x: [left, right], y: [down, up] }),
  });
  if (!response.ok) throw new Error((await response.json()).error || `HTTP ${response.status}`);
  return new Float32Array(await response.arrayBuffer());
}
