"""Factories: `Tensor.zeros`, `ones`, `full`, `randn`, `rand`, `uniform`, `arange`, `eye`, ...
and `tensor(data)`, PyTorch's copying constructor. (The package exports them: `td.zeros(2, 3)`.)

A shape is given as varargs or as one tuple; every factory takes `dtype` and `requires_grad`,
and PyTorch's `device` (None, 'cpu' or a td.device('cpu'); any other device is an error: see
device.py), `layout` (td.strided) and `pin_memory` (False) where PyTorch's takes them.
Floats default to `get_default_dtype()`; randomness comes from `generator=` (a td.Generator)
or else the package generator (`manual_seed`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .device import check_device, check_factory
from .dtypes import KINDS, get_default_dtype, resolve_dtype
from .rng import generator as resolve
from .tensor import Tensor, _is_int, _shape_args, constant

__all__ = [
    "tensor", "zeros", "ones", "full", "randn", "rand", "uniform", "arange", "eye", "zeros_like",
    "ones_like", "full_like", "randn_like", "linspace", "logspace", "randint", "randperm",
    "normal", "from_numpy", "as_tensor", "empty", "empty_like", "rand_like", "randint_like",
    "multinomial", "bernoulli", "is_tensor", "numel",
]  # fmt: skip


def _finish(data: np.ndarray, dtype: Any, requires_grad: bool, what: str) -> Tensor:
    dtype = get_default_dtype() if dtype is None else resolve_dtype(dtype, what)
    return Tensor(data.astype(dtype, copy=False), requires_grad=requires_grad)


def _random(dtype: Any, what: str) -> Any:
    """The dtype of random samples: a float dtype (or None for the default), as in PyTorch,
    where `torch.rand(3, dtype=torch.long)` is "not implemented for 'Long'"."""
    if dtype is not None and resolve_dtype(dtype, what).kind != "f":
        raise TypeError(f"{what}: random samples need a floating dtype, got {np.dtype(dtype)}")
    return dtype


def _number(value: Any, what: str, name: str) -> Any:
    """A number argument: bool, int, float or a one-element tensor/array of those."""
    if isinstance(value, (bool, int, float)):
        return value
    v = np.asarray(value.data if isinstance(value, Tensor) else value)
    if v.dtype.kind not in "biuf" or v.size != 1:
        shown = repr(value) if v.dtype.kind == "O" or v.size == 1 else f"shape {v.shape}"
        raise TypeError(f"{what}: {name} must be a number, got {shown} ({type(value).__name__})")
    return v.item()


def _dims(shape: tuple, size: Any, what: str) -> tuple[int, ...]:
    """A factory's shape, as varargs (2, 3), one sequence ((2, 3),) or PyTorch's `size=`."""
    if size is not None:
        if shape:
            raise TypeError(f"{what}: give the shape as arguments or as size=, not both")
        shape = (size,)
    return _shape_args(shape, what)


def _size(n: Any, what: str) -> int:
    return _shape_args((n,), what)[0]


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, *, device: Any = None,
           pin_memory: bool = False) -> Tensor:  # fmt: skip
    """PyTorch's `torch.tensor`: a new leaf holding a copy of `data`, by `Tensor`'s dtype rules
    (Python floats become the default float dtype). `Tensor(array)` shares a NumPy array's
    memory instead; a Tensor given here is copied and cut from its graph."""
    check_factory("tensor", device, None, pin_memory)
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None,
          layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A tensor of zeros: `Tensor.zeros(2, 3)` or `Tensor.zeros((2, 3))`."""
    check_factory("zeros", device, layout, pin_memory)
    return _finish(np.zeros(_dims(shape, size, "zeros")), dtype, requires_grad, "zeros")


