// The room's websocket (/ws/room): the teacher's token first, then a `room` message with
// every job whenever the list changes. A refusal (close 4403) is final: the token is
// wrong. Any other end (a restart, the network) is followed by a reconnect.

const FORBIDDEN = 4403;
const MAX_RETRY_MS = 8000;

function socketUrl() {
  const url = new URL("ws/room", document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

export class RoomSocket {
  /**
   * onJobs(jobs) for every `room` message; onRefused(detail) when the server refuses the
   * token; onRetry(delayMs) before reconnecting after the socket ended.
   */
  constructor(token, { onJobs, onRefused, onRetry }) {
    this.token = token;
    this.handlers = { onJobs, onRefused, onRetry };
    this.closed = false;
    this.retryMs = 500;
    this.timer = null;
    this.connect();
  }

  connect() {
    const ws = new WebSocket(socketUrl());
    let refusal = "";
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ action: "auth", token: this.token }));
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "error") refusal = message.detail;
      if (message.type !== "room") return;
      this.retryMs = 500;
      this.handlers.onJobs(message.jobs);
    };
    ws.onclose = (event) => {
      if (this.closed) return;
      if (event.code === FORBIDDEN) {
        this.closed = true;
        this.handlers.onRefused(refusal || event.reason);
        return;
      }
      this.handlers.onRetry(this.retryMs);
      this.timer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    };
  }

  /** Stop listening: no more messages, no reconnects. */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws.onmessage = null;
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
  }
}
