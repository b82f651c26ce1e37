// The room's websocket (/ws/room): the teacher's token first, then a `room` message with
// every job whenever the list changes. A refusal (close 4403) is final: the token is
// wrong. Any other end (a restart, the network) is followed by a reconnect.

import { ReconnectingSocket, socketUrl } from "./reconnect.js";

const FORBIDDEN = 4403;

export class RoomSocket extends ReconnectingSocket {
  /**
   * onJobs(jobs) for every `room` message; onRefused(detail) when the server refuses the
   * token; onRetry(delayMs) before reconnecting after the socket ended.
   */
  constructor(token, { onJobs, onRefused, onRetry }) {
    super();
    this.token = token;
    this.handlers = { onJobs, onRefused, onRetry };
    this.connect();
  }

  connect() {
    const ws = new WebSocket(socketUrl("ws/room"));
    let refusal = "";
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ action: "auth", token: this.token }));
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "error") refusal = message.detail;
      if (message.type !== "room") return;
      this.connected();
      this.handlers.onJobs(message.jobs);
    };
    ws.onclose = (event) => {
      if (this.closed) return;
      if (event.code === FORBIDDEN) {
        this.closed = true;
        this.handlers.onRefused(refusal || event.reason);
        return;
      }
      this.retry(this.handlers.onRetry);
    };
  }
}
