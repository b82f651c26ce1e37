"""An explicit in-place fast path for the lecture's full-batch gradient descent.

`InPlaceGradientDescent` runs the equations of `app.nn.model` (forward, cost,
backward, update) and gives the same costs and parameters within rounding, but keeps
its own preallocated buffers and updates its own parameter arrays in place. It never
changes the caller's arrays: X, Y and the parameters are copied in.

At the lecture's size (n_h = 4, m = 400) a NumPy call costs more in overhead (about
0.3 us, a matrix product twice that) than in arithmetic, so every trick here saves calls:

- Biases are folded into the weights: Wb[l] = [W[l] | b[l]] and A1[l-1] = [A[l-1]; 1]
  (a row of ones below the activations), so Z[l] = Wb[l] A1[l-1] is one product, and
  dZ[l] A1[l-1]^T gives [dW[l] | db[l]] (db being the sum over the examples) in one.
- All the Wb[l] are views into one flat vector, theta, and their gradients into
  another, grad: the update W := W - alpha dW, b := b - alpha db of every layer is
  one subtraction.
- dZ[L] is scaled by alpha / m once: every gradient is linear in it, so all of them
  come out already scaled and the update needs no multiplication.
- The output layer is kept negated, as -Wb[L]: its product is then -Z[L], the
  exponent that sigmoid(Z) = 1 / (1 + e^-Z) needs, without a negation. dZ[L] is taken
  as Y - A[L] to match, so its gradient comes out negated too, the same subtraction
  updates -Wb[L], and W[L]^T dZ[L] = (-W[L])^T (Y - A[L]) needs no change.
- Results go into buffers made once, passed positionally (`tanh(Z, A)` writes into A:
  the `out=` keyword costs about 0.1 us a call). Constants are 0-d arrays, which NumPy
  need not convert on each call, and NumPy's functions are imported by name, which
  saves an attribute lookup per call.
- Each step's buffers are NamedTuples, unpacked in the step into variables of their
  fields' names, in order: reading the fields one by one (`layer.Z`) would cost an
  attribute lookup each.

Each trick was measured against the same file without it, in one run taking turns
(2-core AMD EPYC, flower data, m = 400): without the negated output layer the lecture's
[2, 4, 1] tanh step is 4% slower, with Python floats for the 0-d constants 6%, with
`np.dot` and the like 5%, with the fields read by name 3-4%; a hidden sigmoid written as
`activations.sigmoid` copied into A is 7% slower than `_sigmoid` below.
"""

import contextvars
import math
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np
from numpy import add, divide, dot, exp, log, multiply, negative, square, subtract

from app.nn import activations, model
from app.nn.activations import LEAKY_SLOPE, Array
from app.nn.errors import FieldError
from app.nn.model import Parameters

# forward(Z, A): A = g(Z) (the exact sigmoid also takes its scratch U);
# backward(dA, A, T, dZ): dZ = dA * g'(Z), with T scratch.
Forward = Callable[..., None]
Backward = Callable[[Array, Array, Array, Array], None]


class InPlace(NamedTuple):
    """An activation's in-place pair: forward(Z, A) writes g(Z) into A, backward(dA, A, T,
    dZ) writes dA * g'(Z) into dZ (T: scratch), both bit for bit as `activations`."""

    forward: Forward
    backward: Backward


_ZERO = np.zeros(())
_ONE = np.ones(())


def _sigmoid(Z: Array, A: Array, U: Array) -> None:
    """A = sigmoid(Z) bit for bit as `activations.sigmoid`; U: (2, n, m) with U[0] = Z.

    That sigmoid takes E = e^-|Z| and gives 1 / (1 + E) where Z >= 0, E / (1 + E)
    elsewhere. With U = [min(Z, 0), min(-Z, 0)], e^U = [N, E'] where (N, E') is (1, E)
    or (E, 1), so A = N / (N + E'): one exp for both rows, no positive exponent, no mask.
    Overwrites U (and so Z).
    """
    N, E = U[0], U[1]
    negative(Z, E)
    np.minimum(U, _ZERO, out=U)  # (np.minimum and np.maximum take `out` only by keyword)
    exp(U, U)
    add(N, E, E)
    divide(N, E, A)


