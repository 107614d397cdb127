"""`td.func`: PyTorch's function transforms (`torch.func`) on the reverse-mode engine.

grad(f), grad_and_value(f), vjp(f, *primals), jvp(f, primals, tangents), linearize(f, *primals),
jacrev(f), jacfwd(f), hessian(f) return new functions (or values) and compose: grad(grad(f)),
jacrev(jacrev(f)), vmap(grad(f)), jvp(grad(f), ...).
Arguments may be Tensors or trees of them (tuples, lists, dicts: a module's parameters).

How: a transform calls f on *lifted* inputs, new nodes of the graph standing for them: a fresh
leaf for an input that needs no gradient, else a `clone` of it (still connected, so an outer
transform can differentiate through; a new node, so that an inner transform differentiating
"its" x does not pick up the outer one's uses of the same tensor). Derivatives are taken with
`create_graph=True`, and a result is detached on the way out unless it still depends on
something that requires grad outside the transform (so grad(f)(x) of a plain x is a plain
Tensor, while inside another transform it stays differentiable).

- Forward mode is emulated: jvp and linearize compute J v by the double-vjp identity (two
  reverse passes): with u a dummy cotangent requiring grad, g(u) = J^T u is a vjp recorded
  with create_graph=True, linear in u, and J v = d/du <g(u), v> is a second reverse pass.
  Exact, and differentiable further (jvp of grad, grad of jvp), at about twice a vjp's cost.
- jacfwd uses jacrev's machinery (one reverse pass per output element; same values, the
  forward-mode cost profile is not reproduced), and hessian(f) = jacfwd(jacrev(f)).
- vmap is a loop: f runs once per batch element on a slice, and the results are stacked.
  Correct (and differentiable), but not fast: there is no batching of the operations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import grad_mode
from .autograd import grad as _grad
from .functions import stack
from .grad_mode import enable_grad
from .nn.module import Module
from .rng import generator
from .tensor import Tensor

__all__ = [
    "grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian",
    "functional_call", "vmap",
]  # fmt: skip


# -- trees of tensors ----------------------------------------------------------------------


def _flatten(tree: Any) -> tuple[list[Any], Any]:
    """(the leaves of `tree` left to right, a spec that `_unflatten` rebuilds it from)."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for item in tree:
            sub, spec = _flatten(item)
            leaves += sub
            specs.append((len(sub), spec))
        return leaves, (type(tree), None, specs)
    if isinstance(tree, dict):
        leaves, specs = [], []
        for key in tree:
            sub, spec = _flatten(tree[key])
            leaves += sub
            specs.append((len(sub), spec))
        return leaves, (dict, list(tree), specs)
    return [tree], None


def _unflatten(spec: Any, leaves: list[Any]) -> Any:
    if spec is None:
        return leaves[0]
    kind, keys, specs = spec
    items, at = [], 0
    for n, sub in specs:
        items.append(_unflatten(sub, leaves[at : at + n]))
        at += n
    if kind is dict:
        return dict(zip(keys, items))
    return kind(items) if kind in (tuple, list) else kind(*items)  # (a namedtuple)


# -- lifting inputs and letting results go ------------------------------------------------


def _lift(x: Any, what: str) -> Tensor:
    """A new node standing for input `x` (see the module's docstring)."""
    if not isinstance(x, Tensor) or x.dtype.kind != "f":
        kind = f"a Tensor of dtype {x.dtype}" if isinstance(x, Tensor) else type(x).__name__
        raise TypeError(f"{what}: differentiated inputs must be float Tensors, got {kind}")
    return x.clone() if x.requires_grad else x.detach().requires_grad_()


