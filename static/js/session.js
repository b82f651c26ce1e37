// The job the page watches, from its creation to the next one: starting, attaching to,
// watching, stopping and controlling it through the API. It holds the page's one piece
// of run state (the watched job's record) and leaves all drawing to the views.

import * as api from "./api.js";
import { settingsFromConfig, toConfig } from "./controls.js";
import { displayLabel } from "./runs.js";
import { JobSocket, earlyJob } from "./socket.js";

const FINAL = new Set(["done", "stopped", "diverged", "failed", "interrupted"]);
const PLAYING = new Set(["queued", "running"]);
const ACTIVE = new Set(["queued", "running", "paused"]);
// Settings a running job takes at once (control "set"); any other change starts a new run.
const LIVE = new Set(["learning_rate", "speed"]);

let asked = { key: null, data: null }; // the latest data settings asked for, and their answer

/**
 * The points a run with settings `s` would train on (and test on): GET /api/datasets/{name},
 * asked once for the same data settings in a row (main.js asks before it builds the page).
 */
export function readyData(s) {
  const params = { n_samples: s.n_samples, noise: s.noise, seed: s.data_seed, test_fraction: s.test_fraction };
  const key = JSON.stringify([s.dataset, params]);
  if (asked.key !== key) {
    const data = api.getDataset(s.dataset, params);
    asked = { key, data };
    data.catch(() => {
      if (asked.data === data) asked = { key: null, data: null }; // asked again next time
    });
  }
  return asked.data;
}

export class Session {
  /**
   * controls: the settings form; runBar: for the sentences it says; runs: the runs to
   * compare; views: the job's views (messages.js); settingsView: what shows the settings.
   */
  constructor({ controls, runBar, runs, views, settingsView }) {
    this.controls = controls;
    this.runBar = runBar;
    this.runs = runs;
    this.views = views;
    this.settingsView = settingsView;
    this.job = null; // the job watched: {id, status, iteration, config, ...}
    this.starting = null; // the pending POST /api/jobs, while a run is being created
    this.runToken = 0; // counts new runs: the answer to an older POST is out of date
    this.readyToken = 0; // the latest ready-state data request; older answers are dropped
    this.socket = null;
  }

  get settings() {
    return this.controls.settings;
  }

  get playing() {
    return Boolean(this.job && PLAYING.has(this.job.status));
  }

  // ---- watching ---------------------------------------------------------------------

  /** Watch a job that already exists (a reload, or a shared link with ?job=). */
  async attach(jobId) {
    try {
      // A shared link's socket has brought the job already (as a rule): no request to wait for.
      const job = (await earlyJob(jobId)) || (await api.getJob(jobId));
      this.controls.show(settingsFromConfig(job.config));
      this.settingsView.show(job); // the URL names the job at once: watch leaves it as it is
      this.watch(job);
    } catch (error) {
      this.ready();
      const gone = error.status === 404;
      if (gone) this.runs.expire(jobId);
      this.runBar.say(
        gone
          ? "That run is no longer on the server. Its settings are restored: press ▶ to train it again."
          : `Could not reach the run: ${error.message}`,
        gone ? "info" : "error",
      );
    }
  }

  /** No job: the settings are shown, the views are empty, ▶ starts a run. */
  ready() {
    this.unwatch();
    this.job = null;
    this.runs.unwatch();
    this.views.clear();
    this.settingsView.show(this.job);
    this.showReadyData();
  }

  /** Before a run, the points it would train on (and test on) under an empty boundary. */
  async showReadyData() {
    this.readyToken += 1;
    const token = this.readyToken;
    let data;
    try {
      data = await readyData(this.settings);
    } catch {
      return; // the run itself will report bad settings
    }
    // Settings may have changed, or a run started, while the points were on their way.
    if (this.job || this.starting || token !== this.readyToken) return;
    this.views.showData(data);
    this.settingsView.show(this.job);
  }

  watch(job) {
    this.unwatch();
    this.job = job;
    this.views.watching(job);
    this.runs.watch(job);
    this.settingsView.updateUrl(job);
    this.runBar.setOwned(api.ownsJob(job.id), job.learner);
    this.socket = new JobSocket(job.id, {
      token: api.tokenFor(job.id),
      history: "preview", // JobViews draws a long run's preview, then reads its history
      onMessage: (message) => this.receive(job.id, message),
      onRetry: () => this.runBar.say("Connection lost: reconnecting…", "warning"),
      onGone: () => {
        this.runs.expire(job.id);
        this.ready();
        this.runBar.say("That run is no longer on the server: press ▶ to train again.", "info");
      },
    });
  }

  unwatch() {
    if (this.socket) this.socket.close();
    this.socket = null;
    this.runBar.setOwned(true);
  }

  /** Keep the job's record up to date from its message, then let the views draw it. */
  receive(jobId, message) {
    if (!this.job || this.job.id !== jobId) return; // a message of a run left behind
    if (message.type === "snapshot") {
      this.job = message.job;
    } else if (message.type === "progress") {
      this.job.iteration = message.iteration;
    } else if (message.type === "status") {
      this.job.status = message.status;
      this.job.detail = message.detail;
    }
    this.views.apply(this.job, message);
  }

