// One websocket per watched job (docs/api.md, The websocket). Every (re)connection starts with a
// snapshot that holds the whole run so far, so a reconnect simply redraws from it.

import { ReconnectingSocket, socketUrl } from "./reconnect.js";

const FINAL = new Set(["done", "stopped", "diverged", "failed", "interrupted"]);
const NOT_FOUND = 4404; // the close code for an unknown job where HTTP 404 can't be sent

/**
 * ws(s)://host/.../ws/jobs/{id}, relative to the page. The snapshot's history comes
 * compact: a count in place of the `iteration` array that only numbers the costs (a fifth
 * of a long run's snapshot), which `parse` puts back. "preview" (the page's own run): a
 * long run's snapshot brings a preview of its costs, and a `history` message all of them
 * right after (docs/api.md), so that its picture is drawn before its history is read.
 */
function jobUrl(jobId, history = "compact") {
  return socketUrl(`ws/jobs/${encodeURIComponent(jobId)}?history=${history}`);
}

/** A message from its text; a compact snapshot's history gets its `iteration` array back. */
function parse(text) {
  const message = JSON.parse(text);
  const history = message.type === "snapshot" ? message.history : null;
  if (history && history.iteration === undefined && Number.isInteger(history.count)) {
    const first = history.first_iteration || 0;
    history.iteration = Array.from({ length: history.count }, (_, i) => first + i);
  }
  return message;
}

// A shared link's socket opens as the page starts, before the page is built and Plotly
// run, so the server reads the snapshot out meanwhile; the first JobSocket of that job
// takes it over, with every event it has had so far.
let early = null;
const EARLY_WAIT_MS = 300;
const EARLY_KEPT_MS = 10000;
const HOLD_MS = 1000; // the longest what follows a snapshot waits for its picture's frame

/** The message `text` holds when it is a snapshot, or null. */
function snapshotIn(text) {
  const message = text === null ? null : JSON.parse(text);
  return message && message.type === "snapshot" ? message : null;
}

/**
 * Open job `jobId`'s socket now; its events wait for the JobSocket that takes it. Resolves
 * with its snapshot, or null once it closes without one or after EARLY_WAIT_MS: the page's
 * build waits that long for it at most (the handshake needs a free main thread).
 */
export function openEarly(jobId) {
  const ws = new WebSocket(jobUrl(jobId, "preview"));
  const events = [];
  const keep = (event) => events.push(event);
  for (const type of ["open", "message", "close"]) ws.addEventListener(type, keep);
  const first = new Promise((resolve) => {
    ws.addEventListener("message", (event) => resolve(snapshotIn(event.data)), { once: true });
    ws.addEventListener("close", () => resolve(null), { once: true });
  });
  early = { jobId, ws, events, keep, first };
  // Not taken by then (the page could not watch the job): closed, a viewer less on the server.
  setTimeout(() => {
    if (early && early.ws === ws) takeEarly(jobId).ws.close(1000);
  }, EARLY_KEPT_MS);
  return Promise.race([first, new Promise((resolve) => setTimeout(() => resolve(null), EARLY_WAIT_MS))]);
}

/**
 * Job `jobId` as its early socket's snapshot has it (the record GET /api/jobs/{id} answers),
 * or null: no early socket of that job, or it closed before a snapshot.
 */
export async function earlyJob(jobId) {
  const snapshot = early && early.jobId === jobId ? await early.first : null;
  return snapshot && snapshot.job;
}

/** The early socket of `jobId` and its events so far, or null; it stops keeping them. */
function takeEarly(jobId) {
  const taken = early && early.jobId === jobId ? early : null;
  early = null;
  if (taken) for (const type of ["open", "message", "close"]) taken.ws.removeEventListener(type, taken.keep);
  return taken;
}

/** True when the server answers 404 for the job (false when it cannot be reached). */
async function jobIsGone(jobId) {
  try {
    const url = new URL(`api/jobs/${encodeURIComponent(jobId)}`, document.baseURI);
    return (await fetch(url)).status === 404;
  } catch {
    return false;
  }
}

