// The network as inline SVG: a node per unit showing what it computes over the input
// plane, a link per weight (blue positive, orange negative, thicker for larger |w|),
// the values on hover. Elements are built once per architecture and then only updated.

import { activationText } from "./controls.js";
import { formatValue } from "./format.js";
import { hiddenImages, inputImages, outputImage } from "./neurons.js";
import { signColor } from "./palette.js";

const SVG = "http://www.w3.org/2000/svg";
// Links before the first weights arrive, and weights that blew up (sent as null).
const UNKNOWN = "#9aa1a9";
const OUTPUT_SYMBOL = { binary: "σ", multiclass: "softmax", regression: "linear" };

function el(name, attributes = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

/** Stroke width for a weight: grows like sqrt(|w|), so 0.01 and 10 both stay readable. */
function linkWidth(w) {
  return 0.5 + 1.6 * Math.sqrt(Math.min(Math.abs(w), 9));
}

/** A layer's index in names (A1, Z2): none with one layer, the course's logistic regression (A, Z). */
function layerIndex(l, L) {
  return L === 1 ? "" : String(l);
}

export class NetworkView {
  /** Draws into `root` (a div); a tooltip element inside it shows values on hover. */
  constructor(root) {
    this.root = root;
    this.svg = el("svg", { role: "img", class: "network-svg" });
    this.tip = document.createElement("div");
    this.tip.className = "tooltip";
    this.tip.hidden = true;
    root.append(this.svg, this.tip);
    this.dims = null;
    this.activation = "tanh";
    this.latest = { network: null, neurons: null, boundary: null };
    this.changed = new Set(); // what arrived since the last paint
    this.frame = 0;
    this.svg.addEventListener("pointermove", (event) => this.hover(event));
    this.svg.addEventListener("pointerleave", () => (this.tip.hidden = true));
    new ResizeObserver(() => this.layout()).observe(root);
  }

  /** The architecture [n_x, n1, ..., 1] and hidden activation; rebuilds when it changes. */
  setArchitecture(layerDims, activation, { features = ["x1", "x2"], problem = "binary" } = {}) {
    const key = [layerDims.join(), activation, features.join(), problem].join("|");
    if (this.key === key) return;
    this.key = key;
    this.dims = [...layerDims];
    this.activation = activation;
    this.features = [...features];
    this.problem = problem;
    this.latest = { network: null, neurons: null, boundary: null };
    this.build();
  }

  /** Forget the weights and images (a new run): links go thin and grey. */
  clear() {
    // A build draws only what `latest` holds: with nothing there, the network is bare already.
    const drawn = Object.values(this.latest).some(Boolean);
    this.latest = { network: null, neurons: null, boundary: null };
    if (this.dims && drawn) this.build();
  }

  /** Latest-wins updates from the websocket; drawn on the next animation frame. */
  update({ network, neurons, boundary }) {
    if (network) {
      this.setArchitecture(network.layer_dims, network.activation, network);
      this.latest.network = network;
      this.changed.add("network");
    }
    if (neurons) {
      this.latest.neurons = neurons;
      this.changed.add("neurons");
    }
    if (boundary) {
      this.latest.boundary = boundary;
      this.changed.add("boundary");
    }
    if (!this.frame) this.frame = requestAnimationFrame(() => this.paint());
  }

  /** Positions of every node for the current size: nodes[l][i] = {x, y} (top-left), size s. */
  geometry() {
    const width = Math.max(160, this.root.clientWidth);
    const most = Math.max(...this.dims);
    const height = Math.min(440, Math.max(190, most * 40 + 60));
    const top = 34;
    const bottom = 30;
    const s = Math.min(40, ((height - top - bottom) / most) * 0.8, (width / this.dims.length) * 0.45);
    const columns = this.dims.length - 1;
    const x0 = 8;
    const gap = (width - 2 * x0 - s) / columns;
    const nodes = this.dims.map((n, l) => {
      const step = (height - top - bottom) / n;
      return Array.from({ length: n }, (_, i) => ({ x: x0 + l * gap, y: top + step * (i + 0.5) - s / 2 }));
    });
    return { width, height, s, nodes };
  }

  build() {
    const L = this.dims.length - 1;
    const { width, height, s, nodes } = this.geometry();
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    this.svg.setAttribute("aria-label", `network with layer sizes ${this.dims.join(", ")}`);
    const links = el("g", { class: "links" });
    const hits = el("g", { class: "hits" });
    const units = el("g", { class: "units" });
    const labels = el("g", { class: "labels" });
    this.links = [];
    this.nodes = [];
    for (let l = 1; l <= L; l += 1) {
      const rows = [];
      nodes[l].forEach((to, i) => {
        const row = [];
        nodes[l - 1].forEach((from, j) => {
          const [x1, y1, x2, y2] = [from.x + s, from.y + s / 2, to.x, to.y + s / 2];
          const mid = (x1 + x2) / 2;
          const d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
          const path = el("path", { d, class: "link", stroke: UNKNOWN, "stroke-width": 1 });
          const hit = el("path", { d, class: "hit" });
          hit.dataset.tip = `W${l}[${i}, ${j}]`;
          Object.assign(hit.dataset, { parameter: `W${l}`, row: i, col: j }); // for the weight editor
          links.append(path);
          hits.append(hit);
          row.push({ path, hit });
        });
        rows.push(row);
      });
      this.links[l] = rows;
    }
    nodes.forEach((column, l) => {
      this.nodes[l] = column.map(({ x, y }, i) => {
        const g = el("g", { class: "unit", transform: `translate(${x},${y})` });
        const image = el("image", { width: s, height: s, preserveAspectRatio: "none" });
        const frame = el("rect", { width: s, height: s, rx: 3, class: "unit-frame" });
        g.append(image, frame);
        g.dataset.tip = this.unitName(l, i);
        Object.assign(g.dataset, { layer: l, unit: i }); // for the views that show a unit
        units.append(g);
        return { g, image };
      });
      const x = nodes[l][0].x + s / 2;
      const name = l === 0 ? "X" : `A${layerIndex(l, L)}`;
      const label = el("text", { x, y: 20, class: "layer-label" });
      label.textContent = `${name} (${this.dims[l]})`;
      const act = el("text", { x, y: height - 8, class: "layer-activation" });
      const g = activationText(this.activation).label;
      act.textContent = l === 0 ? "input" : l === L ? OUTPUT_SYMBOL[this.problem] : g;
      labels.append(label, act);
    });
    this.svg.replaceChildren(links, hits, units, labels);
    this.builtWidth = width;
    this.inputBounds = null; // new elements: every picture is drawn again
    this.paint(new Set(["network", "neurons", "boundary"]));
  }

  /** "x1 = X[0]", "A1[2] = tanh(Z1[2])", "A2 = σ(Z2) = P(y=1)". */
  unitName(l, i) {
    const L = this.dims.length - 1;
    if (l === 0) return `${this.features[i]} = X[${i}]`;
    const k = layerIndex(l, L);
    if (l === L && this.problem === "multiclass") return `A${k}[${i}] = softmax(Z${k})[${i}] = P(class ${i})`;
    if (l === L && this.problem === "regression") return `A${k} = Z${k} = ŷ`;
    if (l === L) return `A${k} = σ(Z${k}) = P(y=1)`;
    const g = activationText(this.activation).symbol;
    return `A${l}[${i}] = ${g}(Z${l}[${i}])`;
  }

  /** Draw what changed since the last paint (everything after a build). */
  paint(changed = this.changed) {
    this.frame = 0;
    this.changed = new Set();
    if (!this.dims) return;
    const { network, neurons, boundary } = this.latest;
    const L = this.dims.length - 1;
    if (network && changed.has("network")) this.paintWeights(network.weights);
    if (neurons && changed.has("neurons")) {
      hiddenImages(neurons).forEach((layer, k) => this.paintImages(k + 1, layer));
    }
    if (boundary && changed.has("boundary")) {
      this.paintImages(L, [outputImage(boundary)]);
      // x1 and x2 over the plane change only with the plane's bounds.
      const bounds = [boundary.x_min, boundary.x_max, boundary.y_min, boundary.y_max].join();
      if (bounds !== this.inputBounds) this.paintImages(0, inputImages(boundary, this.features));
      this.inputBounds = bounds;
    }
  }

  /** Set the pictures of layer l's units (a message for another architecture is skipped). */
  paintImages(l, hrefs) {
    const units = this.nodes[l];
    if (!units || units.length !== hrefs.length) return;
    hrefs.forEach((href, i) => units[i].image.setAttribute("href", href));
  }

  paintWeights(weights) {
    const L = this.dims.length - 1;
    for (let l = 1; l <= L; l += 1) {
      const W = weights[`W${l}`];
      const b = weights[`b${l}`];
      if (!W || W.length !== this.dims[l]) continue;
      W.forEach((row, i) => {
        row.forEach((w, j) => {
          const link = this.links[l][i][j];
          // A weight that blew up arrives as null: draw it grey and say so.
          const finite = Number.isFinite(w);
          link.path.setAttribute("stroke", finite ? signColor(w) : UNKNOWN);
          link.path.setAttribute("stroke-width", (finite ? linkWidth(w) : 1).toFixed(2));
          link.hit.dataset.tip = `W${l}[${i}, ${j}] = ${finite ? formatValue(w) : "not finite"}`;
        });
        if (b && b[i]) {
          const bias = Number.isFinite(b[i][0]) ? formatValue(b[i][0]) : "not finite";
          const tip = `${this.unitName(l, i)}, b${l}[${i}] = ${bias}`;
          this.nodes[l][i].g.dataset.tip = tip;
        }
      });
    }
  }

  /** Rebuild at a new width (the SVG is drawn in real pixels so the text stays readable). */
  layout() {
    if (this.dims && Math.abs(this.root.clientWidth - this.builtWidth) > 1) this.build();
  }

  hover(event) {
    const target = event.target.closest("[data-tip]");
    if (!target) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = target.dataset.tip;
    this.tip.hidden = false;
    const box = this.root.getBoundingClientRect();
    const x = Math.min(event.clientX - box.left + 12, box.width - this.tip.offsetWidth - 4);
    this.tip.style.left = `${Math.max(0, x)}px`;
    this.tip.style.top = `${event.clientY - box.top + 14}px`;
  }
}
