"""A job's exports (docs/api.md): its parameters, its cost history, and a script that retrains it.

Each is built from what the job keeps: the parameters its log holds at full precision, the
cost of every iteration, and the config it was started with. The script is written from a
Jinja2 template (templates/script.py.j2) that reads as the lecture: one equation a line.
"""

import csv
import inspect
import io
import math
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from app.jobs.job import Job
from app.jobs.log import History
from app.jobs.owndata import is_own
from app.jobs.spec import RunSpec
from app.nn import activations, datasets, optimizers
from app.nn.features import DEFAULT as DEFAULT_FEATURES

SCRIPT_TEMPLATE = "script.py.j2"
SCRIPT_ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu")  # those the template writes


class NoParametersError(Exception):
    """The job has not written its parameters yet (it has not started)."""


class NoScriptError(Exception):
    """The script writes the lecture's problem out; this job is of another kind."""


def script_gap(spec: RunSpec) -> str | None:
    """Why the script cannot retrain `spec`'s run, or None: it writes out the lecture's
    problem (two classes, a sigmoid output, the inputs x1 and x2) on a server dataset."""
    if is_own(spec.dataset):
        return "it was trained on a learner's own data, which the script cannot redraw"
    if spec.problem != "binary":
        return f"it is a {spec.problem} run; the script writes out the two-class problem"
    if tuple(spec.features) != DEFAULT_FEATURES:
        return "it feeds the network other inputs than x1 and x2"
    if spec.l1:
        return "it trains with L1 regularisation, which the script does not write out"
    if spec.activation not in SCRIPT_ACTIVATIONS:
        return f"its hidden activation, {spec.activation}, is not one the script writes out"
    return None


def parameters_of(job: Job) -> dict[str, np.ndarray]:
    """The job's latest {"W1": (n[1], n_x), "b1": (n[1], 1), ...} as float64, in layer order."""
    weights = job.log.weights()
    if weights is None:
        raise NoParametersError("The job has no parameters yet: try again in a moment.")
    L = len(weights.parameters) // 2
    names = [f"{kind}{l}" for l in range(1, L + 1) for kind in "Wb"]
    return {name: np.asarray(weights.parameters[name], dtype=np.float64) for name in names}


def parameters_json(job: Job) -> dict[str, list[list[float | None]]]:
    """The parameters as nested lists; NaN and infinities (a diverged job) as None."""
    return nested_lists(parameters_of(job))


def nested_lists(arrays: Mapping[str, np.ndarray]) -> dict[str, list[list[float | None]]]:
    """2-D arrays as nested lists; NaN and infinities (a diverged job) as None: JSON has none."""
    return {
        name: [[x if math.isfinite(x) else None for x in row] for row in value.tolist()]
        for name, value in arrays.items()
    }


def parameters_npz(job: Job) -> bytes:
    """The parameters as np.savez writes them: np.load(file)["W1"] and so on."""
    buffer = io.BytesIO()
    np.savez(buffer, **parameters_of(job))  # type: ignore[arg-type]
    return buffer.getvalue()


def history_csv(job: Job) -> str:
    """`iteration,cost` (and `test_cost` with a test split), one row per iteration so far.

    A row's test cost is measured at the same weights as its cost (after the iteration
    before it), where a frame measured it, as the page draws it; empty elsewhere. The test
    cost at the final weights, after the last iteration, is the job's `metrics.test_cost`.
    """
    history = job.log.history()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    tested = job.data.X_test.shape[1] > 0
    writer.writerow(["iteration", "cost", *(["test_cost"] if tested else [])])
    writer.writerows(_rows(history, tested))
    return out.getvalue()


def _rows(history: History, tested: bool) -> Iterator[list[str]]:
    # Measured after iteration k, a test cost is iteration k + 1's (k = -1: the initial weights).
    test = dict(zip((k + 1 for k in history.test_iterations), history.test_costs, strict=True))
    for i, cost in enumerate(history.costs):
        row = [str(i), _number(cost)]
        if tested:
            row.append(_number(test[i]) if i in test else "")
        yield row


def _number(x: float) -> str:
    """A float at full precision (its repr round-trips), `nan`, `inf` or `-inf`."""
    return repr(float(x))


@dataclass(frozen=True)
class Layer:
    """Layer l of the script: W{l}: (n, n_prev), with its activation's name."""

    l: int
    n: int
    n_prev: int
    g: str  # "sigmoid" for the output layer


def script(job: Job, templates: Path) -> str:
    """A standalone NumPy script that regenerates the job's data and retrains its run;
    NoScriptError for a run of another kind than the lecture's (script_gap)."""
    if gap := script_gap(job.spec):
        raise NoScriptError(
            f"No script for this job: {gap}. Its parameters and cost history download as ever."
        )
    return render_script(job.spec, templates, job_id=job.id, notes=_notes(job))


