"""More of nn.functional (functional_extra.py, grid.py): embedding_bag, grid_sample,
affine_grid, gumbel_softmax, rrelu, pdist, channel_shuffle, feature_alpha_dropout and the
in-place activations. Values against NumPy closed forms, gradients against central
differences in float64, errors by message, and values and gradients against PyTorch when it
is installed."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_backward_paths_agree

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F

R = np.random.default_rng(3)


def r(*shape):
    return R.standard_normal(shape)


# -- embedding_bag ----------------------------------------------------------------------------

W = r(6, 3)
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 0])


def np_bags(idx, offsets, include_last):
    ends = list(offsets[1:]) if include_last else list(offsets[1:]) + [len(idx)]
    starts = offsets[:-1] if include_last else offsets
    return [list(idx[s:e]) for s, e in zip(starts, ends)]


def np_embedding_bag(w, bags, mode, psw_bags=None, pad=None):
    out = np.zeros((len(bags), w.shape[1]))
    for b, bag in enumerate(bags):
        ws = psw_bags[b] if psw_bags is not None else [1.0] * len(bag)
        kept = [(i, s) for i, s in zip(bag, ws) if i != pad]
        if not kept:
            continue
        rows = np.array([w[i] * s for i, s in kept])
        out[b] = {"sum": rows.sum(0), "mean": rows.mean(0), "max": rows.max(0)}[mode]
    return out


BAG_CASES = [
    # name, offsets (None: 2-D input), include_last_offset, padding_idx
    ("offsets", [0, 3, 5], False, None),
    ("empty_bag", [0, 4, 4], False, None),
    ("include_last_offset", [0, 2, 6], True, None),
    ("padding_idx", [0, 3], False, 2),
    ("padding_negative", [0, 1, 3], False, -4),  # row 2 again; bag 1 is all padding
]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("name, offsets, last, pad", BAG_CASES, ids=[c[0] for c in BAG_CASES])
def test_embedding_bag_values_and_gradcheck(mode, name, offsets, last, pad):
    idx = IDX if name != "padding_negative" else np.array([1, 2, 2, 4, 0])
    bags = np_bags(idx, offsets, last)
    expected = np_embedding_bag(W, bags, mode, pad=None if pad is None else pad % 6)
    w = td.Tensor(W, requires_grad=True)

    def fn(w):
        return F.embedding_bag(idx, w, td.Tensor(offsets), mode=mode,
                               include_last_offset=last, padding_idx=pad)  # fmt: skip

    out = fn(w)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert td.gradcheck(fn, [w])
    assert_backward_paths_agree(fn, [w])


def test_embedding_bag_2d_input_and_per_sample_weights():
    idx = np.array([[0, 2, 2], [5, 1, 3]])
    psw = r(2, 3)
    expected = np_embedding_bag(W, idx.tolist(), "sum", psw.tolist())
    w, p = td.Tensor(W, requires_grad=True), td.Tensor(psw, requires_grad=True)
    out = F.embedding_bag(idx, w, mode="sum", per_sample_weights=p)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    fn = lambda w, p: F.embedding_bag(idx, w, mode="sum", per_sample_weights=p)  # noqa: E731
    assert td.gradcheck(fn, [w, p])
    (gw,) = td.grad(fn(w, p).square().sum(), [w], create_graph=True)  # second derivative
    assert td.gradcheck(lambda p: td.grad((fn(w, p) ** 2).sum(), [w], create_graph=True)[0], [p])
    assert gw.shape == W.shape
    mean = F.embedding_bag(idx, w)  # default mode 'mean'
    np.testing.assert_allclose(mean.data, np_embedding_bag(W, idx.tolist(), "mean"))
    f32 = F.embedding_bag(idx, td.Tensor(W.astype(np.float32)), mode="max")
    assert f32.dtype == np.float32


def test_embedding_bag_module():
    td.manual_seed(0)
    bag = nn.EmbeddingBag(10, 4, mode="sum", padding_idx=1)
    assert repr(bag) == "EmbeddingBag(10, 4, mode='sum', padding_idx=1)"
    assert np.all(bag.weight.data[1] == 0) and bag.weight.requires_grad
    out = bag(td.Tensor([1, 2, 3, 4]), td.Tensor([0, 2]))
    np.testing.assert_allclose(out.data, [bag.weight.data[2], bag.weight.data[3:5].sum(0)])
    out.sum().backward()
    assert np.all(bag.weight.grad.data[[0, 1, 5]] == 0) and np.all(bag.weight.grad.data[2] == 1)
    pre = nn.EmbeddingBag.from_pretrained(W, mode="max")
    assert not pre.weight.requires_grad and pre.mode == "max"
    np.testing.assert_allclose(pre([[0, 1]]).data, np.maximum(W[0], W[1])[None])
    assert repr(nn.EmbeddingBag(5, 3)) == "EmbeddingBag(5, 3, mode='mean')"
    with pytest.raises(ValueError, match="EmbeddingBag: mode must be"):
        nn.EmbeddingBag(3, 2, mode="avg")


BAG_ERRORS = [
    (dict(weight=W), TypeError, "embedding_bag: weight must be a Tensor"),
    (dict(weight=td.Tensor(r(6))), ValueError, r"weight must be 2-D, got shape \(6,\)"),
    (dict(mode="min"), ValueError, "mode must be 'sum', 'mean' or 'max', got 'min'"),
    (dict(offsets=None), ValueError, "offsets are needed when input is 1-D"),
    (dict(input=[[1, 2]], offsets=[0]), ValueError, "offsets must be None when input is 2-D"),
    (dict(offsets=[1, 3]), ValueError, r"offsets\[0\] must be 0"),
    (dict(offsets=[0, 3, 2]), ValueError, "offsets must be non-decreasing"),
    (dict(offsets=[0, 9]), ValueError, "at most the input's length 8"),
    (dict(offsets=[0.0, 2.0]), TypeError, "offsets must hold integers"),
    (dict(input=IDX + 3), IndexError, "index 8 is out of range for 6 embeddings"),
    (dict(per_sample_weights=td.Tensor(r(8))), ValueError, "only supported for mode='sum'"),
    (dict(mode="sum", per_sample_weights=td.Tensor(r(7))), ValueError, r"must match input of"),
    (dict(padding_idx=6), ValueError, "padding_idx 6 is out of range for 6 embeddings"),
    (dict(max_norm=1.0), NotImplementedError, "max_norm and scale_grad_by_freq"),
]


@pytest.mark.parametrize("kwargs, error, message", BAG_ERRORS)
def test_embedding_bag_errors(kwargs, error, message):
    args = dict(input=IDX, weight=td.Tensor(W), offsets=[0, 4])
    args.update(kwargs)
    with pytest.raises(error, match=message):
        F.embedding_bag(**args)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize(
    "offsets, last, pad",
    [([0, 3, 3], False, None), ([0, 2, 8], True, None), ([0, 5], False, 4), (None, False, 2)],
)
def test_embedding_bag_against_torch(mode, offsets, last, pad):
    torch = pytest.importorskip("torch")
    idx = IDX if offsets is not None else IDX.reshape(2, 4)
    psw = r(*idx.shape) if mode == "sum" else None
    w, wt = td.Tensor(W, requires_grad=True), torch.tensor(W, requires_grad=True)
    p = None if psw is None else td.Tensor(psw, requires_grad=True)
    pt = None if psw is None else torch.tensor(psw, requires_grad=True)
    out = F.embedding_bag(idx, w, offsets, mode=mode, per_sample_weights=p,
                          include_last_offset=last, padding_idx=pad)  # fmt: skip
    ref = torch.nn.functional.embedding_bag(
        torch.tensor(idx), wt, None if offsets is None else torch.tensor(offsets), mode=mode,
        per_sample_weights=pt, include_last_offset=last, padding_idx=pad,
    )  # fmt: skip
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    up = r(*out.shape)
    out.backward(td.Tensor(up))
    ref.backward(torch.tensor(up))
    np.testing.assert_allclose(w.grad.data, wt.grad.numpy(), rtol=1e-12, atol=1e-15)
    if p is not None:
        np.testing.assert_allclose(p.grad.data, pt.grad.numpy(), rtol=1e-12, atol=1e-15)


# -- grid_sample and affine_grid --------------------------------------------------------------

IMG = r(2, 3, 4, 5)
IDENTITY = np.tile(np.array([[1.0, 0, 0], [0, 1, 0]]), (2, 1, 1))


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_identity_grid_reads_the_image_back(align_corners, mode):
    grid = F.affine_grid(td.Tensor(IDENTITY), (2, 3, 4, 5), align_corners=align_corners)
    assert grid.shape == (2, 4, 5, 2)
    out = F.grid_sample(td.Tensor(IMG), grid, mode, align_corners=align_corners)
    np.testing.assert_allclose(out.data, IMG, atol=1e-12)


def test_affine_grid_closed_form():
    theta = r(2, 2, 3)
    xs, ys = (np.arange(5) * 2 + 1) / 5 - 1, (np.arange(4) * 2 + 1) / 4 - 1
    base = np.stack(np.broadcast_arrays(xs[None], ys[:, None], 1.0), -1)  # (4, 5, 3)
    out = F.affine_grid(td.Tensor(theta), (2, 7, 4, 5))
    np.testing.assert_allclose(out.data, np.einsum("hwk,nck->nhwc", base, theta))
    t = td.Tensor(theta, requires_grad=True)
    assert td.gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 2), align_corners=True), [t])


def test_shift_by_one_pixel_with_zero_padding():
    theta = IDENTITY.copy()
    theta[:, 0, 2] = 2 / 4  # one pixel right in x (align_corners: 5 centres span [-1, 1])
    grid = F.affine_grid(td.Tensor(theta), (2, 3, 4, 5), align_corners=True)
    out = F.grid_sample(td.Tensor(IMG), grid, align_corners=True)
    expected = np.concatenate([IMG[..., 1:], np.zeros((2, 3, 4, 1))], -1)
    np.testing.assert_allclose(out.data, expected, atol=1e-12)
    border = F.grid_sample(td.Tensor(IMG), grid, padding_mode="border", align_corners=True)
    np.testing.assert_allclose(border.data[..., -1], IMG[..., -1], atol=1e-12)
    refl = F.grid_sample(td.Tensor(IMG), grid, padding_mode="reflection", align_corners=True)
    np.testing.assert_allclose(refl.data[..., -1], IMG[..., -2], atol=1e-12)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_gradcheck(padding_mode, align_corners):
    x = td.Tensor(r(1, 2, 3, 4), requires_grad=True)
    g = td.Tensor(R.uniform(-1.4, 1.4, (1, 2, 3, 2)), requires_grad=True)

    def fn(x, g):
        return F.grid_sample(x, g, padding_mode=padding_mode, align_corners=align_corners)

    assert td.gradcheck(fn, [x, g])
    assert_backward_paths_agree(fn, [x, g])
    second = lambda g: td.grad(fn(x, g).square().sum(), [g], create_graph=True)[0]  # noqa: E731
    assert td.gradcheck(second, [g])
    nearest = F.grid_sample(x, g, "nearest", padding_mode, align_corners)
    assert td.gradcheck(lambda x: F.grid_sample(x, g.detach(), "nearest", padding_mode), [x])
    assert nearest.shape == (1, 2, 2, 3)


def test_grid_sample_float32_and_errors():
    x32, g32 = td.Tensor(IMG.astype(np.float32)), td.Tensor(r(2, 1, 1, 2).astype(np.float32))
    assert F.grid_sample(x32, g32).dtype == np.float32
    g = td.Tensor(r(2, 1, 1, 2))
    cases = [
        (dict(mode="bicubic"), ValueError, "grid_sample: mode must be 'bilinear' or 'nearest'"),
        (dict(padding_mode="wrap"), ValueError, "padding_mode must be 'zeros', 'border'"),
        (dict(input=td.Tensor(r(3, 4, 5))), ValueError, "input must be 4-D"),
        (dict(grid=td.Tensor(r(1, 1, 1, 2))), ValueError, r"grid of shape \(1, 1, 1, 2\) must"),
        (dict(grid=td.Tensor(r(2, 1, 1, 3))), ValueError, r"must be \(N, H_out, W_out, 2\)"),
        (dict(grid=g32), TypeError, "floating tensors of one dtype, got float64 and float32"),
        (dict(grid=IMG), TypeError, "input and grid must be Tensors, got ndarray"),
    ]
    for kwargs, error, message in cases:
        args = dict(input=td.Tensor(IMG), grid=g)
        args.update(kwargs)
        with pytest.raises(error, match=message):
            F.grid_sample(**args)
    with pytest.raises(ValueError, match=r"affine_grid: theta of shape \(2, 2, 3\) must be"):
        F.affine_grid(td.Tensor(IDENTITY), (3, 1, 4, 4))
    with pytest.raises(ValueError, match="size must be 4 positive ints"):
        F.affine_grid(td.Tensor(IDENTITY), (2, 1, 4, 4, 4))
    with pytest.raises(TypeError, match="affine_grid: theta must be a Tensor"):
        F.affine_grid(IDENTITY, (2, 1, 4, 4))


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_and_affine_grid_against_torch(mode, padding_mode, align_corners):
    torch = pytest.importorskip("torch")
    theta = IDENTITY * 1.3 + r(2, 2, 3) * 0.4  # reaches outside the image
    t, tt = td.Tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    x, xt = td.Tensor(IMG, requires_grad=True), torch.tensor(IMG, requires_grad=True)
    out = F.grid_sample(x, F.affine_grid(t, (2, 3, 3, 6), align_corners), mode, padding_mode,
                        align_corners)  # fmt: skip
    tf = torch.nn.functional
    ref = tf.grid_sample(xt, tf.affine_grid(tt, (2, 3, 3, 6), align_corners), mode,
                         padding_mode, align_corners)  # fmt: skip
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    up = r(*out.shape)
    out.backward(td.Tensor(up))
    ref.backward(torch.tensor(up))
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-14)
    theta_grad = t.grad.data if t.grad is not None else 0.0  # None for 'nearest': torch's 0
    np.testing.assert_allclose(theta_grad, tt.grad.numpy(), rtol=1e-10, atol=1e-12)


# -- gumbel_softmax ---------------------------------------------------------------------------


def np_softmax(z, axis):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax_soft_and_hard(dim):
    logits = r(3, 4)
    td.manual_seed(5)
    soft = F.gumbel_softmax(td.Tensor(logits), tau=0.5, dim=dim)
    td.manual_seed(5)
    gumbels = -np.log(td.rng.generator().standard_exponential((3, 4)))
    np.testing.assert_allclose(soft.data, np_softmax((logits + gumbels) / 0.5, dim))
    x = td.Tensor(logits, requires_grad=True)
    td.manual_seed(5)
    hard = F.gumbel_softmax(x, tau=0.5, hard=True, dim=dim)
    one_hot = np.zeros((3, 4))
    np.put_along_axis(one_hot, np.expand_dims(soft.data.argmax(dim), dim), 1.0, dim)
    np.testing.assert_array_equal(hard.data, one_hot)
    up = r(3, 4)
    (g_hard,) = td.grad(hard, [x], td.Tensor(up))
    td.manual_seed(5)
    (g_soft,) = td.grad(F.gumbel_softmax(x, tau=0.5, dim=dim), [x], td.Tensor(up))
    np.testing.assert_allclose(g_hard.data, g_soft.data)  # straight-through
    td.manual_seed(5)
    assert td.gradcheck(lambda x: (td.manual_seed(1), F.gumbel_softmax(x, 2.0, dim=dim))[1], [x])
    assert F.gumbel_softmax(td.Tensor(logits.astype(np.float32))).dtype == np.float32
    with pytest.raises(ValueError, match="gumbel_softmax: tau must be > 0, got 0.0"):
        F.gumbel_softmax(x, tau=0)
    with pytest.raises(ValueError, match="gumbel_softmax: logits must have at least one dim"):
        F.gumbel_softmax(td.Tensor(1.0))


# -- rrelu ------------------------------------------------------------------------------------


def test_rrelu_eval_training_and_module():
    x0 = np.array([-2.0, -0.5, 0.0, 0.3, 1.5])
    x = td.Tensor(x0, requires_grad=True)
    out = F.rrelu(x, 0.1, 0.3)  # eval: the mean slope
    np.testing.assert_allclose(out.data, np.where(x0 >= 0, x0, 0.2 * x0))
    assert td.gradcheck(lambda x: F.rrelu(x, 0.1, 0.3), [td.Tensor(r(6), requires_grad=True)])
    td.manual_seed(2)
    train = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = train.data[:2] / x0[:2]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3)) and slopes[0] != slopes[1]
    np.testing.assert_array_equal(train.data[2:], x0[2:])
    train.backward(td.Tensor(np.ones(5)))
    np.testing.assert_allclose(x.grad.data, np.r_[slopes, 1.0, 1.0, 1.0])
    module = nn.RReLU(0.1, 0.3)
    assert repr(module) == "RReLU(lower=0.1, upper=0.3)"
    assert (
        repr(nn.RReLU(inplace=True)) == "RReLU(lower=0.125, upper=0.3333333333333333, inplace=True)"
    )
    td.manual_seed(2)
    np.testing.assert_array_equal(module(td.Tensor(x0)).data, train.data)  # train mode: random
    np.testing.assert_array_equal(module.eval()(td.Tensor(x0)).data, out.data)
    with pytest.raises(ValueError, match="rrelu: lower must be <= upper, got lower=0.5"):
        F.rrelu(x, 0.5, 0.1)
    with pytest.raises(TypeError, match="RReLU: lower must be a number"):
        nn.RReLU("a")


def test_rrelu_against_torch_in_eval():
    torch = pytest.importorskip("torch")
    x0 = r(4, 5)
    x, xt = td.Tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    out, ref = F.rrelu(x, 0.05, 0.4), torch.nn.functional.rrelu(xt, 0.05, 0.4)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-15)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy())


# -- pdist ------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, np.inf])
def test_pdist_values_gradcheck_and_torch(p):
    x0 = r(5, 3)
    i, j = np.triu_indices(5, 1)
    expected = np.linalg.norm(x0[i] - x0[j], ord=p, axis=1) if p >= 1 else (
        (np.abs(x0[i] - x0[j]) ** p).sum(1) ** (1 / p))  # fmt: skip
    x = td.Tensor(x0, requires_grad=True)
    out = F.pdist(x, p)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert td.gradcheck(lambda x: F.pdist(x, p), [x])
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x0, requires_grad=True)
    ref = torch.nn.functional.pdist(xt, p)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    up = r(10)
    out.backward(td.Tensor(up))
    ref.backward(torch.tensor(up))
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_pdist_edges_and_errors():
    x = td.Tensor(np.zeros((3, 2)), requires_grad=True)
    F.pdist(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((3, 2)))  # zero distances: 0, as torch
    assert F.pdist(td.Tensor(r(1, 3))).shape == (0,)
    np.testing.assert_array_equal(F.pdist(td.Tensor([[0.0, 1.0], [0.0, 3.0]]), 0).data, [1.0])
    assert F.pdist(td.Tensor(r(4, 2).astype(np.float32))).dtype == np.float32
    with pytest.raises(ValueError, match=r"pdist: input must be 2-D \(N, M\), got shape \(3,\)"):
        F.pdist(td.Tensor(r(3)))
    with pytest.raises(ValueError, match="pdist: p must be >= 0, got -1.0"):
        F.pdist(td.Tensor(r(3, 2)), -1)


# -- channel_shuffle --------------------------------------------------------------------------


def test_channel_shuffle_and_module():
    x0 = r(2, 6, 3, 2)
    expected = x0.reshape(2, 3, 2, 3, 2).transpose(0, 2, 1, 3, 4).reshape(2, 6, 3, 2)
    x = td.Tensor(x0, requires_grad=True)
    np.testing.assert_array_equal(F.channel_shuffle(x, 3).data, expected)
    perm = F.channel_shuffle(td.Tensor(np.arange(6.0).reshape(1, 6, 1)), 2).data.ravel()
    np.testing.assert_array_equal(perm, [0, 3, 1, 4, 2, 5])  # as torch
    assert td.gradcheck(lambda x: F.channel_shuffle(x, 2), [x])
    module = nn.ChannelShuffle(3)
    assert repr(module) == "ChannelShuffle(groups=3)"
    np.testing.assert_array_equal(module(x).data, expected)
    with pytest.raises(ValueError, match="the 6 channels must split into groups=4 equal"):
        F.channel_shuffle(x, 4)
    with pytest.raises(ValueError, match="channel_shuffle: input must have more than 2 dims"):
        F.channel_shuffle(td.Tensor(r(2, 6)), 2)
    with pytest.raises(TypeError, match="channel_shuffle: groups must be an int"):
        F.channel_shuffle(x, 2.0)


# -- feature_alpha_dropout --------------------------------------------------------------------


def test_feature_alpha_dropout():
    x0 = r(4, 6, 5)
    x = td.Tensor(x0, requires_grad=True)
    assert F.feature_alpha_dropout(x, 0.5) is x  # training=False by default, as PyTorch
    td.manual_seed(3)
    out = F.feature_alpha_dropout(x, 0.4, training=True)
    td.manual_seed(3)
    keep = td.rng.generator().random((4, 6, 1)) >= 0.4
    a = ((1 - 0.4) * (1 + 0.4 * 1.7580993408473766**2)) ** -0.5
    alpha = 1.7580993408473766
    expected = np.where(keep, a * x0 + a * alpha * 0.4, -a * alpha + a * alpha * 0.4)
    np.testing.assert_allclose(out.data, expected)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.broadcast_to(np.where(keep, a, 0.0), x0.shape))
    big = F.feature_alpha_dropout(td.Tensor(R.standard_normal((400, 50, 20))), 0.3, True).data
    assert abs(big.mean()) < 0.05 and abs(big.std() - 1) < 0.05  # selu's fixed point kept
    np.testing.assert_array_equal(F.feature_alpha_dropout(x, 1.0, True).data, np.zeros_like(x0))
    module = nn.FeatureAlphaDropout(0.2)
    assert repr(module) == "FeatureAlphaDropout(p=0.2, inplace=False)"
    assert module.eval()(x) is x
    with pytest.raises(ValueError, match="feature_alpha_dropout: input must have at least 2"):
        F.feature_alpha_dropout(td.Tensor(r(5)), 0.5, True)
    with pytest.raises(ValueError, match=r"feature_alpha_dropout: probability p must be in"):
        F.feature_alpha_dropout(x, 1.5, True)


# -- in-place activations ---------------------------------------------------------------------

INPLACE = [
    ("relu_", (), lambda x: F.relu(x)),
    ("elu_", (0.7,), lambda x: F.elu(x, 0.7)),
    ("leaky_relu_", (0.2,), lambda x: F.leaky_relu(x, 0.2)),
    ("hardtanh_", (-0.5, 0.8), lambda x: F.hardtanh(x, -0.5, 0.8)),
    ("selu_", (), lambda x: F.selu(x)),
    ("celu_", (1.5,), lambda x: F.celu(x, 1.5)),
    ("threshold_", (0.1, -3.0), lambda x: F.threshold(x, 0.1, -3.0)),
    ("rrelu_", (0.1, 0.3), lambda x: F.rrelu(x, 0.1, 0.3)),
]


@pytest.mark.parametrize("name, args, reference", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_activations(name, args, reference):
    fn = getattr(F, name)
    x0 = r(3, 4)
    t = td.Tensor(x0.copy())
    version = t._version[0]
    assert fn(t, *args) is t and t._version[0] == version + 1
    np.testing.assert_allclose(t.data, reference(td.Tensor(x0)).data)
    leaf = td.Tensor(x0, requires_grad=True)  # recorded on a non-leaf: gradients flow
    y = leaf * 1.0
    fn(y, *args)
    assert td.gradcheck(lambda a: fn(a * 1.0, *args), [leaf])
    (g,) = td.grad(y.sum(), [leaf])
    (expected,) = td.grad(reference(leaf).sum(), [leaf])
    np.testing.assert_allclose(g.data, expected.data)
    with pytest.raises(RuntimeError, match=f"{name}: a leaf tensor that requires grad"):
        fn(leaf, *args)
    with pytest.raises(TypeError, match=f"{name}: input must be a Tensor"):
        fn(x0, *args)


def test_inplace_views_and_rrelu_training():
    base = td.Tensor(r(4, 3))
    F.relu_(base[1])
    assert np.all(base.data[1] >= 0)
    td.manual_seed(4)
    t = td.Tensor(-np.ones(50))
    F.rrelu_(t, 0.1, 0.3, training=True)
    assert np.all((t.data >= -0.3) & (t.data <= -0.1)) and len(np.unique(t.data)) > 1
    with pytest.raises(ValueError, match="rrelu_: lower must be <= upper"):
        F.rrelu_(t, 0.3, 0.1)


# -- AdaptiveLogSoftmaxWithLoss ---------------------------------------------------------------


def test_adaptive_log_softmax_closed_form_and_gradcheck():
    td.manual_seed(0)
    asm = nn.AdaptiveLogSoftmaxWithLoss(6, 9, [2, 5], div_value=2.0, dtype=np.float64)
    assert asm.cutoffs == [2, 5, 9] and asm.head.weight.shape == (4, 6)
    assert [c[0].weight.shape for c in asm.tail] == [(3, 6), (1, 6)]
    x = td.Tensor(r(5, 6), requires_grad=True)
    target = np.array([0, 3, 8, 1, 6])
    full = asm.log_prob(x)
    np.testing.assert_allclose(np.exp(full.data).sum(1), np.ones(5))  # a distribution
    out = asm(x, target)
    np.testing.assert_allclose(out.output.data, full.data[np.arange(5), target], rtol=1e-12)
    np.testing.assert_allclose(out.loss.item(), -out.output.data.mean())
    np.testing.assert_array_equal(asm.predict(x).data, full.data.argmax(1))
    assert asm.predict(x).dtype == np.int64
    assert td.gradcheck(lambda x: asm(x, target).output, [x])
    assert td.gradcheck(lambda w: asm(x.detach(), target).loss, [asm.tail[1][1].weight])
    one = asm(x[2], 8)
    assert one.output.shape == () and np.isclose(one.output.item(), out.output.data[2])
    assert asm.log_prob(x[0]).shape == (9,)


def test_adaptive_log_softmax_errors():
    cases = [([], "cutoffs must be a non-empty sequence"), ([3, 2], "unique, increasing ints"),
             ([0, 4], "between 1 and n_classes - 1 = 9"), ([2, 10], r"got \[2, 10\]"),
             ([2, 2], "unique"), ([2.0], "ints")]  # fmt: skip
    for cutoffs, message in cases:
        with pytest.raises(ValueError, match=f"AdaptiveLogSoftmaxWithLoss: .*{message}"):
            nn.AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs)
    asm = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])
    with pytest.raises(ValueError, match=r"target values must be in \[0, 9\], got values in"):
        asm(td.Tensor(r(2, 4)), [1, 10])
    with pytest.raises(ValueError, match=r"target of shape \(3,\) does not match input"):
        asm(td.Tensor(r(2, 4)), [1, 2, 3])
    with pytest.raises(TypeError, match="target must hold integers"):
        asm(td.Tensor(r(2, 4)), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"forward: input must be \(N, 4\) or \(4,\)"):
        asm(td.Tensor(r(2, 5)), [1, 2])


def test_adaptive_log_softmax_against_torch():
    torch = pytest.importorskip("torch")
    ours = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=True,
                                         dtype=np.float64)  # fmt: skip
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], 2.0, head_bias=True).double()
    assert repr(ours) == repr(theirs)
    pairs = list(zip(ours.named_parameters(), theirs.named_parameters()))
    for (name, p), (name_t, q) in pairs:
        assert name == name_t
        p.data[...] = q.detach().numpy()
    x0, target = r(7, 8), np.array([0, 4, 9, 2, 6, 7, 1])
    x, xt = td.Tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    out, ref = ours(x, target), theirs(xt, torch.tensor(target))
    np.testing.assert_allclose(out.output.data, ref.output.detach().numpy(), rtol=1e-12)
    out.loss.backward()
    ref.loss.backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    for (name, p), (_, q) in pairs:
        np.testing.assert_allclose(
            p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=name
        )
    full, full_t = ours.log_prob(x), theirs.log_prob(xt)
    np.testing.assert_allclose(full.data, full_t.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(x).data, theirs.predict(xt).numpy())
