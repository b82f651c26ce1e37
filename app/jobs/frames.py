"""What a viewer sees of the model at one moment: metrics, boundary, network, neurons.

Computed by the runner only when a frame goes out (about 20 a second), never per
iteration. Parameters that blew up (NaN or infinite) still give a picture: JSON has no
NaN, so weights turn into null and probabilities into 0.5.
"""

import numpy as np

from app.jobs import messages
from app.jobs.log import Measure
from app.nn import grid
from app.nn.features import DEFAULT as DEFAULT_FEATURES
from app.nn.trainer import Trainer


def measure(trainer: Trainer, iteration: int, cost: float | None) -> Measure:
    """The trainer's metrics for its current parameters, after `iteration`.

    NaN and infinities stay: the log turns them into null.
    """
    metrics = trainer.metrics()
    return Measure(
        iteration,
        cost,
        metrics.train_accuracy,
        metrics.test_accuracy,
        metrics.test_cost,
        train_cost=metrics.train_cost,
        learning_rate=trainer.learning_rate,
        train_r2=metrics.train_r2,
        test_r2=metrics.test_r2,
    )


class Painter:
    """Draws a network's parameters over the plane of its data.

    X: (2, m) every point to show (train and test), so the grid's bounds cover them; Y
    their labels (a regression's values fix its colour scale). The grid feeds the network
    the job's `features` of its points and draws the `problem`'s output.
    """

    def __init__(
        self,
        X: np.ndarray,
        layer_dims: list[int],
        activation: str,
        resolution: int,
        neuron_resolution: int,
        *,
        problem: str = "binary",
        features: tuple[str, ...] = DEFAULT_FEATURES,
        Y: np.ndarray | None = None,
    ) -> None:
        self.grid = grid.DecisionGrid(grid.bounds(X), resolution, features)
        self.layer_dims = list(layer_dims)
        self.activation = activation
        self.neuron_resolution = neuron_resolution
        self.problem = problem
        self.features = features
        self.scale = float(np.max(np.abs(Y))) if Y is not None and Y.size else 1.0

    def boundary(
        self, parameters: dict[str, np.ndarray]
    ) -> messages.Boundary | messages.ClassBoundary | messages.ValueBoundary:
        """The websocket's boundary on the R x R grid, as bytes in base64: P(y=1) (binary),
        each cell's class and confidence (multi-class), the predicted value (regression)."""
        if self.problem == "binary":
            P = self.grid.probabilities(parameters, self.activation)
            P = np.nan_to_num(P, nan=0.5, posinf=1.0, neginf=0.0)
            return messages.boundary(self.grid, P)
        A = self.grid.outputs(parameters, self.activation, self.problem)
        if self.problem == "multiclass":
            return messages.class_boundary(self.grid, A)
        return messages.value_boundary(self.grid, A, self.scale)

    def details(self, parameters: dict[str, np.ndarray]) -> messages.Details:
        """The network's weights and its hidden units' heatmaps: {"network", "neurons"}."""
        return {"network": self.network(parameters), "neurons": self.neurons(parameters)}

    def network(self, parameters: dict[str, np.ndarray]) -> messages.Network:
        """Layer sizes, activation and every W[l], b[l] as nested lists (5 digits)."""
        return messages.network(
            self.layer_dims, self.activation, self.problem, self.features, parameters
        )

    def neurons(self, parameters: dict[str, np.ndarray]) -> messages.Neurons:
        """Each hidden unit's activation over a coarse r x r grid, 128 meaning 0."""
        units = self.grid.hidden_units(parameters, self.activation, self.neuron_resolution)
        units = [np.nan_to_num(A, nan=0.0, posinf=0.0, neginf=0.0) for A in units]
        return messages.neurons(units, self.neuron_resolution)
