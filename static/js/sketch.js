// The decision boundary before Plotly has run: its picture and points painted on a plain
// canvas laid over the plot's element, where the Plotly plot will put them (boundary.js),
// so that a page shows its points, or a shared link its latest boundary, at once. The
// first Plotly plot replaces it.

import { extent } from "./chartstyle.js";
import { paintBoundary } from "./neurons.js";

// Where Plotly's autorange puts the data's ends: 5% of the axis in from each end, and the
// markers' pad (px) more.
const RANGE_PAD = 0.05;
const MARKER_PAD = 3.75;

/**
 * Paint `canvas` (laid over `div`): the picture of `boundary` (a boundary message, or null)
 * at `place` (its placement), under the points of `traces` (the plot's point traces, each
 * {x, y, visible, marker: {color, size, symbol, line}}). `style`: the plot's {margin,
 * opacity, background}. False when there is nothing to paint.
 */
export function paintSketch(canvas, div, { traces, boundary, place, style }) {
  const shown = traces.filter((trace) => trace.visible !== false && trace.x.length);
  const xs = shown.map((trace) => trace.x);
  const ys = shown.map((trace) => trace.y);
  if (boundary) {
    xs.push([place.x, place.x + place.sizex]);
    ys.push([place.y - place.sizey, place.y]);
  }
  const [x, y] = [extent(...xs), extent(...ys)];
  if (!x || !y) return false;
  const { margin, opacity, background } = style;
  const [width, height] = [div.clientWidth, div.clientHeight];
  // Each axis autoranged on its own, then the one with more px per unit shrunk to the
  // other's (scaleanchor, constrain: domain), centred.
  const axes = [
    { span: x[1] - x[0] || 1, length: width - margin.l - margin.r },
    { span: y[1] - y[0] || 1, length: height - margin.t - margin.b },
  ];
  for (const axis of axes) axis.fit = ((1 - 2 * RANGE_PAD) * axis.length - 2 * MARKER_PAD) / axis.span;
  const scale = Math.min(axes[0].fit, axes[1].fit);
  const centre = [margin.l + axes[0].length / 2, margin.t + axes[1].length / 2];
  const toX = (v) => centre[0] + (v - (x[0] + x[1]) / 2) * scale;
  const toY = (v) => centre[1] - (v - (y[0] + y[1]) / 2) * scale;

  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  Object.assign(canvas.style, { left: `${div.offsetLeft}px`, top: `${div.offsetTop}px`, width: `${width}px`, height: `${height}px` });
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  // The plot's background: each axis's range, its own padding at the scale drawn.
  const [w, h] = axes.map((axis) => (axis.span + (2 * (RANGE_PAD * axis.length + MARKER_PAD)) / axis.fit) * scale);
  context.fillStyle = background;
  context.fillRect(centre[0] - w / 2, centre[1] - h / 2, w, h);
  if (boundary) {
    const picture = document.createElement("canvas");
    paintBoundary(picture, boundary);
    context.globalAlpha = opacity;
    context.drawImage(picture, toX(place.x), toY(place.y), place.sizex * scale, place.sizey * scale);
    context.globalAlpha = 1;
  }
  for (const trace of shown) paintPoints(context, trace, toX, toY);
  return true;
}

/** One trace's markers: circles, or diamonds (Plotly's, 1.3 times a circle's radius). */
function paintPoints(context, { x, y, marker }, toX, toY) {
  const r = marker.size / 2;
  context.lineWidth = marker.line.width;
  context.strokeStyle = marker.line.color;
  x.forEach((value, i) => {
    const [px, py] = [toX(value), toY(y[i])];
    context.beginPath();
    if (marker.symbol === "diamond") {
      const d = 1.3 * r;
      context.moveTo(px - d, py);
      context.lineTo(px, py - d);
      context.lineTo(px + d, py);
      context.lineTo(px, py + d);
      context.closePath();
    } else {
      context.arc(px, py, r, 0, 2 * Math.PI);
    }
    context.fillStyle = Array.isArray(marker.color) ? marker.color[i] : marker.color;
    context.fill();
    context.stroke();
  });
}
