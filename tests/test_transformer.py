"""The Transformer decoder and encoder-decoder (nn/transformer.py): gradients against central
differences in float64, errors by message, the causal mask, PyTorch's state_dicts loaded
unchanged and giving PyTorch's values and gradients for a table of configurations, and a small
model that learns to reverse a sequence."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tinygrad_ds as td
import tinygrad_ds.nn.functional as F
from tinygrad_ds import nn

R = np.random.default_rng(7)
E, HEADS, FF, N, T, S = 8, 2, 16, 3, 4, 5  # d_model, nhead, dim_feedforward, batch, tgt, src


def r(*shape):
    return R.standard_normal(shape)


def padding(n, length):
    """A bool key padding mask (True = padded) that leaves every sequence a key."""
    m = np.zeros((n, length), bool)
    m[0, length - 2 :] = True
    m[-1, -1] = True
    return m


CAUSAL = np.triu(np.full((T, T), -np.inf), 1)


def test_square_subsequent_mask():
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    np.testing.assert_array_equal(mask.data, [[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]])
    assert mask.dtype == np.float32 and not mask.requires_grad
    assert nn.Transformer.generate_square_subsequent_mask(4, dtype=td.float64).dtype == np.float64
    assert nn.Transformer.generate_square_subsequent_mask(0).shape == (0, 0)
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(1).data, [[0]])
    np.testing.assert_array_equal(
        nn.Transformer(E, HEADS, 1, 1, FF).generate_square_subsequent_mask(T, dtype="float64").data,
        CAUSAL,
    )


def test_decoder_layer_gradcheck_and_second_derivative():
    td.manual_seed(0)
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, activation="gelu", dtype=td.float64)
    tgt, memory = (
        td.Tensor(r(3, 2, 4), requires_grad=True),
        td.Tensor(r(4, 2, 4), requires_grad=True),
    )
    memory_mask = td.Tensor(r(3, 4), requires_grad=True)  # a float mask is differentiable
    pad = padding(2, 3)

    def fn(tgt, memory, memory_mask):
        return layer(tgt, memory, CAUSAL[:3, :3], memory_mask, tgt_key_padding_mask=pad)

    assert td.gradcheck(fn, [tgt, memory, memory_mask])
    first = td.Tensor(r(3, 2, 4), requires_grad=True)

    def grad_tgt(tgt):
        out = layer(tgt, memory, tgt_mask=CAUSAL[:3, :3])
        return td.grad((out * first.detach()).sum(), [tgt], create_graph=True)[0]

    assert td.gradcheck(grad_tgt, [tgt])


def test_decoder_shapes_and_independent_layers():
    layer = nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, batch_first=True)
    dec = nn.TransformerDecoder(layer, 3, norm=nn.LayerNorm(E))
    assert len(dec.layers) == 3 and dec.num_layers == 3
    assert dec.layers[0].linear1.weight is not layer.linear1.weight
    tgt, memory = (
        td.Tensor(r(N, T, E), requires_grad=True),
        td.Tensor(r(N, S, E), requires_grad=True),
    )
    out = dec(tgt, memory, tgt_mask=CAUSAL)
    assert out.shape == (N, T, E)
    out.sum().backward()
    assert memory.grad.shape == (N, S, E) and dec.layers[2].multihead_attn.in_proj_weight.grad.any()
    unbatched = layer(
        td.Tensor(r(T, E)), td.Tensor(r(S, E)), memory_key_padding_mask=padding(1, S)[0]
    )
    assert unbatched.shape == (T, E)


def test_transformer_structure_and_initialisation():
    model = nn.Transformer(E, HEADS, 2, 1, FF)
    assert isinstance(model.encoder.norm, nn.LayerNorm) and isinstance(
        model.decoder.norm, nn.LayerNorm
    )
    assert len(model.encoder.layers) == 2 and len(model.decoder.layers) == 1
    bound = math.sqrt(6 / (E + FF))  # every matrix re-initialised by xavier_uniform_
    w = model.decoder.layers[0].linear1.weight.data
    assert 0.5 * bound < np.abs(w).max() <= bound
    np.testing.assert_array_equal(model.encoder.norm.weight.data, 1.0)
    custom = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS, FF), 1)
    model = nn.Transformer(E, HEADS, 1, 1, FF, custom_encoder=custom)
    assert model.encoder is custom and "encoder.norm.weight" not in model.state_dict()
    out = model(td.Tensor(r(S, N, E)), td.Tensor(r(T, N, E)))
    assert out.shape == (T, N, E)
    enc = nn.TransformerEncoder(custom.layers[0], 2, enable_nested_tensor=False, mask_check=False)
    assert enc.num_layers == 2  # PyTorch's switches, accepted and ignored


def test_float32_stays_float32_and_dropout():
    td.manual_seed(0)
    model = nn.Transformer(E, HEADS, 1, 1, FF, dropout=0.5)
    src = td.Tensor(r(S, N, E).astype(np.float32), requires_grad=True)
    tgt = td.Tensor(r(T, N, E).astype(np.float32), requires_grad=True)
    out = model(src, tgt)
    assert out.dtype == np.float32
    out.sum().backward()
    assert src.grad.dtype == np.float32 and tgt.grad.dtype == np.float32
    assert not np.allclose(model(src, tgt).data, out.data)  # training: dropout is random
    model.eval()
    np.testing.assert_array_equal(model(src, tgt).data, model(src, tgt).data)


def _layer():
    return nn.TransformerDecoderLayer(E, HEADS, FF)


ERRORS = [
    (lambda: nn.TransformerDecoderLayer(8, 3), ValueError,
     r"embed_dim \(8\) must be divisible by num_heads \(3\)"),
    (lambda: nn.Transformer(8, 3), ValueError,
     r"embed_dim \(8\) must be divisible by num_heads \(3\)"),
    (lambda: nn.TransformerDecoderLayer(8, 2, activation="tanh"), ValueError,
     "TransformerDecoderLayer: activation should be 'relu' or 'gelu', not 'tanh'"),
    (lambda: _layer()(td.zeros(T, N, E), td.zeros(S, N, 6)), ValueError,
     r"TransformerDecoderLayer: tgt and memory must both have d_model = 8 features, got shapes "
     r"\(4, 3, 8\) and \(5, 3, 6\)"),
    (lambda: _layer()(td.zeros(T, N, E), td.zeros(S, 2, E)), ValueError,
     r"tgt and memory must have the same batch size \(dim 1\), got shapes \(4, 3, 8\) and "
     r"\(5, 2, 8\)"),
    (lambda: _layer()(td.zeros(T, N, E), td.zeros(S, E)), ValueError,
     r"tgt and memory must both be 3-D \(batched\) or 2-D \(unbatched\)"),
    (lambda: _layer()(td.zeros(T, N, E), td.zeros(S, N, E), tgt_mask=np.zeros((3, 3))),
     ValueError, r"attn_mask must have shape \(4, 4\) or \(6, 4, 4\), got \(3, 3\)"),
    (lambda: _layer()(td.zeros(T, N, E), td.zeros(S, N, E), memory_mask=np.zeros((T, T))),
     ValueError, r"attn_mask must have shape \(4, 5\) or \(6, 4, 5\), got \(4, 4\)"),
    (lambda: _layer()(td.zeros(T, N, E), td.zeros(S, N, E),
                      memory_key_padding_mask=np.zeros((N, T), bool)), ValueError,
     r"key_padding_mask must have shape \(3, 5\), got \(3, 4\)"),
    (lambda: _layer()(td.zeros(T, N, E), td.zeros(S, N, E), tgt_is_causal=True), ValueError,
     "is_causal=True is a hint that needs attn_mask"),
    (lambda: nn.TransformerDecoder(_layer(), 0), ValueError,
     "TransformerDecoder: num_layers must be >= 1, got 0"),
    (lambda: nn.Transformer(E, HEADS, 1, 1, FF, batch_first=True)(td.zeros(N, S, E),
                                                                  td.zeros(2, T, E)),
     ValueError, r"Transformer: src and tgt must have the same batch size \(dim 0\)"),
    (lambda: nn.Transformer(E, HEADS, 1, 1, FF)(td.zeros(S, N, E), td.zeros(T, N, 6)),
     ValueError, "Transformer: src and tgt must both have d_model = 8 features"),
    (lambda: nn.Transformer.generate_square_subsequent_mask(-1), ValueError,
     "generate_square_subsequent_mask: sz must be >= 0, got -1"),
    (lambda: nn.Transformer.generate_square_subsequent_mask(3, dtype=td.int64), TypeError,
     "the mask holds -inf, so dtype must be floating, not int64"),
]  # fmt: skip


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


def test_a_small_transformer_learns_to_reverse_a_sequence():
    """Teacher forcing with a causal mask; then greedy decoding of held-out sequences, one
    token at a time (the causal mask is what makes the teacher-forced training carry over)."""
    td.manual_seed(0)
    rng = np.random.default_rng(0)
    vocab, length, dim, bos = 8, 6, 16, 8

    class Reverse(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab + 1, dim)
            self.pos = nn.Parameter(td.randn(length, dim).data * 0.5)
            self.transformer = nn.Transformer(dim, 2, 1, 1, 2 * dim, dropout=0.0, batch_first=True)
            self.head = nn.Linear(dim, vocab)

        def forward(self, src, tgt):
            mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
            x = self.embed(src) + self.pos
            y = self.embed(tgt) + self.pos[: tgt.shape[1]]
            return self.head(self.transformer(x, y, tgt_mask=mask))

    def shifted(y):  # the decoder's input: BOS, then the target but its last token
        return np.concatenate([np.full((len(y), 1), bos), y[:, :-1]], 1)

    model = Reverse()
    opt = td.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(150):
        src = rng.integers(0, vocab, (32, length))
        y = src[:, ::-1]
        loss = F.cross_entropy(model(src, shifted(y)).reshape(-1, vocab), td.Tensor(y.ravel()))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    src = rng.integers(0, vocab, (300, length))
    out = np.full((300, 1), bos)
    with td.no_grad():
        for _ in range(length):
            out = np.concatenate([out, model(src, out).data[:, -1:].argmax(-1)], 1)
    assert (out[:, 1:] == src[:, ::-1]).mean() > 0.95


# -- against PyTorch ---------------------------------------------------------------------------


def _load(ours, theirs):
    """PyTorch's state_dict, unchanged (same keys in the same order, same shapes), into ours,
    after moving torch's parameters off their initial values (LayerNorm's ones and zeros, the
    zero attention biases), so that a norm or a bias used in the wrong place shows."""
    for p in theirs.parameters():
        p.data += 0.2 * p.data.new_tensor(R.standard_normal(tuple(p.shape)))
    state = {k: td.Tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    assert all(state[k].shape == v.shape for k, v in ours.state_dict().items())
    ours.load_state_dict(state)


def _compare(torch, ours, theirs, inputs, kwargs):
    """Values, input gradients and parameter gradients of ours and theirs in float64, for a
    random upstream gradient (masks given as NumPy arrays are passed to torch as tensors)."""
    xs = [td.Tensor(a, requires_grad=True) for a in inputs]
    ts = [torch.tensor(a, requires_grad=True) for a in inputs]
    theirs_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                     for k, v in kwargs.items()}  # fmt: skip
    out = ours(*xs, **kwargs)
    with warnings.catch_warnings():  # (PyTorch: a float mask with a bool padding mask)
        warnings.simplefilter("ignore")
        ref = theirs(*ts, **theirs_kwargs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-9, atol=1e-11)
    g = R.standard_normal(ref.shape)
    out.backward(td.Tensor(g))
    ref.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-8, atol=1e-11)
    params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, params[name].grad.numpy(), rtol=1e-8,
                                   atol=1e-11, err_msg=name)  # fmt: skip


def _activations(torch, make):
    """Constructor kwargs for ours and for torch's ('tanh' stands for a callable)."""
    ours, theirs = dict(make), dict(make)
    if make.get("activation") == "tanh":
        ours["activation"], theirs["activation"] = td.tanh, torch.tanh
    return ours, theirs


