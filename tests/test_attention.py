"""Attention (nn/attention.py): scaled_dot_product_attention against its closed form, gradients
against central differences in float64, errors by message, MultiheadAttention and the
Transformer encoder against PyTorch with PyTorch's own weights loaded (values and gradients),
and a small model that learns to attend."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
import tinygrad_ds.nn.functional as F
from tinygrad_ds import nn

R = np.random.default_rng(5)


def r(*shape):
    return R.standard_normal(shape)


def np_softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_attention(q, k, v, mask=None, scale=None):
    """softmax(q k^T scale + mask) v; a bool mask is True where a query may attend."""
    s = q @ np.swapaxes(k, -1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    return np_softmax(s) @ v


BOOL_MASK = R.random((3, 5)) < 0.6
BOOL_MASK[:, 0] = True  # every query keeps one key
FLOAT_MASK = r(3, 5)
CAUSAL = np.tril(np.ones((4, 4), bool))
sdpa = F.scaled_dot_product_attention

DIFFERENTIABLE = [
    # name, fn, reference, inputs (float64, all require grad)
    ("plain", sdpa, np_attention, [r(2, 3, 4), r(2, 5, 4), r(2, 5, 6)]),
    ("unbatched", sdpa, np_attention, [r(3, 4), r(5, 4), r(5, 2)]),
    ("heads", sdpa, np_attention, [r(2, 2, 3, 4), r(2, 2, 5, 4), r(2, 2, 5, 3)]),
    ("broadcast_batch", sdpa, np_attention, [r(2, 1, 3, 4), r(1, 3, 5, 4), r(1, 3, 5, 2)]),
    ("scale", lambda q, k, v: sdpa(q, k, v, scale=0.3),
     lambda q, k, v: np_attention(q, k, v, scale=0.3), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 6)]),
    ("bool_mask", lambda q, k, v: sdpa(q, k, v, attn_mask=BOOL_MASK),
     lambda q, k, v: np_attention(q, k, v, BOOL_MASK), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 6)]),
    ("float_mask", lambda q, k, v: sdpa(q, k, v, FLOAT_MASK),
     lambda q, k, v: np_attention(q, k, v, FLOAT_MASK), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 6)]),
    ("float_mask_gradient", lambda q, k, v, m: sdpa(q, k, v, m),
     np_attention, [r(3, 4), r(5, 4), r(5, 6), r(3, 5)]),
    ("causal", lambda q, k, v: sdpa(q, k, v, is_causal=True),
     lambda q, k, v: np_attention(q, k, v, CAUSAL), [r(2, 4, 3), r(2, 4, 3), r(2, 4, 2)]),
    ("gqa", lambda q, k, v: sdpa(q, k, v, enable_gqa=True),
     lambda q, k, v: np_attention(q, np.repeat(k, 2, -3), np.repeat(v, 2, -3)),
     [r(4, 3, 2), r(2, 5, 2), r(2, 5, 3)]),
]  # fmt: skip


@pytest.mark.parametrize(
    "fn, reference, arrays",
    [row[1:] for row in DIFFERENTIABLE],
    ids=[row[0] for row in DIFFERENTIABLE],
)
def test_value_and_gradient(fn, reference, arrays):
    check_op(fn, reference, arrays)


def test_second_derivative():
    q, k, v = (td.Tensor(a, requires_grad=True) for a in (r(2, 3), r(4, 3), r(4, 2)))

    def grad_q(q):
        return td.grad((sdpa(q, k, v, BOOL_MASK[:2, :4]) ** 2).sum(), [q], create_graph=True)[0]

    assert td.gradcheck(grad_q, [q])


def test_fully_masked_rows_give_zeros_and_finite_gradients():
    q, k, v = (td.Tensor(a, requires_grad=True) for a in (r(3, 4), r(5, 4), r(5, 2)))
    mask = np.ones((3, 5), bool)
    mask[1] = False
    for m in (mask, np.where(mask, 0.0, -np.inf)):
        out = sdpa(q, k, v, m)
        np.testing.assert_array_equal(out.data[1], 0.0)
        np.testing.assert_allclose(out.data[[0, 2]], np_attention(q.data, k.data, v.data)[[0, 2]])
        out.sum().backward()
        assert all(np.isfinite(t.grad.data).all() for t in (q, k, v))
        q.grad = k.grad = v.grad = None


def test_float32_stays_float32():
    q, k, v = (td.Tensor(a.astype(np.float32), requires_grad=True) for a in (r(3, 4),) * 3)
    out = sdpa(q, k, v, is_causal=True, dropout_p=0.2)
    assert out.dtype == np.float32
    out.sum().backward()
    assert q.grad.dtype == np.float32
    mha = nn.MultiheadAttention(4, 2)
    out, w = mha(q, k, v)
    assert out.dtype == np.float32 and w.dtype == np.float32 and w.shape == (3, 3)


def test_dropout_in_attention():
    q = td.Tensor(r(2, 6, 4))
    td.manual_seed(0)
    a = sdpa(q, q, q, dropout_p=0.5)
    td.manual_seed(0)
    np.testing.assert_array_equal(sdpa(q, q, q, dropout_p=0.5).data, a.data)  # seeded
    assert not np.allclose(a.data, sdpa(q, q, q).data)
    np.testing.assert_array_equal(sdpa(q, q, q, dropout_p=1.0).data, 0.0)
    mha = nn.MultiheadAttention(4, 2, dropout=0.5, batch_first=True)
    assert not np.allclose(mha(q, q, q)[0].data, mha(q, q, q)[0].data)  # training: random
    dropped = mha(q, q, q, average_attn_weights=False)[1].data
    mha.eval()
    np.testing.assert_array_equal(mha(q, q, q)[0].data, mha(q, q, q)[0].data)
    ratio = dropped / mha(q, q, q, average_attn_weights=False)[1].data
    assert set(np.round(ratio, 12).ravel()) == {0.0, 2.0}  # the returned weights are dropped


def test_multihead_attention_parameters_and_shapes():
    mha = nn.MultiheadAttention(8, 2)
    names = [(n, p.shape) for n, p in mha.named_parameters()]
    assert names == [("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)),
                     ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]  # fmt: skip
    assert mha.in_proj_bias.data.max() == 0 and mha.out_proj.bias.data.max() == 0
    bound = math.sqrt(6 / (24 + 8))  # xavier_uniform_ over the (3E, E) matrix
    assert 0.5 * bound < np.abs(mha.in_proj_weight.data).max() <= bound
    other = nn.MultiheadAttention(8, 4, bias=False, kdim=3, vdim=5, batch_first=True)
    assert list(other.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                        "out_proj.weight"]  # fmt: skip
    assert other.k_proj_weight.shape == (8, 3) and other.in_proj_weight is None
    q, k, v = td.Tensor(r(2, 3, 8)), td.Tensor(r(2, 5, 3)), td.Tensor(r(2, 5, 5))
    out, w = other(q, k, v, average_attn_weights=False)
    assert out.shape == (2, 3, 8) and w.shape == (2, 4, 3, 5)
    np.testing.assert_allclose(w.data.sum(-1), 1.0)
    out, w = mha(td.Tensor(r(3, 8)), td.Tensor(r(5, 8)), td.Tensor(r(5, 8)))  # unbatched
    assert out.shape == (3, 8) and w.shape == (3, 5)
    out, w = mha(td.Tensor(r(3, 2, 8)), td.Tensor(r(5, 2, 8)), td.Tensor(r(5, 2, 8)),
                 need_weights=False)  # fmt: skip
    assert out.shape == (3, 2, 8) and w is None


def test_key_padding_mask_ignores_the_padded_keys():
    mha = nn.MultiheadAttention(4, 1, batch_first=True)
    q, k = td.Tensor(r(1, 2, 4)), r(1, 5, 4)
    padded = k.copy()
    padded[0, 3:] = 100.0  # whatever the padding holds
    pad = np.array([[False, False, False, True, True]])
    out, w = mha(q, td.Tensor(padded), td.Tensor(padded), key_padding_mask=pad)
    ref, _ = mha(q, td.Tensor(k[:, :3]), td.Tensor(k[:, :3]))
    np.testing.assert_allclose(out.data, ref.data)
    np.testing.assert_array_equal(w.data[0, :, 3:], 0.0)


def test_a_query_with_no_key_to_attend_to():
    """As PyTorch: NaN with need_weights=True (plain softmax), 0 with need_weights=False (the
    safe softmax of scaled_dot_product_attention)."""
    mha = nn.MultiheadAttention(4, 2, bias=False)
    x = td.Tensor(r(3, 4))
    mask = np.zeros((3, 3), bool)
    mask[1] = True  # query 1 may attend to nothing
    out, w = mha(x, x, x, attn_mask=mask)
    assert np.isnan(out.data[1]).all() and np.isnan(w.data[1]).all()
    assert np.isfinite(out.data[[0, 2]]).all()
    out, _ = mha(x, x, x, attn_mask=mask, need_weights=False)
    np.testing.assert_array_equal(out.data[1], 0.0)


def test_encoder_shapes_and_independent_layers():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    enc = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(8))
    assert len(enc.layers) == 3 and enc.layers[0].linear1.weight is not layer.linear1.weight
    x = td.Tensor(r(2, 5, 8), requires_grad=True)
    out = enc(x, mask=np.triu(np.full((5, 5), -np.inf), 1))
    assert out.shape == (2, 5, 8)
    out.sum().backward()
    assert x.grad.shape == (2, 5, 8) and enc.layers[2].linear2.weight.grad is not None


ERRORS = [
    (lambda: sdpa(td.zeros(3, 4), td.zeros(5, 3), td.zeros(5, 2)), ValueError,
     r"scaled_dot_product_attention: query \(\.\.\., L, E\), key .* \(3, 4\), \(5, 3\)"),
    (lambda: sdpa(td.zeros(3, 4), td.zeros(5, 4), td.zeros(4, 2)), ValueError,
     r"do not match: shapes \(3, 4\), \(5, 4\) and \(4, 2\)"),
    (lambda: sdpa(td.zeros(4), td.zeros(5, 4), td.zeros(5, 2)), ValueError,
     "must have at least 2 dims"),
    (lambda: sdpa(td.zeros(3, 4), td.zeros(5, 4), td.zeros(5, 2), np.ones((3, 5), bool),
                  is_causal=True), ValueError, "give attn_mask or is_causal=True, not both"),
    (lambda: sdpa(td.zeros(3, 4), td.zeros(5, 4), td.zeros(5, 2), td.zeros(4, 5)), ValueError,
     r"attn_mask of shape \(4, 5\) does not broadcast to the scores of shape \(3, 5\)"),
    (lambda: sdpa(td.zeros(3, 4), td.zeros(5, 4), td.zeros(5, 2), dropout_p=2), ValueError,
     r"dropout_p must be in \[0, 1\]"),
    (lambda: sdpa(td.zeros(3, 2, 4), td.zeros(2, 5, 4), td.zeros(2, 5, 2), enable_gqa=True),
     ValueError, "with enable_gqa the query's 3 heads must be a multiple"),
    (lambda: nn.MultiheadAttention(8, 3), ValueError,
     r"embed_dim \(8\) must be divisible by num_heads \(3\)"),
    (lambda: nn.MultiheadAttention(8, 0), ValueError, "must be positive"),
    (lambda: nn.MultiheadAttention(8, 2, add_bias_kv=True), NotImplementedError, "add_bias_kv"),
    (lambda: nn.MultiheadAttention(4, 2)(td.zeros(3, 1, 5), td.zeros(3, 1, 4),
                                         td.zeros(3, 1, 4)), ValueError,
     r"expected query, key and value of 4, 4 and 4 features, got shapes \(3, 1, 5\)"),
    (lambda: nn.MultiheadAttention(4, 2)(td.zeros(3, 1, 4), td.zeros(3, 4), td.zeros(3, 4)),
     ValueError, "must all be 3-D .* or 2-D"),
    (lambda: nn.MultiheadAttention(4, 2)(td.zeros(3, 1, 4), td.zeros(5, 2, 4),
                                         td.zeros(5, 2, 4)), ValueError,
     "key and value must have the same batch"),
    (lambda: nn.MultiheadAttention(4, 2)(td.zeros(3, 1, 4), td.zeros(3, 1, 4), td.zeros(3, 1, 4),
                                         attn_mask=np.ones((2, 3), bool)), ValueError,
     r"attn_mask must have shape \(3, 3\) or \(2, 3, 3\), got \(2, 3\)"),
    (lambda: nn.MultiheadAttention(4, 2)(td.zeros(3, 1, 4), td.zeros(3, 1, 4), td.zeros(3, 1, 4),
                                         key_padding_mask=np.ones((3, 1), bool)), ValueError,
     r"key_padding_mask must have shape \(1, 3\), got \(3, 1\)"),
    (lambda: nn.MultiheadAttention(4, 2)(td.zeros(3, 1, 4), td.zeros(3, 1, 4), td.zeros(3, 1, 4),
                                         attn_mask=np.ones((3, 3), np.int64)), TypeError,
     "attn_mask must be a bool or floating tensor, got int64"),
    (lambda: nn.MultiheadAttention(4, 2)(td.zeros(3, 1, 4), td.zeros(3, 1, 4), td.zeros(3, 1, 4),
                                         is_causal=True), ValueError,
     "is_causal=True is a hint that needs attn_mask"),
    (lambda: nn.TransformerEncoderLayer(8, 2, activation="tanh"), ValueError,
     "activation should be 'relu' or 'gelu', not 'tanh'"),
    (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 4), 0), ValueError,
     "num_layers must be >= 1"),
]  # fmt: skip


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


def test_a_one_layer_attention_model_learns_to_copy_a_position():
    """Predict the token at position 2 of a random sequence: the query (position 0) must learn,
    through the positional embeddings, to attend to position 2 and nowhere else."""
    td.manual_seed(0)
    rng = np.random.default_rng(0)
    vocab, length, dim = 8, 6, 16

    class Copy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = nn.Embedding(vocab, dim)
            self.pos = nn.Parameter(td.randn(length, dim).data * 0.5)
            self.attn = nn.MultiheadAttention(dim, 2, batch_first=True)
            self.head = nn.Linear(dim, vocab)

        def forward(self, idx):
            x = self.tok(idx) + self.pos
            out, weights = self.attn(x[:, :1], x, x)
            return self.head(out[:, 0]), weights

    model = Copy()
    test = rng.integers(0, vocab, (500, length))
    before = (model(test)[0].data.argmax(-1) == test[:, 2]).mean()
    opt = td.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(150):
        idx = rng.integers(0, vocab, (64, length))
        loss = F.cross_entropy(model(idx)[0], td.Tensor(idx[:, 2]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    logits, weights = model(test)
    assert before < 0.4
    assert (logits.data.argmax(-1) == test[:, 2]).mean() > 0.98
    assert weights.data[:, 0, 2].mean() > 0.9  # it attends to position 2


# -- against PyTorch ---------------------------------------------------------------------------


def _load(ours, theirs):
    """Copy a torch module's state_dict into ours (the names must agree: strict)."""
    ours.load_state_dict({k: td.Tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


def _compare(torch, ours, theirs, inputs, kwargs_ours=None, kwargs_theirs=None):
    """Values, input gradients and parameter gradients of ours and theirs, for float64
    inputs and a random upstream gradient."""
    xs = [td.Tensor(a, requires_grad=True) for a in inputs]
    ts = [torch.tensor(a, requires_grad=True) for a in inputs]
    out, ref = ours(*xs, **(kwargs_ours or {})), theirs(*ts, **(kwargs_theirs or {}))
    if isinstance(out, tuple):
        (out, w), (ref, w_ref) = out, ref
        assert (w is None) == (w_ref is None)
        if w is not None:
            np.testing.assert_allclose(w.data, w_ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = R.standard_normal(ref.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)
    if isinstance(theirs, torch.nn.Module):
        params = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            np.testing.assert_allclose(p.grad.data, params[name].grad.numpy(), rtol=1e-9,
                                       atol=1e-12, err_msg=name)  # fmt: skip


SDPA_CASES = [
    ("plain", {}, (2, 3, 4), (2, 5, 4), (2, 5, 6)),
    ("heads_causal", {"is_causal": True}, (2, 2, 4, 3), (2, 2, 4, 3), (2, 2, 4, 5)),
    ("causal_rectangular", {"is_causal": True}, (3, 4), (5, 4), (5, 2)),
    ("scale", {"scale": 0.7}, (3, 4), (5, 4), (5, 2)),
    ("bool_mask", {"attn_mask": BOOL_MASK}, (2, 3, 4), (2, 5, 4), (2, 5, 6)),
    ("float_mask", {"attn_mask": FLOAT_MASK}, (2, 3, 4), (2, 5, 4), (2, 5, 6)),
    ("row_masked", {"attn_mask": np.array([[True] * 5, [False] * 5, [True] * 5])},
     (3, 4), (5, 4), (5, 2)),
    ("gqa", {"enable_gqa": True}, (4, 3, 2), (2, 5, 2), (2, 5, 3)),
]  # fmt: skip


@pytest.mark.parametrize(
    "kwargs, shapes", [(c[1], c[2:]) for c in SDPA_CASES], ids=[c[0] for c in SDPA_CASES]
)
def test_sdpa_against_torch(kwargs, shapes):
    torch = pytest.importorskip("torch")
    theirs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    _compare(torch, sdpa, torch.nn.functional.scaled_dot_product_attention,
             [R.standard_normal(s) for s in shapes], kwargs, theirs)  # fmt: skip


MHA_CASES = [
    # name, constructor kwargs, forward kwargs (mask kinds made by _masks; unbatched input)
    ("default", {}, {}),
    ("batch_first_no_weights", {"batch_first": True}, {"need_weights": False}),
    ("kdim_vdim_no_bias", {"kdim": 3, "vdim": 5, "bias": False}, {}),
    ("masks_per_head", {}, {"attn_mask": "bool", "key_padding_mask": "bool",
                            "average_attn_weights": False}),
    ("float_masks", {"batch_first": True}, {"attn_mask": "float", "key_padding_mask": "float"}),
    ("per_batch_mask", {}, {"attn_mask": "bool3d"}),
    ("causal_no_weights", {}, {"attn_mask": "causal", "is_causal": True, "need_weights": False}),
    ("unbatched", {}, {"unbatched": True, "attn_mask": "bool"}),
]  # fmt: skip


def _masks(kind, n, heads, length, source):
    if kind == "bool":
        m = R.random((length, source)) < 0.3
        m[:, 0] = False  # (True = may not attend; no fully masked row)
        return m
    if kind == "bool3d":
        m = R.random((n * heads, length, source)) < 0.3
        m[..., 0] = False
        return m
    if kind == "float":
        return R.standard_normal((length, source))
    if kind == "causal":
        return np.triu(np.ones((length, length), bool), 1)
    raise AssertionError(kind)


@pytest.mark.parametrize("make, call", [c[1:] for c in MHA_CASES], ids=[c[0] for c in MHA_CASES])
def test_multihead_attention_against_torch(make, call):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    e, heads, n, length = 8, 2, 2, 4
    source = length if call.get("attn_mask") == "causal" else 5
    theirs = torch.nn.MultiheadAttention(e, heads, dtype=torch.float64, **make)
    ours = nn.MultiheadAttention(e, heads, dtype=np.float64, **make)
    _load(ours, theirs)
    call = dict(call)
    unbatched = call.pop("unbatched", False)
    kwargs = {}
    for name in ("attn_mask", "key_padding_mask"):
        if name in call:
            kind = call.pop(name)
            if name == "attn_mask":
                kwargs[name] = _masks(kind, n, heads, length, source)
            else:
                m = R.random((n, source)) < 0.3
                m[:, 0] = False
                kwargs[name] = m if kind == "bool" else np.where(m, -2.0, 0.5)
    kwargs.update(call)
    theirs_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                     for k, v in kwargs.items()}  # fmt: skip
    first = make.get("batch_first", False)

    def shape(steps, dim):
        if unbatched:
            return (steps, dim)
        return (n, steps, dim) if first else (steps, n, dim)

    inputs = [
        R.standard_normal(shape(length, e)),
        R.standard_normal(shape(source, make.get("kdim", e))),
        R.standard_normal(shape(source, make.get("vdim", e))),
    ]
    _compare(torch, ours, theirs, inputs, kwargs, theirs_kwargs)


@pytest.mark.parametrize(
    "make",
    [{}, {"norm_first": True, "activation": "gelu", "batch_first": True}, {"bias": False}],
    ids=["post_norm", "pre_norm_gelu", "no_bias"],
)
def test_transformer_encoder_against_torch(make):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    layer_t = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=torch.float64, **make)
    norm_t = torch.nn.LayerNorm(8, dtype=torch.float64)
    theirs = torch.nn.TransformerEncoder(layer_t, 2, norm=norm_t, enable_nested_tensor=False)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=np.float64, **make)
    ours = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8, dtype=np.float64))
    _load(ours, theirs)
    first = make.get("batch_first", False)
    mask = np.triu(np.full((5, 5), -np.inf), 1)
    padding = np.zeros((3, 5), bool)
    padding[0, 3:] = True
    kwargs = {"mask": mask, "src_key_padding_mask": padding}
    theirs_kwargs = {"mask": torch.tensor(mask), "src_key_padding_mask": torch.tensor(padding)}
    x = R.standard_normal((3, 5, 8) if first else (5, 3, 8))
    with warnings.catch_warnings():  # (PyTorch: a float mask with a bool padding mask)
        warnings.simplefilter("ignore")
        _compare(torch, ours, theirs, [x], kwargs, theirs_kwargs)
    single = R.standard_normal((3, 5, 8) if first else (5, 3, 8))
    _compare(torch, ours.layers[0], theirs.layers[0], [single])


def test_reprs_against_torch():
    torch = pytest.importorskip("torch")
    for args, kwargs in [((8, 2), {}), ((8, 4), {"bias": False, "kdim": 3, "vdim": 5})]:
        assert repr(nn.MultiheadAttention(*args, **kwargs)) == repr(
            torch.nn.MultiheadAttention(*args, **kwargs)
        )
