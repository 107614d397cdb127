"""Losses: values against NumPy closed forms, gradients by gradcheck (float64), edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_backward_paths_agree

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F

R = np.random.default_rng(11)
Z = R.standard_normal((6, 5))  # logits
Y = np.array([0, 4, 2, 1, 1, 3])  # class targets
Y_IGN = np.array([0, 4, -100, 1, 1, 3])
W = R.uniform(0.5, 2.0, 5)  # class weights
P = R.dirichlet(np.ones(5), 6)  # probability targets
Z3 = R.standard_normal((2, 5, 3))
Y3 = R.integers(0, 5, (2, 3))
PROB = R.uniform(0.05, 0.95, (4, 3))
T01 = R.uniform(0, 1, (4, 3))
X = 2 * R.standard_normal((4, 3))
EW = R.uniform(0.5, 2.0, (4, 3))  # elementwise weights
PW = R.uniform(0.5, 3.0, 3)  # pos_weight


def np_log_softmax(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def np_ce(z, y, w=None, ignore=-100, smoothing=0.0, reduction="mean"):
    """PyTorch's cross-entropy, written out for (N, C) logits and class targets."""
    logp = np_log_softmax(z)
    c = z.shape[1]
    w = np.ones(c) if w is None else w
    valid = y != ignore
    t = np.where(valid, y, 0)
    w_t = w[t] * valid
    nll = -w_t * logp[np.arange(len(y)), t]
    smooth = -(logp * w).sum(1) * valid
    per = (1 - smoothing) * nll + smoothing / c * smooth
    if reduction == "none":
        return per
    return per.sum() / (w_t.sum() if reduction == "mean" else 1.0)


def np_nll(logp, y, w, ignore=-100):
    keep = y != ignore
    rows, t = np.arange(len(y))[keep], y[keep]
    return -(logp[rows, t] * w[t]).sum() / w[t].sum()


def np_bce(p, y, w=1.0):
    return -w * (y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100))


def np_bce_logits(x, y, w=1.0, pw=1.0):
    return w * ((1 - y) * x + (1 + (pw - 1) * y) * np.log1p(np.exp(-x)))


CE, NLL, BCE, BCEL = (
    F.cross_entropy,
    F.nll_loss,
    F.binary_cross_entropy,
    F.binary_cross_entropy_with_logits,
)


def lsm(z):
    return np_log_softmax(z, 1)


def classes_last(z):
    return z.transpose(0, 2, 1).reshape(-1, 5)


Y7 = np.array([7, 1, 2, 7, 0, 0])
Y_NO3 = np.array([0, 4, 2, 0, 4, 2])  # 3 lies between its least and greatest, yet is absent

