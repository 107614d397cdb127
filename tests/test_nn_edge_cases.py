"""Edge cases of the nn functions and layers found by differential testing against PyTorch:
losses with every target ignored, batch norm of any rank, pooling's argument order, kernel
sizes of 0, nested-list inputs, Module.to("cpu"), and max-pooling over NaN."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F

R = np.random.default_rng(7)


def t64(*shape, grad=True):
    return td.Tensor(R.standard_normal(shape), requires_grad=grad)


# ---------------------------------------------------------------------------------------------
# losses: a mean over a total weight of 0 is nan, but ignored examples get exactly 0 gradient
# ---------------------------------------------------------------------------------------------

ALL_IGNORED = [
    ("ce", F.cross_entropy, (2, 3), [-100, -100], {}),
    ("ce_smoothing", F.cross_entropy, (2, 3), [-100, -100], dict(label_smoothing=0.2)),
    ("ce_weight", F.cross_entropy, (2, 3), [-100, -100], dict(weight=[1.0, 2.0, 3.0])),
    ("ce_unbatched", F.cross_entropy, (3,), -100, {}),
    ("ce_unbatched_smoothing", F.cross_entropy, (3,), -100, dict(label_smoothing=0.1)),
    ("ce_spatial", F.cross_entropy, (2, 3, 2), [[-1, -1], [-1, -1]], dict(ignore_index=-1)),
    ("nll", F.nll_loss, (2, 3), [-100, -100], {}),
    ("nll_unbatched", F.nll_loss, (3,), -100, {}),
    ("nll_spatial", F.nll_loss, (2, 3, 2), [[5, 5], [5, 5]], dict(ignore_index=5)),
]  # fmt: skip


@pytest.mark.parametrize(
    "loss, shape, target, kwargs", [c[1:] for c in ALL_IGNORED], ids=[c[0] for c in ALL_IGNORED]
)
def test_every_target_ignored_gives_a_nan_mean_and_a_zero_gradient(loss, shape, target, kwargs):
    """The mean of nothing is 0/0 = nan (as PyTorch), but no example contributes to it, so the
    gradient is exactly 0 (it was nan: 0 * (1 / 0))."""
    z = t64(*shape)
    with np.errstate(all="raise"):  # and no NumPy warning on the way
        out = loss(z, np.array(target), **kwargs)
        out.backward()
    assert np.isnan(out.item())
    np.testing.assert_array_equal(z.grad.data, np.zeros(shape))


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_every_target_ignored_gives_zero_second_order_gradient(smoothing):
    z = t64(2, 3)
    loss = F.cross_entropy(z, np.array([-100, -100]), label_smoothing=smoothing)
    (dz,) = td.grad(loss, z, create_graph=True)  # the backward recorded on Tensors
    np.testing.assert_array_equal(dz.data, np.zeros((2, 3)))
    (ddz,) = td.grad((dz * dz).sum() + dz.sum(), z)
    np.testing.assert_array_equal(ddz.data, np.zeros((2, 3)))


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_zero_total_weight_is_nan_for_the_examples_kept_and_zero_for_the_ignored(smoothing):
    """Example 0 is kept but its class has weight 0; example 1 is ignored. PyTorch's gradient is
    nan in row 0 (the nan of 0/0) and 0 in row 1; the mean is nan (it was inf with smoothing)."""
    z = t64(2, 3)
    w = np.array([0.0, 1.0, 1.0])
    out = F.cross_entropy(z, np.array([0, -100]), weight=w, label_smoothing=smoothing)
    out.backward()
    assert np.isnan(out.item())
    assert np.isnan(z.grad.data[0]).all()
    np.testing.assert_array_equal(z.grad.data[1], np.zeros(3))
    z.grad = None
    out = F.nll_loss(z, np.array([0, -100]), weight=w)
    out.backward()
    assert np.isnan(out.item())
    np.testing.assert_array_equal(z.grad.data, [[np.nan, 0, 0], [0, 0, 0]])


def test_partly_ignored_mean_matches_the_closed_form():
    """Kept examples: dL/dz_i = (softmax(z_i) - onehot(y_i)) w_yi / sum_kept w; ignored: 0."""
    z = t64(3, 4)
    w = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([1, -100, 3])
    F.cross_entropy(z, y, weight=w).backward()
    p = np.exp(z.data) / np.exp(z.data).sum(axis=1, keepdims=True)
    expected = np.zeros((3, 4))
    for i, scale in ((0, 2.0 / 6.0), (2, 4.0 / 6.0)):
        expected[i] = (p[i] - np.eye(4)[y[i]]) * scale
    np.testing.assert_allclose(z.grad.data, expected, rtol=1e-12, atol=1e-15)
    z.grad = None
    F.nll_loss(z, y, weight=w).backward()
    np.testing.assert_array_equal(z.grad.data, [[0, -2 / 6, 0, 0], [0] * 4, [0, 0, 0, -4 / 6]])
    assert td.gradcheck(lambda a: F.nll_loss(a, y, weight=w), [t64(3, 4)])


def test_an_empty_batch_has_a_nan_mean_and_an_empty_gradient():
    """(It was a ZeroDivisionError in cross_entropy's backward.)"""
    for loss in (F.cross_entropy, F.nll_loss):
        z = td.Tensor(np.zeros((0, 3)), requires_grad=True)
        with np.errstate(all="raise"):
            out = loss(z, np.zeros(0, dtype=np.int64))
            out.backward()
        assert np.isnan(out.item()) and z.grad.shape == (0, 3)


def test_ignored_targets_match_pytorch():
    torch = pytest.importorskip("torch")
    x = R.standard_normal((4, 3))
    cases = [
        ([-100, -100, -100, -100], {}),
        ([-100, -100, -100, -100], dict(label_smoothing=0.3)),
        ([0, -100, 0, -100], dict(weight=[0.0, 1.0, 2.0])),
        ([0, -100, 0, -100], dict(weight=[0.0, 1.0, 2.0], label_smoothing=0.3)),
    ]
    for target, kwargs in cases:
        for ours, theirs in ((F.cross_entropy, torch.nn.functional.cross_entropy),
                             (F.nll_loss, torch.nn.functional.nll_loss)):  # fmt: skip
            if "label_smoothing" in kwargs and ours is F.nll_loss:
                continue
            z, tz = td.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
            tkw = {k: torch.tensor(v, dtype=torch.float64) if k == "weight" else v
                   for k, v in kwargs.items()}  # fmt: skip
            out, tout = ours(z, np.array(target), **kwargs), theirs(tz, torch.tensor(target), **tkw)
            out.backward()
            tout.backward()
            np.testing.assert_array_equal(out.data, tout.detach().numpy())
            np.testing.assert_allclose(z.grad.data, tz.grad.numpy(), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# batch_norm: (N, C, *) inputs, statistics over every axis but the channel's
# ---------------------------------------------------------------------------------------------


def _batch_norm_reference(x, mean, var, weight, bias, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * weight.reshape(
        shape
    ) + bias.reshape(shape)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 2)])
