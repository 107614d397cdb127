"""F.ctc_loss and nn.CTCLoss: values against a brute-force sum over every alignment, gradients
against central differences in float64, errors by message, and values and gradients against
PyTorch (through log_softmax, where the two gradients agree) when it is installed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F

R = np.random.default_rng(7)


def log_softmax(z, axis=-1):
    z = z - z.max(axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis, keepdims=True))


def brute_nll(lp, target, blank):
    """-log of the sum, over every path of len(lp) frames that collapses to `target`, of the
    product of its probabilities (lp: (T, C) log-probabilities)."""
    T, C = lp.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        collapsed = [k for i, k in enumerate(path) if k != blank and (i == 0 or path[i - 1] != k)]
        if collapsed == list(target):
            total += np.exp(sum(lp[t, k] for t, k in enumerate(path)))
    return -np.log(total) if total else np.inf


# name, T, C, padded targets, input lengths, target lengths, blank
CASES = [
    ("plain", 4, 3, [[1, 2], [2, 2]], [4, 4], [2, 2], 0),
    ("repeats_need_a_blank", 4, 3, [[1, 1], [2, 0]], [4, 3], [2, 1], 0),
    ("lengths_vary", 5, 3, [[1, 2, 1], [2, 0, 0]], [5, 2], [3, 1], 0),
    ("blank_last", 4, 3, [[0, 1], [1, 1]], [4, 4], [2, 2], 2),
    ("empty_target", 4, 3, [[1, 1], [0, 0]], [4, 3], [1, 0], 0),
    ("repeat_fits_exactly", 3, 3, [[1, 1], [2, 1]], [3, 3], [2, 2], 0),  # 1,1 needs 3 frames
    ("too_short", 3, 3, [[1, 1, 1], [2, 1, 0]], [3, 3], [3, 2], 0),  # 1,1,1 needs 5: inf
]


@pytest.mark.parametrize("name, T, C, targets, il, tl, blank", CASES, ids=[c[0] for c in CASES])
def test_values_against_every_alignment(name, T, C, targets, il, tl, blank):
    lp = log_softmax(R.standard_normal((T, len(il), C)))
    out = F.ctc_loss(td.Tensor(lp), targets, il, tl, blank=blank, reduction="none")
    expected = [brute_nll(lp[: il[n], n], targets[n][: tl[n]], blank) for n in range(len(il))]
    np.testing.assert_allclose(out.data, expected, rtol=1e-10)
    assert out.shape == (len(il),) and out.dtype == np.float64


def test_gradcheck_float64_on_unnormalised_inputs():
    x = td.Tensor(R.standard_normal((5, 2, 4)), requires_grad=True)
    for reduction in ("none", "mean", "sum"):
        assert td.gradcheck(
            lambda a, red=reduction: F.ctc_loss(a, [[1, 3, 3], [2, 0, 0]], [5, 3], [3, 1],
                                                reduction=red),
            [x],
        )  # fmt: skip


def test_gradcheck_blank_not_zero_and_concatenated_targets():
    x = td.Tensor(log_softmax(R.standard_normal((5, 2, 4))), requires_grad=True)
    assert td.gradcheck(lambda a: F.ctc_loss(a, [0, 0, 1, 2], [5, 4], [2, 2], blank=3), [x])


def test_both_backward_paths_agree_and_no_second_derivative():
    from helpers import assert_backward_paths_agree

    x = td.Tensor(R.standard_normal((4, 2, 3)), requires_grad=True)
    fn = lambda a: F.ctc_loss(a, [[1, 2], [2, 2]], [4, 4], [2, 2], reduction="none")  # noqa: E731
    assert_backward_paths_agree(fn, [x])
    (g,) = td.grad(fn(x).sum(), [x], create_graph=True)
    with pytest.raises(RuntimeError, match="ctc_loss: the derivative of its gradient"):
        g.sum().backward()


def test_padded_and_concatenated_targets_agree():
    lp = td.Tensor(log_softmax(R.standard_normal((6, 3, 4))))
    padded = [[1, 2, 3], [3, 3, 0], [2, 0, 0]]
    padded = F.ctc_loss(lp, padded, [6, 5, 6], [3, 2, 1], reduction="none")
    flat = F.ctc_loss(lp, td.Tensor([1, 2, 3, 3, 3, 2]), [6, 5, 6], [3, 2, 1], reduction="none")
    np.testing.assert_array_equal(padded.data, flat.data)


def test_reductions_and_zero_infinity():
    lp = td.Tensor(log_softmax(R.standard_normal((3, 2, 3))), requires_grad=True)
    args = ([[1, 1, 1], [2, 1, 0]], [3, 3], [3, 2])
    per = F.ctc_loss(lp, *args, reduction="none")
    assert np.isinf(per.data[0]) and np.isfinite(per.data[1])
    assert np.isinf(F.ctc_loss(lp, *args).item())
    zeroed = F.ctc_loss(lp, *args, reduction="none", zero_infinity=True)
    np.testing.assert_array_equal(zeroed.data, [0.0, per.data[1]])
    mean = F.ctc_loss(lp, *args, zero_infinity=True)
    np.testing.assert_allclose(mean.item(), per.data[1] / 2 / 2)  # / target length, / batch
    mean.backward()
    assert np.all(lp.grad.data[:, 0] == 0) and np.all(np.isfinite(lp.grad.data))
    lp.grad = None
    F.ctc_loss(lp, *args, reduction="sum").backward()  # nan as PyTorch, where it is inf
    assert np.all(np.isnan(lp.grad.data[:, 0])) and np.all(np.isfinite(lp.grad.data[:, 1]))


def test_unbatched_float32_and_module():
    lp32 = td.Tensor(log_softmax(R.standard_normal((5, 4))).astype(np.float32))
    out = F.ctc_loss(lp32, [1, 2], 5, 2, reduction="none")
    assert out.shape == () and out.dtype == np.float32
    batched = F.ctc_loss(lp32.unsqueeze(1), [[1, 2]], [5], [2], reduction="none")
    np.testing.assert_allclose(out.data, batched.data[0])
    loss = nn.CTCLoss(blank=3, zero_infinity=True)
    assert repr(loss) == "CTCLoss()" and loss.blank == 3 and loss.zero_infinity
    np.testing.assert_allclose(
        loss(lp32, [1, 2], 5, 2).item(), F.ctc_loss(lp32, [1, 2], 5, 2, blank=3).item()
    )
    np.testing.assert_allclose(nn.CTCLoss()(lp32, [1, 2], 5, 2).item(), out.item() / 2, 1e-6)


ERRORS = [
    (dict(log_probs=np.zeros((4, 2, 3))), TypeError, "ctc_loss: log_probs must be a Tensor"),
    (dict(log_probs=td.Tensor(np.zeros((4, 2, 3), int))), TypeError, "must be floating"),
    (dict(log_probs=td.Tensor(np.zeros(4))), ValueError, r"must be \(T, N, C\) or \(T, C\)"),
    (dict(input_lengths=[5, 4]), ValueError, "input_lengths must be at most T = 4"),
    (dict(input_lengths=[4]), ValueError, r"input_lengths must have shape \(2,\)"),
    (dict(input_lengths=[4.0, 4.0]), TypeError, "input_lengths must hold integers"),
    (dict(target_lengths=[-1, 1]), ValueError, "target_lengths must be >= 0"),
    (dict(target_lengths=[3, 1]), ValueError, "padded targets of shape .* longest target"),
    (dict(targets=[1, 2, 1]), ValueError, "must have the sum of target_lengths, 4"),
    (dict(targets=[[1, 0], [2, 2]]), ValueError, r"target label 0 is the blank \(0\)"),
    (dict(targets=[[1, 3], [2, 2]]), ValueError, r"label 3 is the blank \(0\) or outside"),
    (dict(targets=[[1.0, 1.0], [2.0, 2.0]]), TypeError, "targets must be integers"),
    (dict(log_probs=td.Tensor(np.zeros((0, 2, 3)))), ValueError, "log_probs must not be empty"),
    (dict(blank=3), ValueError, r"blank 3 is outside \[0, 3\)"),
    (dict(reduction="avg"), ValueError, "ctc_loss: reduction must be"),
    (dict(zero_infinity=1), TypeError, "zero_infinity must be True or False"),
]


@pytest.mark.parametrize("kwargs, error, message", ERRORS)
def test_errors(kwargs, error, message):
    args = dict(log_probs=td.Tensor(np.zeros((4, 2, 3))), targets=[[1, 2], [2, 2]],
                input_lengths=[4, 4], target_lengths=[2, 2])  # fmt: skip
    args.update(kwargs)
    with pytest.raises(error, match=message):
        F.ctc_loss(**args)


TORCH_CASES = [
    # T, N, C, targets (padded or concatenated), input lengths, target lengths, blank
    (6, 3, 5, [[1, 2, 2], [3, 3, 1], [4, 1, 1]], [6, 5, 4], [3, 2, 1], 0),
    (6, 3, 5, [1, 2, 2, 3, 3, 4], [6, 5, 4], [3, 2, 1], 0),
    (7, 2, 4, [[0, 0, 1, 1], [2, 1, 0, 0]], [7, 6], [4, 2], 3),
    (5, 2, 4, [[1, 1, 1, 1], [2, 3, 1, 1]], [5, 5], [4, 0], 0),  # inf, and an empty target
    (8, 4, 6, [[5, 4, 3, 2], [1, 1, 1, 1], [2, 2, 1, 1], [3, 3, 3, 3]], [8, 7, 3, 8],
     [4, 2, 1, 3], 0),
]  # fmt: skip


@pytest.mark.parametrize("case", TORCH_CASES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_against_torch(case, reduction, zero_infinity):
    torch = pytest.importorskip("torch")
    T, N, C, targets, il, tl, blank = case
    z = R.standard_normal((T, N, C))
    x = td.Tensor(z, requires_grad=True)
    out = F.ctc_loss(x.log_softmax(2), targets, il, tl, blank, reduction, zero_infinity)
    zt = torch.tensor(z, requires_grad=True)
    ref = torch.nn.functional.ctc_loss(
        zt.log_softmax(2), torch.tensor(targets), torch.tensor(il), torch.tensor(tl), blank,
        reduction, zero_infinity,
    )  # fmt: skip
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    upstream = R.standard_normal(out.shape)
    out.backward(td.Tensor(upstream))
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad.data, zt.grad.numpy(), rtol=1e-9, atol=1e-12)
