/**
 * What the line chart draws on top of its lines: the markers of non-finite values on the
 * plot's edges, and the selected step (a vertical line) or range (two lines, shaded between).
 * @module
 */

/**
 * Markers of NaN and ±Infinity values: ▲ +Infinity on the top edge, ▼ -Infinity on the
 * bottom edge, ◆ NaN on the top edge, at the point's x, in the series' color.
 * @param {import("uplot").default} u
 * @param {{color: string, clean: import("./_align.js").CleanSeries}[]} series
 */
export function drawMarkers(u, series) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const r = 4 * devicePixelRatio;
  ctx.save();
  for (const s of series) {
    if (s.clean.markers.length === 0) continue;
    ctx.fillStyle = s.color;
    for (const m of s.clean.markers) {
      const cx = u.valToPos(m.x, "x", true);
      if (!(cx >= left - 1 && cx <= left + width + 1)) continue;
      const cy = m.kind === "-inf" ? top + height - r : top + r;
      ctx.beginPath();
      if (m.kind === "+inf") {
        ctx.moveTo(cx, cy - r);
        ctx.lineTo(cx + r, cy + r);
        ctx.lineTo(cx - r, cy + r);
      } else if (m.kind === "-inf") {
        ctx.moveTo(cx, cy + r);
        ctx.lineTo(cx + r, cy - r);
        ctx.lineTo(cx - r, cy - r);
      } else {
        ctx.moveTo(cx, cy - r);
        ctx.lineTo(cx + r, cy);
        ctx.lineTo(cx, cy + r);
        ctx.lineTo(cx - r, cy);
      }
      ctx.closePath();
      ctx.fill();
    }
  }
  ctx.restore();
}

/**
 * The selected step (or range) as vertical lines across the plot, the range shaded.
 * @param {import("uplot").default} u
 * @param {import("./step_table.js").StepSelection | null} selection
 * @param {string} color
 */
export function drawSelection(u, selection, color) {
  if (!selection) return;
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const xs = [selection.start, ...(selection.end != null ? [selection.end] : [])].map((x) => u.valToPos(x, "x", true));
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  if (xs.length === 2) {
    ctx.fillStyle = color;
    ctx.globalAlpha = 0.08;
    ctx.fillRect(Math.min(xs[0], xs[1]), top, Math.abs(xs[1] - xs[0]), height);
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
  }
  ctx.restore();
}
