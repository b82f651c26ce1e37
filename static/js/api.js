// The HTTP API (docs/api.md, HTTP). URLs are relative, so the page also works under a path prefix.

import { learnerName } from "./learner.js";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A readable message from a FastAPI error body: "learning_rate: must be > 0". */
function errorMessage(status, body) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const field = (d.loc || []).filter((part) => part !== "body").join(".");
        return field ? `${field}: ${d.msg}` : d.msg;
      })
      .join("; ");
  }
  return `HTTP ${status}`;
}

// The token of each job this browser created (docs/api.md, HTTP): it steers the job, and is kept
// in localStorage so a reload keeps control; a shared link carries only the id.
const TOKENS_KEY = "gradlive.tokens";
const MAX_TOKENS = 200;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage refused: tokens live as long as the page
  }
}

const memory = new Map();

function loadTokens() {
  const stored = storage()?.getItem(TOKENS_KEY);
  try {
    return new Map(Object.entries(stored ? JSON.parse(stored) : {}));
  } catch {
    return new Map();
  }
}

function keepToken(id, token) {
  const tokens = loadTokens();
  tokens.set(id, token);
  const newest = [...tokens].slice(-MAX_TOKENS); // the oldest are long gone from the server
  memory.set(id, token);
  try {
    storage()?.setItem(TOKENS_KEY, JSON.stringify(Object.fromEntries(newest)));
  } catch {
    // a full or refused storage: the token still steers while this page lives
  }
}

/** The token of job `id` if this browser created it, else null. */
export function tokenFor(id) {
  return memory.get(id) ?? loadTokens().get(id) ?? null;
}

/** Whether this browser created the job (holds its token), so it may steer it. */
export function ownsJob(id) {
  return tokenFor(id) !== null;
}

// The teacher's token (GRADLIVE_ADMIN_TOKEN), asked once by the room and kept here for the
// room and the runs page.
const ADMIN_KEY = "gradlive.admin";

/** The teacher's token this browser keeps, or null. */
export function adminToken() {
  return storage()?.getItem(ADMIN_KEY) ?? null;
}

/** Keep the teacher's token (or forget it, given null) in this browser. */
export function keepAdminToken(token) {
  try {
    if (token) storage()?.setItem(ADMIN_KEY, token);
    else storage()?.removeItem(ADMIN_KEY);
  } catch {
    // refused storage: the token lasts as long as the page
  }
}

async function request(method, path, body, token = null) {
  const init = { method, headers: { Accept: "application/json" } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, data));
  return data;
}

/**
 * GET /api/datasets/{name}: the points a run with these data settings would use,
 * {name, train: {x1, x2, y}, test: {x1, x2, y}}; params: n_samples, noise, seed, test_fraction.
 */
export function getDataset(name, params = {}) {
  const query = new URLSearchParams(params).toString();
  return request("GET", `api/datasets/${encodeURIComponent(name)}${query ? `?${query}` : ""}`);
}

/**
 * POST /api/jobs: start a training job, named after this browser's learner (for the
 * teacher's room); resolves to the job ({id, status, config, ...}).
 */
export async function createJob(config) {
  const { token, ...job } = await request("POST", "api/jobs", { ...config, learner: learnerName() });
  keepToken(job.id, token);
  return job;
}

/** GET /api/jobs/{id}: the job, or an ApiError with status 404. */
export function getJob(id) {
  return request("GET", `api/jobs/${encodeURIComponent(id)}`);
}

/**
 * POST /api/jobs/{id}/control: {"action": "pause" | "resume" | "stop" | "step" | "set", ...},
 * with the job's token (or another that steers it: the teacher's).
 */
export function control(id, body, token = tokenFor(id)) {
  return request("POST", `api/jobs/${encodeURIComponent(id)}/control`, body, token);
}

/** DELETE /api/jobs/{id}: stop and remove the job, with its token or the teacher's. */
export function deleteJob(id, token = tokenFor(id)) {
  return request("DELETE", `api/jobs/${encodeURIComponent(id)}`, undefined, token);
}

/**
 * POST /api/jobs/{id}/gradcheck: the course's gradient check at the job's latest weights,
 * {difference, passed, worst, threshold, epsilon, m, n_parameters}; ApiError 409 when the
 * job has no finite weights, 404 for an unknown job, 429 while a check of it is under way.
 */
