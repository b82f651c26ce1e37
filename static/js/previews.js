// Small previews of the datasets on the dataset buttons: the points, coloured by class.

import { BLUE, CLASS_COLOURS, ORANGE, scaleColour } from "./palette.js";

/** Each point's colour: its class's (two: orange and blue), or a regression's value's. */
export function colourer(points, problem) {
  if (problem === "regression") {
    const scale = Math.max(1e-9, ...points.y.map((y) => Math.abs(y)));
    return (y) => scaleColour((y + scale) / (2 * scale));
  }
  if (problem === "multiclass") return (y) => CLASS_COLOURS[Number(y) % CLASS_COLOURS.length];
  return (y) => (Number(y) === 1 ? BLUE : ORANGE);
}

/** Draw `points` ({x1, x2, y}) into a canvas, scaled to fit with a small margin. */
function drawPoints(canvas, points, problem) {
  const colour = colourer(points, problem);
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const extent = Math.max(1e-9, ...points.x1.map(Math.abs), ...points.x2.map(Math.abs)) * 1.08;
  const radius = Math.max(1.2, width / 40);
  points.y.forEach((label, i) => {
    const x = ((points.x1[i] / extent + 1) / 2) * width;
    const y = ((1 - points.x2[i] / extent) / 2) * height;
    context.fillStyle = colour(label);
    context.beginPath();
    context.arc(x, y, radius, 0, 2 * Math.PI);
    context.fill();
  });
}

/** Draw dataset `name`'s points on its button, if the page has one. */
export function drawPreview(name, points, problem = "binary") {
  const canvas = document.querySelector(`canvas.preview[data-dataset="${name}"]`);
  if (canvas) drawPoints(canvas, points, problem);
}
