/**
 * A cloud of points drawn with three.js (WebGL): 2-D (pan and zoom) or 3-D (orbit, zoom,
 * pan), one colour and size per point, picking the point nearest to a click, and labels
 * drawn as text elements over the canvas for a few points. Renders only when something
 * changed. Where WebGL would run on the CPU, the points are drawn by `CanvasPoints` instead
 * (`drawing` says which: `webgl` or `canvas`; the browser storage key
 * `tbcore.projector.drawing` can force either).
 * @module
 */

import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { h } from "@tbcore/sdk";
import { CanvasPoints, hardwareWebGL, packColors } from "./_canvas_points.js";

const VERTEX_SHADER = `
attribute float size;
attribute vec3 color;
attribute float spriteIndex;
varying vec3 vColor;
varying float vIndex;
uniform float scale;
void main() {
  vColor = color;
  vIndex = spriteIndex;
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = size * scale;
  gl_Position = projectionMatrix * mv;
}`;

// With a sprite, each point shows its thumbnail: cell (index % columns, index / columns) of
// the atlas, counted from the top left (the texture is flipped: v = 1 is the image's top).
const FRAGMENT_SHADER = `
varying vec3 vColor;
varying float vIndex;
uniform bool useSprite;
uniform sampler2D atlas;
uniform vec2 grid;
void main() {
  if (useSprite) {
    float column = mod(vIndex, grid.x);
    float row = floor(vIndex / grid.x);
    vec2 uv = vec2((column + gl_PointCoord.x) / grid.x, 1.0 - (row + gl_PointCoord.y) / grid.y);
    gl_FragColor = texture2D(atlas, uv);
    return;
  }
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  gl_FragColor = vec4(vColor, 1.0);
}`;
const THUMBNAIL_SCALE = 4;
const DRAWING_KEY = "tbcore.projector.drawing";

/** `webgl` or `canvas`: what draws the points here (see the module's documentation). */
function chooseDrawing() {
  let forced = null;
  try {
    forced = localStorage.getItem(DRAWING_KEY);
  } catch {
    // storage refused (privacy settings): choose by the hardware
  }
  if (forced === "webgl" || forced === "canvas") return forced;
  return hardwareWebGL() ? "webgl" : "canvas";
}

export class PointCloud {
  /**
   * @param {HTMLElement} container
   * @param {{pick: (index: number) => void}} events
   */
  constructor(container, events) {
    this.container = container;
    this.events = events;
    this.drawing = chooseDrawing();
    this.pixelRatio = Math.min(window.devicePixelRatio || 1, 2);
    /** @type {THREE.WebGLRenderer | null} */ this.renderer = null;
    /** @type {CanvasPoints | null} */ this.raster = null;
    if (this.drawing === "webgl") {
      this.renderer = new THREE.WebGLRenderer({ antialias: false, alpha: true, preserveDrawingBuffer: true });
      this.renderer.setPixelRatio(this.pixelRatio);
      this.canvas = this.renderer.domElement;
    } else {
      this.raster = new CanvasPoints();
      this.canvas = this.raster.canvas;
    }
    container.dataset.drawing = this.drawing;
    this.canvas.classList.add("projector-canvas");
    this.labels = h("div", { class: "projector-labels" });
    container.append(this.canvas, this.labels);
    this.scene = new THREE.Scene();
    this.camera = new THREE.PerspectiveCamera(50, 1, 0.01, 1000);
    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.addEventListener("change", () => this.requestRender());
    this.geometry = new THREE.BufferGeometry();
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX_SHADER,
      fragmentShader: FRAGMENT_SHADER,
      uniforms: { scale: { value: 1 }, useSprite: { value: false }, atlas: { value: null }, grid: { value: new THREE.Vector2(1, 1) } },
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.scene.add(this.points);
    /** @type {Float32Array} */ this.positions = new Float32Array(0);
    /** @type {Uint32Array} */ this.packedColors = new Uint32Array(0);
    /** @type {{image: HTMLImageElement, columns: number, rows: number, scale: number} | null} */ this.sprite = null;
    /** @type {{index: number, text: string}[]} */ this.labelled = [];
    this.count = 0;
    this.dimensions = 3;
    this.drawnPoints = 0;
    this.frames = 0;
    /** @type {number[]} */ this.renderMs = [];  // the last frames' WebGL calls, for benchmarks
    this.pending = 0;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    let down = null;
    this.canvas.addEventListener("pointerdown", (e) => { down = [e.clientX, e.clientY]; });
    this.canvas.addEventListener("pointerup", (e) => {
      if (down && Math.hypot(e.clientX - down[0], e.clientY - down[1]) < 4) {
        const index = this.pick(e.clientX, e.clientY);
        if (index >= 0) this.events.pick(index);
      }
      down = null;
    });
    this.resize();
  }

