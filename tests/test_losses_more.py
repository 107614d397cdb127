"""More losses (nn/losses_more.py): values against NumPy closed forms, gradients by gradcheck
in float64 (away from kinks), reductions, broadcasting, errors by message, stability, dtypes,
module reprs, values and gradients against PyTorch, and a small training check."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from helpers import away_from, check_op

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F

R = np.random.default_rng(21)
X = R.standard_normal((4, 3))
Y = away_from(X + R.standard_normal((4, 3)) * 2, [0.0])  # target
D = away_from(X - Y, [-1.0, 1.0, -0.5, 0.5])
Y = X - D  # x - y is away from the kinks at +-beta
P = R.dirichlet(np.ones(3), 4)  # probability targets
P0 = P.copy()
P0[0, 1] = 0.0  # a zero target: 0 log 0 = 0
COUNTS = np.array([[0.0, 1.0, 3.0], [2.0, 5.0, 0.0], [1.0, 4.0, 7.0], [0.0, 2.0, 1.0]])
VAR = R.uniform(0.3, 2.0, (4, 3))
SIGNS = np.array([[1, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, 1]])
LABELS01 = R.integers(0, 2, (4, 3)).astype(float)
CLS = np.array([2, 0, 1, 1])
ML = np.array([[2, 0, -1], [1, -1, 0], [0, 1, 2], [-1, 2, 2]])  # -1 ends each row's list
REDUCTIONS = ["mean", "sum", "none"]


def reduce_np(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


def np_smooth_l1(d, beta):
    a = np.abs(d)
    return np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


def np_huber(d, delta):
    a = np.abs(d)
    return np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def np_logsigmoid(x):
    return -np.logaddexp(0.0, -x)


def np_multilabel_margin(x, t):
    x, t = np.atleast_2d(x), np.atleast_2d(t)
    out = []
    for row, tr in zip(x, t):
        listed = []
        for j in tr:
            if j == -1:
                break
            listed.append(j)
        others = [k for k in range(len(row)) if k not in listed]
        out.append(sum(max(0, 1 - row[j] + row[k]) for j in listed for k in others) / len(row))
    return np.array(out)


def np_multi_margin(x, t, p=1, margin=1.0, w=None):
    w = np.ones(x.shape[1]) if w is None else w
    out = []
    for row, y in zip(x, t):
        z = [w[y] * max(0, margin - row[y] + row[j]) ** p for j in range(len(row)) if j != y]
        out.append(sum(z) / len(row))
    return np.array(out)


# name, fn of float64 tensors, NumPy closed form, inputs (all require grad)
CASES = [
    ("smooth_l1", lambda x: F.smooth_l1_loss(x, Y, "none"), lambda x: np_smooth_l1(x - Y, 1.0),
     [X]),
    ("smooth_l1_beta", lambda x, y: F.smooth_l1_loss(x, y, "sum", beta=0.5),
     lambda x, y: np_smooth_l1(x - y, 0.5).sum(), [X, Y]),
    ("smooth_l1_beta0", lambda x: F.smooth_l1_loss(x, Y, beta=0.0),
     lambda x: np.abs(x - Y).mean(), [X]),
    ("huber", lambda x, y: F.huber_loss(x, y, "none"), lambda x, y: np_huber(x - y, 1.0), [X, Y]),
    ("huber_delta", lambda x: F.huber_loss(x, Y, delta=0.5), lambda x: np_huber(x - Y, 0.5).mean(),
     [X]),
    ("kl", lambda x, t: F.kl_div(x, t, "batchmean"),
     lambda x, t: (t * (np.log(t) - x)).sum() / 4, [np.log(P[::-1]), P]),
    ("kl_zero_target", lambda x: F.kl_div(x, P0, "sum"),
     lambda x: np.where(P0 > 0, P0 * (np.log(np.where(P0 > 0, P0, 1)) - x), 0).sum(), [X]),
    ("kl_log_target", lambda x, t: F.kl_div(x, t, "none", log_target=True),
     lambda x, t: np.exp(t) * (t - x), [X, Y]),
    ("kl_broadcast", lambda x, t: F.kl_div(x, t, "sum"),
     lambda x, t: (t * (np.log(t) - x)).sum(), [X, P[0]]),
    ("poisson_log", lambda x: F.poisson_nll_loss(x, COUNTS),
     lambda x: (np.exp(x) - COUNTS * x).mean(), [X]),
    ("poisson_rate", lambda x: F.poisson_nll_loss(x, COUNTS, log_input=False, reduction="none"),
     lambda x: x - COUNTS * np.log(x + 1e-8), [VAR]),
    ("poisson_full", lambda x, t: F.poisson_nll_loss(x, t, full=True, reduction="none"),
     lambda x, t: np.exp(x) - t * x
     + np.where(t > 1, t * np.log(t) - t + 0.5 * np.log(2 * np.pi * t), 0), [X, COUNTS + 0.5]),
    ("gaussian", lambda x, y, v: F.gaussian_nll_loss(x, y, v, reduction="none"),
     lambda x, y, v: 0.5 * (np.log(v) + (x - y) ** 2 / v), [X, Y, VAR]),
    ("gaussian_full_row_var", lambda x, v: F.gaussian_nll_loss(x, Y, v, full=True),
     lambda x, v: (0.5 * (np.log(v[:, None]) + (x - Y) ** 2 / v[:, None])).mean()
     + 0.5 * np.log(2 * np.pi), [X, VAR[:, 0]]),
    ("gaussian_one_dim_1", lambda x, v: F.gaussian_nll_loss(x, Y, v, reduction="sum"),
     lambda x, v: (0.5 * (np.log(v) + (x - Y) ** 2 / v)).sum(), [X, VAR[:1]]),
    ("margin_ranking", lambda a, b: F.margin_ranking_loss(a, b, SIGNS, margin=0.3),
     lambda a, b: np.maximum(0, -SIGNS * (a - b) + 0.3).mean(),
     [X, X + away_from(R.standard_normal((4, 3)), [0.3, -0.3])]),
    ("hinge_embedding", lambda x: F.hinge_embedding_loss(x, SIGNS, reduction="none"),
     lambda x: np.where(SIGNS == 1, x, np.maximum(0, 1 - x)), [away_from(X, [1.0])]),
    ("soft_margin", lambda x: F.soft_margin_loss(x, SIGNS),
     lambda x: np.log1p(np.exp(-SIGNS * x)).mean(), [X]),
    ("cosine_embedding", lambda a, b: F.cosine_embedding_loss(a, b, SIGNS[:, 0], reduction="none"),
     lambda a, b: np.where(SIGNS[:, 0] == 1, 1 - (c := (a * b).sum(1) / np.sqrt(
         ((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))), np.maximum(c, 0)),
     [X, X + 0.5 * np.eye(4, 3)]),
    ("triplet", lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction="none"),
     lambda a, p, n: np.maximum(0, np.linalg.norm(a - p + 1e-6, axis=-1)
                                - np.linalg.norm(a - n + 1e-6, axis=-1) + 1), [X, Y, X + 0.3]),
    ("triplet_p1_swap", lambda a, p, n: F.triplet_margin_loss(a, p, n, p=1, swap=True),
     lambda a, p, n: np.maximum(0, np.abs(a - p + 1e-6).sum(-1) - np.minimum(
         np.abs(a - n + 1e-6).sum(-1), np.abs(p - n + 1e-6).sum(-1)) + 1).mean(),
     [X, X + 0.2, Y]),
    ("multilabel_soft_margin", lambda x: F.multilabel_soft_margin_loss(x, LABELS01, VAR[0]),
     lambda x: (-(LABELS01 * np_logsigmoid(x) + (1 - LABELS01) * np_logsigmoid(-x)) * VAR[0])
     .sum(1).mean() / 3, [X]),
    ("multi_margin", lambda x: F.multi_margin_loss(x, CLS, reduction="none"),
     lambda x: np_multi_margin(x, CLS), [X]),
    ("multi_margin_p2_weight", lambda x: F.multi_margin_loss(x, CLS, p=2, margin=0.7,
                                                             weight=VAR[0], reduction="sum"),
     lambda x: np_multi_margin(x, CLS, 2, 0.7, VAR[0]).sum(), [X]),
    ("multilabel_margin", lambda x: F.multilabel_margin_loss(x, ML, reduction="none"),
     lambda x: np_multilabel_margin(x, ML), [X]),
    ("multilabel_margin_1d", lambda x: F.multilabel_margin_loss(x, ML[0]),
     lambda x: np_multilabel_margin(x, ML[0])[0], [X[0]]),
]  # fmt: skip


@pytest.mark.parametrize("name, fn, ref, arrays", CASES, ids=[c[0] for c in CASES])
def test_value_and_gradient(name, fn, ref, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning, no kl_div 'mean' warning here
        check_op(fn, ref, arrays)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_reductions(reduction):
    x, y = td.Tensor(X), td.Tensor(Y)
    checks = [
        (F.smooth_l1_loss(x, y, reduction), np_smooth_l1(X - Y, 1.0)),
        (F.huber_loss(x, y, reduction), np_huber(X - Y, 1.0)),
        (F.soft_margin_loss(x, SIGNS, reduction), np.log1p(np.exp(-SIGNS * X))),
        (F.poisson_nll_loss(x, COUNTS, reduction=reduction), np.exp(X) - COUNTS * X),
        (F.multi_margin_loss(x, CLS, reduction=reduction), np_multi_margin(X, CLS)),
    ]
    for out, per in checks:
        np.testing.assert_allclose(out.data, reduce_np(per, reduction), rtol=1e-12)


def test_kl_div_reductions_and_mean_warning():
    x, t = td.Tensor(np.log(P[::-1])), td.Tensor(P)
    per = P * (np.log(P) - np.log(P[::-1]))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        np.testing.assert_allclose(F.kl_div(x, t).data, per.mean())
    with pytest.warns(UserWarning, match="batchmean"):
        nn.KLDivLoss()(x, t)
    np.testing.assert_allclose(F.kl_div(x, t, "batchmean").data, per.sum() / 4)
    np.testing.assert_allclose(F.kl_div(x, t, "sum").data, per.sum())
    np.testing.assert_allclose(nn.KLDivLoss("batchmean")(x, t).data, per.sum() / 4)
    z = F.kl_div(td.Tensor(-1.0), td.Tensor(0.5), "batchmean")  # 0-d: the sum itself
    np.testing.assert_allclose(z.data, 0.5 * (np.log(0.5) + 1))


def test_kl_div_zero_target_gradient_as_pytorch():
    x = td.Tensor(np.array([-1.0, -2.0, -0.5]), requires_grad=True)
    t = td.Tensor(np.array([0.0, 0.3, 0.7]), requires_grad=True)
    loss = F.kl_div(x, t, "sum")
    np.testing.assert_allclose(loss.data, 0.3 * (np.log(0.3) + 2) + 0.7 * (np.log(0.7) + 0.5))
    with np.errstate(invalid="ignore", divide="ignore"):
        loss.backward()
    np.testing.assert_allclose(x.grad.data, [0.0, -0.3, -0.7])  # -y: 0 at y = 0
    assert np.isnan(t.grad.data[0])  # d/dy = log y + 1 - x, -inf at 0: PyTorch's nan
    np.testing.assert_allclose(t.grad.data[1:], np.log([0.3, 0.7]) + 1 - np.array([-2.0, -0.5]))


def test_gaussian_var_clamp_passes_gradient_as_pytorch():
    v = td.Tensor(np.array([1e-9, 0.5]), requires_grad=True)
    loss = F.gaussian_nll_loss(td.Tensor([1.0, 2.0]), td.Tensor([0.0, 0.0]), v, reduction="sum")
    vc = np.array([1e-6, 0.5])
    np.testing.assert_allclose(loss.data, (0.5 * (np.log(vc) + np.array([1.0, 4.0]) / vc)).sum())
    loss.backward()
    np.testing.assert_allclose(v.grad.data, 0.5 * (1 / vc - np.array([1.0, 4.0]) / vc**2))
    # a number as var: one variance for all, no gradient
    out = F.gaussian_nll_loss(td.Tensor(X), Y, 0.5, reduction="none")
    np.testing.assert_allclose(out.data, 0.5 * (np.log(0.5) + (X - Y) ** 2 / 0.5))


def test_second_derivatives():
    """Second derivatives through the composed forms (create_graph=True), against closed forms."""
    x = td.Tensor(np.array([0.3, -0.2, 2.0, -3.0]), requires_grad=True)
    (g,) = td.grad(F.smooth_l1_loss(x, np.zeros(4), "sum", beta=0.5), [x], create_graph=True)
    (h,) = td.grad(g.sum(), [x])
    np.testing.assert_allclose(h.data, [2.0, 2.0, 0.0, 0.0])  # 1/beta inside, 0 outside
    (g,) = td.grad(F.soft_margin_loss(x, np.ones(4), "sum"), [x], create_graph=True)
    (h,) = td.grad(g.sum(), [x])
    s = 1 / (1 + np.exp(-x.data))
    np.testing.assert_allclose(h.data, s * (1 - s))
    (g,) = td.grad(F.poisson_nll_loss(x, [0.0, 1.0, 2.0, 3.0], reduction="sum"), [x],
                   create_graph=True)  # fmt: skip
    (h,) = td.grad(g.sum(), [x])
    np.testing.assert_allclose(h.data, np.exp(x.data))
    assert td.gradcheck(lambda a: td.grad(F.gaussian_nll_loss(a, 0.0, 0.7, reduction="sum"), [a],
                                          create_graph=True)[0].sum(), [x])  # fmt: skip


def test_broadcasting():
    # kl_div, poisson_nll_loss and gaussian_nll_loss broadcast input and target
    out = F.kl_div(td.Tensor(X), P[0], "none")
    assert out.shape == (4, 3)
    out = F.poisson_nll_loss(td.Tensor(X[:, :1]), COUNTS[0], reduction="none")
    np.testing.assert_allclose(out.data, np.exp(X[:, :1]) - COUNTS[0] * X[:, :1])
    out = F.gaussian_nll_loss(td.Tensor(X), Y[0], VAR[:, :1], reduction="none")
    np.testing.assert_allclose(out.data, 0.5 * (np.log(VAR[:, :1]) + (X - Y[0]) ** 2 / VAR[:, :1]))
    out = F.hinge_embedding_loss(td.Tensor(X[0]), SIGNS, reduction="none")
    assert out.shape == (4, 3)
    out = F.margin_ranking_loss(td.Tensor(X), td.Tensor(X[:1]), SIGNS[:, :1], reduction="none")
    np.testing.assert_allclose(out.data, np.maximum(0, -SIGNS[:, :1] * (X - X[:1])))


ERRORS = [
    (lambda: F.smooth_l1_loss(X, Y[:, :1]), ValueError,
     r"smooth_l1_loss: target of shape \(4, 1\) does not match input of shape \(4, 3\)"),
    (lambda: F.smooth_l1_loss(X, Y, beta=-1), ValueError, "smooth_l1_loss: beta must be >= 0"),
    (lambda: F.smooth_l1_loss(X, Y, beta=math.nan), ValueError, "smooth_l1_loss: beta must be"),
    (lambda: F.smooth_l1_loss(X, Y, "avg"), ValueError,
     "smooth_l1_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    (lambda: F.huber_loss(X, Y, delta=0), ValueError, "huber_loss: delta must be > 0, got 0"),
    (lambda: F.huber_loss(np.arange(3), np.arange(3)), TypeError,
     "huber_loss: input must be a floating tensor"),
    (lambda: F.kl_div(X, P, "avg"), ValueError,
     "kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none'"),
    (lambda: F.kl_div(X, -P, "sum"), ValueError,
     "kl_div: target probabilities must be >= 0, .* pass log_target=True"),
    (lambda: F.kl_div(X, P[:2, :2], "sum"), ValueError,
     r"kl_div: input of shape \(4, 3\), target of shape \(2, 2\) do not broadcast"),
    (lambda: F.kl_div(X, P, "sum", log_target=1), TypeError, "kl_div: log_target must be a bool"),
    (lambda: F.poisson_nll_loss(X, COUNTS[:, :2]), ValueError,
     "poisson_nll_loss: input of shape .* do not broadcast"),
    (lambda: F.poisson_nll_loss(X, ["a"]), TypeError, "poisson_nll_loss: target must hold numbers"),
    (lambda: F.gaussian_nll_loss(X, Y, -VAR), ValueError,
     "gaussian_nll_loss: var has negative entries"),
    (lambda: F.gaussian_nll_loss(X, Y, -1.0), ValueError, "gaussian_nll_loss: var must be >= 0"),
    (lambda: F.gaussian_nll_loss(X, Y, VAR[:2, :2]), ValueError,
     r"gaussian_nll_loss: var of shape \(2, 2\) does not fit input of shape \(4, 3\)"),
    (lambda: F.gaussian_nll_loss(X, Y, VAR[:1, :1]), ValueError,
     r"gaussian_nll_loss: var of shape \(1, 1\) does not fit"),
    (lambda: F.margin_ranking_loss(X[:, :1], X[:, 0], X[:, 0]), ValueError,
     "margin_ranking_loss: input1, input2 and target must have the same number of dims"),
    (lambda: F.soft_margin_loss(X, SIGNS[0]), ValueError,
     r"soft_margin_loss: target of shape \(3,\) does not match input of shape \(4, 3\)"),
    (lambda: F.cosine_embedding_loss(X, X, SIGNS), ValueError,
     "cosine_embedding_loss: target must be 0-d or 1-d"),
    (lambda: F.cosine_embedding_loss(X, X, 1), ValueError,
     r"cosine_embedding_loss: a 0-d target needs 1-d inputs, got shapes \(4, 3\)"),
    (lambda: F.cosine_embedding_loss(X, X, SIGNS[:3, 0]), ValueError,
     r"cosine_embedding_loss: target of shape \(3,\) does not match"),
    (lambda: F.triplet_margin_loss(X, X, X, margin=0), ValueError,
     "triplet_margin_loss: margin must be > 0, got 0"),
    (lambda: F.triplet_margin_loss(X, X[0], X), ValueError,
     "triplet_margin_loss: anchor, positive and negative must have the same number of dims"),
    (lambda: F.triplet_margin_with_distance_loss(X, X, X, distance_function=3), TypeError,
     "triplet_margin_with_distance_loss: distance_function must be callable"),
    (lambda: F.multilabel_soft_margin_loss(X, LABELS01, weight=np.ones(4)), ValueError,
     r"multilabel_soft_margin_loss: weight of shape \(4,\) does not broadcast"),
    (lambda: F.multilabel_soft_margin_loss(1.0, 1.0), ValueError,
     "multilabel_soft_margin_loss: input must have a class dim"),
    (lambda: F.multi_margin_loss(X, CLS, p=3), ValueError, "multi_margin_loss: p must be 1 or 2"),
    (lambda: F.multi_margin_loss(X, [0, 1, 3, 0]), ValueError,
     "multi_margin_loss: target class 3 is out of range for 3 classes"),
    (lambda: F.multi_margin_loss(X, CLS.astype(float)), TypeError,
     "multi_margin_loss: target must hold class indices"),
    (lambda: F.multi_margin_loss(X, CLS[:2]), ValueError,
     r"multi_margin_loss: target of shape \(2,\) does not match input of shape \(4, 3\)"),
    (lambda: F.multi_margin_loss(X, CLS, weight=np.ones(2)), ValueError,
     r"multi_margin_loss: weight must have shape \(3,\)"),
    (lambda: F.multi_margin_loss(X[None], CLS), ValueError,
     r"multi_margin_loss: input must be \(C,\) or \(N, C\)"),
    (lambda: F.multilabel_margin_loss(X, [[3, -1, 0]] * 4), ValueError,
     "multilabel_margin_loss: target class 3 is out of range"),
    (lambda: F.multilabel_margin_loss(X, CLS), ValueError,
     r"multilabel_margin_loss: target of shape \(4,\) does not match"),
    (lambda: nn.SmoothL1Loss(beta=-0.5), ValueError, "SmoothL1Loss: beta must be >= 0"),
    (lambda: nn.HuberLoss(delta=-1.0), ValueError, "HuberLoss: delta must be > 0"),
    (lambda: nn.KLDivLoss("avg"), ValueError,
     "KLDivLoss: reduction must be 'mean', 'batchmean', 'sum' or 'none', got 'avg'"),
    (lambda: nn.TripletMarginLoss(margin=-1.0), ValueError, "TripletMarginLoss: margin must be"),
    (lambda: nn.MultiMarginLoss(p=0), ValueError, "MultiMarginLoss: p must be 1 or 2"),
    (lambda: nn.MarginRankingLoss(margin="a"), TypeError, "MarginRankingLoss: margin must be"),
]  # fmt: skip


@pytest.mark.parametrize("call, exc, match", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_stability_at_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = np.array([-1e4, -100.0, 100.0, 1e4], dtype=np.float32)
        x = td.Tensor(big, requires_grad=True)
        loss = F.soft_margin_loss(x, np.ones(4, np.float32), "none")
        np.testing.assert_allclose(loss.data, [1e4, 100.0, 0.0, 0.0], atol=1e-6)
        loss.sum().backward()
        np.testing.assert_allclose(x.grad.data, [-1.0, -1.0, 0.0, 0.0], atol=1e-6)
        x = td.Tensor(big, requires_grad=True)
        loss = F.multilabel_soft_margin_loss(x.reshape(1, 4), np.zeros((1, 4)), reduction="sum")
        np.testing.assert_allclose(loss.data, (0 + 0 + 100 + 1e4) / 4, rtol=1e-6)
        loss = F.huber_loss(x, np.zeros(4, np.float32), "none")
        np.testing.assert_allclose(loss.data, np.abs(big) - 0.5)
        loss = F.kl_div(x, np.zeros(4), "sum")  # 0 log 0 = 0 even against huge log-probs
        assert loss.item() == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda x: F.smooth_l1_loss(x, x.data * 0),
        lambda x: F.huber_loss(x, x.data * 0, "none"),
        lambda x: F.kl_div(x, np.full(3, 0.5), "batchmean"),
        lambda x: F.poisson_nll_loss(x, [1, 2, 3], full=True),
        lambda x: F.gaussian_nll_loss(x, 0.0, np.ones(3)),
        lambda x: F.margin_ranking_loss(x, x * 2, [1, -1, 1]),
        lambda x: F.hinge_embedding_loss(x, [1, -1, 1]),
        lambda x: F.soft_margin_loss(x, [1, -1, 1]),
        lambda x: F.cosine_embedding_loss(x, x * 2, 1),
        lambda x: F.triplet_margin_loss(x, x * 2, x * 3),
        lambda x: F.multilabel_soft_margin_loss(x, [1, 0, 1]),
        lambda x: F.multi_margin_loss(x, 1),
        lambda x: F.multilabel_margin_loss(x, [1, -1, 0]),
    ],
)
def test_float32_stays_float32(call):
    x = td.Tensor(np.array([0.5, -1.5, 2.0], dtype=np.float32), requires_grad=True)
    out = call(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_module_forms_match_functions():
    x = td.Tensor(X)
    pairs = [
        (nn.SmoothL1Loss("sum", beta=0.5)(x, Y), F.smooth_l1_loss(x, Y, "sum", 0.5)),
        (nn.HuberLoss(delta=2.0)(x, Y), F.huber_loss(x, Y, delta=2.0)),
        (nn.KLDivLoss("batchmean", log_target=True)(x, Y), F.kl_div(x, Y, "batchmean", True)),
        (nn.PoissonNLLLoss(False, True)(td.Tensor(VAR), COUNTS),
         F.poisson_nll_loss(VAR, COUNTS, False, True)),
        (nn.GaussianNLLLoss(full=True)(x, Y, VAR), F.gaussian_nll_loss(x, Y, VAR, True)),
        (nn.MarginRankingLoss(0.5)(x, Y, SIGNS), F.margin_ranking_loss(x, Y, SIGNS, 0.5)),
        (nn.HingeEmbeddingLoss(2.0)(x, SIGNS), F.hinge_embedding_loss(x, SIGNS, 2.0)),
        (nn.SoftMarginLoss("none")(x, SIGNS), F.soft_margin_loss(x, SIGNS, "none")),
        (nn.CosineEmbeddingLoss(0.1)(x, Y, SIGNS[:, 0]),
         F.cosine_embedding_loss(x, Y, SIGNS[:, 0], 0.1)),
        (nn.TripletMarginLoss(2.0, 1.0, swap=True)(x, Y, x * 2),
         F.triplet_margin_loss(x, Y, x * 2, 2.0, 1.0, swap=True)),
        (nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: (a - b).abs().sum(-1))(
            x, Y, x * 2), F.triplet_margin_loss(x, Y, x * 2, p=1, eps=0.0)),
        (nn.MultiLabelSoftMarginLoss(VAR[0])(x, LABELS01),
         F.multilabel_soft_margin_loss(x, LABELS01, VAR[0])),
        (nn.MultiMarginLoss(2, 0.5, VAR[0])(x, CLS), F.multi_margin_loss(x, CLS, 2, 0.5, VAR[0])),
        (nn.MultiLabelMarginLoss()(x, ML), F.multilabel_margin_loss(x, ML)),
    ]  # fmt: skip
    for a, b in pairs:
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
    assert "weight" in nn.MultiMarginLoss(weight=[1.0, 2.0, 3.0]).state_dict()


def test_reprs():
    assert repr(nn.HuberLoss()) == "HuberLoss()"
    assert repr(nn.SmoothL1Loss("sum", beta=0.5)) == "SmoothL1Loss(reduction='sum', beta=0.5)"
    assert repr(nn.KLDivLoss("batchmean")) == "KLDivLoss(reduction='batchmean')"
    assert repr(nn.TripletMarginLoss(swap=True)) == "TripletMarginLoss(swap=True)"


MODULES = [
    "SmoothL1Loss", "HuberLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss",
    "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
    "TripletMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss",
]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_default_reprs_match_pytorch(name):
    torch = pytest.importorskip("torch")
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())


def test_huber_fit_resists_outliers():
    """y = 2x + 1 with 15 of 200 points pushed up by 20 on the right: a line fitted by
    gradient descent on HuberLoss finds the slope far better than one fitted on MSELoss."""
    rng = np.random.default_rng(3)
    xs = rng.uniform(-1, 1, (200, 1))
    ys = 2 * xs + 1 + 0.05 * rng.standard_normal((200, 1))
    right = np.flatnonzero(xs[:, 0] > 0.5)[:15]  # gross outliers on one side tilt the line
    ys[right] += 20.0

    def fit(loss_fn):
        td.manual_seed(0)
        model = nn.Linear(1, 1)
        opt = td.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(400):
            opt.zero_grad()
            loss = loss_fn(model(td.Tensor(xs)), ys)
            loss.backward()
            opt.step()
        return model.weight.item()

    huber, mse = fit(nn.HuberLoss()), fit(nn.MSELoss())
    assert abs(huber - 2) < 0.3  # bounded influence: each outlier pulls with force delta only
    assert abs(mse - 2) > 10 * abs(huber - 2)  # ~3.6 off: squared error lets them dominate


def _torch_cases(torch):
    """(name, our call, torch's call, float64 arrays that require grad)."""
    tf = torch.nn.functional
    c = torch.tensor
    rows = []
    for red in REDUCTIONS:
        rows += [
            ("smooth_l1", lambda x, y, r=red: F.smooth_l1_loss(x, y, r, 0.7),
             lambda x, y, r=red: tf.smooth_l1_loss(x, y, reduction=r, beta=0.7), [X, Y]),
            ("huber", lambda x, y, r=red: F.huber_loss(x, y, r, 0.7),
             lambda x, y, r=red: tf.huber_loss(x, y, reduction=r, delta=0.7), [X, Y]),
            ("kl", lambda x, t, r=red: F.kl_div(x, t, r if r != "mean" else "batchmean"),
             lambda x, t, r=red: tf.kl_div(x, t, reduction=r if r != "mean" else "batchmean"),
             [X, P]),
            ("kl_log", lambda x, t, r=red: F.kl_div(x, t, r if r != "mean" else "sum", True),
             lambda x, t, r=red: tf.kl_div(x, t, reduction=r if r != "mean" else "sum",
                                           log_target=True), [X, Y]),
            ("poisson_full", lambda x, t, r=red: F.poisson_nll_loss(x, t, full=True, reduction=r),
             lambda x, t, r=red: tf.poisson_nll_loss(x, t, full=True, reduction=r),
             [X, COUNTS + 0.5]),
            ("poisson_rate", lambda x, r=red: F.poisson_nll_loss(x, COUNTS, False, reduction=r),
             lambda x, r=red: tf.poisson_nll_loss(x, c(COUNTS), False, reduction=r), [VAR]),
            ("gaussian", lambda x, y, v, r=red: F.gaussian_nll_loss(x, y, v, True, reduction=r),
             lambda x, y, v, r=red: tf.gaussian_nll_loss(x, y, v, True, reduction=r),
             [X, Y, VAR[:, 0]]),
            ("margin_ranking", lambda a, b, r=red: F.margin_ranking_loss(a, b, SIGNS, 0.2, r),
             lambda a, b, r=red: tf.margin_ranking_loss(a, b, c(SIGNS), 0.2, reduction=r),
             [X, Y]),
            ("hinge", lambda x, r=red: F.hinge_embedding_loss(x, SIGNS, 0.5, r),
             lambda x, r=red: tf.hinge_embedding_loss(x, c(SIGNS), 0.5, reduction=r), [X]),
            ("soft_margin", lambda x, r=red: F.soft_margin_loss(x, SIGNS, r),
             lambda x, r=red: tf.soft_margin_loss(x, c(SIGNS, dtype=torch.float64), reduction=r),
             [X]),
            ("cosine", lambda a, b, r=red: F.cosine_embedding_loss(a, b, SIGNS[:, 0], 0.1, r),
             lambda a, b, r=red: tf.cosine_embedding_loss(a, b, c(SIGNS[:, 0]), 0.1, reduction=r),
             [X, Y]),
            ("triplet", lambda a, p, n, r=red: F.triplet_margin_loss(a, p, n, 0.5, 3, swap=True,
                                                                     reduction=r),
             lambda a, p, n, r=red: tf.triplet_margin_loss(a, p, n, 0.5, 3, swap=True,
                                                           reduction=r), [X, Y, X + 0.3]),
            ("triplet_distance", lambda a, p, n, r=red: F.triplet_margin_with_distance_loss(
                a, p, n, reduction=r), lambda a, p, n, r=red: tf.triplet_margin_with_distance_loss(
                a, p, n, reduction=r), [X, Y, X + 0.3]),
            ("multilabel_soft", lambda x, r=red: F.multilabel_soft_margin_loss(x, LABELS01,
                                                                              VAR[0], r),
             lambda x, r=red: tf.multilabel_soft_margin_loss(x, c(LABELS01), c(VAR[0]),
                                                             reduction=r), [X]),
            ("multi_margin", lambda x, r=red: F.multi_margin_loss(x, CLS, 2, 0.8, VAR[0], r),
             lambda x, r=red: tf.multi_margin_loss(x, c(CLS), 2, 0.8, c(VAR[0]), reduction=r),
             [X]),
            ("multilabel_margin", lambda x, r=red: F.multilabel_margin_loss(x, ML, r),
             lambda x, r=red: tf.multilabel_margin_loss(x, c(ML), reduction=r), [X]),
        ]  # fmt: skip
    return rows


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    for name, ours, theirs, arrays in _torch_cases(torch):
        xs = [td.Tensor(a, requires_grad=True) for a in arrays]
        ts = [torch.tensor(a, requires_grad=True) for a in arrays]
        a, b = ours(*xs), theirs(*ts)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)  # fmt: skip
        up = np.random.default_rng(0).standard_normal(a.shape)
        a.backward(td.Tensor(up))
        b.backward(torch.tensor(up))
        for x, t in zip(xs, ts):
            np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=name)  # fmt: skip


