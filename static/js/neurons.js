// Small heatmaps of what each unit computes over the input plane, drawn on a canvas
// and handed out as image URLs for the network view: the inputs x1 and x2, every hidden
// unit (the "neurons" field of docs/api.md, The websocket) and the output P(y=1).

import { decodeBytes } from "./decode.js";
import { LUT, classRgb } from "./palette.js";

const INPUT_RESOLUTION = 24;
const canvas = document.createElement("canvas");
// The colour scale as one 32-bit RGBA word a byte: a pixel is one store, not four.
const COLOURS = new Uint32Array(LUT.buffer);

/** Paint r x r bytes on the colour scale into `target` (a canvas, made r x r); byte row 0 is the bottom of the plane. */
function paint(target, bytes, r, colours = COLOURS) {
  target.width = r;
  target.height = r;
  const context = target.getContext("2d");
  const image = context.createImageData(r, r);
  const pixels = new Uint32Array(image.data.buffer);
  for (let i = 0; i < r; i += 1) {
    const top = (r - 1 - i) * r; // canvas rows run downwards, the grid's rows upwards
    for (let j = 0; j < r; j += 1) pixels[top + j] = colours[bytes[i * r + j]];
  }
  context.putImageData(image, 0, 0);
}

/** PNG data URL of r x r bytes on the colour scale; byte row 0 is the bottom of the plane. */
export function bytesToImage(bytes, r, colours = COLOURS) {
  paint(canvas, bytes, r, colours);
  return canvas.toDataURL();
}

/**
 * K classes' picture: each cell in its most likely class's colour, shaded by how sure
 * the network is (grey where all K are equally likely, full colour at P = 1). The cell's
 * byte is class * 32 + confidence / 8, so one 256-colour table draws every (class, shade).
 */
const SHADES = 32;
function classColours(K) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let k = 0; k < Math.min(K, 8); k += 1) {
    for (let s = 0; s < SHADES; s += 1) {
      const p = (s + 0.5) / SHADES;
      const share = K > 1 ? (p - 1 / K) / (1 - 1 / K) : 1;
      table.set([...classRgb(k, share), 255], 4 * (k * SHADES + s));
    }
  }
  return new Uint32Array(table.buffer);
}

function classCells(classes, confidence) {
  return classes.map((k, n) => k * SHADES + Math.min(SHADES - 1, confidence[n] >> 3));
}

function classImage(classes, confidence, K, r) {
  return bytesToImage(classCells(classes, confidence), r, classColours(K));
}

/** Paint a boundary message's picture into `target`, one pixel a grid point (an experiment's tiles). */
export function paintBoundary(target, boundary) {
  const bytes = decodeBytes(boundary.z);
  const r = boundary.resolution;
  if (!boundary.classes) paint(target, bytes, r); // P(y=1), or a value on its scale
  else paint(target, classCells(bytes, decodeBytes(boundary.confidence)), r, classColours(boundary.classes));
}

let lastBoundary = null;
let lastImage = null;

/**
 * A boundary message's bytes and picture ({bytes, source}): made once for the views
 * that draw it (the boundary plot and the network's output unit).
 */
export function boundaryImage(boundary) {
  if (boundary !== lastBoundary) {
    const bytes = decodeBytes(boundary.z);
    const r = boundary.resolution;
    if (boundary.classes) {
      const confidence = decodeBytes(boundary.confidence);
      lastImage = { bytes, confidence, source: classImage(bytes, confidence, boundary.classes, r) };
    } else {
      lastImage = { bytes, source: bytesToImage(bytes, r) }; // P(y=1), or a value on its scale
    }
    lastBoundary = boundary;
  }
  return lastImage;
}

let lastDiscrete = null;
let lastDiscreteImage = null;

/** The boundary's picture in two colours only (TF Playground's "discretize output"): P(y=1) >= 0.5 or not. */
export function discreteImage(boundary) {
  if (boundary !== lastDiscrete) {
    const { bytes } = boundaryImage(boundary);
    const r = boundary.resolution;
    lastDiscreteImage = boundary.classes
      ? classImage(bytes, bytes.map(() => 255), boundary.classes, r) // each class in full
      : bytesToImage(bytes.map((b) => (b >= 128 ? 255 : 0)), r);
    lastDiscrete = boundary;
  }
  return lastDiscreteImage;
}

/** Images of every hidden unit: one list per hidden layer. */
export function hiddenImages(neurons) {
  if (!neurons || !neurons.layers) return [];
  const r = neurons.resolution;
  return neurons.layers.map((layer) => layer.map((b64) => bytesToImage(decodeBytes(b64), r)));
}

/** The output unit's image: the boundary's P(y=1). */
export function outputImage(boundary) {
  return boundaryImage(boundary).source;
}

/**
 * The inputs x1 and x2 as images over the boundary's plane, scaled like the hidden
 * units (grey at 0, full colour at the largest |x|).
 */
export function inputImages(boundary, features = ["x1", "x2"]) {
  const r = INPUT_RESOLUTION;
  const { x_min, x_max, y_min, y_max } = boundary;
  return features.map((name) => {
    const f = FEATURES[name] || FEATURES.x1;
    const values = new Float64Array(r * r);
    for (let i = 0; i < r; i += 1) {
      for (let j = 0; j < r; j += 1) {
        const x1 = x_min + (j * (x_max - x_min)) / (r - 1);
        const x2 = y_min + (i * (y_max - y_min)) / (r - 1);
        values[i * r + j] = f(x1, x2);
      }
    }
    const scale = Math.max(...values.map(Math.abs)) || 1;
    return bytesToImage(values.map((v) => Math.round(127.5 * (1 + v / scale))), r);
  });
}

// The inputs a network may be fed of a point (app.nn.features computes the same).
const FEATURES = {
  x1: (x1) => x1,
  x2: (x1, x2) => x2,
  "x1^2": (x1) => x1 * x1,
  "x2^2": (x1, x2) => x2 * x2,
  "x1*x2": (x1, x2) => x1 * x2,
  "sin(x1)": (x1) => Math.sin(x1),
  "sin(x2)": (x1, x2) => Math.sin(x2),
};
