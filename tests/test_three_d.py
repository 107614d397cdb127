"""Volumes and pooling with every option (nn/three_d.py, nn/three_d_pool.py): conv3d and
conv_transpose3d against NumPy loops and PyTorch, 3-D / N-D pooling against brute-force
windows and PyTorch (ceil_mode, indices, divisors), lp_pool, adaptive 3-D pooling, the 3-D
norms, dropout, padding and unpooling; gradients in float64, second derivatives, float32,
errors by message, reprs and state_dict keys, and a small Conv3d net that learns."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
import tinygrad_ds.nn.functional as F
from tinygrad_ds import nn

R = np.random.default_rng(3)


def r(*shape):
    return R.standard_normal(shape)


def triple(v):
    return (v,) * 3 if isinstance(v, int) else tuple(v)


# ---------------------------------------------------------------------------------------------
# NumPy references
# ---------------------------------------------------------------------------------------------


def np_conv3d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """The definition: a sum over the kernel's offsets of strided slices times the weight."""
    (s0, s1, s2), (d0, d1, d2) = triple(stride), triple(dilation)
    if padding == "same":
        pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                for d, k in zip(triple(dilation), w.shape[2:])]  # fmt: skip
    else:
        pads = [(p, p) for p in triple(0 if padding == "valid" else padding)]
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    f, cg, k0, k1, k2 = w.shape
    geometry = zip(xp.shape[2:], (d0, d1, d2), (k0, k1, k2), (s0, s1, s2))
    o = [(n - d * (k - 1) - 1) // s + 1 for n, d, k, s in geometry]
    out = np.zeros((x.shape[0], f, *o))
    fg = f // groups
    for g in range(groups):
        xs = xp[:, g * cg : (g + 1) * cg]
        for a, bb, c in itertools.product(range(k0), range(k1), range(k2)):
            patch = xs[:, :, a * d0 : a * d0 + s0 * (o[0] - 1) + 1 : s0,
                       bb * d1 : bb * d1 + s1 * (o[1] - 1) + 1 : s1,
                       c * d2 : c * d2 + s2 * (o[2] - 1) + 1 : s2]  # fmt: skip
            out[:, g * fg : (g + 1) * fg] += np.einsum(
                "ncdhw,fc->nfdhw", patch, w[g * fg : (g + 1) * fg, :, a, bb, c]
            )
    return out if b is None else out + b.reshape(1, -1, 1, 1, 1)


def np_pool(x, kind, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
            count_include_pad=True, divisor_override=None):  # fmt: skip
    """Brute force over the output positions of (N, C, *spatial): PyTorch's output sizes and
    divisors, spelled out."""
    dims = x.ndim - 2
    tup = lambda v: (v,) * dims if isinstance(v, int) else tuple(v)  # noqa: E731
    k, p, d = tup(kernel_size), tup(padding), tup(dilation)
    s = k if stride is None else tup(stride)
    sizes = []
    for n, kk, pp, dd, ss in zip(x.shape[2:], k, p, d, s):
        span = n + 2 * pp - dd * (kk - 1) - 1
        o = (span + (ss - 1 if ceil_mode else 0)) // ss + 1
        sizes.append(o - 1 if ceil_mode and (o - 1) * ss >= n + pp else o)
    out = np.zeros(x.shape[:2] + tuple(sizes))
    for pos in np.ndindex(*sizes):
        starts = [i * ss - pp for i, ss, pp in zip(pos, s, p)]
        axes = [np.arange(kk) * dd + st for kk, dd, st in zip(k, d, starts)]
        if kind == "max":
            inside = [a[(a >= 0) & (a < n)] for a, n in zip(axes, x.shape[2:])]
            out[(..., *pos)] = x[(..., *np.ix_(*inside))].reshape(*x.shape[:2], -1).max(-1)
            continue
        ends = [min(st + kk, n + pp) for st, kk, n, pp in zip(starts, k, x.shape[2:], p)]
        lo = [max(st, 0) for st in starts]
        hi = [min(e, n) for e, n in zip(ends, x.shape[2:])]
        total = x[(..., *(slice(a, b) for a, b in zip(lo, hi)))].sum(axis=tuple(range(2, x.ndim)))
        if divisor_override:
            div = divisor_override
        elif count_include_pad:
            div = math.prod(e - st for e, st in zip(ends, starts))
        else:
            div = math.prod(b - a for a, b in zip(lo, hi))
        out[(..., *pos)] = total / div
    return out


# ---------------------------------------------------------------------------------------------
# conv3d and conv_transpose3d
# ---------------------------------------------------------------------------------------------

CONV_CASES = [  # x shape, weight shape, keyword arguments
    ((2, 2, 3, 4, 3), (3, 2, 2, 2, 2), {}),
    (
        (1, 4, 4, 3, 5),
        (4, 2, 3, 1, 2),
        {"stride": (2, 1, 2), "padding": (1, 0, 1), "dilation": (1, 1, 2), "groups": 2},
    ),  # fmt: skip
    ((1, 2, 3, 3, 4), (2, 2, 2, 3, 2), {"padding": "same", "dilation": (2, 1, 1)}),
    ((1, 3, 3, 4, 2), (2, 3, 1, 2, 2), {"padding": "valid", "stride": 2}),
]


@pytest.mark.parametrize("xs, ws, kw", CONV_CASES)
def test_conv3d_value_and_gradients(xs, ws, kw):
    check_op(
        lambda x, w, b: F.conv3d(x, w, b, **kw),
        lambda x, w, b: np_conv3d(x, w, b, **kw),
        [r(*xs), r(*ws), r(ws[0])],
    )


def test_conv3d_unbatched_no_bias_float32_and_second_derivative():
    x, w = r(2, 3, 3, 3), r(2, 2, 2, 2, 2)
    y = F.conv3d(td.Tensor(x), td.Tensor(w))
    np.testing.assert_allclose(y.data, np_conv3d(x[None], w)[0], atol=1e-12)
    y32 = F.conv3d(td.Tensor(x.astype(np.float32)), td.Tensor(w.astype(np.float32)), padding=1)
    assert y32.dtype == np.float32 and y32.shape == (2, 4, 4, 4)
    xt, wt = td.Tensor(r(1, 2, 3, 3, 3), requires_grad=True), td.Tensor(w, requires_grad=True)
    f = lambda x, w: (F.conv3d(x, w, stride=(1, 2, 1), padding=1) ** 2).sum()  # noqa: E731
    (gx,) = td.grad(f(xt, wt), [xt], create_graph=True)
    assert gx.requires_grad
    assert td.gradcheck(lambda w: td.grad(f(xt, w), [xt], create_graph=True)[0], [wt])


def np_conv_transpose3d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                        dilation=1):  # fmt: skip
    """The adjoint of np_conv3d in x, by its matrix: column j is np_conv3d of basis vector j
    (the output_padding zeros beyond the last window appended by hand)."""
    c_in, c_group = w.shape[:2]
    s, p, o, d = map(triple, (stride, padding, output_padding, dilation))
    size = [(n - 1) * ss - 2 * pp + dd * (k - 1) + oo + 1
            for n, ss, pp, dd, k, oo in zip(x.shape[2:], s, p, d, w.shape[2:], o)]  # fmt: skip
    shape = (1, c_group * groups, *size)
    cols = []
    for j in range(math.prod(shape)):
        e = np.zeros(math.prod(shape))
        e[j] = 1
        y = np_conv3d(e.reshape(shape), w, stride=s, padding=p, dilation=d, groups=groups)
        y = y[(slice(None), slice(None), *(slice(0, n) for n in x.shape[2:]))]
        cols.append(y.reshape(-1))
    a = np.stack(cols, axis=1)  # conv3d as a matrix: x-sized rows, output-sized columns
    out = np.stack([(xx.reshape(-1) @ a).reshape(shape[1:]) for xx in x])
    return out if b is None else out + b.reshape(1, -1, 1, 1, 1)