def test_gradients_at_kinks_and_edge_shapes_against_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    c = torch.tensor
    kink = np.array([0.0, 1.0, -1.0, 2.0])  # ties of every hinge below
    cases = [
        (lambda a: F.smooth_l1_loss(a, np.zeros(4)), lambda a: tf.smooth_l1_loss(a, a * 0), kink),
        (lambda a: F.huber_loss(a, np.zeros(4)), lambda a: tf.huber_loss(a, a * 0), kink),
        (lambda a: F.margin_ranking_loss(a, a[[1, 0, 3, 2]], [1, -1, 1, -1]),
         lambda a: tf.margin_ranking_loss(a, a[[1, 0, 3, 2]], c([1, -1, 1, -1])),
         np.array([0.3, 0.3, 1.0, 1.0])),
        (lambda a: F.hinge_embedding_loss(a, [-1, -1, 0, 1]),
         lambda a: tf.hinge_embedding_loss(a, c([-1, -1, 0, 1])), kink),
        (lambda a: F.multi_margin_loss(a, [0]), lambda a: tf.multi_margin_loss(a, c([0])),
         np.array([[1.0, 0.0, 2.0]])),
        (lambda a: F.multilabel_margin_loss(a, [3, 3, -1, 0], "none"),
         lambda a: tf.multilabel_margin_loss(a, c([3, 3, -1, 0]), reduction="none"), kink),
        (lambda a: F.cosine_embedding_loss(a, a.flip(0) + 1, -1, 0.0),
         lambda a: tf.cosine_embedding_loss(a, a.flip(0) + 1, c(-1), 0.0), kink),
        (lambda a: F.triplet_margin_loss(a, a + 1, a - 0.5), lambda a: tf.triplet_margin_loss(
            a, a + 1, a - 0.5), kink),
        (lambda a: F.multilabel_soft_margin_loss(a, [1, 0, 1, 0], reduction="none"),
         lambda a: tf.multilabel_soft_margin_loss(a, c([1.0, 0, 1, 0], dtype=a.dtype),
                                                  reduction="none"), kink),
    ]  # fmt: skip
    for i, (ours, theirs, arr) in enumerate(cases):
        x, t = td.Tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
        a, b = ours(x), theirs(t)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, err_msg=str(i))
        assert a.shape == tuple(b.shape)
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, err_msg=str(i))


def test_gaussian_and_kl_edge_cases_against_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    v = np.array([1e-9, 0.5, 2.0])
    x, t = np.array([1.0, 2.0, -1.0]), np.array([0.3, 0.0, 0.7])
    vt, vo = torch.tensor(v, requires_grad=True), td.Tensor(v, requires_grad=True)
    tf.gaussian_nll_loss(torch.tensor(x), torch.tensor(t), vt, reduction="sum").backward()
    F.gaussian_nll_loss(x, t, vo, reduction="sum").backward()
    np.testing.assert_allclose(vo.grad.data, vt.grad.numpy(), rtol=1e-10)
    xt, xo = torch.tensor(x, requires_grad=True), td.Tensor(x, requires_grad=True)
    a = tf.kl_div(xt, torch.tensor(t), reduction="sum")
    b = F.kl_div(xo, t, "sum")
    a.backward()
    b.backward()
    assert math.isclose(a.item(), b.item(), rel_tol=1e-12)
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy())
