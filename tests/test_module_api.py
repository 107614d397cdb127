"""nn.Module's backward hooks, state-dict hooks, extra state and the smaller methods
(get_buffer, set_submodule, half, type, to_empty, share_memory), nn.init's deprecated names,
and the same task's small names outside nn: the window functions (td.hann_window, ...) and
td.data.get_worker_info; against PyTorch where it has them."""

import warnings

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn

RNG = np.random.default_rng(0)
W, B, X = RNG.normal(size=(3, 4)), RNG.normal(size=3), RNG.normal(size=(2, 4))
X2 = RNG.normal(size=(2, 4))


def _np(t):
    if t is None:
        return None
    return np.array(t.detach().numpy() if hasattr(t, "numpy") else t.data)


class TwoInputs:
    """`a * w + b**2`, summed with a second output: two tensor inputs and two outputs."""

    @staticmethod
    def make(lib_nn, lib):
        class Mod(lib_nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib_nn.Parameter(lib.tensor(np.linspace(0.5, 2.0, 4)))

            def forward(self, a, b):
                return a * self.w + b**2, (a * b).sum(1)

        return Mod()


def _run_two_inputs(lib, lib_nn, replace):
    """Log of the hooks' calls and the leaves' grads, for torch or td."""
    mod = TwoInputs.make(lib_nn, lib)
    log = []

    def pre(m, grad_output):
        log.append(("pre", [_np(g) for g in grad_output]))
        return (grad_output[0] * 2, grad_output[1]) if replace else None

    def full(m, grad_input, grad_output):
        log.append(("full", [_np(g) for g in grad_input], [_np(g) for g in grad_output]))
        return (grad_input[0] * 3, grad_input[1] + 1) if replace else None

    mod.register_full_backward_pre_hook(pre)
    mod.register_full_backward_hook(full)
    a = lib.tensor(X, requires_grad=True)
    b = lib.tensor(X2, requires_grad=True)
    y, z = mod(a, b)
    ((y**2).sum() + (z**3).sum()).backward()
    return log, _np(a.grad), _np(b.grad), _np(mod.w.grad)


def _compare_logs(ours, theirs):
    assert [e[0] for e in ours] == [e[0] for e in theirs]
    for mine, ref in zip(ours, theirs):
        for got, want in zip(mine[1:], ref[1:]):
            assert len(got) == len(want)
            for g, w in zip(got, want):
                if w is None:
                    assert g is None
                else:
                    np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("replace", [False, True])
def test_full_backward_hooks_two_inputs_match_torch(replace):
    torch = pytest.importorskip("torch")
    ours = _run_two_inputs(td, nn, replace)
    theirs = _run_two_inputs(torch, torch.nn, replace)
    _compare_logs(ours[0], theirs[0])
    for g, w in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def _run_linear(lib, lib_nn, input_grad, replace):
    lin = lib_nn.Linear(4, 3).double()
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(W))
        lin.bias.copy_(lib.tensor(B))
    log = []

    def pre(m, grad_output):
        log.append(("pre", [_np(g) for g in grad_output]))
        return (grad_output[0] * 2,) if replace else None

    def full(m, grad_input, grad_output):
        assert m is lin
        log.append(("full", [_np(g) for g in grad_input], [_np(g) for g in grad_output]))
        if replace and input_grad:
            return (grad_input[0] - 1,)
        return None

    h1 = lin.register_full_backward_pre_hook(pre)
    h2 = lin.register_full_backward_hook(full)
    x = lib.tensor(X, requires_grad=input_grad)
    lin(x).tanh().sum().backward()
    h1.remove()
    h2.remove()
    lin(x).tanh().sum().backward()  # no hooks now: the log does not grow
    return log, _np(x.grad), _np(lin.weight.grad), _np(lin.bias.grad)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("input_grad", [True, False])
@pytest.mark.parametrize("replace", [False, True])
def test_full_backward_hooks_linear_match_torch(input_grad, replace):
    torch = pytest.importorskip("torch")
    ours = _run_linear(td, nn, input_grad, replace)
    theirs = _run_linear(torch, torch.nn, input_grad, replace)
    assert len(ours[0]) == 2
    _compare_logs(ours[0], theirs[0])
    for g, w in zip(ours[1:], theirs[1:]):
        if w is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, w, rtol=1e-12)