TRANSPOSE_CASES = [
    ((1, 2, 2, 3, 2), (2, 3, 2, 2, 2), {}),
    (
        (2, 2, 2, 2, 3),
        (2, 1, 2, 3, 2),
        {"stride": (2, 1, 2), "padding": (1, 0, 1), "output_padding": (1, 0, 1), "groups": 2},
    ),  # fmt: skip
    (
        (1, 2, 2, 2, 2),
        (2, 2, 2, 2, 1),
        {"stride": 3, "padding": 1, "output_padding": 2, "dilation": (1, 2, 1)},
    ),  # fmt: skip
]


@pytest.mark.parametrize("xs, ws, kw", TRANSPOSE_CASES)
def test_conv_transpose3d_value_and_gradients(xs, ws, kw):
    c_out = ws[1] * kw.get("groups", 1)
    check_op(
        lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
        lambda x, w, b: np_conv_transpose3d(x, w, b, **kw),
        [r(*xs), r(*ws), r(c_out)],
    )


def test_conv_transpose3d_module_output_size():
    m = nn.ConvTranspose3d(2, 3, 3, stride=2, dtype=td.float64)
    x = td.Tensor(r(2, 3, 3, 3))
    assert m(x, output_size=(8, 7, 8)).shape == (3, 8, 7, 8)
    with pytest.raises(ValueError, match=r"ConvTranspose3d\(2, 3.*requested an output size"):
        m(x, output_size=(9, 7, 7))


