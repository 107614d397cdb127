"""`td.autograd.functional`: derivatives of a function at a point, as PyTorch's
`torch.autograd.functional` (vjp, jvp, vhp, hvp, jacobian, hessian).

Each takes `func` and `inputs` (a Tensor, or a tuple of them) and returns the derivative
with the structure of the inputs (vjp, vhp, hvp) or of the outputs (jvp), together with
`func`'s output. The inputs are used through fresh leaves (or, under `create_graph=True`, a
`clone` of an input that requires grad, so the result stays connected to it, as PyTorch's
`view_as`), and are never changed. Without `create_graph` the results are detached.

Everything is reverse mode. A Jacobian-vector product J v is got by the *double-vjp trick*:
with a dummy u shaped like the output, g(u) = J^T u = d<f(x), u>/dx is a vjp recorded
(create_graph) as a function of u; it is linear in u, so d<g(u), v>/du = J v. Two backward
passes instead of a forward-mode one: correct for every op, at about twice a vjp's cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import jacobian as _jac
from ..autograd import grad
from ..grad_mode import enable_grad
from ..tensor import Tensor

__all__ = ["vjp", "jvp", "vhp", "hvp", "jacobian", "hessian"]


def _tuple_of_tensors(value: Any, what: str, name: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(whether `value` is one Tensor, it as a tuple); TypeError naming `what` otherwise."""
    single = isinstance(value, Tensor)
    items = (value,) if single else value
    if not isinstance(items, (tuple, list)) or not all(isinstance(t, Tensor) for t in items):
        raise TypeError(
            f"{what}: the {name} must be a Tensor or a tuple of Tensors, got {type(value).__name__}"
        )
    return single, tuple(items)


def _prepare(inputs: Any, what: str, create_graph: bool) -> tuple[bool, tuple[Tensor, ...]]:
    """The inputs to call func with: fresh float leaves, or a clone of an input that requires
    grad under create_graph (a new node, so only func's uses of it are differentiated)."""
    single, xs = _tuple_of_tensors(inputs, what, "inputs")
    leaves = []
    for k, x in enumerate(xs):
        if x.dtype.kind != "f":
            raise TypeError(f"{what}: input {k} has dtype {x.dtype}; derivatives need floats")
        leaves.append(
            x.clone() if create_graph and x.requires_grad else x.detach().requires_grad_()
        )
    return single, tuple(leaves)


def _call(func: Callable[..., Any], xs: tuple[Tensor, ...], what: str, strict: bool) -> Any:
    """func(*xs) and its outputs as (single, tuple); strict: each output must require grad."""
    with enable_grad():
        out = func(*xs)
    single, outs = _tuple_of_tensors(out, what, "outputs of func")
    if strict:
        for i, o in enumerate(outs):
            if not o.requires_grad:
                raise RuntimeError(
                    f"{what}: output {i} of func does not require grad; in strict mode the "
                    "outputs must be computed in a differentiable way from the inputs"
                )
    return out, single, outs


def _vectors(v: Any, like: tuple[Tensor, ...], single: bool, what: str, of: str) -> tuple:
    """The vectors `v`, one per tensor in `like` (same shapes); ones when v is None and `like`
    is one tensor with one element."""
    if v is None:
        if not single or like[0].numel() != 1:
            raise RuntimeError(
                f"{what}: v can be None only if the {of} is a single Tensor with a single element"
            )
        return (Tensor.ones_like(like[0]),)
    _, vs = _tuple_of_tensors(v, what, "v")
    if len(vs) != len(like):
        raise RuntimeError(f"{what}: v has {len(vs)} tensors, but the {of} has {len(like)}")
    for i, (a, b) in enumerate(zip(vs, like)):
        if a.shape != b.shape:
            raise RuntimeError(
                f"{what}: v[{i}] has shape {a.shape}, but the {of}'s tensor {i} has shape {b.shape}"
            )
    return vs