export class JobSocket extends ReconnectingSocket {
  /**
   * Watch job `jobId`: onMessage(message) for every message; onRetry(delayMs) when the
   * socket ended before the job did, just before reconnecting after delayMs; onGone()
   * when the server has no such job (any more). `token`: the job's, when this page owns it.
   * `history`: how the snapshot's history comes (see jobUrl); "preview" once onMessage
   * handles a `history` message.
   */
  constructor(jobId, { token = null, history = "compact", onMessage, onRetry, onGone }) {
    super();
    this.jobId = jobId;
    this.token = token;
    this.history = history;
    this.onMessage = onMessage;
    this.onRetry = onRetry;
    this.onGone = onGone;
    this.finished = false;
    this.connect();
  }

  connect() {
    // The early socket asked for a preview: only a JobSocket that reads one takes it.
    const taken = this.history === "preview" ? takeEarly(this.jobId) : null;
    const ws = taken ? taken.ws : new WebSocket(jobUrl(this.jobId, this.history));
    this.ws = ws;
    this.opened = false;
    ws.onopen = () => {
      this.opened = true;
      // The owner's page says so: while it is open the job does not idle, and a job paused
      // because its owner's page was closed resumes.
      // (An early socket's open may be replayed after it has closed: nothing to send then.)
      if (this.token && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ action: "auth", token: this.token }));
    };
    ws.onmessage = (event) => this.inTurn(() => this.receive(event.data));
    ws.onclose = (event) => this.inTurn(() => this.ended(event));
    // The early socket's events so far, in order, once the constructor has returned.
    if (taken && taken.events.length) {
      queueMicrotask(() => {
        for (const event of taken.events) if (this.ws === ws) ws[`on${event.type}`]?.(event);
      });
    }
  }

  /**
   * Run `handle` now, or after the held ones: once a snapshot is read, what follows (a long
   * run's whole history, say) waits until the next frame has drawn the snapshot's picture.
   */
  inTurn(handle) {
    if (this.held) this.held.push(handle);
    else handle();
  }

  receive(text) {
    const message = parse(text);
    if (message.type === "snapshot") this.connected();
    if (message.type === "status" && FINAL.has(message.status)) this.finished = true;
    if (message.type === "snapshot" && FINAL.has(message.job && message.job.status)) {
      this.finished = true;
    }
    this.onMessage(message);
    if (message.type === "snapshot") this.holdUntilDrawn();
  }

  holdUntilDrawn() {
    const held = [];
    this.held = held;
    const release = () => {
      if (this.held !== held) return; // released already
      this.held = null;
      for (const handle of held) if (!this.closed) this.inTurn(handle); // none once closed
    };
    // After this frame's draws (asked for while the snapshot was read), once it is painted;
    // a page hidden meanwhile draws no frame, so at most HOLD_MS later.
    requestAnimationFrame(() => setTimeout(release));
    setTimeout(release, HOLD_MS);
  }

  async ended(event) {
    if (this.closed || this.finished) return;
    // An unknown job's handshake is refused with HTTP 404, which a browser only
    // reports as a failed connection: ask the REST endpoint before retrying.
    if (event.code === NOT_FOUND || (!this.opened && (await jobIsGone(this.jobId)))) {
      this.closed = true;
      this.onGone();
      return;
    }
    // The server went away mid-run (restart, network): try again, a little slower each time.
    this.retry(this.onRetry);
  }
}

/**
 * The snapshot of job `jobId` (its whole history so far), then the socket is closed.
 * Rejects with an error whose `gone` is true when the server no longer has the job.
 */
export function fetchSnapshot(jobId) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(jobUrl(jobId));
    let opened = false;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (event) => {
      const message = parse(event.data);
      if (message.type !== "snapshot") return; // an unknown job may first get an `error`
      ws.onclose = null;
      ws.close(1000);
      resolve(message);
    };
    ws.onclose = async (event) => {
      const gone = event.code === NOT_FOUND || (!opened && (await jobIsGone(jobId)));
      const error = new Error(gone ? "Job not found" : "Connection closed");
      error.gone = gone;
      reject(error);
    };
  });
}
