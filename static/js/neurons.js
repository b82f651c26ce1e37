// Small heatmaps of what each unit computes over the input plane, drawn on a canvas
// and handed out as image URLs for the network view: the inputs x1 and x2, every hidden
// unit (the "neurons" field of Contract 4's additions) and the output P(y=1).

import { decodeBytes } from "./decode.js";
import { LUT } from "./palette.js";

const INPUT_RESOLUTION = 24;
const canvas = document.createElement("canvas");
// The colour scale as one 32-bit RGBA word a byte: a pixel is one store, not four.
const COLOURS = new Uint32Array(LUT.buffer);

/** PNG data URL of r x r bytes on the colour scale; byte row 0 is the bottom of the plane. */
export function bytesToImage(bytes, r) {
  canvas.width = r;
  canvas.height = r;
  const context = canvas.getContext("2d");
  const image = context.createImageData(r, r);
  const pixels = new Uint32Array(image.data.buffer);
  for (let i = 0; i < r; i += 1) {
    const top = (r - 1 - i) * r; // canvas rows run downwards, the grid's rows upwards
    for (let j = 0; j < r; j += 1) pixels[top + j] = COLOURS[bytes[i * r + j]];
  }
  context.putImageData(image, 0, 0);
  return canvas.toDataURL();
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
    lastImage = { bytes, source: bytesToImage(bytes, boundary.resolution) };
    lastBoundary = boundary;
  }
  return lastImage;
}

let lastDiscrete = null;
let lastDiscreteImage = null;

/** The boundary's picture in two colours only (TF Playground's "discretize output"): P(y=1) >= 0.5 or not. */
export function discreteImage(boundary) {
  if (boundary !== lastDiscrete) {
    const two = boundaryImage(boundary).bytes.map((b) => (b >= 128 ? 255 : 0));
    lastDiscreteImage = bytesToImage(two, boundary.resolution);
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
export function inputImages(boundary) {
  const r = INPUT_RESOLUTION;
  const { x_min, x_max, y_min, y_max } = boundary;
  const images = [];
  for (const [lo, hi, alongRows] of [
    [x_min, x_max, false],
    [y_min, y_max, true],
  ]) {
    const scale = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    const bytes = new Uint8Array(r * r);
    for (let i = 0; i < r; i += 1) {
      for (let j = 0; j < r; j += 1) {
        const value = lo + ((alongRows ? i : j) * (hi - lo)) / (r - 1);
        bytes[i * r + j] = Math.round(127.5 * (1 + value / scale));
      }
    }
    images.push(bytesToImage(bytes, r));
  }
  return images;
}