def test_batch_norm_normalises_each_channel_over_every_other_axis(shape):
    x = R.standard_normal(shape)
    weight, bias = R.standard_normal(3), R.standard_normal(3)
    axes = (0, *range(2, len(shape)))
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    n = x.size // 3
    running_mean, running_var = td.Tensor(np.full(3, 0.5)), td.Tensor(np.full(3, 2.0))
    y = F.batch_norm(
        td.Tensor(x), running_mean, running_var, td.Tensor(weight), td.Tensor(bias), True, 0.1
    )
    np.testing.assert_allclose(y.data, _batch_norm_reference(x, mean, var, weight, bias),
                               rtol=1e-12, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(running_mean.data, 0.9 * 0.5 + 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(running_var.data, 0.9 * 2.0 + 0.1 * var * n / (n - 1), rtol=1e-12)
    y = F.batch_norm(td.Tensor(x), running_mean, running_var, td.Tensor(weight), td.Tensor(bias))
    expected = _batch_norm_reference(x, running_mean.data, running_var.data, weight, bias)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)


def test_batch_norm_of_a_4d_input_has_the_gradient_of_its_formula():
    x, weight, bias = t64(2, 3, 2, 2), t64(3), t64(3)
    assert td.gradcheck(lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True),
                        [x, weight, bias])  # fmt: skip
    rm, rv = td.Tensor(R.standard_normal(3)), td.Tensor(R.uniform(0.5, 2.0, 3))
    assert td.gradcheck(lambda a, w, b: F.batch_norm(a, rm, rv, w, b), [x, weight, bias])