# ---------------------------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------------------------

POOL_CASES = [  # input shape, keyword arguments (a kernel of 2 unless given)
    ((1, 2, 4, 3, 4), {"kernel_size": 2}),
    ((1, 1, 3, 4, 5), {"kernel_size": (2, 3, 2), "stride": (1, 2, 1), "padding": (1, 1, 0)}),
    ((1, 1, 5, 4, 3), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 1, 4, 3, 5), {"kernel_size": 2, "stride": 3, "ceil_mode": True}),
]


@pytest.mark.parametrize("shape, kw", POOL_CASES)
def test_max_pool3d_value_and_gradients(shape, kw):
    dil = (1, 2, 1) if "stride" in kw else 1  # (a dilated window where it fits)
    check_op(lambda x: F.max_pool3d(x, dilation=dil, **kw),
             lambda x: np_pool(x, "max", dilation=dil, **kw), [r(*shape)])  # fmt: skip


@pytest.mark.parametrize("shape, kw", POOL_CASES)
def test_avg_pool3d_value_and_gradients(shape, kw):
    for extra in ({}, {"count_include_pad": False}, {"divisor_override": 5}):
        check_op(lambda x, e=extra: F.avg_pool3d(x, **kw, **e),
                 lambda x, e=extra: np_pool(x, "avg", **kw, **e), [r(*shape)])  # fmt: skip


def test_with_indices_in_one_and_two_dims():
    x = r(1, 2, 7, 6)
    kw = {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}
    check_op(lambda x: F.max_pool2d_with_indices(x, dilation=(1, 2), **kw)[0],
             lambda x: np_pool(x, "max", dilation=(1, 2), **kw), [x])  # fmt: skip
    check_op(lambda x: F.max_pool1d_with_indices(x, **kw)[0],
             lambda x: np_pool(x, "max", **kw), [x[:, :, 0]])  # fmt: skip
    values, indices = F.max_pool1d_with_indices(td.Tensor(x[0, :, 0]), 2)  # unbatched
    assert indices.dtype == np.int64 and indices.shape == values.shape == (2, 3)
    np.testing.assert_array_equal(np.take_along_axis(x[0, :, 0], indices.data, -1), values.data)


def test_max_pool3d_indices_ties_nan_and_second_derivative():
    x = np.zeros((1, 1, 2, 2, 2))  # all tied: the first place of each window wins
    y, idx = F.max_pool3d(td.Tensor(x, requires_grad=True), 2, return_indices=True)
    assert idx.data.ravel().tolist() == [0]
    inf = td.Tensor(np.full((1, 1, 1, 3, 3), -np.inf))  # all -inf: the first place inside
    _, idx = F.max_pool3d(inf, (1, 2, 2), stride=1, padding=(0, 1, 1), return_indices=True)
    assert idx.data[0, 0, 0].tolist() == [[0, 0, 1, 2], [0, 0, 1, 2], [3, 3, 4, 5], [6, 6, 7, 8]]
    x[0, 0, 1, 0, 1] = np.nan  # a NaN wins, as PyTorch's
    x[0, 0, 1, 1, 1] = np.nan
    xt = td.Tensor(x, requires_grad=True)
    y, idx = F.max_pool3d(xt, 2, return_indices=True)
    y.sum().backward()
    assert np.isnan(y.data).all() and idx.data.ravel().tolist() == [7]
    assert xt.grad.data[0, 0, 1, 1, 1] == 1 and xt.grad.data.sum() == 1
    xs = td.Tensor(r(1, 1, 3, 4, 4), requires_grad=True)
    f = lambda x: (F.max_pool3d(x * x, 2, stride=1) ** 2).sum()  # noqa: E731
    assert td.gradcheck(lambda x: td.grad(f(x), [x], create_graph=True)[0], [xs])
    y32 = F.max_pool3d(td.Tensor(np.ones((1, 2, 2, 2), np.float32)), 2)
    assert y32.dtype == np.float32 and y32.shape == (1, 1, 1, 1)