def _vjp(outs: tuple, xs: tuple, vs: tuple, create_graph: bool, strict: bool, what: str) -> tuple:
    """sum_i v_i^T d outs_i / d xs, one Tensor per input (zeros where none depends on it)."""
    pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    gs: tuple = (None,) * len(xs)
    if pairs:
        ys, ws = zip(*pairs)
        ws = ws[0] if len(ws) == 1 else list(ws)  # (grad takes one tensor's gradient bare)
        gs = grad(ys, xs, ws, retain_graph=True, create_graph=create_graph, allow_unused=True)
    result = []
    for k, (g, x) in enumerate(zip(gs, xs)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"{what}: the output of func is independent of input {k}; this is not "
                    "allowed in strict mode"
                )
            g = Tensor.zeros(x.shape, dtype=x.dtype)
        result.append(g)
    return tuple(result)


def _dot(ys: tuple, us: tuple) -> Tensor:
    """sum_i <ys_i, us_i>, recorded (its gradient in us is ys, in ys is us)."""
    total = None
    for y, u in zip(ys, us):
        part = (y * u).sum()
        total = part if total is None else total + part
    return total


def _jvp(outs: tuple, xs: tuple, vs: tuple, create_graph: bool, strict: bool, what: str) -> tuple:
    """J v for each output, by the double-vjp trick (see the module's docstring)."""
    us = tuple(Tensor.zeros(o.shape, dtype=o.dtype).requires_grad_() for o in outs)
    used = [i for i, o in enumerate(outs) if o.requires_grad]
    gs: tuple = (None,) * len(xs)
    if used:
        s = _dot(tuple(outs[i] for i in used), tuple(us[i] for i in used))
        gs = grad(s, xs, create_graph=True, allow_unused=True)  # J^T u, a function of u
    pairs = [(g, v) for g, v in zip(gs, vs) if g is not None and g.requires_grad]
    if strict:
        for k, g in enumerate(gs):
            if g is None:
                raise RuntimeError(
                    f"{what}: the output of func is independent of input {k}; this is not "
                    "allowed in strict mode"
                )
    jv: tuple = (None,) * len(us)
    if pairs:
        s2 = _dot(*zip(*pairs))
        jv = grad(s2, us, create_graph=create_graph, allow_unused=True)
    return tuple(j if j is not None else Tensor.zeros(o.shape, dtype=o.dtype)
                 for j, o in zip(jv, outs))  # fmt: skip


def _post(value: Any, create_graph: bool) -> Any:
    """`value` (a Tensor or tuple of them) detached unless create_graph."""
    if create_graph:
        return value
    if isinstance(value, Tensor):
        return value.detach()
    return tuple(t.detach() for t in value)


def _shaped(result: tuple, single: bool, create_graph: bool) -> Any:
    return _post(result[0] if single else result, create_graph)


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(*inputs), v^T J): the vector-Jacobian product, shaped like the inputs.

    `v` is shaped like func's output (a Tensor or a tuple); it may be None only for an output
    with one element. `strict=True` raises where an output does not depend on an input
    (otherwise its part is zeros).
    """
    single_in, xs = _prepare(inputs, "vjp", create_graph)
    out, single_out, outs = _call(func, xs, "vjp", strict)
    vs = _vectors(v, outs, single_out, "vjp", "output of func")
    gs = _vjp(outs, xs, vs, create_graph, strict, "vjp")
    return _post(out, create_graph), _shaped(gs, single_in, create_graph)


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(*inputs), J v): the Jacobian-vector product, shaped like func's output.

    `v` is shaped like the inputs (None only for one input with one element). Computed by the
    double-vjp trick (two reverse passes; see this module's docstring).
    """
    single_in, xs = _prepare(inputs, "jvp", create_graph)
    out, single_out, outs = _call(func, xs, "jvp", strict)
    vs = _vectors(v, xs, single_in, "jvp", "input")
    jv = _jvp(outs, xs, vs, create_graph, strict, "jvp")
    return _post(out, create_graph), _shaped(jv, single_out, create_graph)