def _argnums(argnums: Any, n: int, what: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not isinstance(nums, tuple) or not nums or not all(isinstance(k, int) for k in nums):
        raise TypeError(f"{what}: argnums must be an int or a tuple of ints, got {argnums!r}")
    for k in nums:
        if not -n <= k < n:
            raise RuntimeError(f"{what}: got argnum={k}, but only {n} positional inputs")
    return tuple(k % n for k in nums)


def _lift_args(args: tuple, nums: tuple[int, ...], what: str) -> tuple[list, list, list]:
    """(the arguments with those at `nums` lifted, per num the lifted leaves, their specs)."""
    args = list(args)
    leaves, specs = [], []
    for k in nums:
        flat, spec = _flatten(args[k])
        lifted = [_lift(x, what) for x in flat]
        args[k] = _unflatten(spec, lifted)
        leaves.append(lifted)
        specs.append(spec)
    return args, leaves, specs


def _reaches_outside(tensors: list[Any], own: set[int]) -> bool:
    """Whether any of `tensors` depends on a tensor requiring grad other than the leaves `own`
    (the transform's lifted inputs): then the results must stay in the graph."""
    stack_, seen = [], set()
    for t in tensors:
        if isinstance(t, Tensor) and t.grad_fn is not None:
            stack_.append(t.grad_fn)
        elif isinstance(t, Tensor) and t.requires_grad and id(t) not in own:
            return True
    while stack_:
        node = stack_.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for parent in node.parents:
            if isinstance(parent, Tensor):
                if id(parent) not in own:
                    return True
            elif parent is not None:
                stack_.append(parent)
    return False


def _release(results: list[Any], lifted: list[list[Tensor]], enabled: bool) -> list[Any]:
    """`results` (trees) detached unless they depend on something outside the transform."""
    own = {id(x) for group in lifted for x in group}
    flat = [t for r in results for t in _flatten(r)[0]]
    if enabled and _reaches_outside(flat, own):
        return results
    out = []
    for r in results:
        leaves, spec = _flatten(r)
        out.append(_unflatten(spec, [t.detach() if isinstance(t, Tensor) else t for t in leaves]))
    return out


def _zeros_if_none(gs: tuple, xs: list[Tensor]) -> list[Tensor]:
    return [g if g is not None else Tensor.zeros(x.shape, dtype=x.dtype) for g, x in zip(gs, xs)]


def _split_aux(out: Any, has_aux: bool, what: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise RuntimeError(
            f"{what}: with has_aux=True, func must return a pair (output, aux), got "
            f"{type(out).__name__}"
        )
    return out[0], out[1]


# -- grad, vjp, Jacobians -------------------------------------------------------------------


def grad_and_value(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning (gradient, value) of `func` (which returns one number) with
    respect to the arguments `argnums` (a tree of gradients shaped like that argument; a
    tuple of them for a tuple of argnums); ((gradient, (value, aux)) with has_aux)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        enabled = grad_mode.enabled
        nums = _argnums(argnums, len(args), "grad")
        with enable_grad():
            new_args, lifted, specs = _lift_args(args, nums, "grad")
            out, aux = _split_aux(func(*new_args, **kwargs), has_aux, "grad")
            if not isinstance(out, Tensor) or out.numel() != 1:
                got = f"shape {out.shape}" if isinstance(out, Tensor) else type(out).__name__
                raise RuntimeError(
                    f"grad: func must return a Tensor with a single element, got {got} (for "
                    "other outputs use vjp or jacrev)"
                )
            xs = [x for group in lifted for x in group]
            gs: tuple = (None,) * len(xs)
            if out.requires_grad:
                gs = _grad(out, xs, create_graph=True, allow_unused=True)
            flat = _zeros_if_none(gs, xs)
        trees, at = [], 0
        for group, spec in zip(lifted, specs):
            trees.append(_unflatten(spec, flat[at : at + len(group)]))
            at += len(group)
        g = trees[0] if isinstance(argnums, int) else tuple(trees)
        g, out, aux = _release([g, out, aux], lifted, enabled)
        return (g, (out, aux)) if has_aux else (g, out)

    return wrapper


def grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The gradient of `func` (which returns one number) as a function of the same arguments:
    grad(f)(x) = df/dx, shaped like x ((gradient, aux) with has_aux). Composes: grad(grad(f))
    is the second derivative of a function of one number."""
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = both(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """(func(*primals), vjp_fn) (and aux with has_aux): vjp_fn(cotangents), with cotangents
    shaped like the output, returns the tuple of v^T J, one entry per primal."""
    enabled = grad_mode.enabled
    nums = tuple(range(len(primals)))
    with enable_grad():
        args, lifted, specs = _lift_args(primals, nums, "vjp")
        out, aux = _split_aux(func(*args), has_aux, "vjp")
    outs, out_spec = _flatten(out)
    if not all(isinstance(o, Tensor) for o in outs):
        raise TypeError("vjp: func must return a Tensor or a tree of Tensors")
    xs = [x for group in lifted for x in group]

    def vjp_fn(cotangents: Any) -> tuple:
        cts, _ = _flatten(cotangents)
        if len(cts) != len(outs):
            raise RuntimeError(f"vjp_fn: {len(cts)} cotangents for {len(outs)} outputs")
        for i, (c, o) in enumerate(zip(cts, outs)):
            if not isinstance(c, Tensor) or c.shape != o.shape:
                got = c.shape if isinstance(c, Tensor) else type(c).__name__
                raise RuntimeError(f"vjp_fn: cotangent {i} has shape {got}, expected {o.shape}")
        with enable_grad():
            parts = [(o * c).sum() for o, c in zip(outs, cts) if o.requires_grad]
            gs: tuple = (None,) * len(xs)
            if parts:
                total = sum(parts[1:], parts[0])
                gs = _grad(total, xs, retain_graph=True, create_graph=True, allow_unused=True)
            flat = _zeros_if_none(gs, xs)
        trees, at = [], 0
        for group, spec in zip(lifted, specs):
            trees.append(_unflatten(spec, flat[at : at + len(group)]))
            at += len(group)
        return tuple(_release(trees, lifted, grad_mode.enabled))

    out, aux = _release([_unflatten(out_spec, outs), aux], lifted, enabled)
    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


# -- jvp and linearize: forward mode emulated by two reverse passes ------------------------


class _Leaf:
    """A stand-in leaf, printed as * where a tree's structure is shown in an error."""

    def __repr__(self) -> str:
        return "*"


def _structure(spec: Any) -> str:
    """A tree's structure with its leaves as *, e.g. "(*, {'w': *})"."""

    def count(sp: Any) -> int:
        return 1 if sp is None else sum(n for n, _ in sp[2])

    return repr(_unflatten(spec, [_Leaf()] * count(spec)))


def _transpose(outs: list[Tensor], xs: list[Tensor]) -> tuple[list, list]:
    """The first reverse pass: (us, gs) with us a dummy cotangent per output (None for one
    that has no derivative) and gs = J^T u per input (None where unused), recorded."""
    us = [
        Tensor.zeros(o.shape, dtype=o.dtype).requires_grad_()
        if o.requires_grad and o.dtype.kind == "f"
        else None
        for o in outs
    ]
    parts = [(o * u).sum() for o, u in zip(outs, us) if u is not None]
    gs: tuple = (None,) * len(xs)
    if parts:
        total = sum(parts[1:], parts[0])
        gs = _grad(total, xs, retain_graph=True, create_graph=True, allow_unused=True)
    return us, list(gs)


def _push_forward(
    outs: list[Tensor],
    us: list,
    gs: list,
    vs: list[Tensor],
    own: list,
    enabled: bool,
    strict: bool,
    what: str,
) -> list[Tensor]:
    """The second reverse pass: J v = d/du <J^T u, v> per output (zeros where an output does
    not depend on the inputs; an error then with `strict`). It is recorded only if J v will
    stay in the graph: grad mode was `enabled` and J^T u or v depends on something outside
    the transform (on other than the tensors `own`)."""
    parts = [(g * v).sum() for g, v in zip(gs, vs) if g is not None and g.requires_grad]
    live = [u for u in us if u is not None]
    found: dict[int, Tensor | None] = {}
    if parts and live:
        total = sum(parts[1:], parts[0])
        ids = {id(x) for group in own for x in group}
        keep = enabled and _reaches_outside([g for g in gs if g is not None] + vs, ids)
        got = _grad(total, live, retain_graph=True, create_graph=keep, allow_unused=True)
        found = {id(u): j for u, j in zip(live, got)}
    result = []
    for o, u in zip(outs, us):
        j = found.get(id(u)) if u is not None else None
        if j is None:
            if strict:
                raise RuntimeError(
                    f"{what[:-1]}, strict=True): The output of f is independent of the "
                    "inputs. This is not allowed with strict=True."
                )
            j = Tensor.zeros(o.shape, dtype=o.dtype)
        result.append(j)
    return result


def _check_outputs(out: Any, what: str) -> tuple[list[Tensor], Any]:
    outs, spec = _flatten(out)
    for o in outs:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{what}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o).__name__}"
            )
    if not outs:
        raise RuntimeError(f"{what}: Expected f to be a function that has non-empty output "
                           f"(got output = {out!r})")  # fmt: skip
    return outs, spec


