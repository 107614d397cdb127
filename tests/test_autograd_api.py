"""td.autograd's namespace: functional (vjp, jvp, vhp, hvp, jacobian, hessian), gradgradcheck,
inference_mode and anomaly detection, against closed forms and PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds.autograd import functional as AF

R = np.random.default_rng(3)


def t64(a, requires_grad=False):
    return td.Tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def cube_sum(x):
    return (x**3).sum()


def two_in_two_out(x, w):
    return (w @ x).tanh(), (x * x).sum()


# -- the namespace ------------------------------------------------------------------------


def test_namespace_has_pytorchs_names():
    for name in ("grad", "backward", "Function", "gradcheck", "gradgradcheck", "functional",
                 "detect_anomaly", "set_detect_anomaly"):  # fmt: skip
        assert hasattr(td.autograd, name), name
    assert td.autograd.Function is td.Function and td.autograd.gradcheck is td.gradcheck
    from tinygrad_ds.autograd.functional import vjp  # as from torch.autograd.functional

    assert vjp is AF.vjp
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        td.autograd.nonsense  # noqa: B018


# -- closed forms -------------------------------------------------------------------------


def test_vjp_jvp_hvp_vhp_closed_forms():
    x = t64([1.0, -2.0, 0.5])
    v = t64([0.3, 1.0, -2.0])
    out, g = AF.vjp(cube_sum, x)  # v = None: one-element output
    assert float(out.data) == pytest.approx(np.sum(x.data**3))
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    _, g = AF.vjp(lambda t: t * t, x, v)  # v^T diag(2x)
    np.testing.assert_allclose(g.data, 2 * x.data * v.data)
    out, jv = AF.jvp(lambda t: t.sin(), x, v)  # diag(cos x) v
    np.testing.assert_allclose(out.data, np.sin(x.data))
    np.testing.assert_allclose(jv.data, np.cos(x.data) * v.data)
    for fn in (AF.hvp, AF.vhp):  # H = diag(6x)
        out, hv = fn(cube_sum, x, v)
        np.testing.assert_allclose(hv.data, 6 * x.data * v.data)
        assert not hv.requires_grad and not out.requires_grad and hv.dtype == np.float64


def test_jvp_of_a_non_diagonal_jacobian_and_tuple_structures():
    x, w = t64(R.standard_normal(3)), t64(R.standard_normal((2, 3)))
    vx, vw = t64(R.standard_normal(3)), t64(R.standard_normal((2, 3)))
    (y, s), (jy, js) = AF.jvp(two_in_two_out, (x, w), (vx, vw))
    sech2 = 1 - np.tanh(w.data @ x.data) ** 2
    np.testing.assert_allclose(jy.data, sech2 * (w.data @ vx.data + vw.data @ x.data))
    np.testing.assert_allclose(js.data, 2 * x.data @ vx.data)
    _, (gx, gw) = AF.vjp(two_in_two_out, (x, w), (t64([1.0, 0.0]), t64(0.0)))
    np.testing.assert_allclose(gx.data, sech2[0] * w.data[0])
    np.testing.assert_allclose(gw.data[1], 0.0)
    (jac,) = AF.jacobian(lambda a: a * 2, (x,))  # a tuple in, a tuple out
    np.testing.assert_allclose(jac.data, 2 * np.eye(3))


def test_unused_inputs_give_zeros_and_strict_raises():
    x, y = t64([1.0, 2.0]), t64([3.0])
    _, (gx, gy) = AF.vjp(lambda a, b: (a * 2).sum(), (x, y))
    np.testing.assert_array_equal(gy.data, [0.0])
    with pytest.raises(RuntimeError, match="vjp: the output of func is independent of input 1"):
        AF.vjp(lambda a, b: (a * 2).sum(), (x, y), strict=True)
    with pytest.raises(RuntimeError, match="output 0 of func does not require grad"):
        AF.vjp(lambda a: td.Tensor([1.0, 2.0]), x, t64([1.0, 1.0]), strict=True)
    with pytest.raises(RuntimeError, match="jacobian: output 0 of func is independent of input 1"):
        AF.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    _, j = AF.jvp(lambda a, b: a * 2, (x, y), (x, y))  # shaped as the one output
    np.testing.assert_allclose(j.data, 2 * x.data)


def test_create_graph_keeps_results_connected_for_second_derivatives():
    x = t64([0.5, 1.5], requires_grad=True)
    v = t64([1.0, 1.0])
    _, g = AF.vjp(cube_sum, x, create_graph=True)  # 3x^2, its sum's gradient 6x
    assert g.requires_grad
    (gg,) = td.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, 6 * x.data)
    _, jv = AF.jvp(lambda t: t**3, x, v, create_graph=True)  # 3x^2 v
    (gj,) = td.grad(jv.sum(), x)
    np.testing.assert_allclose(gj.data, 6 * x.data)
    _, hv = AF.hvp(cube_sum, x, v, create_graph=True)  # 6x v, gradient 6v
    (gh,) = td.grad(hv.sum(), x)
    np.testing.assert_allclose(gh.data, 6.0)
    assert x.grad is None and x.data.tolist() == [0.5, 1.5]  # inputs untouched


def test_float32_stays_float32():
    x = td.Tensor([1.0, 2.0])
    _, g = AF.vjp(cube_sum, x)
    _, jv = AF.jvp(lambda t: t * t, x, td.Tensor([1.0, 1.0]))
    _, hv = AF.hvp(cube_sum, x, td.Tensor([1.0, 1.0]))
    assert g.dtype == jv.dtype == hv.dtype == np.float32


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: AF.vjp(lambda t: t * 2, x), RuntimeError,
         "vjp: v can be None only if the output of func is a single Tensor with a single"),
        (lambda x: AF.jvp(lambda t: t * 2, x), RuntimeError,
         "jvp: v can be None only if the input is a single Tensor with a single element"),
        (lambda x: AF.vjp(lambda t: t * 2, x, t64([1.0, 2.0])), RuntimeError,
         r"vjp: v\[0\] has shape \(2,\), but the output of func's tensor 0 has shape \(3,\)"),
        (lambda x: AF.vjp(lambda t: 3, x), TypeError,
         "vjp: the outputs of func must be a Tensor or a tuple of Tensors, got int"),
        (lambda x: AF.vjp(lambda t: t, 3.0), TypeError,
         "vjp: the inputs must be a Tensor or a tuple of Tensors, got float"),
        (lambda x: AF.hvp(lambda t: t * 2, x, x), RuntimeError,
         "hvp: the Tensor returned by func must have a single element"),
        (lambda x: AF.vjp(lambda t: t, td.Tensor([1, 2])), TypeError,
         "vjp: input 0 has dtype int64; derivatives need floats"),
        (lambda x: AF.jacobian(lambda t: t, x, strategy="forward-mode"), RuntimeError,
         "jacobian: strategy='forward-mode' requires vectorize=True"),
        (lambda x: AF.hessian(cube_sum, x, outer_jacobian_strategy="sideways"), ValueError,
         "hessian: strategy must be 'reverse-mode' or 'forward-mode', got 'sideways'"),
        (lambda x: AF.vjp(lambda t: t, x, (x, x)), RuntimeError,
         "vjp: v has 2 tensors, but the output of func has 1"),
    ],
)  # fmt: skip
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(t64([1.0, 2.0, 3.0]))


# -- gradgradcheck ------------------------------------------------------------------------


def test_gradgradcheck_passes_for_correct_ops_and_catches_a_wrong_second_derivative():
    x = t64(R.standard_normal((2, 3)), requires_grad=True)
    w = t64(R.standard_normal((3, 2)), requires_grad=True)
    assert td.autograd.gradgradcheck(lambda a, b: (a @ b).tanh(), (x, w))
    assert td.autograd.gradgradcheck(lambda a: a.sigmoid() * a, x, t64(np.ones((2, 3))))

    class BadSquare(td.Function):  # first derivative right, second wrong: d(2x)/dx taken as 3
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a.data**2

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * (a * 1.5 + a.detach() * 0.5)

    z = t64([0.7, -1.2], requires_grad=True)
    assert td.gradcheck(BadSquare.apply, z)
    with pytest.raises(td.GradcheckError, match="gradgradcheck: gradcheck: input 0"):
        td.autograd.gradgradcheck(BadSquare.apply, z)
    assert td.autograd.gradgradcheck(BadSquare.apply, z, raise_exception=False) is False
    with pytest.raises(ValueError, match=r"grad_outputs\[0\] has shape \(3,\), but output 0"):
        td.autograd.gradgradcheck(BadSquare.apply, z, t64([1.0, 2.0, 3.0]))


# -- inference mode -----------------------------------------------------------------------


def test_inference_mode_as_context_and_decorators():
    x = td.Tensor([1.0, 2.0], requires_grad=True)
    assert not td.is_inference_mode_enabled()
    with td.inference_mode():
        y = x * 2
        assert td.is_inference_mode_enabled() and not td.is_grad_enabled()
        with td.inference_mode(False):  # both back on, as PyTorch
            assert not td.is_inference_mode_enabled() and td.is_grad_enabled()
            assert (x * 2).requires_grad
    assert not y.requires_grad and td.is_grad_enabled() and not td.is_inference_mode_enabled()

    @td.inference_mode
    def bare():
        return td.is_inference_mode_enabled(), (x * 2).requires_grad

    @td.inference_mode()
    def called():
        return td.is_inference_mode_enabled(), (x * 2).requires_grad

    assert bare() == called() == (True, False)
    with td.no_grad(), td.inference_mode(False):
        assert td.is_grad_enabled()


def test_inference_mode_matches_pytorch():
    torch = pytest.importorskip("torch")
    for outer in (True, False):
        with torch.inference_mode(outer), td.inference_mode(outer):
            for inner in (True, False):
                with torch.inference_mode(inner), td.inference_mode(inner):
                    assert td.is_grad_enabled() == torch.is_grad_enabled()
                    assert td.is_inference_mode_enabled() == torch.is_inference_mode_enabled()


# -- anomaly detection --------------------------------------------------------------------


def test_anomaly_names_the_op_and_its_forward_line():
    x = td.Tensor([0.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with td.autograd.detect_anomaly():
            assert td.autograd.is_anomaly_enabled()
            y = x.log() * 0  # the culprit: d log/dx = 0/0 at x = 0
            loss = y.sum()
            with pytest.raises(RuntimeError, match="Function 'Log' returned nan values in its "
                               "0th output") as info:  # fmt: skip
                loss.backward()
    msg = str(info.value)
    assert "test_autograd_api.py" in msg and "y = x.log() * 0" in msg
    assert "tinygrad_ds" + "/" not in msg.split("created it:")[1]  # only the user's frames
    assert not td.autograd.is_anomaly_enabled()
    assert y.grad_fn.parents[0].forward_trace[-1].line.startswith("y = x.log() * 0")


def test_anomaly_off_records_nothing_and_check_nan_false_only_records():
    x = td.Tensor([0.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x.log() * 0
        y.sum().backward()  # off: NaN gradients pass silently, as PyTorch's
        assert np.isnan(x.grad.data[0]) and not hasattr(y.grad_fn, "forward_trace")
        with td.autograd.detect_anomaly(check_nan=False):
            assert not td.autograd.is_anomaly_check_nan_enabled()
            z = x.log() * 0
            z.sum().backward()
        assert z.grad_fn.forward_trace[-1].line == "z = x.log() * 0"
        td.autograd.set_detect_anomaly(True)
        try:
            assert td.autograd.is_anomaly_check_nan_enabled()
            with pytest.raises(RuntimeError, match="'Log' returned nan"):
                td.grad((x.log() * 0).sum(), x)
        finally:
            td.autograd.set_detect_anomaly(False)
        with td.autograd.set_detect_anomaly(True):
            assert td.autograd.is_anomaly_enabled()
        assert not td.autograd.is_anomaly_enabled()

    @td.autograd.detect_anomaly()
    def inside():
        return td.autograd.is_anomaly_enabled()

    assert inside() and not td.autograd.is_anomaly_enabled()


# -- against PyTorch ----------------------------------------------------------------------

CASES = [  # (name, td function, the torch function's name, input shapes)
    ("softmax", lambda a: a.softmax(0), "softmax", [(4,)]),
    ("matmul_tanh", lambda a, b: (a @ b).tanh(), "matmul_tanh", [(2, 3), (3, 2)]),
    ("two_outputs", lambda a, b: (a * b, (a - b).exp().sum()), "two_outputs", [(3,), (3,)]),
]


def _torch_fn(torch, name):
    return {
        "softmax": lambda a: a.softmax(0),
        "matmul_tanh": lambda a, b: (a @ b).tanh(),
        "two_outputs": lambda a, b: (a * b, (a - b).exp().sum()),
    }[name]


def _flat(result):
    if isinstance(result, (tuple, list)):
        return [y for r in result for y in _flat(r)]
    return [np.asarray(result.detach().numpy() if hasattr(result, "detach") else result.data)]


@pytest.mark.parametrize(("name", "fn", "tname", "shapes"), CASES)
def test_functional_against_pytorch(name, fn, tname, shapes):
    torch = pytest.importorskip("torch")
    TF = torch.autograd.functional
    tfn = _torch_fn(torch, tname)
    arrays = [R.standard_normal(s) for s in shapes]
    xs, txs = tuple(t64(a) for a in arrays), tuple(torch.tensor(a) for a in arrays)
    outs = fn(*xs)
    out_arrays = [
        R.standard_normal(o.shape) for o in (outs if isinstance(outs, tuple) else (outs,))
    ]
    v_out = tuple(t64(a) for a in out_arrays)
    tv_out = tuple(torch.tensor(a) for a in out_arrays)
    if not isinstance(outs, tuple):
        v_out, tv_out = v_out[0], tv_out[0]
    v_in = tuple(t64(R.standard_normal(s)) for s in shapes)
    tv_in = tuple(torch.tensor(v.data) for v in v_in)
    pairs = [
        (AF.vjp(fn, xs, v_out), TF.vjp(tfn, txs, tv_out)),
        (AF.jvp(fn, xs, v_in), TF.jvp(tfn, txs, tv_in)),
        (AF.jacobian(fn, xs), TF.jacobian(tfn, txs)),
    ]
    for ours, theirs in pairs:
        a, b = _flat(ours), _flat(theirs)
        assert len(a) == len(b)
        for p, q in zip(a, b):
            np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)


def test_hessian_vectors_against_pytorch():
    torch = pytest.importorskip("torch")
    TF = torch.autograd.functional

    def f(a, b):
        return (a.sin() * (b @ a)).sum()

    a, b = R.standard_normal(3), R.standard_normal((3, 3))
    va, vb = R.standard_normal(3), R.standard_normal((3, 3))
    xs, txs = (t64(a), t64(b)), (torch.tensor(a), torch.tensor(b))
    vs, tvs = (t64(va), t64(vb)), (torch.tensor(va), torch.tensor(vb))
    for ours, theirs in [
        (AF.hvp(f, xs, vs), TF.hvp(f, txs, tvs)),
        (AF.vhp(f, xs, vs), TF.vhp(f, txs, tvs)),
        (AF.hessian(f, xs), TF.hessian(f, txs)),
    ]:
        for p, q in zip(_flat(ours), _flat(theirs)):
            np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
