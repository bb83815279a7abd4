/**
 * Points drawn by plain JavaScript into a 2-D canvas, for browsers whose WebGL is missing or
 * runs on the CPU (SwiftShader, llvmpipe: no GPU, or a GPU the browser refuses). A software
 * WebGL spends most of a frame setting up each point as a primitive (100,000 points: ~11
 * frames a second on two cores), where one loop that projects every point and writes its dot
 * into a pixel buffer with a depth test is several times faster. The dots match the WebGL
 * shader's: round, `size × pixel ratio` pixels across, nearest point in front (equal depths:
 * the later point), or each point's thumbnail with a sprite.
 * @module
 */

export class CanvasPoints {
  constructor() {
    this.canvas = document.createElement("canvas");
    this.context = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    this.width = 1;
    this.height = 1;
    /** @type {ImageData | null} */ this.image = null;
    this.pixels = new Uint32Array(0);
    this.depth = new Float32Array(0);
    /** @type {Map<number, Int32Array>} */ this.discs = new Map();
  }

  /**
   * The drawing buffer's size in device pixels.
   * @param {number} width
   * @param {number} height
   */
  setSize(width, height) {
    if (width === this.width && height === this.height && this.image) return;
    this.width = this.canvas.width = width;
    this.height = this.canvas.height = height;
    this.image = this.context.createImageData(width, height);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.depth = new Float32Array(width * height);
    this.discs.clear();
  }

  /**
   * Draw the points; returns how many lie in front of the camera between its near and far
   * planes (those WebGL would rasterize, on the screen or beside it).
   * @param {ArrayLike<number>} m the column-major projection × view matrix (16 numbers)
   * @param {Float32Array} positions x, y, z per point
   * @param {number} count
   * @param {Uint32Array} colors one RGBA colour per point, packed as the canvas stores pixels
   * @param {Float32Array} sizes diameter per point, in CSS pixels
   * @param {number} scale device pixels per CSS pixel
   * @param {{image: CanvasImageSource, columns: number, rows: number, scale: number} | null} sprite
   */
  draw(m, positions, count, colors, sizes, scale, sprite) {
    if (sprite) return this.drawThumbnails(m, positions, count, sizes, scale, sprite);
    const { width, height } = this;
    // the matrix in locals: this loop runs for every point of every frame
    const m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7];
    const m8 = m[8], m9 = m[9], m10 = m[10], m11 = m[11], m12 = m[12], m13 = m[13], m14 = m[14], m15 = m[15];
    const pixels = this.pixels, depth = this.depth;
    pixels.fill(0);
    depth.fill(Infinity);
    let drawn = 0;
    for (let i = 0; i < count; i++) {
      const x = positions[i * 3], y = positions[i * 3 + 1], z = positions[i * 3 + 2];
      const w = m3 * x + m7 * y + m11 * z + m15;
      if (!(w > 0)) continue;
      const d = (m2 * x + m6 * y + m10 * z + m14) / w;
      if (d < -1 || d > 1) continue;
      drawn += 1;
      const diameter = Math.max(1, Math.round(sizes[i] * scale));
      const left = Math.round(((m0 * x + m4 * y + m8 * z + m12) / w + 1) * 0.5 * width - diameter / 2);
      const top = Math.round((1 - (m1 * x + m5 * y + m9 * z + m13) / w) * 0.5 * height - diameter / 2);
      if (left >= width || top >= height || left + diameter <= 0 || top + diameter <= 0) continue;
      const color = colors[i];
      const disc = this.disc(diameter);
      if (left >= 0 && top >= 0 && left + diameter <= width && top + diameter <= height) {
        const base = top * width + left;
        for (let k = 0; k < disc.length; k += 3) {
          const p = base + disc[k];
          if (d <= depth[p]) {
            depth[p] = d;
            pixels[p] = color;
          }
        }
      } else {
        for (let k = 0; k < disc.length; k += 3) {
          const px = left + disc[k + 1], py = top + disc[k + 2];
          if (px < 0 || py < 0 || px >= width || py >= height) continue;
          const p = py * width + px;
          if (d <= depth[p]) {
            depth[p] = d;
            pixels[p] = color;
          }
        }
      }
    }
    this.context.putImageData(/** @type {ImageData} */ (this.image), 0, 0);
    return drawn;
  }

  /**
   * The pixels of a round dot `diameter` pixels across: (offset in the buffer, x, y) each,
   * those whose centre lies within the circle (as the shader's `discard`).
   * @param {number} diameter
   */
  disc(diameter) {
    let disc = this.discs.get(diameter);
    if (!disc) {
      const cells = [];
      const r = diameter / 2;
      for (let y = 0; y < diameter; y++) {
        for (let x = 0; x < diameter; x++) {
          if ((x + 0.5 - r) ** 2 + (y + 0.5 - r) ** 2 <= r * r) cells.push(y * this.width + x, x, y);
        }
      }
      disc = Int32Array.from(cells);
      this.discs.set(diameter, disc);
    }
    return disc;
  }

  /**
   * Each point's cell of the sprite, farthest first so that nearer thumbnails cover it.
   * @param {ArrayLike<number>} m
   * @param {Float32Array} positions
   * @param {number} count
   * @param {Float32Array} sizes
   * @param {number} scale
   * @param {{image: CanvasImageSource, columns: number, rows: number, scale: number}} sprite
   */
  drawThumbnails(m, positions, count, sizes, scale, sprite) {
    const { width, height, context } = this;
    const { image, columns, rows } = sprite;
    const cellWidth = /** @type {number} */ (image.width) / columns, cellHeight = /** @type {number} */ (image.height) / rows;
    /** @type {[number, number, number, number, number][]} */ const visible = [];
    let drawn = 0;
    for (let i = 0; i < count; i++) {
      const x = positions[i * 3], y = positions[i * 3 + 1], z = positions[i * 3 + 2];
      const w = m[3] * x + m[7] * y + m[11] * z + m[15];
      if (!(w > 0)) continue;
      const d = (m[2] * x + m[6] * y + m[10] * z + m[14]) / w;
      if (d < -1 || d > 1) continue;
      drawn += 1;
      const side = sizes[i] * scale * sprite.scale;
      const left = ((m[0] * x + m[4] * y + m[8] * z + m[12]) / w + 1) * 0.5 * width - side / 2;
      const top = (1 - (m[1] * x + m[5] * y + m[9] * z + m[13]) / w) * 0.5 * height - side / 2;
      if (left >= width || top >= height || left + side <= 0 || top + side <= 0) continue;
      visible.push([d, i, left, top, side]);
    }
    visible.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    context.clearRect(0, 0, width, height);
    for (const [, i, left, top, side] of visible) {
      const column = i % columns, row = Math.floor(i / columns);
      context.drawImage(image, column * cellWidth, row * cellHeight, cellWidth, cellHeight, left, top, side, side);
    }
    return drawn;
  }
}

