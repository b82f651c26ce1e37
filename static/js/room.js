// The teacher's room (/room): asks for the admin token once and keeps it in this browser,
// lists every job live (roomsocket.js, roomcards.js) and steers them through the REST API
// with that token as the bearer.

import { ApiError, adminToken, control, deleteJob, keepAdminToken } from "./api.js";
import { RoomCards, isFinal, learnerOf } from "./roomcards.js";
import { RoomSocket } from "./roomsocket.js";

// Answers that Stop all takes as done: the job ended, or was deleted, in the meantime.
const ALREADY_GONE = new Set([404, 409]);

const $ = (selector) => document.querySelector(selector);

/** What went wrong with a request, in words. */
function reason(error) {
  return error instanceof ApiError ? error.message : "the server could not be reached.";
}

class Room {
  constructor() {
    this.form = $("#token-form");
    this.main = $("main.room");
    this.message = $("#message");
    this.stopAll = $('[data-testid="stop-all"]');
    this.forget = $('[data-testid="room-forget"]');
    this.jobs = [];
    this.token = null;
    this.socket = null;
    this.cards = new RoomCards($(".room-grid"), $("#room-card"), $(".room-empty"), {
      onAction: (job, action) => this.act(job, action),
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = this.form.elements.token.value.trim();
      if (token) this.open(token);
    });
    this.stopAll.addEventListener("click", () => this.stopEvery());
    this.forget.addEventListener("click", () => this.askToken());
  }

  start() {
    const token = adminToken();
    if (token) this.open(token);
    else this.askToken();
  }

  /** Listen to the room with `token`; it is kept once the server takes it. */
  open(token) {
    this.socket?.close();
    this.token = token;
    this.say("Connecting to the room…", "info", true);
    this.socket = new RoomSocket(token, {
      onJobs: (jobs) => this.show(jobs),
      onRefused: (detail) => this.askToken(detail),
      onRetry: (ms) => this.say(`The connection to the server was lost: trying again in ${(ms / 1000).toFixed(1)} s.`, "warning", true),
    });
  }

  /** Show the token form (with why, when the server refused the token), the room hidden. */
  askToken(detail = "") {
    this.socket?.close();
    this.socket = null;
    this.token = null;
    keepAdminToken(null);
    this.form.hidden = false;
    this.main.hidden = true;
    this.forget.hidden = true;
    this.stopAll.disabled = true;
    this.say(detail, "error");
    this.form.elements.token.focus();
  }

  show(jobs) {
    if (this.main.hidden) {
      keepAdminToken(this.token);
      this.form.hidden = true;
      this.main.hidden = false;
      this.forget.hidden = false;
      this.form.reset();
    }
    if (this.notice) this.say("");
    this.jobs = jobs;
    this.cards.show(jobs);
    $('[data-testid="room-count"]').textContent = String(jobs.length);
    $('[data-testid="room-unfinished"]').textContent = String(jobs.filter((job) => !isFinal(job)).length);
    this.stopAll.disabled = !jobs.some((job) => !isFinal(job));
  }

  /** Pause, resume, stop or delete one job; the next room message shows the rest. */
  async act(job, action) {
    this.cards.setBusy(job.id, true);
    try {
      if (action === "delete") {
        await deleteJob(job.id, this.token);
        this.show(this.jobs.filter((j) => j.id !== job.id));
      } else {
        const { status } = await control(job.id, { action }, this.token);
        this.show(this.jobs.map((j) => (j.id === job.id ? { ...j, status } : j)));
      }
      this.say("");
    } catch (error) {
      this.say(`${action[0].toUpperCase()}${action.slice(1)} (${learnerOf(job)}): ${reason(error)}`, "error");
    } finally {
      this.cards.setBusy(job.id, false);
    }
  }

  /** Stop every job that has not ended; say which could not be stopped, and why. */
  async stopEvery() {
    const running = this.jobs.filter((job) => !isFinal(job));
    this.stopAll.disabled = true;
    const results = await Promise.allSettled(running.map((job) => control(job.id, { action: "stop" }, this.token)));
    const failed = results
      .map((result, i) => ({ result, job: running[i] }))
      .filter(({ result }) => result.status === "rejected" && !ALREADY_GONE.has(result.reason.status));
    if (failed.length === 0) {
      this.say(`Stopped ${running.length} run${running.length === 1 ? "" : "s"}.`);
      return;
    }
    const why = failed.map(({ result, job }) => `${learnerOf(job)}: ${reason(result.reason)}`).join("; ");
    this.say(`${running.length - failed.length} of ${running.length} runs stopped. ${why}`, "error");
  }

  /** A line for the teacher (`notice`: about the connection, cleared by the next list). */
  say(text, kind = "info", notice = false) {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
    this.message.hidden = !text;
    this.notice = notice;
  }
}

new Room().start();
