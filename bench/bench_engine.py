"""Benchmark of the engine (a script, not a test): prints a table of measured speeds.

    python bench/bench_engine.py [--iterations 2000] [--rounds 12] [--chunk 200]

Each row trains the same network on the notebook's flower data (400 points), the cost
computed every iteration as the live view needs, with:
  - baseline: the notebook's loop written line by line (bench/baseline.py);
  - contract-1: the `app.nn.model` functions (forward, cost, backward, update);
  - trainer: `app.nn.trainer.Trainer.steps()`, which runs the in-place fast path
    (app/nn/fast.py);
  - scikit-learn's MLPClassifier and torch, if they are installed (they are not
    dependencies: the script only tries to import them).
First every implementation runs `iterations` iterations from the same start, and the
table gives the largest |cost difference| from the baseline over them. Then they take
turns, `chunk` iterations each, until each has run `rounds` x `iterations` more; the
machine is shared and noisy, so the table reports the iterations per second of the
best and of the median chunk, and the ratios to the baseline's. The goal for the
lecture's run: at least 2.5x the baseline, costs equal to it within 1e-9.
"""

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nn import datasets, model  # noqa: E402
from app.nn.trainer import TrainConfig, Trainer  # noqa: E402
from bench import baseline  # noqa: E402

Step = Callable[[], float]  # runs one iteration, returns its cost


class Case(NamedTuple):
    """One row's network: the lecture's [2, 4, 1] tanh, or a deeper relu one."""

    name: str
    config: TrainConfig


LECTURE = Case("[2,4,1] tanh, lr 1.2", TrainConfig((2, 4, 1), "tanh", "course", 2, 1.2))
DEEP = Case("[2,8,8,1] relu, lr 0.1", TrainConfig((2, 8, 8, 1), "relu", "he", 4, 0.1))


def baseline_steps(case: Case, X: np.ndarray, Y: np.ndarray) -> Step:
    """The body of the notebook's loop (baseline.nn_model, or deep_model for the deep row)."""
    c = case.config
    alpha = c.learning_rate
    if case is LECTURE:
        parameters = baseline.initialize_parameters(2, 4, 1, c.seed or 0)

        def step() -> float:
            nonlocal parameters
            A2, cache = baseline.forward_propagation(X, parameters)
            cost = baseline.compute_cost(A2, Y)
            grads = baseline.backward_propagation(parameters, cache, X, Y)
            parameters = baseline.update_parameters(parameters, grads, alpha)
            return cost

        return step
    deep = baseline.initialize_deep(list(c.layer_dims), c.seed or 0, c.init)

    def deep_step() -> float:
        nonlocal deep
        deep, cost = baseline.deep_iteration(X, Y, deep, c.activation, alpha)
        return cost

    return deep_step


def contract_steps(case: Case, X: np.ndarray, Y: np.ndarray) -> Step:
    """The app.nn.model functions: forward_propagation, compute_cost, backward, update."""
    c = case.config
    parameters = model.initialize_parameters(c.layer_dims, c.seed, c.init)

    def step() -> float:
        nonlocal parameters
        AL, cache = model.forward_propagation(X, parameters, c.activation)
        cost = model.compute_cost(AL, Y)
        grads = model.backward_propagation(parameters, cache, X, Y, c.activation)
        parameters = model.update_parameters(parameters, grads, c.learning_rate)
        return cost

    return step


def trainer_steps(case: Case, X: np.ndarray, Y: np.ndarray) -> Step:
    """Trainer.steps(), as the server and the CLI drive it (the in-place fast path)."""
    steps = Trainer(dataclasses.replace(case.config, iterations=10**9), X, Y).steps()
    return lambda: next(steps).cost