  // ---- new runs ---------------------------------------------------------------------

  /** Start a new run with the current settings (or only get ready for one). */
  async newRun({ play, paused = false }) {
    this.stopWatched();
    this.runToken += 1;
    const token = this.runToken;
    this.starting = null; // a POST still out belongs to an older run now
    if (!play) {
      this.ready();
      return null;
    }
    this.unwatch();
    this.job = null;
    this.views.connecting();
    const config = { ...toConfig(this.settings), start_paused: paused };
    // Clicks that arrive while the POST is out wait for it (see play and step).
    this.starting = api.createJob(config).then(
      (job) => {
        if (token !== this.runToken) {
          // The settings changed again meanwhile: this run is already out of date.
          api.control(job.id, { action: "stop" }).catch(() => {});
          return null;
        }
        this.watch(job);
        return job;
      },
      (error) => {
        if (token === this.runToken) {
          this.ready();
          this.runBar.say(`Could not start the run: ${error.message}`, "error");
        }
        return null;
      },
    );
    const job = await this.starting;
    if (token === this.runToken) this.starting = null;
    return job;
  }

  /** Stop the watched job if it is still training (its other viewers see "stopped"). */
  stopWatched() {
    const job = this.job;
    if (job && ACTIVE.has(job.status) && api.ownsJob(job.id)) {
      api.control(job.id, { action: "stop" }).catch(() => {});
      this.runs.stopped(job.id);
    }
  }

  /** Show a listed run's settings in the form (and the URL); the viewer presses ▶ to train. */
  async loadRun(id) {
    const run = this.runs.get(id);
    if (!run) return;
    this.controls.show(run.settings);
    await this.newRun({ play: false });
    const label = displayLabel(run);
    this.runBar.say(`Settings of run #${run.number} (${label}) loaded: press ▶ to train them.`);
  }

  // ---- the run bar's actions --------------------------------------------------------

  async play() {
    if (this.starting) return;
    if (!this.job || FINAL.has(this.job.status)) await this.newRun({ play: true });
    else if (this.job.status === "paused") await this.command({ action: "resume" });
  }

  async pause() {
    if (this.playing) await this.command({ action: "pause" });
  }

  /** Space: pause a playing run, else play. */
  playOrPause() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Run `steps` iterations, then pause (a new paused run if there is none). */
  async step(steps) {
    if (this.starting) await this.starting;
    if (!this.job || FINAL.has(this.job.status)) {
      if (!(await this.newRun({ play: true, paused: true }))) return;
    }
    await this.command({ action: "step", steps });
  }

  /**
   * Start again from iteration 0 with new weights, as TF Playground's reset does: a new
   * seed (shown in the form and the URL) and a new run, which plays if the old one was
   * playing and otherwise waits, paused, with its new weights drawn. With no run yet,
   * only the seed is new.
   */
  async reset() {
    const [play, hadRun] = [this.playing, Boolean(this.job)];
    this.controls.show({ ...this.settings, seed: newSeed(this.settings.seed) });
    await this.newRun(hadRun ? { play: true, paused: !play } : { play: false });
  }

  async stop() {
    await this.command({ action: "stop" });
  }

  /** Watching someone else's run: start one's own with its settings, from iteration 0. */
  async fork() {
    await this.newRun({ play: true });
  }

  /** POST a control to the watched job; the answer, or null after saying what went wrong. */
  async command(body) {
    if (!this.job) return null;
    if (!api.ownsJob(this.job.id)) {
      this.runBar.say(WATCHING, "info");
      return null;
    }
    try {
      return await api.control(this.job.id, body);
    } catch (error) {
      this.runBar.say(`Could not ${body.action}: ${error.message}`, "error");
      return null;
    }
  }

  /** A setting changed in the form: live for the learning rate and speed, else a new run. */
  async settingChanged(key) {
    this.runBar.say("");
    this.settingsView.show(this.job);
    // Someone else's run is never touched: a change there is a run of one's own.
    const steered = this.job && ACTIVE.has(this.job.status) && api.ownsJob(this.job.id);
    if (LIVE.has(key) && steered) {
      const [job, value] = [this.job, this.settings[key]];
      if (await this.command({ action: "set", [key]: value })) this.runs.setLive(job.id, key, value);
      return;
    }
    await this.newRun({ play: this.playing });
  }
}

const WATCHING =
  "You are watching a shared run: only whoever started it can steer it. Fork it to train your own copy.";

// New seeds stay short enough to read and type back: 1 to 99,999.
const MAX_NEW_SEED = 99999;

/** A random seed other than `old`. */
function newSeed(old) {
  const pick = () => 1 + Math.floor(Math.random() * MAX_NEW_SEED);
  let seed = pick();
  while (seed === old) seed = pick();
  return seed;
}