def ones(*shape: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None,
         layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A tensor of ones: `Tensor.ones(2, 3)` or `Tensor.ones((2, 3))`."""
    check_factory("ones", device, layout, pin_memory)
    return _finish(np.ones(_dims(shape, size, "ones")), dtype, requires_grad, "ones")


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False, *,
         device: Any = None, layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A tensor of `shape` filled with `fill_value` (ints give int64, bools bool)."""
    check_factory("full", device, layout, pin_memory)
    shape = _shape_args((size,), "full")
    fill_value = _number(fill_value, "full", "fill_value")
    if dtype is None and isinstance(fill_value, (bool, int)):
        dtype = np.bool_ if isinstance(fill_value, bool) else np.int64
    return _finish(np.full(shape, fill_value), dtype, requires_grad, "full")


def randn(*shape: Any, size: Any = None, generator: Any = None, dtype: Any = None,
          requires_grad: bool = False,
          device: Any = None, layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Standard normal samples (a floating dtype)."""
    check_factory("randn", device, layout, pin_memory)
    dtype = _random(dtype, "randn")
    data = resolve(generator, "randn").standard_normal(_dims(shape, size, "randn"))
    return _finish(data, dtype, requires_grad, "randn")


def rand(*shape: Any, size: Any = None, generator: Any = None, dtype: Any = None,
         requires_grad: bool = False,
         device: Any = None, layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Uniform samples in [0, 1) (a floating dtype)."""
    check_factory("rand", device, layout, pin_memory)
    dtype = _random(dtype, "rand")
    data = resolve(generator, "rand").random(_dims(shape, size, "rand"))
    return _finish(data, dtype, requires_grad, "rand")


def uniform(*shape: Any, low: float = -1.0, high: float = 1.0, dtype: Any = None,
            requires_grad: bool = False, device: Any = None,
            generator: Any = None) -> Tensor:  # fmt: skip
    """Uniform samples in [low, high) (a floating dtype)."""
    check_device(device, "uniform")
    low, high = _number(low, "uniform", "low"), _number(high, "uniform", "high")
    if not (np.isfinite(low) and np.isfinite(high) and high > low):
        raise ValueError(f"uniform: need finite low < high, got low={low}, high={high}")
    dtype = _random(dtype, "uniform")
    data = resolve(generator, "uniform").uniform(low, high, _shape_args(shape, "uniform"))
    return _finish(data, dtype, requires_grad, "uniform")


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False, *, device: Any = None, layout: Any = None,
           pin_memory: bool = False) -> Tensor:  # fmt: skip
    """NumPy's arange: integer arguments give int64, any float gives the default float dtype."""
    check_factory("arange", device, layout, pin_memory)
    start, step = _number(start, "arange", "start"), _number(step, "arange", "step")
    ends = (start,) if stop is None else (start, _number(stop, "arange", "end"))
    if not all(np.isfinite(v) for v in (*ends, step)):
        raise ValueError(f"arange: start, end and step must be finite, got {(*ends, step)}")
    if step == 0:
        raise ValueError("arange: step must be nonzero, got 0")
    data = np.arange(*ends, step=step)
    if dtype is None:
        dtype = np.int64 if data.dtype.kind in "iu" else get_default_dtype()
    return Tensor(data.astype(resolve_dtype(dtype, "arange")), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, *,
        device: Any = None, layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """The identity matrix (n x m, m = n by default)."""
    check_factory("eye", device, layout, pin_memory)
    n, m = _size(n, "eye"), None if m is None else _size(m, "eye")
    return _finish(np.eye(n, m), dtype, requires_grad, "eye")


def _like(t: Any, dtype: Any, what: str) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype of a `*_like` result: `t`'s (a tensor, or data that makes one),
    the dtype replaced by `dtype` when given."""
    if not isinstance(t, Tensor):
        try:
            t = Tensor(t)
        except TypeError:
            raise TypeError(
                f"{what}: expected a tensor (or data that makes one), got {type(t).__name__}"
            ) from None
    return t.shape, t.dtype if dtype is None else resolve_dtype(dtype, what)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False, *, device: Any = None,
               layout: Any = None) -> Tensor:  # fmt: skip
    """Zeros with `t`'s shape and dtype (or `dtype`)."""
    check_factory("zeros_like", device, layout)
    shape, dtype = _like(t, dtype, "zeros_like")
    return Tensor(np.zeros(shape, dtype), requires_grad=requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False, *, device: Any = None,
              layout: Any = None) -> Tensor:  # fmt: skip
    """Ones with `t`'s shape and dtype (or `dtype`)."""
    check_factory("ones_like", device, layout)
    shape, dtype = _like(t, dtype, "ones_like")
    return Tensor(np.ones(shape, dtype), requires_grad=requires_grad)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False, *,
              device: Any = None, layout: Any = None) -> Tensor:  # fmt: skip
    """`fill_value` everywhere, with `t`'s shape and dtype (or `dtype`)."""
    check_factory("full_like", device, layout)
    shape, dtype = _like(t, dtype, "full_like")
    fill_value = _number(fill_value, "full_like", "fill_value")
    return Tensor(np.full(shape, fill_value, dtype), requires_grad=requires_grad)


def _random_like(t: Any, dtype: Any, what: str) -> tuple[tuple[int, ...], Any]:
    """`t`'s shape, and `dtype` checked as a dtype for random floats: by default t's when
    floating, else None (the default float dtype)."""
    shape, t_dtype = _like(t, None, what)
    if dtype is None:
        dtype = t_dtype if t_dtype.kind == "f" else None
    return shape, _random(dtype, what)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False, *, generator: Any = None,
               device: Any = None, layout: Any = None) -> Tensor:  # fmt: skip
    """Standard normal samples with `t`'s shape (and dtype, when floating)."""
    check_factory("randn_like", device, layout)
    shape, dtype = _random_like(t, dtype, "randn_like")
    data = resolve(generator, "randn_like").standard_normal(shape)
    return _finish(data, dtype, requires_grad, "randn_like")