def _scalar_grad(func: Callable[..., Any], xs: tuple, what: str, strict: bool) -> tuple:
    """(func's output, its gradient in xs recorded: None where it does not depend)."""
    out, single, outs = _call(func, xs, what, strict)
    if not single or out.numel() != 1:
        raise RuntimeError(f"{what}: the Tensor returned by func must have a single element")
    gs: tuple = (None,) * len(xs)
    if out.requires_grad:
        gs = grad(out, xs, create_graph=True, allow_unused=True)
    if strict:
        for k, g in enumerate(gs):
            if g is None:
                raise RuntimeError(
                    f"{what}: the output of func is independent of input {k}; this is not "
                    "allowed in strict mode"
                )
    return out, gs


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(*inputs), v^T H) for a func with one output element: the vjp of its gradient,
    shaped like the inputs (H[a][b] = d^2 f / dx_a dx_b)."""
    single_in, xs = _prepare(inputs, "vhp", create_graph)
    vs = _vectors(v, xs, single_in, "vhp", "input")
    out, gs = _scalar_grad(func, xs, "vhp", strict)
    pairs = [(g, w) for g, w in zip(gs, vs) if g is not None and g.requires_grad]
    res: tuple = (None,) * len(xs)
    if pairs:
        res = grad(_dot(*zip(*pairs)), xs, create_graph=create_graph, allow_unused=True)
    res = tuple(r if r is not None else Tensor.zeros(x.shape, dtype=x.dtype)
                for r, x in zip(res, xs))  # fmt: skip
    return _post(out, create_graph), _shaped(res, single_in, create_graph)


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(*inputs), H v) for a func with one output element: the jvp of its gradient, by
    the double-vjp trick (equal to `vhp` when H is symmetric, as for smooth func)."""
    single_in, xs = _prepare(inputs, "hvp", create_graph)
    vs = _vectors(v, xs, single_in, "hvp", "input")
    out, gs = _scalar_grad(func, xs, "hvp", strict)
    grads = tuple(g if g is not None else Tensor.zeros(x.shape, dtype=x.dtype)
                  for g, x in zip(gs, xs))  # fmt: skip
    res = _jvp(grads, xs, vs, create_graph, False, "hvp")
    return _post(out, create_graph), _shaped(res, single_in, create_graph)


def _check_strategy(strategy: str, vectorize: bool, what: str) -> None:
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            f"{what}: strategy must be 'reverse-mode' or 'forward-mode', got {strategy!r}"
        )
    if strategy == "forward-mode" and not vectorize:
        raise RuntimeError(f"{what}: strategy='forward-mode' requires vectorize=True")


def _check_strict(func: Callable[..., Any], inputs: Any, what: str) -> None:
    """strict mode: raise where an output does not require grad or ignores an input."""
    _, xs = _prepare(inputs, what, False)
    _, _, outs = _call(func, xs, what, True)
    for i, o in enumerate(outs):
        gs = grad(o, xs, Tensor.ones_like(o), retain_graph=True, allow_unused=True)
        for k, g in enumerate(gs):
            if g is None:
                raise RuntimeError(
                    f"{what}: output {i} of func is independent of input {k}; this is not "
                    "allowed in strict mode"
                )


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """J[i..., j...] = d func(inputs)[i...] / d inputs[j...] (`td.jacobian`): a Tensor for one
    input and one output, a tuple over inputs and/or outputs otherwise, as PyTorch's.

    `vectorize` is accepted and ignored (rows are one backward pass each); 'forward-mode'
    (which PyTorch allows only with vectorize=True) gives the same values by reverse mode.
    """
    _check_strategy(strategy, vectorize, "jacobian")
    if strict:
        _check_strict(func, inputs, "jacobian")
    return _jac.jacobian(func, inputs, create_graph=create_graph)


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """H[i..., j...] = d^2 func / d inputs[i...] d inputs[j...] for a func with one output
    element (`td.hessian`; a tuple of tuples for several inputs). `strict=True` raises where
    func does not depend on an input at all."""
    _check_strategy(outer_jacobian_strategy, vectorize, "hessian")
    if strict:
        _check_strict(func, inputs, "hessian")
    return _jac.hessian(func, inputs, create_graph=create_graph)