CASES = [
    # name, loss of the input tensor, closed form of the input array, input
    ("ce", lambda z: CE(z, Y), lambda z: np_ce(z, Y), Z),
    ("ce_sum", lambda z: CE(z, Y, reduction="sum"), lambda z: np_ce(z, Y, reduction="sum"), Z),
    ("ce_none", lambda z: CE(z, Y, reduction="none"), lambda z: np_ce(z, Y, reduction="none"), Z),
    ("ce_weight", lambda z: CE(z, Y, weight=W), lambda z: np_ce(z, Y, W), Z),
    ("ce_ignore", lambda z: CE(z, Y_IGN), lambda z: np_ce(z, Y_IGN), Z),
    ("ce_ignore_7", lambda z: CE(z, Y7, ignore_index=7), lambda z: np_ce(z, Y7, ignore=7), Z),
    ("ce_ignore_1", lambda z: CE(z, Y, ignore_index=1), lambda z: np_ce(z, Y, ignore=1), Z),
    ("ce_ignore_in_range_absent", lambda z: CE(z, Y_NO3, ignore_index=3),
     lambda z: np_ce(z, Y_NO3), Z),
    ("ce_weight_ignore_none", lambda z: CE(z, Y_IGN, W, reduction="none"),
     lambda z: np_ce(z, Y_IGN, W, reduction="none"), Z),
    ("ce_smoothing", lambda z: CE(z, Y, label_smoothing=0.2),
     lambda z: np_ce(z, Y, smoothing=0.2), Z),
    ("ce_smoothing_weight_ignore", lambda z: CE(z, Y_IGN, W, label_smoothing=0.3),
     lambda z: np_ce(z, Y_IGN, W, smoothing=0.3), Z),
    ("ce_smoothing_sum", lambda z: CE(z, Y, W, reduction="sum", label_smoothing=0.1),
     lambda z: np_ce(z, Y, W, smoothing=0.1, reduction="sum"), Z),
    ("ce_probs", lambda z: CE(z, P), lambda z: -(lsm(z) * P).sum(1).mean(), Z),
    ("ce_probs_weight_none", lambda z: CE(z, P, W, reduction="none"),
     lambda z: -(lsm(z) * P * W).sum(1), Z),
    ("ce_probs_smoothing", lambda z: CE(z, P, label_smoothing=0.5),
     lambda z: -(lsm(z) * (0.5 * P + 0.1)).sum(1).mean(), Z),
    ("ce_3d", lambda z: CE(z, Y3, W), lambda z: np_ce(classes_last(z), Y3.reshape(-1), W), Z3),
    ("ce_3d_none", lambda z: CE(z, Y3, reduction="none"),
     lambda z: np_ce(classes_last(z), Y3.reshape(-1), reduction="none").reshape(2, 3), Z3),
    ("ce_unbatched", lambda z: CE(z, np.array(2)), lambda z: -np_log_softmax(z)[2], Z[0]),
    ("nll", lambda z: NLL(z, Y), lambda z: -z[np.arange(6), Y].mean(), Z),
    ("nll_weight_ignore", lambda z: NLL(z, Y_IGN, W), lambda z: np_nll(z, Y_IGN, W), Z),
    ("nll_none", lambda z: NLL(z, Y, reduction="none"), lambda z: -z[np.arange(6), Y], Z),
    ("nll_3d_sum", lambda z: NLL(z, Y3, reduction="sum"),
     lambda z: -np.take_along_axis(z, Y3[:, None, :], 1).sum(), Z3),
    ("nll_of_log_softmax_is_ce", lambda z: NLL(z.log_softmax(1), Y, W),
     lambda z: np_ce(z, Y, W), Z),
    ("bce", lambda p: BCE(p, T01), lambda p: np_bce(p, T01).mean(), PROB),
    ("bce_weight_sum", lambda p: BCE(p, T01, EW, "sum"), lambda p: np_bce(p, T01, EW).sum(), PROB),
    ("bce_none_row_weight", lambda p: BCE(p, T01, EW[:1], "none"),
     lambda p: np_bce(p, T01, EW[:1]), PROB),
    ("bce_logits", lambda x: BCEL(x, T01), lambda x: np_bce_logits(x, T01).mean(), X),
    ("bce_logits_pos_weight", lambda x: BCEL(x, T01, EW, "none", PW),
     lambda x: np_bce_logits(x, T01, EW, PW), X),
    ("bce_logits_is_bce_of_sigmoid", lambda x: BCEL(x, T01, reduction="sum"),
     lambda x: np_bce(1 / (1 + np.exp(-x)), T01).sum(), X),
    ("mse", lambda x: F.mse_loss(x, T01), lambda x: ((x - T01) ** 2).mean(), X),
    ("mse_sum", lambda x: F.mse_loss(x, T01, "sum"), lambda x: ((x - T01) ** 2).sum(), X),
    ("mse_none", lambda x: F.mse_loss(x, T01, "none"), lambda x: (x - T01) ** 2, X),
    ("l1", lambda x: F.l1_loss(x, T01), lambda x: np.abs(x - T01).mean(), X),
    ("l1_none", lambda x: F.l1_loss(x, T01, reduction="none"), lambda x: np.abs(x - T01), X),
]  # fmt: skip


@pytest.mark.parametrize("name, loss, closed_form, x", CASES, ids=[c[0] for c in CASES])
def test_loss_value_and_gradient(name, loss, closed_form, x):
    t = td.Tensor(x, requires_grad=True)
    out = loss(t)
    expected = closed_form(x)
    assert out.shape == np.shape(expected) and out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    assert td.gradcheck(loss, [t])
    assert_backward_paths_agree(loss, [t])


