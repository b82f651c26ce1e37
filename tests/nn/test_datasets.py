"""Datasets: the notebook's flower exactly, the others' shapes, and input checks."""

import numpy as np
import pytest

from app.nn import datasets


def notebook_planar_dataset() -> tuple[np.ndarray, np.ndarray]:
    """load_planar_dataset() from the course notebook, verbatim (global seeding)."""
    state = np.random.get_state()
    try:
        np.random.seed(1)
        m = 400
        N = int(m / 2)
        D = 2
        X = np.zeros((m, D))
        Y = np.zeros((m, 1), dtype="uint8")
        a = 4
        for j in range(2):
            ix = range(N * j, N * (j + 1))
            t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # theta
            r = a * np.sin(4 * t) + np.random.randn(N) * 0.2  # radius
            X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
            Y[ix] = j
        X = X.T
        Y = Y.T
    finally:
        np.random.set_state(state)
    return X, Y


def test_flower_is_the_notebooks_data_exactly():
    X_ref, Y_ref = notebook_planar_dataset()
    X, Y = datasets.make("flower", n_samples=400, noise=0.2, seed=1)
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert np.array_equal(X, X_ref)
    assert np.array_equal(Y, Y_ref.astype(np.float64))
    # Its defaults are the notebook's: without arguments, the same data.
    X, Y = datasets.make("flower")
    assert np.array_equal(X, X_ref) and np.array_equal(Y, Y_ref.astype(np.float64))


def test_flower_pinned_values():
    X, Y = datasets.make("flower")
    assert X[:, 0].tolist() == [1.204442292254319, 3.5761141481288448]
    assert X[:, 199].tolist() == [-0.5858464101358456, -3.091259938950624]
    assert X[:, 200].tolist() == [-1.0704958072229525, 3.682524609580073]
    assert X[:, -1].tolist() == [0.7307808250007513, 3.0683292081876545]
    assert Y[0, :200].sum() == 0 and Y[0, 200:].sum() == 200


def test_flower_noise_zero_lies_on_the_petals():
    X, _ = datasets.make("flower", n_samples=10, noise=0.0, seed=3)
    t = np.concatenate([np.linspace(0, 3.12, 5), np.linspace(3.12, 6.24, 5)])
    r = 4 * np.sin(4 * t)
    np.testing.assert_allclose(X, np.vstack([r * np.sin(t), r * np.cos(t)]), atol=1e-12)


def test_flower_odd_count_gives_class_0_the_extra_point():
    X, Y = datasets.make("flower", n_samples=7, noise=0.0, seed=1)
    assert Y.tolist() == [[0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0]]
    # Class 0 spans its whole half turn with 4 points, class 1 with 3.
    t0 = np.linspace(0, 3.12, 4)
    r0 = 4 * np.sin(4 * t0)
    np.testing.assert_allclose(X[:, :4], np.vstack([r0 * np.sin(t0), r0 * np.cos(t0)]), atol=1e-12)


def test_names():
    """The names the API accepts, in the order the page lists them."""
    assert datasets.NAMES == (
        "flower",
        "circles",
        "moons",
        "blobs",
        "quantiles",
        "xor",
        "spiral",
        "gauss",
        "reg-plane",
        "reg-gauss",
    )
    assert datasets.NAMES[:-2] == datasets.CLASSIFICATION


@pytest.mark.parametrize("name", datasets.CLASSIFICATION)
def test_every_dataset_has_the_contract_shape(name):
    for m in (2, 3, 101):
        X, Y = datasets.make(name, n_samples=m, noise=0.2, seed=5)
        assert X.shape == (2, m) and Y.shape == (1, m)
        assert X.dtype == np.float64 and Y.dtype == np.float64
        assert np.all(np.isfinite(X))
        assert set(np.unique(Y)) <= {0.0, 1.0}
        assert int(np.sum(Y == 0)) == m - m // 2 and int(np.sum(Y == 1)) == m // 2


@pytest.mark.parametrize("name", datasets.NAMES)
def test_defaults_fill_in_and_stay_in_the_flowers_range(name):
    """Each dataset's defaults are arguments make() accepts, and what it uses without any."""
    defaults = datasets.DEFAULTS[name]
    X, Y = datasets.make(name)
    X2, Y2 = datasets.make(name, **defaults)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    assert X.shape == (2, defaults["n_samples"])
    assert 3.0 < np.max(np.abs(X)) < 6.0  # about the flower's [-4, 4]


