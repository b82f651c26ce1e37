// Your runs (/runs): every run this browser started (the tokens it keeps), as the server
// keeps them, across restarts; or, with the teacher's token the room keeps, every run on
// the server. Each opens on the playground with its charts, gives its files, or is deleted.

import * as api from "./api.js";
import { formatCost, formatScore, iterationsDone } from "./format.js";
import { isFinal, learnerOf, settingsLine } from "./roomcards.js";

const REFRESH_MS = 5000; // while a run is unfinished, the list is read again this often
const CONFIRM_MS = 4000; // how long "Delete?" waits for its second click
const FILES = ["parameters.json", "history.csv", "script.py"];
const MAX_COMPARED = 10; // as many runs as an experiment may have

const $ = (selector) => document.querySelector(selector);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The jobs this browser started that the server still has: listed at once, or one by one
 * for those it no longer keeps in memory (read back from its store). Gone ones are forgotten. */
async function ownJobs() {
  const ids = api.ownedIds();
  const tokens = ids.map(api.tokenFor).filter(Boolean);
  const listed = tokens.length ? await api.listJobs(tokens) : [];
  const known = new Set(listed.map((job) => job.id));
  const others = await Promise.all(
    ids
      .filter((id) => !known.has(id))
      .map((id) =>
        api.getJob(id).catch((error) => {
          if (error.status === 404) api.forgetToken(id);
          return null;
        }),
      ),
  );
  return [...listed, ...others.filter(Boolean)];
}

class RunsPage {
  constructor() {
    this.table = $('[data-testid="runs-table"]');
    this.body = this.table.querySelector("tbody");
    this.empty = $('[data-testid="runs-empty"]');
    this.message = $("#message");
    this.every = $('[data-testid="runs-every"]');
    this.admin = api.adminToken();
    $('[data-testid="runs-every-label"]').hidden = !this.admin;
    this.every.addEventListener("change", () => this.load());
    this.jobs = [];
    this.compared = new Set(); // the ids ticked to see side by side
    this.sideBySide = $('[data-testid="runs-side-by-side"]');
    this.showExperiments();
    setInterval(() => {
      if (document.visibilityState === "visible" && this.jobs.some((job) => !isFinal(job))) this.load();
    }, REFRESH_MS);
  }

  async load() {
    try {
      const jobs = this.every.checked ? await api.listJobs([this.admin]) : await ownJobs();
      this.show(jobs.sort((a, b) => b.created_at.localeCompare(a.created_at)));
      this.say("");
    } catch (error) {
      this.say(`Could not list the runs: ${error.message}`, "error");
    }
  }

  show(jobs) {
    this.jobs = jobs;
    $('[data-testid="runs-count"]').textContent = String(jobs.length);
    this.empty.hidden = jobs.length > 0;
    this.table.hidden = jobs.length === 0;
    this.body.replaceChildren(...jobs.map((job) => this.row(job)));
    this.linkCompared();
  }

  /** The experiments this browser started, newest first, each a link to its page. */
  showExperiments() {
    const list = api.ownedExperiments().reverse();
    const section = $('[data-testid="runs-experiments"]');
    section.hidden = list.length === 0;
    section.querySelector("ul").replaceChildren(
      ...list.map((experiment) => {
        const item = element("li");
        const link = element("a", "", `${experiment.vary} over ${experiment.values.length} values`);
        link.href = `experiment?id=${encodeURIComponent(experiment.id)}`;
        link.dataset.testid = "runs-experiment";
        const when = new Date(experiment.created_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
        item.append(link, element("span", "muted", ` · ${when}`));
        return item;
      }),
    );
  }

  /** A tick that puts the run in the side-by-side view (up to MAX_COMPARED). */
  compareBox(job) {
    const td = element("td");
    const box = element("input");
    box.type = "checkbox";
    box.dataset.testid = "runs-compare";
    box.checked = this.compared.has(job.id);
    box.setAttribute("aria-label", `Compare the run of ${settingsLine(job.config)}`);
    box.addEventListener("change", () => {
      if (box.checked && this.compared.size >= MAX_COMPARED) {
        box.checked = false;
        this.say(`At most ${MAX_COMPARED} runs side by side.`, "error");
        return;
      }
      if (box.checked) this.compared.add(job.id);
      else this.compared.delete(job.id);
      this.linkCompared();
    });
    td.append(box);
    return td;
  }

  linkCompared() {
    const ids = this.jobs.map((job) => job.id).filter((id) => this.compared.has(id));
    this.sideBySide.hidden = ids.length < 2;
    this.sideBySide.href = `experiment?jobs=${ids.reverse().map(encodeURIComponent).join(",")}`;
  }

  row(job) {
    const tr = element("tr");
    tr.dataset.testid = "runs-row";
    tr.dataset.job = job.id;
    tr.append(this.compareBox(job));
    const started = new Date(job.created_at);
    const cells = [
      started.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }),
      learnerOf(job),
      settingsLine(job.config),
      job.status,
      iterationsDone(job.iteration, job.status === "diverged"),
      formatCost(job.metrics.cost),
      formatScore(job.metrics, "train"),
      formatScore(job.metrics, "test"),
    ];
    cells.forEach((text, i) => {
      const td = element("td", i >= 4 ? "num" : "", text);
      if (i === 3) td.dataset.testid = "runs-status";
      tr.append(td);
    });
    const files = element("td", "runs-files");
    for (const name of FILES) {
      const link = element("a", "", name);
      link.href = `api/jobs/${encodeURIComponent(job.id)}/${name}`;
      link.download = `${job.id}-${name}`;
      files.append(link, " ");
    }
    tr.append(files, this.actions(job));
    return tr;
  }

  actions(job) {
    const td = element("td", "runs-actions");
    const open = element("a", "text-button", "Open");
    open.href = `./?job=${encodeURIComponent(job.id)}`;
    open.dataset.testid = "runs-open";
    open.title = "Open it on the playground, with its charts";
    td.append(open);
    const token = this.every.checked ? this.admin : api.tokenFor(job.id);
    if (token) td.append(this.deleteButton(job, token));
    return td;
  }

  /** Delete takes two clicks: the first asks, the second (within CONFIRM_MS) deletes. */
  deleteButton(job, token) {
    const button = element("button", "text-button danger", "Delete");
    button.type = "button";
    button.dataset.testid = "runs-delete";
    let asked = 0;
    button.addEventListener("click", async () => {
      if (Date.now() - asked > CONFIRM_MS) {
        asked = Date.now();
        button.textContent = "Delete? Click again";
        setTimeout(() => (button.textContent = "Delete"), CONFIRM_MS);
        return;
      }
      button.disabled = true;
      try {
        await api.deleteJob(job.id, token);
        api.forgetToken(job.id);
        this.show(this.jobs.filter((j) => j.id !== job.id));
        this.say(`Deleted the run of ${settingsLine(job.config)}.`);
      } catch (error) {
        button.disabled = false;
        this.say(`Could not delete it: ${error.message}`, "error");
      }
    });
    return button;
  }

  say(text, kind = "info") {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
    this.message.hidden = !text;
  }
}

new RunsPage().load();
