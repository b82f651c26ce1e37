// The hidden-layers editor: add or remove a layer, more or fewer units per layer.

import { LIMITS } from "./controls.js";

function button(label, text, onClick, disabled) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "icon-button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.title = label;
  b.disabled = disabled;
  b.addEventListener("click", onClick);
  return b;
}

/** Draws the editor into `root`; onChange(newHiddenLayers) on every edit. */
export class LayersEditor {
  constructor(root, { onChange }) {
    this.root = root;
    this.onChange = onChange;
    this.layers = [];
  }

  show(hiddenLayers) {
    this.layers = [...hiddenLayers];
    const n = this.layers.length;
    const rows = [];

    const count = document.createElement("div");
    count.className = "layers-count";
    const label = document.createElement("span");
    label.textContent = n === 0 ? "no hidden layer: logistic regression" : `${n} hidden layer${n === 1 ? "" : "s"}`;
    label.dataset.testid = "hidden-layer-count";
    count.append(
      button("Remove the last hidden layer", "−", () => this.edit(this.layers.slice(0, -1)), n === 0),
      label,
      button("Add a hidden layer", "+", () => this.edit([...this.layers, 4]), n >= LIMITS.max_hidden_layers),
    );
    rows.push(count);

    const list = document.createElement("ol");
    list.className = "layers-units";
    this.layers.forEach((units, i) => {
      const item = document.createElement("li");
      const text = document.createElement("span");
      text.className = "units";
      text.textContent = `${units}`;
      text.title = `layer ${i + 1}: ${units} unit${units === 1 ? "" : "s"}`;
      text.dataset.testid = `units-${i + 1}`;
      item.append(
        button(`Fewer units in layer ${i + 1}`, "−", () => this.setUnits(i, units - 1), units <= 1),
        text,
        button(
          `More units in layer ${i + 1}`,
          "+",
          () => this.setUnits(i, units + 1),
          units >= LIMITS.max_units,
        ),
      );
      list.append(item);
    });
    rows.push(list);
    this.root.replaceChildren(...rows);
  }

  setUnits(i, units) {
    const layers = [...this.layers];
    layers[i] = units;
    this.edit(layers);
  }

  edit(layers) {
    const focused = document.activeElement && document.activeElement.getAttribute("aria-label");
    this.onChange(layers);
    // Redrawing replaced the buttons: keep the keyboard where it was.
    const again = focused && this.root.querySelector(`[aria-label="${focused}"]`);
    if (again && !again.disabled) again.focus();
  }
}