@pytest.mark.parametrize("name", datasets.NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, _ = datasets.make(name, n_samples=50, noise=0.1, seed=7)
    X2, _ = datasets.make(name, n_samples=50, noise=0.1, seed=7)
    X3, _ = datasets.make(name, n_samples=50, noise=0.1, seed=8)
    assert np.array_equal(X1, X2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", datasets.NAMES)
def test_global_random_state_is_left_alone(name):
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    datasets.make(name, n_samples=20, noise=0.3, seed=4)
    assert np.random.rand() == expected


def _radius(X):
    return np.hypot(X[0], X[1])


def test_circles_clean_shape():
    X, Y = datasets.make("circles", n_samples=51, noise=0.0, seed=2)
    np.testing.assert_allclose(_radius(X), np.where(Y[0] == 0, 3.5, 1.75))


def test_moons_clean_shape():
    X, Y = datasets.make("moons", n_samples=51, noise=0.0, seed=2)
    u, v = X[0] / 2.5 + 0.5, X[1] / 2.5 + 0.25  # back to the unit moons
    top = Y[0] == 0
    np.testing.assert_allclose(np.hypot(u[top], v[top]), 1.0)
    assert np.all(v[top] >= -1e-12)
    np.testing.assert_allclose(np.hypot(u[~top] - 1.0, v[~top] - 0.5), 1.0)
    assert np.all(v[~top] <= 0.5 + 1e-12)


def test_blobs_clean_shape():
    X, Y = datasets.make("blobs", n_samples=600, noise=0.0, seed=2)
    # Nearest of the six centres: even ones for class 0, odd ones for class 1.
    angle = np.arange(6) * np.pi / 3
    centres = 3.0 * np.vstack([np.cos(angle), np.sin(angle)])
    nearest = np.argmin(((X[:, :, None] - centres[:, None, :]) ** 2).sum(axis=0), axis=1)
    assert np.mean(nearest % 2 == Y[0]) > 0.99


def test_quantiles_clean_shape():
    X, Y = datasets.make("quantiles", n_samples=101, noise=0.0, seed=2)
    r = _radius(X)
    assert np.max(r[Y[0] == 0]) <= np.min(r[Y[0] == 1])


def test_xor_clean_shape():
    X, Y = datasets.make("xor", n_samples=101, noise=0.0, seed=2)
    assert np.array_equal(X[0] * X[1] > 0, Y[0] == 1)
    assert np.min(np.abs(X)) >= 0.3 and np.max(np.abs(X)) <= 4.0


def test_spiral_clean_shape():
    X, Y = datasets.make("spiral", n_samples=101, noise=0.0, seed=2)
    r = _radius(X)
    assert np.all((r >= 0.25 - 1e-12) & (r <= 4.0 + 1e-12))
    # On the spiral, the angle is a function of the radius; class 1 is turned by pi.
    s = (r - 0.25) / 3.75
    t = 2 * np.pi * 1.75 * s + np.pi * Y[0]
    np.testing.assert_allclose(X, np.vstack([r * np.sin(t), r * np.cos(t)]), atol=1e-9)


def test_gauss_clean_shape():
    X, Y = datasets.make("gauss", n_samples=2000, noise=0.0, seed=2)
    np.testing.assert_allclose(X[:, Y[0] == 0].mean(axis=1), [-2, -2], atol=0.1)
    np.testing.assert_allclose(X[:, Y[0] == 1].mean(axis=1), [2, 2], atol=0.1)
    assert 0.6 < X[:, Y[0] == 1].std() < 0.8


def test_noise_blurs_the_shape():
    X0, _ = datasets.make("circles", n_samples=200, noise=0.0, seed=2)
    X1, _ = datasets.make("circles", n_samples=200, noise=0.5, seed=2)
    assert np.std(_radius(X1) - _radius(X0)) > 0.2


def test_unknown_name_lists_the_accepted_ones():
    with pytest.raises(ValueError, match="unknown dataset 'petals'") as info:
        datasets.make("petals")
    for name in datasets.NAMES:
        assert name in str(info.value)


@pytest.mark.parametrize("n_samples", [1, 0, -5, 2.5, 10.0, True, "10"])
def test_bad_n_samples(n_samples):
    with pytest.raises(ValueError, match="n_samples must be an integer >= 2"):
        datasets.make("moons", n_samples=n_samples)


@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf"), "0.2", True])
def test_bad_noise(noise):
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        datasets.make("flower", noise=noise)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "1"])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be an integer"):
        datasets.make("flower", seed=seed)