def test_lp_pool_value_gradient_and_second_derivative():
    x = np.abs(r(1, 2, 4, 5, 3)) + 0.1
    for p, dims in [(2, 1), (3, 2), (1.5, 3)]:
        shape = x.shape[: 2 + dims]
        xs = x[(..., *(0,) * (3 - dims))]
        kw = {"kernel_size": 2, "stride": 1 if dims == 1 else None}

        def reference(v, p=p, shape=shape, kw=kw):
            return (np_pool(v**p, "avg", **kw) * 2 ** len(shape[2:])) ** (1 / p)

        f = getattr(F, f"lp_pool{dims}d")
        check_op(lambda v, f=f, p=p, kw=kw: f(v, p, **kw), reference, [xs])
    f = lambda x: (F.lp_pool3d(x, 2, 2) ** 2).sum()  # noqa: E731
    xt = td.Tensor(x, requires_grad=True)
    assert td.gradcheck(lambda x: td.grad(f(x), [x], create_graph=True)[0], [xt])
    inf = F.lp_pool2d(td.Tensor(-x[:, :, 0]), float("inf"), 2)
    np.testing.assert_allclose(inf.data, np_pool(x[:, :, 0], "max", 2))


def test_adaptive_3d_pooling_and_aliases():
    x = r(1, 2, 4, 3, 5)
    check_op(lambda v: F.adaptive_avg_pool3d(v, (2, None, 3)),
             lambda v: _adaptive_reference(v, (2, 3, 3), np.mean), [x])  # fmt: skip
    check_op(lambda v: F.adaptive_max_pool3d(v, 3),
             lambda v: _adaptive_reference(v, (3, 3, 3), np.max), [x])  # fmt: skip
    y, idx = F.adaptive_max_pool3d(td.Tensor(x), (2, 2, 3), return_indices=True)
    flat = x.reshape(1, 2, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, idx.data.reshape(1, 2, -1), -1),
                                  y.data.reshape(1, 2, -1))  # fmt: skip
    for dims in (1, 2, 3):
        values, indices = getattr(F, f"adaptive_max_pool{dims}d_with_indices")(
            td.Tensor(x[(..., *(0,) * (3 - dims))]), 2
        )
        assert indices.dtype == np.int64 and values.shape == indices.shape


def _adaptive_reference(x, sizes, reduce):
    """PyTorch's adaptive windows [floor(i n / o), ceil((i + 1) n / o)), brute force."""
    out = np.zeros(x.shape[:2] + sizes)
    spatial = x.shape[2:]
    for pos in np.ndindex(*sizes):
        window = tuple(slice(i * n // o, -(-(i + 1) * n // o)) for i, n, o in
                       zip(pos, spatial, sizes))  # fmt: skip
        out[(..., *pos)] = reduce(x[(..., *window)], axis=(2, 3, 4))
    return out


# ---------------------------------------------------------------------------------------------
# norms, dropout, padding, unpooling
# ---------------------------------------------------------------------------------------------


def test_batch_and_instance_norm3d():
    x = r(3, 2, 2, 3, 2)
    bn = nn.BatchNorm3d(2, dtype=td.float64)
    y = bn(td.Tensor(x))
    mean, var = x.mean(axis=(0, 2, 3, 4), keepdims=True), x.var(axis=(0, 2, 3, 4), keepdims=True)
    np.testing.assert_allclose(y.data, (x - mean) / np.sqrt(var + 1e-5), atol=1e-12)
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * mean.ravel(), atol=1e-12)
    inorm = nn.InstanceNorm3d(2, affine=True, dtype=td.float64)
    mean, var = x.mean(axis=(2, 3, 4), keepdims=True), x.var(axis=(2, 3, 4), keepdims=True)
    np.testing.assert_allclose(inorm(td.Tensor(x)).data, (x - mean) / np.sqrt(var + 1e-5),
                               atol=1e-12)  # fmt: skip
    assert inorm(td.Tensor(x[0])).shape == x.shape[1:]  # unbatched
    xt = td.Tensor(x, requires_grad=True)
    assert td.gradcheck(lambda v: nn.InstanceNorm3d(2)(v) * td.Tensor(x), [xt])
    assert td.gradcheck(lambda v: nn.BatchNorm3d(2, dtype=td.float64)(v) * td.Tensor(x), [xt])