def _inputs(first, unbatched, *lengths):
    if unbatched:
        return [r(n, E) for n in lengths]
    return [r(N, n, E) if first else r(n, N, E) for n in lengths]


def _masks(call, unbatched, bool_memory_mask=True):
    """The masks a row names: a causal float tgt_mask, bool key padding masks, a memory mask."""
    kwargs = {}
    for name in call:
        if name == "tgt_mask":
            kwargs[name] = CAUSAL
        elif name == "memory_mask":
            m = R.random((T, S)) < 0.3
            m[:, 0] = False
            kwargs[name] = m if bool_memory_mask else r(T, S)
        elif name == "src_mask":
            kwargs[name] = r(S, S)
        elif name.endswith("key_padding_mask"):
            length = T if name.startswith("tgt") else S
            kwargs[name] = padding(1, length)[0] if unbatched else padding(N, length)
        else:
            kwargs[name] = True  # an is_causal hint
    return kwargs


TGT_MASKS = ("tgt_mask", "tgt_key_padding_mask", "memory_key_padding_mask")
DECODER_CASES = [
    # name, constructor kwargs, masks passed to forward, unbatched
    ("post_norm", {}, (), False),
    ("post_norm_masks", {}, TGT_MASKS, False),
    ("post_norm_batch_first_masks", {"batch_first": True}, TGT_MASKS + ("memory_mask",), False),
    ("pre_norm_masks", {"norm_first": True}, TGT_MASKS, False),
    ("pre_norm_batch_first_gelu", {"norm_first": True, "batch_first": True,
                                   "activation": "gelu"}, TGT_MASKS, False),
    ("no_bias_causal_hint", {"bias": False}, ("tgt_mask", "tgt_is_causal"), False),
    ("callable_activation_eps", {"activation": "tanh", "layer_norm_eps": 1e-3},
     ("memory_mask",), False),
    ("unbatched", {"norm_first": True}, TGT_MASKS, True),
]  # fmt: skip


