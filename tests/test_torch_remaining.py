"""PyTorch's remaining Tensor methods (torch_api/scatter_views.py) and top-level names
(torch_api/toplevel.py, toplevel_nn.py): values against NumPy closed forms, gradients against
central differences in float64, each top-level function against the method or F function it
wraps, errors by message, and values and gradients against PyTorch when it is installed."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
import tinygrad_ds.nn.functional as F

R = np.random.default_rng(7)


def r(*shape):
    return R.standard_normal(shape)


def i64(x):
    return td.Tensor(np.array(x, dtype=np.int64))


def np_put(a, idx, v, accumulate=False):
    out = a.copy()
    if accumulate:
        np.add.at(out, idx, v)
    else:
        out[idx] = v
    return out


def np_diag_scatter(a, s, offset, d1, d2):
    out = a.copy()
    pos = np.diagonal(np.arange(a.size).reshape(a.shape), offset, d1, d2)
    out.reshape(-1)[pos] = s
    return out


I0, I1 = np.array([0, 2, 0]), np.array([1, 3, 1])  # (0, 1) repeated

DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("index_put_accumulate_repeats",
     lambda a, v: a.index_put((i64(I0), i64(I1)), v, accumulate=True),
     lambda a, v: np_put(a, (I0, I1), v, True), [r(3, 4), r(3)]),
    ("index_put_rows_broadcast", lambda a, v: a.index_put((i64([2, 0]),), v),
     lambda a, v: np_put(a, ([2, 0],), v), [r(3, 4), r(4)]),
    ("index_put_negative", lambda a, v: a.index_put((i64([-1]), i64([0, 2])), v),
     lambda a, v: np_put(a, ([-1], [0, 2]), v), [r(3, 4), r(2)]),
    ("index_put_bool_mask", lambda a, v: a.index_put((td.Tensor(a.data > 0),), v),
     lambda a, v: np.where(a > 0, v, a), [r(3, 4), r()]),
    ("index_put_3d_trailing", lambda a, v: a.index_put((i64([1, 0]), i64([2, 2])), v),
     lambda a, v: np_put(a, ([1, 0], [2, 2]), v), [r(2, 3, 4), r(2, 4)]),
    ("index_reduce_prod_self", lambda a, s: a.index_reduce(0, i64([0, 2, 0]), s, "prod"),
     lambda a, s: a * np.stack([s[0] * s[2], np.ones(4), s[1]]), [r(3, 4), r(3, 4)]),
    ("index_reduce_mean_noself",
     lambda a, s: a.index_reduce(1, i64([1, 1]), s, "mean", include_self=False),
     lambda a, s: np.concatenate([a[:, :1], s.mean(1, keepdims=True), a[:, 2:]], 1),
     [r(2, 3), r(2, 2)]),
    ("index_reduce_amax", lambda a, s: a.index_reduce(0, i64([1, 1]), s, "amax"),
     lambda a, s: np.stack([a[0], np.maximum(a[1], s.max(0))]), [r(2, 3), r(2, 3)]),
    ("diagonal_scatter_0", lambda a, s: a.diagonal_scatter(s),
     lambda a, s: np_diag_scatter(a, s, 0, 0, 1), [r(3, 4), r(3)]),
    ("diagonal_scatter_offset_dims", lambda a, s: a.diagonal_scatter(s, -1, 2, 0),
     lambda a, s: np_diag_scatter(a, s, -1, 2, 0), [r(3, 2, 4), r(2, 3)]),
    ("select_scatter", lambda a, s: a.select_scatter(s, 1, -1),
     lambda a, s: np.concatenate([a[:, :2], s[:, None]], 1), [r(4, 3), r(4)]),
    ("slice_scatter_step", lambda a, s: a.slice_scatter(s, 1, 1, None, 2),
     lambda a, s: np.stack([a[:, 0], s[:, 0], a[:, 2], s[:, 1], a[:, 4]], 1),
     [r(2, 5), r(2, 2)]),
    ("slice_scatter_default", lambda a, s: a.slice_scatter(s, start=-1),
     lambda a, s: np.concatenate([a[:2], s]), [r(3, 2), r(1, 2)]),
    ("narrow_copy", lambda a: a.narrow_copy(1, 1, 2), lambda a: a[:, 1:3], [r(3, 4)]),
    ("vander", lambda x: td.vander(x, 4), lambda x: np.vander(x, 4), [np.array([0.0, 1.5, -2])]),
    ("vander_increasing", lambda x: td.vander(x, increasing=True),
     lambda x: np.vander(x, increasing=True), [r(3)]),
    ("rsub", lambda a, b: td.rsub(a, b, alpha=2), lambda a, b: b - 2 * a, [r(3), r(2, 3)]),
    ("chain_matmul", lambda a, b, c: td.chain_matmul(a, b, c),
     lambda a, b, c: a @ b @ c, [r(2, 3), r(3, 4), r(4, 2)]),
    ("frobenius_norm", lambda a: td.frobenius_norm(a, (0, 2), keepdim=True),
     lambda a: np.sqrt((a * a).sum((0, 2), keepdims=True)), [r(2, 3, 4)]),
    ("nuclear_norm", lambda a: td.nuclear_norm(a),
     lambda a: np.linalg.svd(a, compute_uv=False).sum(-1), [r(2, 3, 4)]),
]  # fmt: skip


@pytest.mark.parametrize("name,fn,ref,inputs", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_differentiable(name, fn, ref, inputs):
    check_op(fn, ref, inputs)


def test_second_derivative_through_index_put():
    a = td.Tensor(r(3), requires_grad=True)
    v = td.Tensor(r(2), requires_grad=True)
    y = a.index_put((i64([0, 0]),), v * v * v, accumulate=True).sum()
    (gv,) = td.grad(y, [v], create_graph=True)
    np.testing.assert_allclose(gv.data, 3 * v.data**2)
    (ggv,) = td.grad(gv.sum(), [v])
    np.testing.assert_allclose(ggv.data, 6 * v.data)


def test_float32_stays_float32():
    a = td.Tensor(r(3, 3).astype(np.float32))
    s = td.Tensor(np.ones(3, np.float32))
    for out in (a.diagonal_scatter(s), a.select_scatter(s, 0, 1), a.slice_scatter(a[:1], end=1),
                a.index_put((i64([1]),), s), td.vander(s), td.rsub(s, 1.0)):  # fmt: skip
        assert out.dtype == np.float32
    assert a.diagonal_scatter(s.astype(np.float64)).dtype == np.float32  # src cast, as PyTorch


def test_in_place_forms():
    x = td.Tensor(r(3, 4))
    y = x.clone()
    assert x.index_put_((i64([0, 0]),), td.Tensor(np.ones(4)), True) is x
    np.testing.assert_allclose(x.data, y.index_put((i64([0, 0]),), td.ones(4).double(), True).data)
    x = td.Tensor(np.full((3, 2), 2.0))
    x.index_reduce_(0, i64([1]), td.Tensor(np.array([[3.0, 4.0]])), "prod")
    np.testing.assert_allclose(x.data, [[2, 2], [6, 8], [2, 2]])
    # recorded for autograd on a non-leaf
    a = td.Tensor(r(3), requires_grad=True)
    b = a * 1
    b.index_put_((i64([1]),), td.Tensor(np.array(5.0)))
    b.sum().backward()
    np.testing.assert_allclose(a.grad.data, [1, 0, 1])


SPECIAL_IN_PLACE = [
    ("lgamma_", (), "lgamma"), ("digamma_", (), "digamma"), ("polygamma_", (1,), "polygamma"),
    ("i0_", (), "i0"), ("sinc_", (), "sinc"), ("mvlgamma_", (2,), "mvlgamma"),
    ("renorm_", (2, 0, 1.0), "renorm"), ("ldexp_", (td.Tensor([1.0, 2.0]),), "ldexp"),
    ("nextafter_", (td.Tensor([0.0, 9.0]),), "nextafter"),
]  # fmt: skip


@pytest.mark.parametrize("name,args,method", SPECIAL_IN_PLACE, ids=[c[0] for c in SPECIAL_IN_PLACE])
def test_special_in_place(name, args, method):
    x = td.Tensor(np.array([2.5, 3.25]))
    expected = getattr(x, method)(*args).data
    assert getattr(x, name)(*args) is x
    np.testing.assert_allclose(x.data, expected)


def test_integer_in_place_and_float_power_():
    x = i64([4, 6])
    np.testing.assert_array_equal(x.gcd_(i64([6, 9])).data, [2, 3])
    np.testing.assert_array_equal(x.lcm_(i64([3, 4])).data, [6, 12])
    y = td.Tensor(np.array([2.0, 3.0]))
    np.testing.assert_allclose(y.float_power_(2).data, [4, 9])
    with pytest.raises(TypeError, match="float_power_: the base has dtype float32"):
        td.Tensor([1.0]).float_power_(2)


def test_apply_and_map():
    x = i64([0, 1, 2])
    assert x.apply_(lambda v: v * 2.7) is x
    np.testing.assert_array_equal(x.data, [0, 2, 5])  # converted to int64 as PyTorch
    c = td.Tensor(np.arange(4.0).reshape(2, 2))
    c.map_(td.Tensor(np.array([10.0, 20.0])), lambda u, v: u + v)
    np.testing.assert_allclose(c.data, [[10, 21], [12, 23]])
    leaf = td.Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="apply_: can't be called on a tensor that requires"):
        leaf.apply_(abs)
    with pytest.raises(RuntimeError, match="map_: can't be called"):
        (leaf * 1).map_(leaf, max)
    with pytest.raises(TypeError, match="apply_: the function must return a number, got str"):
        td.Tensor([1.0]).apply_(str)
    with pytest.raises(ValueError, match=r"map_: tensor of shape \(2, 4\) can't be broadcast"):
        td.Tensor(np.zeros(4)).map_(td.Tensor(np.zeros((2, 4))), max)
    with pytest.raises(TypeError, match="apply_: expected a function"):
        td.Tensor([1.0]).apply_(3)


def test_new_and_dtype_methods():
    x = td.Tensor(np.ones(2, np.float64))
    e = x.new_empty(2, 3)
    assert e.shape == (2, 3) and e.dtype == np.float64 and not e.data.any()
    s = x.new_empty_strided((2, 3), (3, 1), dtype=td.int64, requires_grad=False)
    assert s.shape == (2, 3) and s.dtype == np.int64
    with pytest.raises(ValueError, match="new_empty_strided: size"):
        x.new_empty_strided((2, 3), (1,))
    assert x.new_empty((4,), requires_grad=True).requires_grad
    assert td.Tensor([-1.0, 300.0]).byte().dtype == np.uint8
    np.testing.assert_array_equal(td.Tensor([1.9, -2.5]).char().data, [1, -2])
    n = x.narrow_copy(0, 0, 1)
    n.data[0] = 5.0
    assert x.data[0] == 1.0  # a copy, not a view


def test_retains_grad_and_post_accumulate_hook():
    a = td.Tensor([1.0, 2.0], requires_grad=True)
    y = a * 2
    assert not a.retains_grad and not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    seen = []
    handle = a.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.data.copy()))
    (a * 3).sum().backward()
    (a * 3).sum().backward()
    np.testing.assert_allclose(seen, [[3, 3], [6, 6]])  # after each accumulation
    td.grad((a * a).sum(), [a])  # accumulates nothing: no call
    assert len(seen) == 2
    handle.remove()
    (a * 3).sum().backward()
    assert len(seen) == 2
    with pytest.raises(RuntimeError, match="cannot be registered on non-leaf"):
        y.register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        td.Tensor([1.0]).register_post_accumulate_grad_hook(print)
    with pytest.raises(TypeError, match="expected a function"):
        a.register_post_accumulate_grad_hook(3)
    table = type(a)._post_accumulate_hooks
    key = id(a)
    del a, y, handle
    gc.collect()
    assert key not in table  # the entry goes with its tensor


ERRORS = [
    (lambda: td.zeros(3, 3).index_put(i64([0]), td.ones(3)), TypeError,
     "index_put: indices must be a tuple of tensors, got Tensor"),
    (lambda: td.zeros(3, 3).index_put((i64([0]),), td.ones(3).double()), TypeError,
     "index_put: self and values must have the same dtype"),
    (lambda: td.zeros(3, 3).index_put((i64([5]),), td.ones(3)), IndexError,
     r"index_put: index 5 is out of range for dim 0 of size 3"),
    (lambda: td.zeros(3).index_put((i64([0]), i64([0])), td.ones(1)), IndexError,
     r"index_put: too many indices \(2\)"),
    (lambda: td.zeros(3, 3).index_put((i64([0, 1]), i64([0, 1, 2])), td.ones(1)), ValueError,
     "index_put: the index shapes"),
    (lambda: td.zeros(3, 3).index_put((i64([0]),), td.ones(2)), ValueError,
     r"index_put: values of shape \(2,\) can't be broadcast"),
    (lambda: td.zeros(3, 3).index_put((td.Tensor([0.5]),), td.ones(3)), TypeError,
     "index_put: indices must hold integers or bools"),
    (lambda: td.zeros(3).index_reduce(0, i64([0]), td.ones(1), "sum"), ValueError,
     "index_reduce: reduce must be one of prod, mean, amax, amin, got 'sum'"),
    (lambda: td.zeros(3, 3).diagonal_scatter(td.ones(2)), ValueError,
     r"diagonal_scatter: src must have the shape of the slice it replaces, \(3,\), got \(2,\)"),
    (lambda: td.zeros(3, 3).diagonal_scatter(td.ones(3), 0, 1, 1), ValueError,
     "diagonal_scatter: diagonal"),
    (lambda: td.zeros(3, 3).select_scatter(td.ones(3), 0, 5), IndexError, "select_scatter: "),
    (lambda: td.zeros(3, 3).slice_scatter(td.ones(3, 3), 0, 0, 3, 0), ValueError,
     "slice_scatter: step must be positive, got 0"),
    (lambda: td.chain_matmul(td.ones(2)), ValueError, "chain_matmul: expected 2-D"),
    (lambda: td.vander(td.ones(2, 2)), ValueError, "vander: x must be 1-D"),
    (lambda: td.frobenius_norm(td.ones(2, 2, 2), (0, 1, 2)), ValueError, "frobenius_norm: dim"),
    (lambda: td.finfo(td.int64), TypeError, "finfo: expected a floating dtype"),
    (lambda: td.iinfo(td.float32), TypeError, "iinfo: expected an integer dtype"),
    (lambda: td.broadcast_shapes((2,), (3,)), ValueError, "broadcast_shapes: the shapes"),
    (lambda: td.set_default_tensor_type("torch.DoubleTensor"), RuntimeError,
     "set_default_tensor_type: tensor types are deprecated"),
    (lambda: td.set_default_device("cuda"), ValueError, "set_default_device: device 'cuda'"),
    (lambda: td.scalar_tensor([1, 2]), TypeError, "scalar_tensor: expected a number"),
    (lambda: td.exp_([1.0]), TypeError, "exp_: expected a Tensor to change in place"),
    (lambda: td.kl_div(td.ones(2), td.ones(2), 3), ValueError, "kl_div: reduction must be 0"),
    (lambda: td.clone("x"), TypeError, "clone: expected tensors"),
    (lambda: td.result_type(td.ones(1), "a"), TypeError, "result_type: expected tensors"),
]  # fmt: skip


@pytest.mark.parametrize("fn,exc,message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, exc, message):
    with pytest.raises(exc, match=message):
        fn()


# -- top-level functions equal the method or F function they wrap ---------------------------

X = r(2, 3, 4)
IMG = r(1, 4, 6, 6)
W2 = r(2, 4, 3, 3)
MASK = X > 0
WB = r(2, 4, 4)

SAME = [
    # name, td function applied to (Tensor inputs), the same through the method or F
    ("clone", lambda x: td.clone(x), lambda x: x.clone()),
    ("detach", lambda x: td.detach(x), lambda x: x.detach()),
    ("flatten", lambda x: td.flatten(x, 1), lambda x: x.flatten(1)),
    ("reshape", lambda x: td.reshape(x, (4, -1)), lambda x: x.reshape(4, -1)),
    ("squeeze", lambda x: td.squeeze(x[:1]), lambda x: x[:1].squeeze()),
    ("squeeze_dim", lambda x: td.squeeze(x[:1], 0), lambda x: x[:1].squeeze(0)),
    ("unsqueeze", lambda x: td.unsqueeze(x, -1), lambda x: x.unsqueeze(-1)),
    ("permute", lambda x: td.permute(x, (2, 0, 1)), lambda x: x.permute(2, 0, 1)),
    ("transpose", lambda x: td.transpose(x, 0, 2), lambda x: x.transpose(0, 2)),
    ("t", lambda x: td.t(x[0]), lambda x: x[0].t()),
    ("masked_fill", lambda x: td.masked_fill(x, MASK, 0.5), lambda x: x.masked_fill(MASK, 0.5)),
    ("narrow_copy", lambda x: td.narrow_copy(x, 2, 1, 2), lambda x: x.narrow(2, 1, 2)),
    ("select_scatter", lambda x: td.select_scatter(x, x[:, 0] * 2, 1, 0),
     lambda x: x.select_scatter(x[:, 0] * 2, 1, 0)),
    ("selu", lambda x: td.selu(x), F.selu),
    ("celu", lambda x: td.celu(x, 0.5), lambda x: F.celu(x, 0.5)),
    ("threshold", lambda x: td.threshold(x, 0.1, -1.0), lambda x: F.threshold(x, 0.1, -1.0)),
    ("hardshrink", lambda x: td.hardshrink(x, 0.3), lambda x: F.hardshrink(x, 0.3)),
    ("prelu", lambda x: td.prelu(x, td.Tensor(np.array([0.1, 0.2, 0.3]))),
     lambda x: F.prelu(x, td.Tensor(np.array([0.1, 0.2, 0.3])))),
    ("rrelu_eval", lambda x: td.rrelu(x), F.rrelu),
    ("dropout_eval", lambda x: td.dropout(x, 0.5, False), lambda x: x),
    ("layer_norm", lambda x: td.layer_norm(x, (4,)), lambda x: F.layer_norm(x, (4,))),
    ("rms_norm", lambda x: td.rms_norm(x, (3, 4)), lambda x: F.rms_norm(x, (3, 4))),
    ("group_norm", lambda x: td.group_norm(x, 3), lambda x: F.group_norm(x, 3)),
    ("batch_norm", lambda x: td.batch_norm(x, None, None, None, None, True, 0.1, 1e-5),
     lambda x: F.batch_norm(x, None, None, training=True)),
    ("instance_norm", lambda x: td.instance_norm(x, None, None, None, None, True, 0.1, 1e-5),
     lambda x: F.instance_norm(x)),
    ("cosine_similarity", lambda x: td.cosine_similarity(x, x * x, 2),
     lambda x: F.cosine_similarity(x, x * x, 2)),
    ("pairwise_distance", lambda x: td.pairwise_distance(x, x * 2),
     lambda x: F.pairwise_distance(x, x * 2)),
    ("pdist", lambda x: td.pdist(x[0]), lambda x: F.pdist(x[0])),
    ("conv1d", lambda x: td.conv1d(x, x[:2, :, :2], None, 1, 1),
     lambda x: F.conv1d(x, x[:2, :, :2], None, 1, 1)),
    ("conv_transpose1d", lambda x: td.conv_transpose1d(x, x[0, :, :2].unsqueeze(1), stride=2),
     lambda x: F.conv_transpose1d(x, x[0, :, :2].unsqueeze(1), stride=2)),
    ("avg_pool1d", lambda x: td.avg_pool1d(x, 2), lambda x: F.avg_pool1d(x, 2)),
    ("max_pool1d", lambda x: td.max_pool1d(x, 2, 1), lambda x: F.max_pool1d(x, 2, 1)),
    ("adaptive_avg_pool1d", lambda x: td.adaptive_avg_pool1d(x, 2),
     lambda x: F.adaptive_avg_pool1d(x, 2)),
    ("adaptive_max_pool1d", lambda x: td.adaptive_max_pool1d(x, 3)[0],
     lambda x: F.adaptive_max_pool1d(x, 3)),
    ("max_pool1d_with_indices", lambda x: td.max_pool1d_with_indices(x, 2)[0],
     lambda x: F.max_pool1d(x, 2)),
    ("embedding", lambda x: td.embedding(x[0], i64([[2, 0]])),
     lambda x: F.embedding(i64([[2, 0]]), x[0])),
    ("bilinear", lambda x: td.bilinear(x[0], x[1], td.Tensor(WB)),
     lambda x: F.bilinear(x[0], x[1], td.Tensor(WB))),
    ("kl_div", lambda x: td.kl_div(x, x.exp(), 2), lambda x: F.kl_div(x, x.exp(), "sum")),
    ("bce_with_logits",
     lambda x: td.binary_cross_entropy_with_logits(x, x.sigmoid(), None, None, 0),
     lambda x: F.binary_cross_entropy_with_logits(x, x.sigmoid(), reduction="none")),
    ("margin_ranking_loss", lambda x: td.margin_ranking_loss(x, x * 2, x.sign(), 0.1, 1),
     lambda x: F.margin_ranking_loss(x, x * 2, x.sign(), 0.1)),
    ("hinge_embedding_loss", lambda x: td.hinge_embedding_loss(x, x.sign(), 1.0, "sum"),
     lambda x: F.hinge_embedding_loss(x, x.sign(), reduction="sum")),
    ("cosine_embedding_loss",
     lambda x: td.cosine_embedding_loss(x[0], x[1], td.Tensor([1.0, -1.0, 1.0])),
     lambda x: F.cosine_embedding_loss(x[0], x[1], td.Tensor([1.0, -1.0, 1.0]), reduction="none")),
    ("triplet_margin_loss", lambda x: td.triplet_margin_loss(x[0], x[1], x[0] * 2),
     lambda x: F.triplet_margin_loss(x[0], x[1], x[0] * 2, reduction="none")),
    ("poisson_nll_loss", lambda x: td.poisson_nll_loss(x, x * x, True, False, 1e-8, 1),
     lambda x: F.poisson_nll_loss(x, x * x)),
]  # fmt: skip

SAME_IMG = [
    ("conv2d", lambda x: td.conv2d(x, td.Tensor(W2), padding=1),
     lambda x: F.conv2d(x, td.Tensor(W2), padding=1)),
    ("max_pool2d", lambda x: td.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 2)),
    ("max_pool3d", lambda x: td.max_pool3d(x, 2), lambda x: F.max_pool3d(x, 2)),
    ("pixel_shuffle", lambda x: td.pixel_shuffle(x, 2), lambda x: F.pixel_shuffle(x, 2)),
    ("pixel_unshuffle", lambda x: td.pixel_unshuffle(x, 2), lambda x: F.pixel_unshuffle(x, 2)),
    ("channel_shuffle", lambda x: td.channel_shuffle(x, 2), lambda x: F.channel_shuffle(x, 2)),
    ("native_channel_shuffle", lambda x: td.native_channel_shuffle(x, 2),
     lambda x: F.channel_shuffle(x, 2)),
]  # fmt: skip


IMG_NAMES = {c[0] for c in SAME_IMG}


@pytest.mark.parametrize("name,fn,same", SAME + SAME_IMG, ids=[c[0] for c in SAME + SAME_IMG])
def test_top_level_equals_wrapped(name, fn, same):
    a = IMG if name in IMG_NAMES else X
    x1 = td.Tensor(a, requires_grad=True)
    x2 = td.Tensor(a, requires_grad=True)
    out1, out2 = fn(x1), same(x2)
    np.testing.assert_allclose(out1.data, out2.data, rtol=1e-12, atol=1e-12)
    if out1.dtype.kind == "f" and out1.requires_grad:
        g = r(*out1.shape)
        out1.backward(td.Tensor(g))
        out2.backward(td.Tensor(g))
        np.testing.assert_allclose(x1.grad.data, x2.grad.data, rtol=1e-12, atol=1e-12)


def test_top_level_conv3d():
    x = td.Tensor(r(1, 2, 4, 4, 4))
    w, wt = td.Tensor(r(3, 2, 2, 2, 2)), td.Tensor(r(2, 3, 2, 2, 2))
    np.testing.assert_allclose(td.conv3d(x, w, stride=2).data, F.conv3d(x, w, stride=2).data)
    np.testing.assert_allclose(td.conv_transpose3d(x, wt).data, F.conv_transpose3d(x, wt).data)


def test_top_level_gradchecks():
    check_op(lambda x: td.celu(td.permute(x, (1, 0)), 0.7),
             lambda x: np.where(x.T > 0, x.T, 0.7 * np.expm1(x.T / 0.7)), [r(3, 2)])  # fmt: skip
    check_op(lambda x, w: td.conv1d(x, w, padding=1),
             lambda x, w: np.stack([np.correlate(np.pad(x[0, 0], 1), w[0, 0], "valid")])[None],
             [r(1, 1, 5), r(1, 1, 3)])  # fmt: skip


def test_dropout_train_and_in_place():
    td.manual_seed(0)
    x = td.ones(1000)
    y = td.dropout(x, 0.5, True)
    assert set(np.unique(y.data)) <= {0.0, 2.0} and 300 < (y.data == 0).sum() < 700
    z = td.ones(100)
    assert td.dropout_(z, 0.5, True) is z and (z.data == 0).any()
    w = td.ones(4)
    assert td.alpha_dropout_(w, 0.5, False) is w
    np.testing.assert_array_equal(w.data, 1.0)


def test_in_place_top_level():
    for name in ("exp_", "sin_", "sqrt_", "sigmoid_", "neg_", "zero_", "i0_", "sinc_"):
        x = td.Tensor(np.array([0.5, 2.0]))
        expected = getattr(x.clone(), name)().data
        assert getattr(td, name)(x) is x
        np.testing.assert_allclose(x.data, expected)
    x = td.Tensor(np.array([-2.0, 3.0]))
    td.clamp_(x, -1, 1)
    np.testing.assert_array_equal(x.data, [-1, 1])
    x = td.Tensor(np.array([-2.0, 3.0]))
    td.relu_(x)
    np.testing.assert_array_equal(x.data, [0, 3])
    x = td.Tensor(np.array([1.0, 2.0]))
    td.fill_(x, 7)
    np.testing.assert_array_equal(x.data, 7)


def test_dtypes_and_rules():
    assert (td.long, td.int, td.float, td.double) == (np.int64, np.int32, np.float32, np.float64)
    assert (td.half, td.float16, td.bool, td.short, td.int16) == (
        np.float16, np.float16, np.bool_, np.int16, np.int16)  # fmt: skip
    assert (td.uint8, td.int8) == (np.uint8, np.int8)
    assert td.Tensor([1, 2]).to(td.long).dtype == np.int64
    assert td.promote_types(td.int64, td.float16) == np.float16
    assert td.promote_types(td.uint8, td.int8) == np.int16
    assert td.promote_types(td.bool, td.int8) == np.int8
    assert td.can_cast(td.int64, td.uint8) and td.can_cast(td.float64, td.float16)
    assert not td.can_cast(td.float32, td.int32) and not td.can_cast(td.int8, td.bool)
    assert td.result_type(td.Tensor([1, 2]), 2.5) == np.float32
    assert td.result_type(td.Tensor([True]), True) == np.bool_
    assert td.result_type(2, 3) == np.int64
    assert td.broadcast_shapes((2, 1), (3,), 1) == (2, 3)
    assert td.is_floating_point(td.ones(1)) and not td.is_floating_point(i64([1]))
    f = td.finfo(td.float64)
    assert (f.bits, f.eps, f.tiny) == (64, np.finfo(np.float64).eps, np.finfo(np.float64).tiny)
    assert td.finfo().dtype == "float32"
    i = td.iinfo(td.uint8)
    assert (i.bits, i.min, i.max) == (8, 0, 255)
    s = td.scalar_tensor(3)
    assert s.shape == () and s.dtype == np.float32 and s.item() == 3.0
    assert td.scalar_tensor(2, dtype=td.int64).dtype == np.int64


def test_seeds_and_device():
    s = td.seed()
    assert td.initial_seed() == s and 0 <= s < 2**64
    a = td.randn(3).data
    td.manual_seed(s)
    np.testing.assert_array_equal(td.randn(3).data, a)
    td.manual_seed(5)
    assert td.initial_seed() == 5
    assert td.get_default_device() == td.device("cpu")
    td.set_default_device("cpu")
    td.set_default_device(None)


# -- against PyTorch -------------------------------------------------------------------------


def _pair(a, grad=True):
    torch = pytest.importorskip("torch")
    return td.Tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


TORCH_CASES = [
    # name, fn(x, src, lib, idx) on the float64 pair (x of shape (3, 4)), src shapes
    ("index_put_acc", lambda x, s, m: x.index_put((I(m, [0, 2, 0]), I(m, [1, 3, 1])), s, True),
     (3,)),
    ("index_put_bool", lambda x, s, m: x.index_put((x.detach() > 0,), s), ()),
    ("index_put_rows", lambda x, s, m: x.index_put((I(m, [[1], [2]]),), s), (2, 1, 4)),
    ("index_reduce_prod", lambda x, s, m: x.index_reduce(0, I(m, [0, 2, 0]), s, "prod"), (3, 4)),
    ("index_reduce_mean", lambda x, s, m: x.index_reduce(1, I(m, [3, 0]), s, "mean",
                                                          include_self=False), (3, 2)),
    ("index_reduce_amin", lambda x, s, m: x.index_reduce(0, I(m, [1]), s, "amin"), (1, 4)),
    ("diagonal_scatter", lambda x, s, m: x.diagonal_scatter(s, 1), (3,)),
    ("diagonal_scatter_neg", lambda x, s, m: x.diagonal_scatter(s, -1, 1, 0), (3,)),
    ("select_scatter", lambda x, s, m: x.select_scatter(s, 0, -2), (4,)),
    ("slice_scatter", lambda x, s, m: x.slice_scatter(s, 1, 1, 4, 2), (3, 2)),
    ("rsub", lambda x, s, m: m.rsub(x, s, alpha=3), (4,)),
]  # fmt: skip


def I(m, v):  # noqa: E743
    return m.tensor(v) if m is not td else i64(v)


@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
@pytest.mark.parametrize("name,fn,shape", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_against_torch(name, fn, shape):
    torch = pytest.importorskip("torch")
    a, s = r(3, 4), r(*shape)
    x, tx = _pair(a)
    v, tv = _pair(s)
    out, tout = fn(x, v, td), fn(tx, tv, torch)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = r(*out.shape)
    out.backward(td.Tensor(g))
    tout.backward(torch.tensor(g))
    for mine, theirs in ((x, tx), (v, tv)):
        if theirs.grad is not None:
            np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), atol=1e-10)


def test_vander_against_torch():
    torch = pytest.importorskip("torch")
    x = r(4)
    for n, inc in ((None, False), (2, True), (5, False)):
        mine = td.vander(td.Tensor(x), n, inc).data
        np.testing.assert_allclose(mine, torch.vander(torch.tensor(x), n, inc).numpy())
    ints = td.vander(i64([1, 2, 3]))
    assert ints.dtype == np.int64
    np.testing.assert_array_equal(ints.data, torch.vander(torch.tensor([1, 2, 3])).numpy())


def test_dtype_rules_against_torch():
    torch = pytest.importorskip("torch")
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
    for a in names:
        for b in names:
            ta, tb = getattr(torch, a), getattr(torch, b)
            mine = td.promote_types(np.dtype(a), np.dtype(b))
            assert mine == np.dtype(str(torch.promote_types(ta, tb)).split(".")[1]), (a, b)
            assert td.can_cast(np.dtype(a), np.dtype(b)) == torch.can_cast(ta, tb), (a, b)
    for dt in ("float16", "float32", "float64"):
        f, tf = td.finfo(np.dtype(dt)), torch.finfo(getattr(torch, dt))
        assert (f.bits, f.eps, f.max, f.min, f.tiny, f.resolution) == (
            tf.bits, tf.eps, tf.max, tf.min, tf.tiny, tf.resolution)  # fmt: skip
    for dt in ("uint8", "int8", "int16", "int32", "int64"):
        i, ti = td.iinfo(np.dtype(dt)), torch.iinfo(getattr(torch, dt))
        assert (i.bits, i.min, i.max) == (ti.bits, ti.min, ti.max)
    assert td.broadcast_shapes((2, 1, 3), (4, 1)) == tuple(
        torch.broadcast_shapes((2, 1, 3), (4, 1))
    )


def test_apply_map_and_hook_against_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(6.0).reshape(2, 3)
    x, tx = _pair(a, grad=False)
    x.map_(td.Tensor(np.array([1.0, 2, 3])), lambda u, v: u * v + 1)
    tx.map_(torch.tensor([1.0, 2, 3], dtype=torch.float64), lambda u, v: u * v + 1)
    np.testing.assert_allclose(x.data, tx.numpy())
    calls, tcalls = [], []
    x, tx = _pair(a)
    x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.data.sum()))
    tx.register_post_accumulate_grad_hook(lambda t: tcalls.append(t.grad.sum().item()))
    for v in (x, tx):
        (v * v).sum().backward()
        (v * 2).sum().backward()
    np.testing.assert_allclose(calls, tcalls)


# -- small names ----------------------------------------------------------------------------


def test_small_names():
    torch = pytest.importorskip("torch")
    a = np.array([-1.5, 0.0, 2.0, np.nan])
    x, tx = _pair(a)
    y, ty = x.angle(), tx.angle()
    np.testing.assert_allclose(y.data, ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())  # zero, as PyTorch's
    assert td.angle(i64([-1, 2])).dtype == np.float32
    m = r(2, 3, 4)
    np.testing.assert_array_equal(td.Tensor(m).mH.data, torch.tensor(m).mH.numpy())
    np.testing.assert_array_equal(td.adjoint(m).data, torch.tensor(m).adjoint().numpy())
    np.testing.assert_array_equal(td.Tensor(m[0]).H.data, m[0].T)
    with pytest.raises(ValueError, match="H: only a matrix"):
        _ = td.Tensor(m).H
    cond = m > 0
    np.testing.assert_array_equal(td.Tensor(m).where(td.Tensor(cond), -1.0).data,
                                  np.where(cond, m, -1.0))  # fmt: skip
    np.testing.assert_array_equal(td.Tensor(m).prelu(td.Tensor(np.array([0.25]))).data,
                                  np.where(m > 0, m, 0.25 * m))  # fmt: skip
    np.testing.assert_array_equal(td.Tensor(m).hardshrink(0.5).data,
                                  np.where(abs(m) > 0.5, m, 0))  # fmt: skip
    v = td.Tensor(np.array(2.0), requires_grad=True)
    f = td.fill(td.Tensor(np.ones(3)), v)
    f.sum().backward()
    np.testing.assert_array_equal(f.data, 2.0)
    assert v.grad.item() == 3.0
    np.testing.assert_array_equal(td.fill([1.0, 2.0], 7).data, 7.0)
    np.testing.assert_array_equal(td.constant_pad_nd(np.ones((1, 2)), (1, 0), 5.0).data,
                                  [[5, 1, 1]])  # fmt: skip
    mask = td.Tensor(np.array([True, False, True]))
    np.testing.assert_array_equal(td.masked_scatter(np.zeros(3), mask, np.array([7.0, 8])).data,
                                  [7, 0, 8])  # fmt: skip
    np.testing.assert_array_equal(td.put(np.zeros(3), i64([2, 2]), np.ones(2), True).data,
                                  [0, 0, 2])  # fmt: skip
    e = td.empty_strided((2, 3), (3, 1), dtype=td.float64)
    assert e.shape == (2, 3) and e.dtype == np.float64
    with pytest.raises(ValueError, match="empty_strided: size"):
        td.empty_strided((2, 3), (1,))
    t = td.arange(5)
    for got, want in ((td.split_with_sizes(t, [2, 3]), t.split([2, 3])),
                      (td.unsafe_split(t, 2), t.split(2)), (td.unsafe_chunk(t, 2), t.chunk(2)),
                      (td.unsafe_split_with_sizes(t, [4, 1]), t.split([4, 1]))):  # fmt: skip
        assert [g.data.tolist() for g in got] == [w.data.tolist() for w in want]


V2, V3, V4, V4B, WC, WT = r(2), r(3), r(4), r(4), r(2, 3, 2), r(3, 2, 2)

# the same call on td and on torch (m), for x of shape (2, 3, 4) in float64
NAMED = [
    ("selu", lambda m, x: m.selu(x)),
    ("celu", lambda m, x: m.celu(x, 0.5)),
    ("threshold", lambda m, x: m.threshold(x, 0.1, -2.0)),
    ("hardshrink", lambda m, x: m.hardshrink(x, 0.3)),
    ("prelu", lambda m, x: m.prelu(x, C(m, [0.1, 0.2, 0.3]))),
    ("layer_norm", lambda m, x: m.layer_norm(x, (4,), C(m, V4), C(m, V4B))),
    ("group_norm", lambda m, x: m.group_norm(x, 3, C(m, V3), None, 1e-5)),
    ("rms_norm", lambda m, x: m.rms_norm(x, (3, 4))),
    ("batch_norm", lambda m, x: m.batch_norm(x, C(m, WB[0, 0, :3]), C(m, WB[0, 1, :3]),
                                             None, None, True, 0.1, 1e-5, False)),
    ("instance_norm", lambda m, x: m.instance_norm(x, None, None, None, None, True, 0.1, 1e-5,
                                                   False)),
    ("embedding", lambda m, x: m.embedding(x[0], I(m, [[2, 0, 2]]))),
    ("embedding_padding", lambda m, x: m.embedding(x[0], I(m, [1, 0]), 1)),
    ("conv1d", lambda m, x: m.conv1d(x, C(m, WC), None, 2, 1)),
    ("conv_transpose1d", lambda m, x: m.conv_transpose1d(x, C(m, WT), C(m, V2), 2)),
    ("avg_pool1d", lambda m, x: m.avg_pool1d(x, 3, 1, 1, False, False)),
    ("max_pool1d", lambda m, x: m.max_pool1d(x, 2, 1, 1)),
    ("adaptive_avg_pool1d", lambda m, x: m.adaptive_avg_pool1d(x, 3)),
    ("adaptive_max_pool1d", lambda m, x: m.adaptive_max_pool1d(x, 3)[0]),
    ("channel_shuffle", lambda m, x: m.channel_shuffle(x[:, :2], 2)),
    ("cosine_similarity", lambda m, x: m.cosine_similarity(x, x * x + 1, 2)),
    ("pairwise_distance", lambda m, x: m.pairwise_distance(x[0], x[1], 3.0)),
    ("pdist", lambda m, x: m.pdist(x[0], 1.5)),
    ("bilinear", lambda m, x: m.bilinear(x[0], x[1], C(m, WB), C(m, V2))),
    ("kl_div", lambda m, x: m.kl_div(x, x.exp(), 0)),
    ("kl_div_default_none", lambda m, x: m.kl_div(x, x.exp())),
    ("kl_div_sum_log_target", lambda m, x: m.kl_div(x, x * 0.5, 2, log_target=True)),
    ("bce_with_logits", lambda m, x: m.binary_cross_entropy_with_logits(
        x, (x * x).tanh(), None, C(m, V4), 2)),
    ("margin_ranking_loss", lambda m, x: m.margin_ranking_loss(x[0], x[1], x[0].sign(), 0.1)),
    ("hinge_embedding_loss", lambda m, x: m.hinge_embedding_loss(x, x.sign(), 0.5, 0)),
    ("cosine_embedding_loss", lambda m, x: m.cosine_embedding_loss(
        x[0], x[1], C(m, [1.0, -1.0, 1.0]), 0.2)),
    ("triplet_margin_loss", lambda m, x: m.triplet_margin_loss(x[0], x[1], x[0] * 2, 0.5)),
    ("triplet_margin_loss_mean", lambda m, x: m.triplet_margin_loss(
        x[0], x[1], x[0] * 2, 0.5, 2.0, 1e-6, False, 1)),
    ("margin_ranking_loss_sum", lambda m, x: m.margin_ranking_loss(
        x[0], x[1], x[0].sign(), 0.1, 2)),
    ("poisson_nll_loss", lambda m, x: m.poisson_nll_loss(x, x * x, True, True, 1e-8, 2)),
]  # fmt: skip


def C(m, v):
    return m.tensor(np.asarray(v, dtype=np.float64)) if m is not td else td.Tensor(np.asarray(v))


@pytest.mark.parametrize("name,fn", NAMED, ids=[c[0] for c in NAMED])
def test_top_level_against_torch(name, fn):
    torch = pytest.importorskip("torch")
    x, tx = _pair(X)
    out, tout = fn(td, x), fn(torch, tx)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-9, atol=1e-12)
    g = r(*out.shape)
    out.backward(td.Tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_ctc_loss_against_torch():
    torch = pytest.importorskip("torch")
    lp = np.log(np.random.default_rng(3).dirichlet(np.ones(4), (6, 2)))
    x, tx = _pair(lp)
    targets, lengths = [[1, 2], [3, 3]], [6, 5]
    for reduction in (0, 1, "sum"):
        out = td.ctc_loss(x, i64(targets), lengths, [2, 2], 0, reduction)
        tout = torch.ctc_loss(tx, torch.tensor(targets), lengths, [2, 2], 0,
                              {"sum": 2}.get(reduction, reduction))  # fmt: skip
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-9)