def test_dropout3d_zeroes_whole_channels():
    x = td.Tensor(np.ones((4, 8, 2, 3, 2), np.float32))
    y = F.dropout3d(x, 0.5)
    per_channel = y.data.reshape(4, 8, -1)
    assert y.dtype == np.float32
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # each channel all kept or not
    assert 0 < (per_channel[..., 0] == 0).sum() < 32
    assert F.dropout3d(x, 0.5, training=False) is x
    m = nn.Dropout3d(0.25)
    m.eval()
    assert m(x) is x
    y = F.dropout3d(td.Tensor(np.ones((8, 2, 3, 2))), 0.5)  # unbatched: dim 0 the channels
    assert (y.data.reshape(8, -1).min(-1) == y.data.reshape(8, -1).max(-1)).all()


def test_padding_modules_and_unpool():
    x = r(1, 2, 3, 3, 4)
    pads = (1, 2, 0, 1, 2, 1)
    np_pads = [(0, 0), (0, 0), (2, 1), (0, 1), (1, 2)]
    modules = [(nn.ReflectionPad3d(pads), "reflect"), (nn.ReplicationPad3d(pads), "edge"),
               (nn.CircularPad3d(pads), "wrap"), (nn.ZeroPad3d(pads), "constant")]  # fmt: skip
    for m, mode in modules:
        np.testing.assert_allclose(m(td.Tensor(x)).data, np.pad(x, np_pads, mode=mode))
    y = nn.ConstantPad3d(1, 2.5)(td.Tensor(x[0]))
    assert y.shape == (2, 5, 5, 6) and y.data[0, 0, 0, 0] == 2.5
    v, idx = F.max_pool3d(td.Tensor(x), (1, 2, 2), return_indices=True)
    up = F.max_unpool3d(v, idx, (1, 2, 2), output_size=(3, 3, 4))
    mask = up.data != 0
    np.testing.assert_array_equal(up.data[mask], x[mask])
    assert mask.sum() == v.numel()
    assert nn.MaxUnpool3d((1, 2, 2))(v, idx, output_size=x.shape).shape == x.shape


def test_float32_stays_float32():
    x = td.Tensor(r(1, 2, 4, 4, 4).astype(np.float32), requires_grad=True)
    w = td.Tensor(r(2, 2, 2, 2, 2).astype(np.float32), requires_grad=True)
    v, idx = F.max_pool3d(x, 2, return_indices=True)
    outs = [
        F.conv3d(x, w, padding=1), F.conv_transpose3d(x, w, stride=2), F.avg_pool3d(x, 3, 1, 1),
        v, F.lp_pool3d(x, 2, 2), F.adaptive_avg_pool3d(x, 3), F.adaptive_max_pool3d(x, 3),
        F.dropout3d(x, 0.5), F.max_unpool3d(v, idx, 2), nn.InstanceNorm3d(2)(x),
    ]  # fmt: skip
    for out in outs:
        assert out.dtype == np.float32
        (gx,) = td.grad(out.sum(), [x])
        assert gx.dtype == np.float32


def test_conv_transpose3d_second_derivative():
    x = td.Tensor(r(1, 2, 2, 3, 2), requires_grad=True)
    w = td.Tensor(r(2, 2, 2, 2, 2), requires_grad=True)
    f = lambda x, w: (F.conv_transpose3d(x, w, stride=2, padding=1) ** 2).sum()  # noqa: E731
    assert td.gradcheck(lambda w: td.grad(f(x, w), [x], create_graph=True)[0], [w])