/**
 * `r, g, b` in 0..1 per point, packed into one 32-bit pixel each (opaque), in the byte order
 * of the canvas's pixel buffer.
 * @param {Float32Array} colors
 */
export function packColors(colors) {
  const count = colors.length / 3;
  const packed = new Uint32Array(count);
  const bytes = new Uint8ClampedArray(packed.buffer);
  for (let i = 0; i < count; i++) {
    bytes[i * 4] = Math.round(colors[i * 3] * 255);
    bytes[i * 4 + 1] = Math.round(colors[i * 3 + 1] * 255);
    bytes[i * 4 + 2] = Math.round(colors[i * 3 + 2] * 255);
    bytes[i * 4 + 3] = 255;
  }
  return packed;
}

/**
 * Whether WebGL draws on a GPU here: false without WebGL, when the browser says it would be
 * slow (`failIfMajorPerformanceCaveat`) or when its renderer is a CPU one (SwiftShader,
 * llvmpipe, …), which Chromium does not always flag.
 */
export function hardwareWebGL() {
  const canvas = document.createElement("canvas");
  const gl = /** @type {WebGLRenderingContext | null} */ (
    canvas.getContext("webgl2", { failIfMajorPerformanceCaveat: true }) ||
    canvas.getContext("webgl", { failIfMajorPerformanceCaveat: true }));
  if (!gl) return false;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return !/swiftshader|llvmpipe|softpipe|lavapipe|software|basic render/i.test(renderer);
}
