// Plotly on the playground page: preloaded by the page (#plotly) and run only once the page
// is built and painted (main.js), so that the page shows its state without it first (the
// boundary as a canvas sketch, the cost chart's hint). The charts' draws wait for it.
// Other pages run it from a deferred script before their modules: it is there already.

let finish;
const ran = new Promise((resolve) => {
  finish = resolve;
});
let loading = null;

/** Resolves once Plotly has run (at once where it has). */
export function whenPlotly() {
  return window.Plotly ? Promise.resolve() : ran;
}

/** Run the preloaded Plotly; rejects with an error that says so when it cannot load. */
export function loadPlotly() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      if (window.Plotly) return resolve();
      const script = document.createElement("script");
      script.src = document.querySelector("#plotly").href;
      script.addEventListener("load", resolve, { once: true });
      script.addEventListener("error", () => reject(new Error("The charts' script could not load: reload the page.")), {
        once: true,
      });
      document.head.append(script);
    });
    loading.then(finish, () => {});
  }
  return loading;
}
