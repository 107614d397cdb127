"""Padding, interpolation, adaptive pooling, unfold/fold, embedding and channel dropout
(nn/sampling.py, nn/pooling.py, nn/dropout.py). Values against NumPy closed forms, gradients
against central differences in float64, errors by message, and values, gradients and module
reprs against PyTorch when it is installed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
import tinygrad_ds.nn.functional as F
from tinygrad_ds import nn

R = np.random.default_rng(3)


def r(*shape):
    return R.standard_normal(shape)


# -- NumPy references ------------------------------------------------------------------------


def np_pad(a, pad, mode="constant", value=0.0):
    """F.pad's flat (last dim first) pad as np.pad, cropping negative pads first."""
    k = len(pad) // 2
    widths = [(0, 0)] * (a.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    crop = tuple(slice(max(-b, 0), n - max(-e, 0)) for (b, e), n in zip(widths, a.shape))
    if mode == "constant":
        a = a[crop]
        widths = [(max(b, 0), max(e, 0)) for b, e in widths]
        return np.pad(a, widths, constant_values=value)
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    out = np.pad(a, [(max(b, 0), max(e, 0)) for b, e in widths], mode=np_mode)
    return out[tuple(slice(max(-b, 0), m - max(-e, 0)) for (b, e), m in zip(widths, out.shape))]


def np_nearest(a, size, exact=False):
    """out[..., i] = a[..., floor(i in / out)] (+ 0.5 for nearest-exact), per spatial dim."""
    for axis, m in zip(range(2, a.ndim), size):
        n = a.shape[axis]
        src = [min(int(np.floor((i + (0.5 if exact else 0)) * n / m)), n - 1) for i in range(m)]
        a = np.take(a, src, axis)
    return a


def np_linear(a, size, align_corners):
    """Linear interpolation along each spatial dim from the source-coordinate formulas."""
    for axis, m in zip(range(2, a.ndim), size):
        n = a.shape[axis]
        if align_corners:
            src = np.arange(m) * ((n - 1) / (m - 1) if m > 1 else 0.0)
        else:
            src = np.maximum((np.arange(m) + 0.5) * n / m - 0.5, 0)
        moved = np.moveaxis(a, axis, -1)
        out = np.stack([np.interp(src, np.arange(n), row) for row in moved.reshape(-1, n)])
        a = np.moveaxis(out.reshape(moved.shape[:-1] + (m,)), -1, axis)
    return a


def np_adaptive(a, size, fn):
    """fn over each window [floor(i n / m), ceil((i + 1) n / m)) of the last len(size) dims."""
    if len(size) == 1:
        n, (m,) = a.shape[-1], size
        return np.stack(
            [fn(a[..., i * n // m : -(-(i + 1) * n // m)], (-1,)) for i in range(m)], -1
        )
    (h, w), (oh, ow) = a.shape[-2:], size
    rows = [
        np.stack(
            [
                fn(
                    a[
                        ...,
                        i * h // oh : -(-(i + 1) * h // oh),
                        j * w // ow : -(-(j + 1) * w // ow),
                    ],
                    (-2, -1),
                )  # fmt: skip
                for j in range(ow)
            ],
            -1,
        )
        for i in range(oh)
    ]
    return np.stack(rows, -2)


def np_unfold(a, k, d=(1, 1), p=(0, 0), s=(1, 1)):
    """im2col by loops: rows (c, i, j), columns the blocks in row-major order."""
    a = np.pad(a, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    n, c, h, w = a.shape
    oh, ow = (h - d[0] * (k[0] - 1) - 1) // s[0] + 1, (w - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c * k[0] * k[1], oh * ow))
    for ci in range(c):
        for i in range(k[0]):
            for j in range(k[1]):
                for bi in range(oh):
                    for bj in range(ow):
                        out[:, (ci * k[0] + i) * k[1] + j, bi * ow + bj] = a[
                            :, ci, i * d[0] + bi * s[0], j * d[1] + bj * s[1]
                        ]
    return out


def np_fold(cols, size, k, d=(1, 1), p=(0, 0), s=(1, 1)):
    """col2im by loops: every column entry added back where unfold read it."""
    n, ck, _ = cols.shape
    c = ck // (k[0] * k[1])
    h, w = size[0] + 2 * p[0], size[1] + 2 * p[1]
    oh, ow = (h - d[0] * (k[0] - 1) - 1) // s[0] + 1, (w - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c, h, w))
    for ci in range(c):
        for i in range(k[0]):
            for j in range(k[1]):
                for bi in range(oh):
                    for bj in range(ow):
                        out[:, ci, i * d[0] + bi * s[0], j * d[1] + bj * s[1]] += cols[
                            :, (ci * k[0] + i) * k[1] + j, bi * ow + bj
                        ]
    return out[:, :, p[0] : p[0] + size[0], p[1] : p[1] + size[1]]


W_EMB = r(5, 3)
IDX = np.array([[0, 4, 4], [2, 0, 1]])

DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("pad_constant", lambda a: F.pad(a, (1, 2)), lambda a: np_pad(a, (1, 2)), [r(2, 3)]),
    ("pad_constant_value_3dims", lambda a: F.pad(a, (0, 1, 2, 0, 1, 1), value=-2.5),
     lambda a: np_pad(a, (0, 1, 2, 0, 1, 1), value=-2.5), [r(2, 3, 2)]),
    ("pad_constant_crop", lambda a: F.pad(a, (-1, 2, 1, -2)),
     lambda a: np_pad(a, (-1, 2, 1, -2)), [r(2, 4, 5)]),
    ("pad_reflect_1d", lambda a: F.pad(a, (3, 2), "reflect"),
     lambda a: np_pad(a, (3, 2), "reflect"), [r(2, 4)]),
    ("pad_reflect_2d", lambda a: F.pad(a, (1, 2, 2, 0), "reflect"),
     lambda a: np_pad(a, (1, 2, 2, 0), "reflect"), [r(2, 3, 4, 5)]),
    ("pad_reflect_crop", lambda a: F.pad(a, (-1, 3), mode="reflect"),
     lambda a: np_pad(a, (-1, 3), "reflect"), [r(1, 2, 5)]),
    ("pad_replicate_2d", lambda a: F.pad(a, (3, 1, 0, 2), "replicate"),
     lambda a: np_pad(a, (3, 1, 0, 2), "replicate"), [r(2, 3, 4)]),
    ("pad_replicate_3d", lambda a: F.pad(a, (1, 1, 2, 0, 0, 1), "replicate"),
     lambda a: np_pad(a, (1, 1, 2, 0, 0, 1), "replicate"), [r(1, 2, 2, 3)]),
    ("pad_circular_1d", lambda a: F.pad(a, (4, 2), "circular"),
     lambda a: np_pad(a, (4, 2), "circular"), [r(2, 3, 4)]),
    ("pad_circular_2d_crop", lambda a: F.pad(a, (2, -1, 1, 3), "circular"),
     lambda a: np_pad(a, (2, -1, 1, 3), "circular"), [r(1, 2, 3, 4)]),
    ("nearest_up", lambda a: F.interpolate(a, size=7), lambda a: np_nearest(a, (7,)),
     [r(2, 3, 3)]),
    ("nearest_down_2d", lambda a: F.interpolate(a, size=(2, 3)),
     lambda a: np_nearest(a, (2, 3)), [r(1, 2, 5, 7)]),
    ("nearest_exact", lambda a: F.interpolate(a, size=(5, 2), mode="nearest-exact"),
     lambda a: np_nearest(a, (5, 2), True), [r(1, 2, 3, 5)]),
    ("linear_up", lambda a: F.interpolate(a, size=7, mode="linear"),
     lambda a: np_linear(a, (7,), False), [r(2, 3, 4)]),
    ("linear_down_corners", lambda a: F.interpolate(a, size=3, mode="linear", align_corners=True),
     lambda a: np_linear(a, (3,), True), [r(2, 1, 7)]),
    ("bilinear", lambda a: F.interpolate(a, size=(5, 3), mode="bilinear"),
     lambda a: np_linear(a, (5, 3), False), [r(1, 2, 3, 4)]),
    ("bilinear_corners", lambda a: F.interpolate(a, size=(2, 7), mode="bilinear",
                                                 align_corners=True),
     lambda a: np_linear(a, (2, 7), True), [r(2, 1, 4, 3)]),
    ("bilinear_scale", lambda a: F.interpolate(a, scale_factor=2, mode="bilinear"),
     lambda a: np_linear(a, (6, 8), False), [r(1, 1, 3, 4)]),
    ("adaptive_avg_1d", lambda a: F.adaptive_avg_pool1d(a, 3),
     lambda a: np_adaptive(a, (3,), np.mean), [r(2, 3, 7)]),
    ("adaptive_avg_1d_up", lambda a: F.adaptive_avg_pool1d(a, 5),
     lambda a: np_adaptive(a, (5,), np.mean), [r(3, 3)]),
    ("adaptive_avg_2d", lambda a: F.adaptive_avg_pool2d(a, (2, 3)),
     lambda a: np_adaptive(a, (2, 3), np.mean), [r(2, 2, 5, 7)]),
    ("adaptive_avg_2d_none", lambda a: F.adaptive_avg_pool2d(a, (None, 2)),
     lambda a: np_adaptive(a, (3, 2), np.mean), [r(2, 3, 5)]),
    ("adaptive_max_1d", lambda a: F.adaptive_max_pool1d(a, 3),
     lambda a: np_adaptive(a, (3,), np.max), [r(2, 3, 7)]),
    ("adaptive_max_2d", lambda a: F.adaptive_max_pool2d(a, (3, 2)),
     lambda a: np_adaptive(a, (3, 2), np.max), [r(1, 2, 5, 4)]),
    ("adaptive_max_2d_up", lambda a: F.adaptive_max_pool2d(a, 4),
     lambda a: np_adaptive(a, (4, 4), np.max), [r(2, 3, 3)]),
    ("unfold", lambda a: F.unfold(a, 2), lambda a: np_unfold(a, (2, 2)), [r(2, 3, 3, 4)]),
    ("unfold_all_options", lambda a: F.unfold(a, (2, 3), (2, 1), 1, (1, 2)),
     lambda a: np_unfold(a, (2, 3), (2, 1), (1, 1), (1, 2)), [r(1, 2, 4, 5)]),
    ("unfold_unbatched", lambda a: F.unfold(a, 2, stride=2),
     lambda a: np_unfold(a[None], (2, 2), s=(2, 2))[0], [r(2, 4, 4)]),
    ("fold", lambda a: F.fold(a, (3, 4), 2), lambda a: np_fold(a, (3, 4), (2, 2)),
     [r(2, 8, 6)]),
    ("fold_all_options", lambda a: F.fold(a, (4, 5), (2, 3), (2, 1), 1, (1, 2)),
     lambda a: np_fold(a, (4, 5), (2, 3), (2, 1), (1, 1), (1, 2)), [r(1, 12, 12)]),
    ("embedding", lambda w: F.embedding(IDX, w), lambda w: w[IDX], [W_EMB]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: F.pad(a, (2, 1, 1, 2), "reflect"),
        lambda a: F.interpolate(a, size=(5, 2), mode="bilinear"),
        lambda a: F.adaptive_max_pool2d(a, 2),
        lambda a: F.fold(F.unfold(a, 2), (3, 3), 2),
    ],
    ids=["pad", "interpolate", "adaptive_max", "unfold_fold"],
)
def test_second_derivatives(fn):
    """The gradient (recorded with create_graph=True) is itself differentiable: its own
    gradient matches central differences."""
    x = td.Tensor(r(1, 2, 3, 3), requires_grad=True)

    def grad_of(a):
        return td.grad((fn(a) ** 3).sum(), [a], create_graph=True)[0]

    assert grad_of(x).requires_grad
    assert td.gradcheck(grad_of, [x])


def test_float32_stays_float32():
    x = td.Tensor(r(1, 2, 4, 5).astype(np.float32), requires_grad=True)
    outs = [
        F.pad(x, (1, 1, 1, 1), "reflect"), F.pad(x, (1, 1), value=2), F.interpolate(x, size=3),
        F.interpolate(x, scale_factor=1.5, mode="bilinear"), F.adaptive_avg_pool2d(x, 2),
        F.adaptive_max_pool2d(x, 3), F.unfold(x, 2), F.fold(F.unfold(x, 2), (4, 5), 2),
        F.dropout2d(x, 0.5), F.dropout1d(x[0], 0.5), F.alpha_dropout(x, 0.5, True),
    ]  # fmt: skip
    for out in outs:
        assert out.dtype == np.float32
        out.sum().backward()
    assert x.grad.dtype == np.float32


def test_pad_of_integers_and_unchanged():
    assert F.pad(td.Tensor([[1, 2, 3]]), (1, 1), value=2).tolist() == [[2, 1, 2, 3, 2]]
    assert F.pad(td.Tensor([[1, 2, 3]]), (2, 1), "reflect").tolist() == [[3, 2, 1, 2, 3, 2]]
    assert F.pad(td.Tensor([[1, 2, 3]]), (1, 3), "circular").dtype == np.int64
    x = td.Tensor(r(2, 3))
    np.testing.assert_array_equal(F.pad(x, (0, 0)).data, x.data)
    assert F.pad(x, (-1, -2)).shape == (2, 0)


def test_adaptive_max_indices_and_ties():
    x = td.Tensor([[[1.0, 3.0, 3.0, 0.0, 5.0]]], requires_grad=True)
    out, idx = F.adaptive_max_pool1d(x, 2, return_indices=True)  # windows [0, 3) and [2, 5)
    assert out.tolist() == [[[3.0, 5.0]]] and idx.tolist() == [[[1, 4]]]
    assert idx.dtype == np.int64 and not idx.requires_grad
    out.sum().backward()
    assert x.grad.tolist() == [[[0.0, 1.0, 0.0, 0.0, 1.0]]]  # the first maximum of a tie
    y = td.Tensor(np.arange(12.0).reshape(1, 3, 4))
    out, idx = nn.AdaptiveMaxPool2d((2, 2), return_indices=True)(y)
    assert idx.tolist() == [[[5, 7], [9, 11]]] and out.tolist() == [[[5.0, 7.0], [9.0, 11.0]]]


def test_modules_compute_their_function():
    x = td.Tensor(r(2, 3, 4, 5))
    pairs = [
        (nn.ZeroPad2d((1, 0, 2, 1)), F.pad(x, (1, 0, 2, 1))),
        (nn.ConstantPad2d(1, 3.5), F.pad(x, (1, 1, 1, 1), value=3.5)),
        (nn.ReflectionPad2d(2), F.pad(x, (2,) * 4, "reflect")),
        (nn.ReplicationPad2d((1, 2, 3, 4)), F.pad(x, (1, 2, 3, 4), "replicate")),
        (nn.CircularPad2d(1), F.pad(x, (1,) * 4, "circular")),
        (nn.Upsample(scale_factor=2), F.interpolate(x, scale_factor=2)),
        (nn.UpsamplingNearest2d(size=(3, 3)), F.interpolate(x, size=(3, 3))),
        (nn.UpsamplingBilinear2d(scale_factor=2),
         F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)),
        (nn.AdaptiveAvgPool2d((2, None)), F.adaptive_avg_pool2d(x, (2, 5))),
        (nn.AdaptiveMaxPool2d(2), F.adaptive_max_pool2d(x, 2)),
        (nn.Unfold(2, padding=1), F.unfold(x, 2, padding=1)),
    ]  # fmt: skip
    x1 = x[0]
    pairs += [
        (nn.ZeroPad1d(2), F.pad(x1, (2, 2))),
        (nn.ConstantPad1d((0, 1), -1.0), F.pad(x1, (0, 1), value=-1.0)),
        (nn.ReflectionPad1d((1, 2)), F.pad(x1, (1, 2), "reflect")),
        (nn.ReplicationPad1d(3), F.pad(x1, (3, 3), "replicate")),
        (nn.CircularPad1d(2), F.pad(x1, (2, 2), "circular")),
        (nn.AdaptiveAvgPool1d(3), F.adaptive_avg_pool1d(x1, 3)),
        (nn.AdaptiveMaxPool1d(2), F.adaptive_max_pool1d(x1, 2)),
    ]
    for i, (module, expected) in enumerate(pairs):
        out = module(x if i < len(pairs) - 7 else x1)
        np.testing.assert_array_equal(out.data, expected.data)
    cols = F.unfold(x, 2)
    np.testing.assert_array_equal(nn.Fold((4, 5), 2)(cols).data, F.fold(cols, (4, 5), 2).data)


# -- channel dropout ---------------------------------------------------------------------------


def test_dropout2d_zeroes_whole_channels_and_scales():
    td.manual_seed(0)
    x = td.Tensor(np.ones((8, 16, 3, 3)), requires_grad=True)
    layer = nn.Dropout2d(0.25)
    out = layer(x)
    per_channel = out.data.reshape(8, 16, 9)
    assert set(np.unique(per_channel)) <= {0.0, 1 / 0.75}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # one value per channel
    assert 0.1 < (per_channel[..., 0] == 0).mean() < 0.4
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, out.data)  # the gradient is the mask
    td.manual_seed(0)
    np.testing.assert_array_equal(layer(x).data, out.data)  # seeded by manual_seed
    layer.eval()
    assert layer(x) is x or np.array_equal(layer(x).data, x.data)


def test_dropout1d_batched_and_unbatched():
    td.manual_seed(1)
    out = F.dropout1d(td.ones(4, 32, 5), 0.5)
    assert (out.data.min(-1) == out.data.max(-1)).all() and set(np.unique(out.data)) == {0, 2}
    out = nn.Dropout1d(0.5)(td.ones(32, 5))
    assert (out.data.min(-1) == out.data.max(-1)).all()
    assert np.array_equal(F.dropout1d(td.ones(3, 4), 0.5, training=False).data, np.ones((3, 4)))
    assert F.dropout1d(td.ones(3, 4), 1.0).sum().item() == 0


def test_dropout2d_of_3d_input_warns_and_drops_per_row():
    td.manual_seed(2)
    with pytest.warns(UserWarning, match="dropout2d: received a 3-D input"):
        out = F.dropout2d(td.ones(4, 16, 5), 0.5)
    assert (out.data.min(-1) == out.data.max(-1)).all()


def test_alpha_dropout_keeps_mean_and_variance():
    td.manual_seed(3)
    x = td.Tensor(R.standard_normal(200_000))
    out = nn.AlphaDropout(0.2)(x)
    assert abs(out.data.mean()) < 0.02 and abs(out.data.std() - 1) < 0.02
    alpha, p = 1.7580993408473766, 0.2
    a = ((1 - p) * (1 + p * alpha**2)) ** -0.5
    dropped = np.isclose(out.data, -alpha * a * (1 - p))  # a (-alpha') + a alpha' p
    assert abs(dropped.mean() - p) < 0.01
    np.testing.assert_allclose(out.data[~dropped], a * x.data[~dropped] + a * alpha * p)
    assert np.array_equal(F.alpha_dropout(x, 0.2).data, x.data)  # training=False by default


def test_reprs_without_torch():
    assert repr(nn.ZeroPad2d(2)) == "ZeroPad2d((2, 2, 2, 2))"
    assert repr(nn.ConstantPad1d(2, 3.5)) == "ConstantPad1d(padding=(2, 2), value=3.5)"
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.AdaptiveAvgPool2d((3, None))) == "AdaptiveAvgPool2d(output_size=(3, None))"
    assert repr(nn.Dropout2d(0.3)) == "Dropout2d(p=0.3, inplace=False)"


# -- errors ------------------------------------------------------------------------------------

ERRORS = [
    (lambda: F.pad(td.zeros(2, 3), (1,)), ValueError, r"pad: padding length must be divisible"),
    (lambda: F.pad(td.zeros(2, 3), (1,) * 6), ValueError,
     r"pad: padding length 6 is more than two times .* \(2, 3\)"),
    (lambda: F.pad(td.zeros(2, 3), (1.5, 1)), TypeError, "pad: pad must be a tuple of ints"),
    (lambda: F.pad(td.zeros(2, 3), (1, 1), "wrap"), NotImplementedError,
     "pad: unrecognised padding mode 'wrap'"),
    (lambda: F.pad(td.zeros(2, 3), (-2, -2)), ValueError,
     r"pad: padding \(-2, -2\) of dim 1 \(size 3\) .* negative or empty"),
    (lambda: F.pad(td.zeros(1, 2, 3), (3, 3), "reflect"), ValueError,
     r"pad: in mode 'reflect' padding must be less than .* \(3, 3\) at dim 2"),
    (lambda: F.pad(td.zeros(1, 2, 3), (4, 0), "circular"), ValueError,
     r"pad: in mode 'circular' padding must be at most"),
    (lambda: F.pad(td.zeros(3), (1, 1), "replicate"), NotImplementedError,
     r"pad: padding size 2 is not supported for a 1-D input in mode 'replicate'"),
    (lambda: F.pad(td.zeros(1, 2, 3), (1,) * 6, "reflect"), NotImplementedError,
     r"pad: padding size 6 is not supported for a 3-D input"),
    (lambda: F.pad(td.zeros(2, 3), (1, 1), "reflect", value=2.0), ValueError,
     "pad: padding mode 'reflect' doesn't take a value"),
    (lambda: F.pad(td.zeros(2, 2, 0), (1, 1), "replicate"), ValueError,
     r"pad: mode 'replicate' cannot pad dim 2 of size 0"),
    (lambda: nn.ReflectionPad2d((1, 2, 3)), ValueError,
     r"ReflectionPad2d: padding must be an int or a tuple of 4 ints, got \(1, 2, 3\)"),
    (lambda: nn.ZeroPad2d(1)(td.zeros(5)), ValueError,
     r"ZeroPad2d: expected a 3-D or 4-D input, got shape \(5,\)"),
    (lambda: F.interpolate(td.zeros(1, 2, 5)), ValueError,
     "interpolate: give exactly one of size and scale_factor, got neither"),
    (lambda: F.interpolate(td.zeros(1, 2, 5), 3, 2.0), ValueError,
     "interpolate: give exactly one of size and scale_factor, got both"),
    (lambda: F.interpolate(td.zeros(1, 2, 5), size=3, align_corners=True), ValueError,
     "interpolate: align_corners can only be set with the interpolating modes"),
    (lambda: F.interpolate(td.zeros(1, 2, 5, 6), size=3, mode="linear"), NotImplementedError,
     "interpolate: got a 4-D input, but linear mode needs a 3-D input"),
    (lambda: F.interpolate(td.zeros(1, 2, 5), size=3, mode="bicubic"), NotImplementedError,
     "interpolate: mode 'bicubic' is not supported"),
    (lambda: F.interpolate(td.zeros(5), size=3), NotImplementedError,
     r"interpolate: expected a 3-D \(N, C, L\) or 4-D"),
    (lambda: F.interpolate(td.zeros(1, 2, 5), size=(3, 4)), ValueError,
     r"interpolate: size \(3, 4\) has 2 entries for an input of shape \(1, 2, 5\) with 1"),
    (lambda: F.interpolate(td.zeros(1, 2, 5), size=0), ValueError,
     r"interpolate: input and output sizes must be greater than 0"),
    (lambda: F.interpolate(td.zeros(1, 2, 5), scale_factor="2"), TypeError,
     "interpolate: scale_factor must be a number"),
    (lambda: F.adaptive_avg_pool1d(td.zeros(1, 2, 3, 4), 3), ValueError,
     r"adaptive_avg_pool1d: expected a 2-D or 3-D input, got shape \(1, 2, 3, 4\)"),
    (lambda: F.adaptive_max_pool2d(td.zeros(1, 2, 3), (1, 2, 3)), ValueError,
     r"adaptive_max_pool2d: output_size must be an int or 2 ints"),
    (lambda: F.adaptive_avg_pool2d(td.zeros(1, 0, 3), 2), ValueError,
     r"adaptive_avg_pool2d: output sizes must be >= 0 and the input's spatial dims non-empty"),
    (lambda: F.adaptive_avg_pool2d(td.zeros(1, 2, 3), 2.5), TypeError,
     "adaptive_avg_pool2d: output_size must be an int"),
    (lambda: F.unfold(td.zeros(4, 5), 2), ValueError,
     r"unfold: expected a 3-D or 4-D input, got shape \(4, 5\)"),
    (lambda: F.unfold(td.zeros(1, 3, 4, 5), 6), ValueError,
     r"unfold: spatial size \(4, 5\) with kernel_size=\(6, 6\).* leaves \(-1, 0\) sliding"),
    (lambda: F.fold(td.zeros(2, 12, 10), (4, 5), 2), ValueError,
     r"fold: output_size=\(4, 5\), kernel_size=\(2, 2\).* give 3 \* 4 = 12 sliding blocks"),
    (lambda: F.fold(td.zeros(2, 13, 12), (4, 5), 2), ValueError,
     r"fold: dim -2 of the input of shape \(2, 13, 12\) \(13\) is not divisible by .* 4"),
    (lambda: F.fold(td.zeros(2, 3, 12, 1), (4, 5), 2), ValueError,
     r"fold: expected a 2-D or 3-D input"),
    (lambda: F.unfold(td.zeros(1, 1, 4, 4), 0), ValueError, "unfold: kernel_size must be >= 1"),
    (lambda: F.embedding([7], td.zeros(5, 3)), IndexError,
     "embedding: index 7 is out of range for 5 embeddings"),
    (lambda: F.embedding([1.0], td.zeros(5, 3)), TypeError,
     "embedding: indices must be integers, got dtype float64"),
    (lambda: F.embedding([1], td.zeros(5, 3), padding_idx=5), ValueError,
     "embedding: padding_idx 5 is out of range for 5 embeddings"),
    (lambda: F.embedding([1], td.zeros(5)), ValueError, r"embedding: weight must be 2-D"),
    (lambda: F.dropout1d(td.zeros(1, 2, 3, 4)), ValueError,
     r"dropout1d: expected a 2-D or 3-D input, got shape \(1, 2, 3, 4\)"),
    (lambda: F.dropout2d(td.zeros(1, 2, 3, 4), 1.5), ValueError,
     r"dropout2d: probability p must be in \[0, 1\], got 1.5"),
    (lambda: nn.Dropout1d(-0.1), ValueError, r"Dropout1d: probability p must be in \[0, 1\]"),
    (lambda: F.alpha_dropout(td.zeros(3), 0.5, training=1), TypeError,
     "alpha_dropout: training must be True or False"),
    (lambda: F.dropout2d(td.Tensor(np.ones((2, 3, 4, 4), np.int64))), TypeError,
     "dropout2d: expected a floating tensor, got int64"),
]  # fmt: skip


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            fn()


def test_embedding_padding_idx_gets_no_gradient():
    w = td.Tensor(r(4, 2), requires_grad=True)
    out = F.embedding(td.Tensor([[1, 3, 1]]), w, padding_idx=-1)
    np.testing.assert_array_equal(out.data, w.data[[[1, 3, 1]]])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [[0, 0], [2, 2], [0, 0], [0, 0]])