# ---------------------------------------------------------------------------------------------
# errors, reprs
# ---------------------------------------------------------------------------------------------

X5 = td.Tensor(np.zeros((1, 2, 3, 3, 3)))
W5 = td.Tensor(np.zeros((4, 2, 2, 2, 2)))


@pytest.mark.parametrize("call, match", [
    (lambda: F.conv3d(td.Tensor(np.zeros((2, 3, 3))), W5), r"conv3d: expected a 4-D .* got shape"),
    (lambda: F.conv3d(X5, td.Tensor(np.zeros((4, 2, 2, 2)))), r"conv3d: weight must be 5-D"),
    (lambda: F.conv3d(X5, td.Tensor(np.zeros((4, 2, 4, 2, 2)))),
     r"conv3d: input of shape \(1, 2, 3, 3, 3\) is smaller than the kernel"),
    (lambda: F.conv3d(X5, W5, groups=2), r"conv3d: input has 2 channels but weight expects 4"),
    (lambda: F.conv3d(X5, td.Tensor(np.zeros((3, 1, 2, 2, 2))), groups=2),
     r"3 output channels .* not divisible by groups=2"),
    (lambda: F.conv3d(X5, W5, padding="same", stride=2), r"padding='same' needs stride 1"),
    (lambda: nn.Conv3d(3, 4, 2, groups=2), r"Conv3d: in_channels \(3\) must be divisible"),
    (lambda: nn.Conv3d(2, 4, 2)(td.Tensor(np.zeros((1, 3, 3, 3, 3)))),
     r"Conv3d\(2, 4, kernel_size=2\): input has 3 channels"),
    (lambda: F.conv_transpose3d(X5, W5), r"conv_transpose3d: input has 2 channels but weight "),
    (lambda: F.conv_transpose3d(X5, W5[:2], output_padding=2),
     r"output_padding must be smaller than either stride or dilation"),
    (lambda: F.max_pool3d(X5, 4), r"max_pool3d: input of shape .* smaller than the kernel"),
    (lambda: F.max_pool3d(X5, 2, padding=2), r"max_pool3d: padding \(2, 2, 2\) must be at most"),
    (lambda: F.avg_pool3d(X5, 2, divisor_override=0), r"avg_pool3d: divisor_override must not"),
    (lambda: F.avg_pool3d(td.Tensor(np.zeros((3, 3, 3))), 2), r"avg_pool3d: expected a 4-D"),
    (lambda: F.max_pool3d(X5, (2, 2)), r"max_pool3d: kernel_size must be an int or a tuple of 3"),
    (lambda: F.max_pool2d_with_indices(X5, 2), r"max_pool2d_with_indices: expected a 3-D"),
    (lambda: F.lp_pool3d(X5, "2", 2), r"lp_pool3d: norm_type"),
    (lambda: F.adaptive_avg_pool3d(X5[0, 0], 2), r"adaptive_avg_pool3d: expected a 4-D or 5-D"),
    (lambda: nn.BatchNorm3d(2)(td.Tensor(np.zeros((2, 2, 3, 3)))), r"BatchNorm3d: expected input"),
    (lambda: nn.InstanceNorm3d(2)(td.Tensor(np.zeros((2, 3)))), r"InstanceNorm3d: .*\(C, D, H,"),
    (lambda: F.dropout3d(X5, 1.5), r"dropout3d: probability p must be in \[0, 1\]"),
    (lambda: nn.ReflectionPad3d(3)(X5), r"padding must be less than the size"),
    (lambda: nn.ZeroPad3d((1, 2))(X5), r"ZeroPad3d: padding must be an int or a tuple of 6"),
])  # fmt: skip
def test_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_avg_pool3d_refuses_integers():
    with pytest.raises(TypeError, match=r"avg_pool3d: expected a floating tensor"):
        F.avg_pool3d(td.Tensor(np.zeros((1, 3, 3, 3), np.int64)), 2)


# ---------------------------------------------------------------------------------------------
# against PyTorch
# ---------------------------------------------------------------------------------------------