def _check_tangents(primals: Any, tangents: Any, what: str) -> list[Tensor]:
    """The flat tangents, checked against the primals as torch.func.jvp checks them, each
    cast to its primal's float dtype."""
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{what}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    flat_p, spec_p = _flatten(primals)
    flat_t, spec_t = _flatten(tangents)
    if spec_p != spec_t:
        raise RuntimeError(
            f"{what}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {_structure(spec_p)} and tangents with structure "
            f"{_structure(spec_t)}"
        )
    for name, flat in (("primals", flat_p), ("tangents", flat_t)):
        if not flat:
            raise RuntimeError(f"{what}: Expected {name} to contain at least one Tensor.")
        for t in flat:
            if not isinstance(t, Tensor):
                raise RuntimeError(f"{what}: Expected {name} to only contain Tensors, got "
                                   f"{type(t).__name__}")  # fmt: skip
    vs = []
    for p, t in zip(flat_p, flat_t):
        for name, x in (("primal", p), ("tangent", t)):
            if x.dtype.kind != "f":
                raise ValueError(f"{what}: Expected {name} to be floating point, but got: "
                                 f"{x.dtype}")  # fmt: skip
        if t.shape != p.shape:
            raise RuntimeError(
                f"{what}: Trying to set a forward gradient that has a different size than that "
                "of the original Tensor, this is not supported. Tensor is of size "
                f"{list(p.shape)} while the given forward gradient is of size {list(t.shape)}."
            )
        vs.append(t if t.dtype == p.dtype else t.to(p.dtype))
    return vs


