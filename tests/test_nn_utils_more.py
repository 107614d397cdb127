"""nn.utils: fusion of eval-mode batch norm into conv / linear (against the unfused modules and
PyTorch), skip_init, stateless.functional_call (values, gradients to the given tensors, tied
weights, parametrized modules, strict keys), clip_grad_norm (deprecated alias), and that the
old nn.utils names still import."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn.utils import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
    skip_init,
)
from tinygrad_ds.nn.utils.stateless import functional_call

R = np.random.default_rng(7)


def _bn(bn):
    with td.no_grad():
        bn.running_mean.copy_(td.Tensor(R.standard_normal(bn.num_features)))
        bn.running_var.copy_(td.Tensor(R.uniform(0.5, 2.0, bn.num_features)))
        if bn.weight is not None:
            bn.weight.copy_(td.Tensor(R.standard_normal(bn.num_features)))
            bn.bias.copy_(td.Tensor(R.standard_normal(bn.num_features)))
    return bn.eval()


@pytest.mark.parametrize("kind, bias, affine", [
    ("conv2d", True, True), ("conv2d", False, True), ("conv1d", True, False),
    ("convT2d", True, True), ("linear", True, True), ("linear", False, False),
])  # fmt: skip
def test_fusion_matches_unfused(kind, bias, affine):
    f64 = np.float64
    if kind == "conv2d":
        a, bn, x = nn.Conv2d(2, 3, 2, bias=bias, dtype=f64), nn.BatchNorm2d, (2, 2, 4, 4)
    elif kind == "conv1d":
        a, bn, x = nn.Conv1d(2, 3, 2, bias=bias, dtype=f64), nn.BatchNorm1d, (2, 2, 5)
    elif kind == "convT2d":
        a, bn, x = nn.ConvTranspose2d(2, 3, 2, bias=bias, dtype=f64), nn.BatchNorm2d, (2, 2, 3, 3)
    else:
        a, bn, x = nn.Linear(4, 3, bias=bias, dtype=f64), nn.BatchNorm1d, (5, 4)
    bn = _bn(bn(3, affine=affine, dtype=f64))
    a.eval()
    x = td.Tensor(R.standard_normal(x))
    if kind == "linear":
        fused = fuse_linear_bn_eval(a, bn)
    else:
        fused = fuse_conv_bn_eval(a, bn, transpose=kind == "convT2d")
    assert fused is not a and isinstance(fused.weight, nn.Parameter)
    assert isinstance(fused.bias, nn.Parameter) and fused.weight.requires_grad
    np.testing.assert_allclose(fused(x).data, bn(a(x)).data, atol=1e-12)
    if not bias:
        assert a.bias is None  # the original is untouched


def test_fusion_weights_against_torch():
    torch = pytest.importorskip("torch")
    fu = torch.nn.utils.fusion
    b = R.standard_normal(3)
    rm, rv = R.standard_normal(3), R.uniform(0.5, 2, 3)
    g, beta = R.standard_normal(3), R.standard_normal(3)
    T, t = td.Tensor, torch.tensor
    for transpose in (False, True):
        w = R.standard_normal((2, 3, 2, 2) if transpose else (3, 2, 2, 2))
        ours = fuse_conv_bn_weights(T(w), T(b), T(rm), T(rv), 1e-5, T(g), T(beta), transpose)
        theirs = fu.fuse_conv_bn_weights(t(w), t(b), t(rm), t(rv), 1e-5, t(g), t(beta),
                                         transpose)  # fmt: skip
        for a, c in zip(ours, theirs):
            np.testing.assert_allclose(a.data, c.detach().numpy())
    w = R.standard_normal((3, 4))
    ours = fuse_linear_bn_weights(T(w), None, T(rm), T(rv), 1e-3, None, None)
    ones, zeros = t(np.ones(3)), t(np.zeros(3))  # PyTorch's linear version needs gamma, beta
    theirs = fu.fuse_linear_bn_weights(t(w), zeros, t(rm), t(rv), 1e-3, ones, zeros)
    for a, c in zip(ours, theirs):
        np.testing.assert_allclose(a.data, c.detach().numpy())
    assert ours[1].dtype == np.float64


def test_fusion_errors():
    conv, bn = nn.Conv2d(2, 3, 2), nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match="fusion only for eval"):
        fuse_conv_bn_eval(conv, bn)
    with pytest.raises(ValueError, match="bn.num_features == 1; got 3 and 4"):
        fuse_linear_bn_eval(nn.Linear(2, 3).eval(), nn.BatchNorm1d(4).eval())
    with pytest.raises(ValueError, match="running statistics"):
        fuse_linear_bn_eval(nn.Linear(2, 3).eval(),
                            nn.BatchNorm1d(3, track_running_stats=False).eval())  # fmt: skip


def test_skip_init():
    m = skip_init(nn.Linear, 3, 4, bias=False)
    assert type(m) is nn.Linear and m.weight.shape == (4, 3) and m.bias is None
    assert m.weight.requires_grad and m.weight.dtype == np.float32
    with pytest.raises(RuntimeError, match="expected a Module class"):
        skip_init(lambda: None)


# ---------------------------------------------------------------------------------------------
# functional_call
# ---------------------------------------------------------------------------------------------


def test_functional_call_values_and_gradients():
    model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.Tanh(),
                          nn.Linear(4, 2, dtype=np.float64))  # fmt: skip
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    new = {k: td.Tensor(R.standard_normal(v.shape), requires_grad=True)
           for k, v in model.state_dict().items()}  # fmt: skip
    x = td.Tensor(R.standard_normal((5, 3)))
    out = functional_call(model, new, (x,))
    want = np.tanh(x.data @ new["0.weight"].data.T + new["0.bias"].data)
    want = want @ new["2.weight"].data.T + new["2.bias"].data
    np.testing.assert_allclose(out.data, want)
    out.sum().backward()
    assert all(v.grad is not None for v in new.values())
    assert all(p.grad is None for p in model.parameters())
    for k, v in model.state_dict().items():  # put back
        np.testing.assert_array_equal(v.data, before[k])
    assert isinstance(model[0].weight, nn.Parameter)
    # a partial dict, one positional argument not in a tuple, a second dict
    part = functional_call(model, ({"0.bias": new["0.bias"]}, {"2.bias": new["2.bias"]}), x)
    assert part.shape == (5, 2)


def test_functional_call_gradcheck_and_buffers():
    lin = nn.Linear(3, 2, dtype=np.float64)
    x = td.Tensor(R.standard_normal((4, 3)))
    w = td.Tensor(R.standard_normal((2, 3)), requires_grad=True)
    assert td.gradcheck(lambda w: functional_call(lin, {"weight": w}, (x,)) ** 2, [w])
    bn = nn.BatchNorm1d(3, dtype=np.float64).eval()
    mean = td.Tensor(np.ones(3))
    out = functional_call(bn, {"running_mean": mean}, (x,))
    np.testing.assert_allclose(out.data, (x.data - 1) / np.sqrt(1 + bn.eps), atol=1e-12)
    assert not bn.running_mean.data.any()


def test_functional_call_tied_parametrized_strict():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False, dtype=np.float64)
            self.b = nn.Linear(2, 2, bias=False, dtype=np.float64)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m, x = Tied(), td.Tensor(R.standard_normal((3, 2)))
    w = td.Tensor(R.standard_normal((2, 2)))
    np.testing.assert_allclose(functional_call(m, {"a.weight": w}, x).data,
                               x.data @ w.data.T @ w.data.T)  # fmt: skip
    untied = functional_call(m, {"a.weight": w}, x, tie_weights=False).data
    np.testing.assert_allclose(untied, x.data @ w.data.T @ m.a.weight.data.T)
    with pytest.raises(ValueError, match="which are tied"):
        functional_call(m, {"a.weight": w, "b.weight": td.Tensor(np.eye(2))}, x)
    with pytest.raises(RuntimeError, match=r"unexpected key\(s\) \['c'\], missing"):
        functional_call(m, {"a.weight": w, "c": w}, x, strict=True)
    lin = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2, dtype=np.float64))
    out = functional_call(lin, {"weight": w}, x)  # replaces the parametrized tensor
    np.testing.assert_allclose(out.data, x.data @ w.data.T + lin.bias.data)
    assert not np.allclose(lin.weight.data, w.data)  # the parametrization is back


def test_functional_call_against_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Linear(3, 2, dtype=np.float64)
    theirs = torch.nn.Linear(3, 2, dtype=torch.float64)
    w, x = R.standard_normal((2, 3)), R.standard_normal((4, 3))
    wa, wb = td.Tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ya = functional_call(ours, {"weight": wa, "bias": td.Tensor(np.zeros(2))}, (td.Tensor(x),))
    yb = torch.func.functional_call(theirs, {"weight": wb, "bias": torch.zeros(2,
                                    dtype=torch.float64)}, (torch.tensor(x),))  # fmt: skip
    np.testing.assert_allclose(ya.data, yb.detach().numpy())
    (ya**2).sum().backward()
    (yb**2).sum().backward()
    np.testing.assert_allclose(wa.grad.data, wb.grad.numpy())


# ---------------------------------------------------------------------------------------------
# the package keeps the old names
# ---------------------------------------------------------------------------------------------


def test_clip_grad_norm_alias_and_old_imports():
    from tinygrad_ds.nn.utils import clip_grad_norm_, l2_penalty, parameters_to_vector

    p = td.Tensor([3.0, 4.0], requires_grad=True)
    p.grad = td.Tensor([3.0, 4.0])
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        total = nn.utils.clip_grad_norm(p, 1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.data, [0.6, 0.8], rtol=1e-5)
    assert callable(clip_grad_norm_) and callable(l2_penalty) and callable(parameters_to_vector)
    assert nn.utils.rnn.PackedSequence is nn.utils.PackedSequence
