/**
 * Search by name or op type: a box whose results list the matching ops and groups (names
 * containing the text, or ops whose type contains it; case-insensitive). Arrow keys move
 * through the results, Enter picks one, Escape closes the list.
 * @module
 */

import { h } from "@tbcore/sdk";

const SHOWN = 100;

/**
 * @typedef {object} Search
 * @property {HTMLElement} element
 * @property {(hierarchy: import("./_hierarchy.js").Hierarchy | null) => void} setHierarchy
 * @property {() => void} destroy
 */

/**
 * The ids of the items matching `query`, ops first in the graph's order, then groups.
 * @param {import("./_hierarchy.js").Hierarchy} hierarchy @param {string} query
 * @returns {string[]}
 */
export function findItems(hierarchy, query) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const found = [];
  for (const id of hierarchy.opIds) {
    const op = /** @type {any} */ (hierarchy.items.get(id));
    if (id.toLowerCase().includes(q) || op.node.op.toLowerCase().includes(q)) found.push(id);
  }
  for (const [id, item] of hierarchy.items) {
    if (item.kind !== "op" && item.name && item.name.toLowerCase().includes(q)) found.push(id);
  }
  return found;
}

/**
 * @param {(id: string) => void} pick called with the chosen item's id
 * @returns {Search}
 */
export function createSearch(pick) {
  /** @type {import("./_hierarchy.js").Hierarchy | null} */
  let hierarchy = null;
  /** @type {string[]} */
  let results = [];
  let active = -1;
  const input = /** @type {HTMLInputElement} */ (h("input", {
    type: "search", class: "tb-input graphs-search-input", placeholder: "Search nodes or ops",
    "aria-label": "Search nodes by name or op", role: "combobox", "aria-expanded": "false",
    "aria-controls": "graphs-search-results", autocomplete: "off",
  }));
  const list = h("ul", { class: "graphs-search-results", id: "graphs-search-results", role: "listbox", hidden: true });
  const count = h("span", { class: "graphs-search-count tb-muted" });
  const element = h("div", { class: "graphs-search" }, input, count, list);

  const render = () => {
    const items = /** @type {any} */ (hierarchy)?.items;
    list.replaceChildren(...results.slice(0, SHOWN).map((id, i) => {
      const item = items.get(id);
      return h("li", {
        role: "option", class: "graphs-search-result", "aria-selected": String(i === active), dataset: { id },
        onmousedown: (/** @type {MouseEvent} */ e) => { e.preventDefault(); choose(i); },
      }, h("span", { class: "graphs-search-name" }, item.name), " ",
      h("span", { class: "tb-muted" }, item.kind === "op" ? item.node.op : `${item.opCount} ops`));
    }));
    const open = results.length > 0 && document.activeElement === input;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    count.textContent = input.value.trim() ? `${results.length} found` : "";
    list.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
  };
  /** @param {number} i */
  const choose = (i) => {
    const id = results[i];
    if (id === undefined) return;
    active = i;
    render();
    list.hidden = true;
    pick(id);
  };
  input.addEventListener("input", () => {
    results = hierarchy ? findItems(hierarchy, input.value) : [];
    active = results.length ? 0 : -1;
    render();
  });
  input.addEventListener("keydown", (event) => {
    const shown = Math.min(results.length, SHOWN);
    if (event.key === "ArrowDown" && shown) {
      active = (active + 1) % shown;
      render();
    } else if (event.key === "ArrowUp" && shown) {
      active = (active - 1 + shown) % shown;
      render();
    } else if (event.key === "Enter") {
      choose(Math.max(active, 0));
    } else if (event.key === "Escape") {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      return;
    } else return;
    event.preventDefault();
  });
  input.addEventListener("focus", render);
  input.addEventListener("blur", () => { list.hidden = true; });
  return {
    element,
    setHierarchy(next) {
      hierarchy = next;
      results = hierarchy ? findItems(hierarchy, input.value) : [];
      active = results.length ? 0 : -1;
      render();
    },
    destroy() {
      element.remove();
    },
  };
}
