// The experiment page (/experiment): ?id=<experiment> shows an experiment's runs side by
// side, ?jobs=<id>,<id>,... any runs picked to compare, the same way. Its address is the
// link to share; anyone with it watches, the browser that started the runs steers them.

import * as api from "./api.js";
import { RunsSideBySide, compareTitles, sharedSettings, valueTitle } from "./experiment.js";
import { isFinal } from "./roomcards.js";
import { JobSocket } from "./socket.js";

const REFRESH_MS = 1000; // the table is read again this often while a run is unfinished
const MAX_COMPARED = 10; // as many runs as an experiment may have (its values' bound)

const $ = (selector) => document.querySelector(selector);
const GONE = { status: "deleted", iteration: null, metrics: null };

function say(text, kind = "") {
  const message = $("#message");
  message.textContent = text;
  message.dataset.kind = kind;
  message.hidden = !text;
}

/** A run as REST reads it, or "deleted" once the server no longer has it. */
async function readJob(id) {
  try {
    return await api.getJob(id);
  } catch (error) {
    if (error.status === 404) return { id, ...GONE };
    throw error;
  }
}

/** What the page shows, from its address: {heading, titles, ids, rows, read}. */
async function source(params) {
  const id = params.get("id");
  if (id) {
    const experiment = await api.getExperiment(id);
    const read = async () => (await api.getExperiment(id)).jobs;
    const titles = experiment.jobs.map((job) => valueTitle(experiment.vary, job.value));
    const heading = `${experiment.vary} over ${experiment.values.length} values`;
    return { heading, titles, ids: experiment.jobs.map((job) => job.id), rows: experiment.jobs, read };
  }
  const ids = [...new Set((params.get("jobs") || "").split(",").filter(Boolean))].slice(0, MAX_COMPARED);
  if (ids.length === 0) throw new Error("This page needs ?id=<experiment> or ?jobs=<id>,<id>: open it from the runs page.");
  const read = () => Promise.all(ids.map(readJob));
  const rows = await read();
  const titles = compareTitles(rows.map((job) => job.config || {}));
  return { heading: `${ids.length} runs compared`, titles, ids, rows, read };
}

/** What the runs share, from their configs (read once, for an experiment's rows have none). */
async function commonSettings(rows) {
  const jobs = await Promise.all(rows.map((row) => (row.config ? row : readJob(row.id))));
  return sharedSettings(jobs.filter((job) => job.config).map((job) => job.config));
}

function watch(view, ids) {
  ids.forEach((id, i) => {
    new JobSocket(id, {
      token: api.tokenFor(id),
      onMessage: (message) => view.message(i, message),
      onRetry: () => say("The connection to the server was lost: reconnecting…"),
      onGone: () => {},
    });
  });
}

const ended = (row) => isFinal(row) || row.status === "deleted";

/** The Stop button stops this browser's unfinished runs; returns what shows or hides it. */
function bindStopAll(button, ids, rowsNow) {
  const owned = ids.filter((id) => api.ownsJob(id));
  button.addEventListener("click", async () => {
    button.disabled = true;
    const unfinished = rowsNow().filter((row) => owned.includes(row.id) && !ended(row));
    const results = await Promise.allSettled(unfinished.map((row) => api.control(row.id, { action: "stop" })));
    const failed = results.filter((result) => result.status === "rejected");
    if (failed.length) say(`Could not stop ${failed.length} of the runs: ${failed[0].reason.message}`, "error");
    button.disabled = false;
  });
  return (rows) => {
    button.hidden = !rows.some((row) => owned.includes(row.id) && !ended(row));
  };
}

async function start() {
  let shown;
  try {
    shown = await source(new URLSearchParams(window.location.search));
  } catch (error) {
    say(error.status === 404 ? "That experiment is not on this server (a wrong or old link)." : error.message, "error");
    return;
  }
  $('[data-testid="experiment-heading"]').textContent = shown.heading;
  document.title = `gradlive: ${shown.heading}`;
  const view = new RunsSideBySide(
    { grid: $('[data-testid="experiment-grid"]'), chart: $('[data-testid="experiment-cost"]'), table: $('[data-testid="experiment-table"] tbody') },
    shown.titles,
  );
  let rows = shown.rows;
  const showStop = bindStopAll($('[data-testid="experiment-stop"]'), shown.ids, () => rows);
  const show = () => {
    view.showRows(rows);
    $('[data-testid="experiment-done"]').textContent = `${rows.filter(ended).length} of ${rows.length}`;
    showStop(rows);
  };
  show();
  commonSettings(rows).then(
    (line) => ($('[data-testid="experiment-settings"]').textContent = line),
    () => {}, // the heading goes without: the table says the rest
  );
  watch(view, shown.ids);
  const refresh = async () => {
    if (rows.every(ended)) return;
    try {
      rows = await shown.read();
      show();
      say("");
    } catch (error) {
      say(`Could not read the runs: ${error.message}`, "error");
    }
    setTimeout(refresh, REFRESH_MS);
  };
  setTimeout(refresh, REFRESH_MS);
}

start();
