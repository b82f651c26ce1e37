// The views' own options, which never change the run: test points on the boundary, the
// boundary in two colours (discretized), the cost chart's log scale and its smoothing.

/** Bind the options' inputs to the boundary plot and the cost chart, and apply the smoothing. */
export function bindViewOptions({ showTest, discretize, logScale, smoothing, smoothingValue }, { boundary, cost }) {
  showTest.addEventListener("change", () => boundary.setShowTest(showTest.checked));
  discretize.addEventListener("change", () => boundary.setDiscrete(discretize.checked));
  logScale.addEventListener("change", () => cost.setLog(logScale.checked));
  const apply = () => {
    smoothingValue.textContent = Number(smoothing.value).toFixed(2);
    cost.setSmoothing(Number(smoothing.value));
  };
  smoothing.addEventListener("input", apply);
  apply();
}