_JVP = "jvp(f, primals, tangents)"


def jvp(
    func: Callable[..., Any],
    primals: tuple,
    tangents: tuple,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> tuple:
    """(func(*primals), J v) (and aux with has_aux): the Jacobian-vector product of func at
    `primals` along `tangents` (a tuple of trees shaped like the primals), shaped like func's
    output (a tree of Tensors). An output that does not depend on the primals gets zeros (an
    error with `strict=True`); a float tangent of another dtype is cast to its primal's.
    Forward mode is emulated by two reverse passes (the double-vjp identity, see the module's
    docstring): exact, and differentiable further."""
    enabled = grad_mode.enabled
    vs = _check_tangents(primals, tangents, _JVP)
    with enable_grad():
        args, lifted, _ = _lift_args(primals, tuple(range(len(primals))), "jvp")
        out = func(*args)
        aux = None
        if has_aux:
            if not isinstance(out, tuple) or len(out) != 2:
                raise RuntimeError(f"{_JVP}: output of function f should be a tuple: "
                                   "(output, aux) if has_aux is True")  # fmt: skip
            out, aux = out
        outs, out_spec = _check_outputs(out, _JVP)
        us, gs = _transpose(outs, [x for group in lifted for x in group])
        own = lifted + [[u for u in us if u is not None]]
        jv = _push_forward(outs, us, gs, vs, own, enabled, strict, _JVP)
    out, jv, aux = _release([out, _unflatten(out_spec, jv), aux], own, enabled)
    return (out, jv, aux) if has_aux else (out, jv)


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """(func(*primals), jvp_fn): jvp_fn(*tangents), with tangents shaped like the primals,
    returns J v shaped like func's output, as jvp would. The first reverse pass (J^T u, see the
    module's docstring) is recorded once here; each jvp_fn call is one more reverse pass."""
    enabled = grad_mode.enabled
    flat_p, spec_p = _flatten(primals)
    if not flat_p:
        raise RuntimeError("linearize: Expected primals to contain at least one Tensor.")
    with enable_grad():
        args, lifted, _ = _lift_args(primals, tuple(range(len(primals))), "linearize")
        out = func(*args)
        outs, out_spec = _check_outputs(out, "linearize")
        us, gs = _transpose(outs, [x for group in lifted for x in group])
    own = lifted + [[u for u in us if u is not None]]

    def jvp_fn(*tangents: Any) -> Any:
        flat_t, spec_t = _flatten(tangents)
        if spec_t != spec_p:
            raise RuntimeError(
                f"linearize: jvp_fn: Expected the tangents {_structure(spec_t)} to have the "
                f"same argspec as the primals {_structure(spec_p)}"
            )
        for i, (t, p) in enumerate(zip(flat_t, flat_p)):
            if not isinstance(t, Tensor):
                raise TypeError(f"linearize: jvp_fn: tangent:{i} is a {type(t).__name__}, "
                                "not a Tensor")  # fmt: skip
            for what, a, b in (("shape", t.shape, p.shape), ("dtype", t.dtype, p.dtype)):
                if a != b:
                    raise RuntimeError(
                        f"linearize: jvp_fn: tangent:{i} with {what} {a} in flattened pytree "
                        f"doesn't match the {what} {b} of the corresponding primal."
                    )
        enabled = grad_mode.enabled
        with enable_grad():
            jv = _push_forward(outs, us, gs, flat_t, own, enabled, False, "linearize")
        return _release([_unflatten(out_spec, jv)], own, enabled)[0]

    return _release([_unflatten(out_spec, outs)], lifted, enabled)[0], jvp_fn


def jacrev(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """The Jacobian of `func` with respect to the arguments `argnums`, by reverse mode (one
    backward pass per output element): for each output leaf, a block of shape
    out.shape + arg.shape (a tuple over argnums for a tuple; trees as the output's).
    `chunk_size` is accepted for PyTorch's signature (rows are always one at a time)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        enabled = grad_mode.enabled
        nums = _argnums(argnums, len(args), "jacrev")
        with enable_grad():
            new_args, lifted, specs = _lift_args(args, nums, "jacrev")
            out, aux = _split_aux(func(*new_args, **kwargs), has_aux, "jacrev")
            outs, out_spec = _flatten(out)
            if not all(isinstance(o, Tensor) for o in outs):
                raise TypeError("jacrev: func must return a Tensor or a tree of Tensors")
            xs = [x for group in lifted for x in group]
            blocks = [_jacobian_blocks(o, xs) for o in outs]
        per_out = []
        for row in blocks:
            trees, at = [], 0
            for group, spec in zip(lifted, specs):
                trees.append(_unflatten(spec, row[at : at + len(group)]))
                at += len(group)
            per_out.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        jac, aux = _release([_unflatten(out_spec, per_out), aux], lifted, enabled)
        return (jac, aux) if has_aux else jac

    return wrapper


def _jacobian_blocks(y: Tensor, xs: list[Tensor]) -> list[Tensor]:
    """d y / d x for each x, of shape y.shape + x.shape (recorded, for composition)."""
    rows: list[list[Tensor]] = [[] for _ in xs]
    for i in range(y.numel() if y.requires_grad else 0):
        e_i = np.zeros(y.shape, y.dtype)
        e_i.flat[i] = 1
        gs = _grad(y, xs, e_i, retain_graph=True, create_graph=True, allow_unused=True)
        for row, g in zip(rows, _zeros_if_none(gs, xs)):
            row.append(g)
    return [
        stack(row).reshape(y.shape + x.shape)
        if row
        else Tensor.zeros(y.shape + x.shape, dtype=x.dtype)
        for row, x in zip(rows, xs)
    ]


def jacfwd(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """The Jacobian of `func`, as torch.func.jacfwd returns it (same shapes and values).
    Computed by jacrev's reverse passes: this engine has no forward mode. `randomness` is
    accepted for PyTorch's signature."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """H = d^2 func / d x d x for the arguments `argnums`: jacfwd(jacrev(func)), of shape
    x.shape + x.shape for a func returning one number (out.shape + x.shape + x.shape else)."""
    return jacfwd(jacrev(func, argnums), argnums)


# -- functional_call and vmap ----------------------------------------------------------------


def functional_call(
    module: Module,
    parameter_and_buffer_dicts: dict[str, Tensor] | tuple[dict[str, Tensor], ...],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """module(*args, **kwargs) with its parameters and buffers replaced, for this call only,
    by the tensors given by dotted name ("0.weight"); the module is restored after, even on
    an error. Names not given keep the module's own tensors (all must be given with
    `strict=True`). Unlike PyTorch, a name the module does not have is an error (a typo would
    otherwise be ignored). `tie_weights` is accepted for PyTorch's signature."""
    if not isinstance(module, Module):
        raise TypeError(f"functional_call: module must be a Module, got {type(module).__name__}")
    dicts = parameter_and_buffer_dicts
    dicts = (dicts,) if isinstance(dicts, dict) else tuple(dicts)
    given: dict[str, Tensor] = {}
    for d in dicts:
        for name, value in d.items():
            if name in given:
                raise ValueError(f"functional_call: {name!r} is given more than once")
            given[name] = value
    owned = dict(module.named_parameters()) | dict(module.named_buffers())
    unknown = [n for n in given if n not in owned]
    if unknown:
        raise ValueError(f"functional_call: {type(module).__name__} has no parameter or buffer "
                         f"named {', '.join(map(repr, unknown))}")  # fmt: skip
    missing = [n for n in owned if n not in given]
    if strict and missing:
        raise RuntimeError(f"functional_call: missing key(s) {', '.join(map(repr, missing))} "
                           "(strict=True)")  # fmt: skip
    saved = []
    try:
        for name, value in given.items():
            owner_name, _, leaf = name.rpartition(".")
            owner = module.get_submodule(owner_name) if owner_name else module
            registry = owner._parameters if leaf in owner._parameters else owner._buffers
            saved.append((owner, registry, leaf, registry[leaf]))
            registry[leaf] = value
            object.__setattr__(owner, leaf, value)
        args = () if args is None else args if isinstance(args, tuple) else (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for owner, registry, leaf, old in reversed(saved):
            registry[leaf] = old
            object.__setattr__(owner, leaf, old)


def _in_dims_per_arg(in_dims: Any, n: int) -> list[Any]:
    if in_dims is None or isinstance(in_dims, int):
        if in_dims is None:
            raise ValueError("vmap: in_dims is None for every input; at least one must be mapped")
        return [in_dims] * n
    if not isinstance(in_dims, (tuple, list)) or len(in_dims) != n:
        raise ValueError(
            f"vmap: in_dims {in_dims!r} does not match the {n} positional inputs (give an int, "
            "or a tuple with one int or None per input)"
        )
    return list(in_dims)


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """func mapped over a batch dimension: vmap(f)(x)[i] = f(x[i]). `in_dims`: per positional
    input the dim to map over (None: passed whole; an int for all); `out_dims`: where the batch
    dim goes in each output (an int, or one per output). A LOOP over the batch followed by
    `stack` (correct and differentiable, not fast). `randomness`: 'error' (a random op inside
    raises), 'different' (each element draws its own), 'same' (all draw the same values)."""
    if randomness not in ("error", "different", "same"):
        raise ValueError(
            f"vmap: randomness must be 'error', 'different' or 'same', got {randomness!r}"
        )

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        dims = _in_dims_per_arg(in_dims, len(args))
        flat_args = [_flatten(a) for a in args]
        sizes, norm_dims = [], []
        for (leaves, _), d in zip(flat_args, dims):
            if d is not None and not isinstance(d, int):
                raise ValueError(f"vmap: an in_dim must be an int or None, got {d!r}")
            nd = []
            for t in leaves:
                if d is None or not isinstance(t, Tensor):
                    if d is not None:
                        raise ValueError(f"vmap: an input mapped over dim {d} is a "
                                         f"{type(t).__name__}, not a Tensor")  # fmt: skip
                    nd.append(None)
                    continue
                if not -t.ndim <= d < t.ndim:
                    raise ValueError(f"vmap: in_dim {d} is out of range for an input of shape "
                                     f"{t.shape}")  # fmt: skip
                nd.append(d % t.ndim)
                sizes.append(t.shape[d % t.ndim])
            norm_dims.append(nd)
        if not sizes:
            raise ValueError("vmap: no input is mapped (every in_dim is None)")
        if len(set(sizes)) != 1:
            raise ValueError(
                "vmap: expected all tensors to have the same size in the mapped dimension, got "
                f"sizes {sizes}"
            )
        start = generator().bit_generator.state
        results = []
        for i in range(sizes[0]):
            if randomness == "same":
                generator().bit_generator.state = start
            sliced = [
                _unflatten(spec, [t if d is None else t.select(d, i) for t, d in zip(leaves, nd)])
                for (leaves, spec), nd in zip(flat_args, norm_dims)
            ]
            results.append(func(*sliced, **kwargs))
            if randomness == "error" and generator().bit_generator.state != start:
                raise RuntimeError(
                    "vmap: func called a random operation while randomness='error'; pass "
                    "randomness='same' or 'different' to vmap, or draw outside it"
                )
        return _stack_outputs(results, out_dims)

    return wrapper


def _stack_outputs(results: list[Any], out_dims: Any) -> Any:
    """The per-element outputs (trees) stacked leaf by leaf at `out_dims`."""
    per, spec = zip(*[_flatten(r) for r in results])
    n_leaves = len(per[0])
    if isinstance(out_dims, (tuple, list)):
        if len(out_dims) != n_leaves:
            raise ValueError(f"vmap: out_dims {out_dims!r} does not match the {n_leaves} outputs")
        dims = list(out_dims)
    else:
        dims = [out_dims] * n_leaves
    stacked = []
    for k, d in enumerate(dims):
        column = [leaves[k] for leaves in per]
        if not all(isinstance(t, Tensor) for t in column):
            raise ValueError(f"vmap: func must return Tensors, got {type(column[0]).__name__}")
        if d is None:
            stacked.append(column[0])  # not mapped: the same for every element
            continue
        if not -(column[0].ndim + 1) <= d <= column[0].ndim:
            raise ValueError(f"vmap: out_dim {d} is out of range for an output of shape "
                             f"{column[0].shape}")  # fmt: skip
        stacked.append(stack(column, d))
    return _unflatten(spec[0], stacked)
