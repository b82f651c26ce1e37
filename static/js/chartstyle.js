// What the two Plotly charts (cost and boundary) share: ink, font and plot config.

export const INK = "#1b1f24";

export const FONT = { family: "system-ui, sans-serif", size: 14, color: INK };

/** Plotly config: follow the container's size, no logo, no selection tools. */
export const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ["lasso2d", "select2d"],
};

/**
 * A scheduler that runs `draw` on an animation frame at most once every `ms` milliseconds,
 * however often it is asked: a chart redraws in whole (Plotly), so the messages that
 * arrive between two draws share one.
 */
export function throttledDraw(draw, ms = 100) {
  let last = 0;
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    const wait = Math.max(0, last + ms - performance.now());
    setTimeout(() => {
      requestAnimationFrame(() => {
        pending = false;
        last = performance.now();
        draw();
      });
    }, wait);
  };
}
