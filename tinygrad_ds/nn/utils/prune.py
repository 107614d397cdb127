"""Pruning, as PyTorch's `nn.utils.prune`: zero some entries (or whole slices) of a parameter
through a mask that stays fixed while the rest trains.

Pruning `module.<name>` reparametrises it: the Parameter moves to `<name>_orig`, a buffer
`<name>_mask` (1 = kept, 0 = pruned) joins it, and the plain attribute `<name>` = mask * orig
is recomputed by a forward pre-hook (the pruning method itself) before each forward, so the
gradient reaches `<name>_orig` and is zero where the mask is. Pruning the same tensor again
stacks the masks in a `PruningContainer`: the new method sees only what is still unpruned.
`remove` makes `<name>` a plain Parameter again, holding the pruned values.

The masks are computed on plain arrays (they carry no gradient). Ties in the L1 / Ln scores
are broken towards pruning the lower index first (PyTorch leaves them to `topk`). Random
methods draw from the package generator (`td.manual_seed`).
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

from ... import rng
from ...grad_mode import no_grad
from ...tensor import Tensor
from ..module import Module, check_int

__all__ = [
    "BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
    "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured",
    "l1_unstructured", "random_structured", "ln_structured", "global_unstructured",
    "custom_from_mask", "remove", "is_pruned",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# checks and helpers
# ---------------------------------------------------------------------------------------------


def _check_amount(amount: Any, what: str) -> None:
    """`amount` is a non-negative int (a number of units) or a float in [0, 1] (a fraction)."""
    if isinstance(amount, (bool, np.bool_)) or not isinstance(amount, numbers.Real):
        raise TypeError(f"{what}: Invalid type for amount: {amount!r}. Must be int or float.")
    if (amount < 0) if isinstance(amount, numbers.Integral) else not 0 <= amount <= 1:
        raise ValueError(
            f"{what}: amount={amount} should either be a float in the range [0, 1] or a "
            "non-negative integer"
        )


def _n_to_prune(amount: Any, size: int, what: str) -> int:
    """How many of `size` units `amount` prunes: an int as it is (at most `size`), a float
    fraction rounded to the nearest int (half to even, Python's `round`, as PyTorch)."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(
                f"{what}: amount={amount} should be smaller than the number of parameters to "
                f"prune={size}"
            )
        return int(amount)
    return round(amount * size)


def _structured_dim(t: Tensor, dim: int, what: str) -> int:
    """`dim` as a non-negative axis of `t`, which must have at least two dimensions."""
    if t.ndim <= 1:
        raise ValueError(
            f"{what}: Structured pruning can only be applied to multidimensional tensors. "
            f"Found tensor of shape {tuple(t.shape)} with {t.ndim} dims"
        )
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"{what}: dim={dim} is out of range for a tensor of shape {t.shape}")
    return dim % t.ndim


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a, None)


def _slices_mask(shape: tuple, dim: int, pruned: np.ndarray, dtype: Any) -> np.ndarray:
    """Ones of `shape`, zero on the slices `pruned` (indices along `dim`)."""
    mask = np.ones(shape, dtype=dtype)
    index = [slice(None)] * len(shape)
    index[dim] = pruned
    mask[tuple(index)] = 0
    return mask


