"""Transposed convolution and pixel shuffling (nn/conv_transpose.py): values against a NumPy
scatter loop, gradients against central differences in float64 (and a second derivative),
errors by message, parameters and reprs, and values and gradients against PyTorch when it is
installed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
import tinygrad_ds.nn.functional as F
from tinygrad_ds import nn

R = np.random.default_rng(7)


def r(*shape):
    return R.standard_normal(shape)


def np_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                        dilation=1):  # fmt: skip
    """The definition: each x[n, c, i, j] adds x * w[c, o] at rows i s - p + a d, columns
    j s - p + b d of output channel (c's group) * C_out/groups + o."""
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    (sh, sw), (ph, pw), (oh, ow), (dh, dw) = map(pair, (stride, padding, output_padding, dilation))
    n, c_in, h, wd = x.shape
    _, c_group, kh, kw = w.shape
    out_h = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1
    out_w = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1
    full = np.zeros((n, c_group * groups, out_h + 2 * ph + kh * dh, out_w + 2 * pw + kw * dw))
    per_group = c_in // groups
    for c in range(c_in):
        g = c // per_group
        for a in range(kh):
            for bb in range(kw):
                rows = slice(a * dh, a * dh + sh * (h - 1) + 1, sh)
                cols = slice(bb * dw, bb * dw + sw * (wd - 1) + 1, sw)
                chans = slice(g * c_group, (g + 1) * c_group)
                full[:, chans, rows, cols] += x[:, c, None] * w[c, :, a, bb][None, :, None, None]
    out = full[:, :, ph : ph + out_h, pw : pw + out_w]
    return out if b is None else out + b.reshape(1, -1, 1, 1)


CASES_2D = [  # x shape, weight shape, keyword arguments
    ((2, 3, 4, 5), (3, 2, 3, 3), {}),
    ((1, 2, 3, 4), (2, 3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    (
        (1, 4, 3, 3),
        (4, 1, 3, 2),
        {
            "stride": (2, 3),
            "padding": (0, 2),
            "output_padding": (1, 2),
            "groups": 2,
            "dilation": (1, 2),
        },
    ),  # fmt: skip
    ((1, 2, 3, 3), (2, 2, 2, 2), {"output_padding": 1, "dilation": 2}),  # op >= stride, < dilation
    ((1, 2, 3, 3), (2, 2, 3, 3), {"stride": 3, "padding": 1, "output_padding": 2}),  # op > padding
    ((2, 2, 3, 2), (2, 3, 1, 2), {"stride": 2, "groups": 1, "padding": (0, 1)}),
]


@pytest.mark.parametrize("xs, ws, kw", CASES_2D)
def test_conv_transpose2d_value_and_gradients(xs, ws, kw):
    c_out = ws[1] * kw.get("groups", 1)
    check_op(
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
        lambda x, w, b: np_conv_transpose2d(x, w, b, **kw),
        [r(*xs), r(*ws), r(c_out)],
    )


def test_conv_transpose1d_and_unbatched():
    x, w = r(2, 4, 5), r(4, 3, 3)
    kw = {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dilation": 1}
    kw2 = dict(kw, stride=(1, 2), padding=(0, 1), output_padding=(0, 1))
    ref = lambda x, w: np_conv_transpose2d(x[:, :, None], w[:, :, None], **kw2)[:, :, 0]  # noqa: E731
    check_op(lambda x, w: F.conv_transpose1d(x, w, **kw), ref, [x, w])
    unbatched = F.conv_transpose1d(td.Tensor(x[0]), td.Tensor(w), **kw)
    np.testing.assert_allclose(unbatched.data, ref(x, w)[0], atol=1e-12)
    x2 = r(4, 3, 3)
    out = F.conv_transpose2d(td.Tensor(x2), td.Tensor(w[..., None]), stride=2)
    np.testing.assert_allclose(out.data, np_conv_transpose2d(x2[None], w[..., None], stride=2)[0])


def test_conv_transpose_is_the_adjoint_of_conv2d():
    """<conv2d(z, w), y> = <z, conv_transpose2d(y, w)> for the same stride, padding, ..."""
    kw = {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}
    z, w = td.Tensor(r(2, 4, 9, 8)), td.Tensor(r(6, 2, 3, 2))
    conv = F.conv2d(z, w, **kw)
    y = td.Tensor(r(*conv.shape))
    op = tuple(a - b for a, b in zip(z.shape[2:], F.conv_transpose2d(y, w, **kw).shape[2:]))
    back = F.conv_transpose2d(y, w, output_padding=op, **kw)
    assert back.shape == z.shape
    np.testing.assert_allclose((conv * y).sum().item(), (z * back).sum().item(), rtol=1e-10)


def test_second_derivative_and_float32():
    x, w = (
        td.Tensor(r(1, 2, 3, 3), requires_grad=True),
        td.Tensor(r(2, 2, 2, 2), requires_grad=True),
    )
    f = lambda x, w: (F.conv_transpose2d(x, w, stride=2, padding=1) ** 2).sum()  # noqa: E731
    (gx,) = td.grad(f(x, w), [x], create_graph=True)
    assert td.gradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1), [x, w])
    assert td.gradcheck(lambda w: td.grad(f(x, w), [x], create_graph=True)[0], [w])
    assert gx.requires_grad
    y = F.conv_transpose2d(td.Tensor(r(1, 2, 3, 3).astype(np.float32)),
                           td.Tensor(r(2, 2, 2, 2).astype(np.float32)), stride=2)  # fmt: skip
    assert y.dtype == np.float32


def test_conv_transpose_module_parameters_and_output_size():
    m = nn.ConvTranspose2d(4, 6, (3, 2), stride=2, groups=2, dtype=np.float32)
    assert m.weight.shape == (4, 3, 3, 2) and m.bias.shape == (6,)
    assert m.weight.dtype == np.float32 and [k for k, _ in m.named_parameters()] == [
        "weight",
        "bias",
    ]
    bound = 1 / np.sqrt(3 * 3 * 2)  # fan_in = out_channels / groups * prod(kernel)
    assert np.abs(m.weight.data).max() <= bound and np.abs(m.bias.data).max() <= bound
    x = td.Tensor(r(2, 4, 5, 5))
    assert m(x).shape == (2, 6, 11, 10)
    assert m(x, output_size=(12, 11)).shape == (2, 6, 12, 11)
    assert m(x, output_size=[2, 6, 11, 11]).shape == (2, 6, 11, 11)
    m1 = nn.ConvTranspose1d(3, 2, 4, bias=False, dilation=2)
    assert m1.weight.shape == (3, 2, 4) and m1.bias is None
    assert m1(td.Tensor(r(3, 5))).shape == (2, 11)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: F.conv_transpose2d(r(1, 2, 3, 3), r(2, 2, 3, 3), output_padding=1),
         r"conv_transpose2d: output_padding must be smaller than either stride or dilation"),
        (lambda: F.conv_transpose2d(r(1, 3, 3, 3), r(2, 2, 3, 3)),
         r"conv_transpose2d: input has 3 channels but weight expects 2"),
        (lambda: F.conv_transpose2d(r(1, 3, 3, 3), r(3, 2, 3, 3), groups=2),
         r"3 input channels .* not divisible by groups=2"),
        (lambda: F.conv_transpose2d(r(1, 2, 3, 3), r(2, 2, 3, 3), r(3)),
         r"bias must have shape \(2,\), got \(3,\)"),
        (lambda: F.conv_transpose2d(r(1, 2, 3, 3), r(2, 2, 3)),
         r"conv_transpose2d: weight must be 4-D"),
        (lambda: F.conv_transpose1d(r(2, 3, 3, 3), r(3, 2, 3)),
         r"conv_transpose1d: expected a 2-D \(unbatched\) or 3-D \(batched\) input"),
        (lambda: F.conv_transpose2d(r(1, 2, 1, 1), r(2, 2, 1, 1), padding=1),
         r"output size \(-1, -1\) is too small"),
        (lambda: F.conv_transpose2d(r(1, 2, 3, 3), r(2, 2, 1, 1), stride=0),
         r"conv_transpose2d: stride must be >= 1"),
        (lambda: nn.ConvTranspose2d(2, 2, 3, output_padding=1),
         r"ConvTranspose2d: output_padding must be smaller than either stride or dilation"),
        (lambda: nn.ConvTranspose2d(2, 2, 3, padding="same"),
         r"ConvTranspose2d: padding must be an int or a tuple"),
        (lambda: nn.ConvTranspose1d(2, 2, 3, padding_mode="reflect"),
         r'ConvTranspose1d: only "zeros" padding mode is supported'),
        (lambda: nn.ConvTranspose2d(3, 2, 3, groups=2),
         r"ConvTranspose2d: in_channels \(3\) must be divisible by groups \(2\)"),
        (lambda: nn.ConvTranspose2d(2, 2, 3, stride=2)(td.Tensor(r(2, 4, 4)), output_size=(12, 9)),
         r"requested an output size of \(12, 9\).*12 is not in \[9, 10\]"),
    ],
)  # fmt: skip
def test_conv_transpose_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_conv_transpose_reprs():
    assert repr(nn.ConvTranspose2d(4, 2, 3)) == (
        "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(1, 1))"
    )
    assert repr(nn.ConvTranspose1d(4, 2, 3, 2, 1, 1, 2, False, 3)) == (
        "ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(3,), "
        "output_padding=(1,), groups=2, bias=False)"
    )


