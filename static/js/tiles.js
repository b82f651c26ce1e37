// One small decision boundary with its training points, as the notebook's hidden-size
// figure draws one per n_h: an experiment's grid is a row of these.

import { paintBoundary } from "./neurons.js";
import { colourer } from "./previews.js";

const SIZE = 240; // canvas pixels a side; CSS scales the tile to the grid's column
const INK = "rgba(27, 31, 36, 0.55)"; // the points' outline, so light ones show on grey

export class BoundaryTile {
  /** A figure titled `title` (the varied setting's value); `testid` names it for tests. */
  constructor(title) {
    this.root = document.createElement("figure");
    this.root.className = "experiment-tile";
    this.root.dataset.testid = "experiment-tile";
    this.canvas = document.createElement("canvas");
    this.canvas.width = SIZE;
    this.canvas.height = SIZE;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", `Decision boundary: ${title}`);
    const caption = document.createElement("figcaption");
    this.title = document.createElement("strong");
    this.title.textContent = title;
    this.status = document.createElement("span");
    this.status.className = "muted";
    this.status.dataset.testid = "experiment-tile-status";
    caption.append(this.title, " ", this.status);
    this.root.append(this.canvas, caption);
    this.picture = document.createElement("canvas"); // the boundary, one pixel a grid point
    this.boundary = null;
    this.points = null;
    this.problem = "binary";
  }

  /** The run's training points ({x1, x2, y}) and its problem, drawn over every boundary. */
  setPoints(points, problem) {
    this.points = points;
    this.problem = problem;
    this.draw();
  }

  /** A new boundary (a websocket `boundary` object), or null before the first. */
  setBoundary(boundary) {
    if (!boundary || boundary === this.boundary) return;
    this.boundary = boundary;
    paintBoundary(this.picture, boundary);
    this.draw();
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  draw() {
    const context = this.canvas.getContext("2d");
    context.clearRect(0, 0, SIZE, SIZE);
    const plane = this.boundary || planeOf(this.points);
    if (!plane) return;
    if (this.boundary) {
      context.imageSmoothingEnabled = true;
      context.drawImage(this.picture, 0, 0, SIZE, SIZE);
    }
    if (this.points) drawPoints(context, this.points, this.problem, plane);
  }
}

/** The plane around the points, before a boundary says which: their extent and a margin. */
function planeOf(points) {
  if (!points || points.x1.length === 0) return null;
  const pad = (lo, hi) => [lo - 0.1 * (hi - lo || 1), hi + 0.1 * (hi - lo || 1)];
  const [x_min, x_max] = pad(Math.min(...points.x1), Math.max(...points.x1));
  const [y_min, y_max] = pad(Math.min(...points.x2), Math.max(...points.x2));
  return { x_min, x_max, y_min, y_max };
}

function drawPoints(context, points, problem, plane) {
  const colour = colourer(points, problem);
  const sx = SIZE / (plane.x_max - plane.x_min);
  const sy = SIZE / (plane.y_max - plane.y_min);
  context.lineWidth = 0.8;
  context.strokeStyle = INK;
  points.y.forEach((label, i) => {
    context.fillStyle = colour(label);
    context.beginPath();
    context.arc((points.x1[i] - plane.x_min) * sx, SIZE - (points.x2[i] - plane.y_min) * sy, 2.6, 0, 2 * Math.PI);
    context.fill();
    context.stroke();
  });
}
