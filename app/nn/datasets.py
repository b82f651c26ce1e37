"""Toy datasets in the plane, one example per column.

Every dataset is made by `make(name, n_samples, noise, seed)` and returns
X: (2, m) float64 and Y: (1, m) float64 holding 0.0 and 1.0: two classes, the lecture's
problem. "spiral" and "blobs" also take `n_classes` K (2 to 6): K arms, K centres, with
labels 0..K-1 (K = 2 is the two-class set). "reg-plane" and "reg-gauss" (TF Playground's
regression sets) hold a real value in [-1, 1] per point instead of a class. NAMES lists
them all, in menu order; CLASSIFICATION the two-class ones. All of them live
in roughly [-4.5, 4.5] x [-4.5, 4.5], the range of the course's flower, so the
same learning rates behave alike on each. `noise` is the standard deviation of
the Gaussian jitter, in the same units as X (the flower jitters its angle and
radius, as the notebook does). With an odd m, class 0 gets the extra point.

"flower" is the notebook's planar data, drawn from a local legacy
`np.random.RandomState(seed)`: seed 1, 400 samples and noise 0.2 give the
notebook's X and Y exactly. The others draw from `np.random.default_rng(seed)`.
"""

import math
from collections.abc import Callable
from numbers import Integral, Real
from typing import TypedDict

import numpy as np

from app.nn.errors import FieldError

Array = np.ndarray
Maker = Callable[[int, float, int], tuple[Array, Array]]

MAX_SEED = 2**32 - 1  # the legacy RandomState accepts seeds in [0, 2**32 - 1]


def _class_sizes(m: int) -> tuple[int, int]:
    """(m0, m1): the two class sizes, class 0 taking the extra point when m is odd."""
    return m - m // 2, m // 2


def _labels(m: int) -> Array:
    """Y: (1, m) of m0 zeros followed by m1 ones."""
    m0, m1 = _class_sizes(m)
    return np.concatenate([np.zeros(m0), np.ones(m1)]).reshape(1, m)