def _ln_norms(a: np.ndarray, n: Any, dim: int) -> np.ndarray:
    """The L`n` norm of each slice of `a` along `dim` (over all the other dimensions), as
    `torch.norm(a, p=n)`: n = inf the largest |a|, -inf the smallest, 0 the count of
    non-zeros, else (sum |a|^n)^(1/n)."""
    axes = tuple(d for d in range(a.ndim) if d != dim)
    x = np.abs(a.astype(np.float64))
    if n == "fro":
        n = 2
    if n == np.inf:
        return x.max(axis=axes)
    if n == -np.inf:
        return x.min(axis=axes)
    if n == 0:
        return (x != 0).sum(axis=axes).astype(np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        return (x**n).sum(axis=axes) ** (1.0 / n)


def _pruning_hooks(module: Module, name: str) -> list:
    return [
        h
        for h in module._forward_pre_hooks
        if isinstance(h, BasePruningMethod) and h._tensor_name == name
    ]


# ---------------------------------------------------------------------------------------------
# the base class and the container
# ---------------------------------------------------------------------------------------------


class BasePruningMethod(ABC):
    """A way to choose what to prune: subclasses define `compute_mask(t, default_mask)` and
    `PRUNING_TYPE` ("unstructured": entries, "structured": slices along `self.dim`, "global":
    the whole tensor at once), which tells `PruningContainer` what a later method may see.

    An instance is also the forward pre-hook that sets `module.<name>` = mask * orig."""

    PRUNING_TYPE: str | None = None
    _tensor_name: str | None = None  # the name of the pruned tensor, once applied

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The mask (same shape as `t`, the importance scores) that prunes on top of
        `default_mask` (the mask of earlier pruning, ones if none)."""

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    def apply_mask(self, module: Module) -> Tensor:
        """`<name>_mask * <name>_orig` (in orig's dtype; the gradient reaches orig)."""
        if self._tensor_name is None:
            raise RuntimeError(f"apply_mask: Module {type(module).__name__} has to be pruned")
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return mask.to(orig.dtype) * orig

    @classmethod
    def apply(
        cls, module: Module, name: str, *args: Any, importance_scores: Any = None, **kwargs: Any
    ) -> BasePruningMethod:
        """Prune `module.<name>` with `cls(*args, **kwargs)`, ranking by `importance_scores`
        (the tensor itself if None): the reparametrisation described in the module docstring.
        A tensor already pruned gets a `PruningContainer` of its methods. Returns the method
        now hooked on the module (the container if there is one)."""
        return cls._apply(f"{cls.__name__}.apply", module, name, args, kwargs, importance_scores)

    @classmethod
    def _apply(
        cls, what: str, module: Module, name: str, args: tuple, kwargs: dict, scores: Any
    ) -> BasePruningMethod:
        if not isinstance(module, Module):
            raise TypeError(f"{what}: expected an nn.Module, got {type(module).__name__}")
        old = _pruning_hooks(module, name)
        orig = module._parameters.get(name) if not old else getattr(module, name)
        if orig is None:
            raise AttributeError(f"{what}: {type(module).__name__} has no parameter {name!r}")
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if scores is None:
            scores = orig
        elif not isinstance(scores, Tensor):
            scores = Tensor(scores)
        if scores.shape != orig.shape:
            raise ValueError(
                f"{what}: importance_scores should have the same shape as parameter {name} of "
                f"{type(module).__name__}, got {scores.shape} vs {orig.shape}"
            )
        # the mask first, so that an error leaves the module as it was
        if old:
            default_mask = _const(getattr(module, name + "_mask").data.copy())
            mask = _combine_masks(method, scores, default_mask)
        else:
            mask = method.compute_mask(scores, _const(np.ones_like(orig.data)))
        if old:
            module._forward_pre_hooks.remove(old[0])
            if isinstance(old[0], PruningContainer):
                old[0].add_pruning_method(method)
                method = old[0]
            else:
                method = PruningContainer(old[0], method)
        else:
            del module._parameters[name]
            module.register_parameter(name + "_orig", orig)
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t: Tensor, default_mask: Any = None, importance_scores: Any = None) -> Tensor:
        """`t` times the mask this method computes from `importance_scores` (`t` itself if
        None) on top of `default_mask` (ones if None)."""
        t = t if isinstance(t, Tensor) else Tensor(t)
        scores = t if importance_scores is None else importance_scores
        scores = scores if isinstance(scores, Tensor) else Tensor(scores)
        if scores.shape != t.shape:
            raise ValueError(
                f"{type(self).__name__}.prune: importance_scores should have the same shape "
                f"as tensor t, got {scores.shape} vs {t.shape}"
            )
        if default_mask is None:
            default_mask = _const(np.ones_like(t.data))
        elif not isinstance(default_mask, Tensor):
            default_mask = Tensor(default_mask)
        return t * self.compute_mask(scores, default_mask=default_mask)

    def remove(self, module: Module) -> None:
        """Make `<name>` a plain Parameter again (the `<name>_orig` one, now holding the pruned
        values) and drop `<name>_orig` and `<name>_mask`. The pruning itself stays."""
        name = self._tensor_name
        if name is None:
            raise RuntimeError(
                f"remove: Module {type(module).__name__} has to be pruned before pruning can "
                "be removed"
            )
        with no_grad():
            weight = self.apply_mask(module)
        orig = module._parameters[name + "_orig"]
        if name in module.__dict__:
            delattr(module, name)
        orig.data = weight.data
        orig._version[0] += 1
        delattr(module, name + "_orig")
        delattr(module, name + "_mask")
        setattr(module, name, orig)


def _combine_masks(method: BasePruningMethod, t: Tensor, mask: Tensor) -> Tensor:
    """The mask of `method` applied after `mask`: it computes its mask on the part of `t` that
    `mask` leaves (the kept entries, flattened, if unstructured; the slices along its `dim`
    that are not all zero if structured; all of it if global), the old mask's zeros elsewhere."""
    new_mask = mask.data.astype(t.dtype)
    kind = method.PRUNING_TYPE
    if kind == "unstructured":
        index: Any = mask.data == 1
    elif kind == "structured":
        if not hasattr(method, "dim"):
            raise AttributeError(
                "Pruning methods of PRUNING_TYPE 'structured' need to have the attribute `dim` "
                "defined."
            )
        dim = _structured_dim(t, method.dim, type(method).__name__)
        other = tuple(d for d in range(t.ndim) if d != dim)
        index = [slice(None)] * t.ndim
        index[dim] = mask.data.sum(axis=other) != 0
        index = tuple(index)
    elif kind == "global":
        index = (slice(None),) * t.ndim
    else:
        raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
    part = method.compute_mask(_const(t.data[index]), default_mask=_const(mask.data[index]))
    new_mask[index] = _array(part)
    return _const(new_mask)


class PruningContainer(BasePruningMethod):
    """The pruning methods applied one after another to one tensor (iterative pruning): its
    mask is that of the last method, computed on what the earlier ones left."""

    def __init__(self, *args: BasePruningMethod) -> None:
        self._pruning_methods: tuple = ()
        if len(args) == 1 and isinstance(args[0], BasePruningMethod):
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        """Append `method`, which must act on the same tensor as the others."""
        if method is None:
            return
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"PruningContainer: {type(method)} is not a BasePruningMethod subclass")
        if self._tensor_name is None and not self._pruning_methods:
            self._tensor_name = method._tensor_name
        elif self._tensor_name != method._tensor_name:
            raise ValueError(
                "PruningContainer: Can only add pruning methods acting on the parameter named "
                f"'{self._tensor_name}' to PruningContainer. Found '{method._tensor_name}'"
            )
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Any:
        return iter(self._pruning_methods)

    def __getitem__(self, idx: Any) -> Any:
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The last method's mask on what `default_mask` leaves (see `_combine_masks`)."""
        if not self._pruning_methods:
            raise RuntimeError("PruningContainer.compute_mask: the container is empty")
        return _combine_masks(self._pruning_methods[-1], t, default_mask)