def test_batch_norm_errors_name_the_function_and_the_shapes():
    x = td.Tensor(R.standard_normal((2, 3, 4, 5)))
    ones, zeros = td.Tensor(np.ones(3)), td.Tensor(np.zeros(3))
    msg = r"batch_norm: expected an input of shape \(N, C, \*\) .* got shape \(3,\)"
    with pytest.raises(ValueError, match=msg):
        F.batch_norm(td.Tensor(np.array([1.0, 2.0, 3.0])), zeros, ones)
    with pytest.raises(ValueError, match=r"batch_norm: .* got shape \(\)"):
        F.batch_norm(td.Tensor(np.array(1.0)), None, None, training=True)
    msg = r"batch_norm: running_mean must have shape \(3,\).* \(2, 3, 4, 5\), got \(4,\)"
    with pytest.raises(ValueError, match=msg):
        F.batch_norm(x, td.Tensor(np.zeros(4)), ones, training=True)
    with pytest.raises(ValueError, match=r"batch_norm: running_var must have shape \(3,\)"):
        F.batch_norm(x, zeros, td.Tensor(np.ones(5)))
    msg = r"batch_norm: weight must have 3 values, .* \(2, 3, 4, 5\), got shape \(4,\)"
    with pytest.raises(ValueError, match=msg):
        F.batch_norm(x, None, None, td.Tensor(np.ones(4)), training=True)
    with pytest.raises(ValueError, match=r"batch_norm: bias must have 3 values"):
        F.batch_norm(x, zeros, ones, None, td.Tensor(np.ones(2)))
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected input of shape \(N, 3\)"):
        nn.BatchNorm1d(3)(x)  # the layer takes (N, C) or (N, C, L) only, as PyTorch's


def test_batch_norm_of_a_4d_input_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = R.standard_normal((3, 2, 4, 5))
    rm, rv = td.Tensor(np.zeros(2)), td.Tensor(np.ones(2))
    trm, trv = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    y = F.batch_norm(td.Tensor(x), rm, rv, training=True, momentum=0.3)
    ty = torch.nn.functional.batch_norm(torch.tensor(x), trm, trv, training=True, momentum=0.3)
    np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rm.data, trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv.data, trv.numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# pooling: PyTorch's arguments in PyTorch's order, ceil_mode, return_indices, divisor_override
# ---------------------------------------------------------------------------------------------

SIGNATURES = [
    (F.max_pool2d, ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                    "return_indices"]),
    (F.max_pool1d, ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                    "return_indices"]),
    (F.avg_pool2d, ["input", "kernel_size", "stride", "padding", "ceil_mode",
                    "count_include_pad", "divisor_override"]),
    (F.avg_pool1d, ["input", "kernel_size", "stride", "padding", "ceil_mode",
                    "count_include_pad"]),
    (nn.MaxPool2d, ["kernel_size", "stride", "padding", "dilation", "return_indices",
                    "ceil_mode"]),
    (nn.MaxPool1d, ["kernel_size", "stride", "padding", "dilation", "return_indices",
                    "ceil_mode"]),
    (nn.AvgPool2d, ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                    "divisor_override"]),
    (nn.AvgPool1d, ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]),
]  # fmt: skip


@pytest.mark.parametrize("fn, names", SIGNATURES, ids=[f.__name__ for f, _ in SIGNATURES])
def test_pooling_takes_pytorchs_arguments_in_pytorchs_order(fn, names):
    assert list(inspect.signature(fn).parameters) == names


