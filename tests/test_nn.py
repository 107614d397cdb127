"""nn: Module registration and state, layers, containers, initialisers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import assert_backward_paths_agree

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import init


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.head = nn.Linear(4, 2, bias=False)
        self.scale = nn.Parameter(td.Tensor.ones(2))
        self.register_buffer("count", td.Tensor.zeros(1))

    def forward(self, x):
        return self.head(self.act(self.encoder(x))) * self.scale


# ---------------------------------------------------------------------------------------------
# Module
# ---------------------------------------------------------------------------------------------


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(np.zeros((2, 3), dtype=np.float32))
    assert isinstance(p, nn.Parameter) and isinstance(p, td.Tensor)
    assert p.requires_grad and p.is_leaf
    assert not isinstance(td.Tensor.zeros(2), nn.Parameter)
    assert not isinstance(p.detach(), nn.Parameter)
    frozen = nn.Parameter(td.Tensor.zeros(2), requires_grad=False)
    assert not frozen.requires_grad


def test_parameter_shares_memory_and_updates_in_place_under_no_grad():
    a = np.zeros(3, dtype=np.float32)
    p = nn.Parameter(a)
    (p * 2.0).sum().backward()
    np.testing.assert_array_equal(p.grad.data, [2, 2, 2])
    with td.no_grad():
        p.sub_(p.grad * 0.5)
    np.testing.assert_array_equal(a, [-1, -1, -1])  # the same memory
    with pytest.raises(RuntimeError, match="in place"):
        p.sub_(1.0)  # outside no_grad


def test_named_parameters_use_pytorch_dotted_names_in_definition_order():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "encoder.weight", "encoder.bias", "head.weight"]
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(seq.parameters())) == 4
    assert [type(c).__name__ for c in seq.children()] == ["Linear", "ReLU", "Linear"]
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1", "2"]
    assert len(list(m.modules())) == 4


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_reassignment_and_deletion_keep_registries_consistent():
    m = TwoLayer()
    m.head = nn.Identity()
    assert "head.weight" not in dict(m.named_parameters())
    m.scale = None  # a registered parameter can be set to None
    assert "scale" not in dict(m.named_parameters())
    with pytest.raises(TypeError, match="Parameter"):
        m.scale = td.Tensor.ones(2)
    del m.encoder
    assert [n for n, _ in m.named_parameters()] == []
    m.plain = 3
    assert m.plain == 3


def test_assigning_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Bad()


def test_buffers_are_in_state_dict_but_not_parameters():
    m = TwoLayer()
    assert "count" not in dict(m.named_parameters())
    assert [n for n, _ in m.named_buffers()] == ["count"]
    assert list(m.state_dict()) == [
        "scale",
        "count",
        "encoder.weight",
        "encoder.bias",
        "head.weight",
    ]
    m.register_buffer("tmp", td.Tensor.zeros(1), persistent=False)
    assert "tmp" not in m.state_dict() and "tmp" in dict(m.named_buffers())


def test_state_dict_round_trip_through_save_and_load(tmp_path):
    a, b = TwoLayer(), TwoLayer()
    a.count.fill_(7.0)
    td.save(a.state_dict(), tmp_path / "model.npz")
    result = b.load_state_dict(td.load(tmp_path / "model.npz"))
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(x.data, y.data, err_msg=name)
    x = td.Tensor.randn(5, 3)
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_load_state_dict_accepts_arrays_and_keeps_parameter_identity():
    m = nn.Linear(2, 3)
    w = m.weight
    m.load_state_dict({"weight": np.ones((3, 2)), "bias": [1.0, 2.0, 3.0]})
    assert m.weight is w and m.weight.dtype == np.float32
    np.testing.assert_array_equal(m.bias.data, [1, 2, 3])


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda sd: sd.pop("encoder.bias"), "missing key.*'encoder.bias'"),
        (lambda sd: sd.update(extra=np.zeros(1)), "unexpected key.*'extra'"),
        (lambda sd: sd.update({"head.weight": np.zeros((4, 2))}), "size mismatch.*'head.weight'"),
        (lambda sd: sd.update(scale=np.array(["a", "b"])), "'scale'.*not numbers"),
    ],
)
def test_strict_loading_errors_change_nothing(change, message):
    m, other = TwoLayer(), TwoLayer()
    before = {k: v.data.copy() for k, v in m.state_dict().items()}
    sd = {k: v.data + 1 for k, v in other.state_dict().items()}
    change(sd)
    with pytest.raises(RuntimeError, match=message):
        m.load_state_dict(sd)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k], err_msg=k)


def test_non_strict_loading_reports_missing_and_unexpected_keys():
    m = nn.Linear(2, 2)
    result = m.load_state_dict({"weight": np.zeros((2, 2)), "other": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(m.weight.data, 0)
    with pytest.raises(RuntimeError, match="size mismatch"):  # shapes are checked regardless
        m.load_state_dict({"weight": np.zeros((3, 2))}, strict=False)


def test_train_eval_and_zero_grad():
    m = TwoLayer()
    assert m.training and m.encoder.training
    assert m.eval() is m and not m.encoder.training
    m.train()
    assert m.encoder.training
    m(td.Tensor.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_to_double_and_float_convert_parameters_and_buffers_in_place():
    m = TwoLayer()
    w = m.encoder.weight
    m.double()
    assert m.encoder.weight is w
    assert all(t.dtype == np.float64 for t in m.state_dict().values())
    assert m(td.Tensor.randn(2, 3, dtype=td.float64)).dtype == np.float64
    m.float()
    assert all(t.dtype == np.float32 for t in m.state_dict().values())
    with pytest.raises(TypeError, match="floating"):
        m.to(np.int64)


def test_layers_take_dtype_and_the_default_dtype():
    assert nn.Linear(2, 2, dtype=td.float64).weight.dtype == np.float64
    td.set_default_dtype(td.float64)
    assert nn.Linear(2, 2).bias.dtype == np.float64


def test_repr_shows_the_tree():
    text = repr(TwoLayer())
    assert text == (
        "TwoLayer(\n"
        "  (encoder): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (act): Tanh()\n"
        "  (head): Linear(in_features=4, out_features=2, bias=False)\n"
        ")"
    )
    nested = repr(nn.Sequential(nn.Sequential(nn.ReLU()), nn.Dropout(0.2)))
    assert "(0): Sequential(\n    (0): ReLU()\n  )" in nested and "Dropout(p=0.2)" in nested


def test_apply_and_requires_grad():
    m = TwoLayer()
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Tanh", "Linear", "TwoLayer"]
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


# ---------------------------------------------------------------------------------------------
# containers
# ---------------------------------------------------------------------------------------------


def test_sequential_indexing_slicing_and_named_children():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert head(td.Tensor.randn(4, 2)).shape == (4, 3)
    named = nn.Sequential({"fc": nn.Linear(2, 2), "act": nn.ReLU()})
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    del seq[1]
    assert [n for n, _ in seq.named_children()] == ["0", "1"]
    assert seq(td.Tensor.randn(4, 2)).shape == (4, 1)
    with pytest.raises(IndexError, match="out of range"):
        seq[5]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_module_list_registers_its_modules():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    net = Net()
    assert [n for n, _ in net.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    net.layers.append(nn.Linear(2, 1))
    assert len(net.layers) == 4 and net(td.Tensor.randn(3, 2)).shape == (3, 1)
    net.layers.insert(0, nn.Identity())
    assert isinstance(net.layers[0], nn.Identity) and isinstance(net.layers[1], nn.Linear)
    assert len(net.layers[1:3]) == 2


# ---------------------------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------------------------


def test_linear_computes_x_wT_plus_b_with_gradients():
    lin = nn.Linear(3, 2, dtype=td.float64)
    assert lin.weight.shape == (2, 3) and lin.bias.shape == (2,)
    x = np.random.default_rng(0).standard_normal((4, 3))
    expected = x @ lin.weight.data.T + lin.bias.data
    np.testing.assert_allclose(lin(td.Tensor(x)).data, expected)
    assert lin(td.Tensor(x[0])).shape == (2,)  # one example without a batch axis
    assert td.gradcheck(lambda xx, w, b: nn.functional.linear(xx, w, b),
                        [td.Tensor(x, requires_grad=True), lin.weight, lin.bias])  # fmt: skip
    with pytest.raises(ValueError, match="linear: input of shape \\(4, 2\\)"):
        lin(td.Tensor.randn(4, 2))


def test_linear_is_one_node_for_a_batch_of_rows_with_closed_form_gradients():
    """For x of shape (N, in) linear records one Linear node (PyTorch's addmm): z = x W^T + b,
    and with G = dL/dz, dL/dx = G W, dL/dW = G^T x, dL/db = the column sums of G."""
    rng = np.random.default_rng(1)
    x = td.Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    w = td.Tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    b = td.Tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    G = rng.standard_normal((4, 2)).astype(np.float32)
    out = nn.functional.linear(x, w, b)
    assert out.grad_fn.name() == "Linear" and out.dtype == np.float32
    np.testing.assert_allclose(out.data, x.data @ w.data.T + b.data, rtol=1e-6)
    out.backward(G, retain_graph=True)
    expected = (G @ w.data, G.T @ x.data, G.sum(axis=0))
    for t, e in zip((x, w, b), expected):
        np.testing.assert_allclose(t.grad.data, e, rtol=1e-5)
        assert t.grad.dtype == np.float32 and t.grad.data.flags.c_contiguous
    out.backward(G)  # accumulates, through the retained graph
    for t, e in zip((x, w, b), expected):
        np.testing.assert_allclose(t.grad.data, 2 * e, rtol=1e-5)
    with pytest.raises(RuntimeError, match="Linear: .*second time"):
        out.backward(G)


@pytest.mark.parametrize("needs", [(True, False, False), (False, True, True), (True, True, False)])
def test_linear_node_gradients_and_second_derivatives_when_only_some_inputs_need_them(needs):
    """gradcheck in float64 of the Linear node, and of its gradients taken with
    create_graph=True (second derivatives), whichever of x, W, b require grad."""
    rng = np.random.default_rng(2)
    x, w, b = (
        td.Tensor(rng.standard_normal(shape), requires_grad=need)
        for shape, need in zip(((5, 3), (4, 3), (4,)), needs)
    )
    assert nn.functional.linear(x, w, b).grad_fn.name() == "Linear"
    inputs = [t for t in (x, w, b) if t.requires_grad]

    def loss(*ts):
        it = iter(ts)
        xx, ww, bb = (next(it) if t.requires_grad else t for t in (x, w, b))
        return (nn.functional.linear(xx, ww, bb).tanh() ** 2).sum()

    assert td.gradcheck(loss, inputs)
    assert_backward_paths_agree(loss, inputs)
    for i in range(len(inputs)):
        assert td.gradcheck(lambda *ts, i=i: td.grad(loss(*ts), ts, create_graph=True)[i], inputs)


def test_linear_changed_input_after_the_forward_is_an_error_at_backward():
    """The Linear node keeps x for dL/dW: changing x in place afterwards is caught."""
    x = td.Tensor(np.ones((2, 3)), requires_grad=True)
    h = x * 1.0
    w = td.Tensor(np.ones((4, 3)), requires_grad=True)
    out = nn.functional.linear(h, w, td.Tensor(np.zeros(4), requires_grad=True))
    h.mul_(2)
    with pytest.raises(RuntimeError, match="Linear: one of the tensors needed"):
        out.sum().backward()


def test_linear_other_inputs_take_matmul_and_add_with_the_same_results():
    """Batched N-D input, a bias of another dtype (which promotes) and no bias are a MatMul
    (and an Add): the values and gradients are those of x @ W^T + b."""
    rng = np.random.default_rng(3)
    x = td.Tensor(rng.standard_normal((2, 4, 3)).astype(np.float32), requires_grad=True)
    w = td.Tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    b = td.Tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
    out = nn.functional.linear(x, w, b)
    assert out.grad_fn.name() == "Add" and out.grad_fn.parents[0].name() == "MatMul"
    np.testing.assert_allclose(out.data, x.data @ w.data.T + b.data, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(b.grad.data, np.full(2, 8.0), rtol=1e-6)
    np.testing.assert_allclose(w.grad.data, np.tile(x.data.sum(axis=(0, 1)), (2, 1)), rtol=1e-5)
    x2 = td.Tensor(x.data[0])
    b64 = td.Tensor(b.data.astype(np.float64))
    wide = nn.functional.linear(x2, w, b64)
    assert wide.dtype == np.float64 and wide.grad_fn.name() == "Add"
    np.testing.assert_allclose(wide.data, x2.data @ w.data.T + b64.data, rtol=1e-6)
    assert nn.functional.linear(x2, w).grad_fn.name() == "MatMul"


def test_linear_default_init_is_pytorchs_uniform():
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (lin.weight.data, lin.bias.data):
        assert np.abs(p).max() <= bound
        assert abs(p.std() - bound / math.sqrt(3)) < 0.05 * bound  # U(-a, a) has std a/sqrt(3)
    assert np.abs(lin.weight.data).max() > 0.95 * bound


def test_linear_without_bias_and_manual_seed_reproducible():
    td.manual_seed(3)
    a = nn.Linear(4, 3, bias=False)
    td.manual_seed(3)
    b = nn.Linear(4, 3, bias=False)
    assert a.bias is None and list(a.state_dict()) == ["weight"]
    np.testing.assert_array_equal(a.weight.data, b.weight.data)


ACTIVATIONS = [
    # module, reference
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.LogSoftmax(dim=0), lambda x: x - np.log(np.exp(x).sum(0, keepdims=True))),
    (nn.Identity(7, a=1), lambda x: x),
    (nn.Flatten(0), lambda x: x.reshape(-1)),
]


@pytest.mark.parametrize("module, reference", ACTIVATIONS, ids=lambda v: type(v).__name__)
def test_activation_modules(module, reference):
    x = np.random.default_rng(1).standard_normal((3, 4)) + 0.05
    np.testing.assert_allclose(module(td.Tensor(x)).data, reference(x), rtol=1e-12)
    assert td.gradcheck(module, [td.Tensor(x, requires_grad=True)])


def test_flatten_keeps_the_batch_axis():
    assert nn.Flatten()(td.Tensor.zeros(2, 1, 8, 8)).shape == (2, 64)
    assert nn.Flatten(1, 2)(td.Tensor.zeros(2, 3, 4, 5)).shape == (2, 12, 5)


# ---------------------------------------------------------------------------------------------
# init
# ---------------------------------------------------------------------------------------------


def _big(*shape):
    return td.Tensor.zeros(*shape, dtype=td.float64)


@pytest.mark.parametrize(
    "fill, shape, std",
    [
        (lambda t: init.xavier_uniform_(t), (300, 200), math.sqrt(2 / 500)),
        (lambda t: init.xavier_uniform_(t, gain=2.0), (300, 200), 2 * math.sqrt(2 / 500)),
        (lambda t: init.xavier_normal_(t), (300, 200), math.sqrt(2 / 500)),
        (lambda t: init.xavier_normal_(t, gain=0.5), (30, 20, 3, 3), 0.5 * math.sqrt(2 / 450)),
        (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), (300, 200), math.sqrt(2 / 200)),
        (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), (300, 200), math.sqrt(2 / 200)),
        (
            lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
            (300, 200),
            math.sqrt(2 / 300),
        ),
        (
            lambda t: init.kaiming_uniform_(t, a=0.3, mode="fan_out"),
            (40, 50, 3),
            math.sqrt(2 / (1 + 0.09)) / math.sqrt(120),
        ),
        (lambda t: init.kaiming_normal_(t), (300, 200), math.sqrt(2 / (1 + 1e-4)) / math.sqrt(200)),
        (lambda t: init.normal_(t, 1.0, 0.3), (300, 200), 0.3),
        (lambda t: init.uniform_(t, -2.0, 2.0), (300, 200), 4 / math.sqrt(12)),
    ],
)
def test_init_statistics_match_the_formulas(fill, shape, std):
    t = fill(_big(*shape))
    assert abs(t.data.std() - std) < 0.02 * std
    mean = 1.0 if std == 0.3 else 0.0
    assert abs(t.data.mean() - mean) < 0.02 * std + 0.01 * abs(mean)


def test_uniform_inits_respect_their_bounds():
    t = init.xavier_uniform_(_big(30, 20))
    assert np.abs(t.data).max() <= math.sqrt(6 / 50)
    t = init.kaiming_uniform_(_big(30, 20), a=math.sqrt(5))
    assert np.abs(t.data).max() <= 1 / math.sqrt(20)


def test_constant_inits_and_gains():
    np.testing.assert_array_equal(init.zeros_(td.Tensor.ones(2, 2)).data, 0)
    np.testing.assert_array_equal(init.ones_(td.Tensor.zeros(3)).data, 1)
    np.testing.assert_array_equal(init.constant_(td.Tensor.zeros(3), 0.5).data, 0.5)
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("sigmoid") == 1.0 and init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="2 or more dims"):
        init.xavier_uniform_(td.Tensor.zeros(5))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(td.Tensor.zeros(2, 2), mode="fan_avg")


def test_init_works_on_parameters_and_is_seeded():
    lin = nn.Linear(5, 5)
    td.manual_seed(9)
    a = init.normal_(lin.weight).data.copy()
    td.manual_seed(9)
    np.testing.assert_array_equal(init.normal_(lin.weight).data, a)
    assert lin.weight.requires_grad and lin.weight.dtype == np.float32


# ---------------------------------------------------------------------------------------------
# Dropout, Embedding
# ---------------------------------------------------------------------------------------------


def test_dropout_train_and_eval():
    drop = nn.Dropout(0.25)
    x = td.Tensor.ones(200, 100, requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)  # inverted: survivors scaled up
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / 0.75)  # the gradient uses the same mask
    drop.eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, 0)
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


def test_dropout_is_seeded():
    td.manual_seed(1)
    a = nn.functional.dropout(td.Tensor.ones(50), 0.5).data
    td.manual_seed(1)
    np.testing.assert_array_equal(nn.functional.dropout(td.Tensor.ones(50), 0.5).data, a)
    np.testing.assert_array_equal(nn.functional.dropout(td.Tensor.ones(5), 0.5, False).data, 1)


def test_embedding_lookup_gradient_and_padding():
    emb = nn.Embedding(5, 3, padding_idx=0, dtype=td.float64)
    np.testing.assert_array_equal(emb.weight.data[0], 0)
    idx = np.array([[1, 0, 1], [4, 2, 0]])
    out = emb(idx)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.data, emb.weight.data[idx])
    out.sum().backward()
    counts = np.bincount(idx.ravel(), minlength=5)[:, None] * np.ones((1, 3))
    counts[0] = 0  # the padding row gets no gradient
    np.testing.assert_array_equal(emb.weight.grad.data, counts)
    assert abs(nn.Embedding(1000, 50).weight.data.std() - 1) < 0.02  # N(0, 1) by default
    with pytest.raises(IndexError, match="index 5 is out of range for 5 embeddings"):
        emb(np.array([5]))
    with pytest.raises(TypeError, match="integers"):
        emb(np.array([1.0]))


# ---------------------------------------------------------------------------------------------
# BatchNorm1d, LayerNorm
# ---------------------------------------------------------------------------------------------


def _bn_reference(x, axes, eps=1e-5):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


@pytest.mark.parametrize("shape, axes", [((8, 4), (0,)), ((5, 4, 3), (0, 2))])
def test_batchnorm_training_uses_batch_statistics_and_updates_running_ones(shape, axes):
    bn = nn.BatchNorm1d(4, dtype=td.float64)
    rng = np.random.default_rng(0)
    rm, rv = np.zeros(4), np.ones(4)
    for step in range(1, 4):
        x = 3 * rng.standard_normal(shape) + 2
        np.testing.assert_allclose(bn(td.Tensor(x)).data, _bn_reference(x, axes), atol=1e-12)
        n = x.size // 4
        rm = 0.9 * rm + 0.1 * x.mean(axis=axes)
        rv = 0.9 * rv + 0.1 * x.var(axis=axes) * n / (n - 1)  # the unbiased variance
        np.testing.assert_allclose(bn.running_mean.data, rm, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.data, rv, rtol=1e-12)
        assert bn.num_batches_tracked.item() == step
    bn.eval()
    x = rng.standard_normal(shape)
    expand = (slice(None),) if len(shape) == 2 else (slice(None), None)
    expected = (x - rm[expand]) / np.sqrt(rv[expand] + 1e-5)
    np.testing.assert_allclose(bn(td.Tensor(x)).data, expected, rtol=1e-10)
    np.testing.assert_array_equal(bn.running_mean.data, rm)  # eval leaves them alone


def test_batchnorm_gradients_affine_and_state():
    bn = nn.BatchNorm1d(3, dtype=td.float64)
    init.normal_(bn.weight)
    init.normal_(bn.bias)
    x = td.Tensor(np.random.default_rng(1).standard_normal((6, 3, 2)), requires_grad=True)
    assert td.gradcheck(lambda a, w, b: bn(a), [x, bn.weight, bn.bias])
    bn.eval()
    assert td.gradcheck(lambda a, w, b: bn(a), [x, bn.weight, bn.bias])
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    bn.float()
    assert bn.num_batches_tracked.dtype == np.int64 and bn.running_var.dtype == np.float32


def test_batchnorm_options_and_errors():
    bn = nn.BatchNorm1d(2, momentum=None, affine=False, track_running_stats=False)
    assert list(bn.parameters()) == [] and list(bn.state_dict()) == []
    x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    bn.eval()  # without running statistics it always uses the batch's
    np.testing.assert_allclose(bn(td.Tensor(x)).data, _bn_reference(x, (0,)), rtol=1e-5)
    cumulative = nn.BatchNorm1d(1, momentum=None, dtype=td.float64)
    for v in ([0.0, 2.0], [4.0, 6.0]):
        cumulative(td.Tensor(np.array(v)[:, None]))
    np.testing.assert_allclose(cumulative.running_mean.data, [3.0])  # the plain average
    with pytest.raises(ValueError, match="BatchNorm1d: expected input of shape \\(N, 2\\)"):
        nn.BatchNorm1d(2)(td.Tensor.zeros(4, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(2)(td.Tensor.zeros(1, 2))
    assert "BatchNorm1d(2, eps=1e-05, momentum=0.1" in repr(nn.BatchNorm1d(2))


def test_layernorm_value_gradient_and_shape_check():
    ln = nn.LayerNorm((3, 4), dtype=td.float64)
    init.normal_(ln.weight)
    init.normal_(ln.bias)
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    flat = x.reshape(2, -1)
    ref = (flat - flat.mean(1, keepdims=True)) / np.sqrt(flat.var(1, keepdims=True) + 1e-5)
    expected = ref.reshape(x.shape) * ln.weight.data + ln.bias.data
    np.testing.assert_allclose(ln(td.Tensor(x)).data, expected, rtol=1e-10)
    assert td.gradcheck(lambda a, w, b: ln(a), [td.Tensor(x, requires_grad=True), ln.weight,
                                                ln.bias])  # fmt: skip
    plain = nn.LayerNorm(4, elementwise_affine=False)
    assert list(plain.parameters()) == [] and plain(td.Tensor.randn(5, 4)).shape == (5, 4)
    assert nn.LayerNorm(4, bias=False).bias is None
    with pytest.raises(ValueError, match="does not end with normalized_shape \\(3, 4\\)"):
        ln(td.Tensor.zeros(2, 4, 3))


# ---------------------------------------------------------------------------------------------
# utils: l2_penalty, gradient clipping
# ---------------------------------------------------------------------------------------------


def test_l2_penalty_is_the_sum_of_squared_weights_without_biases():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    w1, b1, w2, b2 = (p.data.astype(np.float64) for p in model.parameters())
    r = nn.utils.l2_penalty(model)
    assert r.item() == pytest.approx((w1**2).sum() + (w2**2).sum(), rel=1e-6)
    all_params = nn.utils.l2_penalty(model, exclude_bias=False).item()
    assert all_params == pytest.approx(sum((p**2).sum() for p in (w1, b1, w2, b2)), rel=1e-6)
    unnamed = nn.utils.l2_penalty(model.parameters())  # 1-D tensors count as biases
    assert unnamed.item() == pytest.approx(r.item())
    r.backward()
    np.testing.assert_allclose(model[0].weight.grad.data, 2 * model[0].weight.data)  # 2 W
    assert model[0].bias.grad is None


def test_clip_grad_norm_scales_all_gradients_together():
    a = td.Tensor([0.0, 0.0], requires_grad=True)
    b = td.Tensor([0.0], requires_grad=True)
    a.grad, b.grad = td.Tensor([3.0, 0.0]), td.Tensor([4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert isinstance(total, td.Tensor) and total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad.data, [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(b.grad.data, [0.8], rtol=1e-5)
    total = nn.utils.clip_grad_norm_([a, b], max_norm=10.0)  # below the limit: unchanged
    np.testing.assert_allclose(a.grad.data, [0.6, 0.0], rtol=1e-5)
    a.grad = td.Tensor([3.0, -7.0])
    assert nn.utils.clip_grad_norm_(a, 1.0, norm_type=float("inf")).item() == 7.0
    np.testing.assert_allclose(a.grad.data, [3 / 7, -1.0], rtol=1e-5)
    a.grad = td.Tensor([1.0, 2.0])
    assert nn.utils.clip_grad_norm_(a, 100.0, norm_type=1).item() == 3.0
    a.grad = td.Tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(a, 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([td.Tensor([1.0], requires_grad=True)], 1.0).item() == 0


def test_clip_grad_value():
    p = td.Tensor([0.0, 0.0, 0.0], requires_grad=True)
    p.grad = td.Tensor([-3.0, 0.5, 2.0])
    nn.utils.clip_grad_value_([p], 1.0)
    np.testing.assert_array_equal(p.grad.data, [-1.0, 0.5, 1.0])


def test_deepcopy_gives_an_independent_model_with_parameters():
    import copy

    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    twin = copy.deepcopy(model)
    assert isinstance(twin[0].weight, nn.Parameter) and twin[0].weight is not model[0].weight
    twin[0].weight = twin[0].weight  # still assignable as a parameter
    twin(td.Tensor.randn(4, 2)).sum().backward()
    assert twin[0].weight.grad is not None and model[0].weight.grad is None
    np.testing.assert_array_equal(model.state_dict()["1.running_mean"].data, 0)  # untouched
