/**
 * A small, safe DOM builder. Text always goes through `textContent`, never `innerHTML`.
 * @module
 */

/**
 * @typedef {Node | string | number | boolean | null | undefined | any[]} Child
 * Strings and numbers become text nodes; `null`, `undefined` and booleans are skipped;
 * arrays are flattened.
 */

/**
 * Create an element.
 *
 * Attributes: `class`/`className` set the class; `style` may be a string or an object;
 * `dataset` is an object of `data-*` values; `on<event>` must be a function (added with
 * `addEventListener`; anything else throws, so markup can never smuggle in a handler);
 * a value of `true` sets an empty boolean attribute, `false`/`null`/`undefined` omit it;
 * `value`, `checked`, `disabled`, `hidden`, `selected` and `indeterminate` are set as
 * properties; everything else with `setAttribute`.
 *
 * @param {string} tag element name, e.g. `"div"`
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement}
 * @example h("button", { class: "primary", onclick: () => save() }, "Save")
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) setAttributes(el, attrs);
  append(el, children);
  return el;
}

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "indeterminate"]);

/**
 * Set attributes on an existing element, with the rules of {@link h}.
 * @param {HTMLElement} el
 * @param {Record<string, unknown>} attrs
 */
export function setAttributes(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) {
      if (typeof value !== "function") throw new TypeError(`h(): ${key} must be a function`);
      el.addEventListener(key.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (key === "class" || key === "className") {
      if (value != null && value !== false) el.className = String(value);
    } else if (key === "style" && value && typeof value === "object") {
      for (const [prop, v] of Object.entries(value)) {
        if (prop.startsWith("--")) el.style.setProperty(prop, String(v));
        else /** @type {any} */ (el.style)[prop] = v;
      }
    } else if (key === "dataset" && value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (PROPERTIES.has(key)) {
      /** @type {any} */ (el)[key] = value;
    } else if (value === true) {
      el.setAttribute(key, "");
    } else if (value != null && value !== false) {
      el.setAttribute(key, String(value));
    }
  }
}

/**
 * Append children (see {@link Child}) to a node.
 * @param {Node} parent
 * @param {Child[]} children
 * @returns {Node} the parent
 */
export function append(parent, children) {
  for (const child of children) {
    if (child == null || typeof child === "boolean") continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/**
 * Remove every child of an element.
 * @param {Element} el
 * @returns {Element} the element
 */
export function clear(el) {
  el.replaceChildren();
  return el;
}