def test_backward_hook_runs_once_per_call_and_per_backward():
    lin = nn.Linear(4, 3)
    calls = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append(gi[0].shape))
    x = td.tensor(X.astype(np.float32), requires_grad=True)
    (lin(x).sum() + lin(x[:1]).sum()).backward()  # two calls of the module
    assert sorted(calls) == [(1, 4), (2, 4)]
    y = lin(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert len(calls) == 4


def test_backward_hooks_work_with_grad_and_create_graph():
    lin = nn.Linear(4, 1).double()
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(gi[0].shape))
    x = td.tensor(X, requires_grad=True)
    (g,) = td.autograd.grad((lin(x) ** 2).sum(), x, create_graph=True)
    assert seen == [(2, 4)]
    g.sum().backward()  # a second derivative through the packed nodes
    w = lin.weight.numpy()  # d/dx sum(2 (x w^T + b) w) = 2 sum(w) w, in each row
    np.testing.assert_allclose(x.grad.numpy(), np.tile(2 * w.sum() * w, (2, 1)), rtol=1e-12)


def test_backward_hook_errors_by_message():
    lin = nn.Linear(4, 3).double()
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        lin(td.tensor(X, requires_grad=True)).sum().backward()
    lin = nn.Linear(4, 3).double()
    lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_output, got 2, but expected 1"):
        lin(td.tensor(X, requires_grad=True)).sum().backward()
    lin = nn.Linear(4, 3).double()
    lin.register_full_backward_hook(lambda m, gi, go: (go[0],))
    with pytest.raises(RuntimeError, match="no input requires gradient should always return None"):
        lin(td.tensor(X)).sum().backward()
    with pytest.raises(TypeError, match="register_full_backward_hook: expected a function"):
        lin.register_full_backward_hook(3)


def test_deprecated_backward_hook_warns_and_cannot_mix():
    torch = pytest.importorskip("torch")
    lin = nn.Linear(4, 3).double()
    seen = []
    with pytest.warns(FutureWarning, match="register_full_backward_hook"):
        lin.register_backward_hook(lambda m, gi, go: seen.append(_np(gi[0])))
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
        lin.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = torch.nn.Linear(4, 3)
            ref.register_backward_hook(lambda m, gi, go: None)
            ref.register_full_backward_hook(lambda m, gi, go: None)
    lin(td.tensor(X, requires_grad=True)).sum().backward()
    np.testing.assert_allclose(seen[0], np.ones((2, 3)) @ lin.weight.numpy())


def test_no_backward_hook_setup_under_no_grad():
    lin = nn.Linear(4, 3)
    lin.register_full_backward_hook(lambda m, gi, go: None)
    with td.no_grad():
        out = lin(td.tensor(X.astype(np.float32)))
    assert out.grad_fn is None


# -- state dict hooks and extra state -------------------------------------------------------