  /** Size of the canvas in CSS pixels. */
  size() {
    const r = this.container.getBoundingClientRect();
    return { width: Math.max(1, Math.floor(r.width)), height: Math.max(1, Math.floor(r.height)) };
  }

  resize() {
    const { width, height } = this.size();
    if (this.renderer) this.renderer.setSize(width, height, false);
    else this.raster?.setSize(Math.round(width * this.pixelRatio), Math.round(height * this.pixelRatio));
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  /**
   * Show `count` points at `positions` (x, y, z per point; z is 0 in 2-D).
   * @param {Float32Array} positions
   * @param {number} dimensions 2 or 3
   */
  setPositions(positions, dimensions) {
    this.count = positions.length / 3;
    this.positions = positions;
    this.dimensions = dimensions;
    this.geometry.setAttribute("position", new THREE.BufferAttribute(positions, 3));
    const spriteIndex = this.geometry.getAttribute("spriteIndex");
    if (!spriteIndex || spriteIndex.count !== this.count) {
      const index = new Float32Array(this.count);
      for (let i = 0; i < this.count; i++) index[i] = i;
      this.geometry.setAttribute("spriteIndex", new THREE.BufferAttribute(index, 1));
    }
    this.geometry.computeBoundingSphere();
    if (!this.geometry.getAttribute("color") || this.geometry.getAttribute("color").count !== this.count) {
      this.setColors(new Float32Array(this.count * 3).fill(0.3));
      this.setSizes(new Float32Array(this.count).fill(4));
    }
    this.controls.enableRotate = dimensions === 3;
    this.fit();
  }

  /** Move the positions in place (a projection converging), without refitting the view. */
  updatePositions() {
    this.geometry.getAttribute("position").needsUpdate = true;
    this.requestRender();
  }

  /** @param {Float32Array} colors r, g, b in 0..1 per point */
  setColors(colors) {
    this.colors = colors;
    if (this.raster) this.packedColors = packColors(colors);
    this.geometry.setAttribute("color", new THREE.BufferAttribute(colors, 3));
    this.requestRender();
  }

  /** @param {Float32Array} sizes diameter in pixels per point */
  setSizes(sizes) {
    this.sizes = sizes;
    this.geometry.setAttribute("size", new THREE.BufferAttribute(sizes, 1));
    this.requestRender();
  }

  /**
   * Draw each point as its thumbnail from `image` (a sprite of `columns` x `rows` cells), or
   * as a dot again with `null`.
   * @param {HTMLImageElement | null} image
   * @param {number} [columns]
   * @param {number} [rows]
   */
  setSprite(image, columns = 1, rows = 1) {
    const uniforms = this.material.uniforms;
    if (uniforms.atlas.value) uniforms.atlas.value.dispose();
    uniforms.atlas.value = null;
    uniforms.useSprite.value = Boolean(image);
    this.sprite = image ? { image, columns, rows, scale: THUMBNAIL_SCALE } : null;
    if (image && this.renderer) {
      const texture = new THREE.Texture(image);
      texture.colorSpace = THREE.SRGBColorSpace;
      texture.needsUpdate = true;
      uniforms.atlas.value = texture;
      uniforms.grid.value.set(columns, rows);
    }
    this.requestRender();
  }

  /** @param {{index: number, text: string}[]} labelled */
  setLabels(labelled) {
    this.labelled = labelled;
    this.requestRender();
  }

  /** Frame every point: the camera looks at the cloud's centre from far enough away. */
  fit() {
    const sphere = this.geometry.boundingSphere;
    const centre = sphere ? sphere.center : new THREE.Vector3();
    const radius = sphere && sphere.radius > 0 ? sphere.radius : 1;
    const distance = radius / Math.sin((this.camera.fov * Math.PI) / 360) * 1.1;
    this.camera.near = distance / 1000;
    this.camera.far = distance * 10;
    this.camera.up.set(0, 1, 0);
    this.camera.position.set(centre.x, centre.y, centre.z + distance);
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(centre);
    this.controls.update();
    this.requestRender();
  }

  /**
   * Turn the camera round the point it looks at by `radians` about the vertical axis, as a
   * sideways drag does (benchmarks orbit with it at the browser's frame rate).
   * @param {number} radians
   */
  orbitBy(radians) {
    const offset = this.camera.position.clone().sub(this.controls.target);
    offset.applyAxisAngle(this.camera.up, radians);
    this.camera.position.copy(this.controls.target).add(offset);
    this.camera.lookAt(this.controls.target);
    this.requestRender();
  }

  requestRender() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.render();
    });
  }

  render() {
    const started = performance.now();
    if (this.renderer) {
      const uniforms = this.material.uniforms;
      uniforms.scale.value = this.pixelRatio * (uniforms.useSprite.value ? THUMBNAIL_SCALE : 1);
      this.renderer.render(this.scene, this.camera);
      this.drawnPoints = this.renderer.info.render.points;
    } else if (this.raster) {
      this.camera.updateMatrixWorld();
      const m = new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse);
      this.drawnPoints = this.raster.draw(m.elements, this.positions, this.count, this.packedColors,
        this.sizes, this.pixelRatio, this.sprite);
    }
    this.renderMs.push(performance.now() - started);
    performance.measure("projector:render", { start: started, end: performance.now() });
    if (this.renderMs.length > 100) this.renderMs.shift();
    this.frames += 1;
    this.container.dataset.drawnPoints = String(this.drawnPoints);
    this.drawLabels();
  }

  /**
   * Screen position (CSS pixels) of point `index`, or null when behind the camera.
   * @param {number} index
   */
  screenOf(index) {
    const p = this.positions;
    const v = new THREE.Vector3(p[index * 3], p[index * 3 + 1], p[index * 3 + 2]).project(this.camera);
    if (v.z > 1) return null;
    const { width, height } = this.size();
    return { x: ((v.x + 1) / 2) * width, y: ((1 - v.y) / 2) * height };
  }

  drawLabels() {
    this.labels.replaceChildren(...this.labelled.flatMap(({ index, text }) => {
      const at = this.screenOf(index);
      if (!at) return [];
      return [h("span", { class: "projector-label", style: { left: `${at.x + 6}px`, top: `${at.y - 8}px` } }, text)];
    }));
  }

  /**
   * The point nearest to a client position (within 12 pixels), or -1.
   * @param {number} clientX
   * @param {number} clientY
   */
  pick(clientX, clientY) {
    const r = this.canvas.getBoundingClientRect();
    const x = clientX - r.left, y = clientY - r.top;
    const m = new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse);
    const e = m.elements, p = this.positions;
    let best = -1, bestD = 144;
    for (let i = 0; i < this.count; i++) {
      const px = p[i * 3], py = p[i * 3 + 1], pz = p[i * 3 + 2];
      const w = e[3] * px + e[7] * py + e[11] * pz + e[15];
      if (w <= 0) continue;
      const sx = ((e[0] * px + e[4] * py + e[8] * pz + e[12]) / w + 1) / 2 * r.width;
      const sy = (1 - (e[1] * px + e[5] * py + e[9] * pz + e[13]) / w) / 2 * r.height;
      const d = (sx - x) ** 2 + (sy - y) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  dispose() {
    cancelAnimationFrame(this.pending);
    this.resizeObserver.disconnect();
    this.controls.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.renderer?.dispose();
  }
}
