/**
 * Run colors: one stable color per run name, the same in every dashboard and every session.
 * A color the user picked for a run (the sidebar's swatch) wins, and is kept in the browser.
 * @module
 */

const OVERRIDES_KEY = "tbcore.runColors";

/** Colors the user picked, by run name (kept in localStorage). */
const overrides = new Map(readOverrides());

/** @type {Set<(name: string, color: string) => void>} */
const colorListeners = new Set();

/** @returns {[string, string][]} */
function readOverrides() {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(OVERRIDES_KEY) || "{}");
    if (!saved || typeof saved !== "object") return [];
    return Object.entries(saved).filter(([, c]) => typeof c === "string" && /^#[0-9a-f]{6}$/i.test(c));
  } catch {
    return [];
  }
}

/**
 * The palette run colors are drawn from. Every color reads on both the light and the dark
 * background.
 * @type {readonly string[]}
 */
export const PALETTE = Object.freeze([
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf", "#3366cc", "#dc3912", "#109618", "#b82e2e", "#0099c6", "#dd4477",
  "#66aa00", "#e67300", "#8b0707", "#5574a6", "#3b3eac", "#22aa99", "#aaaa11", "#994499",
]);

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units.
 * @param {string} text
 * @returns {number} an unsigned 32-bit integer
 */
export function hashString(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** @type {Map<string, string>} */
const assigned = new Map();

/**
 * Give the runs of the experiment their colors. Each run starts at the palette entry its
 * name hashes to and moves on to the next free one, so up to `PALETTE.length` runs never share
 * a color. Runs are taken in the given order (the server's: by start time) and keep the color
 * they were given, so a run that appears later never recolors the others. The shell calls this
 * whenever the run list changes.
 * @param {Iterable<string>} names
 */
export function assignRunColors(names) {
  const used = new Set(assigned.values());
  for (const name of names) {
    if (assigned.has(name)) continue;
    const start = hashString(String(name)) % PALETTE.length;
    let color = PALETTE[start];
    for (let i = 0; i < PALETTE.length; i++) {
      const candidate = PALETTE[(start + i) % PALETTE.length];
      if (!used.has(candidate)) {
        color = candidate;
        break;
      }
    }
    assigned.set(name, color);
    used.add(color);
  }
}

/**
 * The color of a run: the one {@link assignRunColors} gave it, or else the palette entry its
 * name hashes to. The shell's run selector uses this same function, so a run has one color
 * everywhere.
 * @param {string} name run name
 * @returns {string} a `#rrggbb` color
 */
export function runColor(name) {
  return overrides.get(name) ?? assigned.get(name) ?? PALETTE[hashString(String(name)) % PALETTE.length];
}

/**
 * Give a run the color the user picked (`null`: its own again). Kept in this browser for
 * later visits; every {@link onRunColorChange} listener is told.
 * @param {string} name
 * @param {string | null} color `#rrggbb`
 */
export function setRunColor(name, color) {
  if (color != null && !/^#[0-9a-f]{6}$/i.test(color)) throw new TypeError(`not a #rrggbb color: ${color}`);
  if (color == null) overrides.delete(name);
  else overrides.set(name, color.toLowerCase());
  try {
    localStorage.setItem(OVERRIDES_KEY, JSON.stringify(Object.fromEntries(overrides)));
  } catch {
    // storage full or disabled: the color lasts for this page
  }
  const now = runColor(name);
  for (const fn of [...colorListeners]) {
    try {
      fn(name, now);
    } catch (err) {
      console.error("tbcore: a run color listener failed", err);
    }
  }
}

/**
 * Call `fn(name, color)` whenever the user changes a run's color.
 * @param {(name: string, color: string) => void} fn
 * @returns {() => void} stops calling it
 */
export function onRunColorChange(fn) {
  colorListeners.add(fn);
  return () => {
    colorListeners.delete(fn);
  };
}

/**
 * A `#rrggbb` color with an alpha, as `rgba(...)`.
 * @param {string} hex `#rrggbb`
 * @param {number} alpha 0..1
 * @returns {string}
 */
export function withAlpha(hex, alpha) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