def rand_like(t: Any, dtype: Any = None, requires_grad: bool = False, *, generator: Any = None,
              device: Any = None, layout: Any = None) -> Tensor:  # fmt: skip
    """Uniform samples in [0, 1) with `t`'s shape (and dtype, when floating)."""
    check_factory("rand_like", device, layout)
    shape, dtype = _random_like(t, dtype, "rand_like")
    data = resolve(generator, "rand_like").random(shape)
    return _finish(data, dtype, requires_grad, "rand_like")


# -- ranges --------------------------------------------------------------------------------


def _steps(steps: Any, what: str) -> int:
    if not _is_int(steps):
        raise TypeError(f"{what}: steps must be an int, got {steps!r} ({type(steps).__name__})")
    if steps < 0:
        raise ValueError(f"{what}: steps must be >= 0, got {steps}")
    return int(steps)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None,
             requires_grad: bool = False, device: Any = None, layout: Any = None,
             pin_memory: bool = False) -> Tensor:  # fmt: skip
    """`steps` evenly spaced values from start to end, both included (np.linspace): start +
    i (end - start) / (steps - 1). Floats by default, even from ints, as in PyTorch; an integer
    `dtype` truncates them."""
    check_factory("linspace", device, layout, pin_memory)
    start, end = _number(start, "linspace", "start"), _number(end, "linspace", "end")
    data = np.linspace(start, end, _steps(steps, "linspace"))
    return _finish(data, dtype, requires_grad, "linspace")


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             requires_grad: bool = False, device: Any = None, layout: Any = None,
             pin_memory: bool = False) -> Tensor:  # fmt: skip
    """base ** linspace(start, end, steps): `steps` values from base^start to base^end, evenly
    spaced on a log scale."""
    check_factory("logspace", device, layout, pin_memory)
    start, end = _number(start, "logspace", "start"), _number(end, "logspace", "end")
    base = _number(base, "logspace", "base")
    data = np.power(float(base), np.linspace(start, end, _steps(steps, "logspace")))
    return _finish(data, dtype, requires_grad, "logspace")


# -- empty (zero-filled) -------------------------------------------------------------------


def empty(*shape: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None,
          layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A new tensor of `shape`. PyTorch leaves its memory uninitialised; here it is filled with
    zeros (the same as `zeros`), so a program never reads garbage."""
    check_factory("empty", device, layout, pin_memory)
    return _finish(np.zeros(_dims(shape, size, "empty")), dtype, requires_grad, "empty")


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False, *, device: Any = None,
               layout: Any = None) -> Tensor:  # fmt: skip
    """A new tensor with `t`'s shape and dtype (or `dtype`), zero-filled (see `empty`)."""
    check_factory("empty_like", device, layout)
    shape, dtype = _like(t, dtype, "empty_like")
    return Tensor(np.zeros(shape, dtype), requires_grad=requires_grad)


# -- from NumPy and other data -------------------------------------------------------------


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares `array`'s memory, as PyTorch's: a change to one shows in the other
    (and the tensor keeps the array's dtype). Only the dtypes a tensor holds (bool, integers,
    floats) in native byte order; anything else is refused."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    if array.dtype.kind not in KINDS:
        raise TypeError(
            f"from_numpy: an array of dtype {array.dtype} cannot make a tensor; a tensor holds "
            "bool, integer or float values"
        )
    if not array.dtype.isnative:
        raise TypeError(
            f"from_numpy: an array of dtype {array.dtype.str} is not in the machine's byte "
            "order; convert it first (array.astype(array.dtype.newbyteorder('=')))"
        )
    return Tensor._make(np.asarray(array), None)  # (np.asarray: a subclass' plain view)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """`data` as a tensor without copying where it can, as PyTorch's: a Tensor of that dtype
    is returned as it is (another dtype: `data.to(dtype)`, which stays in the graph); a NumPy
    array of that dtype shares its memory (`from_numpy`); anything else is copied."""
    check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.astype(resolve_dtype(dtype, "as_tensor"))
    if isinstance(data, np.ndarray) and dtype is None and data.dtype.kind in KINDS:
        return from_numpy(data)
    if isinstance(data, np.ndarray) and dtype is not None:
        if resolve_dtype(dtype, "as_tensor") == data.dtype:
            return from_numpy(data)
    return Tensor(data, dtype=dtype)


def is_tensor(obj: Any) -> bool:
    """Whether `obj` is a Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Any) -> int:
    """The number of elements of a tensor, as `input.numel()`."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel: expected a Tensor, got {type(input).__name__}")
    return input.numel()


# -- random integers and permutations ------------------------------------------------------


def _bounds(low: Any, high: Any, what: str) -> tuple[int, int]:
    """randint's [low, high): ints with low < high."""
    for name, v in (("low", low), ("high", high)):
        if not _is_int(v):
            raise TypeError(f"{what}: {name} must be an int, got {v!r} ({type(v).__name__})")
    if low >= high:
        raise ValueError(f"{what}: need low < high, got low={low}, high={high}")
    return int(low), int(high)