# ---------------------------------------------------------------------------------------------
# the methods
# ---------------------------------------------------------------------------------------------


class Identity(BasePruningMethod):
    """Prune nothing: the reparametrisation with a mask of ones."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> BasePruningMethod:  # type: ignore[override]
        """Hook `Identity()` on `module.<name>` (see `BasePruningMethod.apply`)."""
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Prune `amount` entries (an int, or a fraction of the entries) chosen at random."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: int | float) -> None:
        _check_amount(amount, "RandomUnstructured")
        self.amount = amount

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        k = _n_to_prune(self.amount, t.numel(), "RandomUnstructured")
        mask = _array(default_mask).copy().reshape(-1)
        if k:
            mask[rng.generator().permutation(mask.size)[:k]] = 0
        return _const(mask.reshape(t.shape))

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: int | float
    ) -> BasePruningMethod:
        """`RandomUnstructured(amount)` on `module.<name>` (the base class's `apply`)."""
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Prune the `amount` entries (an int, or a fraction of the entries) of smallest |t|."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: int | float) -> None:
        _check_amount(amount, "L1Unstructured")
        self.amount = amount

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        k = _n_to_prune(self.amount, t.numel(), "L1Unstructured")
        mask = _array(default_mask).copy().reshape(-1)
        if k:
            mask[np.argsort(np.abs(_array(t)).reshape(-1), kind="stable")[:k]] = 0
        return _const(mask.reshape(t.shape))

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: int | float, importance_scores: Any = None
    ) -> BasePruningMethod:
        """`L1Unstructured(amount)` on `module.<name>` (the base class's `apply`)."""
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prune `amount` slices along `dim` (an int, or a fraction of them) chosen at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, dim: int = -1) -> None:
        _check_amount(amount, "RandomStructured")
        self.amount, self.dim = amount, check_int(dim, "RandomStructured", "dim")

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        what = "RandomStructured"
        dim = _structured_dim(t, self.dim, what)
        k = _n_to_prune(self.amount, t.shape[dim], what)
        if k == 0:
            return default_mask
        pruned = rng.generator().permutation(t.shape[dim])[:k]
        mask = _slices_mask(t.shape, dim, pruned, t.dtype)
        return _const(mask * _array(default_mask).astype(mask.dtype))

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: int | float, dim: int = -1
    ) -> BasePruningMethod:
        """`RandomStructured(amount, dim)` on `module.<name>` (the base class's `apply`)."""
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prune the `amount` slices along `dim` (an int, or a fraction of them) of smallest
    L`n` norm (taken over all the other dimensions; `n` a number, inf, -inf or "fro")."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, n: Any, dim: int = -1) -> None:
        _check_amount(amount, "LnStructured")
        if n != "fro" and (isinstance(n, bool) or not isinstance(n, numbers.Real)):
            raise TypeError(f"LnStructured: n must be a number, inf, -inf or 'fro', got {n!r}")
        self.amount, self.n, self.dim = amount, n, check_int(dim, "LnStructured", "dim")

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        what = "LnStructured"
        dim = _structured_dim(t, self.dim, what)
        k = _n_to_prune(self.amount, t.shape[dim], what)
        if k == 0:
            return default_mask
        norms = _ln_norms(_array(t), self.n, dim)
        pruned = np.argsort(norms, kind="stable")[:k]
        mask = _slices_mask(t.shape, dim, pruned, t.dtype)
        return _const(mask * _array(default_mask).astype(mask.dtype))

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: int | float, n: Any, dim: int,
        importance_scores: Any = None,
    ) -> BasePruningMethod:  # fmt: skip
        """`LnStructured(amount, n, dim)` on `module.<name>` (the base class's `apply`)."""
        return super().apply(
            module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores
        )


