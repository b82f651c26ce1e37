// What the two Plotly charts (cost and boundary) share: ink, font, plot config, scheduling.

import { whenPlotly } from "./plotly.js";

export const INK = "#1b1f24";

export const FONT = { family: "system-ui, sans-serif", size: 14, color: INK };

/**
 * Plotly config: follow the container's size, no logo; the mode bar keeps download,
 * zoom, pan and reset (four tab stops a chart, not eight). Plotly's "Share chart" would
 * upload the chart to Plotly's cloud: nothing of the page leaves this server.
 */
export const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  showSendToCloud: false,
  plotlyServerURL: "",
  modeBarButtonsToRemove: ["lasso2d", "select2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "sendChartToCloud"],
};

/** PLOT_CONFIG with the file name the download button gives the PNG ("gradlive-cost.png"). */
export function plotConfig(name) {
  return { ...PLOT_CONFIG, toImageButtonOptions: { filename: `gradlive-${name}` } };
}

/** Smallest and largest finite value of lists of numbers: [lo, hi], or null. */
export function extent(...lists) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of lists) {
    for (const y of list) {
      if (y === null || !Number.isFinite(y)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * A scheduler that runs `draw` on an animation frame, at most once a frame and at most
 * once every `ms` milliseconds, however often it is asked: the messages that arrive
 * between two draws share one, and the latest state wins. `share` (optional) bounds the
 * part of the main thread the draws take: after a draw of d ms the next waits d / share,
 * so a slow machine draws less often instead of missing frames. A chart's draw needs
 * Plotly: before it has run, the first draw waits for it.
 */
export function throttledDraw(draw, ms = 0, share = 1) {
  let next = -Infinity;
  let pending = false;
  const run = () => {
    if (!window.Plotly) {
      whenPlotly().then(run);
      return;
    }
    requestAnimationFrame(() => {
      pending = false;
      const start = performance.now();
      draw();
      const took = performance.now() - start;
      next = start + Math.max(ms, took / share);
    });
  };
  return () => {
    if (pending) return;
    pending = true;
    const wait = next - performance.now();
    if (wait > 0) setTimeout(run, wait);
    else run();
  };
}

/**
 * Line styles for past runs drawn over the cost chart: colour-blind-safe colours
 * (the page's blue and the Okabe-Ito set) and, as a second cue, a dash pattern each.
 * `dash` is a pixel list that both Plotly (line.dash) and SVG (stroke-dasharray) read.
 */
export const OVERLAY_STYLES = [
  { color: "#0877bd", dash: "solid" },
  { color: "#d55e00", dash: "9px,4px" },
  { color: "#009e73", dash: "2px,3px" },
  { color: "#e69f00", dash: "9px,3px,2px,3px" },
  { color: "#cc79a7", dash: "14px,4px" },
  { color: "#56b4e9", dash: "5px,3px" },
  { color: "#6b7480", dash: "2px,3px,2px,3px,8px,3px" },
  { color: "#8f7f00", dash: "12px,3px,2px,3px" },
];