# -- against PyTorch ---------------------------------------------------------------------------

TORCH_CASES = [
    # name, function of (F, x) for both frameworks, input shape
    ("pad_constant", lambda F, x: F.pad(x, (1, -1, 2, 0), value=0.5), (2, 3, 4)),
    ("pad_reflect", lambda F, x: F.pad(x, (2, 1, 0, 3), mode="reflect"), (2, 3, 4, 5)),
    ("pad_replicate_crop", lambda F, x: F.pad(x, (-1, 3), mode="replicate"), (2, 3, 4)),
    ("pad_circular", lambda F, x: F.pad(x, (3, 1, 2, 2), mode="circular"), (1, 2, 3, 4)),
    ("pad_reflect_3d", lambda F, x: F.pad(x, (1, 1, 1, 0, 0, 2), mode="reflect"),
     (1, 2, 3, 3, 3)),
    ("nearest_sf", lambda F, x: F.interpolate(x, scale_factor=1.7), (2, 3, 5)),
    ("nearest_2d_sf", lambda F, x: F.interpolate(x, scale_factor=(2.2, 1.3)), (1, 2, 3, 3)),
    ("nearest_exact", lambda F, x: F.interpolate(x, size=(7, 2), mode="nearest-exact"),
     (1, 2, 3, 5)),
    ("linear_sf", lambda F, x: F.interpolate(x, scale_factor=2.5, mode="linear"), (2, 3, 4)),
    ("linear_sf_recompute", lambda F, x: F.interpolate(
        x, scale_factor=0.6, mode="linear", recompute_scale_factor=True), (2, 3, 7)),
    ("bilinear", lambda F, x: F.interpolate(x, size=(5, 8), mode="bilinear"), (2, 2, 3, 4)),
    ("bilinear_corners_sf", lambda F, x: F.interpolate(
        x, scale_factor=(1.5, 0.5), mode="bilinear", align_corners=True), (1, 2, 4, 6)),
    ("adaptive_avg_1d", lambda F, x: F.adaptive_avg_pool1d(x, 4), (2, 3, 10)),
    ("adaptive_avg_2d", lambda F, x: F.adaptive_avg_pool2d(x, (3, 5)), (2, 2, 7, 4)),
    ("adaptive_max_1d", lambda F, x: F.adaptive_max_pool1d(x, 3), (2, 3, 8)),
    ("adaptive_max_2d", lambda F, x: F.adaptive_max_pool2d(x, (2, 4)), (2, 2, 5, 6)),
    ("unfold", lambda F, x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2),
     (2, 3, 5, 6)),
    ("fold", lambda F, x: F.fold(x, (4, 5), 2, padding=1), (2, 8, 30)),
    ("embedding", lambda F, x: F.embedding(
        x.new_tensor([[0, 3], [3, 1]]).long(), x, padding_idx=1), (4, 3)),
]  # fmt: skip


