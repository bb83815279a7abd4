// The timeline: a canvas of lanes (threads, streams) with every event wide enough to see and
// a density strip of the rest, fetched from the `timeline` route for the visible window. The
// wheel zooms around the pointer, a drag pans; the view redraws at once from what it holds
// and asks the server for the new window shortly after.

import { Tooltip, h } from "@tbcore/sdk";
import { formatMicros } from "./_table.js";

const ROW = 18;
const LANE_GAP = 8;
const LABEL = 180;
const FETCH_DELAY_MS = 80;
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"];

function colorOf(name) {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length];
}

export class Timeline {
  /**
   * @param {HTMLElement} el where to draw
   * @param {(params: Record<string, any>, signal: AbortSignal) => Promise<any>} fetchWindow
   */
  constructor(el, fetchWindow) {
    this.fetchWindow = fetchWindow;
    this.canvas = h("canvas", { class: "profile-timeline-canvas", tabindex: "0", "aria-label": "Timeline" });
    this.status = h("p", { class: "tb-muted profile-timeline-status" });
    this.help = h("p", { class: "tb-muted" }, "Wheel: zoom around the pointer. Drag: pan. Double-click: show everything.");
    el.replaceChildren(this.help, this.canvas, this.status);
    this.tooltip = new Tooltip();
    this.data = null;
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
      ["mouseleave", () => this.tooltip.hide()],
      ["dblclick", () => this.setView(0, this.duration)],
    ];
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
      return await this.fetchWindow(params, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return null;
      this.status.textContent = `Could not load the timeline: ${err.message}`;
      return null;
    }
  }

  accept(data) {
    this.data = data;
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
    this.canvas.dataset.loaded = "true";
    const shown = `${lane.length} of ${data.total} events in ${formatMicros(data.end - data.start)}`;
    this.status.textContent = data.truncated ? `${shown} (the longest; zoom in for the rest)` : shown;
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
    this.canvas.dataset.loaded = "false";
    this.draw();
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      const [a, b] = this.view;
      const data = await this.request(a, b);
      if (data) this.accept(data);
    }, FETCH_DELAY_MS);
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
    this.drag = { x: event.clientX, view: [...this.view] };
    this.canvas.classList.add("profile-dragging");
  }

  onMove(event) {
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
    canvas.style.height = `${height}px`;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(height * ratio);
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
      const name = this.data.names[ev.name[i]];
      const y = top + ev.depth[i] * ROW;
      g.fillStyle = colorOf(name);
      g.fillRect(x, y, w, ROW - 2);
      if (w > 40) {
        g.fillStyle = "#fff";
        const left = Math.max(x, LABEL) + 3;
        g.fillText(name.slice(0, Math.floor((w - 6) / 6)), left, y + ROW / 2 - 1, Math.min(w, LABEL + width - left) - 6);
      }
    }
    g.restore();
    g.fillStyle = fg;
  }

  destroy() {
    clearTimeout(this.timer);
    this.controller?.abort();
    for (const [type, fn, opts] of this.listeners) this.canvas.removeEventListener(type, fn, opts);
    window.removeEventListener("mouseup", this.onUp);
    this.resize.disconnect();
    this.tooltip.destroy();
  }
}
