"""Lazy layers (nn.LazyLinear, LazyConv1d/2d, LazyBatchNorm1d/2d, LazyInstanceNorm1d/2d) and
their placeholders (UninitializedParameter, UninitializedBuffer): after the first call each is
its regular layer (type, repr, shapes, initialisation, outputs), errors by message before
then, load_state_dict into lazy models, optimisers built before the first call, and PyTorch's
shapes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn, optim

# (lazy layer, the regular layer it must become, an input shape)
CASES = [
    ("LazyLinear", lambda: nn.LazyLinear(3), lambda: nn.Linear(5, 3), (4, 5)),
    ("LazyLinear-3d-nobias", lambda: nn.LazyLinear(2, bias=False),
     lambda: nn.Linear(6, 2, bias=False), (2, 3, 6)),
    ("LazyConv1d", lambda: nn.LazyConv1d(4, 3, padding=1), lambda: nn.Conv1d(2, 4, 3, padding=1),
     (2, 2, 7)),
    ("LazyConv1d-unbatched", lambda: nn.LazyConv1d(3, 2, bias=False),
     lambda: nn.Conv1d(5, 3, 2, bias=False), (5, 6)),
    ("LazyConv2d", lambda: nn.LazyConv2d(4, 3, stride=2, groups=2),
     lambda: nn.Conv2d(2, 4, 3, stride=2, groups=2), (2, 2, 7, 7)),
    ("LazyConvTranspose1d", lambda: nn.LazyConvTranspose1d(3, 2, stride=2),
     lambda: nn.ConvTranspose1d(5, 3, 2, stride=2), (2, 5, 4)),
    ("LazyConvTranspose2d", lambda: nn.LazyConvTranspose2d(6, 3, 2, 1, output_padding=1, groups=2),
     lambda: nn.ConvTranspose2d(4, 6, 3, 2, 1, output_padding=1, groups=2), (4, 5, 5)),
    ("LazyBatchNorm1d", lambda: nn.LazyBatchNorm1d(), lambda: nn.BatchNorm1d(3), (8, 3)),
    ("LazyBatchNorm1d-options", lambda: nn.LazyBatchNorm1d(momentum=0.3, affine=False),
     lambda: nn.BatchNorm1d(3, momentum=0.3, affine=False), (8, 3, 4)),
    ("LazyBatchNorm2d", lambda: nn.LazyBatchNorm2d(eps=1e-3), lambda: nn.BatchNorm2d(2, eps=1e-3),
     (4, 2, 3, 3)),
    ("LazyInstanceNorm1d", lambda: nn.LazyInstanceNorm1d(),
     lambda: nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 5)),
    ("LazyInstanceNorm1d-unbatched", lambda: nn.LazyInstanceNorm1d(bias=False),
     lambda: nn.InstanceNorm1d(3, affine=True, track_running_stats=True, bias=False), (3, 5)),
    ("LazyInstanceNorm2d", lambda: nn.LazyInstanceNorm2d(track_running_stats=False),
     lambda: nn.InstanceNorm2d(2, affine=True), (2, 2, 4, 4)),
]  # fmt: skip
IDS = [c[0] for c in CASES]


def data(shape, seed=0, dtype=np.float32):
    return td.Tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype))


@pytest.mark.parametrize("name, make_lazy, make_regular, shape", CASES, ids=IDS)
def test_the_first_call_makes_the_regular_layer(name, make_lazy, make_regular, shape):
    x = data(shape)
    td.manual_seed(0)
    regular = make_regular()
    td.manual_seed(0)
    lazy = make_lazy()
    assert type(lazy).__name__ == name.split("-")[0] and lazy.has_uninitialized_params()
    placeholders = [
        t for t in (*lazy.parameters(), *lazy.buffers())
        if isinstance(t, (nn.UninitializedParameter, nn.UninitializedBuffer))
    ]  # fmt: skip
    # every parameter and running statistic (not the count num_batches_tracked) waits
    expected = [*regular.parameters(), *(b for b in regular.buffers() if b.ndim)]
    assert len(placeholders) == len(expected)
    out = lazy(x)
    assert type(lazy) is type(regular) and repr(lazy) == repr(regular)
    assert [(k, v.shape, v.dtype) for k, v in lazy.state_dict().items()] == [
        (k, v.shape, v.dtype) for k, v in regular.state_dict().items()
    ]
    # initialised as the regular layer is, from the same random draws (and, after one call
    # each, with the same output and running statistics)
    np.testing.assert_allclose(out.data, regular(x).data, rtol=1e-6, atol=1e-7)
    for (key, mine), theirs in zip(lazy.state_dict().items(), regular.state_dict().values()):
        np.testing.assert_allclose(mine.data, theirs.data, rtol=1e-6, atol=1e-7, err_msg=key)
    # with weights copied from the regular layer, the outputs agree in both modes
    with td.no_grad():
        for p in regular.parameters():
            p.add_(td.Tensor(np.linspace(-0.5, 0.5, p.numel(), dtype=np.float32).reshape(p.shape)))
    lazy.load_state_dict(regular.state_dict())
    y = data(shape, seed=1)
    np.testing.assert_allclose(lazy(y).data, regular(y).data, rtol=1e-6, atol=1e-7)
    lazy.eval(), regular.eval()
    np.testing.assert_allclose(lazy(y).data, regular(y).data, rtol=1e-6, atol=1e-7)


def test_placeholders_materialize_in_place_and_keep_their_dtype_and_flags():
    p, b = nn.UninitializedParameter(dtype=np.float64), nn.UninitializedBuffer()
    assert p.requires_grad and not b.requires_grad
    assert (p.dtype, b.dtype) == (np.float64, np.float32)
    assert (repr(p), repr(b)) == ("<UninitializedParameter>", "<UninitializedBuffer>")
    p.materialize((2, 3))
    b.materialize(4)
    assert type(p) is nn.Parameter and type(b) is td.Tensor
    assert p.shape == (2, 3) and p.dtype == np.float64 and p.requires_grad and b.shape == (4,)
    lazy = nn.LazyLinear(2, dtype=np.float64)
    lazy(data((3, 4), dtype=np.float64))
    assert lazy.weight.dtype == np.float64 and lazy.bias.dtype == np.float64


def test_using_a_placeholder_is_an_error_by_message():
    lazy = nn.LazyLinear(3)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        lazy.weight.shape  # noqa: B018
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized buffer"):
        nn.LazyBatchNorm1d().running_mean.size()  # noqa: B018
    for use in (lambda w: w + 1, lambda w: w.numel(), lambda w: w.data, lambda w: w.sum()):
        with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter: .* "
                           "Call the module \\(forward\\) on a batch of data first"):  # fmt: skip
            use(lazy.weight)


def test_state_dict_of_an_uninitialized_module_holds_placeholders_that_cannot_be_saved(tmp_path):
    lazy = nn.LazyLinear(3)
    state = lazy.state_dict()  # as PyTorch's: the placeholders themselves
    assert list(state) == ["weight", "bias"]
    assert all(isinstance(v, nn.UninitializedParameter) for v in state.values())
    with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
        td.save(state, tmp_path / "lazy.pt")
    clone = copy.deepcopy(lazy)
    assert isinstance(clone.weight, nn.UninitializedParameter) and clone.weight is not lazy.weight


def test_an_optimiser_built_before_the_first_call_trains_the_materialized_weights():
    # PyTorch's behaviour: the optimiser accepts the placeholders (the same objects become the
    # weights), a step before any gradient changes nothing
    td.manual_seed(0)
    model = nn.Sequential(nn.LazyLinear(8), nn.Tanh(), nn.LazyLinear(1))
    opt = optim.Adam(model.parameters(), lr=0.05)
    held = opt.param_groups[0]["params"]
    opt.step()
    x = data((64, 2))
    y = (x.data[:, :1] * 2 - x.data[:, 1:]).astype(np.float32)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = ((model(x) - td.Tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(type(p) is nn.Parameter for p in held)
    assert [p.shape for p in held] == [(8, 2), (8,), (1, 8), (1,)]
    assert held == list(model.parameters())
    assert losses[-1] < 0.05 * losses[0]


def test_a_small_convolutional_network_of_lazy_layers_learns_digits():
    x_train, y_train, _, _ = td.datasets.load_digits(flatten=False)
    x, y = td.Tensor(x_train[:256]), td.Tensor(y_train[:256])
    td.manual_seed(0)
    model = nn.Sequential(
        nn.LazyConv2d(8, 3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.LazyLinear(10),
    )  # fmt: skip
    model(x[:2])
    assert [type(m).__name__ for m in model] == [
        "Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Flatten", "Linear",
    ]  # fmt: skip
    assert model[5].in_features == 8 * 4 * 4
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(25):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        opt.step()
    model.eval()
    accuracy = (model(x).argmax(axis=1).data == y.data).mean()
    assert loss.item() < 0.5 and accuracy > 0.9


def test_load_state_dict_materializes_nested_lazy_layers():
    regular = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    lazy = nn.Sequential(nn.LazyLinear(4), nn.LazyBatchNorm1d(), nn.ReLU(), nn.LazyLinear(2))
    lazy.load_state_dict(regular.state_dict())
    assert repr(lazy) == repr(regular)
    regular.eval(), lazy.eval()
    x = data((5, 3))
    np.testing.assert_array_equal(lazy(x).data, regular(x).data)
    conv = nn.LazyConv1d(6, 3, groups=3)
    conv.load_state_dict(nn.Conv1d(9, 6, 3, groups=3).state_dict())
    assert type(conv) is nn.Conv1d and conv.in_channels == 9
    transposed = nn.LazyConvTranspose2d(4, 3, groups=2, bias=False)
    transposed.load_state_dict(nn.ConvTranspose2d(6, 4, 3, groups=2, bias=False).state_dict())
    assert type(transposed) is nn.ConvTranspose2d and transposed.in_channels == 6


def test_load_state_dict_of_the_wrong_shapes_is_an_error():
    lazy = nn.LazyLinear(3)
    with pytest.raises(ValueError, match="LazyLinear.load_state_dict: 'weight' has shape \\(3,\\) "
                       "in the checkpoint, expected \\(out_features, in_features\\)"):  # fmt: skip
        lazy.load_state_dict({"weight": np.zeros(3), "bias": np.zeros(3)})
    assert isinstance(lazy, nn.LazyLinear) and lazy.has_uninitialized_params()
    with pytest.raises(RuntimeError, match="size mismatch for 'weight': the checkpoint has shape "
                       "\\(4, 2\\), the model has shape \\(3, 2\\)"):  # fmt: skip
        lazy.load_state_dict({"weight": np.zeros((4, 2)), "bias": np.zeros(3)})
    with pytest.raises(ValueError, match="'running_mean' has shape \\(2, 2\\) in the checkpoint"):
        nn.LazyBatchNorm1d(affine=False).load_state_dict({"running_mean": np.zeros((2, 2))})


@pytest.mark.parametrize(
    "make, x, message",
    [
        (lambda: nn.LazyLinear(3), td.tensor(1.0), "LazyLinear: expected an input Tensor of "
         "shape \\(\\*, in_features\\), got \\(\\)"),
        (lambda: nn.LazyConv2d(4, 3), td.ones(3, 5), "LazyConv2d: expected a 3-D \\(unbatched\\) "
         "or 4-D \\(batched\\) input, got \\(3, 5\\)"),
        (lambda: nn.LazyConv1d(4, 3, groups=2), td.ones(1, 3, 5), "LazyConv1d: the input has 3 "
         "channels, which groups=2 does not divide"),
        (lambda: nn.LazyBatchNorm1d(), td.ones(4), "LazyBatchNorm1d: expected an input of shape "
         "\\(N, C, \\*\\), got \\(4,\\)"),
    ],
)  # fmt: skip
def test_bad_first_inputs_are_errors_and_leave_the_module_lazy(make, x, message):
    lazy = make()
    with pytest.raises(ValueError, match=message):
        lazy(x)
    assert lazy.has_uninitialized_params() and type(lazy).__name__.startswith("Lazy")


def test_bad_options_are_checked_at_construction():
    with pytest.raises(TypeError, match="LazyLinear: out_features must be an int"):
        nn.LazyLinear(2.5)
    with pytest.raises(ValueError, match="LazyConv2d: out_channels \\(3\\) must be divisible"):
        nn.LazyConv2d(3, 3, groups=2)
    with pytest.raises(ValueError, match="LazyBatchNorm1d: momentum must be in \\[0, 1\\]"):
        nn.LazyBatchNorm1d(momentum=2.0)


@pytest.mark.parametrize(
    "ours, theirs, shape",
    [
        (lambda: nn.LazyLinear(3), lambda t: t.nn.LazyLinear(3), (2, 4, 5)),
        (lambda: nn.LazyConv1d(4, 2, stride=2), lambda t: t.nn.LazyConv1d(4, 2, stride=2),
         (3, 6, 9)),
        (lambda: nn.LazyConv2d(6, (2, 3), groups=3), lambda t: t.nn.LazyConv2d(6, (2, 3), groups=3),
         (1, 3, 5, 6)),
        (lambda: nn.LazyConvTranspose2d(4, 3, groups=2), lambda t: t.nn.LazyConvTranspose2d(
            4, 3, groups=2), (2, 6, 3, 3)),
        (lambda: nn.LazyBatchNorm2d(), lambda t: t.nn.LazyBatchNorm2d(), (2, 5, 3, 3)),
        (lambda: nn.LazyInstanceNorm1d(), lambda t: t.nn.LazyInstanceNorm1d(), (2, 5, 3)),
    ],
)  # fmt: skip
def test_materialized_shapes_and_class_match_pytorch(ours, theirs, shape):
    torch = pytest.importorskip("torch")
    mine, reference = ours(), theirs(torch)
    mine(td.ones(*shape))
    reference(torch.ones(*shape))
    assert type(mine).__name__ == type(reference).__name__
    want = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    assert {k: v.shape for k, v in mine.state_dict().items()} == want