def test_avg_pool_fifth_positional_argument_is_ceil_mode():
    """F.avg_pool2d(x, 3, 1, 1, False) is PyTorch's ceil_mode=False (padded zeros still count),
    and the sixth is count_include_pad. Corner window of arange(25): 0 + 1 + 5 + 6 = 12."""
    x = td.Tensor(np.arange(25.0).reshape(1, 1, 5, 5))
    assert F.avg_pool2d(x, 3, 1, 1, False).data[0, 0, 0, 0] == pytest.approx(12 / 9)
    assert F.avg_pool2d(x, 3, 1, 1, False, False).data[0, 0, 0, 0] == pytest.approx(12 / 4)
    assert nn.AvgPool2d(3, 1, 1, False).count_include_pad
    assert nn.AvgPool2d(3, 1, 1, False, False)(x).data[0, 0, 0, 0] == pytest.approx(12 / 4)
    x1 = td.Tensor(np.arange(5.0).reshape(1, 1, 5))
    np.testing.assert_allclose(F.avg_pool1d(x1, 3, 1, 1, False).data[0, 0], [1 / 3, 1, 2, 3, 7 / 3])
    np.testing.assert_allclose(F.avg_pool1d(x1, 3, 1, 1, False, False).data[0, 0],
                               [1 / 2, 1, 2, 3, 7 / 2])  # fmt: skip
    np.testing.assert_allclose(nn.MaxPool1d(3, 1, 1, 1, False, False)(x1).data[0, 0],
                               [1, 2, 3, 4, 4])  # fmt: skip


def test_ceil_mode_lets_a_last_window_run_over_the_end():
    # 5 x 5 input, kernel 2, stride 2: floor gives 2 x 2 windows, ceil 3 x 3; the last row and
    # column of windows hold one input row or column (and one corner), PyTorch's rule.
    x = td.Tensor(np.arange(25.0).reshape(1, 1, 5, 5))
    assert F.max_pool2d(x, 2).shape == (1, 1, 2, 2)
    y = F.max_pool2d(x, 2, ceil_mode=True)
    np.testing.assert_array_equal(y.data[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    a = F.avg_pool2d(x, 2, ceil_mode=True)  # the cut windows divide by what they hold
    np.testing.assert_allclose(a.data[0, 0, 2], [(20 + 21) / 2, (22 + 23) / 2, 24])
    np.testing.assert_allclose(F.avg_pool2d(x, 2, divisor_override=1).data[0, 0, 0], [12, 20])
    np.testing.assert_array_equal(nn.MaxPool1d(2, ceil_mode=True)(x[0, 0]).data[0], [1, 3, 4])
    np.testing.assert_allclose(nn.AvgPool1d(2, ceil_mode=True)(x[0, 0, :1]).data[0],
                               [0.5, 2.5, 4.0])  # fmt: skip


def test_return_indices_give_each_winner_for_max_unpool():
    x = td.Tensor(np.array([[[[1.0, 5, 2, 0], [3, 4, 8, 7], [9, 0, 1, 1], [2, 6, 1, 3]]]]))
    values, indices = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(values.data[0, 0], [[5, 8], [9, 3]])
    np.testing.assert_array_equal(indices.data[0, 0], [[1, 6], [8, 15]])
    assert indices.dtype == np.int64 and not indices.requires_grad
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    restored = unpool(*pool(x))
    np.testing.assert_array_equal(restored.data, np.where(restored.data, x.data, 0))
    assert restored.data.sum() == 25
    v1, i1 = F.max_pool1d(x[0, 0], 2, return_indices=True)
    np.testing.assert_array_equal(i1.data, [[1, 2], [1, 2], [0, 2], [1, 3]])


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.max_pool2d(x, 2, ceil_mode=True),
        lambda x: F.max_pool2d(x, 3, 2, 1, 1, True, True)[0],
        lambda x: F.avg_pool2d(x, 2, ceil_mode=True),
        lambda x: F.avg_pool2d(x, 3, 2, 1, True, False, 2),
        lambda x: nn.MaxPool1d(2, ceil_mode=True)(x[0]),
        lambda x: nn.AvgPool1d(3, 2, 1, True, False)(x[0]),
    ],
)
def test_pooling_options_gradcheck(fn):
    x = td.Tensor(np.random.default_rng(0).permutation(50).reshape(2, 5, 5) / 10,
                  requires_grad=True)  # fmt: skip
    assert td.gradcheck(fn, [x])


