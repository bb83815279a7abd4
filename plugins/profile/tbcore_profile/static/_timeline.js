// The timeline: a canvas of lanes (threads, streams) with every event wide enough to see and
// a density strip of the rest, fetched from the `timeline` route for the visible window, and
// the window's flow arrows. The wheel and W/S zoom around the pointer, a drag and A/D pan;
// the view redraws at once from what it holds and asks the server for the new window shortly
// after. A search steps through the events whose name matches; Shift+drag selects a time
// range and shows what it holds.

import { Tooltip, h } from "@tbcore/sdk";
import { formatMicros } from "./_table.js";
import { drawFlows, searchBar, selectionSummary } from "./_timeline_tools.js";

const ROW = 18;
const LANE_GAP = 8;
const LABEL = 180;
const FETCH_DELAY_MS = 80;
const FETCH_EVERY_MS = 300;
/** W/S zoom by e^KEY_ZOOM (about 12 times) per second held. */
const KEY_ZOOM = 2.5;
/** A/D pan by this share of the view per second held. */
const KEY_PAN = 0.8;
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"];

function colorOf(name) {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length];
}

export class Timeline {
  /**
   * @param {HTMLElement} el where to draw
   * @param {(route: string, params: Record<string, any>, signal?: AbortSignal) => Promise<any>} fetchRoute
   *   an answer of one of the trace's routes (`timeline`, `timeline_search`, `timeline_selection`)
   */
  constructor(el, fetchRoute) {
    this.fetchRoute = fetchRoute;
    this.canvas = h("canvas", { class: "profile-timeline-canvas", tabindex: "0", "aria-label": "Timeline" });
    this.status = h("p", { class: "tb-muted profile-timeline-status" });
    this.help = h(
      "p",
      { class: "tb-muted" },
      "Wheel or W/S: zoom around the pointer. Drag or A/D: pan. Shift+drag: select a range. Double-click: show everything.",
    );
    this.summary = h("div", { class: "profile-selection-box" });
    const search = searchBar((q) => this.fetchRoute("timeline_search", { q }), (found, i) => this.showFound(found, i));
    el.replaceChildren(this.help, search, this.canvas, this.status, this.summary);
    this.found = null;
    this.selection = null;
    this.selecting = null;
    this.tooltip = new Tooltip();
    this.data = null;
    this.colors = [];
    this.duration = 0;
    this.view = [0, 1];
    this.maxDepth = new Map();
    this.controller = null;
    this.timer = 0;
    this.drag = null;
    this.listeners = [
      ["wheel", (e) => this.onWheel(e), { passive: false }],
      ["mousedown", (e) => this.onDown(e)],
      ["mousemove", (e) => this.onMove(e)],
      ["mouseleave", () => {
        this.pointerX = null;
        this.tooltip.hide();
      }],
      ["dblclick", () => this.setView(0, this.duration)],
      ["keydown", (e) => this.onKey(e, true)],
      ["keyup", (e) => this.onKey(e, false)],
      ["blur", () => this.keys.clear()],
    ];
    this.keys = new Set();
    this.pointerX = null;
    this.keyFrame = 0;
    this.pendingSince = 0;
    for (const [type, fn, opts] of this.listeners) this.canvas.addEventListener(type, fn, opts);
    this.onUp = () => this.endDrag();
    window.addEventListener("mouseup", this.onUp);
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.canvas);
  }

  /** Show the whole trace. */
  async load() {
    const first = await this.request(undefined, undefined);
    if (!first) return;
    this.duration = first.duration_us;
    this.view = [0, Math.max(first.duration_us, 1)];
    this.accept(first);
  }

  width() {
    return Math.max(this.canvas.clientWidth - LABEL, 50);
  }

  async request(start, end) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    try {
      const params = { width: Math.round(this.width()) };
      if (start !== undefined) Object.assign(params, { start, end });
      return await this.fetchRoute("timeline", params, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return null;
      this.status.textContent = `Could not load the timeline: ${err.message}`;
      return null;
    }
  }

  accept(data) {
    this.data = data;
    this.colors = data.names.map(colorOf);
    const { lane, depth } = data.events;
    for (let i = 0; i < lane.length; i++) this.maxDepth.set(lane[i], Math.max(this.maxDepth.get(lane[i]) ?? 0, depth[i]));
    for (let i = 0; i < data.summaries.lane.length; i++) {
      const l = data.summaries.lane[i];
      this.maxDepth.set(l, Math.max(this.maxDepth.get(l) ?? 0, data.summaries.depth[i]));
    }
    this.canvas.dataset.events = String(lane.length);
    this.canvas.dataset.summaries = String(data.summaries.lane.length);
    this.canvas.dataset.start = String(data.start);
    this.canvas.dataset.end = String(data.end);
    this.canvas.dataset.width = String(data.width);
    this.canvas.dataset.flows = String(data.flows?.start.length ?? 0);
    this.canvas.dataset.loaded = "true";
    const shown = `${lane.length} of ${data.total} events in ${formatMicros(data.end - data.start)}`;
    const flows = data.flows?.truncated ? "; zoom in to see the flow arrows" : "";
    this.status.textContent = (data.truncated ? `${shown} (the longest; zoom in for the rest)` : shown) + flows;
    this.draw();
  }

  setView(start, end) {
    const span = Math.max(end - start, 0.01);
    let lo = Math.max(0, start);
    let hi = lo + span;
    if (hi > this.duration) {
      hi = Math.max(this.duration, span);
      lo = Math.max(0, hi - span);
    }
    this.view = [lo, hi];
    this.canvas.dataset.viewStart = String(lo);
    this.canvas.dataset.viewEnd = String(hi);
    this.canvas.dataset.loaded = "false";
    this.draw();
    // ask once the view rests, and at least every FETCH_EVERY_MS while it keeps moving
    const now = performance.now();
    if (!this.pendingSince) this.pendingSince = now;
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      this.pendingSince = 0;
      const [a, b] = this.view;
      const data = await this.request(a, b);
      if (data) this.accept(data);
    }, Math.max(0, Math.min(FETCH_DELAY_MS, this.pendingSince + FETCH_EVERY_MS - now)));
  }

  onKey(event, down) {
    const key = event.key.toLowerCase();
    if (key.length !== 1 || !"wasd".includes(key) || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    if (!down) {
      this.keys.delete(key);
      return;
    }
    this.keys.add(key);
    if (!this.keyFrame) this.keyFrame = requestAnimationFrame((t) => this.keyStep(t, t));
  }

  /** One frame of held W/A/S/D keys: zoom (around the pointer, else the middle) and pan by a
   * share of the view that depends on the time since the last frame. */
  keyStep(now, last) {
    if (!this.keys.size) {
      this.keyFrame = 0;
      return;
    }
    const step = Math.min(now - last, 100) / 1000;
    const [lo, hi] = this.view;
    const span = hi - lo;
    const x = this.pointerX ?? this.width() / 2;
    const at = lo + (Math.max(0, Math.min(x, this.width())) / this.width()) * span;
    let factor = 1;
    if (this.keys.has("w")) factor *= Math.exp(-KEY_ZOOM * step);
    if (this.keys.has("s")) factor *= Math.exp(KEY_ZOOM * step);
    let shift = 0;
    if (this.keys.has("a")) shift -= KEY_PAN * step * span;
    if (this.keys.has("d")) shift += KEY_PAN * step * span;
    if (step > 0) this.setView(at - (at - lo) * factor + shift, at + (hi - at) * factor + shift);
    this.keyFrame = requestAnimationFrame((t) => this.keyStep(t, now));
  }

  onWheel(event) {
    event.preventDefault();
    const x = event.offsetX - LABEL;
    const [lo, hi] = this.view;
    const at = lo + (Math.max(x, 0) / this.width()) * (hi - lo);
    const factor = Math.exp(Math.max(-1, Math.min(1, event.deltaY * 0.002)));
    this.setView(at - (at - lo) * factor, at + (hi - at) * factor);
  }

  onDown(event) {
    if (event.shiftKey) {
      const at = this.timeAt(event.offsetX);
      this.selecting = at;
      this.selection = [at, at];
      return;
    }
    this.drag = { x: event.clientX, view: [...this.view] };
    this.canvas.classList.add("profile-dragging");
  }

  timeAt(offsetX) {
    const [lo, hi] = this.view;
    return lo + (Math.max(0, Math.min(offsetX - LABEL, this.width())) / this.width()) * (hi - lo);
  }

  /** Show the index-th event a search found: centre the view on it, a third of it wide. */
  showFound(found, index) {
    this.found = found && { ...found, index };
    if (!found) return this.draw();
    const ev = found.events;
    const span = Math.max(ev.dur[index] * 3, 10);
    const middle = ev.start[index] + ev.dur[index] / 2;
    this.canvas.dataset.found = found.names[ev.name[index]];
    this.setView(middle - span / 2, middle + span / 2);
  }

  async summarize(start, end) {
    if (!(end > start)) return;
    this.summary.replaceChildren(h("p", { class: "tb-muted" }, "Summarizing the selection…"));
    const data = await this.fetchRoute("timeline_selection", { start, end });
    if (this.selection && this.selection[0] === start && this.selection[1] === end) {
      this.summary.replaceChildren(selectionSummary(data));
    }
  }

  onMove(event) {
    this.pointerX = event.offsetX - LABEL;
    if (this.selecting !== null) {
      const at = this.timeAt(event.offsetX);
      this.selection = [Math.min(this.selecting, at), Math.max(this.selecting, at)];
      this.draw();
      return;
    }
    if (this.drag) {
      const [lo, hi] = this.drag.view;
      const shift = ((event.clientX - this.drag.x) / this.width()) * (hi - lo);
      this.setView(lo - shift, hi - shift);
      return;
    }
    const hit = this.hit(event.offsetX, event.offsetY);
    if (hit) this.tooltip.show(event.clientX, event.clientY, hit);
    else this.tooltip.hide();
  }

  endDrag() {
    if (this.selecting !== null) {
      this.selecting = null;
      const [start, end] = this.selection;
      this.summarize(start, end).catch((err) => this.summary.replaceChildren(h("p", { class: "tb-error" }, `Could not summarize: ${err.message}`)));
    }
    this.drag = null;
    this.canvas.classList.remove("profile-dragging");
  }

  layout() {
    const tops = new Map();
    let y = 4;
    for (const lane of this.data?.lanes ?? []) {
      if (!lane.events) continue;
      tops.set(lane.id, y);
      y += ((this.maxDepth.get(lane.id) ?? 0) + 1) * ROW + LANE_GAP;
    }
    return { tops, height: Math.max(y, 40) };
  }

  hit(x, y) {
    if (!this.data || x < LABEL) return null;
    const { tops } = this.layout();
    const [lo, hi] = this.view;
    const scale = this.width() / (hi - lo);
    const ev = this.data.events;
    for (let i = ev.lane.length - 1; i >= 0; i--) {
      const top = tops.get(ev.lane[i]);
      if (top === undefined) continue;
      const y0 = top + ev.depth[i] * ROW;
      const x0 = LABEL + (ev.start[i] - lo) * scale;
      const x1 = x0 + Math.max(ev.dur[i] * scale, 1);
      if (y >= y0 && y < y0 + ROW - 2 && x >= x0 && x <= x1) {
        const name = this.data.names[ev.name[i]];
        const kind = this.data.kinds[ev.kind[i]] ?? "";
        return h("div", null, h("strong", null, name), h("div", null, `${kind} · ${formatMicros(ev.dur[i])} at ${formatMicros(ev.start[i])}`));
      }
    }
    return null;
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const { tops, height } = this.layout();
    const cssWidth = canvas.clientWidth || 800;
    const pixels = [Math.round(cssWidth * ratio), Math.round(height * ratio)];
    if (canvas.width !== pixels[0] || canvas.height !== pixels[1]) {
      // resizing reallocates the canvas: only when its size changes, not on every frame
      canvas.style.height = `${height}px`;
      [canvas.width, canvas.height] = pixels;
    }
    const g = canvas.getContext("2d");
    if (!g || !this.data) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const style = getComputedStyle(canvas);
    const fg = style.getPropertyValue("--tb-fg").trim() || "#222";
    const muted = style.getPropertyValue("--tb-fg-muted").trim() || "#777";
    g.clearRect(0, 0, cssWidth, height);
    g.font = "11px sans-serif";
    g.textBaseline = "middle";
    const [lo, hi] = this.view;
    const width = this.width();
    const scale = width / (hi - lo);
    for (const lane of this.data.lanes) {
      const top = tops.get(lane.id);
      if (top === undefined) continue;
      g.fillStyle = muted;
      g.fillText(`${lane.process} / ${lane.thread}`.slice(0, 30), 4, top + ROW / 2);
    }
    g.save();
    g.beginPath();
    g.rect(LABEL, 0, width, height);
    g.clip();
    const s = this.data.summaries;
    const pixelUs = (this.data.end - this.data.start) / this.data.width;
    const pixelScale = pixelUs * scale;
    for (let i = 0; i < s.lane.length; i++) {
      const top = tops.get(s.lane[i]);
      if (top === undefined) continue;
      const x = LABEL + (this.data.start + s.pixel[i] * pixelUs - lo) * scale;
      if (x > LABEL + width || x + pixelScale < LABEL) continue;
      g.globalAlpha = Math.min(1, 0.25 + s.busy_us[i] / pixelUs);
      g.fillStyle = muted;
      g.fillRect(x, top + s.depth[i] * ROW, Math.max(pixelScale, 1), ROW - 2);
    }
    g.globalAlpha = 1;
    const ev = this.data.events;
    for (let i = 0; i < ev.lane.length; i++) {
      const top = tops.get(ev.lane[i]);
      if (top === undefined) continue;
      const x = LABEL + (ev.start[i] - lo) * scale;
      const w = Math.max(ev.dur[i] * scale, 1);
      if (x > LABEL + width || x + w < LABEL) continue;
      const y = top + ev.depth[i] * ROW;
      g.fillStyle = this.colors[ev.name[i]];
      g.fillRect(x, y, w, ROW - 2);
      if (w > 40) {
        const name = this.data.names[ev.name[i]];
        g.fillStyle = "#fff";
        const left = Math.max(x, LABEL) + 3;
        g.fillText(name.slice(0, Math.floor((w - 6) / 6)), left, y + ROW / 2 - 1, Math.min(w, LABEL + width - left) - 6);
      }
    }
    const xOf = (us) => LABEL + (us - lo) * scale;
    const rowMiddle = (lane, depth) => {
      const top = tops.get(lane);
      return top === undefined ? undefined : top + depth * ROW + ROW / 2 - 1;
    };
    drawFlows(g, this.data.flows, rowMiddle, xOf, LABEL, LABEL + width);
    this.drawFound(g, tops, xOf, scale);
    if (this.selection) {
      const [a, b] = this.selection;
      g.fillStyle = "rgba(78, 121, 167, 0.18)";
      g.fillRect(xOf(a), 0, Math.max((b - a) * scale, 1), height);
    }
    g.restore();
    g.fillStyle = fg;
  }

  /** Outline the events a search found that lie in view; the current one thicker. */
  drawFound(g, tops, xOf, scale) {
    if (!this.found) return;
    const ev = this.found.events;
    g.strokeStyle = "#e8a000";
    for (let i = 0; i < ev.start.length; i++) {
      const top = tops.get(ev.lane[i]);
      if (top === undefined) continue;
      g.lineWidth = i === this.found.index ? 3 : 1;
      g.strokeRect(xOf(ev.start[i]), top + ev.depth[i] * ROW, Math.max(ev.dur[i] * scale, 2), ROW - 2);
    }
  }

  destroy() {
    clearTimeout(this.timer);
    cancelAnimationFrame(this.keyFrame);
    this.controller?.abort();
    for (const [type, fn, opts] of this.listeners) this.canvas.removeEventListener(type, fn, opts);
    window.removeEventListener("mouseup", this.onUp);
    this.resize.disconnect();
    this.tooltip.destroy();
  }
}
