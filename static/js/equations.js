// The lecture's forward and backward equations for the current network, with the
// shapes of every product: Z1 = W1 X + b1 is (4,2)(2,400) + (4,1) → (4,400).
// Shapes follow the settings at once, and the watched run's training-set size.
// Plain HTML and Unicode, for any number of layers.

import { activationText } from "./controls.js";

// Each problem's output g[L] and cost J (app.nn.problems says the same).
const OUTPUT = { binary: "σ", multiclass: "softmax", regression: "" };
const COST = {
  binary: (L) => `−(1/m) Σ (Y log A${L} + (1 − Y) log(1 − A${L}))`,
  multiclass: (L) => `−(1/m) Σ Y log A${L}, over the K classes and the m examples`,
  regression: (L) => `(1/2m) Σ (A${L} − Y)²`,
};

function escape(text) {
  const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
  return String(text).replace(/[&<>"]/g, (c) => entities[c]);
}

const shape = (rows, cols) => `(${rows},${cols})`;

/** One line: the equation (left-hand side set apart) and its shapes; a note below it. */
function row(lhs, rhs, shapes, text = "") {
  const noteHtml = text ? note(text) : "";
  return (
    `<div class="eq-row"><span class="eq"><span class="lhs">${escape(lhs)}</span> ${escape(rhs)}</span>` +
    `<span class="shape">${escape(shapes)}</span></div>${noteHtml}`
  );
}

function note(text) {
  return `<p class="eq-note">${escape(text)}</p>`;
}

/** A section title, with an optional detail kept as written (α must not become Α). */
function heading(text, detail = "") {
  const detailHtml = detail ? ` <span class="eq-detail">${escape(detail)}</span>` : "";
  return `<h3 class="eq-heading">${escape(text)}${detailHtml}</h3>`;
}

function forward(n, m, activation, problem) {
  const L = n.length - 1;
  const rows = [heading("Forward propagation")];
  for (let l = 1; l <= L; l += 1) {
    const A = l === 1 ? "X" : `A${l - 1}`;
    rows.push(
      row(
        `Z${l} =`,
        `W${l} ${A} + b${l}`,
        `${shape(n[l], n[l - 1])}${shape(n[l - 1], m)} + ${shape(n[l], 1)} → ${shape(n[l], m)}`,
      ),
    );
    const g = l === L ? OUTPUT[problem] : activationText(activation).symbol;
    rows.push(row(`A${l} =`, g ? `${g}(Z${l})` : `Z${l}`, shape(n[l], m)));
  }
  return rows;
}

function cost(n, m, l2, l1, problem) {
  const L = n.length - 1;
  const penalty = (l2 > 0 ? ` + (λ/2m) Σ‖W‖²` : "") + (l1 > 0 ? ` + (λ₁/m) Σ|W|` : "");
  return [heading("Cost"), row("J =", `${COST[problem](L)}${penalty}`, `${shape(n[L], m)} → scalar`)];
}

function backward(n, m, activation, l2) {
  const L = n.length - 1;
  const rows = [heading("Backward propagation")];
  rows.push(row(`dZ${L} =`, `A${L} − Y`, shape(n[L], m)));
  for (let l = L; l >= 1; l -= 1) {
    const A = l === 1 ? "X" : `A${l - 1}`;
    const penalty = l2 > 0 ? ` + (λ/m) W${l}` : "";
    rows.push(
      row(
        `dW${l} =`,
        `(1/m) dZ${l} ${A}ᵀ${penalty}`,
        `${shape(n[l], m)}${shape(m, n[l - 1])} → ${shape(n[l], n[l - 1])}`,
      ),
    );
    rows.push(row(`db${l} =`, `(1/m) np.sum(dZ${l}, axis=1, keepdims=True)`, shape(n[l], 1)));
    if (l > 1) {
      const k = l - 1;
      const gPrime = activationText(activation).derivative(k);
      rows.push(
        row(
          `dZ${k} =`,
          `W${l}ᵀ dZ${l} * g'(Z${k})`,
          `${shape(n[k], n[l])}${shape(n[l], m)} * ${shape(n[k], m)} → ${shape(n[k], m)}`,
          `g'(Z${k}) = ${gPrime}`,
        ),
      );
    }
  }
  return rows;
}

// Gradient descent, as the lecture writes it, for each layer.
const GD = (l) => [`W${l} :=`, `W${l} − α dW${l},   b${l} := b${l} − α db${l}`];

// The other optimizers, written once for every layer l (b[l] follows with db[l]).
const RULES = {
  momentum: [
    ["vdW[l] =", "β vdW[l] + (1 − β) dW[l]"],
    ["W[l] :=", "W[l] − α vdW[l]"],
  ],
  rmsprop: [
    ["sdW[l] =", "β₂ sdW[l] + (1 − β₂) dW[l]²"],
    ["W[l] :=", "W[l] − α dW[l] / (√sdW[l] + ε)"],
  ],
  adam: [
    ["vdW[l] =", "β₁ vdW[l] + (1 − β₁) dW[l]"],
    ["sdW[l] =", "β₂ sdW[l] + (1 − β₂) dW[l]²"],
    ["W[l] :=", "W[l] − α v̂dW[l] / (√ŝdW[l] + ε)"],
  ],
};
const CONSTANTS = {
  momentum: "β = 0.9",
  rmsprop: "β₂ = 0.999, ε = 10⁻⁸",
  adam: "β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸; v̂ = v / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ) at update t",
};
const STATE = { momentum: "vdW[l] has", rmsprop: "sdW[l] has", adam: "vdW[l] and sdW[l] have" };
const OPTIMIZER_NAME = { gd: "gradient descent", momentum: "momentum", rmsprop: "RMSprop", adam: "Adam" };

function update(n, optimizer, learningRate) {
  const L = n.length - 1;
  const rows = [heading("Update", `${OPTIMIZER_NAME[optimizer] || optimizer}, α = ${learningRate}`)];
  if (!RULES[optimizer]) {
    for (let l = 1; l <= L; l += 1) {
      const [lhs, rhs] = GD(l);
      rows.push(row(lhs, rhs, `${shape(n[l], n[l - 1])}, ${shape(n[l], 1)}`));
    }
    return rows;
  }
  for (const [lhs, rhs] of RULES[optimizer]) rows.push(row(lhs, rhs, ""));
  const shapes = Array.from({ length: L }, (_, k) => `W${k + 1} ${shape(n[k + 1], n[k])}`).join(", ");
  rows.push(note(`for l = 1 … ${L}, b[l] likewise with db[l]; ${CONSTANTS[optimizer]}.`));
  rows.push(note(`${STATE[optimizer]} the shape of W[l]: ${shapes}.`));
  return rows;
}

// The parts of the panel, in order; the slot after the backward pass holds the gradient
// check, which the panel never redraws (its button keeps focus, its result stays).
const PARTS = ["summary", "forward", "cost", "backward", "check", "update"];

/** The panel's parts, made once in `root`: {summary, forward, ..., check, update}. */
function parts(root) {
  if (!root.querySelector("[data-part]")) {
    const list = document.createElement("div");
    list.className = "equations";
    const made = PARTS.map((name) => {
      const part = document.createElement(name === "summary" ? "p" : "div");
      part.dataset.part = name;
      if (name === "summary") part.className = "eq-summary";
      return part;
    });
    list.append(...made.slice(1));
    root.replaceChildren(made[0], list);
  }
  return Object.fromEntries(PARTS.map((name) => [name, root.querySelector(`[data-part="${name}"]`)]));
}

// The HTML each part was last given: a part is redrawn only when its equations change
// (the page asks on every snapshot and settings change).
const shown = new WeakMap();

function fill(part, html) {
  if (shown.get(part) === html) return;
  part.innerHTML = html;
  shown.set(part, html);
}

/** The element after the backward-propagation equations where the gradient check lives. */
export function checkSlot(root) {
  return parts(root).check;
}

/**
 * The equations for `layerDims` [n_x, n1, ..., 1] with m examples per iteration:
 * {layerDims, m, mTrain, activation, optimizer, learningRate, l2}.
 */
export function renderEquations(root, { layerDims, m, mTrain, activation, optimizer, learningRate, l2, l1 = 0, problem = "binary" }) {
  const n = layerDims;
  const batch =
    m < mTrain ? `a mini-batch of m = ${m} of the ${mTrain} training examples` : `m = ${m} training examples`;
  const onehot = problem === "multiclass" ? " (one-hot: a row per class)" : "";
  const summary = `One example per column: X ${shape(n[0], m)}, Y ${shape(n[n.length - 1], m)}${onehot}; ${batch}.`;
  const lambda = l2 > 0 ? ` λ = ${l2}.` : "";
  // No hidden layer: the course's logistic regression, written as it writes it (Z = W X + b).
  const single = n.length === 2;
  const names = single ? withoutLayerIndex : (html) => html;
  const kind = { binary: "logistic", multiclass: "softmax", regression: "linear" }[problem];
  const baseline = single ? ` No hidden layer: ${kind} regression, the course's baseline.` : "";
  const part = parts(root);
  fill(part.summary, escape(summary + lambda + baseline));
  fill(part.forward, names(forward(n, m, activation, problem).join("")));
  fill(part.cost, names(cost(n, m, l2, l1, problem).join("")));
  fill(part.backward, names(backward(n, m, activation, l2).join("")));
  fill(part.update, names(update(n, optimizer, learningRate).join("")));
}

/** Z1, A1, W1, b1, dZ1, ... as Z, A, W, b, dZ, ...: the names of a network with one layer. */
function withoutLayerIndex(html) {
  return html.replace(/\b(d?[ZAWb])1\b/g, "$1").replace(/\[l\]/g, "").replace(/for l = 1 … 1, /g, "");
}