@pytest.mark.parametrize("fn, shape", [c[1:] for c in TORCH_CASES], ids=[c[0] for c in TORCH_CASES])
def test_against_torch(fn, shape):
    torch = pytest.importorskip("torch")
    a = R.standard_normal(shape)
    x, t = td.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = fn(F, x), fn(torch.nn.functional, t)
    if isinstance(out, tuple):
        out, ref = out[0], ref[0]
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = R.standard_normal(ref.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_adaptive_max_indices_against_torch():
    torch = pytest.importorskip("torch")
    a = np.round(R.standard_normal((2, 3, 7, 5)))  # many ties
    for size in [(3, 2), (4, 4), (7, 5), (2, None)]:
        _, idx = F.adaptive_max_pool2d(td.Tensor(a), size, return_indices=True)
        ref = torch.nn.functional.adaptive_max_pool2d(torch.tensor(a), size, True)[1]
        np.testing.assert_array_equal(idx.data, ref.numpy())
    _, idx = F.adaptive_max_pool1d(td.Tensor(a[0]), 3, return_indices=True)
    ref = torch.nn.functional.adaptive_max_pool1d(torch.tensor(a[0]), 3, True)[1]
    np.testing.assert_array_equal(idx.data, ref.numpy())


def test_float32_interpolation_indices_against_torch():
    """The nearest index rule in float32 (floor(i * float(in / out))), as PyTorch's kernels."""
    torch = pytest.importorskip("torch")
    for n_in in range(1, 8):
        for n_out in range(1, 15):
            a = R.standard_normal((1, 1, n_in)).astype(np.float32)
            for mode in ("nearest", "nearest-exact", "linear"):
                out = F.interpolate(td.Tensor(a), size=n_out, mode=mode)
                ref = torch.nn.functional.interpolate(torch.tensor(a), size=n_out, mode=mode)
                np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-6, atol=1e-6)


