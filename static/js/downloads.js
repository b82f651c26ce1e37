// The watched run's exports (Contract 6), as links under the cost chart: its parameters
// (JSON, NumPy's .npz), the cost of every iteration (CSV) and a NumPy script that retrains
// it. Anyone watching the run may download them; with no run the links are hidden.

export class Downloads {
  /** `box` holds one <a data-export="parameters.json"> (and so on) per export. */
  constructor(box) {
    this.box = box;
    this.links = [...box.querySelectorAll("a[data-export]")];
    this.jobId = undefined;
    this.show(null);
  }

  /** Point the links at job `jobId`'s exports, or hide them (null: no run is watched). */
  show(jobId) {
    if (jobId === this.jobId) return;
    this.jobId = jobId;
    this.box.hidden = !jobId;
    for (const link of this.links) {
      const name = link.dataset.export;
      if (jobId) {
        // Relative, as the API's URLs are, so the page also works under a path prefix.
        link.href = `api/jobs/${encodeURIComponent(jobId)}/${name}`;
        link.download = `gradlive-${jobId}-${name}`;
      } else {
        link.removeAttribute("href");
        link.removeAttribute("download");
      }
    }
  }
}
