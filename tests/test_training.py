"""End to end: models trained on the bundled data, the three gradient-descent variants, the
examples, and (when PyTorch is installed) trajectories against PyTorch's."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.data import DataLoader, TensorDataset
from tinygrad_ds.datasets import load_breast_cancer, load_digits

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_mlp_on_digits_reaches_95_percent():
    X_train, y_train, X_test, y_test = load_digits()
    td.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = optim.AdamW(model.parameters(), lr=1e-2)
    sched = optim.CosineAnnealingLR(opt, T_max=20)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True, seed=0)
    for _ in range(20):
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
        sched.step()
    with td.no_grad():
        accuracy = (model(td.Tensor(X_test)).argmax(axis=1).numpy() == y_test).mean()
    assert accuracy >= 0.95


def test_logistic_regression_on_breast_cancer_reaches_94_percent():
    X_train, y_train, X_test, y_test = load_breast_cancer()
    td.manual_seed(0)
    model = nn.Linear(30, 1)
    opt = optim.SGD(model.parameters(), lr=0.5)
    x, y = td.Tensor(X_train), td.Tensor(y_train.astype(np.float32)[:, None])
    for _ in range(200):
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy(model(x).sigmoid(), y)
        (loss + 1e-3 * nn.utils.l2_penalty(model)).backward()
        opt.step()
    with td.no_grad():
        predicted = model(td.Tensor(X_test)).sigmoid().numpy()[:, 0] > 0.5
    assert (predicted == y_test).mean() >= 0.94


def _logistic_run(batch_size, epochs=3, lr=0.1):
    X, y, _, _ = load_breast_cancer()
    X, y = X[:64], y[:64].astype(np.float32)[:, None]
    td.manual_seed(1)
    model = nn.Linear(30, 1)
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, seed=0)
    costs, steps = [], 0
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(model(xb), yb).backward()
            opt.step()
            steps += 1
        with td.no_grad():
            costs.append(nn.functional.binary_cross_entropy_with_logits(model(td.Tensor(X)), y))
    return model, [c.item() for c in costs], steps


@pytest.mark.parametrize("batch_size, steps", [(64, 3), (1, 192), (16, 12)])
def test_batch_stochastic_and_minibatch_gradient_descent(batch_size, steps):
    _, costs, taken = _logistic_run(batch_size)
    assert taken == steps  # one step per batch: N / B steps per epoch
    start = _logistic_run(64, epochs=0)[0]
    with td.no_grad():
        X, y, _, _ = load_breast_cancer()
        first = nn.functional.binary_cross_entropy_with_logits(
            start(td.Tensor(X[:64])), y[:64].astype(np.float32)[:, None]
        )
    assert costs[-1] < first.item()


def test_batch_gradient_descent_is_the_full_gradient_step():
    model, _, _ = _logistic_run(64, epochs=2)
    X, y, _, _ = load_breast_cancer()
    X, y = X[:64].astype(np.float64), y[:64].astype(np.float64)
    td.manual_seed(1)
    ref = nn.Linear(30, 1)
    w, b = ref.weight.data[0].astype(np.float64), ref.bias.data.astype(np.float64)
    for _ in range(2):  # dJ/dw = X^T (sigmoid(Xw + b) - y) / N, by hand
        r = 1 / (1 + np.exp(-(X @ w + b))) - y
        w, b = w - 0.1 * X.T @ r / 64, b - 0.1 * r.mean()
    np.testing.assert_allclose(model.weight.data[0], w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.bias.data, b, rtol=1e-4, atol=1e-6)


def test_a_whole_model_in_float64_passes_gradcheck():
    td.manual_seed(2)
    model = nn.Sequential(
        nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.LayerNorm(5), nn.Linear(5, 3)
    ).double()
    x = td.Tensor(np.random.default_rng(0).standard_normal((6, 4)), requires_grad=True)
    y = np.array([0, 1, 2, 0, 1, 2])
    params = list(model.parameters())
    assert all(p.dtype == np.float64 for p in params)
    assert td.gradcheck(lambda a, *ps: nn.functional.cross_entropy(model(a), y), [x, *params])


def _example(name):
    return runpy.run_path(str(EXAMPLES / f"{name}.py"))


def test_examples_run(tmp_path):
    assert _example("digits_mlp")["main"](epochs=2, hidden=32, verbose=False) > 0.8
    assert _example("breast_cancer_logistic")["main"](epochs=20, verbose=False) > 0.9
    gd = _example("gd_variants")
    runs = gd["main"](epochs=2, plot_path=str(tmp_path / "gd.png"), verbose=False)
    assert list(runs) == ["batch", "stochastic", "mini-batch 32"]
    for history in runs.values():
        assert len(history["cost"]) == 3 and history["cost"][-1] < history["cost"][0]
        assert history["seconds"] == sorted(history["seconds"])
    assert "optimiser steps taken: batch: 2, stochastic: 912" in gd["table"](runs)


# ---------------------------------------------------------------------------------------------
# against PyTorch, when it is installed (every requirement is also tested above without it)
# ---------------------------------------------------------------------------------------------

TORCH_OPTIMISERS = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("Adam", dict(lr=1e-2, weight_decay=1e-2, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, betas=(0.8, 0.99))),
    ("RMSprop", dict(lr=1e-2, momentum=0.5, centered=True, weight_decay=1e-2)),
    ("Adagrad", dict(lr=0.1, lr_decay=1e-2, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize("name, options", TORCH_OPTIMISERS, ids=[n for n, _ in TORCH_OPTIMISERS])
def test_training_trajectory_matches_pytorch(name, options):
    torch = pytest.importorskip("torch")
    X, y, _, _ = load_digits()
    X, y = X[:128].astype(np.float64), y[:128]
    td.manual_seed(0)
    ours = nn.Sequential(nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 10)).double()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(64, 16), torch.nn.Tanh(), torch.nn.Linear(16, 10)
    ).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    opt = getattr(optim, name)(ours.parameters(), **options)
    topt = getattr(torch.optim, name)(theirs.parameters(), **options)
    for step in range(10):
        rows = slice(32 * (step % 4), 32 * (step % 4) + 32)
        opt.zero_grad()
        nn.functional.cross_entropy(
            ours(td.Tensor(X[rows])), y[rows], label_smoothing=0.1
        ).backward()
        opt.step()
        topt.zero_grad()
        torch.nn.functional.cross_entropy(
            theirs(torch.tensor(X[rows])), torch.tensor(y[rows]), label_smoothing=0.1
        ).backward()
        topt.step()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), atol=1e-12)