def _relu(Z: Array, A: Array) -> None:
    np.maximum(_ZERO, Z, out=A)


def _leaky_relu(Z: Array, A: Array) -> None:
    # max(Z, 0.01 Z) is where(Z > 0, Z, 0.01 Z), with no mask to build.
    multiply(Z, LEAKY_SLOPE, A)
    np.maximum(Z, A, out=A)


# The derivatives are taken through A = g(Z), which the forward pass already holds:
# 1 - A^2, A (1 - A), and A > 0 (the same as Z > 0 for relu and leaky relu) give g'(Z)
# bit for bit as `activations` computes it from Z.
def _tanh_backward(dA: Array, A: Array, T: Array, dZ: Array) -> None:
    square(A, T)
    subtract(_ONE, T, T)  # T = 1 - A^2
    multiply(dA, T, dZ)


def _sigmoid_backward(dA: Array, A: Array, T: Array, dZ: Array) -> None:
    subtract(_ONE, A, T)
    multiply(A, T, T)  # T = A (1 - A)
    multiply(dA, T, dZ)


def _relu_backward(dA: Array, A: Array, T: Array, dZ: Array) -> None:
    np.greater(A, _ZERO, T)  # T = 1.0 where A > 0, else 0.0
    multiply(dA, T, dZ)


def _leaky_relu_backward(dA: Array, A: Array, T: Array, dZ: Array) -> None:
    np.greater(A, _ZERO, T)
    multiply(T, 1.0 - LEAKY_SLOPE, T)
    add(T, LEAKY_SLOPE, T)  # T = 1.0 where A > 0, else 0.01 (both exact)
    multiply(dA, T, dZ)


def _linear(Z: Array, A: Array) -> None:
    np.copyto(A, Z)


def _linear_backward(dA: Array, A: Array, T: Array, dZ: Array) -> None:
    np.copyto(dZ, dA)  # g'(Z) = 1


IN_PLACE: dict[str, InPlace] = {
    "tanh": InPlace(np.tanh, _tanh_backward),
    "relu": InPlace(_relu, _relu_backward),
    "sigmoid": InPlace(_sigmoid, _sigmoid_backward),
    "leaky_relu": InPlace(_leaky_relu, _leaky_relu_backward),
    "linear": InPlace(_linear, _linear_backward),
}


# The step's buffers, one NamedTuple for each part of it, its fields the lecture's arrays
# of layer l: [W[l] | b[l]] is Wb, [A[l-1]; 1] is A1_prev (A[0] = X), and shapes are
# n[l] by m unless said.
class _HiddenForward(NamedTuple):
    """Hidden layer l's forward: Z[l] = Wb[l] A1[l-1], A[l] = g(Z[l])."""

    Wb: Array  # (n[l], n[l-1] + 1)
    A1_prev: Array  # (n[l-1] + 1, m)
    Z: Array
    A: Array  # a view of A1[l]'s first n[l] rows
    g: Forward


class _OutputForward(NamedTuple):
    """The output unit's forward: -Z[L] = -Wb[L] A1[L-1], A[L] = 1 / (1 + E), E = e^-Z[L]."""

    minus_Wb: Array  # (1, n[L-1] + 1)
    A1_prev: Array
    minus_Z: Array  # (1, m)
    E: Array  # (1, m)
    A: Array  # (1, m): a view of P's first row
    U: Array  # (2, 1, m): the exact sigmoid's scratch


class _Cost(NamedTuple):
    """The cost's two sums of logs as one dot product: log P . YY, P = [A[L]; 1 - A[L]]."""

    A: Array  # A[L], (1, m)
    one_minus_A: Array  # (1, m)
    P: Array  # (2m,) flat
    log_P: Array  # (2m,)
    YY: Array  # (2m,) flat: [Y; 1 - Y]


class _OutputBackward(NamedTuple):
    """The output layer's backward: dZ[L] = (alpha / m)(Y - A[L]), negated as -Wb[L] is,
    and -[dW[L] | db[L]] = dZ[L] A1[L-1]^T."""

    Y: Array  # (1, m)
    A: Array  # A[L], (1, m)
    dZ: Array  # (1, m)
    alpha_over_m: Array  # 0-d, set every step
    A1_prev_T: Array  # (m, n[L-1] + 1)
    dWb: Array  # (1, n[L-1] + 1)