def sklearn_steps(case: Case, X: np.ndarray, Y: np.ndarray) -> Step | None:
    """MLPClassifier, one partial_fit (an epoch of one full batch) per iteration."""
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    c = case.config
    clf = MLPClassifier(
        hidden_layer_sizes=c.layer_dims[1:-1],
        activation=c.activation,
        solver="sgd",
        learning_rate_init=c.learning_rate,
        momentum=0.0,
        alpha=0.0,
        batch_size=X.shape[1],
        shuffle=False,
        random_state=c.seed,
    )
    X_rows, y = X.T, Y.ravel()

    def step() -> float:
        clf.partial_fit(X_rows, y, classes=[0.0, 1.0])
        return float("nan")  # its own init: no cost to compare

    return step


def torch_steps(case: Case, X: np.ndarray, Y: np.ndarray) -> Step | None:
    """The same equations on float64 torch tensors, autograd for the backward pass."""
    try:
        import torch
    except ImportError:
        return None
    c = case.config
    g = {"tanh": torch.tanh, "relu": torch.relu}[c.activation]
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    start = model.initialize_parameters(c.layer_dims, c.seed, c.init)
    p = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in start.items()}
    L = len(c.layer_dims) - 1

    def step() -> float:
        A = Xt
        for l in range(1, L + 1):
            Z = p[f"W{l}"] @ A + p[f"b{l}"]
            A = torch.sigmoid(Z) if l == L else g(Z)
        cost = -(Yt * torch.log(A) + (1 - Yt) * torch.log(1 - A)).mean()
        cost.backward()
        with torch.no_grad():
            for v in p.values():
                v -= c.learning_rate * v.grad
                v.grad = None
        return cost.item()

    return step


MAKERS = {
    "baseline": baseline_steps,
    "contract-1": contract_steps,
    "trainer": trainer_steps,
    "sklearn": sklearn_steps,
    "torch": torch_steps,
}


def measure(
    steppers: dict[str, Step], iterations: int, rounds: int, chunk: int
) -> dict[str, list[float]]:
    """Seconds per iteration over chunks of `chunk` iterations, the implementations
    taking turns chunk by chunk, `rounds` times `iterations` iterations each."""
    seconds: dict[str, list[float]] = {name: [] for name in steppers}
    for _ in range(rounds * iterations // chunk):
        for name, step in steppers.items():
            start = time.perf_counter()
            for _ in range(chunk):
                step()
            seconds[name].append((time.perf_counter() - start) / chunk)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=2000, help="compared (default 2000)")
    parser.add_argument("--rounds", type=int, default=12, help="timed rounds of them (12)")
    parser.add_argument("--chunk", type=int, default=200, help="iterations a timing (200)")
    args = parser.parse_args()
    X, Y = datasets.make("flower", n_samples=400, noise=0.2, seed=1)

    print(
        f"numpy {np.__version__}, m = {X.shape[1]}; costs compared over {args.iterations} "
        f"iterations; speed from chunks of {args.chunk} iterations, taking turns\n"
    )
    print(
        f"{'network':24} {'implementation':14} {'best it/s':>10} {'median it/s':>12} "
        f"{'x base (best)':>14} {'x base (median)':>16} {'max |cost - baseline|':>22}"
    )
    for case in (LECTURE, DEEP):
        fresh = {name: make(case, X, Y) for name, make in MAKERS.items()}
        steppers = {name: step for name, step in fresh.items() if step is not None}
        costs = {name: [step() for _ in range(args.iterations)] for name, step in steppers.items()}
        reference = np.array(costs["baseline"])
        seconds = measure(steppers, args.iterations, args.rounds, args.chunk)
        base_best, base_median = min(seconds["baseline"]), statistics.median(seconds["baseline"])
        for name, times in seconds.items():
            best, median = min(times), statistics.median(times)
            diff = float(np.max(np.abs(np.array(costs[name]) - reference)))
            shown = "n/a (own init)" if np.isnan(diff) else f"{diff:.1e}"
            print(
                f"{case.name:24} {name:14} {1 / best:10,.0f} {1 / median:12,.0f} "
                f"{base_best / best:13.2f}x {base_median / median:15.2f}x {shown:>22}"
            )
        skipped = sorted(set(fresh) - set(steppers))
        if skipped:
            print(f"{case.name:24} {', '.join(skipped)}: not installed, not timed")
        print()


if __name__ == "__main__":
    main()