TORCH_CALLS = [  # function name, input shape, extra tensors' shapes, keyword arguments
    ("conv3d", (2, 4, 5, 4, 6), [(6, 2, 3, 2, 3), (6,)],
     {"stride": (2, 1, 2), "padding": (1, 0, 2), "dilation": (1, 2, 1), "groups": 2}),
    ("conv3d", (3, 5, 6, 4), [(2, 3, 2, 3, 3)], {"padding": "same", "dilation": (2, 1, 1)}),
    ("conv_transpose3d", (2, 4, 3, 4, 3), [(4, 3, 3, 2, 3), (6,)],
     {"stride": (2, 1, 2), "padding": (1, 0, 2), "dilation": (1, 2, 1), "groups": 2,
      "output_padding": (1, 0, 1)}),
    ("max_pool3d", (2, 3, 5, 6, 7), [], {"kernel_size": (2, 3, 2), "stride": (1, 2, 1),
     "padding": (1, 1, 0), "dilation": (1, 1, 2), "ceil_mode": True, "return_indices": True}),
    ("max_pool3d_with_indices", (3, 5, 6, 7), [], {"kernel_size": 3, "stride": 2, "padding": 1,
                                                  "ceil_mode": True}),
    ("max_pool2d_with_indices", (2, 3, 9, 8), [], {"kernel_size": 3, "stride": 2, "padding": 1,
                                                  "dilation": 2, "ceil_mode": True}),
    ("max_pool1d_with_indices", (2, 3, 9), [], {"kernel_size": 2, "stride": 3, "ceil_mode": True}),
    ("avg_pool3d", (2, 3, 5, 6, 7), [], {"kernel_size": 3, "stride": 2, "padding": 1,
                                        "ceil_mode": True, "count_include_pad": False}),
    ("avg_pool3d", (3, 5, 6, 7), [], {"kernel_size": 2, "ceil_mode": True, "divisor_override": 3}),
    ("lp_pool1d", (2, 3, 9), [], {"norm_type": 2, "kernel_size": 3, "stride": 2,
                                  "ceil_mode": True}),
    ("lp_pool2d", (2, 3, 7, 6), [], {"norm_type": 2, "kernel_size": (2, 3)}),
    ("lp_pool3d", (2, 3, 5, 6, 7), [], {"norm_type": float("inf"), "kernel_size": 2}),
    ("adaptive_avg_pool3d", (2, 3, 5, 6, 7), [], {"output_size": (3, None, 4)}),
    ("adaptive_max_pool3d", (2, 3, 5, 6, 7), [], {"output_size": (3, 2, 4),
                                                 "return_indices": True}),
    ("adaptive_max_pool2d_with_indices", (3, 6, 7), [], {"output_size": (4, 3)}),
    ("adaptive_max_pool1d_with_indices", (2, 3, 7), [], {"output_size": 3}),
]  # fmt: skip


@pytest.mark.parametrize("name, shape, others, kw", TORCH_CALLS)
def test_functions_against_torch(name, shape, others, kw):
    torch = pytest.importorskip("torch")
    arrays = [r(*shape), *(r(*s) for s in others)]
    ours = [td.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = getattr(F, name)(*ours, **kw), getattr(torch.nn.functional, name)(*theirs, **kw)
    if isinstance(ty, tuple):
        (y, idx), (ty, tidx) = y, ty
        assert idx.dtype == np.int64
        np.testing.assert_array_equal(idx.data, tidx.numpy())
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-12)
    g = r(*y.shape)
    y.backward(td.Tensor(g))
    ty.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=1e-12)


def test_conv3d_second_derivative_against_torch():
    torch = pytest.importorskip("torch")
    x, w = r(1, 2, 3, 4, 3), r(3, 2, 2, 2, 2)
    ours = [td.Tensor(a, requires_grad=True) for a in (x, w)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w)]
    (gx,) = td.grad((F.conv3d(*ours, padding=1) ** 2).sum(), [ours[0]], create_graph=True)
    (tgx,) = torch.autograd.grad((torch.nn.functional.conv3d(*theirs, padding=1) ** 2).sum(),
                                 [theirs[0]], create_graph=True)  # fmt: skip
    (gx**2).sum().backward()
    (tgx**2).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-10)