export function gradcheck(id) {
  return request("POST", `api/jobs/${encodeURIComponent(id)}/gradcheck`, undefined, tokenFor(id));
}

/**
 * GET /api/jobs/{id}/trace: one iteration at the job's latest weights, every array of the
 * lecture's equations ({iteration, m, columns, activation, learning_rate, cost, parameters,
 * cache, grads, norms, shapes}); ApiError 409 before the job has weights.
 */
export function trace(id) {
  return request("GET", `api/jobs/${encodeURIComponent(id)}/trace`);
}

/** The ids of the jobs this browser created (whose tokens it keeps), oldest first. */
export function ownedIds() {
  return [...new Set([...loadTokens().keys(), ...memory.keys()])];
}

/** Forget the token of a job the server no longer has (deleted, or pruned). */
export function forgetToken(id) {
  memory.delete(id);
  const tokens = loadTokens();
  if (!tokens.delete(id)) return;
  try {
    storage()?.setItem(TOKENS_KEY, JSON.stringify(Object.fromEntries(tokens)));
  } catch {
    // a refused storage keeps nothing to forget
  }
}

/** GET /api/jobs: the jobs the given tokens steer (every job for the teacher's), oldest first. */
export function listJobs(tokens) {
  return request("GET", "api/jobs", undefined, tokens.join(", "));
}

/**
 * GET /api/jobs/{id}/hidden: every point and the input plane's grid lines in the space of
 * two units of hidden layer `layer` ({train: {A, y}, test: {A, y}, grid: {A}, ...}).
 */
export function hiddenSpace(id, layer, units) {
  const query = new URLSearchParams({ layer, units: units.join(",") });
  return request("GET", `api/jobs/${encodeURIComponent(id)}/hidden?${query}`);
}

/** POST /api/jobs/{id}/weights: set parameter[row, col] = value ("W1", "b2", ...), with the job's token. */
export function editWeight(id, { parameter, row, col, value }) {
  const body = { parameter, row, col, value };
  return request("POST", `api/jobs/${encodeURIComponent(id)}/weights`, body, tokenFor(id));
}

/**
 * POST /api/datasets: keep a learner's points (CSV text) under a name any run may use;
 * resolves to {name, problem, n_samples, n_classes}. A refusal's message names the line.
 */
export async function createDataset(csv, regression = false) {
  const response = await fetch(`api/datasets${regression ? "?problem=regression" : ""}`, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "text/csv" },
    body: csv,
  });
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const detail = data && data.detail;
  // The server's message already says where ("line 3: x2 is not a number").
  const message = Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : errorMessage(response.status, data);
  throw new ApiError(response.status, message);
}

/** GET /api/experiments/{id}: {id, vary, values, jobs: [{id, value, status, iteration, metrics}]}. */
export function getExperiment(id) {
  return request("GET", `api/experiments/${encodeURIComponent(id)}`);
}

// The experiments this browser started, newest last, for the runs page to reopen: the
// server keeps them, but lists none (an id is all a viewer needs).
const EXPERIMENTS_KEY = "gradlive.experiments";
const MAX_EXPERIMENTS = 50;

/** The experiments this browser started: [{id, vary, values, created_at}], oldest first. */
export function ownedExperiments() {
  try {
    const list = JSON.parse(storage()?.getItem(EXPERIMENTS_KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function keepExperiment(entry) {
  const list = [...ownedExperiments().filter((e) => e.id !== entry.id), entry].slice(-MAX_EXPERIMENTS);
  try {
    storage()?.setItem(EXPERIMENTS_KEY, JSON.stringify(list));
  } catch {
    // a full or refused storage: the experiment is still reachable by its link
  }
}

/**
 * POST /api/experiments ({base, vary, values}): one job per value (docs/api.md, Experiments). Its token
 * is kept for each of its jobs, so this browser steers them as its own; resolves to {id, jobs}.
 */
export async function createExperiment({ base, vary, values }) {
  const body = { base: { ...base, learner: learnerName() }, vary, values };
  const { token, ...created } = await request("POST", "api/experiments", body);
  for (const id of created.jobs) keepToken(id, token);
  keepExperiment({ id: created.id, vary, values, created_at: new Date().toISOString() });
  return created;
}
