// The runs listed from before a reload: their costs come back from their snapshots, or
// they are marked as gone from the server (or out of reach for now).

import { fetchSnapshot } from "./socket.js";

/** Fill in every listed run except `watchedId` (its own socket brings it) and expired ones. */
export function fetchPastRuns(runs, watchedId) {
  for (const run of runs.runs) {
    if (run.id === watchedId || run.expired) continue;
    fetchSnapshot(run.id).then(
      (snapshot) => runs.snapshot(run.id, snapshot.job, snapshot.history, snapshot.dataset),
      (error) => (error.gone ? runs.expire(run.id) : runs.unreachable(run.id)),
    );
  }
}
