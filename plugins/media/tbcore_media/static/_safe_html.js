/**
 * Putting server-sanitized HTML (rendered Markdown, text tables, labels) into the page, as a
 * second line of defence: the markup is parsed into an inert document (nothing in it runs
 * or loads), and only allowlisted elements and attributes are copied into the page, as new
 * nodes. Scripts, event handlers, styles, forms, frames and `javascript:` links never
 * arrive, whatever the server sent.
 * @module
 */

/** Elements kept (with their allowed children); any other element is replaced by its children. */
const ALLOWED_TAGS = new Set([
  "a", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
  "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span",
  "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
]);

/** Elements dropped together with everything inside them. */
const DROPPED_TAGS = new Set([
  "script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math",
  "form", "input", "button", "textarea", "select", "link", "meta", "base", "frame", "frameset",
]);

/** @type {Record<string, string[]>} attributes kept, per element */
const ALLOWED_ATTRIBUTES = {
  a: ["href", "title"],
  img: ["src", "alt", "title"],
  td: ["align", "colspan", "rowspan"],
  th: ["align", "colspan", "rowspan"],
  ol: ["start"],
};

/** A scheme of its own must be http(s) or mailto; a URL without one (no `:` before the first `/`, `?` or `#`) is relative. */
const SAFE_LINK = /^(?:https?:|mailto:|[^:/?#]*(?:[/?#]|$))/i;
/** Inline images only: the page's Content-Security-Policy blocks other origins anyway. */
const SAFE_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i;

/**
 * Whether a link target is harmless: http(s), mailto, fragments and relative URLs; never
 * `javascript:`, `data:` or `vbscript:`. Control characters and blanks are ignored, as
 * browsers ignore them when they parse the URL.
 * @param {string} href
 * @returns {boolean}
 */
export function isSafeHref(href) {
  const compact = href.replace(/[\u0000-\u0020\u007f-\u00a0]+/g, "");
  return SAFE_LINK.test(compact);
}

/**
 * Parse `html` and return a fragment of the page's document holding only allowlisted
 * elements and attributes. Text is copied as text.
 * @param {string} html markup, normally already sanitized by the server
 * @returns {DocumentFragment}
 */
export function safeFragment(html) {
  // DOMParser documents are inert: no script runs, no image loads, no handler fires.
  const parsed = new DOMParser().parseFromString(String(html ?? ""), "text/html");
  const out = document.createDocumentFragment();
  copyChildren(parsed.body, out);
  return out;
}

/**
 * Replace the content of `el` with the sanitized `html`.
 * @param {Element} el
 * @param {string} html
 */
export function setSafeHtml(el, html) {
  el.replaceChildren(safeFragment(html));
}

/**
 * @param {Node} from
 * @param {Node} to
 */
function copyChildren(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(node.nodeValue ?? ""));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      copyElement(/** @type {Element} */ (node), to);
    }
    // Comments, processing instructions and the rest are dropped.
  }
}

/**
 * @param {Element} source
 * @param {Node} to
 */
function copyElement(source, to) {
  const tag = source.localName;
  if (DROPPED_TAGS.has(tag) || source.namespaceURI !== "http://www.w3.org/1999/xhtml") return;
  if (!ALLOWED_TAGS.has(tag)) {
    copyChildren(source, to);
    return;
  }
  if (tag === "img") {
    const src = source.getAttribute("src") ?? "";
    if (!SAFE_IMAGE.test(src)) {
      // An image from elsewhere would be blocked (and is a tracking risk): show its alt text.
      const alt = source.getAttribute("alt");
      if (alt) to.appendChild(document.createTextNode(`[${alt}]`));
      return;
    }
  }
  const el = document.createElement(tag);
  for (const name of ALLOWED_ATTRIBUTES[tag] ?? []) {
    const value = source.getAttribute(name);
    if (value == null) continue;
    if (name === "href" && !isSafeHref(value)) continue;
    el.setAttribute(name, value);
  }
  if (tag === "a" && el.hasAttribute("href")) {
    el.setAttribute("rel", "noopener noreferrer nofollow");
    el.setAttribute("target", "_blank");
  }
  copyChildren(source, el);
  to.appendChild(el);
}