class Counter:
    @staticmethod
    def make(lib_nn):
        class WithExtra(lib_nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib_nn.Linear(2, 2)
                self.steps = 0

            def get_extra_state(self):
                return {"steps": self.steps}

            def set_extra_state(self, state):
                self.steps = state["steps"]

        return WithExtra


def _state_hook_log(lib_nn):
    outer = lib_nn.Sequential(Counter.make(lib_nn)(), lib_nn.Linear(2, 1))
    log = []
    for name, m in outer.named_modules():
        m.register_state_dict_pre_hook(lambda mod, p, kv, n=name: log.append(("pre", n, p, kv)))
        m.register_state_dict_post_hook(
            lambda mod, sd, p, meta, n=name: log.append(("post", n, p, sorted(sd)))
        )
        m.register_load_state_dict_pre_hook(
            lambda mod, sd, p, meta, strict, mk, uk, em, n=name: log.append(
                ("load_pre", n, p, strict, list(mk), list(uk), list(em))
            )
        )
        m.register_load_state_dict_post_hook(
            lambda mod, keys, n=name: log.append(("load_post", n, list(keys.missing_keys)))
        )
    outer[0].steps = 7
    state = outer.state_dict()
    outer[0].steps = 0
    outer.load_state_dict(state)
    return log, sorted(state), outer[0].steps, state["0._extra_state"]


def test_state_dict_hooks_order_and_extra_state_match_torch():
    torch = pytest.importorskip("torch")
    ours = _state_hook_log(nn)
    theirs = _state_hook_log(torch.nn)
    assert ours[1] == theirs[1]  # the keys, with '0._extra_state'
    assert ours[2] == theirs[2] == 7
    assert ours[3] == theirs[3] == {"steps": 7}
    # the state_dict hooks in PyTorch's order; the load pre-hooks (parents first) and post-hooks
    # (children first) each in PyTorch's order, though all pre-hooks run before any post-hook
    # here (the whole state_dict is checked before anything is loaded)
    for kinds in (("pre", "post"), ("load_pre",), ("load_post",)):
        assert [e for e in ours[0] if e[0] in kinds] == [e for e in theirs[0] if e[0] in kinds]


def test_load_state_dict_pre_hook_can_rename_keys_and_post_hook_can_clear_missing():
    lin = nn.Linear(2, 2)

    def rename(mod, sd, prefix, meta, strict, missing, unexpected, errors):
        for key in list(sd):
            if key.startswith("old_"):
                sd[key[4:]] = sd.pop(key)

    h = lin.register_load_state_dict_pre_hook(rename)
    given = {"old_weight": np.ones((2, 2)), "old_bias": np.zeros(2)}
    lin.load_state_dict(given)
    assert "old_weight" in given  # the hook changed a copy
    np.testing.assert_array_equal(lin.weight.numpy(), np.ones((2, 2)))
    h.remove()
    with pytest.raises(RuntimeError, match="(?s)nothing was changed.*missing key.*'weight'"):
        lin.load_state_dict(given)
    lin.register_load_state_dict_post_hook(lambda m, keys: keys.missing_keys.clear())
    keys = lin.load_state_dict({"bias": np.full(2, 5.0)})
    assert keys.missing_keys == []
    np.testing.assert_array_equal(lin.bias.numpy(), [5.0, 5.0])


def test_state_dict_hook_errors_by_message():
    lin = nn.Linear(2, 2)
    lin.register_load_state_dict_pre_hook(
        lambda m, sd, p, meta, strict, mk, uk, em: em.append("the hook says no")
    )
    with pytest.raises(RuntimeError, match="the hook says no"):
        lin.load_state_dict(lin.state_dict())
    lin = nn.Linear(2, 2)
    lin.register_state_dict_post_hook(lambda m, sd, p, meta: {})
    with pytest.raises(RuntimeError, match="post-hook must return None"):
        lin.state_dict()
    with pytest.raises(RuntimeError, match="Linear.get_extra_state: not defined"):
        nn.Linear(2, 2).get_extra_state()


def test_extra_state_missing_and_unexpected():
    mod = Counter.make(nn)()
    with pytest.raises(RuntimeError, match="missing key.*'_extra_state'"):
        mod.load_state_dict(mod._own_tensors())
    lin = nn.Linear(2, 2)
    state = {**lin.state_dict(), "_extra_state": 3}
    with pytest.raises(RuntimeError, match="unexpected key.*'_extra_state'"):
        lin.load_state_dict(state)


# -- smaller methods --------------------------------------------------------------------------


def test_get_buffer_and_set_submodule():
    torch = pytest.importorskip("torch")
    for lib_nn in (nn, torch.nn):
        net = lib_nn.Sequential(lib_nn.Linear(2, 2), lib_nn.BatchNorm1d(2))
        assert net.get_buffer("1.running_mean") is net[1].running_mean
        with pytest.raises(AttributeError, match="`weight` is not a buffer"):
            net.get_buffer("1.weight")
        with pytest.raises(AttributeError, match="has no attribute `nope`"):
            net.get_buffer("1.nope")
        new = lib_nn.Tanh()
        net.set_submodule("0", new)
        assert net[0] is new
        net.set_submodule("extra", lib_nn.ReLU())
        assert isinstance(net.extra, lib_nn.ReLU)
        with pytest.raises(AttributeError, match="has no attribute `other`"):
            net.set_submodule("other", lib_nn.ReLU(), strict=True)
        with pytest.raises(AttributeError, match="`running_mean` is not an nn.Module"):
            net.set_submodule("1.running_mean", lib_nn.ReLU())
        with pytest.raises(ValueError, match="target name"):
            net.set_submodule("", lib_nn.ReLU())
        with pytest.raises(ValueError, match="is not an nn.Module|must be an nn.Module"):
            net.set_submodule("0", 3)


def test_half_type_to_empty_share_memory():
    net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert net.half() is net
    assert all(p.dtype == np.float16 for p in net.parameters())
    assert net[1].running_mean.dtype == np.float16
    assert net[1].num_batches_tracked.dtype == np.int64  # integer buffers stay
    assert net.type(td.float64) is net and net[0].weight.dtype == np.float64
    assert net.type("float32")[0].weight.dtype == np.float32
    assert net.to_empty(device="cpu") is net and net.to_empty() is net
    assert net.share_memory() is net
    with pytest.raises(ValueError, match="Module.to_empty: device 'cuda'"):
        net.to_empty(device="cuda")
    with pytest.raises(TypeError, match="floating dtype, got int64"):
        net.type(td.int64)


def test_module_api_covers_torch_names():
    torch = pytest.importorskip("torch")
    # not applicable here: devices, compilation and torch's internals
    skip = {"T_destination", "bfloat16", "call_super_init", "compile", "cuda", "dump_patches"}
    skip |= {"ipu", "mtia", "xpu"}
    names = [n for n in dir(torch.nn.Module) if not n.startswith("_") and n not in skip]
    assert [n for n in names if not hasattr(nn.Module, n)] == []


# -- nn.init's deprecated names -------------------------------------------------------------

INIT_ALIASES = [
    ("normal", (0.0, 2.0)),
    ("uniform", (-1.0, 1.0)),
    ("constant", (0.5,)),
    ("xavier_uniform", ()),
    ("xavier_normal", ()),
    ("kaiming_uniform", ()),
    ("kaiming_normal", ()),
    ("orthogonal", ()),
    ("sparse", (0.5,)),
    ("eye", ()),
]


@pytest.mark.parametrize("name, args", INIT_ALIASES + [("dirac", ())])
def test_init_deprecated_aliases_warn_and_call_the_underscore_versions(name, args):
    shape = (2, 2, 3) if name == "dirac" else (4, 3)
    old, new = getattr(nn.init, name), getattr(nn.init, name + "_")
    a, b = td.zeros(*shape), td.zeros(*shape)
    td.manual_seed(3)
    with pytest.warns(FutureWarning, match=rf"`nn.init.{name}` is now deprecated in favor of"):
        assert old(a, *args) is a
    td.manual_seed(3)
    new(b, *args)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert old.__name__ == name


def test_init_deprecated_aliases_match_torch_names_and_warnings():
    torch = pytest.importorskip("torch")
    for name, _ in INIT_ALIASES + [("dirac", ())]:
        assert hasattr(torch.nn.init, name)
    with pytest.warns(FutureWarning) as theirs:
        torch.nn.init.constant(torch.zeros(2), 1.0)
    with pytest.warns(FutureWarning) as ours:
        nn.init.constant(td.zeros(2), 1.0)
    assert str(ours[0].message) == str(theirs[0].message)


# -- window functions and get_worker_info -------------------------------------------------

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def test_windows_closed_forms():
    n = np.arange(6.0)
    m = 6  # periodic=True: the symmetric window of length 6, without its last value
    expected = {
        "hann_window": 0.5 - 0.5 * np.cos(2 * np.pi * n / (m - 1)),
        "hamming_window": 0.54 - 0.46 * np.cos(2 * np.pi * n / (m - 1)),
        "blackman_window": 0.42
        - 0.5 * np.cos(2 * np.pi * n / (m - 1))
        + 0.08 * np.cos(4 * np.pi * n / (m - 1)),
        "bartlett_window": 1 - np.abs(2 * n / (m - 1) - 1),
        "kaiser_window": np.i0(12.0 * np.sqrt(1 - ((n - 2.5) / 2.5) ** 2)) / np.i0(12.0),
    }
    for name, want in expected.items():
        got = getattr(td, name)(5, dtype=td.float64)
        np.testing.assert_allclose(got.numpy(), want[:5], rtol=1e-12, atol=1e-15)
        sym = getattr(td, name)(6, periodic=False, dtype=td.float64)
        np.testing.assert_allclose(sym.numpy(), want, rtol=1e-12, atol=1e-15)
        assert getattr(td, name)(4).dtype == np.float32
        assert getattr(td, name)(0).shape == (0,)
        np.testing.assert_array_equal(getattr(td, name)(1).numpy(), [1.0])
        assert getattr(td, name)(3, requires_grad=True).requires_grad
    np.testing.assert_allclose(
        td.hamming_window(5, alpha=0.5, beta=0.5).numpy(), td.hann_window(5).numpy(), atol=1e-7
    )


@pytest.mark.parametrize("name", WINDOWS)
def test_windows_match_torch(name):
    torch = pytest.importorskip("torch")
    for n in (0, 1, 2, 5, 8, 33):
        for periodic in (True, False):
            for ours_dt, their_dt, tol in ((td.float32, torch.float32, 1e-6),
                                           (td.float64, torch.float64, 1e-12)):  # fmt: skip
                extra = {"beta": 5.0} if name == "kaiser_window" else {}
                if name == "hamming_window":
                    extra = {"alpha": 0.6, "beta": 0.3}
                ours = getattr(td, name)(n, periodic, dtype=ours_dt, **extra)
                theirs = getattr(torch, name)(n, periodic, dtype=their_dt, **extra).numpy()
                assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
                np.testing.assert_allclose(ours.numpy(), theirs, rtol=0, atol=tol)


def test_window_errors_by_message():
    with pytest.raises(RuntimeError, match="hann_window requires non-negative window_length"):
        td.hann_window(-1)
    with pytest.raises(RuntimeError, match="kaiser_window expects floating point dtypes"):
        td.kaiser_window(3, dtype=td.int64)
    with pytest.raises(TypeError, match="bartlett_window: window_length must be an int"):
        td.bartlett_window(2.5)
    with pytest.raises(TypeError, match="blackman_window: window_length must be an int"):
        td.blackman_window(True)


def test_get_worker_info_is_none_in_process():
    torch = pytest.importorskip("torch")
    assert td.data.get_worker_info() is None
    assert torch.utils.data.get_worker_info() is None  # torch's, in the main process

    class Split(td.data.IterableDataset):
        def __iter__(self):
            info = td.data.get_worker_info()
            return iter(range(4) if info is None else range(info.id, 4, info.num_workers))

    assert [int(b) for b in td.data.DataLoader(Split(), batch_size=None)] == [0, 1, 2, 3]


def test_backward_hooks_prepend_and_handles_match_torch():
    torch = pytest.importorskip("torch")

    def order(lib, lib_nn):
        lin = lib_nn.Linear(4, 3)
        seen = []
        lin.register_full_backward_hook(lambda m, gi, go: seen.append("full_a"))
        lin.register_full_backward_hook(lambda m, gi, go: seen.append("full_b"), prepend=True)
        h = lin.register_full_backward_pre_hook(lambda m, go: seen.append("pre_a"))
        lin.register_full_backward_pre_hook(lambda m, go: seen.append("pre_b"), prepend=True)
        x = lib.ones(2, 4, requires_grad=True)
        lin(x).sum().backward()
        h.remove()
        h.remove()  # twice: harmless
        lin(x).sum().backward()
        return seen

    assert order(td, nn) == order(torch, torch.nn)
    assert order(td, nn)[:4] == ["pre_b", "pre_a", "full_b", "full_a"]
