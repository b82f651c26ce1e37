// The room's cards: one per job, kept by its id and updated in place, so that a button under
// the teacher's pointer stays where it is while the numbers change.

import { decodeBytes } from "./decode.js";
import { NOT_FINITE, formatCost, formatCount, formatScore, iterationsDone } from "./format.js";
import { LUT } from "./palette.js";

const FINAL = new Set(["done", "stopped", "diverged", "failed", "interrupted"]);
const ANONYMOUS = "anonymous";

/** Whether the job has ended: it takes no more commands. */
export function isFinal(job) {
  return FINAL.has(job.status);
}

/** Who started the job, as the room names them. */
export function learnerOf(job) {
  return job.learner || ANONYMOUS;
}

/** "flower · [4] tanh · α 1.2 · 10,000 it.", with the optimizer and batch when not the lecture's. */
export function settingsLine(config) {
  const parts = [
    config.dataset,
    `[${config.hidden_layers.join(", ")}] ${config.activation}`,
    `α ${config.learning_rate}`,
    `${formatCount(config.iterations)} it.`,
  ];
  if (config.optimizer !== "gd") parts.push(config.optimizer);
  if (config.batch_size) parts.push(`batch ${config.batch_size}`);
  return parts.join(" · ");
}

/**
 * The cost as the run bar shows it: with mini-batches the whole training set's, else the
 * last iteration's; a diverged run's is not finite (JSON carries it as null).
 */
function shownCost(job) {
  if (job.status === "diverged") return NOT_FINITE;
  const m = job.metrics;
  return formatCost(job.config.batch_size && m.train_cost !== null ? m.train_cost : m.cost);
}

/** Draw r x r bytes of P(y=1) on the colour scale; byte row 0 is the bottom of the plane. */
function drawThumbnail(canvas, thumbnail) {
  const r = thumbnail.resolution;
  const bytes = decodeBytes(thumbnail.z);
  canvas.width = r;
  canvas.height = r;
  const context = canvas.getContext("2d");
  const image = context.createImageData(r, r);
  for (let i = 0; i < r; i += 1) {
    const top = (r - 1 - i) * r; // canvas rows run downwards, the grid's rows upwards
    for (let j = 0; j < r; j += 1) {
      const byte = bytes[i * r + j];
      image.data.set(LUT.subarray(4 * byte, 4 * byte + 4), 4 * (top + j));
    }
  }
  context.putImageData(image, 0, 0);
}

export class RoomCards {
  /** list: the <ul>; template: a card's <template>; empty: shown while there is no job. */
  constructor(list, template, empty, { onAction }) {
    this.list = list;
    this.template = template;
    this.empty = empty;
    this.cards = new Map(); // job id -> {root, parts, job, thumbnail, busy}
    this.onAction = onAction;
  }

  /** Show `jobs` (oldest first): new ones are added at the end, gone ones removed. */
  show(jobs) {
    const ids = new Set(jobs.map((job) => job.id));
    for (const [id, card] of this.cards) {
      if (!ids.has(id)) {
        card.root.remove();
        this.cards.delete(id);
      }
    }
    for (const job of jobs) this.update(this.cards.get(job.id) || this.add(job), job);
    this.empty.hidden = jobs.length > 0;
  }

  /** Disable a card's buttons while one of its requests is under way. */
  setBusy(id, busy) {
    const card = this.cards.get(id);
    if (!card) return;
    card.busy = busy;
    this.update(card, card.job);
  }

  add(job) {
    const root = this.template.content.firstElementChild.cloneNode(true);
    const part = (testid) => root.querySelector(`[data-testid="${testid}"]`);
    const parts = {
      canvas: root.querySelector("canvas"),
      ...Object.fromEntries(
        ["learner", "status", "settings", "iteration", "cost", "train", "test", "open", "pause", "stop", "delete"].map(
          (name) => [name, part(`card-${name}`)],
        ),
      ),
    };
    const card = { root, parts, job, thumbnail: null, busy: false };
    root.dataset.job = job.id;
    parts.open.href = `./?job=${encodeURIComponent(job.id)}`;
    for (const button of root.querySelectorAll("button[data-action]")) {
      button.addEventListener("click", () => this.onAction(card.job, button.dataset.action));
    }
    this.cards.set(job.id, card);
    this.list.append(root);
    return card;
  }

  update(card, job) {
    const { parts } = card;
    card.job = job;
    parts.learner.textContent = learnerOf(job);
    parts.status.textContent = job.status;
    parts.status.dataset.status = job.status;
    parts.status.title = job.detail || "";
    parts.settings.textContent = settingsLine(job.config);
    parts.iteration.textContent = formatCount(iterationsDone(job.iteration, job.status === "diverged"));
    parts.cost.textContent = shownCost(job);
    parts.train.textContent = formatScore(job.metrics, "train");
    parts.test.textContent = formatScore(job.metrics, "test");
    const paused = job.status === "paused";
    parts.pause.textContent = paused ? "Resume" : "Pause";
    parts.pause.dataset.action = paused ? "resume" : "pause";
    parts.pause.disabled = card.busy || isFinal(job);
    parts.stop.disabled = card.busy || isFinal(job);
    parts.delete.disabled = card.busy;
    if (job.thumbnail && job.thumbnail.z !== card.thumbnail) {
      drawThumbnail(parts.canvas, job.thumbnail);
      card.thumbnail = job.thumbnail.z;
    }
  }
}
