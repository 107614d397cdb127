"""tinygrad_ds.manual perceptrons: separable data within Novikoff's bound, honest failure on XOR."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_ds import manual

ROOT = Path(__file__).resolve().parents[1]
X_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_XOR = np.array([0, 1, 1, 0])


def separable(n, dim, gamma, bias, seed):
    """n points of the radius-2 ball at distance >= gamma from w*.x + b* = 0, ||w*|| = 1.

    Returns X, 0/1 labels, and R, margin measured where the perceptron works: on x~ = (1, x)
    when bias is not None (theta* = (b*, w*) normalised), on x itself when bias is None.
    """
    rng = np.random.default_rng(seed)
    w = rng.normal(size=dim)
    w /= np.linalg.norm(w)
    b = 0.0 if bias is None else bias
    X = rng.uniform(-2, 2, size=(50 * n, dim))
    X = X[(np.linalg.norm(X, axis=1) <= 2) & (np.abs(X @ w + b) >= gamma)][:n]
    assert len(X) == n
    y = (X @ w + b > 0).astype(int)
    Xa, theta = (X, w) if bias is None else (np.hstack([np.ones((n, 1)), X]), np.array([b, *w]))
    margin = np.min((2 * y - 1) * (Xa @ theta)) / np.linalg.norm(theta)
    return X, y, np.max(np.linalg.norm(Xa, axis=1)), margin


SEPARABLE = [
    # n, dim, gamma, bias (None: no intercept, data split through the origin), lr, seed
    (100, 2, 0.2, 0.5, 1.0, 0),
    (200, 2, 0.05, 1.0, 1.0, 1),
    (150, 3, 0.1, -0.7, 0.1, 2),
    (300, 5, 0.1, 0.3, 5.0, 3),
    (100, 2, 0.1, None, 1.0, 4),
    (200, 4, 0.05, None, 0.5, 5),
]


@pytest.mark.parametrize("n,dim,gamma,bias,lr,seed", SEPARABLE)
def test_online_perceptron_separates_within_novikoff_bound(n, dim, gamma, bias, lr, seed):
    X, y, R, margin = separable(n, dim, gamma, bias, seed)
    bound = (R / margin) ** 2
    model = manual.Perceptron(lr=lr, max_epochs=int(bound) + 2, fit_intercept=bias is not None)
    model.fit(X, y)
    assert model.converged_ and model.stop_reason_ == "separated"
    assert 0 < model.n_updates_ <= bound
    assert model.n_updates_ == sum(h["errors"] for h in model.history_)
    assert model.history_[-1]["errors"] == 0 and model.history_[-1]["delta_norm"] == 0.0
    np.testing.assert_array_equal(model.predict(X), y)
    assert model.theta_.shape == (dim + (bias is not None),)


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("n,dim,gamma,bias,lr,seed", SEPARABLE)
def test_batch_perceptron_separates(n, dim, gamma, bias, lr, seed, normalize):
    X, y, _, _ = separable(n, dim, gamma, bias, seed)
    model = manual.BatchPerceptron(lr=lr, normalize=normalize, fit_intercept=bias is not None)
    model.fit(X, 2 * y - 1)
    assert model.converged_ and model.stop_reason_ == "separated"
    assert model.n_misclassified_ == 0
    np.testing.assert_array_equal(model.predict(X), 2 * y - 1)
    assert [h["epoch"] for h in model.history_] == list(range(1, len(model.history_) + 1))
    assert model.history_[-1]["delta_norm"] == 0.0 and model.history_[-1]["errors"] == 0


def test_normalising_only_rescales_theta_from_zero():
    X, y, _, _ = separable(100, 2, 0.1, 0.5, 0)
    a = manual.BatchPerceptron(normalize=True).fit(X, 2 * y - 1)
    b = manual.BatchPerceptron(normalize=False).fit(X, 2 * y - 1)
    assert len(a.history_) == len(b.history_)
    np.testing.assert_allclose(a.theta_ * len(X), b.theta_, rtol=1e-12)


def test_online_perceptron_rule_by_hand():
    # theta = 0; x~ = (1, 2): h = 1[0 >= 0] = 1 but y = 0, so theta <- 0 + (0 - 1)(1, 2) = (-1, -2).
    model = manual.Perceptron(max_epochs=1).fit(np.array([[2.0]]), np.array([0]))
    np.testing.assert_array_equal(model.theta_, [-1.0, -2.0])
    assert model.history_ == [{"epoch": 1, "errors": 1, "delta_norm": float(np.sqrt(5))}]
    assert model.converged_  # one epoch sufficed to separate a single point
    assert model.stop_reason_.startswith("separated")


# ---------------------------------------------------------------- XOR
def test_online_perceptron_on_xor_reports_the_epoch_limit():
    model = manual.Perceptron(max_epochs=50).fit(X_XOR, Y_XOR)
    assert not model.converged_
    assert len(model.history_) == 50 and all(h["errors"] > 0 for h in model.history_)
    k = model.n_misclassified_
    assert k == int(np.sum(model.predict(X_XOR) != Y_XOR)) >= 1
    assert model.stop_reason_ == f"epoch limit reached with {k} points misclassified"


@pytest.mark.parametrize("normalize", [True, False])
def test_batch_perceptron_on_xor_stops_at_once_without_claiming_convergence(normalize):
    model = manual.BatchPerceptron(normalize=normalize).fit(X_XOR, 2 * Y_XOR - 1)
    # theta = 0 misclassifies all four; sum y x~ = -(1,0,0) + (1,0,1) + (1,1,0) - (1,1,1) = 0.
    assert model.history_ == [{"epoch": 1, "errors": 4, "delta_norm": 0.0}]
    np.testing.assert_array_equal(model.theta_, 0.0)
    assert not model.converged_ and model.n_misclassified_ == 4
    assert model.stop_reason_.startswith("Delta vanished (||Delta|| = 0 < epsilon")
    assert model.stop_reason_.endswith("with 4 points still misclassified")


def test_batch_perceptron_epoch_limit_on_other_non_separable_data():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = manual.BatchPerceptron(max_epochs=20).fit(X, np.array([1, -1, 1, -1]))
    assert not model.converged_ and len(model.history_) == 20
    assert model.stop_reason_.startswith("epoch limit reached with")


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "model,y,message",
    [
        (manual.Perceptron(), [-1, 1, 1, -1], r"Perceptron.fit: labels must be in \{0, 1\}"),
        (manual.Perceptron(), [0, 2, 1, 0], r"got \[0, 1, 2\]"),
        (manual.BatchPerceptron(), [0, 1, 1, 0], r"BatchPerceptron.fit: labels must be in"),
        (manual.BatchPerceptron(), [0, 1, 1], r"y must have shape \(4,\).*\(3,\)"),
        (manual.Perceptron(), [[0, 1, 1, 0]], r"y must have shape \(4,\).*\(1, 4\)"),
    ],
)
def test_bad_labels_raise(model, y, message):
    with pytest.raises(ValueError, match=message):
        model.fit(X_XOR, np.array(y))


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match=r"X must be 2-D.*\(4,\)"):
        manual.Perceptron().fit(np.ones(4), np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match="lr must be"):
        manual.BatchPerceptron(lr=0.0)
    with pytest.raises(ValueError, match="max_epochs must be"):
        manual.Perceptron(max_epochs=0)
    with pytest.raises(RuntimeError, match="call fit"):
        manual.Perceptron().predict(X_XOR)
    model = manual.Perceptron().fit(X_XOR, Y_XOR)
    with pytest.raises(ValueError, match="X has 3 features; the fit used 2"):
        model.predict(np.ones((2, 3)))


# ---------------------------------------------------------------- example
def test_perceptron_example_runs():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "perceptron.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    separable_part, xor_part = out.split("XOR")
    assert separable_part.count("converged_=True") == 3
    assert "respected: True" in separable_part
    assert xor_part.count("converged_=False") == 3
    assert xor_part.count("Delta vanished") == 2
    assert "epoch limit reached" in xor_part