@pytest.mark.parametrize(
    "make, call, unbatched", [c[1:] for c in DECODER_CASES], ids=[c[0] for c in DECODER_CASES]
)
def test_decoder_layer_against_torch(make, call, unbatched):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ours_make, theirs_make = _activations(torch, make)
    theirs = torch.nn.TransformerDecoderLayer(
        E, HEADS, FF, dropout=0.0, dtype=torch.float64, **theirs_make
    )
    ours = nn.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0, dtype=td.float64, **ours_make)
    _load(ours, theirs)
    inputs = _inputs(make.get("batch_first", False), unbatched, T, S)
    _compare(torch, ours, theirs, inputs, _masks(call, unbatched))


@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_decoder_stack_against_torch(norm_first):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    make = {"dropout": 0.0, "norm_first": norm_first, "batch_first": True}
    theirs = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(E, HEADS, FF, dtype=torch.float64, **make), 2,
        norm=torch.nn.LayerNorm(E, dtype=torch.float64),
    )  # fmt: skip
    ours = nn.TransformerDecoder(
        nn.TransformerDecoderLayer(E, HEADS, FF, dtype=td.float64, **make), 2,
        norm=nn.LayerNorm(E, dtype=td.float64),
    )  # fmt: skip
    _load(ours, theirs)
    _compare(torch, ours, theirs, _inputs(True, False, T, S), _masks(TGT_MASKS, False))