# -- pixel shuffle --------------------------------------------------------------------------


def np_pixel_shuffle(x, r):
    *batch, c, h, w = x.shape
    out = np.empty((*batch, c // (r * r), h * r, w * r))
    for i in range(r):
        for j in range(r):
            out[..., i::r, j::r] = x[..., i * r + j :: r * r, :, :]
    return out


@pytest.mark.parametrize("shape, factor", [((2, 8, 2, 3), 2), ((9, 1, 2), 3), ((2, 1, 4, 1, 1), 2)])
def test_pixel_shuffle_and_unshuffle(shape, factor):
    x = r(*shape)
    check_op(lambda x: F.pixel_shuffle(x, factor), lambda x: np_pixel_shuffle(x, factor), [x])
    y = np_pixel_shuffle(x, factor)
    check_op(lambda y: F.pixel_unshuffle(y, factor), lambda y: x, [y])
    assert nn.PixelShuffle(factor)(td.Tensor(x)).shape == y.shape
    assert nn.PixelUnshuffle(factor)(td.Tensor(y)).shape == x.shape
    assert F.pixel_shuffle(td.Tensor(x.astype(np.float32)), factor).dtype == np.float32


def test_pixel_shuffle_errors_and_reprs():
    assert repr(nn.PixelShuffle(3)) == "PixelShuffle(upscale_factor=3)"
    assert repr(nn.PixelUnshuffle(2)) == "PixelUnshuffle(downscale_factor=2)"
    with pytest.raises(ValueError, match=r"pixel_shuffle: the channel dim \(5.*upscale_factor sq"):
        F.pixel_shuffle(td.Tensor(r(1, 5, 2, 2)), 2)
    with pytest.raises(ValueError, match=r"pixel_unshuffle: the height and width \(3, 4"):
        F.pixel_unshuffle(td.Tensor(r(1, 3, 4)), 2)
    with pytest.raises(ValueError, match=r"pixel_shuffle: expected an input of 3 or more dims"):
        F.pixel_shuffle(td.Tensor(r(4, 2)), 2)
    with pytest.raises(ValueError, match=r"PixelUnshuffle: downscale_factor must be a positive"):
        nn.PixelUnshuffle(0)
    with pytest.raises(TypeError, match=r"pixel_shuffle: upscale_factor must be an int"):
        F.pixel_shuffle(td.Tensor(r(1, 4, 2, 2)), 2.0)


# -- against PyTorch ------------------------------------------------------------------------


TORCH_CASES = [*CASES_2D, ((2, 4, 5), (4, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1,
                                                   "groups": 2})]  # fmt: skip


@pytest.mark.parametrize("xs, ws, kw", TORCH_CASES)
def test_conv_transpose_against_torch(xs, ws, kw):
    torch = pytest.importorskip("torch")
    c_out = ws[1] * kw.get("groups", 1)
    arrays = [r(*xs), r(*ws), r(c_out)]
    ours = [td.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    f_ours = F.conv_transpose2d if len(xs) == 4 else F.conv_transpose1d
    f_theirs = getattr(torch.nn.functional, f_ours.__name__)
    y, ty = f_ours(*ours, **kw), f_theirs(*theirs, **kw)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-12)
    g = r(*y.shape)
    y.backward(td.Tensor(g))
    ty.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=1e-12)


def test_modules_and_pixel_shuffle_against_torch():
    torch = pytest.importorskip("torch")
    for args, kw in [((4, 2, 3), {}), ((4, 6, (2, 3), 2, 1, 1, 2, False, 2), {})]:
        ours, theirs = nn.ConvTranspose2d(*args, **kw), torch.nn.ConvTranspose2d(*args, **kw)
        assert repr(ours) == repr(theirs)
        assert dict(ours.state_dict()).keys() == theirs.state_dict().keys()
        for k, v in theirs.state_dict().items():
            assert ours.state_dict()[k].shape == tuple(v.shape)
    assert repr(nn.ConvTranspose1d(3, 3, 2, 2)) == repr(torch.nn.ConvTranspose1d(3, 3, 2, 2))
    m, tm = nn.ConvTranspose2d(2, 3, 3, stride=3), torch.nn.ConvTranspose2d(2, 3, 3, stride=3)
    tm.double()
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = r(1, 2, 3, 4)
    np.testing.assert_allclose(
        m(td.Tensor(x), output_size=(10, 13)).data,
        tm(torch.tensor(x), output_size=(10, 13)).detach().numpy(),
        atol=1e-12,
    )
    x = r(2, 12, 2, 3)
    for f, n in [("pixel_shuffle", 2), ("pixel_unshuffle", 1), ("pixel_shuffle", 1)]:
        ours = getattr(F, f)(td.Tensor(x), n).data
        np.testing.assert_array_equal(ours, getattr(torch.nn.functional, f)(torch.tensor(x), n))
    np.testing.assert_array_equal(
        F.pixel_unshuffle(td.Tensor(x.reshape(2, 3, 4, 6)), 2).data,
        torch.nn.functional.pixel_unshuffle(torch.tensor(x.reshape(2, 3, 4, 6)), 2).numpy(),
    )
    assert repr(nn.PixelShuffle(2)) == repr(torch.nn.PixelShuffle(2))
    assert repr(nn.PixelUnshuffle(2)) == repr(torch.nn.PixelUnshuffle(2))


# -- max unpooling ---------------------------------------------------------------------------


def np_max_unpool(x, idx, sizes):
    lead = x.shape[: x.ndim - len(sizes)]
    out = np.zeros((*lead, int(np.prod(sizes))))
    flat_x, flat_i = x.reshape(*lead, -1), idx.reshape(*lead, -1)
    for pos in np.ndindex(*lead):
        out[pos][flat_i[pos]] = flat_x[pos]
    return out.reshape(*lead, *sizes)


IDX_2D = np.array([[[[0, 3], [9, 14]], [[5, 2], [13, 10]]]])  # (1, 2, 2, 2) into 4 x 4 planes


def test_max_unpool2d_value_gradient_and_second_derivative():
    x = r(1, 2, 2, 2)
    check_op(lambda x: F.max_unpool2d(x, IDX_2D, 2), lambda x: np_max_unpool(x, IDX_2D, (4, 4)),
             [x])  # fmt: skip
    check_op(
        lambda x: nn.MaxUnpool2d(2)(x, td.Tensor(IDX_2D[0]), output_size=(5, 5)),
        lambda x: np_max_unpool(x, IDX_2D[0], (5, 5)),
        [x[0]],
    )
    v = td.Tensor(x, requires_grad=True)
    f = lambda v: td.grad((F.max_unpool2d(v, IDX_2D, 2) ** 3).sum(), [v], create_graph=True)[0]  # noqa: E731
    assert td.gradcheck(f, [v])
    assert F.max_unpool2d(td.Tensor(x.astype(np.float32)), IDX_2D, 2).dtype == np.float32


def test_max_unpool_inverts_adaptive_max_pool_indices():
    x = td.Tensor(r(2, 3, 4, 6))
    values, idx = F.adaptive_max_pool2d(x, (2, 3), return_indices=True)
    back = F.max_unpool2d(values, idx, (2, 2), output_size=(4, 6))
    np.testing.assert_array_equal(back.data, np_max_unpool(values.data, idx.data, (4, 6)))
    assert np.all((back.data == 0) | (back.data == x.data))
    x1 = td.Tensor(r(2, 8))
    v1, i1 = F.adaptive_max_pool1d(x1, 4, return_indices=True)
    np.testing.assert_array_equal(
        nn.MaxUnpool1d(2)(v1, i1).data, np_max_unpool(v1.data, i1.data, (8,))
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: F.max_unpool2d(r(1, 2, 2, 2), IDX_2D + 10, 2),
         r"max_unpool2d: found an invalid max index 24 \(output planes are of size 4x4\)"),
        (lambda: F.max_unpool2d(r(1, 2, 2, 2), IDX_2D, 2, output_size=(7, 7)),
         r"max_unpool2d: invalid output_size \(7, 7\) \(dim 0 must be between 2 and 6\)"),
        (lambda: F.max_unpool2d(r(1, 2, 2, 2), IDX_2D[..., :1], 2),
         r"max_unpool2d: indices must be integers of the input's shape \(1, 2, 2, 2\)"),
        (lambda: F.max_unpool1d(r(1, 2, 2, 2), IDX_2D, 2),
         r"max_unpool1d: expected a 2-D or 3-D input"),
        (lambda: nn.MaxUnpool2d(0), r"MaxUnpool2d: kernel_size must be >= 1"),
    ],
)  # fmt: skip
def test_max_unpool_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_max_unpool_against_torch():
    torch = pytest.importorskip("torch")
    assert repr(nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))
    assert repr(nn.MaxUnpool1d(3, 2, 1)) == repr(torch.nn.MaxUnpool1d(3, 2, 1))
    for hw, pool, size in [
        (5, (3, 2, 1), None),
        (4, (2, 2, 0), None),
        (5, (2, 2, 0), (2, 3, 5, 5)),
    ]:
        x = torch.tensor(r(2, 3, hw, hw))
        y, i = torch.nn.functional.max_pool2d(x, *pool, return_indices=True)
        yd, yt = td.Tensor(y.numpy(), requires_grad=True), y.clone().requires_grad_()
        ours = F.max_unpool2d(yd, td.Tensor(i.numpy()), *pool, output_size=size)
        theirs = torch.nn.functional.max_unpool2d(yt, i, *pool, output_size=size)
        np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
        if pool[0] == pool[1]:  # no repeated index (see test_max_unpool_repeated_indices)
            g = r(*ours.shape)
            ours.backward(td.Tensor(g))
            theirs.backward(torch.tensor(g))
            np.testing.assert_array_equal(yd.grad.data, yt.grad.numpy())
    y1, i1 = torch.nn.functional.max_pool1d(torch.tensor(r(3, 5)), 2, return_indices=True)
    np.testing.assert_array_equal(
        F.max_unpool1d(td.Tensor(y1.numpy()), i1.numpy(), 2, output_size=[5]).data,
        torch.nn.functional.max_unpool1d(y1, i1, 2, output_size=[5]).numpy(),
    )


def test_max_unpool_repeated_indices():
    """Two values written at one place (overlapping pooling windows that share a maximum): the
    last write wins and alone gets the gradient, the derivative of what is computed (PyTorch
    gives each of them the gradient there)."""
    v = td.Tensor([[[1.0, 2.0, 2.0]]], requires_grad=True)
    out = F.max_unpool1d(v, np.array([[[0, 2, 2]]]), 3, 2, 1, output_size=[5])
    np.testing.assert_array_equal(out.data, [[[1.0, 0.0, 2.0, 0.0, 0.0]]])
    out.backward(td.Tensor(np.arange(1.0, 6.0).reshape(1, 1, 5)))
    np.testing.assert_array_equal(v.grad.data, [[[1.0, 0.0, 3.0]]])