class CustomFromMask(BasePruningMethod):
    """Prune where the given `mask` (same shape as the tensor) is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Any) -> None:
        self.mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if self.mask.shape != default_mask.shape:
            raise ValueError(
                f"CustomFromMask: the mask has shape {self.mask.shape}, the tensor pruned "
                f"has shape {default_mask.shape}"
            )
        d = _array(default_mask)
        return _const(d * self.mask.data.astype(d.dtype))

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, mask: Any
    ) -> BasePruningMethod:
        """`CustomFromMask(mask)` on `module.<name>` (the base class's `apply`)."""
        return super().apply(module, name, mask=mask)


# ---------------------------------------------------------------------------------------------
# the functions
# ---------------------------------------------------------------------------------------------


def identity(module: Module, name: str) -> Module:
    """Reparametrise `module.<name>` as pruned with a mask of ones (nothing pruned)."""
    Identity._apply("identity", module, name, (), {}, None)
    return module


def random_unstructured(module: Module, name: str, amount: int | float) -> Module:
    """Prune `amount` random entries of `module.<name>` (an int, or a fraction in [0, 1] of
    those still unpruned, rounded half to even). Returns `module`."""
    _check_amount(amount, "random_unstructured")
    RandomUnstructured._apply("random_unstructured", module, name, (amount,), {}, None)
    return module


def l1_unstructured(
    module: Module, name: str, amount: int | float, importance_scores: Any = None
) -> Module:
    """Prune the `amount` entries of `module.<name>` (an int, or a fraction in [0, 1] of those
    still unpruned) of smallest |importance_scores| (the tensor's own by default)."""
    _check_amount(amount, "l1_unstructured")
    L1Unstructured._apply("l1_unstructured", module, name, (amount,), {}, importance_scores)
    return module


def random_structured(module: Module, name: str, amount: int | float, dim: int) -> Module:
    """Prune `amount` random slices of `module.<name>` along `dim` (an int, or a fraction in
    [0, 1] of the slices not yet all zero)."""
    _check_amount(amount, "random_structured")
    RandomStructured._apply("random_structured", module, name, (amount, dim), {}, None)
    return module


def ln_structured(
    module: Module, name: str, amount: int | float, n: Any, dim: int,
    importance_scores: Any = None,
) -> Module:  # fmt: skip
    """Prune the `amount` slices of `module.<name>` along `dim` (an int, or a fraction in
    [0, 1] of the slices not yet all zero) whose importance scores (the tensor's own by
    default) have the smallest L`n` norm over the other dimensions."""
    _check_amount(amount, "ln_structured")
    LnStructured._apply("ln_structured", module, name, (amount, n, dim), {}, importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Any) -> Module:
    """Prune `module.<name>` where `mask` (same shape) is 0."""
    CustomFromMask._apply("custom_from_mask", module, name, (mask,), {}, None)
    return module


def global_unstructured(
    parameters: Iterable, pruning_method: type, importance_scores: Any = None, **kwargs: Any
) -> None:
    """Prune the (module, name) pairs of `parameters` together: `pruning_method(**kwargs)`
    (an unstructured method, e.g. L1Unstructured with amount=) ranks all their still unpruned
    entries at once (by `importance_scores[(module, name)]` where given, else by the tensor),
    and each tensor is then pruned with its part of the mask (`custom_from_mask`)."""
    what = "global_unstructured"
    if not isinstance(parameters, Iterable):
        raise TypeError(f"{what}(): parameters is not an Iterable")
    pairs = list(parameters)
    if importance_scores is None:
        importance_scores = {}
    if not isinstance(importance_scores, dict):
        raise TypeError(f"{what}(): importance_scores must be of type dict")
    if not pairs:
        raise ValueError(f"{what}(): got no parameters to prune")
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], Module)):
            raise TypeError(f"{what}(): expected (module, name) pairs, got {pair!r}")
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            f'{what}(): Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
            f"Found method {pruning_method} of type {method.PRUNING_TYPE}"
        )
    method._tensor_name = "temp"
    tensors = [getattr(m, name) for m, name in pairs]
    scores = [_array(importance_scores.get((m, name), t)) for (m, name), t in zip(pairs, tensors)]
    masks = [getattr(m, name + "_mask", None) for m, name in pairs]
    masks = [np.ones_like(t.data) if k is None else k.data for t, k in zip(tensors, masks)]
    for (m, name), t, s in zip(pairs, tensors, scores):
        if s.shape != t.shape:
            raise ValueError(
                f"{what}(): the importance scores of {name} of {type(m).__name__} have shape "
                f"{s.shape}, the parameter has shape {t.shape}"
            )
    flat_scores = _const(np.concatenate([s.reshape(-1) for s in scores]))
    flat_mask = _const(np.concatenate([k.reshape(-1) for k in masks]))
    final = _combine_masks(method, flat_scores, flat_mask).data
    start = 0
    for (m, name), t in zip(pairs, tensors):
        custom_from_mask(m, name, mask=_const(final[start : start + t.numel()].reshape(t.shape)))
        start += t.numel()


def remove(module: Module, name: str) -> Module:
    """Undo the reparametrisation of `module.<name>`: it becomes a plain Parameter again,
    holding the pruned values (the pruning stays). Returns `module`."""
    for hook in _pruning_hooks(module, name):
        hook.remove(module)
        module._forward_pre_hooks.remove(hook)
        return module
    raise ValueError(
        f"remove: Parameter '{name}' of module {type(module).__name__} has to be pruned before "
        "pruning can be removed"
    )


def is_pruned(module: Module) -> bool:
    """Whether `module` or any of its submodules has a pruned tensor."""
    return any(
        isinstance(h, BasePruningMethod) for m in module.modules() for h in m._forward_pre_hooks
    )
