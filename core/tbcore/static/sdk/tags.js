/**
 * Tag grouping and filtering, shared by every dashboard that shows one card per tag.
 * @module
 */

/**
 * Group tags by the part before their first `/` (tags without a `/` form a group of their
 * own, named after themselves). Groups are sorted by prefix, tags within a group keep their
 * order.
 * @param {Iterable<string>} tags
 * @returns {{prefix: string, tags: string[]}[]}
 */
export function groupTags(tags) {
  /** @type {Map<string, string[]>} */
  const groups = new Map();
  for (const tag of tags) {
    const slash = tag.indexOf("/");
    const prefix = slash < 0 ? tag : tag.slice(0, slash);
    let list = groups.get(prefix);
    if (!list) groups.set(prefix, (list = []));
    list.push(tag);
  }
  return [...groups.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((prefix) => ({ prefix, tags: /** @type {string[]} */ (groups.get(prefix)) }));
}

/**
 * @typedef {((text: string) => boolean) & {error: string | null, source: string}} Matcher
 * A predicate with the error of its pattern (`null` when the pattern is valid).
 */

/**
 * A case-insensitive regular-expression predicate. An empty pattern matches everything; an
 * invalid one matches nothing and carries the error message in `.error` (it never throws).
 * @param {string | null | undefined} pattern
 * @returns {Matcher}
 */
export function tagMatcher(pattern) {
  const source = String(pattern ?? "");
  /** @type {(text: string) => boolean} */
  let test;
  let error = null;
  if (!source) {
    test = () => true;
  } else {
    try {
      const re = new RegExp(source, "i");
      test = (text) => re.test(text);
    } catch (err) {
      error = /** @type {Error} */ (err).message;
      test = () => false;
    }
  }
  return Object.assign(test, { error, source });
}