def _integers(shape: tuple[int, ...], low: int, high: int, gen: Any, what: str) -> np.ndarray:
    return resolve(gen, what).integers(low, high, size=shape, dtype=np.int64)


def randint(*args: Any, size: Any = None, low: Any = None, high: Any = None,
            generator: Any = None, dtype: Any = None, requires_grad: bool = False,
            device: Any = None, layout: Any = None,
            pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Integers drawn uniformly from [low, high), int64 by default, with PyTorch's overloads:
    `randint(high, size)`, `randint(low, high, size)` (size a tuple), or by keyword
    `randint(low=0, high=10, size=(3,))`."""
    check_factory("randint", device, layout, pin_memory)
    args = list(args)
    if size is None:
        if not args:
            raise TypeError(
                "randint: give a size, as randint(high, (n,)) or randint(low, high, (n,))"
            )
        size = args.pop()
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"randint: size must be a tuple of ints, got {size!r} (randint(high, size) or "
            "randint(low, high, size))"
        )
    if len(args) > 2 or (args and high is not None) or (len(args) == 2 and low is not None):
        raise TypeError("randint: give low and high once each: randint(low, high, size)")
    if len(args) == 2:
        low, high = args
    elif args:
        high = args[0]
    if high is None:
        raise TypeError("randint: missing high, as randint(high, size) or randint(low, high, size)")
    low, high = _bounds(0 if low is None else low, high, "randint")
    data = _integers(_shape_args((size,), "randint"), low, high, generator, "randint")
    return _finish(data, np.int64 if dtype is None else dtype, requires_grad, "randint")


def randint_like(input: Any, low: Any = None, high: Any = None, *, generator: Any = None,
                 dtype: Any = None, requires_grad: bool = False, device: Any = None,
                 layout: Any = None) -> Tensor:  # fmt: skip
    """Integers drawn uniformly from [low, high) with `input`'s shape and dtype (or `dtype`):
    `randint_like(x, high)` or `randint_like(x, low, high)`, as PyTorch's."""
    check_factory("randint_like", device, layout)
    if high is None:
        low, high = 0, low
    if high is None:
        raise TypeError("randint_like: missing high, as randint_like(x, high) or (x, low, high)")
    shape, dtype = _like(input, dtype, "randint_like")
    low, high = _bounds(0 if low is None else low, high, "randint_like")
    data = _integers(shape, low, high, generator, "randint_like")
    return _finish(data, dtype, requires_grad, "randint_like")


def randperm(n: int, *, generator: Any = None, dtype: Any = None, requires_grad: bool = False,
             device: Any = None, layout: Any = None,
             pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A random permutation of 0 .. n-1 (int64 by default)."""
    check_factory("randperm", device, layout, pin_memory)
    n = _size(n, "randperm")
    data = resolve(generator, "randperm").permutation(n).astype(np.int64)
    return _finish(data, np.int64 if dtype is None else dtype, requires_grad, "randperm")


# -- samples from distributions ------------------------------------------------------------


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, requires_grad: bool = False, device: Any = None,
           layout: Any = None, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Normal samples with the given means and standard deviations (std >= 0), with PyTorch's
    overloads: `normal(mean_tensor, std_tensor)` (broadcast), `normal(mean_tensor, std=1.0)`,
    `normal(mean, std_tensor)`, and `normal(mean, std, size)` for numbers.

    The samples are a new leaf: no gradient flows to mean or std (PyTorch's is zero). For a
    differentiable (reparameterised) sample write `mean + std * td.randn_like(mean)`."""
    check_factory("normal", device, layout, pin_memory)
    rng = resolve(generator, "normal")
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    for t in tensors:
        if t.dtype.kind != "f":
            raise TypeError(f"normal: mean and std must be floating tensors, got {t.dtype}")
    if tensors:
        if size is not None:
            raise TypeError("normal: size is for number mean and std; a tensor gives the shape")
        m = mean.data if isinstance(mean, Tensor) else _number(mean, "normal", "mean")
        s = std.data if isinstance(std, Tensor) else _number(std, "normal", "std")
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            raise ValueError(
                f"normal: mean of shape {np.shape(m)} and std of shape {np.shape(s)} do not "
                "broadcast"
            ) from None
        dtype = tensors[0].dtype if dtype is None else dtype
    else:
        if size is None:
            raise TypeError("normal: with a number mean and std, give the size: normal(0, 1, (n,))")
        m, s = _number(mean, "normal", "mean"), _number(std, "normal", "std")
        shape = _shape_args((size,), "normal")
    if np.any(np.asarray(s) < 0):
        raise ValueError(f"normal: std must be >= 0, got {np.min(s)}")
    dtype = _random(dtype, "normal")
    data = m + s * rng.standard_normal(shape)
    return _finish(np.asarray(data), dtype, requires_grad, "normal")


def _probabilities(p: Any, what: str) -> np.ndarray:
    p = p.data if isinstance(p, Tensor) else np.asarray(p)
    if p.dtype.kind != "f":
        raise TypeError(f"{what}: probabilities must be floating, got {p.dtype}")
    return p


def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Tensor:
    """0 or 1 for each element, 1 with probability input (or with probability `p`, a number,
    for every element), in input's floating dtype: a new tensor with no gradient (PyTorch's is
    zero). Probabilities must lie in [0, 1]."""
    rng = resolve(generator, "bernoulli")
    probs = _probabilities(input, "bernoulli")
    if p is not None:
        p = _number(p, "bernoulli", "p")
        probs = np.full(probs.shape, p, probs.dtype)
    if not np.all((probs >= 0) & (probs <= 1)):  # (NaN fails both)
        bad = probs[~((probs >= 0) & (probs <= 1))].ravel()[0]
        raise ValueError(f"bernoulli: probabilities must be in [0, 1], got {bad}")
    return constant((rng.random(probs.shape) < probs).astype(probs.dtype))


def multinomial(input: Any, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:  # fmt: skip
    """Category indices (int64) drawn from each row of non-negative weights (1-D: one row;
    2-D: one per row; the weights need not sum to 1): `num_samples` per row, shape (k,) or
    (rows, k). With replacement by the inverse of the cumulative weights; without, by
    "exponential races" (the k smallest E_i / w_i, E_i ~ Exp(1)), which draws each next category
    with probability proportional to the weights of those not yet drawn, as PyTorch's."""
    rng = resolve(generator, "multinomial")
    w = _probabilities(input, "multinomial")
    if w.ndim not in (1, 2):
        raise ValueError(f"multinomial: the weights must be 1-D or 2-D, got shape {w.shape}")
    if not _is_int(num_samples):
        raise TypeError(f"multinomial: num_samples must be an int, got {num_samples!r}")
    rows = w.reshape(-1, w.shape[-1]).astype(np.float64)
    n, k = rows.shape[1], int(num_samples)
    if k <= 0:
        raise ValueError(f"multinomial: num_samples must be positive, got {k}")
    if not np.all(np.isfinite(rows) & (rows >= 0)):
        raise ValueError("multinomial: the weights must be finite and >= 0 (no inf, NaN or < 0)")
    if rows.size == 0 or np.any(rows.sum(1) <= 0):
        raise ValueError(
            f"multinomial: every row of weights needs a positive sum (shape {w.shape})"
        )
    if not replacement:
        if k > n:
            raise ValueError(
                f"multinomial: cannot draw {k} samples from {n} categories without replacement"
            )
        if np.any((rows > 0).sum(1) < k):
            raise ValueError(
                f"multinomial: a row has fewer than {k} categories of positive weight, too few "
                "to draw without replacement"
            )
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=rows.shape) / rows  # weight 0: key inf
        out = np.argsort(keys, axis=1, kind="stable")[:, :k]
    else:
        cdf = np.cumsum(rows, axis=1)
        u = rng.random((rows.shape[0], k)) * cdf[:, -1:]
        out = np.stack([np.searchsorted(c, v, side="right") for c, v in zip(cdf, u)])
        last = n - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)  # the last positive weight
        out = np.minimum(out, last[:, None])  # (u rounded up to the total)
    return constant(out.astype(np.int64).reshape(w.shape[:-1] + (k,)))