def _class_counts(m: int, K: int) -> list[int]:
    """How many points each of K classes gets: the first m % K one more (K = 2 as
    _class_sizes)."""
    return [m // K + (1 if k < m % K else 0) for k in range(K)]


def _k_labels(m: int, K: int) -> Array:
    """Y: (1, m): class 0's points, then class 1's, ..., class K-1's."""
    return np.repeat(np.arange(K, dtype=np.float64), _class_counts(m, K)).reshape(1, m)


def flower(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """The notebook's planar "flower": r = 4 sin(4t) petals, class 0 then class 1.

    Draws in the notebook's order from a local RandomState(seed), so (400, 0.2, 1)
    reproduces load_planar_dataset() bit for bit. X: (2, m), Y: (1, m).
    """
    rng = np.random.RandomState(seed)
    a = 4  # maximum ray of the flower
    X = np.zeros((2, n_samples))
    start = 0
    for j, N in enumerate(_class_sizes(n_samples)):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * noise  # theta
        r = a * np.sin(4 * t) + rng.randn(N) * noise  # radius
        X[:, start : start + N] = np.c_[r * np.sin(t), r * np.cos(t)].T
        start += N
    return X, _labels(n_samples)


def _jitter(rng: np.random.Generator, X: Array, noise: float) -> Array:
    """X plus Gaussian noise of standard deviation `noise` on every coordinate."""
    return X + rng.normal(0.0, noise, size=X.shape)


def circles(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Two concentric circles: class 0 on radius 3.5, class 1 on radius 1.75."""
    rng = np.random.default_rng(seed)
    radius = np.repeat([3.5, 1.75], _class_sizes(n_samples))
    t = rng.uniform(0.0, 2 * np.pi, n_samples)
    X = np.vstack([radius * np.cos(t), radius * np.sin(t)])
    return _jitter(rng, X, noise), _labels(n_samples)


def moons(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Two interleaving half circles (class 0 on top), centred and scaled by 2.5."""
    rng = np.random.default_rng(seed)
    m0, m1 = _class_sizes(n_samples)
    t0 = rng.uniform(0.0, np.pi, m0)
    t1 = rng.uniform(0.0, np.pi, m1)
    x1 = np.concatenate([np.cos(t0), 1.0 - np.cos(t1)])
    x2 = np.concatenate([np.sin(t0), 0.5 - np.sin(t1)])
    # The unit moons span [-1, 2] x [-0.5, 1]: centre them on the origin.
    X = 2.5 * np.vstack([x1 - 0.5, x2 - 0.25])
    return _jitter(rng, X, noise), _labels(n_samples)


BLOB_RADIUS = 3.0
BLOB_SPREAD = 0.5


def blobs(n_samples: int, noise: float, seed: int, n_classes: int = 2) -> tuple[Array, Array]:
    """Round blobs on a ring of radius 3, spread 0.5 before noise.

    Two classes: six blobs, blob k at angle k * 60 degrees, even k class 0 and odd k
    class 1, each point in a blob of its class picked at random. K > 2 classes: K blobs,
    class k's at angle k * 360/K degrees.
    """
    rng = np.random.default_rng(seed)
    if n_classes == 2:
        m0, m1 = _class_sizes(n_samples)
        k = np.concatenate([2 * rng.integers(0, 3, m0), 2 * rng.integers(0, 3, m1) + 1])
        angle = k * (np.pi / 3)
    else:
        angle = _k_labels(n_samples, n_classes)[0] * (2 * np.pi / n_classes)
    centres = BLOB_RADIUS * np.vstack([np.cos(angle), np.sin(angle)])
    X = centres + rng.normal(0.0, BLOB_SPREAD, size=centres.shape)
    return _jitter(rng, X, noise), _k_labels(n_samples, n_classes)


QUANTILES_SPREAD = 1.5


def quantiles(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Gaussian quantiles: one Gaussian (sd 1.5) split at its median radius.

    Class 0 is the inner half, class 1 the outer half; noise then blurs the border.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, QUANTILES_SPREAD, size=(2, n_samples))
    # Sorting by radius puts the inner points first, matching _labels' 0s then 1s.
    X = X[:, np.argsort(np.sum(X**2, axis=0), kind="stable")]
    return _jitter(rng, X, noise), _labels(n_samples)


XOR_EXTENT = 4.0
XOR_PADDING = 0.3


def xor(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Uniform points in [-4, 4]^2, class 1 where x1 x2 > 0 (quadrants I and III).

    Points keep 0.3 away from the axes before noise, so noise 0 is separable.
    """
    rng = np.random.default_rng(seed)
    m0, m1 = _class_sizes(n_samples)
    magnitude = rng.uniform(XOR_PADDING, XOR_EXTENT, size=(2, n_samples))
    s1 = rng.choice([-1.0, 1.0], size=n_samples)
    # Class 0 has the two signs different, class 1 the same.
    s2 = s1 * np.concatenate([-np.ones(m0), np.ones(m1)])
    X = magnitude * np.vstack([s1, s2])
    return _jitter(rng, X, noise), _labels(n_samples)


SPIRAL_TURNS = 1.75


def spiral(n_samples: int, noise: float, seed: int, n_classes: int = 2) -> tuple[Array, Array]:
    """K interleaved spirals (2 by default), 1.75 turns each, radius growing from 0.25
    to 4; class k's is class 0's turned by k/K of a turn."""
    rng = np.random.default_rng(seed)
    labels = _k_labels(n_samples, n_classes)
    s = rng.uniform(0.0, 1.0, n_samples)
    r = 0.25 + 3.75 * s
    t = 2 * np.pi * SPIRAL_TURNS * s + labels[0] * (2 * np.pi / n_classes)
    X = np.vstack([r * np.sin(t), r * np.cos(t)])
    return _jitter(rng, X, noise), labels


GAUSS_CENTRE = 2.0
GAUSS_SPREAD = 0.7


def gauss(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Two Gaussian clusters (sd 0.7 before noise): class 0 at (-2, -2), class 1 at (2, 2)."""
    rng = np.random.default_rng(seed)
    m0, m1 = _class_sizes(n_samples)
    centre = GAUSS_CENTRE * np.concatenate([-np.ones(m0), np.ones(m1)])
    X = centre + rng.normal(0.0, GAUSS_SPREAD, size=(2, n_samples))
    return _jitter(rng, X, noise), _labels(n_samples)


REGRESSION_EXTENT = 4.0  # points are uniform in [-4, 4]^2, as the other sets' range
PLANE_SCALE = 8.0  # the plane's value is (x1 + x2) / 8: -1 to 1 over the square
# reg-gauss: six bumps, (x1, x2, sign), TF Playground's scaled to this range; a point's
# value is the bump whose |value| is largest, each falling linearly from 1 to 0 at radius
# 4/3.
BUMPS = (
    (-2.7, 1.7, 1.0),
    (0.0, 1.7, -1.0),
    (2.7, 1.7, 1.0),
    (-2.7, -1.7, -1.0),
    (0.0, -1.7, 1.0),
    (2.7, -1.7, -1.0),
)
BUMP_RADIUS = 4 / 3


def reg_plane(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Uniform points, each with the value (x1 + x2) / 8 of a plane at the point moved by
    noise, clipped to [-1, 1] (TF Playground's "plane")."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-REGRESSION_EXTENT, REGRESSION_EXTENT, size=(2, n_samples))
    moved = _jitter(rng, X, noise)
    return X, np.clip((moved[0] + moved[1]) / PLANE_SCALE, -1.0, 1.0).reshape(1, n_samples)


def reg_gauss(n_samples: int, noise: float, seed: int) -> tuple[Array, Array]:
    """Uniform points, each with the value of six signed bumps at the point moved by
    noise (TF Playground's "multi Gaussian")."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-REGRESSION_EXTENT, REGRESSION_EXTENT, size=(2, n_samples))
    moved = _jitter(rng, X, noise)
    values = np.array(
        [
            sign * np.clip(1 - np.hypot(moved[0] - x, moved[1] - y) / BUMP_RADIUS, 0, 1)
            for x, y, sign in BUMPS
        ]
    )
    strongest = np.argmax(np.abs(values), axis=0)
    return X, values[strongest, np.arange(n_samples)].reshape(1, n_samples)


MAKERS: dict[str, Maker] = {
    "flower": flower,
    "circles": circles,
    "moons": moons,
    "blobs": blobs,
    "quantiles": quantiles,
    "xor": xor,
    "spiral": spiral,
    "gauss": gauss,
}

REGRESSION_MAKERS: dict[str, Maker] = {"reg-plane": reg_plane, "reg-gauss": reg_gauss}

CLASSIFICATION: tuple[str, ...] = tuple(MAKERS)  # the two-class sets
NAMES: tuple[str, ...] = CLASSIFICATION + tuple(REGRESSION_MAKERS)
# The sets that take n_classes: maker(n_samples, noise, seed, n_classes=K).
MULTICLASS_MAKERS: dict[str, Callable[..., tuple[Array, Array]]] = {
    "spiral": spiral,
    "blobs": blobs,
}
MULTICLASS: tuple[str, ...] = tuple(MULTICLASS_MAKERS)
MIN_CLASSES, MAX_CLASSES = 2, 6


class Defaults(TypedDict):
    """A dataset's arguments when make() is given none."""

    n_samples: int
    noise: float
    seed: int


DEFAULTS: dict[str, Defaults] = {
    "flower": {"n_samples": 400, "noise": 0.2, "seed": 1},
    "circles": {"n_samples": 400, "noise": 0.3, "seed": 1},
    "moons": {"n_samples": 400, "noise": 0.4, "seed": 1},
    "blobs": {"n_samples": 400, "noise": 0.2, "seed": 1},
    "quantiles": {"n_samples": 400, "noise": 0.1, "seed": 1},
    "xor": {"n_samples": 400, "noise": 0.3, "seed": 1},
    "spiral": {"n_samples": 400, "noise": 0.2, "seed": 1},
    "gauss": {"n_samples": 400, "noise": 0.5, "seed": 1},
    "reg-plane": {"n_samples": 400, "noise": 0.1, "seed": 1},
    "reg-gauss": {"n_samples": 400, "noise": 0.1, "seed": 1},
}


def _is_int(value: object) -> bool:
    """True for Python and NumPy integers, but not for bools."""
    return isinstance(value, Integral) and not isinstance(value, bool | np.bool_)


def _is_number(value: object) -> bool:
    """True for Python and NumPy real numbers, but not for bools."""
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def _check_seed(seed: object) -> int:
    """`seed` as an int, or FieldError unless it is an integer in [0, 2**32 - 1]."""
    if isinstance(seed, Integral) and _is_int(seed) and 0 <= int(seed) <= MAX_SEED:
        return int(seed)
    raise FieldError("seed", f"seed must be an integer in [0, {MAX_SEED}], got {seed!r}")


def problem_of(name: str) -> str:
    """The problem dataset `name` poses with `n_classes` left out: "binary" (two classes,
    the lecture's) or "regression" (a real value); with n_classes K > 2, a multi-class set
    is "multiclass"."""
    return "regression" if name in REGRESSION_MAKERS else "binary"


def not_multiclass(name: str) -> str:
    """Why n_classes is refused for dataset `name`."""
    return f"n_classes is for the multi-class datasets ({', '.join(MULTICLASS)}), not {name}"


def kind_of(name: str) -> str:
    """The problem a dataset states in the datasets list: "multiclass" for the sets that
    take n_classes (with two classes they train as the lecture's binary problem: softmax
    over two classes is the sigmoid), else problem_of(name)."""
    return "multiclass" if name in MULTICLASS else problem_of(name)


def make(
    name: str,
    n_samples: int | np.integer | None = None,
    noise: float | None = None,
    seed: int | np.integer | None = None,
    n_classes: int | None = None,
) -> tuple[Array, Array]:
    """The dataset `name`: X: (2, m) float64, Y: (1, m) float64 of 0.0/1.0 (0..K-1 with
    n_classes K, for the MULTICLASS sets; real values for the regression sets).

    Arguments left as None take DEFAULTS[name] (n_classes: 2). m = n_samples must be an
    integer >= 2, noise a finite number >= 0, seed an integer in [0, 2**32 - 1],
    n_classes an integer from 2 to 6, and at most m.
    """
    makers = {**MAKERS, **REGRESSION_MAKERS}
    if not isinstance(name, str) or name not in makers:
        raise FieldError("name", f"unknown dataset {name!r}: use one of {', '.join(makers)}")
    defaults = DEFAULTS[name]
    n_samples = defaults["n_samples"] if n_samples is None else n_samples
    noise = defaults["noise"] if noise is None else noise
    seed = defaults["seed"] if seed is None else seed
    if not _is_int(n_samples) or n_samples < 2:
        raise FieldError("n_samples", f"n_samples must be an integer >= 2, got {n_samples!r}")
    if not _is_number(noise) or not math.isfinite(noise) or noise < 0:
        raise FieldError("noise", f"noise must be a finite number >= 0, got {noise!r}")
    args = (int(n_samples), float(noise), _check_seed(seed))
    if n_classes is None or (n_classes == 2 and name not in REGRESSION_MAKERS):
        return makers[name](*args)
    if name not in MULTICLASS:
        raise FieldError("n_classes", not_multiclass(name))
    if not _is_int(n_classes) or not MIN_CLASSES <= n_classes <= min(MAX_CLASSES, args[0]):
        top = min(MAX_CLASSES, args[0])
        message = f"n_classes must be an integer from {MIN_CLASSES} to {top}, got {n_classes!r}"
        raise FieldError("n_classes", message)
    return MULTICLASS_MAKERS[name](*args, n_classes=int(n_classes))


def train_test_split(
    X: Array, Y: Array, test_fraction: float, seed: int
) -> tuple[Array, Array, Array, Array]:
    """(X_train, Y_train, X_test, Y_test): a random round(test_fraction * m) examples held out.

    X: (n_x, m), Y: (1, m). The held-out columns come from
    np.random.default_rng(seed).permutation(m); both parts keep the original
    column order, so test_fraction 0 returns copies of X and Y unchanged, with
    test arrays of shape (n_x, 0) and (1, 0). test_fraction must be in [0, 1)
    and leave at least one training example. Inputs are not modified.
    """
    X = np.asarray(X)
    Y = np.asarray(Y)
    if X.ndim != 2 or X.shape[1] < 1:
        raise FieldError("X", f"X must have shape (n_x, m) with m >= 1, got {X.shape}")
    m = X.shape[1]
    if Y.shape != (1, m):
        raise FieldError("Y", f"Y must have shape (1, m) = (1, {m}) to match X, got {Y.shape}")
    if not _is_number(test_fraction) or not 0 <= test_fraction < 1:
        message = f"test_fraction must be a number in [0, 1), got {test_fraction!r}"
        raise FieldError("test_fraction", message)
    n_test = round(test_fraction * m)
    if m - n_test < 1:
        raise FieldError(
            "test_fraction",
            f"test_fraction {test_fraction} holds out all {m} examples: "
            "at least one must stay for training",
        )
    rng = np.random.default_rng(_check_seed(seed))
    is_test = np.zeros(m, dtype=bool)
    is_test[rng.permutation(m)[:n_test]] = True
    return X[:, ~is_test], Y[:, ~is_test], X[:, is_test], Y[:, is_test]
