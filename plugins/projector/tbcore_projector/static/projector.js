/**
 * The embedding projector: a run's embeddings as a point cloud (PCA computed on the
 * server, 2-D or 3-D), coloured and labelled by a metadata column, searched by a regex over a
 * column, a point's nearest neighbours (cosine or euclidean, in the embedding's own space)
 * listed with their distances, isolating a selection, TensorBoard's bookmarks, and a point
 * inspector.
 *
 * The dashboard element carries what tests and benchmarks read: `data-state` (`loading`,
 * `ready`, `empty`, `error`), `data-points`, `data-selected`, `data-matches`,
 * `data-neighbors` (indices, comma-separated), `data-load-ms`, `data-sprite` (`on` while
 * thumbnails are drawn), `data-custom` (sizes of the custom projection's four groups),
 * `data-tsne-iteration` and `data-umap-iteration` (the snapshot shown: t-SNE and UMAP run on
 * the server and stream positions), `data-layout-method` (the server's implementation); the
 * view's `data-drawn-points` counts the points drawn in the last frame and its `data-drawing`
 * says what drew them (`webgl`, or `canvas` where WebGL would run on the CPU).
 * `element.projectorView` gives tests the colour of a point and its place on the screen, and
 * benchmarks the frames drawn and a way to turn the view.
 * @module
 */

import { h, renderEmpty, renderError } from "@tbcore/sdk";
import { colorByColumn, matchingIndices, parseMetadata, scaledPositions } from "./_metadata.js";
import { followLayout, layoutControls } from "./_layouts.js";
import { customControls, fetchCustomProjection } from "./_custom_projection.js";
import { bookmarkButtons, downloadJson, inspectorContent } from "./_inspector.js";

const BASE_SIZE = 4;
const PLAIN = [0.26, 0.45, 0.75];
const MATCH = [0.95, 0.55, 0.05];
const SELECTED = [0.85, 0.1, 0.1];
const NEIGHBOR = [0.55, 0.15, 0.75];
const MAX_LABELS = 60;

/**
 * Mount the projector into `el`; returns its cleanup.
 * @param {HTMLElement} el
 * @param {import("@tbcore/sdk/context.js").PluginContext} ctx
 */
