"""nn.utils.parametrize and nn.utils.parametrizations (weight_norm, spectral_norm,
orthogonal), and the old nn.utils.weight_norm / spectral_norm: behaviour, errors by message,
gradcheck of the new maps, and values, state_dict keys and gradients against PyTorch with the
same tensors loaded; spectral norm keeps sigma near 1 while a net trains on digits."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn.utils import parametrizations as P
from tinygrad_ds.nn.utils import parametrize

R = np.random.default_rng(3)


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a):
        return a.triu()


class Scale(nn.Module):
    def forward(self, x):
        return 2.0 * x

    def right_inverse(self, a):
        return a / 2.0


class Split(nn.Module):  # two originals
    def forward(self, a, b):
        return a + b

    def right_inverse(self, w):
        return w * 0.25, w * 0.75


def lin(n_in=3, n_out=3):
    return nn.Linear(n_in, n_out, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# parametrize
# ---------------------------------------------------------------------------------------------


def test_register_symmetric_and_gradient():
    m = lin()
    w0 = m.weight
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    assert parametrize.type_before_parametrizations(m) is nn.Linear
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias") and not parametrize.is_parametrized(lin())
    assert m.parametrizations.weight.original is w0  # the same Parameter, now upper triangle
    np.testing.assert_array_equal(m.weight.data, m.weight.data.T)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    x = td.Tensor(R.standard_normal((2, 3)))
    m(x).sum().backward()
    g = np.ones((2, 3)).T @ x.data  # d/dW of sum(x W^T + b), then through W = U + U^T - diag
    want = np.triu(g) + np.triu(g.T, 1)
    np.testing.assert_allclose(w0.grad.data, want)
    assert type(lin()).__name__ == "Linear"  # other instances untouched


def test_assign_uses_right_inverse_and_chain():
    m = lin()
    parametrize.register_parametrization(m, "weight", Symmetric())
    parametrize.register_parametrization(m, "weight", Scale())
    a = R.standard_normal((3, 3))
    s = a + a.T
    m.weight = td.Tensor(s)
    np.testing.assert_allclose(m.weight.data, s)
    np.testing.assert_allclose(m.parametrizations.weight.original.data, np.triu(s) / 2)
    assert len(m.parametrizations.weight) == 2


def test_cached_and_remove():
    m = lin()
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert m.weight is not m.weight
    with parametrize.cached():
        assert m.weight is m.weight
    value = m.weight.data.copy()
    original = m.parametrizations.weight.original
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and "parametrizations" not in m._modules
    assert m.weight is original and m.weight.requires_grad
    np.testing.assert_array_equal(m.weight.data, value)
    assert list(m.state_dict()) == ["weight", "bias"] or set(m.state_dict()) == {"weight", "bias"}
    m2 = lin()
    parametrize.register_parametrization(m2, "weight", Symmetric())
    upper = m2.parametrizations.weight.original.data.copy()
    parametrize.remove_parametrizations(m2, "weight", leave_parametrized=False)
    np.testing.assert_array_equal(m2.weight.data, upper)


def test_several_originals():
    m = lin()
    w = m.weight.data.copy()
    parametrize.register_parametrization(m, "weight", Split())
    plist = m.parametrizations.weight
    np.testing.assert_allclose(plist.original1.data, 0.75 * w)
    np.testing.assert_allclose(m.weight.data, w)
    assert {"parametrizations.weight.original0", "parametrizations.weight.original1"} <= set(
        m.state_dict()
    )
    with pytest.raises(ValueError, match="sequence of tensors"):
        parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    parametrize.remove_parametrizations(m, "weight")
    assert isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.data, w)


def test_parametrize_errors():
    class Shrink(nn.Module):
        def forward(self, x):
            return x[:1]

    with pytest.raises(ValueError, match="may not change the shape or dtype"):
        parametrize.register_parametrization(lin(), "weight", Shrink())
    m = parametrize.register_parametrization(lin(), "weight", Shrink(), unsafe=True)
    assert m.weight.shape == (1, 3)
    with pytest.raises(ValueError, match="no parameter or buffer with name 'kernel'"):
        parametrize.register_parametrization(lin(), "kernel", Symmetric())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(lin(), "weight")
    with pytest.raises(TypeError, match="must be nn.Modules"):
        parametrize.register_parametrization(lin(), "weight", lambda x: x)
    m = parametrize.register_parametrization(lin(), "weight", Symmetric())
    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(m, "weight", Shrink())


def test_parametrize_against_torch():
    torch = pytest.importorskip("torch")
    tp = torch.nn.utils.parametrize

    class TSym(torch.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).mT

        def right_inverse(self, a):
            return a.triu()

    ours, theirs = lin(), torch.nn.Linear(3, 3, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    parametrize.register_parametrization(ours, "weight", Symmetric())
    tp.register_parametrization(theirs, "weight", TSym())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].data, v.numpy())
    x = R.standard_normal((4, 3))
    (ours(td.Tensor(x)) ** 2).sum().backward()
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), err_msg=k)


# ---------------------------------------------------------------------------------------------
# parametrizations: weight_norm, spectral_norm, orthogonal
# ---------------------------------------------------------------------------------------------


def _copy_into_torch(torch, ours, theirs):
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})


def _layers(torch, kind):
    if kind == "linear":
        return lin(3, 4), torch.nn.Linear(3, 4, dtype=torch.float64), (5, 3)
    if kind == "conv":
        ours = nn.Conv2d(2, 3, 2, dtype=np.float64)
        return ours, torch.nn.Conv2d(2, 3, 2, dtype=torch.float64), (2, 2, 4, 4)
    ours = nn.ConvTranspose2d(2, 3, 2, dtype=np.float64)
    return ours, torch.nn.ConvTranspose2d(2, 3, 2, dtype=torch.float64), (2, 2, 3, 3)


def _compare(torch, ours, theirs, shape, steps=1):
    for _ in range(steps):
        x = R.standard_normal(shape)
        ya, yb = ours(td.Tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(ya.data, yb.detach().numpy(), atol=1e-12)
        w = R.standard_normal(ya.shape)
        (ya * td.Tensor(w)).sum().backward()
        (yb * torch.tensor(w)).sum().backward()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].data, v.numpy(), atol=1e-12, err_msg=k)
    for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), atol=1e-10, err_msg=k)


@pytest.mark.parametrize("kind, dim", [("linear", 0), ("linear", 1), ("linear", None),
                                       ("conv", 0), ("conv", 1), ("linear", -2)])  # fmt: skip
def test_weight_norm_against_torch(kind, dim):
    torch = pytest.importorskip("torch")
    ours, theirs, shape = _layers(torch, kind)
    _copy_into_torch(torch, ours, theirs)
    P.weight_norm(ours, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
    _compare(torch, ours, theirs, shape)


@pytest.mark.parametrize("kind, training", [("linear", True), ("linear", False),
                                            ("conv", True), ("convT", True)])  # fmt: skip
def test_spectral_norm_against_torch(kind, training):
    torch = pytest.importorskip("torch")
    ours, theirs, shape = _layers(torch, kind)
    _copy_into_torch(torch, ours, theirs)
    P.spectral_norm(ours, n_power_iterations=2)
    torch.nn.utils.parametrizations.spectral_norm(theirs, n_power_iterations=2)
    _copy_into_torch(torch, ours, theirs)  # the same u and v
    ours.train(training)
    theirs.train(training)
    _compare(torch, ours, theirs, shape, steps=2)


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("n_in, n_out", [(3, 3), (3, 4), (4, 2)])
def test_orthogonal_against_torch(orthogonal_map, n_in, n_out):
    torch = pytest.importorskip("torch")
    ours, theirs = lin(n_in, n_out), torch.nn.Linear(n_in, n_out, dtype=torch.float64)
    P.orthogonal(ours, orthogonal_map=orthogonal_map)
    torch.nn.utils.parametrizations.orthogonal(theirs, orthogonal_map=orthogonal_map)
    original = R.standard_normal((n_out, n_in)) * 0.3
    k = min(n_in, n_out)  # householder reads the signs of the diagonal (-1 at registration)
    original[np.arange(k), np.arange(k)] = -1.0
    with td.no_grad():
        ours.parametrizations.weight.original.copy_(td.Tensor(original))
    _copy_into_torch(torch, ours, theirs)  # the same base and original
    w = ours.weight.data
    q = w if n_out >= n_in else w.T
    np.testing.assert_allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-12)
    _compare(torch, ours, theirs, (2, n_in))


def test_weight_norm_keeps_weight_and_spectral_norm_1d():
    m = lin(3, 4)
    w = m.weight.data.copy()
    P.weight_norm(m)
    np.testing.assert_allclose(m.weight.data, w)
    g = m.parametrizations.weight.original0.data
    np.testing.assert_allclose(g[:, 0], np.linalg.norm(w, axis=1))
    b = nn.Module()
    b.v = nn.Parameter(np.array([3.0, 4.0]))
    P.spectral_norm(b, "v")
    np.testing.assert_allclose(b.v.data, [0.6, 0.8])


def test_gradcheck_new_maps():
    v = td.Tensor(R.standard_normal((3, 4)), requires_grad=True)
    g = td.Tensor(R.standard_normal((3, 1)), requires_grad=True)
    assert td.gradcheck(lambda g, v: P._weight_norm(v, g, 0), [g, v])
    for orthogonal_map in ["matrix_exp", "cayley", "householder"]:
        m = P.orthogonal(lin(3, 4), orthogonal_map=orthogonal_map)
        x = td.Tensor(R.standard_normal((4, 3)) * 0.5, requires_grad=True)
        assert td.gradcheck(m.parametrizations.weight[0], [x])
    m = P.spectral_norm(lin(3, 4)).eval()
    x = td.Tensor(R.standard_normal((4, 3)), requires_grad=True)
    assert td.gradcheck(m.parametrizations.weight[0], [x])
    # a second derivative through weight_norm
    (dv,) = td.grad((P._weight_norm(v, g, 0) ** 3).sum(), [v], create_graph=True)
    assert td.gradcheck(lambda v: td.grad((P._weight_norm(v, g, 0) ** 3).sum(), [v],
                                          create_graph=True)[0], [v])  # fmt: skip
    assert dv.requires_grad


def test_parametrizations_errors():
    with pytest.raises(ValueError, match="n_power_iterations=0"):
        P.spectral_norm(lin(), n_power_iterations=0)
    with pytest.raises(IndexError, match="dim must be in"):
        P.spectral_norm(lin(), dim=2)
    with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
        P.orthogonal(lin(), orthogonal_map="qr")
    with pytest.raises(ValueError, match="matrix or batch of matrices"):
        P.orthogonal(lin(), "bias")
    with pytest.raises(ValueError, match="no parameter or buffer with name 'w'"):
        P.weight_norm(lin(), "w")
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        P.orthogonal(lin(), use_trivialization=False)


# ---------------------------------------------------------------------------------------------
# the old API: weight_g / weight_v, weight_orig / weight_u / weight_v
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, dim", [("linear", 0), ("conv", 1), ("linear", None)])
def test_old_weight_norm_against_torch(kind, dim):
    torch = pytest.importorskip("torch")
    ours, theirs, shape = _layers(torch, kind)
    _copy_into_torch(torch, ours, theirs)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        nn.utils.weight_norm(ours, dim=dim)
    with pytest.warns(FutureWarning):
        torch.nn.utils.weight_norm(theirs, dim=dim)
    _compare(torch, ours, theirs, shape, steps=2)
    nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert set(ours.state_dict()) == set(theirs.state_dict()) == {"weight", "bias"}
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), atol=1e-12)
    assert not ours._forward_pre_hooks


@pytest.mark.parametrize("kind, training", [("linear", True), ("conv", False), ("convT", True)])
def test_old_spectral_norm_against_torch(kind, training):
    torch = pytest.importorskip("torch")
    ours, theirs, shape = _layers(torch, kind)
    _copy_into_torch(torch, ours, theirs)
    nn.utils.spectral_norm(ours, n_power_iterations=3)
    torch.nn.utils.spectral_norm(theirs, n_power_iterations=3)
    _copy_into_torch(torch, ours, theirs)
    ours.train(training)
    theirs.train(training)
    _compare(torch, ours, theirs, shape, steps=2)
    nn.utils.remove_spectral_norm(ours)
    torch.nn.utils.remove_spectral_norm(theirs)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), atol=1e-12)
    assert set(ours.state_dict()) == {"weight", "bias"}


def test_old_api_errors():
    m = lin()
    with pytest.warns(FutureWarning):
        nn.utils.weight_norm(m)
    with pytest.raises(RuntimeError, match="two weight_norm hooks"), pytest.warns(FutureWarning):
        nn.utils.weight_norm(m)
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found"):
        nn.utils.remove_weight_norm(m, "bias")
    m = nn.utils.spectral_norm(lin())
    with pytest.raises(RuntimeError, match="two spectral_norm hooks"):
        nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(lin())
    with pytest.raises(ValueError, match="no parameter 'w'"):
        nn.utils.spectral_norm(lin(), "w")


# ---------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------


def test_spectral_norm_start_vectors_follow_manual_seed():
    draws = []
    for _ in range(2):
        td.manual_seed(7)
        lin = nn.Linear(5, 4)
        P.spectral_norm(lin, n_power_iterations=1)
        old = nn.utils.spectral_norm(nn.Linear(5, 4))
        draws.append((lin.parametrizations.weight[0]._u.data.copy(), old.weight_u.data.copy()))
    for a, b in zip(*draws):
        np.testing.assert_array_equal(a, b)


def test_spectral_norm_keeps_sigma_near_one_while_training_on_digits():
    x_train, y_train, _, _ = td.datasets.load_digits()
    x, y = td.Tensor(x_train[:512]), td.Tensor(y_train[:512])
    td.manual_seed(0)
    hidden = P.spectral_norm(nn.Linear(64, 32))
    model = nn.Sequential(hidden, nn.ReLU(), nn.Linear(32, 10))
    opt = td.optim.Adam(model.parameters(), lr=0.003)
    first, sigmas = None, []
    for step in range(100):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
        if step % 20 == 19:
            sigmas.append(np.linalg.svd(hidden.weight.data, compute_uv=False)[0])
    assert loss.item() < 0.5 * first
    # one power-iteration step per update: the estimate lags the moving weight a little
    assert max(sigmas) < 1.5 and np.median(sigmas) < 1.15, sigmas
    with td.no_grad():
        for _ in range(20):  # more power iterations on the final weight converge
            hidden(x)
    hidden.eval()
    sigma = np.linalg.svd(hidden.weight.data, compute_uv=False)[0]
    assert abs(sigma - 1) < 0.02
    raw = np.linalg.svd(hidden.parametrizations.weight.original.data, compute_uv=False)[0]
    assert raw > 1.5  # the raw weight grew; its normalized version did not


def test_weight_norm_on_an_lstm_against_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.LSTM(3, 4, dtype=np.float64), torch.nn.LSTM(3, 4, dtype=torch.float64)
    _copy_into_torch(torch, ours, theirs)
    P.weight_norm(ours, "weight_hh_l0")
    torch.nn.utils.parametrizations.weight_norm(theirs, "weight_hh_l0")
    x = R.standard_normal((5, 2, 3))
    ya, yb = ours(td.Tensor(x))[0], theirs(torch.tensor(x))[0]
    np.testing.assert_allclose(ya.data, yb.detach().numpy(), atol=1e-12)
    ya.sum().backward()
    yb.sum().backward()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), atol=1e-10, err_msg=k)


def test_deepcopy_of_a_parametrized_module_is_independent():
    import copy

    m = parametrize.register_parametrization(lin(), "weight", Symmetric())
    c = copy.deepcopy(m)
    assert type(c) is not type(m) and type(c).__name__ == "ParametrizedLinear"
    assert c.parametrizations.weight.original is not m.parametrizations.weight.original
    np.testing.assert_array_equal(c.weight.data, m.weight.data)
    parametrize.remove_parametrizations(c, "weight")
    assert type(c) is nn.Linear and parametrize.is_parametrized(m, "weight")
    np.testing.assert_array_equal(m.weight.data, m.weight.data.T)


def test_orthogonal_assignment_keeps_an_orthogonal_matrix():
    m = P.orthogonal(lin(4, 4), orthogonal_map="cayley")
    q = np.linalg.qr(R.standard_normal((4, 4)))[0]
    m.weight = td.Tensor(q)
    np.testing.assert_allclose(m.weight.data, q, atol=1e-12)
    np.testing.assert_allclose(m.parametrizations.weight.original.data, -np.eye(4))
    with pytest.raises(ValueError, match=r"expected a matrix or batch of matrices of shape"):
        m.weight = td.Tensor(np.eye(3))


def test_parametrize_a_buffer_and_load_state_dict():
    m = nn.Module()
    m.register_buffer("b", td.Tensor(np.array([1.0, 2.0])))
    parametrize.register_parametrization(m, "b", Scale())
    assert [n for n, _ in m.named_buffers()] == ["parametrizations.b.original"]
    assert not list(m.parameters())
    np.testing.assert_allclose(m.b.data, [1.0, 2.0])
    m.load_state_dict({"parametrizations.b.original": np.array([3.0, 4.0])})
    np.testing.assert_allclose(m.b.data, [6.0, 8.0])
    parametrize.remove_parametrizations(m, "b")
    assert [n for n, _ in m.named_buffers()] == ["b"]