@pytest.mark.parametrize(
    "loss, target",
    [
        (lambda y: F.binary_cross_entropy(td.Tensor(PROB), y), T01),
        (lambda y: F.binary_cross_entropy_with_logits(td.Tensor(X), y, pos_weight=PW), T01),
        (lambda y: F.binary_cross_entropy_with_logits(td.Tensor(X), y), T01),
        (lambda y: F.mse_loss(td.Tensor(X), y), T01),
        (lambda y: F.cross_entropy(td.Tensor(Z), y, W, label_smoothing=0.1), P),
    ],
)
def test_gradient_with_respect_to_soft_targets(loss, target):
    assert td.gradcheck(loss, [td.Tensor(target, requires_grad=True)])


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    z = td.Tensor(Z, requires_grad=True)
    F.cross_entropy(z, Y, reduction="sum").backward()
    softmax = np.exp(np_log_softmax(Z))
    np.testing.assert_allclose(z.grad.data, softmax - np.eye(5)[Y], atol=1e-12)


def test_cross_entropy_second_derivative():
    z = td.Tensor(Z[:2], requires_grad=True)
    (g,) = td.grad(F.cross_entropy(z, Y[:2]), z, create_graph=True)
    assert td.gradcheck(lambda a: td.grad(F.cross_entropy(a, Y[:2]), a, create_graph=True)[0], [z])
    assert g.requires_grad


def test_cross_entropy_stable_at_large_logits():
    for dtype in (np.float32, np.float64):
        z = td.Tensor(
            np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype), requires_grad=True
        )
        loss = F.cross_entropy(z, np.array([1, 0]), label_smoothing=0.1)
        loss.backward()
        assert np.isfinite(loss.data) and np.isfinite(z.grad.data).all()
        # row 0: -log softmax at class 1 is 2e4; row 1: log 2 + 2e4, smoothed
        assert loss.dtype == dtype and loss.item() == pytest.approx(
            np_ce(z.data.astype(np.float64), np.array([1, 0]), smoothing=0.1), rel=1e-6
        )
        np.testing.assert_allclose(z.grad.data.sum(1), 0, atol=1e-6)


def test_bce_with_logits_stable_at_large_logits():
    x = td.Tensor(np.array([1e4, -1e4, 1e4, -1e4, 0.0], np.float32), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], np.float32)
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [0, 0, 1e4, 1e4, np.log(2)], rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, [0, 0, 1, -1, -0.5])


def test_bce_at_probabilities_of_exactly_zero_and_one():
    p = td.Tensor(np.array([0.0, 1.0, 0.0, 1.0], np.float32), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0], np.float32)
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_array_equal(loss.data, [100, 100, 0, 0])  # logs clamped at -100
    loss.sum().backward()
    grad = p.grad.data
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad, [-1e12, 1e12, 0, 0], rtol=1e-6)  # (p - y) / 1e-12, PyTorch's
    mean = F.binary_cross_entropy(td.Tensor([0.0, 1.0], requires_grad=True), [0.0, 1.0])
    assert mean.item() == 0.0


def test_bce_target_gradient_is_finite_at_zero_and_one():
    y = td.Tensor(np.array([0.3, 0.7]), requires_grad=True)
    F.binary_cross_entropy(td.Tensor([0.0, 1.0], dtype=td.float64), y, reduction="sum").backward()
    np.testing.assert_allclose(y.grad.data, [100.0, -100.0])


def test_integer_and_bool_targets_are_converted():
    p = td.Tensor([0.2, 0.9])
    a = F.binary_cross_entropy(p, np.array([0, 1]))
    b = F.binary_cross_entropy(p, np.array([False, True]))
    c = F.binary_cross_entropy(p, td.Tensor([0.0, 1.0]))
    assert a.item() == b.item() == c.item() and a.dtype == np.float32


def test_losses_keep_float32():
    z = td.Tensor(Z.astype(np.float32), requires_grad=True)
    for loss in (F.cross_entropy(z, Y), F.nll_loss(z, Y), F.cross_entropy(z, P.astype(np.float32))):
        assert loss.dtype == np.float32
        loss.backward()
        assert z.grad.dtype == np.float32


def test_all_targets_ignored_gives_nan_mean_as_pytorch():
    loss = F.cross_entropy(td.Tensor(Z), np.full(6, -100))
    assert np.isnan(loss.item())
    assert F.cross_entropy(td.Tensor(Z), np.full(6, -100), reduction="sum").item() == 0


