"""tinygrad_ds.manual: hand-derived backprop against itself, finite differences and closed forms."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_ds import manual

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- helpers
def make_net(sizes, hidden, output, seed=0, n=6):
    """Random W, b, X and matching Y; for relu, redrawn until no hidden |z| < 1e-3 (the kink)."""
    for attempt in range(100):
        rng = np.random.default_rng(1000 * seed + attempt)
        W = [rng.normal(size=(m, k)) for k, m in zip(sizes[:-1], sizes[1:], strict=True)]
        b = [rng.normal(size=m) for m in sizes[1:]]
        X = rng.normal(size=(n, sizes[0]))
        zs, _ = manual.forward(W, b, X, hidden, output)
        if hidden != "relu" or all(np.min(np.abs(z)) > 1e-3 for z in zs[:-1]):
            break
    else:
        raise RuntimeError(f"make_net: no draw keeps relu inputs away from 0 for {sizes}")
    n_out = sizes[-1]
    if output == "softmax":
        Y = rng.integers(0, n_out, size=n)
    elif output == "sigmoid":
        Y = rng.integers(0, 2, size=(n,) if n_out == 1 else (n, n_out)).astype(float)
    else:
        Y = rng.normal(size=(n,) if n_out == 1 else (n, n_out))
    return W, b, X, Y


def numerical_gradient(f, params, eps=1e-6):
    """Central differences (f(p + eps) - f(p - eps)) / (2 eps), one entry at a time."""
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            f_plus = f()
            p[idx] = old - eps
            f_minus = f()
            p[idx] = old
            g[idx] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads


# ---------------------------------------------------------------- backprop vs finite differences
ARCHS = [(3, 2), (3, 1), (4, 5, 3), (2, 1, 3), (2, 3, 4, 2), (3, 6, 2, 5, 3), (2, 4, 4, 3, 1)]
CASES = [
    (sizes, hidden, output, lam)
    for sizes in ARCHS
    for hidden in ("sigmoid", "tanh", "relu")
    for output in ("sigmoid", "softmax", "identity")
    for lam in (0.0, 0.1)
    if not (output == "softmax" and sizes[-1] == 1)
]


CASE_IDS = ["-".join(map(str, c[0])) + f"-{c[1]}-{c[2]}-lam{c[3]}" for c in CASES]


@pytest.mark.parametrize("sizes,hidden,output,lam", CASES, ids=CASE_IDS)
def test_backprop_matches_vectorised_and_finite_differences(sizes, hidden, output, lam):
    W, b, X, Y = make_net(sizes, hidden, output, seed=len(sizes))
    dW, db = manual.backprop(W, b, X, Y, hidden, output, lam=lam, loop=True)
    dW_v, db_v = manual.backprop(W, b, X, Y, hidden, output, lam=lam, loop=False)
    for g, g_v, p in zip(dW + db, dW_v + db_v, W + b, strict=True):
        assert g.shape == g_v.shape == p.shape
        np.testing.assert_allclose(g, g_v, rtol=0, atol=1e-10)
    numeric = numerical_gradient(lambda: manual.cost(W, b, X, Y, hidden, output, lam), W + b)
    for g, g_num in zip(dW + db, numeric, strict=True):
        np.testing.assert_allclose(g, g_num, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_single_sigmoid_output_accepts_both_label_shapes(shape):
    W, b, X, Y = make_net((3, 4, 1), "tanh", "sigmoid")
    grads = manual.backprop(W, b, X, Y.reshape(shape))
    reference = manual.backprop(W, b, X, Y.reshape(6))
    for g, r in zip(grads[0] + grads[1], reference[0] + reference[1], strict=True):
        np.testing.assert_array_equal(g, r)


def test_regularisation_adds_two_lambda_w_and_skips_biases():
    W, b, X, Y = make_net((3, 4, 2), "sigmoid", "softmax")
    dW0, db0 = manual.backprop(W, b, X, Y, output="softmax")
    dW1, db1 = manual.backprop(W, b, X, Y, output="softmax", lam=0.3)
    for g0, g1, w in zip(dW0, dW1, W, strict=True):
        np.testing.assert_allclose(g1 - g0, 2 * 0.3 * w, atol=1e-14)
    for g0, g1 in zip(db0, db1, strict=True):
        np.testing.assert_array_equal(g0, g1)
    J0 = manual.cost(W, b, X, Y, output="softmax")
    J1 = manual.cost(W, b, X, Y, output="softmax", lam=0.3)
    assert J1 - J0 == pytest.approx(0.3 * sum(np.sum(w**2) for w in W), rel=1e-12)


# ---------------------------------------------------------------- output delta
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity"])
@pytest.mark.parametrize("batch", [True, False])
def test_simplified_and_unsimplified_output_delta_agree(output, batch):
    rng = np.random.default_rng(3)
    z = rng.normal(scale=2.0, size=(5, 4) if batch else (4,))
    if output == "softmax":
        y = rng.integers(0, 4, size=z.shape[:-1])
    else:
        y = rng.integers(0, 2, size=z.shape).astype(float)
    simple = manual.output_delta(z, y, output, simplified=True)
    chain = manual.output_delta(z, y, output, simplified=False)
    assert simple.shape == z.shape
    np.testing.assert_allclose(chain, simple, rtol=1e-12, atol=1e-12)


def test_softmax_output_delta_is_softmax_minus_onehot():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    y = np.array([2, 0])
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(manual.output_delta(z, y, "softmax"), manual.softmax(z) - onehot)
    np.testing.assert_allclose(
        manual.output_delta(z, onehot, "softmax", simplified=False),
        manual.softmax(z) - onehot,
        atol=1e-15,
    )


def test_unsimplified_delta_breaks_down_where_yhat_saturates():
    z, y = np.array([40.0, -40.0]), np.array([0.0, 1.0])  # sigma(40) rounds to exactly 1
    assert np.all(np.isfinite(manual.output_delta(z, y)))
    np.testing.assert_allclose(manual.output_delta(z, y), [1.0, -1.0], atol=1e-15)
    assert not np.all(np.isfinite(manual.output_delta(z, y, simplified=False)))


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_backprop_with_unsimplified_last_layer(output):
    W, b, X, Y = make_net((3, 4, 3), "tanh", output)
    a = manual.backprop(W, b, X, Y, "tanh", output, simplified=True)
    for loop in (True, False):
        c = manual.backprop(W, b, X, Y, "tanh", output, loop=loop, simplified=False)
        for g, h in zip(a[0] + a[1], c[0] + c[1], strict=True):
            np.testing.assert_allclose(g, h, atol=1e-12)


# ---------------------------------------------------------------- forward
def sig(t):
    return 1.0 / (1.0 + math.exp(-t))


def test_forward_tiny_network_by_hand():
    # 2-2-1: W[1] = [[1, -1], [0.5, 2]], b[1] = [0, -1], W[2] = [[1, -2]], b[2] = [0.5].
    W = [np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, -2.0]])]
    b = [np.array([0.0, -1.0]), np.array([0.5])]
    X = np.array([[1.0, 2.0], [0.0, 0.0]])
    zs, acts = manual.forward(W, b, X)
    # x = (1, 2): z[1] = (1 - 2 + 0, 0.5 + 4 - 1) = (-1, 3.5); x = (0, 0): z[1] = b[1] = (0, -1).
    z1 = np.array([[-1.0, 3.5], [0.0, -1.0]])
    a1 = np.array([[sig(-1.0), sig(3.5)], [0.5, sig(-1.0)]])
    z2 = np.array([[a1[0, 0] - 2 * a1[0, 1] + 0.5], [a1[1, 0] - 2 * a1[1, 1] + 0.5]])
    assert len(zs) == 2 and len(acts) == 3
    assert acts[0] is X
    np.testing.assert_allclose(zs[0], z1, rtol=1e-15)
    np.testing.assert_allclose(acts[1], a1, rtol=1e-15)
    np.testing.assert_allclose(zs[1], z2, rtol=1e-15)
    np.testing.assert_allclose(acts[2], [[sig(z2[0, 0])], [sig(z2[1, 0])]], rtol=1e-15)
    # per-example loss -[(1 - y) log(1 - y_hat) + y log y_hat], averaged: J
    y = np.array([1.0, 0.0])
    y_hat = acts[2][:, 0]
    J = -np.mean((1 - y) * np.log(1 - y_hat) + y * np.log(y_hat))
    assert manual.cost(W, b, X, y) == pytest.approx(J, rel=1e-14)


def test_forward_tanh_relu_softmax_by_hand():
    W = [np.array([[2.0, 0.0], [0.0, -1.0]]), np.array([[1.0, 1.0], [-1.0, 0.0]])]
    b = [np.array([0.0, 0.0]), np.array([0.0, 1.0])]
    x = np.array([[0.5, 1.0]])
    _, acts = manual.forward(W, b, x, hidden="tanh", output="softmax")
    h = np.array([math.tanh(1.0), math.tanh(-1.0)])  # = (t, -t)
    logits = np.array([h[0] + h[1], -h[0] + 1.0])
    expected = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(acts[2][0], expected, rtol=1e-14)
    _, acts = manual.forward(W, b, x, hidden="relu", output="identity")
    np.testing.assert_allclose(acts[1][0], [1.0, 0.0])
    np.testing.assert_allclose(acts[2][0], [1.0, 0.0])


@pytest.mark.parametrize("sizes", [(3, 2), (4, 5, 1), (2, 3, 4, 2), (3, 6, 2, 5, 3)])
def test_forward_shapes(sizes):
    W, b, X, _ = make_net(sizes, "sigmoid", "sigmoid", n=7)
    zs, acts = manual.forward(W, b, X)
    assert len(acts) == len(zs) + 1 == len(sizes)
    assert [z.shape for z in zs] == [(7, n) for n in sizes[1:]]
    assert [a.shape for a in acts] == [(7, n) for n in sizes]


# ---------------------------------------------------------------- activations
def test_sigmoid_and_softmax_are_stable_for_large_inputs():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = manual.sigmoid(z)
        p = manual.softmax(np.array([[1000.0, 1000.0], [-1000.0, 0.0]]))
        J = manual.cost([np.array([[1000.0]])], [np.zeros(1)], np.array([[1.0], [-1.0]]), [0, 1])
    np.testing.assert_allclose(s, [0.0, 1 / (1 + math.exp(50)), 0.5, 1 / (1 + math.exp(-50)), 1.0])
    np.testing.assert_allclose(p, [[0.5, 0.5], [0.0, 1.0]])
    assert J == pytest.approx(1000.0)  # each example: -log sigma(-1000) = 1000


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_g_prime_matches_finite_differences(name):
    z = np.array([-3.0, -0.7, -0.1, 0.2, 1.5, 4.0])
    a = manual.activate(name, z)
    eps = 1e-6
    numeric = (manual.activate(name, z + eps) - manual.activate(name, z - eps)) / (2 * eps)
    np.testing.assert_allclose(manual.g_prime(name, z, a), numeric, atol=1e-9)


# ---------------------------------------------------------------- bad input
def _good():
    W = [np.ones((4, 3)), np.ones((2, 4))]
    b = [np.zeros(4), np.zeros(2)]
    return W, b, np.ones((5, 3)), np.array([0, 1, 1, 0, 1])


BAD = [
    ("chain", dict(W=[np.ones((4, 3)), np.ones((2, 5))]), r"backprop: weights\[1\].*\(2, 5\)"),
    ("bias", dict(b=[np.zeros(3), np.zeros(2)]), r"backprop: biases\[0\].*\(3,\)"),
    ("n_bias", dict(b=[np.zeros(4)]), r"backprop: got 2 weight matrices but 1 bias"),
    ("X cols", dict(X=np.ones((5, 2))), r"backprop: X has shape \(5, 2\).*\(4, 3\)"),
    ("X 1-D", dict(X=np.ones(3)), r"backprop: X must be 2-D.*\(3,\)"),
    ("Y len", dict(Y=np.array([0, 1, 1])), r"backprop: Y has shape \(3,\).*5 rows"),
    ("hidden", dict(hidden="swish"), r"backprop: unknown hidden activation 'swish'"),
    ("output", dict(output="tanh"), r"backprop: unknown output activation 'tanh'"),
    ("class", dict(output="softmax", Y=np.array([0, 1, 2, 0, 1])), r"softmax labels.*\[2\]"),
    ("neg class", dict(output="softmax", Y=np.array([0, -1, 1, 0, 1])), r"labels.*\[-1\]"),
    ("frac", dict(output="softmax", Y=np.array([0, 0.5, 1, 0, 1])), r"labels.*\[0\.5\]"),
    ("sig label", dict(Y=np.array([[0, 2]] * 5)), r"sigmoid-output labels.*\[2\.0\]"),
    ("sig shape", dict(Y=np.array([0, 1, 1, 0, 1])), r"needs Y of shape \(5, 2\); got shape"),
    ("lam", dict(lam=-1.0), r"backprop: lam must be"),
]


@pytest.mark.parametrize("name,change,message", BAD, ids=[case[0] for case in BAD])
def test_bad_input_raises_clear_value_error(name, change, message):
    W, b, X, Y = _good()
    Y = np.stack([Y, Y], axis=1)  # the network has 2 sigmoid outputs
    args = dict(W=W, b=b, X=X, Y=Y, hidden="sigmoid", output="sigmoid", lam=0.0)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        manual.backprop(
            args["W"],
            args["b"],
            args["X"],
            args["Y"],
            args["hidden"],
            args["output"],
            lam=args["lam"],
        )


def test_forward_cost_and_output_delta_name_themselves_in_errors():
    W, b, X, Y = _good()
    with pytest.raises(ValueError, match=r"^forward: X has shape"):
        manual.forward(W, b, np.ones((2, 7)))
    with pytest.raises(ValueError, match=r"^cost: unknown hidden"):
        manual.cost(W, b, X, np.stack([Y, Y], 1), hidden="gelu")
    with pytest.raises(ValueError, match=r"^output_delta: y has shape \(3,\).*\(2,\)"):
        manual.output_delta(np.zeros(2), np.zeros(3))


# ---------------------------------------------------------------- zero initialisation
@pytest.mark.parametrize("sizes", [(2, 4, 1), (3, 5, 4, 2)])
def test_zero_init_every_activation_is_one_half(sizes):
    W, b = manual.init_weights(sizes, "zeros")
    X = np.random.default_rng(0).normal(size=(10, sizes[0]))
    _, acts = manual.forward(W, b, X)
    for a in acts[1:]:
        np.testing.assert_array_equal(a, 0.5)


@pytest.mark.parametrize("init", ["zeros", "constant"])
@pytest.mark.parametrize("sizes", [(2, 4, 1), (3, 5, 4, 2)])
def test_equal_init_symmetry_never_breaks(init, sizes):
    demo = manual.symmetry_demo(init, sizes, steps=60)
    assert demo.weight_spread.shape == (61, len(sizes) - 2)
    np.testing.assert_array_equal(demo.weight_spread, 0.0)
    np.testing.assert_array_equal(demo.activation_spread, 0.0)
    assert demo.cost[-1] < demo.cost[0]  # the weights did move
    W0, _ = manual.init_weights(sizes, init)
    assert np.all(demo.weights[0] != W0[0])  # the hidden units moved, all together
    if init == "zeros":
        assert demo.output_spread[0] == 0.0  # y_hat does not depend on x


def test_random_init_breaks_symmetry_and_fits_better():
    zeros = manual.symmetry_demo("zeros", (2, 4, 1), steps=300)
    rand = manual.symmetry_demo("random", (2, 4, 1), steps=300)
    assert np.all(rand.weight_spread > 0.1)
    assert rand.output_spread[0] > 0
    assert rand.cost[-1] < zeros.cost[-1] - 0.1


@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_zero_init_with_tanh_or_relu_leaves_hidden_weights_at_zero(hidden):
    demo = manual.symmetry_demo("zeros", (2, 4, 1), steps=20, hidden=hidden)
    np.testing.assert_array_equal(demo.weights[0], 0.0)
    np.testing.assert_array_equal(demo.weights[1], 0.0)
    assert demo.biases[1][0] != 0.0  # only b[L] learns


@pytest.mark.parametrize("init, sizes", [("zeros", (2, 1)), ("random", (3, 2))])
def test_symmetry_demo_single_layer_is_logistic_regression(init, sizes):
    """No hidden layer (L = 1): no spreads to record (0 columns), and the steps are plain
    gradient descent on J = -(1/N) sum_i sum_k [y log p + (1 - y) log(1 - p)], p = sigma(x W^T + b),
    whose gradient is dW = (1/N) (P - Y)^T X, db = (1/N) sum_i (p(i) - y(i))."""
    demo = manual.symmetry_demo(init, sizes=sizes, steps=3, lr=0.5)
    assert demo.weight_spread.shape == (4, 0) and demo.activation_spread.shape == (4, 0)
    X, Y = demo.X, demo.Y.reshape(len(demo.X), -1)
    (W,), (b,) = manual.init_weights(sizes, init, seed=1)
    costs = []
    for step in range(4):
        P = 1 / (1 + np.exp(-(X @ W.T + b)))
        costs.append(-np.mean(np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1)))
        if step < 3:
            W, b = W - 0.5 * (P - Y).T @ X / len(X), b - 0.5 * np.mean(P - Y, axis=0)
    np.testing.assert_allclose(demo.cost, costs, rtol=1e-12)
    np.testing.assert_allclose(demo.weights[0], W, rtol=1e-12)
    np.testing.assert_allclose(demo.biases[0], b, rtol=1e-12)
    assert demo.cost[-1] < demo.cost[0]


@pytest.mark.parametrize("fn", ["forward", "cost", "backprop"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_x_is_a_clear_error(fn, bad):
    W, b, X, Y = _good()
    X = X.copy()
    X[2, 1] = bad
    args = (W, b, X) if fn == "forward" else (W, b, X, np.stack([Y, Y], axis=1))
    with pytest.raises(ValueError) as e:
        getattr(manual, fn)(*args)
    assert str(e.value) == f"{fn}: X contains non-finite values"


def test_symmetry_demo_rejects_bad_arguments():
    with pytest.raises(ValueError, match="init_weights: unknown init 'ones'"):
        manual.symmetry_demo("ones")
    with pytest.raises(ValueError, match="symmetry_demo: unknown hidden activation"):
        manual.symmetry_demo("zeros", hidden="softmax")
    with pytest.raises(ValueError, match="give both X and Y"):
        manual.symmetry_demo("zeros", X=np.ones((3, 2)))


# ---------------------------------------------------------------- example
def test_zero_init_example_runs():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "zero_init.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "equals 1/2 for every input: True" in out
    assert "zeros: hidden units identical at every step: True" in out
    assert "random: hidden units identical at every step: False" in out
