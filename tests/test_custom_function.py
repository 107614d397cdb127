"""td.autograd.Function: PyTorch's protocol for a custom differentiable function (forward and
backward with ctx, non-tensor arguments, several outputs, mark_non_differentiable, mark_dirty,
set_materialize_grads, setup_context, once_differentiable, double backward)."""

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import Tensor

R = np.random.default_rng(5)


def t64(data, requires_grad=True):
    return Tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


def build(F):
    """The same custom Functions over a framework's Function class `F` (td's or PyTorch's):
    the bodies use only methods both Tensors have."""

    class Scale(F):
        @staticmethod
        def forward(ctx, x, k, flag=True):
            ctx.k = k
            ctx.save_for_backward(x)
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            return x * k, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (x,) = ctx.saved_tensors
            return (g * ctx.k if ctx.needs_input_grad[0] else None), None, None

    class Sigmoid(F):
        @staticmethod
        def forward(ctx, x):
            y = 1 / (1 + (-x).exp())
            ctx.save_for_backward(y)  # an output: double backward goes through it
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y * (1 - y)

    class MulAdd(F):  # two outputs of two inputs, and a non-tensor output
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y, "note"

        @staticmethod
        def backward(ctx, g_prod, g_sum, g_note):
            x, y = ctx.saved_tensors
            return g_prod * y + g_sum, g_prod * x + g_sum

    class Cube(F):  # PyTorch 2's style: forward without ctx, then setup_context
        @staticmethod
        def forward(x, scale=1.0):
            return x * x * x * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, scale = inputs
            ctx.save_for_backward(x)
            ctx.scale = scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x * ctx.scale, None

    return Scale, Sigmoid, MulAdd, Cube


Scale, Sigmoid, MulAdd, Cube = build(td.autograd.Function)


# -- the example, values and gradients -------------------------------------------------------


def test_scale_example_several_outputs_one_non_differentiable():
    seen = []

    class Logged(Scale):
        @staticmethod
        def backward(ctx, g, g_idx):
            seen.append((g_idx, ctx.needs_input_grad))
            return Scale.backward(ctx, g, g_idx)

    x = Tensor([1.0, 3.0, 2.0], requires_grad=True)
    y, i = Logged.apply(x, 2.0)
    np.testing.assert_allclose(y.data, [2.0, 6.0, 4.0])
    assert y.dtype == np.float32 and y.requires_grad and y.grad_fn.name() == "LoggedBackward"
    assert i.item() == 1 and i.dtype == np.int64 and not i.requires_grad and i.grad_fn is None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0, 2.0])
    (g_idx, needs) = seen[0]
    assert needs == (True, False)  # one per argument given; the non-tensor is False
    assert g_idx.shape == () and g_idx.dtype == np.int64 and g_idx.item() == 0  # materialized
    y, i = Logged.apply(x, 3.0, flag=False)  # keyword arguments reach forward
    assert td.gradcheck(lambda a: Scale.apply(a, 3.0)[0], [t64([1.0, 3.0, 2.0])])


def test_hand_written_sigmoid_against_finite_differences_and_td_sigmoid():
    x = t64(R.standard_normal((3, 4)))
    np.testing.assert_allclose(Sigmoid.apply(x).data, td.sigmoid(x).data, rtol=1e-12)
    assert td.gradcheck(Sigmoid.apply, [x])
    assert td.autograd.gradgradcheck(Sigmoid.apply, [x])
    w = t64(R.standard_normal((3, 4)), requires_grad=False)
    (mine,) = td.grad((Sigmoid.apply(x) * w).sum(), x)
    (ref,) = td.grad((td.sigmoid(x) * w).sum(), x)
    np.testing.assert_allclose(mine.data, ref.data, rtol=1e-12)
    x32 = Tensor([0.5, -1.0], requires_grad=True)
    Sigmoid.apply(x32).sum().backward()
    assert Sigmoid.apply(x32).dtype == np.float32 and x32.grad.dtype == np.float32


def test_non_tensor_arguments_and_outputs():
    x, y = t64([1.0, 2.0]), t64([3.0, -1.0])
    prod, total, note = MulAdd.apply(x, y)
    assert note == "note"
    assert td.gradcheck(lambda a, b: MulAdd.apply(a, b)[0] * 2 + MulAdd.apply(a, b)[1], [x, y])

    class GradForK(td.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match=r"function GradForKBackward returned a gradient "
                       "different than None at position 2, but the corresponding forward input "
                       "was not a Tensor"):  # fmt: skip
        GradForK.apply(x, 2).sum().backward()