def test_pooling_options_match_pytorch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 6))
    cases = [
        ("max_pool2d", (3, 2, 1, 1, True, True)),
        ("max_pool2d", (2, 2, 0, 2, True, True)),
        ("avg_pool2d", (3, 2, 1, True, False, None)),
        ("avg_pool2d", (2, 3, 1, True, True, 3)),
        ("max_pool1d", (3, 2, 1, 1, True, True)),
        ("avg_pool1d", (3, 2, 1, True, False)),
    ]
    for name, args in cases:
        a = x[0] if name.endswith("1d") else x
        ours, theirs = getattr(F, name), getattr(tf, name)
        t = td.Tensor(a, requires_grad=True)
        tt = torch.tensor(a, requires_grad=True)
        r, rt = ours(t, *args), theirs(tt, *args)
        if isinstance(r, tuple):
            np.testing.assert_array_equal(r[1].data, rt[1].numpy())
            r, rt = r[0], rt[0]
        np.testing.assert_allclose(r.data, rt.detach().numpy(), rtol=1e-12, err_msg=name)
        g = np.random.default_rng(2).standard_normal(r.shape)
        r.backward(g)
        rt.backward(torch.tensor(g))
        np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-12, err_msg=name)


def test_pooling_layer_signatures_match_pytorch():
    torch = pytest.importorskip("torch")
    for ours, theirs in ((nn.MaxPool2d, torch.nn.MaxPool2d), (nn.AvgPool1d, torch.nn.AvgPool1d),
                         (nn.AvgPool2d, torch.nn.AvgPool2d)):  # fmt: skip
        names = list(inspect.signature(ours).parameters)
        assert list(inspect.signature(theirs).parameters)[: len(names)] == names


# ---------------------------------------------------------------------------------------------
# kernel sizes, strides, dilations and paddings out of range
# ---------------------------------------------------------------------------------------------

BAD_LAYERS = [
    (lambda: nn.Conv2d(3, 2, 0), r"^Conv2d: kernel_size must be >= 1, got 0"),
    (lambda: nn.Conv1d(3, 2, -1), r"^Conv1d: kernel_size must be >= 1, got -1"),
    (lambda: nn.Conv2d(3, 2, (3, 0)), r"^Conv2d: kernel_size must be >= 1, got \(3, 0\)"),
    (lambda: nn.Conv2d(3, 2, 3, stride=0), r"^Conv2d: stride must be >= 1, got 0"),
    (lambda: nn.Conv1d(3, 2, 3, dilation=0), r"^Conv1d: dilation must be >= 1, got 0"),
    (lambda: nn.Conv2d(3, 2, 3, padding=-1), r"^Conv2d: padding must be >= 0, got -1"),
    (lambda: nn.MaxPool2d(0), r"^MaxPool2d: kernel_size must be >= 1, got 0"),
    (lambda: nn.MaxPool2d(2, dilation=0), r"^MaxPool2d: dilation must be >= 1, got 0"),
    (lambda: nn.AvgPool1d(2, 0), r"^AvgPool1d: stride must be >= 1, got 0"),
    (lambda: nn.AvgPool2d(2, padding=-1), r"^AvgPool2d: padding must be >= 0, got -1"),
]


@pytest.mark.parametrize("build, msg", BAD_LAYERS)
def test_layers_refuse_sizes_out_of_range(build, msg):
    with pytest.raises(ValueError, match=msg):
        build()


def test_convolution_refuses_a_weight_with_an_empty_kernel():
    x = td.Tensor(np.ones((1, 3, 5, 5)))
    msg = r"^conv2d: kernel size must be >= 1, got \(0, 2\) \(weight shape \(2, 3, 0, 2\)\)"
    with pytest.raises(ValueError, match=msg):
        F.conv2d(x, td.Tensor(np.ones((2, 3, 0, 2))))
    with pytest.raises(ValueError, match=r"^conv1d: kernel size must be >= 1, got \(0,\)"):
        F.conv1d(td.Tensor(np.ones((1, 3, 5))), td.Tensor(np.ones((2, 3, 0))))


# ---------------------------------------------------------------------------------------------
# nested lists as input
# ---------------------------------------------------------------------------------------------


def test_conv_and_pool_accept_nested_lists():
    ones = np.ones((1, 1, 4, 4)).tolist()
    out = F.conv2d(ones, td.Tensor(np.ones((1, 1, 2, 2))))
    np.testing.assert_array_equal(out.data, np.full((1, 1, 3, 3), 4.0))
    np.testing.assert_array_equal(F.conv1d([[1.0, 2.0, 3.0]], [[[1.0, -1.0]]]).data, [[-1, -1]])
    x = np.arange(16.0).reshape(1, 4, 4)
    np.testing.assert_array_equal(F.max_pool2d(x.tolist(), 2).data, [[[5, 7], [13, 15]]])
    np.testing.assert_array_equal(F.avg_pool1d([[1.0, 3.0, 5.0, 7.0]], 2).data, [[2, 6]])
    with pytest.raises(ValueError, match=r"^conv1d: input of shape \(1, 2\) is smaller"):
        F.conv1d([[1.0, 2.0]], [[[1.0, 1.0, 1.0]]])
    with pytest.raises(ValueError, match=r"^max_pool2d: input of shape \(1, 1, 2\) is smaller"):
        F.max_pool2d([[[1.0, 2.0]]], 2)