MODULES = [
    ("Conv3d", (2, 4, 3), {"padding": 1, "groups": 2, "bias": False}),
    ("Conv3d", (2, 4, (1, 2, 3)), {"stride": (1, 2, 1), "dilation": 2}),
    ("ConvTranspose3d", (2, 3, 2), {"stride": 2, "output_padding": (1, 0, 0)}),
    ("MaxPool3d", (2,), {}),
    ("MaxPool3d", (2,), {"ceil_mode": True, "return_indices": True, "dilation": 2}),
    ("AvgPool3d", (2, 1, 1, True, False, 3), {}),
    ("LPPool1d", (2, 3), {}),
    ("LPPool2d", (2, 3), {"stride": 2}),
    ("LPPool3d", (1.5, (1, 2, 3), 2), {}),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}),
    ("AdaptiveMaxPool3d", (2,), {"return_indices": True}),
    ("InstanceNorm3d", (3,), {"affine": True, "track_running_stats": True}),
    ("Dropout3d", (0.3,), {}),
    ("ConstantPad3d", (1, 2.0), {}),
    ("ZeroPad3d", ((1, 2, 0, 1, 1, 0),), {}),
    ("ReflectionPad3d", (1,), {}),
    ("ReplicationPad3d", ((1, 2, 0, 1, 1, 0),), {}),
    ("CircularPad3d", (1,), {}),
    ("MaxUnpool3d", (2,), {}),
]


@pytest.mark.parametrize("name, args, kw", MODULES)
def test_modules_repr_and_state_dict_as_torch(name, args, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        assert ours.state_dict()[k].shape == tuple(v.shape)


def test_module_forward_against_torch():
    torch = pytest.importorskip("torch")
    x = r(2, 2, 4, 5, 6)
    for name, args, kw in [("Conv3d", (2, 4, 3), {"padding": "same"}),
                           ("ConvTranspose3d", (2, 3, 2), {"stride": 2}),
                           ("BatchNorm3d", (2,), {})]:  # fmt: skip
        tm = getattr(torch.nn, name)(*args, **kw).double()
        m = getattr(nn, name)(*args, **kw, dtype=td.float64)
        assert list(m.state_dict()) == list(tm.state_dict())
        m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
        for train in (True, False):
            m.train(train)
            tm.train(train)
            np.testing.assert_allclose(m(td.Tensor(x)).data, tm(torch.tensor(x)).detach().numpy(),
                                       atol=1e-10)  # fmt: skip
    tm, m = torch.nn.InstanceNorm3d(2), nn.InstanceNorm3d(2)
    np.testing.assert_allclose(m(td.Tensor(x)).data, tm(torch.tensor(x)).numpy(), atol=1e-10)


# ---------------------------------------------------------------------------------------------
# learning
# ---------------------------------------------------------------------------------------------


def _shapes(n, rng):
    """Noisy 6x6x6 volumes: a filled 3x3x3 cube (class 0) or a straight line of 5 along a
    random axis (class 1), each at a random place."""
    x = rng.normal(0, 0.1, (n, 1, 6, 6, 6)).astype(np.float32)
    y = rng.integers(0, 2, n)
    for i in range(n):
        a, b, c = rng.integers(0, 3, 3)
        if y[i] == 0:
            x[i, 0, a : a + 3, b : b + 3, c : c + 3] += 1
        else:
            where = [a + 1, b + 1, c + 1]
            where[rng.integers(0, 3)] = slice(0, 5)
            x[(i, 0, *where)] += 1
    return x, y


def test_conv3d_net_separates_cubes_from_lines():
    rng = np.random.default_rng(0)
    x, y = _shapes(48, rng)
    model = nn.Sequential(
        nn.Conv3d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2), nn.Conv3d(4, 4, 3),
        nn.ReLU(), nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(4, 2),
    )  # fmt: skip
    opt = td.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(30):
        opt.zero_grad()
        loss = F.cross_entropy(model(td.Tensor(x)), td.Tensor(y))
        loss.backward()
        opt.step()
    xt, yt = _shapes(64, rng)
    accuracy = (model(td.Tensor(xt)).data.argmax(1) == yt).mean()
    assert accuracy >= 0.9