ERRORS = [
    # call, error type, message
    (lambda: F.cross_entropy(td.Tensor(Z), np.array([0, 1, 12, 2, 3, 4])), ValueError,
     "cross_entropy: target class 12 is out of range for 5 classes"),
    (lambda: F.cross_entropy(td.Tensor(Z), np.array([0, 1, -1, 2, 3, 4])), ValueError,
     "cross_entropy: target class -1 is out of range"),
    (lambda: F.cross_entropy(td.Tensor(Z), np.array([0, 1, -1, 2, 3, 4]), ignore_index=1),
     ValueError, "cross_entropy: target class -1 is out of range"),
    (lambda: F.cross_entropy(td.Tensor(Z), np.array([0, -100, 5, 2, 3, 4])), ValueError,
     "cross_entropy: target class 5 is out of range"),
    (lambda: F.cross_entropy(td.Tensor(Z), Y.astype(np.float32)), TypeError,
     "cross_entropy: class-index targets must be integers.*probability targets need"),
    (lambda: F.cross_entropy(td.Tensor(Z), Y[:, None]), ValueError,
     "cross_entropy: target of shape \\(6, 1\\) does not match input of shape \\(6, 5\\)"),
    (lambda: F.cross_entropy(td.Tensor(Z), Y, weight=np.ones(4)), ValueError,
     "cross_entropy: weight must have one entry per class"),
    (lambda: F.cross_entropy(td.Tensor(Z), Y, reduction="avg"), ValueError,
     "cross_entropy: reduction must be"),
    (lambda: F.cross_entropy(td.Tensor(Z), Y, label_smoothing=1.5), ValueError, "label_smoothing"),
    (lambda: CE(td.Tensor(Y), Y), TypeError, "cross_entropy: input must be a floating"),
    (lambda: F.nll_loss(td.Tensor(Z), np.array([0, 1, 2, 3, 4, 5])), ValueError,
     "nll_loss: target class 5 is out of range for 5 classes"),
    (lambda: F.binary_cross_entropy(td.Tensor([0.5, 1.5]), [1.0, 0.0]), ValueError,
     "binary_cross_entropy: every input probability must be between 0 and 1, found 1.5"),
    (lambda: F.binary_cross_entropy(td.Tensor([0.5, 0.5]), [1.0, 2.0]), ValueError,
     "binary_cross_entropy: every target must be between 0 and 1"),
    (lambda: F.binary_cross_entropy(td.Tensor([[0.5], [0.5]]), [1.0, 0.0]), ValueError,
     "binary_cross_entropy: target of shape \\(2,\\) does not match input of shape \\(2, 1\\)"),
    (lambda: F.binary_cross_entropy_with_logits(td.Tensor([0.5]), [-1.0]), ValueError,
     "binary_cross_entropy_with_logits: every target"),
    (lambda: BCEL(td.Tensor(X), T01, pos_weight=np.ones(4)), ValueError,
     "pos_weight of shape \\(4,\\)"),
    (lambda: F.mse_loss(td.Tensor(X), T01[:, :1]), ValueError, "mse_loss: target of shape"),
    (lambda: F.l1_loss(td.Tensor(X), np.array(["a"] * 3)), TypeError, "l1_loss: target must hold"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, message", ERRORS)
def test_target_errors_name_the_loss(call, error, message):
    with pytest.raises(error, match=message):
        call()


MODULES = [
    (nn.CrossEntropyLoss(W, ignore_index=1, label_smoothing=0.1), Z, Y,
     lambda z, y: F.cross_entropy(z, y, W, 1, label_smoothing=0.1)),
    (nn.NLLLoss(reduction="sum"), Z, Y, lambda z, y: F.nll_loss(z, y, reduction="sum")),
    (nn.BCELoss(EW), PROB, T01, lambda p, y: F.binary_cross_entropy(p, y, EW)),
    (nn.BCEWithLogitsLoss(pos_weight=PW, reduction="none"), X, T01,
     lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=PW)),
    (nn.MSELoss(), X, T01, F.mse_loss),
    (nn.L1Loss(reduction="sum"), X, T01, lambda x, y: F.l1_loss(x, y, "sum")),
]  # fmt: skip


@pytest.mark.parametrize("module, x, y, functional", MODULES, ids=lambda v: type(v).__name__)
def test_loss_modules_match_the_functions(module, x, y, functional):
    np.testing.assert_array_equal(module(td.Tensor(x), y).data, functional(td.Tensor(x), y).data)


def test_loss_module_weights_are_buffers_and_repr():
    loss = nn.CrossEntropyLoss(weight=W, reduction="sum")
    assert list(loss.state_dict()) == ["weight"] and list(loss.parameters()) == []
    assert repr(loss) == "CrossEntropyLoss(reduction='sum')"
    assert list(nn.MSELoss().state_dict()) == []
    with pytest.raises(ValueError, match="MSELoss: reduction"):
        nn.MSELoss(reduction="average")


def test_one_hot():
    out = F.one_hot(td.Tensor([0, 2, 1]), 4)
    np.testing.assert_array_equal(out.data, np.eye(4, dtype=np.int64)[[0, 2, 1]])
    assert out.dtype == np.int64
    assert F.one_hot(np.array([[1], [3]])).shape == (2, 1, 4)
    with pytest.raises(ValueError, match="one_hot: class 4 is out of range for 4 classes"):
        F.one_hot(np.array([4]), 4)
    with pytest.raises(TypeError, match="integers"):
        F.one_hot(np.array([1.0]))


TORCH_CASES = [
    # name, our loss, PyTorch's (torch.nn.functional as TF, torch as T), input
    ("ce", lambda z: CE(z, Y_IGN, W, label_smoothing=0.2),
     lambda z, TF, T: TF.cross_entropy(z, T.tensor(Y_IGN), T.tensor(W), label_smoothing=0.2), Z),
    ("ce_none_3d", lambda z: CE(z, Y3, W, reduction="none"),
     lambda z, TF, T: TF.cross_entropy(z, T.tensor(Y3), T.tensor(W), reduction="none"), Z3),
    ("ce_probs", lambda z: CE(z, P, W, label_smoothing=0.1),
     lambda z, TF, T: TF.cross_entropy(z, T.tensor(P), T.tensor(W), label_smoothing=0.1), Z),
    ("nll_sum", lambda z: NLL(z, Y_IGN, W, reduction="sum"),
     lambda z, TF, T: TF.nll_loss(z, T.tensor(Y_IGN), T.tensor(W), reduction="sum"), Z),
    ("bce", lambda p: BCE(p, T01, EW), lambda p, TF, T: TF.binary_cross_entropy(
        p, T.tensor(T01), T.tensor(EW)), PROB),
    ("bce_logits", lambda x: BCEL(x, T01, EW, pos_weight=PW),
     lambda x, TF, T: TF.binary_cross_entropy_with_logits(
         x, T.tensor(T01), T.tensor(EW), pos_weight=T.tensor(PW)), X),
    ("mse", lambda x: F.mse_loss(x, T01), lambda x, TF, T: TF.mse_loss(x, T.tensor(T01)), X),
    ("l1", lambda x: F.l1_loss(x, T01), lambda x, TF, T: TF.l1_loss(x, T.tensor(T01)), X),
]  # fmt: skip


@pytest.mark.parametrize("name, ours, theirs, x", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_losses_match_pytorch(name, ours, theirs, x):
    torch = pytest.importorskip("torch")
    t = td.Tensor(x, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    out, expected = ours(t), theirs(tt, torch.nn.functional, torch)
    gout = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(gout)
    expected.backward(torch.tensor(gout))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_of_non_contiguous_logits_matches_closed_form():
    """Logits in Fortran order or as a transposed view (the flat target index reads and writes
    C-ordered arrays only): the loss is -mean log softmax(z)[y], the gradient (p - onehot) / N."""
    rng = np.random.default_rng(7)
    y = np.array([0, 3, 1, 2, 3, 0])
    for make in (lambda a: td.Tensor(np.asfortranarray(a), requires_grad=True),
                 lambda a: td.Tensor(np.ascontiguousarray(a.T), requires_grad=True)):  # fmt: skip
        a = rng.standard_normal((6, 4))
        leaf = make(a)
        z = leaf if leaf.shape == (6, 4) else leaf.T
        loss = F.cross_entropy(z, y)
        p = np.exp(a - a.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        assert loss.item() == pytest.approx(-np.log(p[np.arange(6), y]).mean(), rel=1e-12)
        loss.backward()
        expected = (p - np.eye(4)[y]) / 6
        grad = leaf.grad.data if leaf.shape == (6, 4) else leaf.grad.data.T
        np.testing.assert_allclose(grad, expected, rtol=1e-10, atol=1e-15)
