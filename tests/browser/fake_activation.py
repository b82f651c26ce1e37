"""`python -m tests.browser.fake_activation serve ...`: the gradlive command with one more
activation in the registry, softsign, to show that the registry is all the page needs."""

import numpy as np

from app.cli import main
from app.nn import activations


def softsign(Z: np.ndarray) -> np.ndarray:
    return Z / (1.0 + np.abs(Z))


def softsign_prime(Z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.abs(Z)) ** 2


activations.ACTIVATIONS["softsign"] = activations.Activation(
    softsign, softsign_prime, "softsign (test)", "ss", "1 / (1 + |Z{l}|)²"
)

if __name__ == "__main__":
    raise SystemExit(main())
