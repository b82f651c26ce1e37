// Seeing inside the network, on the network diagram: hovering a unit shows what it computes
// over the plane in the big output view; clicking a weight (a link) or a unit (its bias)
// of one's own paused run opens a small editor that sets its value on the server, so the
// boundary, the cost and the next iterations follow from the edited network.

import * as api from "./api.js";
import { formatValue } from "./format.js";
import { hiddenImages, inputImages } from "./neurons.js";

const EDITABLE = new Set(["paused"]);

export class InsideViews {
  /** network: the NetworkView (its root holds the diagram); boundary: the BoundaryPlot. */
  constructor(network, boundary) {
    this.network = network;
    this.boundary = boundary;
    this.job = null;
    this.hovered = null; // {layer, unit, neurons} while a unit is hovered
    this.images = { neurons: null, list: [] }; // the hidden units' pictures, made once a message
    this.editor = new WeightEditor(network.root, (edit) => this.send(edit));
    const svg = network.svg;
    svg.addEventListener("pointerover", (event) => this.hover(event.target.closest("[data-unit]")));
    svg.addEventListener("pointerleave", () => this.hover(null));
    svg.addEventListener("click", (event) => this.click(event));
  }

  /** The watched job (or null): only its owner edits it, and only while it is paused. */
  setJob(job) {
    this.job = job;
    if (!this.editable()) this.editor.close();
  }

  editable() {
    return Boolean(this.job && EDITABLE.has(this.job.status) && api.ownsJob(this.job.id));
  }

  // ---- a unit's output over the plane -----------------------------------------------

  hover(node) {
    const unit = node ? { layer: Number(node.dataset.layer), unit: Number(node.dataset.unit) } : null;
    const same = unit && this.hovered && unit.layer === this.hovered.layer && unit.unit === this.hovered.unit;
    if (same) return;
    this.hovered = unit;
    if (!unit) {
      this.boundary.showUnit(null);
      return;
    }
    unit.label = node.dataset.tip.split(",")[0]; // "A1[2] = tanh(Z1[2])", without its bias
    this.follow(unit, undefined);
  }

  /** Show the hovered unit's picture, again on each frame its pictures are new, until the pointer leaves. */
  follow(unit, shownFrom) {
    if (this.hovered !== unit) return;
    const from = this.network.latest.neurons;
    if (from !== shownFrom) {
      const source = this.pictureOf(unit);
      this.boundary.showUnit(source ? { source, label: unit.label } : null);
    }
    requestAnimationFrame(() => this.follow(unit, from));
  }

  /** The picture of a unit: an input's, a hidden unit's; null for the output (the view's own). */
  pictureOf({ layer, unit }) {
    const { neurons, boundary } = this.network.latest;
    const L = this.network.dims ? this.network.dims.length - 1 : 0;
    if (layer === 0) return boundary ? inputImages(boundary)[unit] : null;
    if (layer === L || !neurons) return null;
    if (this.images.neurons !== neurons) this.images = { neurons, list: hiddenImages(neurons) };
    const images = this.images.list[layer - 1];
    return images ? images[unit] : null;
  }

  // ---- editing a weight -------------------------------------------------------------

  click(event) {
    const target = event.target.closest("[data-parameter], [data-unit]");
    if (!target) return;
    const edit = this.editOf(target);
    if (!edit || !this.job) return;
    if (!api.ownsJob(this.job.id)) {
      this.editor.tell(event, "This is someone else's run: only its owner edits its weights.");
    } else if (!this.editable()) {
      this.editor.tell(event, `Pause the run to edit ${edit.name}.`);
    } else {
      this.editor.open(event, edit);
    }
  }

  /** {parameter, row, col, name, value} of a link (its weight) or a unit (its bias). */
  editOf(target) {
    const weights = this.network.latest.network && this.network.latest.network.weights;
    let parameter;
    let row;
    let col = 0;
    if (target.dataset.parameter) {
      parameter = target.dataset.parameter;
      row = Number(target.dataset.row);
      col = Number(target.dataset.col);
    } else {
      const layer = Number(target.dataset.layer);
      if (layer === 0) return null; // an input has no bias
      parameter = `b${layer}`;
      row = Number(target.dataset.unit);
    }
    const value = weights && weights[parameter] ? weights[parameter][row][col] : null;
    return { parameter, row, col, value, name: `${parameter}[${row}, ${col}]` };
  }

  async send(edit) {
    const job = this.job;
    if (!job) return;
    try {
      await api.editWeight(job.id, edit);
      this.editor.close();
    } catch (error) {
      this.editor.fail(error.message);
    }
  }
}

/** The small form over the diagram that edits one value. */
class WeightEditor {
  constructor(root, onSet) {
    this.form = document.createElement("form");
    this.form.className = "weight-editor";
    this.form.dataset.testid = "weight-editor";
    this.form.hidden = true;
    this.form.noValidate = true;
    this.label = document.createElement("label");
    this.name = document.createElement("span");
    this.input = document.createElement("input");
    Object.assign(this.input, { type: "number", step: "any", required: true });
    this.input.dataset.testid = "weight-input";
    const set = document.createElement("button");
    Object.assign(set, { type: "submit", textContent: "Set" });
    set.dataset.testid = "weight-set";
    this.note = document.createElement("p");
    this.note.className = "weight-note";
    this.note.dataset.testid = "weight-note";
    this.label.append(this.name, this.input);
    this.form.append(this.label, set, this.note);
    root.append(this.form);
    this.edit = null;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      event.stopPropagation(); // the settings form around the page must not see it
      const value = Number(this.input.value);
      if (this.input.value.trim() === "" || !Number.isFinite(value)) {
        this.fail("Enter a number.");
        return;
      }
      onSet({ ...this.edit, value });
    });
    this.form.addEventListener("keydown", (event) => {
      event.stopPropagation(); // typing a value is not a keyboard shortcut
      if (event.key === "Escape") this.close();
    });
  }

  /** Open at the pointer for `edit`, with its current value. */
  open(event, edit) {
    this.edit = edit;
    this.name.textContent = `${edit.name} = `;
    this.input.value = edit.value === null ? "" : formatValue(edit.value);
    this.input.hidden = false;
    this.form.querySelector("button").hidden = false;
    this.note.textContent = "Enter sets it; Esc closes.";
    this.place(event);
    this.input.focus();
    this.input.select();
  }

  /** Say why the value cannot be edited now, at the pointer. */
  tell(event, text) {
    this.edit = null;
    this.name.textContent = "";
    this.input.hidden = true;
    this.form.querySelector("button").hidden = true;
    this.note.textContent = text;
    this.place(event);
  }

  fail(text) {
    this.note.textContent = text;
  }

  close() {
    this.form.hidden = true;
    this.edit = null;
  }

  place(event) {
    const box = this.form.parentElement.getBoundingClientRect();
    this.form.hidden = false;
    const x = Math.min(event.clientX - box.left + 8, box.width - this.form.offsetWidth - 4);
    this.form.style.left = `${Math.max(0, x)}px`;
    this.form.style.top = `${event.clientY - box.top + 8}px`;
  }
}
