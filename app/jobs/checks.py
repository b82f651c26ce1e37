"""Gradient checking a job: is its backward pass right at the weights it has now?

The weights are the job's own float64 parameters as its last frame wrote them to the
log (a paused job's are exactly those of the iteration it paused at), not the training
thread's, so a check never races the updates and works wherever the job runs.
"""

from dataclasses import dataclass

import numpy as np

from app.jobs.job import Job
from app.nn.gradcheck import EPSILON, THRESHOLD, gradient_check

MAX_EXAMPLES = 100  # the check costs two forward passes per parameter: keep m small


@dataclass(frozen=True)
class JobGradientCheck:
    """The course's check on a job: difference, pass/fail and where it differs most."""

    difference: float
    passed: bool
    worst: str
    threshold: float
    epsilon: float
    m: int
    n_parameters: int
    iteration: int  # the weights are those after this iteration (-1: the initial ones)


class NoWeightsError(Exception):
    """The job has no weights to check (not drawn yet) or they blew up (diverged)."""


def check_job_gradients(job: Job, max_examples: int = MAX_EXAMPLES) -> JobGradientCheck:
    """Two-sided differences against backward_propagation at the job's latest weights.

    Uses the first `max_examples` training examples X: (n_x, m) (the job's features), Y:
    (1, m); the problem, l2 and l1 as trained.
    """
    weights = job.log.weights()
    if weights is None:
        raise NoWeightsError("The job has not drawn its network yet: try again in a moment.")
    parameters = dict(weights.parameters)
    if not all(np.all(np.isfinite(p)) for p in parameters.values()):
        raise NoWeightsError("The job's weights are not finite numbers: nothing to check.")
    X = job.data.inputs(job.data.X_train[:, :max_examples])
    Y = job.data.Y_train[:, :max_examples]
    spec = job.spec
    result = gradient_check(
        parameters, X, Y, spec.activation, spec.l2, problem=spec.problem, l1=spec.l1
    )
    if not np.isfinite(result.difference):
        raise NoWeightsError("The cost is not finite at these weights: nothing to compare.")
    return JobGradientCheck(
        difference=result.difference,
        passed=result.passed,
        worst=result.worst,
        threshold=THRESHOLD,
        epsilon=EPSILON,
        m=X.shape[1],
        n_parameters=sum(p.size for p in parameters.values()),
        iteration=weights.iteration,
    )
