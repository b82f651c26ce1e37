"""One iteration of a job, step by step (docs/api.md's trace): every array of the lecture's
equations at the job's current parameters, for the page to walk through while paused.

The forward and backward passes are app.nn.model's own; only the dZ[l] the backward pass
keeps to itself are written out again here (dZ[L] = A[L] - Y, dZ[l-1] = W[l]^T dZ[l] *
g'(Z[l-1])), since a learner walking backprop needs to see them. The arrays are computed
on the whole training set; above `columns` examples only evenly spaced columns are sent.
"""

import math
from typing import Any

import numpy as np

from app.jobs.exports import nested_lists, parameters_of
from app.jobs.job import Job
from app.nn import activations, model, problems


def trace(job: Job, columns: int) -> dict[str, Any]:
    """The iteration after the job's latest update: parameters, cache, grads, cost."""
    weights = job.log.weights()
    parameters = parameters_of(job)  # NoParametersError before the job has any
    spec = job.spec
    X, labels = job.data.inputs(job.data.X_train), job.data.Y_train
    problem = problems.get(spec.problem)
    Y = problem.targets(labels, spec.n_y)  # one-hot (K, m) for K classes
    AL, cache = model.forward_propagation(X, parameters, spec.activation, problem.name)
    cost = model.compute_cost(AL, Y, parameters, spec.l2, problem.name, spec.l1)
    grads = model.backward_propagation(parameters, cache, X, Y, spec.activation, spec.l2, spec.l1)
    deltas = _deltas(parameters, cache, Y, spec.activation)
    m = X.shape[1]
    kept = _columns(m, columns)
    examples = {"X": X, "Y": Y, **cache, **deltas}
    return {
        "iteration": weights.iteration + 1 if weights else 0,
        "m": m,
        "columns": kept.tolist() if len(kept) < m else None,
        "activation": spec.activation,
        "learning_rate": job.learning_rate,
        "cost": cost if math.isfinite(cost) else None,
        "parameters": nested_lists(parameters),
        "cache": nested_lists({name: value[:, kept] for name, value in examples.items()}),
        "grads": nested_lists(grads),
        "norms": {name: _norm(value) for name, value in grads.items()},
        "shapes": {
            name: list(value.shape) for name, value in {**parameters, **examples, **grads}.items()
        },
    }


def _deltas(
    parameters: dict[str, np.ndarray], cache: dict[str, np.ndarray], Y: np.ndarray, name: str
) -> dict[str, np.ndarray]:
    """dZ[L], ..., dZ[1], as backward_propagation computes them (without the L2 term)."""
    g_prime = activations.get(name).derivative
    L = model.n_layers(parameters)
    dZ = cache[f"A{L}"] - Y
    deltas = {f"dZ{L}": dZ}
    for l in range(L, 1, -1):
        dZ = np.dot(parameters[f"W{l}"].T, dZ) * g_prime(cache[f"Z{l - 1}"])
        deltas[f"dZ{l - 1}"] = dZ
    return deltas


def _columns(m: int, columns: int) -> np.ndarray:
    """Which examples are sent: all of them, or `columns` evenly spaced ones."""
    if m <= columns:
        return np.arange(m)
    return np.unique(np.linspace(0, m - 1, columns).round().astype(int))


def _norm(value: np.ndarray) -> float | None:
    norm = float(np.linalg.norm(value))
    return norm if math.isfinite(norm) else None