def test_numpy_numbers_are_accepted():
    X, _ = datasets.make("flower", n_samples=np.int64(400), noise=np.float64(0.2), seed=np.int32(1))
    assert np.array_equal(X, datasets.make("flower")[0])


def columns(m):
    X = np.vstack([np.arange(m, dtype=float), -np.arange(m, dtype=float)])
    Y = (np.arange(m) % 2).astype(float).reshape(1, m)
    return X, Y


def test_split_partitions_and_keeps_order():
    X, Y = columns(10)
    X_train, Y_train, X_test, Y_test = datasets.train_test_split(X, Y, 0.3, seed=4)
    assert X_train.shape == (2, 7) and Y_train.shape == (1, 7)
    assert X_test.shape == (2, 3) and Y_test.shape == (1, 3)
    held_out = np.sort(np.random.default_rng(4).permutation(10)[:3])
    assert X_test[0].tolist() == held_out.tolist()
    assert X_train[0].tolist() == sorted(set(range(10)) - set(held_out.tolist()))
    assert np.array_equal(Y_test[0], held_out % 2)
    assert np.array_equal(X_train[1], -X_train[0])


def test_split_is_deterministic_per_seed():
    X, Y = datasets.make("moons")
    a = datasets.train_test_split(X, Y, 0.25, seed=9)
    b = datasets.train_test_split(X, Y, 0.25, seed=9)
    c = datasets.train_test_split(X, Y, 0.25, seed=10)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[2], c[2])
    assert a[0].shape == (2, 300) and a[2].shape == (2, 100)


def test_split_zero_fraction_keeps_everything_in_order():
    X, Y = datasets.make("flower")
    X_train, Y_train, X_test, Y_test = datasets.train_test_split(X, Y, 0, seed=0)
    assert np.array_equal(X_train, X) and np.array_equal(Y_train, Y)
    assert X_test.shape == (2, 0) and Y_test.shape == (1, 0)


def test_split_does_not_touch_its_inputs():
    X, Y = columns(6)
    X_before, Y_before = X.copy(), Y.copy()
    for fraction in (0.0, 0.5):
        for part in datasets.train_test_split(X, Y, fraction, seed=1):
            part[:] = 99.0  # the parts are copies, never views of X or Y
    assert np.array_equal(X, X_before) and np.array_equal(Y, Y_before)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5, float("nan"), True, "0.2", None])
def test_split_bad_fraction(fraction):
    X, Y = columns(10)
    with pytest.raises(ValueError, match=r"test_fraction must be a number in \[0, 1\)"):
        datasets.train_test_split(X, Y, fraction, seed=0)


def test_split_must_leave_a_training_example():
    X, Y = columns(2)
    assert datasets.train_test_split(X, Y, 0.5, seed=0)[0].shape == (2, 1)
    with pytest.raises(ValueError, match="at least one must stay for training"):
        datasets.train_test_split(X, Y, 0.9, seed=0)


@pytest.mark.parametrize(
    ("X", "Y", "match"),
    [
        (np.zeros(5), np.zeros((1, 5)), "X must have shape"),
        (np.zeros((2, 0)), np.zeros((1, 0)), "X must have shape"),
        (np.zeros((2, 5)), np.zeros(5), "Y must have shape"),
        (np.zeros((2, 5)), np.zeros((1, 4)), "Y must have shape"),
        (np.zeros((2, 5)), np.zeros((2, 5)), "Y must have shape"),
    ],
)
def test_split_bad_shapes(X, Y, match):
    with pytest.raises(ValueError, match=match):
        datasets.train_test_split(X, Y, 0.2, seed=0)


@pytest.mark.parametrize("seed", [-1, 0.5, None])
def test_split_bad_seed(seed):
    X, Y = columns(10)
    with pytest.raises(ValueError, match="seed must be an integer"):
        datasets.train_test_split(X, Y, 0.2, seed=seed)