export async function mount(el, ctx) {
  if (!document.querySelector("link[data-projector-style]")) {
    document.head.append(h("link", { rel: "stylesheet", href: ctx.url("static/style.css"), dataset: { projectorStyle: "" } }));
  }
  const select = (cls, label) => /** @type {HTMLSelectElement} */ (h("select", { class: cls, "aria-label": label }));
  const runSelect = select("projector-run", "Run");
  const tensorSelect = select("projector-tensor", "Tensor");
  const dimsSelect = select("projector-dims", "Dimensions");
  dimsSelect.append(h("option", { value: "3" }, "3-D"), h("option", { value: "2" }, "2-D"));
  const colorSelect = select("projector-color", "Colour by");
  const labelSelect = select("projector-label-by", "Label by");
  const searchColumn = select("projector-search-column", "Search column");
  const searchBox = /** @type {HTMLInputElement} */ (h("input", { class: "tb-input projector-search", type: "search", placeholder: "Search (regex)", "aria-label": "Search" }));
  const metricSelect = select("projector-metric", "Distance");
  metricSelect.append(h("option", { value: "cosine" }, "cosine"), h("option", { value: "euclidean" }, "euclidean"));
  const countBox = /** @type {HTMLInputElement} */ (h("input", { class: "tb-input projector-neighbor-count", type: "number", min: "1", max: "1000", value: "10", "aria-label": "Neighbours" }));
  const methodSelect = select("projector-method", "Projection");
  methodSelect.append(h("option", { value: "pca" }, "PCA"), h("option", { value: "tsne" }, "t-SNE"), h("option", { value: "umap" }, "UMAP"), h("option", { value: "custom" }, "Custom"));
  const axisSelects = ["x", "y", "z"].map((axis) => select(`projector-pca-${axis}`, `Component on ${axis}`));
  const pcaControls = h("span", { class: "projector-pca-controls" }, "Components ", ...axisSelects);
  const custom = customControls(() => runCustom());
  const layouts = { tsne: layoutControls("tsne", () => runLayout("tsne")), umap: layoutControls("umap", () => runLayout("umap")) };
  const isolateBox = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "projector-isolate" }));
  const thumbnailBox = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "projector-thumbnails" }));
  const thumbnailLabel = h("label", { hidden: true }, thumbnailBox, "Thumbnails");
  const toolbar = h("div", { class: "tb-settings projector-toolbar" },
    h("label", null, "Run ", runSelect), h("label", null, "Tensor ", tensorSelect), dimsSelect,
    h("label", null, "Projection ", methodSelect), pcaControls, layouts.tsne.element, layouts.umap.element, custom.element,
    h("label", null, "Colour by ", colorSelect), h("label", null, "Label by ", labelSelect),
    h("label", null, searchBox, " in ", searchColumn),
    h("label", null, "Neighbours ", countBox, " ", metricSelect),
    h("label", null, isolateBox, "Isolate selection"), thumbnailLabel,
    h("button", { type: "button", class: "tb-button projector-fit", onclick: () => cloud?.fit() }, "Fit"),
    h("button", { type: "button", class: "tb-button projector-save-bookmark", onclick: () => saveBookmark() }, "Save bookmark"));
  const view = h("div", { class: "projector-view" });
  const message = h("div", { class: "projector-message" });
  const stats = h("div", { class: "projector-stats" });
  const legend = h("div", { class: "projector-legend" });
  const inspector = h("aside", { class: "projector-inspector", "aria-label": "Point inspector" });
  const bookmarksList = h("div", { class: "projector-bookmarks" });
  const root = h("div", { class: "projector-dashboard", dataset: { state: "loading" } }, toolbar,
    h("div", { class: "projector-main" }, view, h("div", { class: "projector-side" }, stats, legend, inspector, bookmarksList)));
  el.replaceChildren(root);
  view.append(message);
  /** @type {import("./_point_cloud.js").PointCloud | null} */ let cloud = null;

  /** @type {{run: string, name: string, count: number, metadata: import("./_metadata.js").Metadata, pca: Float32Array, variance: number[], info: any} | null} */
  let current = null;
  let baseColors = new Float32Array(0);
  /** @type {number[]} */ let matches = [];
  /** @type {{index: number, distance: number}[]} */ let neighbors = [];
  let selected = -1;
  let infos = {};
  let loadToken = 0;
  let disposed = false;
  // The point cloud's module brings three.js (about 550 KB): asked for now, it is fetched and
  // compiled while the first answers (runs, info, PCA) come, and the view is made as soon as
  // it is here, in a task of its own.
  const cloudReady = import("./_point_cloud.js").then(({ PointCloud }) => {
    if (!disposed) cloud = new PointCloud(view, { pick: (i) => selectPoint(i) });
  });
  /** @type {{stop: () => void} | null} */ let layoutJob = null;

  root.projectorView = {
    colorOf: (i) => Array.from(cloud.colors.subarray(i * 3, i * 3 + 3)),
    sizeOf: (i) => cloud.sizes[i],
    screenOf: (i) => { const at = cloud.screenOf(i); const r = cloud.canvas.getBoundingClientRect(); return at && { x: at.x + r.left, y: at.y + r.top }; },
    count: () => (current ? current.count : 0),
    frames: () => cloud.frames,
    renderMs: () => cloud.renderMs.slice(),
    orbitBy: (radians) => cloud.orbitBy(radians),
  };

  function setState(state) { root.dataset.state = state; }

  function showMessage(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  async function loadRuns() {
    let runs;
    try {
      runs = await ctx.fetchJson("runs");
    } catch (err) {
      setState("error");
      return renderError(stats, err, "Could not list the runs with embeddings");
    }
    if (!runs.length) {
      setState("empty");
      return renderEmpty(stats, "No run has an embedding (projector_config.pbtxt).");
    }
    runSelect.replaceChildren(...runs.map((r) => h("option", { value: r }, r)));
    await chooseRun();
  }

  async function chooseRun() {
    const run = runSelect.value;
    try {
      infos[run] = infos[run] || (await ctx.fetchJson("info", { run }));
    } catch (err) {
      setState("error");
      return renderError(stats, err, "Could not read the projector config");
    }
    const embeddings = infos[run].embeddings || [];
    tensorSelect.replaceChildren(...embeddings.map((e) => h("option", { value: e.tensorName },
      `${e.tensorName}${e.tensorShape ? ` (${e.tensorShape.join(" × ")})` : ""}`)));
    await load();
  }

  async function load() {
    const run = runSelect.value, name = tensorSelect.value;
    const token = ++loadToken;
    const started = performance.now();
    setState("loading");
    showMessage("Computing PCA…");
    const info = (infos[run].embeddings || []).find((e) => e.tensorName === name) || {};
    const components = Math.max(1, Math.min(10, (info.tensorShape || [0, 10])[1] || 10));
    try {
      const summary = ctx.fetchJson("pca", { run, name, components });
      // The metadata is parsed as soon as it and the point count are here, in a task of its
      // own, while the positions (the largest answer) still come.
      const metaText = info.metadataPath ? ctx.fetchText("metadata", { run, name }) : Promise.resolve("");
      const [pca, buffer, metadata] = await Promise.all([
        summary,
        ctx.fetchBlob("pca_positions", { run, name, components }).then((b) => b.arrayBuffer()),
        Promise.all([summary, metaText]).then(([p, text]) => parseMetadata(text, p.num_points)),
        cloudReady,
      ]);
      if (token !== loadToken || disposed) return;
      const count = pca.num_points;
      current = { run, name, count, metadata, pca: new Float32Array(buffer), components: pca.components, variance: pca.variance_explained, info };
      axisSelects.forEach((axisSelect, a) => {
        axisSelect.replaceChildren(...pca.variance_explained.map((v, c) => h("option", { value: String(c) }, `${c + 1}`)));
        axisSelect.value = String(Math.min(a, pca.components - 1));
      });
      selected = -1; neighbors = []; matches = [];
      stopLayout();
      methodSelect.value = "pca";
      showControls();
      fillColumns();
      thumbnailBox.checked = false;
      thumbnailLabel.hidden = !(info.sprite && info.sprite.imagePath);
      cloud.setSprite(null);
      root.dataset.sprite = "off";
      place();
      recolor();
      renderStats();
      renderInspector();
      loadBookmarks();
      showMessage("");
      root.dataset.points = String(count);
      root.dataset.loadMs = String(Math.round(performance.now() - started));
      setState("ready");
    } catch (err) {
      if (token !== loadToken) return;
      setState("error");
      showMessage("");
      renderError(stats, err, "Could not load the embedding");
    }
  }

  function fillColumns() {
    const names = current.metadata.names;
    const options = (none) => [h("option", { value: "" }, none), ...names.map((n, i) => h("option", { value: String(i) }, n))];
    colorSelect.replaceChildren(...options("(none)"));
    labelSelect.replaceChildren(...options("(index)"));
    searchColumn.replaceChildren(...names.map((n, i) => h("option", { value: String(i) }, n)));
    if (names.length) labelSelect.value = "0";
    if (names.length > 1) colorSelect.value = "1";
  }

  function stopLayout() {
    if (layoutJob) layoutJob.stop();
    layoutJob = null;
  }

  /** The controls of the chosen projection shown, the others hidden. */
  function showControls() {
    const method = methodSelect.value;
    layouts.tsne.element.hidden = method !== "tsne";
    layouts.umap.element.hidden = method !== "umap";
    custom.element.hidden = method !== "custom";
    pcaControls.hidden = method !== "pca";
  }

  /**
   * Run t-SNE or UMAP on the server; the cloud moves to each snapshot it streams.
   * @param {"tsne" | "umap"} kind
   */
  function runLayout(kind) {
    if (!current) return;
    stopLayout();
    const dims = Number(dimsSelect.value);
    const title = kind === "tsne" ? "t-SNE" : "UMAP";
    const step = kind === "tsne" ? "iteration" : "epoch";
    const params = { run: current.run, name: current.name, ...layouts[kind].params(), dimensions: dims };
    let first = true;
    const counter = `${kind}Iteration`;
    root.dataset[counter] = "0";
    const job = followLayout(ctx, kind, params, (layout, progress) => {
      const started = performance.now();
      if (layout.length) {
        place(layout, dims, first, [0, 1, dims === 3 ? 2 : -1]);
        first = false;
      }
      performance.measure("projector:snapshot", { start: started, end: performance.now() });
      root.dataset[counter] = String(progress.iteration);
      root.dataset.layoutMethod = progress.method || "";
      showMessage(progress.error ? `${title} failed: ${progress.error}` : progress.done ? "" : `${title} ${step} ${progress.iteration} of ${progress.iterations}`);
    });
    layoutJob = job;
    showMessage(`Starting ${title}…`);
    job.finished.catch((err) => { if (layoutJob === job) showMessage(`${title}: ${err.message}`); });
  }

  function project() {
    stopLayout();
    showControls();
    const method = methodSelect.value;
    if (method === "tsne" || method === "umap") return runLayout(method);
    if (method === "custom") return runCustom();
    place();
    highlight();
    renderStats();
  }

  /** Indices of the points whose value in the search column matches `pattern` (none if invalid). */
  function matching(pattern) {
    return matchingIndices(pattern, current.metadata.columns[Number(searchColumn.value || 0)] || []) || [];
  }

  /** Custom projection: x from the points matching "left" to those matching "right", y from "down" to "up". */
  async function runCustom() {
    if (!current) return;
    const groups = custom.patterns().map(matching);
    try {
      place(await fetchCustomProjection(ctx, current.run, current.name, groups), 2, true, [0, 1, -1]);
      highlight();
      root.dataset.custom = groups.map((g) => g.length).join(",");
    } catch (err) {
      showMessage(`Custom projection: ${err.message}`);
    }
  }

  /**
   * Put the points where a layout says: the chosen PCA components by default, else `layout`
   * (`stride` values per point, `axes` the ones on x, y and z, -1 for none), scaled to a
   * cloud of radius 10.
   * @param {Float32Array} [layout]
   * @param {number} [stride]
   * @param {boolean} [refit]
   * @param {number[]} [axes]
   */
  function place(layout, stride = 3, refit = true, axes = [0, 1, 2]) {
    const dims = Number(dimsSelect.value);
    const { count } = current;
    if (!layout) {
      layout = current.pca;
      stride = current.components;
      axes = axisSelects.map((axisSelect) => Number(axisSelect.value));
    }
    const reuse = !refit && cloud.positions.length === count * 3;
    const positions = scaledPositions(layout, stride, axes, dims === 3, reuse ? cloud.positions : new Float32Array(count * 3));
    if (reuse) cloud.updatePositions(); else cloud.setPositions(positions, dims);
  }

  function labelOf(i) {
    const column = labelSelect.value;
    return column === "" ? String(i) : current.metadata.columns[Number(column)][i];
  }

  function recolor() {
    if (!current) return;
    const column = colorSelect.value;
    const n = current.count;
    legend.replaceChildren();
    if (column === "") {
      baseColors = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) baseColors.set(PLAIN, i * 3);
    } else {
      const result = colorByColumn(current.metadata.columns[Number(column)]);
      baseColors = result.colors;
      legend.append(...result.legend.map(({ label, color }) =>
        h("div", { class: "projector-legend-row" }, h("span", { class: "tb-swatch", style: { background: color } }), " ", label)));
    }
    highlight();
  }

  /** Colours and sizes from the base colouring, the search matches and the selection. */
  function highlight() {
    const n = current.count;
    const colors = baseColors.slice();
    const sizes = new Float32Array(n).fill(BASE_SIZE);
    const focus = new Set();
    const paint = (i, rgb, size) => { colors.set(rgb, i * 3); sizes[i] = size; focus.add(i); };
    for (const i of matches) paint(i, MATCH, BASE_SIZE * 2);
    for (const { index } of neighbors) paint(index, NEIGHBOR, BASE_SIZE * 2);
    if (selected >= 0) paint(selected, SELECTED, BASE_SIZE * 3);
    if (isolateBox.checked && focus.size) for (let i = 0; i < n; i++) if (!focus.has(i)) sizes[i] = 0;
    cloud.setColors(colors);
    cloud.setSizes(sizes);
    const labelled = [...focus].slice(0, MAX_LABELS).map((index) => ({ index, text: labelOf(index) }));
    cloud.setLabels(labelled);
    root.dataset.matches = String(matches.length);
    root.dataset.selected = String(selected);
    root.dataset.neighbors = neighbors.map((n) => n.index).join(",");
  }

  function search() {
    if (!current) return;
    const pattern = searchBox.value;
    const found = matchingIndices(pattern, current.metadata.columns[Number(searchColumn.value || 0)] || []);
    searchBox.classList.toggle("projector-invalid", found === null);
    matches = found || [];
    highlight();
    renderStats();
  }

  async function selectPoint(index) {
    selected = index;
    neighbors = [];
    highlight();
    renderInspector();
    const count = Math.max(1, Math.min(1000, Number(countBox.value) || 10));
    try {
      const found = await ctx.fetchJson("neighbors", { run: current.run, name: current.name, index, count, metric: metricSelect.value });
      if (selected !== index) return;
      neighbors = found;
      highlight();
      renderInspector();
    } catch (err) {
      renderError(inspector, err, "Could not find the neighbours");
    }
  }

  function renderStats() {
    if (!current) return;
    const percent = (v) => `${(v * 100).toFixed(1)}%`;
    const dims = Number(dimsSelect.value);
    const shown = axisSelects.slice(0, dims).map((axisSelect) => current.variance[Number(axisSelect.value)] || 0);
    stats.replaceChildren(
      h("div", null, `${current.count.toLocaleString()} points`),
      h("div", { class: "projector-variance" }, `PCA variance explained: ${shown.map(percent).join(", ")} (total ${percent(shown.reduce((a, b) => a + b, 0))})`),
      searchBox.value ? h("div", null, `${matches.length} matching`) : "");
  }

  function renderInspector() {
    const { names, columns } = current ? current.metadata : { names: [], columns: [] };
    inspector.replaceChildren(...inspectorContent({ point: current ? selected : -1, names, columns, neighbors, metric: metricSelect.value, labelOf, pick: selectPoint }));
  }

  async function loadBookmarks() {
    bookmarksList.replaceChildren();
    if (!current.info.bookmarksPath) return;
    try {
      const marks = await ctx.fetchJson("bookmarks", { run: current.run, name: current.name });
      bookmarksList.append(...bookmarkButtons(marks, current.count, (points) => {
        matches = points;
        if (points.length) selectPoint(points[0]); else highlight();
      }));
    } catch (err) {
      renderError(bookmarksList, err, "Could not read the bookmarks");
    }
  }

  function showThumbnails() {
    const dims = (current.info.sprite && current.info.sprite.singleImageDim) || [];
    if (!thumbnailBox.checked || dims.length !== 2) {
      cloud.setSprite(null);
      root.dataset.sprite = "off";
      return;
    }
    const image = new Image();
    image.onload = () => {
      if (!thumbnailBox.checked) return;
      cloud.setSprite(image, Math.max(1, Math.floor(image.width / dims[0])), Math.max(1, Math.floor(image.height / dims[1])));
      root.dataset.sprite = "on";
    };
    image.onerror = () => showMessage("Could not load the sprite image");
    image.src = ctx.url("sprite_image", { run: current.run, name: current.name });
  }

  function saveBookmark() {
    if (!current) return;
    const points = selected >= 0 ? [selected, ...neighbors.map((n) => n.index)] : matches;
    downloadJson("bookmarks.json", [{ label: searchBox.value || `point ${selected}`, selectedPoints: points, run: current.run, tensorName: current.name }]);
  }

  runSelect.addEventListener("change", () => chooseRun());
  tensorSelect.addEventListener("change", () => load());
  dimsSelect.addEventListener("change", () => { if (current) project(); });
  axisSelects.forEach((axisSelect) => axisSelect.addEventListener("change", () => { if (current) project(); }));
  methodSelect.addEventListener("change", () => { if (current) project(); });
  colorSelect.addEventListener("change", () => recolor());
  labelSelect.addEventListener("change", () => { if (current) highlight(); });
  searchBox.addEventListener("input", () => search());
  searchColumn.addEventListener("change", () => search());
  metricSelect.addEventListener("change", () => { if (selected >= 0) selectPoint(selected); });
  countBox.addEventListener("change", () => { if (selected >= 0) selectPoint(selected); });
  isolateBox.addEventListener("change", () => { if (current) highlight(); });
  thumbnailBox.addEventListener("change", () => { if (current) showThumbnails(); });

  renderInspector();
  await loadRuns();
  return () => { disposed = true; stopLayout(); cloud?.dispose(); };
}
