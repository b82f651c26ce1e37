// The watched run's exports (docs/api.md, Exports), as links under the cost chart: its parameters
// (JSON, NumPy's .npz), the cost of every iteration (CSV) and a NumPy script that retrains
// it. Anyone watching the run may download them; with no run the links are hidden. A
// file the server refuses (a script for a run it cannot write out, parameters before the
// first iteration) is not saved as a page of JSON: the server's reason is said instead.

export class Downloads {
  /**
   * `box` holds one <a data-export="parameters.json"> (and so on) per export;
   * onRefused(text) says why the server would not give one.
   */
  constructor(box, onRefused) {
    this.box = box;
    this.links = [...box.querySelectorAll("a[data-export]")];
    this.onRefused = onRefused;
    this.jobId = undefined;
    for (const link of this.links) link.addEventListener("click", (event) => this.fetch(event, link));
    this.show(null);
  }

  /** Fetch the file, then save it under the link's name; or say the server's reason. */
  async fetch(event, link) {
    if (!link.href) return;
    event.preventDefault();
    let response;
    try {
      response = await fetch(link.href);
    } catch {
      this.onRefused(`${link.dataset.export}: the server cannot be reached.`);
      return;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      const reason = body && typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`;
      this.onRefused(`${link.dataset.export}: ${reason}`);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = url;
    save.download = link.download;
    save.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000); // once the browser has surely read it
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