def test_an_output_unused_by_the_loss_gets_zeros_or_none():
    seen = []

    def make(materialize):
        class Two(td.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3, x.argmax()

            @staticmethod
            def backward(ctx, a, b, c):
                seen.append((a, b, c))
                return (0 if a is None else a * 2) + (0 if b is None else b * 3)

        return Two

    x = t64([1.0, 2.0])
    for materialize in (True, False):
        seen.clear()
        a, b, idx = make(materialize).apply(x)
        (g,) = td.grad(b.sum(), x)
        np.testing.assert_allclose(g.data, [3.0, 3.0])
        ga, gb, gc = seen[0]
        np.testing.assert_allclose(gb.data, [1.0, 1.0])
        if materialize:  # PyTorch's default
            np.testing.assert_array_equal(ga.data, [0.0, 0.0])
            assert gc.dtype == np.int64 and gc.shape == ()
        else:
            assert ga is None and gc is None
    # both used, and a gradient that is zero is a gradient (not None)
    seen.clear()
    a, b, _ = make(False).apply(x)
    (g,) = td.grad((a * 0).sum() + b.sum(), x)
    assert seen[0][0] is not None and seen[0][2] is None
    np.testing.assert_allclose(g.data, [3.0, 3.0])


def test_needs_input_grad_one_per_argument_and_forward_records_nothing():
    seen, inside = [], []

    class Look(td.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            seen.append(ctx.needs_input_grad)
            out = args[0] * 1
            inside.append((td.is_grad_enabled(), out.requires_grad, out.grad_fn))
            return out

        @staticmethod
        def backward(ctx, g):
            return (g,) + (None,) * (len(ctx.needs_input_grad) - 1)

    x, c = t64([1.0]), t64([2.0], requires_grad=False)
    Look.apply(x, c, 3, "s")
    Look.apply(c, x)
    out = Look.apply(c, c)
    with td.no_grad():
        Look.apply(x, x)
    assert seen == [(True, False, False, False), (False, True), (False, False), (False, False)]
    assert not out.requires_grad and out.grad_fn is None
    assert inside[0] == (False, False, None)


def test_setup_context_style_binds_defaults():
    x = t64([1.0, -2.0])
    y = Cube.apply(x)
    np.testing.assert_allclose(y.data, [1.0, -8.0])
    assert td.gradcheck(lambda a: Cube.apply(a, 2.0), [x])
    assert td.gradcheck(lambda a: Cube.apply(a, scale=0.5), [x])

    class Short(Cube):
        @staticmethod
        def backward(ctx, g):
            return g  # forward has two arguments once its default is bound: two are needed

    with pytest.raises(RuntimeError, match=r"function ShortBackward returned an incorrect "
                       r"number of gradients \(expected 2, got 1\)"):  # fmt: skip
        Short.apply(x).sum().backward()


# -- double backward, once_differentiable ----------------------------------------------------


def test_double_backward_through_a_tensor_op_backward_hessian_vector_product():
    x, v = t64(R.standard_normal(5)), t64(R.standard_normal(5), requires_grad=False)
    (g,) = td.grad(Cube.apply(x).sum(), x, create_graph=True)  # 3 x^2
    (hv,) = td.grad((g * v).sum(), x)  # H = diag(6 x)
    np.testing.assert_allclose(hv.data, 6 * x.data * v.data, rtol=1e-12)
    # through a saved output and two outputs: f = sum(sigmoid(x)) + sum(x * y) + sum(x + y)
    y = t64(R.standard_normal(5))
    prod, total, _ = MulAdd.apply(x, y)
    f = Sigmoid.apply(x).sum() + prod.sum() + total.sum()
    gx, gy = td.grad(f, [x, y], create_graph=True)
    s = 1 / (1 + np.exp(-x.data))
    hx, hy = td.grad((gx * v).sum(), [x, y])
    np.testing.assert_allclose(hx.data, s * (1 - s) * (1 - 2 * s) * v.data, rtol=1e-10)
    np.testing.assert_allclose(hy.data, v.data, rtol=1e-12)  # d/dy of gx = y + 1
    assert td.autograd.gradgradcheck(lambda a, b: MulAdd.apply(a, b)[0].tanh(), [x, y])


def test_once_differentiable():
    from tinygrad_ds.autograd.function import once_differentiable

    modes = []

    class Square(td.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            modes.append(td.is_grad_enabled())
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = t64([0.5, -1.0])
    assert td.gradcheck(Square.apply, [x])
    y = Square.apply(x)
    (g,) = td.grad((y * y).sum(), x, create_graph=True)  # the gradient reaching it needs grad
    np.testing.assert_allclose(g.data, 4 * x.data**3)
    assert g.requires_grad and modes[-1] is False  # it ran without recording
    with pytest.raises(RuntimeError, match="differentiate twice a function that was marked "
                       "with @once_differentiable"):  # fmt: skip
        g.sum().backward()


# -- errors ----------------------------------------------------------------------------------


class Returns(td.autograd.Function):
    """Its backward returns `ctx.result(g)`."""

    @staticmethod
    def forward(ctx, x, result):
        ctx.result = result
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return ctx.result(g)


@pytest.mark.parametrize(
    "result, error, message",
    [
        (lambda g: g, RuntimeError, r"function ReturnsBackward returned an incorrect number of "
         r"gradients \(expected 2, got 1\)"),
        (lambda g: (g, None, g), RuntimeError, r"incorrect number of gradients \(expected 2, "
         r"got 3\)"),
        (lambda g: (g[:1], None), RuntimeError, r"Function ReturnsBackward returned an invalid "
         r"gradient at index 0 - got \[1\] but expected shape compatible with \[3\]"),
        (lambda g: (g.sum(), None), RuntimeError, r"got \[\] but expected shape compatible"),
        (lambda g: (3, None), TypeError, r"function ReturnsBackward returned a int as gradient "
         r"0: expected a Tensor or None"),
    ],
)  # fmt: skip
def test_backward_results_are_checked(result, error, message):
    x = t64([1.0, 2.0, 3.0])
    with pytest.raises(error, match=message):
        Returns.apply(x, result).sum().backward()
    with pytest.raises(error, match=message):  # under create_graph too
        td.grad(Returns.apply(x, result).sum(), x, create_graph=True)


def test_extra_none_gradients_and_broadcast_gradients_are_accepted():
    x = t64([1.0, 2.0, 3.0])
    (g,) = td.grad(Returns.apply(x, lambda g: (g, None, None, None)).sum(), x)
    np.testing.assert_allclose(g.data, [1.0, 1.0, 1.0])
    (g,) = td.grad(Returns.apply(x, lambda g: (g.expand(2, 3), None)).sum(), x)  # summed
    np.testing.assert_allclose(g.data, [2.0, 2.0, 2.0])


def test_in_place_changes_to_saved_tensors_are_detected():
    x = t64([1.0, 2.0])
    a = x * 1
    y = Cube.apply(a)
    with td.no_grad():
        a.add_(1)
    with pytest.raises(RuntimeError, match=r"CubeBackward: one of the tensors needed for its "
                       r"gradient \(saved input 0.*modified by an in-place operation"):  # fmt: skip
        y.sum().backward()
    y = Sigmoid.apply(x)
    with td.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match=r"\(output 0, shape \(2,\)\) has been modified by an "
                       "in-place operation"):  # fmt: skip
        y.sum().backward()
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


def test_save_for_backward_only_takes_tensors_and_vjp_or_backward():
    class Bad(td.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x

    with pytest.raises(TypeError, match="save_for_backward can only save tensors .* argument 1 "
                       "is of type int"):  # fmt: skip
        Bad.apply(t64([1.0]))

    class ByVjp(td.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 2

    x = t64([1.0])
    ByVjp.apply(x).sum().backward()
    assert x.grad.item() == 2.0

    class Both(ByVjp):
        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="Implementing both 'backward' and 'vjp'"):
        Both.apply(x).sum().backward()

    class NoBackward(td.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="implement either the backward or vjp"):
        NoBackward.apply(x).sum().backward()


# -- outputs: identity, inputs returned, in place (mark_dirty) -------------------------------


def test_outputs_are_forwards_tensors_or_new_ones_for_inputs():
    made = []

    class Same(td.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            made.append(x * 2)
            return made[-1], x

        @staticmethod
        def backward(ctx, a, b):
            return a * 2 + b

    x = t64([1.0, 2.0])
    y, z = Same.apply(x)
    assert y is made[0] and z is not x and z.grad_fn is not None and x.grad_fn is None
    assert np.shares_memory(z.data, x.data)
    (z * 3 + y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])
    assert isinstance(y.grad_fn, td.Function) and isinstance((x * 2).grad_fn, td.Function)


def test_mark_dirty_in_place_forward():
    class Double(td.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    x = t64([1.0, 2.0])
    b = x * 3
    c = Double.apply(b)
    assert c is b and c.grad_fn.name() == "DoubleBackward" and b._version[0] == 1
    np.testing.assert_allclose(c.data, [6.0, 12.0])
    (c * c).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * c.data * 6)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used"):
        Double.apply(t64([1.0]))

    class Forgot(Double):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x * 2

    with pytest.raises(RuntimeError, match="marked as dirty during the forward method were not "
                       "returned"):  # fmt: skip
        Forgot.apply(x * 1)
    with pytest.raises(NotImplementedError, match=r"mark_dirty: an input \(shape \(1,\)\) that "
                       "is a view"):  # fmt: skip
        Double.apply((x * 1)[:1])


def test_the_engines_style_still_works_arrays_out_and_tuple_of_arrays():
    class Halves(td.Function):  # forward returns ndarrays (the engine's ops' style)
        @staticmethod
        def forward(ctx, x):
            return x.data / 2, x.data.sum()

        @staticmethod
        def backward(ctx, g_half, g_sum):
            return g_half / 2 + g_sum

    x = t64([1.0, 4.0])
    half, total = Halves.apply(x)
    assert isinstance(half, Tensor) and total.shape == () and total.requires_grad
    assert td.gradcheck(lambda a: Halves.apply(a)[0] * 3 + Halves.apply(a)[1], [x])
    half, total = Halves.apply_fast(x)  # (the engine's name for apply, kept)
    np.testing.assert_allclose(half.data, [0.5, 2.0])


def test_several_outputs_with_retain_graph_hooks_and_viz():
    import tinygrad_ds.viz  # noqa: F401

    x, y = t64([1.0, 2.0]), t64([3.0, -1.0])
    prod, total, _ = MulAdd.apply(x, y)
    seen = []
    total.register_hook(lambda g: seen.append(g.data.copy()) or g * 10)
    loss = (prod * prod).sum() + total.sum()
    loss.backward(retain_graph=True)
    first = x.grad.data.copy()
    np.testing.assert_allclose(first, 2 * prod.data * y.data + 10)
    x.grad = None
    loss.backward()  # the same gradient again: nothing is left over from the first pass
    np.testing.assert_allclose(x.grad.data, first)
    assert len(seen) == 2 and np.allclose(seen[0], 1.0)
    z = Scale.apply(x, 2.0)[0] * MulAdd.apply(x, y)[1]  # non-tensor arguments are not drawn
    assert "ScaleBackward" in td.viz.to_dot(z.sum())
    assert "MulAddBackward" in str(td.viz.explain(z.sum()))


def test_module_path_and_names():
    import tinygrad_ds.autograd.function as function_module
    from tinygrad_ds.autograd.function import Function, FunctionCtx, once_differentiable

    assert Function is td.autograd.Function is td.Function is function_module.Function
    assert td.autograd.function is function_module and callable(once_differentiable)
    assert isinstance(Sigmoid.apply(t64([1.0])).grad_fn, FunctionCtx)
    assert "grad_fn=<MulAddBackward>" in repr(MulAdd.apply(t64([1.0]), t64([2.0]))[1])


# -- against PyTorch -------------------------------------------------------------------------


def _run(F, framework, tensor, case, data):
    Scale, Sigmoid, MulAdd, Cube = build(F)
    xs = [tensor(d) for d in data]
    if case == "scale":
        y, i = Scale.apply(xs[0], 2.5)
        loss, out = (y * y).sum(), [y, i]
    elif case == "sigmoid":
        y = Sigmoid.apply(xs[0])
        loss, out = (y * xs[0]).sum(), [y]
    elif case == "muladd":
        p, s, _ = MulAdd.apply(xs[0], xs[1])
        loss, out = (p * s).sum(), [p, s]
    else:
        y = Cube.apply(xs[0], 0.5)
        loss, out = y.sum(), [y]
    grads = framework.autograd.grad(loss, xs, create_graph=True)
    second = framework.autograd.grad(sum((g * g).sum() for g in grads), xs)
    to_np = lambda t: np.asarray(t.detach().numpy() if hasattr(t, "numpy") else t.data)  # noqa: E731
    return [to_np(t) for t in (*out, *grads, *second)]


@pytest.mark.parametrize("case, n", [("scale", 1), ("sigmoid", 1), ("muladd", 2), ("cube", 1)])
def test_against_pytorch(case, n):
    torch = pytest.importorskip("torch")
    data = [R.standard_normal(4) for _ in range(n)]
    mine = _run(td.autograd.Function, td, lambda d: t64(d), case, data)
    theirs = _run(torch.autograd.Function, torch,
                  lambda d: torch.tensor(d, requires_grad=True), case, data)  # fmt: skip
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_error_messages_as_pytorchs():
    torch = pytest.importorskip("torch")

    def message(F, tensor, result):
        class Returns(F):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, g):
                return result(g)

        with pytest.raises(RuntimeError) as info:
            Returns.apply(tensor([1.0, 2.0, 3.0]), 2.0).sum().backward()
        return str(info.value)

    for result in (lambda g: g, lambda g: (g[:2], None)):
        mine = message(td.autograd.Function, lambda d: t64(d), result)
        theirs = message(torch.autograd.Function,
                         lambda d: torch.tensor(d, requires_grad=True), result)  # fmt: skip
        assert mine == theirs