class _HiddenBackward(NamedTuple):
    """Hidden layer l's backward: dA[l] = W[l+1]^T dZ[l+1], dZ[l] = dA[l] * g'(Z[l]),
    [dW[l] | db[l]] = dZ[l] A1[l-1]^T."""

    W_next_T: Array  # W[l+1]^T, (n[l], n[l+1])
    dZ_next: Array  # dZ[l+1], (n[l+1], m)
    dA: Array
    A: Array
    T: Array  # g' scratch
    dZ: Array
    A1_prev_T: Array  # (m, n[l-1] + 1)
    dWb: Array  # (n[l], n[l-1] + 1)


class InPlaceGradientDescent:
    """Full-batch gradient descent on X: (n_x, m), Y: (1, m), in its own arrays.

    `parameters` ({"W1": (n[1], n_x), "b1": (n[1], 1), ..., "WL": (1, n[L-1]),
    "bL": (1, 1)}) are copied in; hidden layers use `activation`, the output unit
    sigmoid, and l2 is the weight decay of `model.compute_cost`. Each
    `step(learning_rate)` returns the cost of the current parameters and, if it is
    finite, updates them in place: `model`'s forward, cost, backward and update.
    """

    def __init__(
        self,
        parameters: Parameters,
        X: Array,
        Y: Array,
        activation: str = "tanh",
        l2: float = 0.0,
    ) -> None:
        activations.get(activation)  # FieldError naming the accepted ones
        g, g_backward = IN_PLACE[activation]
        self.l2 = model.check_penalty("l2", l2)
        self.layer_dims = n = model.layer_dims_of(parameters)
        if n[-1] != 1:
            raise FieldError("parameters", f"the output layer must have 1 unit, got layer dims {n}")
        model.check_X(X, parameters)
        self.m = m = X.shape[1]
        if m == 0:
            raise FieldError("X", "X has no examples (m = 0)")
        model.check_Y(Y, m)
        self.L = L = len(n) - 1

        # theta = [Wb[1], ..., Wb[L-1], -Wb[L]] flattened, grad likewise; _Wb[l] and
        # _dWb[l] are their (n[l], n[l-1] + 1) views (index 0 unused; L the negated one).
        sizes = [n[l] * (n[l - 1] + 1) for l in range(1, L + 1)]
        self._theta, self._grad = np.zeros(sum(sizes)), np.zeros(sum(sizes))
        self._weight_mask = np.ones(sum(sizes))  # 0 on the b entries: l2 leaves b alone
        self._l2_term = np.empty(sum(sizes))
        self._Wb, self._dWb = [np.empty((0, 0))], [np.empty((0, 0))]
        start = 0
        for l in range(1, L + 1):
            shape, end = (n[l], n[l - 1] + 1), start + sizes[l - 1]
            self._Wb.append(self._theta[start:end].reshape(shape))
            self._dWb.append(self._grad[start:end].reshape(shape))
            self._weight_mask[start:end].reshape(shape)[:, -1] = 0.0
            start = end
        self.load(parameters)

        # A1[l] = [A[l]; 1]: (n[l] + 1, m) with A[0] = X; A[l] is a view of its first rows.
        A1 = [np.ones((n_l + 1, m)) for n_l in n[:-1]]
        A1[0][:-1] = X
        A = [A1_l[:-1] for A1_l in A1]
        # U[l]: (2, n[l], m) with Z[l] = U[l][0]; the exact sigmoid works in both rows.
        U = [np.empty((2, n_l, m)) for n_l in n]
        Z = [U_l[0] for U_l in U]
        dA, dZ, T = ([np.empty((n_l, m)) for n_l in n] for _ in range(3))  # T: g' scratch

        # Forward, l = 1..L-1: Z[l] = Wb[l] A1[l-1], A[l] = g(Z[l]); then the output unit,
        # -Z[L] = -Wb[L] A1[L-1] and A[L] = 1 / (1 + E) with E = e^-Z[L].
        forward = [partial(_sigmoid, U=U_l) if g is _sigmoid else g for U_l in U]
        self._hidden = [
            _HiddenForward(Wb=self._Wb[l], A1_prev=A1[l - 1], Z=Z[l], A=A[l], g=forward[l])
            for l in range(1, L)
        ]
        # P = [A[L]; 1 - A[L]] and YY = [Y; 1 - Y]: the cost's two sums of logs become
        # one log and one dot product of flat vectors.
        P = np.empty((2, m))
        AL, one_minus_AL, minus_ZL, E = P[0:1], P[1:2], np.empty((1, m)), np.empty((1, m))
        Y = np.array(Y, dtype=np.float64)  # a copy: the caller may change theirs
        YY = np.concatenate([Y, 1.0 - Y]).reshape(-1)
        self._output = _OutputForward(
            minus_Wb=self._Wb[L], A1_prev=A1[L - 1], minus_Z=minus_ZL, E=E, A=AL, U=U[L]
        )
        self._cost_terms = _Cost(
            A=AL, one_minus_A=one_minus_AL, P=P.reshape(-1), log_P=np.empty(2 * m), YY=YY
        )
        self._unweighted = YY == 0

        # Backward: dZ[L] = (alpha / m)(Y - A[L]) (negated, as -Wb[L] is), then
        # -[dW[L] | db[L]] = dZ[L] A1[L-1]^T and, for l = L-1..1: dA[l] = W[l+1]^T dZ[l+1]
        # (for l + 1 = L, (-W[L])^T (Y - A[L]), the same), dZ[l] = dA[l] * g'(Z[l]),
        # [dW[l] | db[l]] = dZ[l] A1[l-1]^T.
        self._alpha_over_m = np.zeros(())
        self._top = _OutputBackward(
            Y=Y,
            A=AL,
            dZ=dZ[L],
            alpha_over_m=self._alpha_over_m,
            A1_prev_T=A1[L - 1].T,
            dWb=self._dWb[L],
        )
        self._g_backward = g_backward
        self._backprop = [  # l = L-1 down to 1
            _HiddenBackward(
                W_next_T=self._Wb[l + 1][:, :-1].T,
                dZ_next=dZ[l + 1],
                dA=dA[l],
                A=A[l],
                T=T[l],
                dZ=dZ[l],
                A1_prev_T=A1[l - 1].T,
                dWb=self._dWb[l],
            )
            for l in range(L - 1, 0, -1)
        ]
        # A diverging or saturated run overflows e^-Z and takes log 0: the cost says so,
        # with no RuntimeWarning. NumPy keeps its error state in a context variable, so
        # it is set once, in a context of our own that every step runs in (about 0.05 us
        # a step, where entering np.errstate on each one costs about 0.6 us). The
        # caller's own error state is left as it is, and never reaches the steps.
        self._context = contextvars.copy_context()
        self._context.run(np.errstate(all="ignore").__enter__)

    def load(self, parameters: Parameters) -> None:
        """Copy `parameters` ({"W1", "b1", ...}, of this network's shapes) into place."""
        dims = model.layer_dims_of(parameters)
        if dims != self.layer_dims:
            raise FieldError(
                "parameters", f"parameters have layer dims {dims}, expected {self.layer_dims}"
            )
        for l in range(1, self.L + 1):
            shape = np.shape(parameters[f"b{l}"])
            if shape != (dims[l], 1):
                raise FieldError("parameters", f"b{l} must have shape ({dims[l]}, 1), got {shape}")
        for l in range(1, self.L + 1):
            sign = -1.0 if l == self.L else 1.0  # the output layer is kept negated
            self._Wb[l][:, :-1] = sign * np.asarray(parameters[f"W{l}"])
            self._Wb[l][:, -1:] = sign * np.asarray(parameters[f"b{l}"])

    @property
    def parameters(self) -> Parameters:
        """The current {"W1", "b1", ...}, read-only: views that follow the updates, and
        a copy for the output layer, which is kept negated."""
        views: Parameters = {}
        for l in range(1, self.L):
            views[f"W{l}"], views[f"b{l}"] = self._Wb[l][:, :-1].view(), self._Wb[l][:, -1:].view()
        minus_WbL = self._Wb[self.L]
        views[f"W{self.L}"], views[f"b{self.L}"] = -minus_WbL[:, :-1], -minus_WbL[:, -1:]
        for view in views.values():
            view.flags.writeable = False
        return views

    def step(self, learning_rate: float) -> float:
        """One iteration: the cost J of the current parameters, then, if J is finite,
        the backward pass and the update W := W - alpha dW, b := b - alpha db."""
        return self._context.run(self._step, learning_rate)

    def _step(self, learning_rate: float) -> float:
        for Wb, A1_prev, Z, A, g in self._hidden:
            dot(Wb, A1_prev, Z)  # Z[l] = W[l] A[l-1] + b[l]
            g(Z, A)  # A[l] = g(Z[l])
        minus_Wb, A1_prev, minus_Z, E, A, U = self._output
        dot(minus_Wb, A1_prev, minus_Z)  # -Z[L] = -(W[L] A[L-1] + b[L])
        exp(minus_Z, E)
        add(E, _ONE, E)
        divide(_ONE, E, A)  # A[L] = 1 / (1 + e^-Z[L])
        cost = self._cost()
        if not math.isfinite(cost):
            # e^-Z overflows where Z < -709 and the quick sigmoid gives 0 there, where
            # `activations.sigmoid` still gives e^Z: ask it before calling this divergence.
            negative(minus_Z, U[0])
            _sigmoid(U[0], A, U)
            cost = self._cost()
            if not math.isfinite(cost):
                return cost

        Y, A, dZ, alpha_over_m, A1_prev_T, dWb = self._top
        alpha_over_m[()] = learning_rate / self.m
        subtract(Y, A, dZ)
        multiply(dZ, alpha_over_m, dZ)  # dZ[L] = (alpha / m)(Y - A[L]), negated
        dot(dZ, A1_prev_T, dWb)  # -[dW[L] | db[L]] = dZ[L] A1[L-1]^T
        g_backward = self._g_backward
        for W_next_T, dZ_next, dA, A, T, dZ, A1_prev_T, dWb in self._backprop:
            dot(W_next_T, dZ_next, dA)  # dA[l] = W[l+1]^T dZ[l+1]
            g_backward(dA, A, T, dZ)  # dZ[l] = dA[l] * g'(Z[l])
            dot(dZ, A1_prev_T, dWb)  # [dW[l] | db[l]] = dZ[l] A1[l-1]^T
        theta, grad = self._theta, self._grad
        if self.l2:
            # dW[l] += (l2 / m) W[l], scaled by alpha like the rest; b has no decay.
            l2_term = self._l2_term
            multiply(theta, self._weight_mask, l2_term)
            multiply(l2_term, alpha_over_m * self.l2, l2_term)
            add(grad, l2_term, grad)
        subtract(theta, grad, theta)  # W := W - alpha dW, b := b - alpha db
        return cost

    def _cost(self) -> float:
        """J = -(1/m) sum(Y log A[L] + (1 - Y) log(1 - A[L])) [+ (l2 / 2m) sum W^2].

        A saturated A[L] (exactly 0 or 1) costs 0 where it is right and makes J infinite
        where it is wrong, as in `model.compute_cost`.
        """
        A, one_minus_A, P, log_P, YY = self._cost_terms
        subtract(_ONE, A, one_minus_A)
        log(P, log_P)
        cost = -1 / self.m * float(dot(log_P, YY))
        if math.isnan(cost):
            # log 0 = -inf where its weight is 0 (a right answer with certainty) gives
            # 0 * -inf = nan: 0 log 0 is 0. Only then, so the common step pays nothing.
            np.copyto(log_P, _ZERO, where=self._unweighted)
            cost = -1 / self.m * float(dot(log_P, YY)) + 0.0  # never -0.0
        if self.l2:
            W_squared = self._l2_term
            multiply(self._theta, self._weight_mask, W_squared)
            cost += self.l2 / (2 * self.m) * float(dot(W_squared, self._theta))
        return cost