# ---------------------------------------------------------------------------------------------
# Module.to and Module.cpu
# ---------------------------------------------------------------------------------------------


def test_module_to_takes_what_tensor_to_takes():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model.to("cpu") is model and model.to(device="cpu") is model
    assert model.cpu() is model
    assert model[0].weight.dtype == np.float32  # "cpu" converts nothing
    assert model.to("cpu", td.float64) is model
    assert model[0].weight.dtype == np.float64 and model[1].running_var.dtype == np.float64
    model.to(td.Tensor(np.zeros(1, dtype=np.float32)))  # a tensor's dtype
    assert model[0].weight.dtype == np.float32 and model[1].running_mean.dtype == np.float32
    model.to(dtype="float64")
    assert model[0].bias.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64  # not floating: left alone


def test_module_to_errors():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match=r"^Module.to: device 'cuda' is not available"):
        model.to("cuda")
    with pytest.raises(ValueError, match=r"^Module.to: device 'mps' is not available"):
        model.to(device="mps")
    with pytest.raises(TypeError, match=r"^Module.to: expected a floating dtype, got int64"):
        model.to(np.int64)
    with pytest.raises(TypeError, match=r"^Module.to: expected a dtype, a device or a tensor"):
        model.to(object())
    assert model.weight.dtype == np.float32


# ---------------------------------------------------------------------------------------------
# max-pooling over NaN
# ---------------------------------------------------------------------------------------------


def _max_pool_grad(x, *args):
    t = td.Tensor(x, requires_grad=True)
    y = F.max_pool2d(t, *args) if x.ndim == 4 else F.max_pool1d(t, *args)
    y.sum().backward()
    return y.data, t.grad.data


def test_max_pool_sends_the_gradient_of_a_nan_window_to_the_nan():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    y, grad = _max_pool_grad(x, 2)
    np.testing.assert_array_equal(y[0, 0], [[np.nan, 7], [13, 15]])
    expected = np.zeros((4, 4))
    expected[1, 1] = expected[1, 3] = expected[3, 1] = expected[3, 3] = 1
    np.testing.assert_array_equal(grad[0, 0], expected)
    _, grad = _max_pool_grad(x, 3, 1)  # all four overlapping windows hold the NaN
    expected = np.zeros((4, 4))
    expected[1, 1] = 4
    np.testing.assert_array_equal(grad[0, 0], expected)


def test_max_pool_sends_the_gradient_to_the_last_nan_of_a_window():
    """PyTorch's rule (`val > max || isnan(val)`): each later NaN takes over."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = x[0, 0, 2, 2] = np.nan
    _, grad = _max_pool_grad(x, 2)
    np.testing.assert_array_equal(grad[0, 0], [[0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0],
                                               [0, 1, 0, 0]])  # fmt: skip
    x = np.arange(8.0).reshape(1, 1, 8)
    x[0, 0, 1] = x[0, 0, 2] = np.nan
    y, grad = _max_pool_grad(x, 4, 2, 1)  # windows [-inf 0 nan nan] [nan nan 3 4] [3 4 5 6] ...
    np.testing.assert_array_equal(y[0, 0], [np.nan, np.nan, 6, 7])
    np.testing.assert_array_equal(grad[0, 0], [0, 0, 2, 0, 0, 0, 1, 1])


def test_max_pool_nan_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    x = R.standard_normal((2, 3, 7, 7))
    x[R.random(x.shape) < 0.15] = np.nan
    for args in ((2,), (3, 1, 1), (3, 2, 1, 2)):
        _, grad = _max_pool_grad(x, *args)
        tx = torch.tensor(x, requires_grad=True)
        torch.nn.functional.max_pool2d(tx, *args).sum().backward()
        np.testing.assert_array_equal(grad, tx.grad.numpy())