def render_script(
    spec: RunSpec, templates: Path, job_id: str = "", notes: tuple[str, ...] = ()
) -> str:
    """The script for `spec` (its dataset, split, network, init, optimizer and run)."""
    dims = [2, *spec.hidden_layers, 1]
    L = len(dims) - 1
    layers = [
        Layer(l, dims[l], dims[l - 1], "sigmoid" if l == L else spec.activation)
        for l in range(1, L + 1)
    ]
    m = spec.n_samples  # every dataset makes exactly n_samples points
    n_test = round(spec.test_fraction * m)
    m_train = m - n_test
    batch = spec.batch_size if spec.batch_size is not None and spec.batch_size < m_train else None
    context: dict[str, Any] = {
        "job_id": job_id,
        "notes": notes,
        "spec": spec,
        "dims": dims,
        "layers": layers,
        "L": L,
        "m": m,
        "m_train": m_train,
        "n_test": n_test,
        "batch": batch,
        # The trainer's in-place fast path: the same equations, summed in another order.
        "fast_path": spec.optimizer == "gd" and batch is None,
        "init_scale": _init_scale(spec.init),
        "dataset_code": dataset_code(spec.dataset),
        "leaky_slope": activations.LEAKY_SLOPE,
        "beta": optimizers.BETA,
        "beta1": optimizers.BETA1,
        "beta2": optimizers.BETA2,
        "epsilon": optimizers.EPSILON,
        "print_every": _print_every(spec.iterations),
        "rule": _rule,
        "layer_dict": partial(_layer_dict, L),
        "unpack": _unpack,
    }
    return _environment(templates).get_template(SCRIPT_TEMPLATE).render(context)


RULE_WIDTH = 90  # the section rules' length: "# ---- The data ----...----"
PER_LINE = 3  # layers a line in the script's dicts and unpackings, so lines stay short


def _rule(title: str) -> str:
    """A section's rule: `# ---- title ------...`."""
    head = f"# ---- {title} "
    return head + "-" * max(4, RULE_WIDTH - len(head))


def _layer_dict(L: int, a: str, b: str) -> str:
    """`{"W1": W1, "b1": b1, ...}` for layers 1..L: on one line, or a line a layer when long."""
    pairs = [f'"{a}{l}": {a}{l}, "{b}{l}": {b}{l}' for l in range(1, L + 1)]
    if L <= PER_LINE:
        return "{" + ", ".join(pairs) + "}"
    return "{\n" + "".join(f"        {pair},\n" for pair in pairs) + "    }"


def _unpack(source: str, kind: str, layers: list[int]) -> str:
    """`W1, W2 = parameters["W1"], parameters["W2"]`, three a line (indented 4 past the first)."""
    lines = []
    for k in range(0, len(layers), PER_LINE):
        group = layers[k : k + PER_LINE]
        names = ", ".join(f"{kind}{l}" for l in group)
        lookups = ", ".join(f'{source}["{kind}{l}"]' for l in group)
        lines.append(f"{names} = {lookups}")
    return "\n    ".join(lines)


def _init_scale(init: str) -> str:
    """The factor of randn(n, n_prev) in Python, with n_prev as `{n_prev}`."""
    return {"course": "0.01", "he": "np.sqrt(2 / {n_prev})", "xavier": "np.sqrt(1 / {n_prev})"}[
        init
    ]


def _print_every(iterations: int) -> int:
    """How often the script prints the cost: a power of ten, three to thirty lines a run."""
    every = 1
    while every * 10 <= max(1, iterations // 3):
        every *= 10
    return every


def _notes(job: Job) -> tuple[str, ...]:
    """What the script cannot replay of this job's run, for the comment at its top."""
    notes = []
    rates = job.log.snapshot()[0].learning_rates
    if len(rates) > 1 or job.learning_rate != job.spec.learning_rate:
        changes = ", ".join(f"{alpha:g} from iteration {first:,}" for first, alpha in rates)
        notes.append(
            "The learning rate was changed during the run"
            + (f" ({changes})" if changes else "")
            + f": this script trains with the rate it started with, {job.spec.learning_rate:g}, "
            "throughout, so its costs part from the job's at the first change."
        )
    done = job.log.measure.iteration + 1
    if job.status == "stopped":
        notes.append(
            f"The job was stopped after {done:,} of {job.spec.iterations:,} iterations: "
            f"set iterations = {done} below to end where it did."
        )
    elif job.status == "failed":
        notes.append(f"The job failed on the server after {done:,} iterations.")
    elif not job.final:
        notes.append(
            f"The job was {job.status}, {done:,} of {job.spec.iterations:,} iterations done, "
            "when this script was written: the script trains the whole run."
        )
    return tuple(notes)


def dataset_code(name: str) -> str:
    """The source of the dataset's maker in app.nn.datasets, with the helpers and constants
    it uses, in an order that runs: the very code the server draws its points with."""
    maker = datasets.MAKERS[name]
    if not isinstance(maker, types.FunctionType):
        raise ValueError(f"dataset {name!r} is not made by a function of app.nn.datasets")
    constants: dict[str, Any] = {}
    functions: list[types.FunctionType] = []
    _collect(maker, constants, functions)
    lines = [f"{key} = {value!r}" for key, value in constants.items()]
    parts = ["\n".join(lines)] if lines else []
    parts += [inspect.getsource(function).strip() for function in functions]
    return "\n\n\n".join(parts)


def _collect(
    function: types.FunctionType, constants: dict[str, Any], functions: list[types.FunctionType]
) -> None:
    """Add the module-level names `function` uses, helpers first, then `function` itself."""
    module = vars(datasets)
    for name in _global_names(function.__code__):
        value = module.get(name)
        if isinstance(value, types.FunctionType) and value.__module__ == datasets.__name__:
            if value not in functions and value is not function:
                _collect(value, constants, functions)
        elif name.isupper() and isinstance(value, int | float) and name not in constants:
            constants[name] = value
    functions.append(function)


def _global_names(code: types.CodeType) -> list[str]:
    names = list(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):  # comprehensions (Python 3.11)
            names += _global_names(const)
    return names


@cache
def _environment(templates: Path) -> jinja2.Environment:
    """Jinja2 for Python source: no HTML escaping, block tags leave no blank lines."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
