"""Every refusal of the engine names the argument it concerns, whatever its wording."""

import numpy as np
import pytest

from app.nn import activations, datasets, features, model, optimizers, problems
from app.nn.errors import FieldError, renamed
from app.nn.fast import InPlaceGradientDescent
from app.nn.trainer import TrainConfig, Trainer

X, Y = datasets.make("flower", n_samples=40, seed=1)
P = model.initialize_parameters([2, 3, 1], seed=1)


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: activations.get("softmax"), "activation"),
        (lambda: optimizers.get("lbfgs"), "optimizer"),
        (lambda: problems.get("ranking"), "problem"),
        (lambda: model.initialize_parameters([2, 1], init="ones"), "init"),
        (lambda: model.initialize_parameters([2]), "layer_dims"),
        (lambda: model.forward_propagation(np.zeros((3, 5)), P), "X"),
        (lambda: model.check_penalty("l1", -1.0), "l1"),
        (lambda: datasets.make("mnist"), "name"),
        (lambda: datasets.make("flower", n_samples=1), "n_samples"),
        (lambda: datasets.make("flower", noise=-1.0), "noise"),
        (lambda: datasets.make("flower", seed=-1), "seed"),
        (lambda: datasets.make("flower", n_classes=3), "n_classes"),
        (lambda: datasets.make("spiral", n_classes=9), "n_classes"),
        (lambda: datasets.train_test_split(X, Y, 1.5, 0), "test_fraction"),
        (lambda: datasets.train_test_split(X[:, :2], Y[:, :2], 0.9, 0), "test_fraction"),
        (lambda: features.check(["x3"]), "features"),
        (lambda: features.check([]), "features"),
        (lambda: TrainConfig(learning_rate=0.0), "learning_rate"),
        (lambda: TrainConfig(iterations=-1), "iterations"),
        (lambda: TrainConfig(batch_size=0), "batch_size"),
        (lambda: TrainConfig(l2=float("inf")), "l2"),
        (lambda: Trainer(TrainConfig(), X, Y[:, :3]), "Y"),
        (lambda: InPlaceGradientDescent(P, X, Y, l2=-1.0), "l2"),
    ],
)
def test_a_refusal_names_its_field(call, field):
    with pytest.raises(FieldError) as refused:
        call()
    assert refused.value.field == field
    assert isinstance(refused.value, ValueError)  # docs/api.md, Python: a ValueError, as before


def test_renamed_gives_the_callers_name_and_leaves_the_others():
    with pytest.raises(FieldError) as refused, renamed({"seed": "data_seed"}):
        datasets.make("flower", seed=-1)
    assert refused.value.field == "data_seed" and "seed must be" in str(refused.value)
    with pytest.raises(FieldError) as refused, renamed({"seed": "data_seed"}):
        datasets.make("flower", noise=-1.0)
    assert refused.value.field == "noise"
