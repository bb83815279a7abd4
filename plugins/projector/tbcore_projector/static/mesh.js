/**
 * The mesh dashboard: a run's meshes and point clouds (``add_mesh``), one three.js view per
 * chosen run and tag, a step slider and a sample choice, orbit/zoom/pan camera controls.
 * Faces are drawn as a lit surface with the vertex colours; without faces the vertices are
 * drawn as points.
 *
 * The dashboard element carries `data-state` (`loading`, `ready`, `empty`, `error`),
 * `data-step`, `data-vertices`, `data-faces`, and the view `data-drawn-points` /
 * `data-drawn-triangles` (what WebGL drew in the last frame).
 * @module
 */

import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { h, renderEmpty, renderError } from "@tbcore/sdk";

const VERTEX = 1, FACE = 2, COLOR = 3;

/**
 * Mount the mesh dashboard into `el`; returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export async function mount(el, ctx) {
  if (!document.querySelector("link[data-projector-style]")) {
    document.head.append(h("link", { rel: "stylesheet", href: ctx.url("static/style.css"), dataset: { projectorStyle: "" } }));
  }
  const runSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "mesh-run", "aria-label": "Run" }));
  const tagSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "mesh-tag", "aria-label": "Mesh" }));
  const sampleSelect = /** @type {HTMLSelectElement} */ (h("select", { class: "mesh-sample", "aria-label": "Sample" }));
  const slider = /** @type {HTMLInputElement} */ (h("input", { type: "range", class: "mesh-step", min: "0", max: "0", value: "0", "aria-label": "Step" }));
  const stepLabel = h("span", { class: "mesh-step-label" });
  const toolbar = h("div", { class: "tb-settings mesh-toolbar" },
    h("label", null, "Run ", runSelect), h("label", null, "Mesh ", tagSelect),
    h("label", null, "Sample ", sampleSelect), h("label", null, "Step ", slider, " ", stepLabel),
    h("button", { type: "button", class: "tb-button mesh-fit", onclick: () => fit() }, "Reset camera"));
  const view = h("div", { class: "mesh-view" });
  const status = h("div", { class: "mesh-status" });
  const root = h("div", { class: "mesh-dashboard", dataset: { state: "loading" } }, toolbar, status, h("div", { class: "mesh-main" }, view));
  el.replaceChildren(root);

  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true, preserveDrawingBuffer: true });
  } catch (err) {
    root.dataset.state = "error";
    renderError(status, err, "The mesh view needs WebGL, which this browser does not give");
    return () => {};
  }
  renderer.domElement.classList.add("mesh-canvas");
  view.append(renderer.domElement);
  const scene = new THREE.Scene();
  scene.add(new THREE.AmbientLight(0xffffff, 0.6));
  const light = new THREE.DirectionalLight(0xffffff, 1.2);
  scene.add(light);
  const camera = new THREE.PerspectiveCamera(50, 1, 0.01, 1000);
  camera.add(light);
  scene.add(camera);
  const controls = new OrbitControls(camera, renderer.domElement);
  let pending = 0;
  const requestRender = () => {
    if (!pending) pending = requestAnimationFrame(() => {
      pending = 0;
      renderer.render(scene, camera);
      view.dataset.drawnPoints = String(renderer.info.render.points);
      view.dataset.drawnTriangles = String(renderer.info.render.triangles);
    });
  };
  controls.addEventListener("change", requestRender);
  const resize = () => {
    const r = view.getBoundingClientRect();
    const width = Math.max(1, Math.floor(r.width)), height = Math.max(1, Math.floor(r.height));
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    requestRender();
  };
  const observer = new ResizeObserver(resize);
  observer.observe(view);

  /** @type {THREE.Object3D | null} */ let shown = null;
  /** @type {number[]} */ let steps = [];
  let config = {};
  let tags = {};
  let token = 0;
  let fitted = "";

  function fit() {
    if (!shown) return;
    const sphere = new THREE.Box3().setFromObject(shown).getBoundingSphere(new THREE.Sphere());
    const radius = sphere.radius > 0 ? sphere.radius : 1;
    const fov = Number(config && config.camera && config.camera.fov);
    camera.fov = fov > 1 && fov < 179 ? fov : 50;  // add_mesh's config_dict may set it
    const distance = (radius / Math.sin((camera.fov * Math.PI) / 360)) * 1.1;
    camera.near = distance / 1000;
    camera.far = distance * 10;
    camera.position.set(sphere.center.x + distance * 0.5, sphere.center.y + distance * 0.4, sphere.center.z + distance * 0.75);
    camera.updateProjectionMatrix();
    controls.target.copy(sphere.center);
    controls.update();
    requestRender();
  }

  async function part(kind, step) {
    const blob = await ctx.fetchBlob("data", { run: runSelect.value, tag: tagSelect.value, step, content_type: kind, sample: sampleSelect.value || 0 });
    return blob.arrayBuffer();
  }

  async function loadTags() {
    try {
      tags = await ctx.fetchJson("tags");
    } catch (err) {
      root.dataset.state = "error";
      return renderError(status, err, "Could not list the meshes");
    }
    const runs = Object.keys(tags).filter((r) => Object.keys(tags[r]).length);
    if (!runs.length) {
      root.dataset.state = "empty";
      return renderEmpty(status, "No run has a mesh.");
    }
    runSelect.replaceChildren(...runs.map((r) => h("option", { value: r }, r)));
    chooseRun();
  }

  function chooseRun() {
    const names = Object.keys(tags[runSelect.value] || {}).sort();
    tagSelect.replaceChildren(...names.map((t) => h("option", { value: t }, t)));
    chooseTag();
  }

  async function chooseTag() {
    const run = runSelect.value, tag = tagSelect.value;
    const samples = (tags[run] && tags[run][tag] && tags[run][tag].samples) || 1;
    sampleSelect.replaceChildren(...Array.from({ length: samples }, (_, i) => h("option", { value: String(i) }, String(i))));
    root.dataset.state = "loading";
    try {
      const entries = await ctx.fetchJson("meshes", { run, tag });
      steps = [...new Set(entries.map((e) => e.step))].sort((a, b) => a - b);
      const first = entries.find((e) => e.content_type === VERTEX) || entries[0];
      try { config = first && first.config ? JSON.parse(first.config) : {}; } catch { config = {}; }
      slider.max = String(Math.max(0, steps.length - 1));
      slider.value = slider.max;
      fitted = "";
      await show();
    } catch (err) {
      root.dataset.state = "error";
      renderError(status, err, "Could not read the mesh");
    }
  }

  async function show() {
    const mine = ++token;
    const step = steps[Number(slider.value)];
    stepLabel.textContent = step === undefined ? "" : String(step);
    if (step === undefined) return;
    root.dataset.state = "loading";
    const [vertexBytes, faceBytes, colorBytes] = await Promise.all([part("VERTEX", step), part("FACE", step), part("COLOR", step)]);
    if (mine !== token) return;
    const vertices = new Float32Array(vertexBytes);
    const faces = new Int32Array(faceBytes);
    const colors = new Uint8Array(colorBytes);
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.BufferAttribute(vertices, 3));
    const hasColors = colors.length === vertices.length;
    if (hasColors) geometry.setAttribute("color", new THREE.BufferAttribute(Float32Array.from(colors, (c) => c / 255), 3));
    let object;
    const materialConfig = (config && config.material) || {};
    if (faces.length) {
      geometry.setIndex(new THREE.BufferAttribute(Uint32Array.from(faces), 1));
      geometry.computeVertexNormals();
      object = new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({ vertexColors: hasColors, color: hasColors ? 0xffffff : 0x8899aa, side: THREE.DoubleSide, roughness: 0.6 }));
    } else {
      const size = Number(materialConfig.size) > 0 ? Number(materialConfig.size) : 0;
      geometry.computeBoundingSphere();
      const radius = geometry.boundingSphere ? geometry.boundingSphere.radius : 1;
      object = new THREE.Points(geometry, new THREE.PointsMaterial({ vertexColors: hasColors, color: hasColors ? 0xffffff : 0x3366cc, size: size || radius / 60 }));
    }
    if (shown) {
      scene.remove(shown);
      shown.geometry.dispose();
      shown.material.dispose();
    }
    shown = object;
    scene.add(object);
    const key = `${runSelect.value}\u0000${tagSelect.value}`;
    if (fitted !== key) { fitted = key; fit(); }
    root.dataset.step = String(step);
    root.dataset.vertices = String(vertices.length / 3);
    root.dataset.faces = String(faces.length / 3);
    status.replaceChildren(h("span", { class: "tb-muted" }, `${vertices.length / 3} vertices, ${faces.length / 3} faces`));
    requestRender();
    root.dataset.state = "ready";
  }

  runSelect.addEventListener("change", () => chooseRun());
  tagSelect.addEventListener("change", () => chooseTag());
  sampleSelect.addEventListener("change", () => show());
  slider.addEventListener("input", () => show());
  resize();
  await loadTags();
  return () => {
    cancelAnimationFrame(pending);
    observer.disconnect();
    controls.dispose();
    renderer.dispose();
  };
}