def test_reprs_against_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    for build in [
        lambda m: m.ZeroPad1d(2), lambda m: m.ZeroPad2d((1, 2, 3, 4)),
        lambda m: m.ConstantPad1d(2, 3.5), lambda m: m.ConstantPad2d((1, 0, 2, 3), 0),
        lambda m: m.ReflectionPad1d((1, 2)), lambda m: m.ReflectionPad2d(1),
        lambda m: m.ReplicationPad1d(3), lambda m: m.ReplicationPad2d((1, 2, 3, 4)),
        lambda m: m.CircularPad1d(1), lambda m: m.CircularPad2d((0, 1, 2, 3)),
        lambda m: m.Upsample(scale_factor=2), lambda m: m.Upsample(size=(3, 4), mode="bilinear"),
        lambda m: m.Upsample(scale_factor=(2, 1.5), mode="nearest-exact"),
        lambda m: m.UpsamplingNearest2d(scale_factor=2),
        lambda m: m.UpsamplingBilinear2d(size=(2, 3)),
        lambda m: m.AdaptiveAvgPool1d(3), lambda m: m.AdaptiveAvgPool2d((3, None)),
        lambda m: m.AdaptiveMaxPool1d(2), lambda m: m.AdaptiveMaxPool2d(3, return_indices=True),
        lambda m: m.Dropout1d(), lambda m: m.Dropout2d(0.3), lambda m: m.AlphaDropout(0.2),
        lambda m: m.Unfold(2), lambda m: m.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)),
        lambda m: m.Fold((4, 5), 2, stride=2),
    ]:  # fmt: skip
        assert repr(build(nn)) == repr(build(tnn))
