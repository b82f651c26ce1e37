// What the page's websockets share (a job's, the room's): their URL beside the page,
// reconnecting a little slower each time after the server went away, and closing for good.

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 8000;

/** ws(s)://host/.../`path`, relative to the page (so it works under a path prefix). */
export function socketUrl(path) {
  const url = new URL(path, document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** A socket that connects again when it ends; subclasses open `this.ws` in connect(). */
export class ReconnectingSocket {
  constructor() {
    this.ws = null;
    this.closed = false;
    this.retryMs = FIRST_RETRY_MS;
    this.timer = null;
  }

  /** A connection worked: the next retry waits the first delay again. */
  connected() {
    this.retryMs = FIRST_RETRY_MS;
  }

  /** Connect again after the current delay (told to onRetry(delayMs)); the next one doubles. */
  retry(onRetry) {
    onRetry(this.retryMs);
    this.timer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }

  /** Stop: no more messages, no reconnects. */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.ws) return;
    this.ws.onmessage = null;
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
  }
}