ALL_MASKS = ("src_mask", "tgt_mask", "memory_mask", "src_key_padding_mask",
             "tgt_key_padding_mask", "memory_key_padding_mask")  # fmt: skip
TRANSFORMER_CASES = [
    ("post_norm", {}, ()),
    ("post_norm_masks", {}, ALL_MASKS),
    ("pre_norm_batch_first_gelu_masks", {"norm_first": True, "batch_first": True,
                                         "activation": "gelu"}, ALL_MASKS),
    ("batch_first_causal_hint", {"batch_first": True}, ("tgt_mask", "tgt_is_causal")),
    ("no_bias", {"bias": False, "norm_first": True}, ("tgt_mask", "memory_key_padding_mask")),
]  # fmt: skip


@pytest.mark.parametrize(
    "make, call", [c[1:] for c in TRANSFORMER_CASES], ids=[c[0] for c in TRANSFORMER_CASES]
)
def test_transformer_against_torch(make, call):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    args = (E, HEADS, 2, 2, FF, 0.0)
    with warnings.catch_warnings():  # (PyTorch: no nested tensors with norm_first)
        warnings.simplefilter("ignore")
        theirs = torch.nn.Transformer(*args, dtype=torch.float64, **make)
    ours = nn.Transformer(*args, dtype=td.float64, **make)
    _load(ours, theirs)
    inputs = _inputs(make.get("batch_first", False), False, S, T)
    _compare(torch, ours, theirs, inputs, _masks(call, False, bool_memory_mask=False))


def test_unbatched_transformer_against_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    with warnings.catch_warnings():  # (PyTorch: no nested tensors without batch_first)
        warnings.simplefilter("ignore")
        theirs = torch.nn.Transformer(E, HEADS, 1, 1, FF, 0.0, dtype=torch.float64)
    ours = nn.Transformer(E, HEADS, 1, 1, FF, 0.0, dtype=td.float64)
    _load(ours, theirs)
    _compare(torch, ours, theirs, _inputs(False, True, S, T), _masks(ALL_MASKS, True))


def test_square_subsequent_mask_against_torch():
    torch = pytest.importorskip("torch")
    for sz in (0, 1, 5):
        np.testing.assert_array_equal(
            nn.Transformer.generate_square_subsequent_mask(sz).data,
            torch.nn.Transformer.generate_square_subsequent_mask(sz).numpy(),
        )
