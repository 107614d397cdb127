"""The `Tensor`: an n-dimensional NumPy array that records how it was computed.

Every method below is a one-line call to a named operation in `ops/` (a primitive with its
own forward and backward) or a short composition of other methods (no backward needed).
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable, Iterator, Sequence
from numbers import Real
from typing import Any

import numpy as np

from .dtypes import KINDS, as_array, get_default_dtype, resolve_dtype
from .torch_api.aliases import TorchAliases
from .torch_api.counting import TorchCounting
from .torch_api.elementwise import TorchElementwise
from .torch_api.indexing import TorchIndexing
from .torch_api.inplace_methods import TorchInplace
from .torch_api.linalg import TorchLinalg
from .torch_api.more import TorchMore
from .torch_api.names import TorchNames
from .torch_api.reductions import TorchReductions
from .torch_api.scatter_views import TorchScatterViews
from .torch_api.shape import TorchShape
from .torch_api.special import TorchSpecial
from .torch_api.splitting import TorchSplitting

__all__ = ["Tensor"]

Shape = tuple[int, ...]


def _shape_args(args: tuple[Any, ...], what: str, low: int | None = 0) -> Shape:
    """Accept a shape as varargs `(2, 3)` or as one tuple/list `((2, 3),)`: ints (Python or
    NumPy, not bool, not float) of at least `low` (-1 where -1 means "inferred", None for
    axes, which may be negative)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if set(map(type, args)) <= _INT:  # the common case: Python ints only
        shape = args
    else:
        try:
            shape = tuple(map(operator.index, args))  # NumPy ints pass; 2.5, "2", None do not
            if bool in map(type, args):  # True is an int to Python, not a size
                raise TypeError
        except (TypeError, ValueError):
            bad = next(n for n in args if not _is_int(n))
            noun = "dims" if what == "permute" else "sizes"
            raise TypeError(
                f"{what}: {noun} must be ints, got {bad!r} ({type(bad).__name__}) in {args}"
            ) from None
    if low is not None and shape and min(shape) < low:
        allowed = "-1 (inferred) or >= 0" if low == -1 else ">= 0"
        raise ValueError(f"{what}: sizes must be {allowed}, got {min(shape)} in {shape}")
    return shape


_INT = {int}


def _is_int(n: Any) -> bool:
    """An int, Python's or NumPy's, that is not a bool."""
    return type(n) is int or isinstance(n, np.integer)


def _axes(axis: Any, dim: Any, ndim: int, what: str) -> tuple[int, ...] | None:
    """Normalise `axis` (NumPy) or `dim` (PyTorch): None or a sorted tuple of axes >= 0."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{what}: give axis or dim, not both")
        axis = dim
    if axis is None:
        return None
    if type(axis) is int:
        axes = (axis,)
    elif type(axis) is tuple:
        axes = axis
    elif isinstance(axis, np.integer):
        axes = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"{what}: dim must be an int or a tuple of ints, got {axis!r}")
    out = []
    for a in axes:
        if type(a) is not int and not _is_int(a):  # (the call only for NumPy ints)
            raise TypeError(f"{what}: dim must be an int or a tuple of ints, got {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise IndexError(f"{what}: axis {a} is out of range for a tensor of {ndim} dims")
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{what}: repeated axis in {axis}")
    return tuple(sorted(out)) if ndim else ()  # a 0-d tensor's axis 0 (or -1) reduces nothing


def _axis1(axis: int, ndim: int, what: str) -> int:
    """One axis (an int, negative from the end) as an index in range(ndim)."""
    if type(axis) is not int and not _is_int(axis):
        raise TypeError(f"{what}: dim must be an int, got {axis!r} ({type(axis).__name__})")
    if not -ndim <= axis < ndim:
        raise IndexError(f"{what}: axis {axis} is out of range for a tensor of {ndim} dims")
    return axis % ndim


def _check_0d_axis(axis: int, what: str) -> None:
    """A 0-d tensor's one axis is 0 (or -1), as in PyTorch: anything else is an error."""
    if not _is_int(axis) or axis not in (0, -1):  # (0.0 and False equal 0: not axes)
        _axis1(axis, 0, what)  # (the error, naming `what` and the axis)


def _index(index: Any) -> Any:
    """Turn Tensors and lists inside an index into NumPy arrays (masks stay boolean)."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        index = np.asarray(index)
        return index if index.size else index.astype(np.intp)  # [] is no position, not 0.0
    return index


_ndarray = np.ndarray
# the dtypes of KINDS, to test an array's dtype with one set lookup (Tensor(array) is hot)
_DTYPES = frozenset(d for d in map(np.dtype, np.typecodes["All"]) if d.kind in KINDS)


class Tensor(
    TorchNames,
    TorchMore,
    TorchShape,
    TorchElementwise,
    TorchReductions,
    TorchLinalg,
    TorchIndexing,
    TorchInplace,
    TorchCounting,
    TorchSplitting,
    TorchAliases,
    TorchSpecial,
    TorchScatterViews,
):
    """An n-dimensional array with reverse-mode automatic differentiation.

    `Tensor(data, requires_grad=False, dtype=None)` takes Python scalars, nested lists, NumPy
    arrays and Tensors. Python floats become float32 (see `set_default_dtype`); NumPy arrays keep
    their dtype; ints become int64. Only floating tensors can require grad.

        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()          # each operation records a node: y.grad_fn
        >>> y.backward()               # reverse mode: fills x.grad = dy/dx = 2x
        >>> x.grad
        Tensor([2., 4., 6.], dtype=float32)

    Operations broadcast as NumPy does; each method calls one primitive in `ops/` (its forward
    and backward side by side) or composes a few. In-place methods end in `_`. Factories are
    static methods (`Tensor.zeros(2, 3)`, `Tensor.randn(...)`).
    """

    __slots__ = (
        "data", "grad", "_requires_grad", "grad_fn", "name", "_version", "_base", "_views",
        "_hooks", "__weakref__",
    )  # fmt: skip
    # `_views` (set once views of this tensor are taken in grad mode): weak references to them,
    # so that an in-place change recorded on this tensor makes them again (see inplace.py).
    # `_hooks`: a leaf's `register_hook` functions (None if none; a non-leaf's are its node's).
    __array_priority__ = 1000  # so that `ndarray + Tensor` defers to Tensor.__radd__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        if dtype is None and type(data) is _ndarray and data.dtype in _DTYPES:
            self.data: np.ndarray = data  # as_array's answer, without the call (a hot path)
        else:
            self.data = as_array(data, dtype)
        self.grad: Tensor | None = None
        self.grad_fn = None
        self.name: str | None = None
        self._version = [0]
        self._base = self._hooks = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, grad_fn: Any) -> Tensor:
        """Wrap an ndarray without copying or converting (the operations' fast path)."""
        t = _new(cls)
        t.data = data
        t.grad = t.name = t._base = t._hooks = None
        t.grad_fn = grad_fn
        t._requires_grad = grad_fn is not None
        t._version = [0]
        return t

    # -- factories (creation.py) ---------------------------------------------------------

    @staticmethod
    def zeros(*shape: Any, **kwargs: Any) -> Tensor:
        """A tensor of zeros: `Tensor.zeros(2, 3)` or `Tensor.zeros((2, 3))`."""
        return C.zeros(*shape, **kwargs)

    @staticmethod
    def ones(*shape: Any, **kwargs: Any) -> Tensor:
        """A tensor of ones: `Tensor.ones(2, 3)` or `Tensor.ones((2, 3))`."""
        return C.ones(*shape, **kwargs)

    @staticmethod
    def full(shape: Any, fill_value: Any, **kwargs: Any) -> Tensor:
        """A tensor of `shape` filled with `fill_value` (ints give int64, bools bool)."""
        return C.full(shape, fill_value, **kwargs)

    @staticmethod
    def randn(*shape: Any, **kwargs: Any) -> Tensor:
        """Standard normal samples from the package generator (see `manual_seed`)."""
        return C.randn(*shape, **kwargs)

    @staticmethod
    def rand(*shape: Any, **kwargs: Any) -> Tensor:
        """Uniform samples in [0, 1) from the package generator."""
        return C.rand(*shape, **kwargs)

    @staticmethod
    def uniform(*shape: Any, **kwargs: Any) -> Tensor:
        """Uniform samples in [low, high) (default [-1, 1)) from the package generator."""
        return C.uniform(*shape, **kwargs)

    @staticmethod
    def arange(start: Any, stop: Any = None, step: Any = 1, **kwargs: Any) -> Tensor:
        """NumPy's arange: integer arguments give int64, a float gives the default float dtype."""
        return C.arange(start, stop, step, **kwargs)

    @staticmethod
    def eye(n: int, m: int | None = None, **kwargs: Any) -> Tensor:
        """The identity matrix (n x m, m = n by default)."""
        return C.eye(n, m, **kwargs)

    @staticmethod
    def zeros_like(t: Any, **kwargs: Any) -> Tensor:
        """Zeros with `t`'s shape and dtype (or `dtype`)."""
        return C.zeros_like(t, **kwargs)

    @staticmethod
    def ones_like(t: Any, **kwargs: Any) -> Tensor:
        """Ones with `t`'s shape and dtype (or `dtype`)."""
        return C.ones_like(t, **kwargs)

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> Tensor:  # fmt: skip
        """Category indices (int64) drawn from each row of weights in self (`td.multinomial`)."""
        return C.multinomial(self, num_samples, replacement, generator=generator)

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        """0 or 1 for each element, 1 with probability self (or `p`) (`td.bernoulli`)."""
        return C.bernoulli(self, p, generator=generator)

    # -- attributes ----------------------------------------------------------------------

    @property
    def shape(self) -> Shape:
        """The shape, a tuple of ints."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype (float32 by default for floats)."""
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (or under no_grad); only leaves keep `.grad`."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """All axes reversed (NumPy's `.T`)."""
        return M.Permute.apply(self, dims=tuple(range(self.data.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of matrices transposed)."""
        if self.data.ndim < 2:
            raise ValueError(f"mT: needs at least 2 dims, got shape {self.shape}")
        return M.Permute.apply(self, dims=M.swap_last_two(self.data.ndim))

    def size(self, dim: int | None = None) -> Any:
        """PyTorch's `size()`: the shape, or one axis' length."""
        return self.shape if dim is None else self.shape[_axis1(dim, self.ndim, "size")]

    def numel(self) -> int:
        """The number of elements."""
        return int(self.data.size)

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shares memory, as PyTorch's `.numpy()`)."""
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors, got shape {self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data (and version counter), cut from the graph."""
        t = Tensor._make(self.data, None)
        t._version = self._version
        t._base = F.ViewOf(self, None, None, {})
        return t

    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor. Set it (`t.requires_grad = True`, or
        `requires_grad_()`) on a leaf: only a floating tensor can require grad, and a non-leaf
        tensor's can't be unset (use `detach()`), as in PyTorch."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad: bool) -> None:
        self.requires_grad_(requires_grad)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place (floating tensors only); returns self."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad: only floating-point tensors can require grad, not {self.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad: a non-leaf tensor's requires_grad can't be unset; use detach() "
                "for a tensor outside the graph"
            )
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward."""
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> HookHandle:
        """Call `hook(grad)` each time the gradient with respect to this tensor is computed:
        dL/dself, summed over all its uses, before it reaches `.grad` (a leaf's, or a retained
        one's) or flows on to the tensors that made this one. For a layer's pre-activation z
        that is the course's delta, dL/dz.

        The hook should not change its argument; it may return a new gradient of the same
        shape and dtype, which is used in its place (None keeps it). Hooks run in the order
        they were registered, in `backward` and in `td.grad`; `handle.remove()` removes one.
        As in PyTorch, a non-leaf's hook belongs to the value it had when registered: after an
        in-place change it sees the gradient of that earlier value.
        """
        HookHandle.check(hook, "register_hook")
        if not self.requires_grad:
            raise RuntimeError(
                f"register_hook: cannot register a hook on a tensor (shape {self.shape}) that "
                "does not require grad"
            )
        owner = self.grad_fn if self.grad_fn is not None else self
        if owner._hooks is None:
            owner._hooks = []
        return HookHandle.add(owner._hooks, hook, "register_hook")

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's `.grad`.

        `gradient` (needed unless self has one element) makes it a vector-Jacobian product.
        The graph's saved tensors are freed afterwards unless `retain_graph=True`;
        `create_graph=True` records the backward pass for higher derivatives.
        """
        A.backward(self, gradient, retain_graph, create_graph)

    def draw(self, **options: Any) -> Any:
        """The graph that computed this tensor as a graphviz.Digraph (`viz.draw_graph`)."""
        from .viz import draw_graph

        return draw_graph(self, **options)

    def astype(self, dtype: Any) -> Tensor:
        """Convert to `dtype`: differentiable to a float dtype; to an integer or bool dtype
        a constant, cut from the graph (as PyTorch's `x.long()`)."""
        dtype = resolve_dtype(dtype, "astype")
        if dtype == self.dtype:
            return self
        if dtype.kind != "f":  # integer and bool tensors take no part in autograd
            return constant(self.data.astype(dtype))
        return E.Cast.apply(self, dtype=dtype)

    def float(self) -> Tensor:  # noqa: A003 (PyTorch's name)
        """Converted to float32 (differentiable)."""
        return self.astype(np.float32)

    def double(self) -> Tensor:
        """Converted to float64 (differentiable)."""
        return self.astype(np.float64)

    # -- Python protocol -----------------------------------------------------------------

    def __repr__(self) -> str:
        from .utils.printing import print_context  # td.set_printoptions, not NumPy's globals

        with print_context():
            body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = [f"dtype={self.dtype}"]
        if self.grad_fn is not None:
            extra.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        if self.name:
            extra.append(f"name={self.name!r}")
        return f"Tensor({body}, {', '.join(extra)})"

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def _one(self, what: str) -> Any:
        if self.data.size != 1:
            raise ValueError(f"{what}: only one-element tensors can be converted, not {self.shape}")
        return self.data.item()

    def __float__(self) -> float:
        return float(self._one("float()"))

    def __format__(self, spec: str) -> str:
        """f"{loss:.4f}": a 0-d tensor formats as its number, as in PyTorch; another tensor
        takes only the empty spec (its str)."""
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        if spec:
            raise TypeError(
                f"format: the spec {spec!r} applies to 0-d tensors only, not to one of shape "
                f"{self.shape} (take .item() of one element, or .tolist())"
            )
        return str(self)

    def __int__(self) -> int:
        return int(self._one("int()"))

    def __bool__(self) -> bool:
        return bool(self._one("bool() (the truth value of a tensor is ambiguous)"))

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be used as an index, not {self.dtype}")
        return int(self._one("__index__"))

    __hash__ = object.__hash__  # `==` is elementwise, yet tensors stay usable as dict keys

    # -- operands ------------------------------------------------------------------------

    def _operand(self, other: Any, what: str = "operand") -> Tensor:
        """A Python number or array as a constant tensor; a number takes this tensor's dtype
        when this tensor is floating, so `x * 2.0` keeps float32. Anything else is a TypeError
        naming `what`, the operation."""
        if isinstance(other, Tensor):
            return other
        if type(other) is np.ndarray and other.dtype.kind in "biuf":
            return Tensor._make(other, None)
        if isinstance(other, np.generic) and other.dtype.kind in "biuf":
            other = other.item()  # a NumPy scalar behaves as a Python number, as in PyTorch
        if isinstance(other, (bool, int, float)):
            kind = self.data.dtype.kind
            if kind == "f" or (kind in "iu" and not isinstance(other, float)):
                return _scalar(other, self.data.dtype)
            if kind == "b" and isinstance(other, bool):
                return Tensor._make(np.asarray(other), None)
            return Tensor(other)
        return _convert_operand(other, what)

    def _operands(self, other: Any, what: str) -> Sequence[Tensor]:
        """(self, other as `_operand` makes it), through `promoted` when their dtypes differ."""
        other = self._operand(other, what)
        return (self, other) if other.data.dtype is self.data.dtype else promoted([self, other])

    # -- arithmetic (x op y with x, y = `_operands`, spelled out: these are the hot path;
    # _add, _mul, ... are the ops' `apply_fast`, bound once at the end of this module) ---

    def __add__(self, other: Any) -> Tensor:
        y = other if type(other) is Tensor else self._operand(other, "+ (add)")
        if y.data.dtype is self.data.dtype:
            return _add(self, y)
        return _add(*promoted([self, y]))

    def __radd__(self, other: Any) -> Tensor:
        x, y = self._operands(other, "+ (add)")
        return _add(y, x)

    def __sub__(self, other: Any) -> Tensor:
        y = other if type(other) is Tensor else self._operand(other, "- (sub)")
        if y.data.dtype is self.data.dtype:
            return _sub(self, y)
        return _sub(*promoted([self, y]))

    def __rsub__(self, other: Any) -> Tensor:
        x, y = self._operands(other, "- (sub)")
        return _sub(y, x)

    def __mul__(self, other: Any) -> Tensor:
        y = other if type(other) is Tensor else self._operand(other, "* (mul)")
        if y.data.dtype is self.data.dtype:
            return _mul(self, y)
        return _mul(*promoted([self, y]))

    def __rmul__(self, other: Any) -> Tensor:
        x, y = self._operands(other, "* (mul)")
        return _mul(y, x)

    def __truediv__(self, other: Any) -> Tensor:
        x, y = self._operands(other, "/ (div)")
        return E.Div.apply_fast(x._float(), y._float())

    def __rtruediv__(self, other: Any) -> Tensor:
        x, y = self._operands(other, "/ (div)")
        return E.Div.apply_fast(y._float(), x._float())

    def reciprocal(self) -> Tensor:
        """1 / x;  d/dx = -1 / x^2."""
        return _reciprocal(self if self.data.dtype.kind == "f" else self._float())

    def __pow__(self, other: Any) -> Tensor:
        return E.Pow.apply_fast(*self._operands(other, "** (pow)"))

    def __rpow__(self, other: Any) -> Tensor:
        a, b = self._operands(other, "** (pow)")
        return E.Pow.apply_fast(b, a)

    def __neg__(self) -> Tensor:
        if self.data.dtype == np.bool_:
            raise TypeError("- (neg): a bool tensor has no negation; use ~x (logical not)")
        return E.Neg.apply_fast(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, self._operand(other, "@ (matmul)"))

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(self._operand(other, "@ (matmul)"), self)

    def _float(self) -> Tensor:
        """Integers promote to the default float dtype for true division and means."""
        return self if self.data.dtype.kind == "f" else self.astype(get_default_dtype())

    def matmul(self, other: Any) -> Tensor:
        """self @ other, with NumPy's matmul semantics."""
        return matmul(self, self._operand(other, "matmul"))

    # -- comparisons (bool results, no gradient) -----------------------------------------

    def _compare(self, other: Any, ufunc: np.ufunc) -> Tensor:
        """`ufunc(self, other)` as a bool constant. An operand that is no tensor, array or
        number gives NotImplemented, as in PyTorch: `x == None` is False, `x < None` a
        TypeError from Python naming the operator and both types."""
        if isinstance(other, Tensor):
            other = other.data
        elif not isinstance(other, (int, float, complex)):  # (a result of bools needs no
            try:  # tensor of the operand's type: 1 + 0j compares as 1)
                other = self._operand(other).data
            except TypeError:
                return NotImplemented
        try:
            return Tensor._make(ufunc(self.data, other), None)
        except ValueError:
            shape = np.shape(other)
            op = _COMPARISONS[ufunc.__name__]
            raise ValueError(
                f"{op}: shapes {self.shape} and {shape} do not broadcast together"
            ) from None

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __invert__(self) -> Tensor:
        if self.dtype.kind not in "biu":
            raise TypeError(f"~ (invert): needs a bool or integer tensor, not {self.dtype}")
        return Tensor._make(~self.data, None)

    # -- elementwise functions -----------------------------------------------------------

    def exp(self) -> Tensor:
        """e^x;  d/dx = e^x."""
        return _exp(self if self.data.dtype.kind == "f" else self._float())

    def expm1(self) -> Tensor:
        """e^x - 1, accurate for tiny x;  d/dx = e^x."""
        return _expm1(self if self.data.dtype.kind == "f" else self._float())

    def log(self) -> Tensor:
        """Natural logarithm;  d/dx = 1 / x."""
        return _log(self if self.data.dtype.kind == "f" else self._float())

    def log1p(self) -> Tensor:
        """log(1 + x), accurate for tiny x;  d/dx = 1 / (1 + x)."""
        return _log1p(self if self.data.dtype.kind == "f" else self._float())

    def sqrt(self) -> Tensor:
        """x^(1/2) (composed: x ** 0.5)."""
        return self._float() ** 0.5

    def abs(self) -> Tensor:
        """|x|;  d/dx = sign(x) (0 at 0, as PyTorch)."""
        return E.Abs.apply_fast(self)

    def __abs__(self) -> Tensor:
        return E.Abs.apply_fast(self)

    def tanh(self) -> Tensor:
        """tanh x;  d/dx = 1 - tanh^2 x."""
        return _tanh(self if self.data.dtype.kind == "f" else self._float())

    def sin(self) -> Tensor:
        """sin x;  d/dx = cos x."""
        return _sin(self if self.data.dtype.kind == "f" else self._float())

    def cos(self) -> Tensor:
        """cos x;  d/dx = -sin x."""
        return _cos(self if self.data.dtype.kind == "f" else self._float())

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x), without overflow;  d/dx = s (1 - s)."""
        return _sigmoid(self if self.data.dtype.kind == "f" else self._float())

    def relu(self) -> Tensor:
        """max(x, 0);  d/dx = 1[x > 0]. (Not of a bool tensor, as in PyTorch.)"""
        if self.data.dtype.kind == "b":
            raise TypeError("relu: not defined for a bool tensor; convert it first (x.float())")
        return _relu(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x if x > 0 else negative_slope * x."""
        if isinstance(negative_slope, (bool, str)) or not isinstance(negative_slope, Real):
            raise TypeError(f"leaky_relu: negative_slope must be a number, got {negative_slope!r}")
        return E.LeakyRelu.apply(self._float(), negative_slope=negative_slope)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Clamp to [min, max], each a number or a Tensor (or array) broadcasting with x. The
        gradient goes to x where min <= x <= max, to min where x < min, to max where x > max;
        where min > max the result is max, as in PyTorch."""
        if min is None and max is None:
            raise ValueError("clip: give at least one of min and max")
        if isinstance(min, np.generic):  # a NumPy scalar behaves as a Python number, as in
            min = min.item()  # PyTorch (np.float64(0.5) keeps a float32 tensor float32)
        if isinstance(max, np.generic):
            max = max.item()
        numbers = (int, float, type(None))
        if isinstance(min, numbers) and isinstance(max, numbers):
            return E.Clip.apply(self, low=min, high=max)  # one node: the losses' fast path
        low = None if min is None else self._operand(min, "clip")
        high = None if max is None else self._operand(max, "clip")
        operands = {"x": self, "min": low, "max": high}
        shapes = {n: t.shape for n, t in operands.items() if t is not None}
        try:
            np.broadcast_shapes(*shapes.values())
        except ValueError:
            named = ", ".join(f"{n} {shape}" for n, shape in shapes.items())
            raise ValueError(f"clip: shapes {named} do not broadcast together") from None
        out = self if low is None else E.ClipBound.apply(self, low)
        return out if high is None else E.ClipBound.apply(out, high, upper=True)

    clamp = clip

    def maximum(self, other: Any) -> Tensor:
        """Elementwise max with `other` (broadcast); ties split the gradient equally."""
        return E.Maximum.apply_fast(*self._operands(other, "maximum"))

    def minimum(self, other: Any) -> Tensor:
        """Elementwise min with `other` (composed: -max(-x, -other)); for integer and bool
        tensors, where -x would wrap or fail, NumPy's minimum (they have no gradient)."""
        x, other = self._operands(other, "minimum")
        dtype = np.result_type(x.data, other.data)
        try:
            if dtype.kind != "f":
                return constant(np.minimum(x.data, other.data))
            return -E.Maximum.apply_fast(-x.astype(dtype), -other.astype(dtype))
        except ValueError:  # raised as "Maximum: shapes ..." (or by NumPy): name this method
            raise ValueError(
                f"minimum: shapes {self.shape} and {other.shape} do not broadcast together"
            ) from None

    def sign(self) -> Tensor:
        """The sign, -1, 0 or 1 (0 at NaN, as PyTorch's);  d/dx = 0 (a step function, as
        `floor`: the result of a float tensor that requires grad requires grad, as in
        PyTorch). Integer tensors give a constant of their dtype; bools are themselves."""
        if self.data.dtype.kind != "f":
            return constant(E.sign_array(self.data))
        return E.Rounding.apply(self, mode="sign")

    def floor(self) -> Tensor:
        """The largest integer <= x;  d/dx = 0 (see `_rounded`)."""
        return self._rounded("floor")

    def ceil(self) -> Tensor:
        """The smallest integer >= x;  d/dx = 0 (see `_rounded`)."""
        return self._rounded("ceil")

    def round(self, *, decimals: int = 0) -> Tensor:
        """The nearest integer, halves to even (0.5 -> 0, 1.5 -> 2);  d/dx = 0. With
        `decimals=d`, the nearest multiple of 10^-d, as PyTorch: round(x 10^d) / 10^d (for
        d < 0, round(x / 10^-d) 10^-d)."""
        if not decimals:
            return self._rounded("round")
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        if self.data.dtype.kind != "f":
            raise TypeError(f"round: decimals needs a floating tensor, got {self.dtype}")
        if decimals > 0:
            return (self * 10.0**decimals)._rounded("round") / 10.0**decimals
        return (self / 10.0**-decimals)._rounded("round") * 10.0**-decimals

    def trunc(self) -> Tensor:
        """x rounded towards zero;  d/dx = 0 (see `_rounded`)."""
        return self._rounded("trunc")

    def _rounded(self, mode: str) -> Tensor:
        """A float tensor rounded by `mode`, its gradient zero (a float result that requires
        grad, as in PyTorch); integer and bool tensors are already whole: a copy."""
        if self.data.dtype.kind != "f":
            return constant(self.data.copy())
        return E.Rounding.apply(self, mode=mode)

    # -- reductions ----------------------------------------------------------------------

    def sum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """Sum over `axis`/`dim` (int, tuple or None for all) keeping axes with `keepdims`."""
        axes = _axes(axis, dim, self.ndim, "sum")
        return R.Sum.apply(self, axis=axes, keepdims=keepdims if keepdim is None else keepdim)

    def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """sum / n over the axes."""
        axes = _axes(axis, dim, self.ndim, "mean")
        keep = keepdims if keepdim is None else keepdim
        x = self._float()
        n = _count(self.shape, axes)
        return R.Sum.apply(x, axis=axes, keepdims=keep) * (1.0 / n if n else float("nan"))

    def var(
        self,
        axis: Any = None,
        unbiased: bool | None = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        correction: int = 1,
        ddof: int | None = None,
    ) -> Tensor:
        """sum (x - mean)^2 / (n - correction); PyTorch's correction=1 by default (`ddof` is
        NumPy's name for it, `unbiased=False` PyTorch's older one for correction=0). The
        positional order is PyTorch's, `var(dim, unbiased, keepdim)`: `x.var(0, False)` is the
        population variance, as there (give keepdims by name)."""
        axes = _axes(axis, dim, self.ndim, "var")
        keep = keepdims if keepdim is None else keepdim
        correction = _correction(unbiased, correction, ddof, "var")
        x = self._float()
        centred = x - x.mean(axis=axes, keepdims=True)
        n = _count(self.shape, axes)
        scale = 1.0 / (n - correction) if n > correction else float("inf")  # nan, as PyTorch
        return (centred * centred).sum(axis=axes, keepdims=keep) * scale

    def std(
        self,
        axis: Any = None,
        unbiased: bool | None = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        correction: int = 1,
        ddof: int | None = None,
    ) -> Tensor:
        """sqrt(var), with var's arguments. Where the variance is 0 the gradient is 0, as
        PyTorch's (not 0 * inf): there sqrt is taken of 1 instead and its result replaced by 0."""
        axes = _axes(axis, dim, self.ndim, "std")  # checked here, so errors name std
        correction = _correction(unbiased, correction, ddof, "std")
        keep = keepdims if keepdim is None else keepdim
        v = self.var(axes, keepdims=keep, correction=correction)
        flat = Tensor._make(v.data == 0, None)
        if not flat.data.any():
            return v.sqrt()
        return E.Where.apply(
            flat, _scalar(0.0, v.dtype), E.Where.apply(flat, _scalar(1.0, v.dtype), v).sqrt()
        )

    def max(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """The largest values (as NumPy's max); ties share the gradient equally. With a
        Tensor in place of the axis, PyTorch's `x.max(other)`: the elementwise `maximum`."""
        if isinstance(axis, Tensor):
            return self.maximum(axis)
        axes = _axes(axis, dim, self.ndim, "max")
        return R.Max.apply(self, axis=axes, keepdims=keepdims if keepdim is None else keepdim)

    def min(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """The smallest values (composed: -max(-x)); ties share the gradient equally. For
        integer and bool tensors (no gradient; -x would wrap or fail) NumPy's min. With a
        Tensor in place of the axis, the elementwise `minimum`, as PyTorch's `x.min(other)`."""
        if isinstance(axis, Tensor):
            return self.minimum(axis)
        axes = _axes(axis, dim, self.ndim, "min")
        keep = keepdims if keepdim is None else keepdim
        try:
            if self.data.dtype.kind != "f":
                return constant(np.asarray(self.data.min(axis=axes, keepdims=keep)))
            return -R.Max.apply(-self, axis=axes, keepdims=keep)
        except ValueError:  # "zero-size array to reduction operation" (NumPy, or R.Max's)
            raise ValueError(
                f"min: cannot reduce over an empty axis of shape {self.shape}"
            ) from None

    def argmax(self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
               keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """Indices of the largest values (int64, no gradient)."""
        return self._arg(np.argmax, axis if dim is None else dim, keepdims or bool(keepdim))

    def argmin(self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
               keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """Indices of the smallest values (int64, no gradient)."""
        return self._arg(np.argmin, axis if dim is None else dim, keepdims or bool(keepdim))

    def _arg(self, fn: Any, axis: int | None, keepdims: bool) -> Tensor:
        if axis is not None:
            if self.ndim:
                axis = _axis1(axis, self.ndim, fn.__name__)
            else:  # a 0-d tensor: its one value
                _check_0d_axis(axis, fn.__name__)
                axis = None
        try:
            out = fn(self.data, axis=axis, keepdims=keepdims)
        except ValueError:  # NumPy: "attempt to get argmax of an empty sequence"
            where = "an empty tensor" if axis is None else f"an empty dim {axis}"
            raise ValueError(
                f"{fn.__name__}: no {fn.__name__} of {where} (shape {self.shape})"
            ) from None
        return Tensor._make(np.asarray(out, np.int64), None)

    def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """e^x / sum e^x along `axis`, stable for any logits (the max is subtracted)."""
        if self.ndim == 0:  # as in PyTorch: the softmax of one value (axis 0 or -1)
            _check_0d_axis(axis if dim is None else dim, "softmax")
            return self.reshape(1).softmax(0).reshape(())
        axis = _axis1(axis if dim is None else dim, self.ndim, "softmax")
        try:
            return N.Softmax.apply(self._float(), axis=axis)
        except ValueError:  # NumPy: "zero-size array to reduction operation maximum"
            if self.shape[axis]:
                raise
            return self._float().clone()  # nothing to normalise: an empty result, as PyTorch

    def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """x - logsumexp(x) along `axis`, stable for any logits."""
        if self.ndim == 0:  # as in PyTorch: the log-softmax of one value (axis 0 or -1)
            _check_0d_axis(axis if dim is None else dim, "log_softmax")
            return self.reshape(1).log_softmax(0).reshape(())
        axis = _axis1(axis if dim is None else dim, self.ndim, "log_softmax")
        try:
            return N.LogSoftmax.apply(self._float(), axis=axis)
        except ValueError:  # NumPy: "zero-size array to reduction operation maximum"
            if self.shape[axis]:
                raise
            return self._float().clone()  # nothing to normalise: an empty result, as PyTorch

    def logsumexp(self, axis: Any = -1, keepdims: bool = False, *, dim: Any = None,
                  keepdim: bool | None = None) -> Tensor:  # fmt: skip
        """log sum exp x over `axis`/`dim`, stably: m + log sum exp(x - m) with m the max
        (or 0 where the max is infinite, so that all -inf gives -inf and +inf gives +inf)."""
        axes = _axes(axis if dim is None else dim, None, self.ndim, "logsumexp")
        keep = keepdims if keepdim is None else keepdim
        x = self._float()
        m = x.data.max(axis=axes, keepdims=True) if x.data.size else np.zeros((1,) * x.ndim)
        m = constant(np.where(np.isfinite(m), m, 0).astype(x.dtype))
        with np.errstate(divide="ignore"):  # log 0 = -inf, the right answer for all -inf
            out = (x - m).exp().sum(axis=axes, keepdims=True).log() + m
        if keep:
            return out
        return out.reshape(()) if axes is None else out.squeeze(axes)

    def cumsum(self, axis: int | None = None, *, dim: int | None = None) -> Tensor:
        """The running sum along `axis`/`dim` (one int, required; `x.cumsum(0)` as in PyTorch).
        Integer and bool tensors give int64, as in PyTorch (no gradient)."""
        if dim is not None and axis is not None:
            raise TypeError("cumsum: give axis or dim, not both")
        axis = axis if dim is None else dim
        if axis is None:
            raise TypeError(
                f"cumsum: missing the axis to sum along (x.cumsum(0), x.cumsum(dim=-1)) for a "
                f"tensor of shape {self.shape}"
            )
        try:
            if self.ndim == 0:  # as in PyTorch: the running sum of one value (axis 0 or -1)
                _check_0d_axis(axis, "cumsum")
                return self.reshape(1).cumsum(0).reshape(())
            axis = _axis1(axis, self.ndim, "cumsum")
        except IndexError as e:
            raise IndexError(f"{e} (shape {self.shape})") from None
        if self.data.dtype.kind != "f":
            return constant(np.cumsum(self.data, axis=axis, dtype=np.int64))
        return R.CumSum.apply(self, axis=axis)

    # -- movement ------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        """The same data with another shape (one axis may be -1); a view when possible."""
        shape = _shape_args(shape, "reshape", low=-1)
        known = int(np.prod([n for n in shape if n != -1]))
        free = shape.count(-1)
        size = self.data.size
        if (
            free > 1
            or (free == 0 and known != size)
            or (free == 1 and (known == 0 or size % known))
        ):
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} into {shape}")
        return M.Reshape.apply(self, shape=shape)

    view = reshape

    def permute(self, *dims: Any) -> Tensor:
        """Axes reordered: `t.permute(2, 0, 1)` or `t.permute((2, 0, 1))`."""
        dims = _shape_args(dims, "permute", low=None)
        n = self.ndim
        if not all(-n <= d < n for d in dims) or sorted(d % n for d in dims) != list(range(n)):
            raise ValueError(f"permute: {dims} is not a permutation of the axes of {self.shape}")
        return M.Permute.apply(self, dims=tuple(d % self.ndim for d in dims))

    def transpose(self, a: int = -2, b: int = -1) -> Tensor:
        """Axes `a` and `b` swapped (the last two by default)."""
        a, b = _axis1(a, self.ndim, "transpose"), _axis1(b, self.ndim, "transpose")
        dims = list(range(self.ndim))
        dims[a], dims[b] = dims[b], dims[a]
        return M.Permute.apply(self, dims=tuple(dims))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Axes start_dim..end_dim merged into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _axis1(start_dim, self.ndim, "flatten"), _axis1(end_dim, self.ndim, "flatten")
        if s > e:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(self.shape[:s] + (-1,) + self.shape[e + 1 :])

    def squeeze(self, axis: Any = None, *, dim: Any = None) -> Tensor:
        """Axes of length 1 removed (all of them, or those in `axis`)."""
        axes = _axes(axis, dim, self.ndim, "squeeze")
        if axes is None:
            axes = tuple(i for i, n in enumerate(self.shape) if n == 1)
        return self.reshape(
            tuple(n for i, n in enumerate(self.shape) if not (i in axes and n == 1))
        )

    def unsqueeze(self, axis: int) -> Tensor:
        """A new axis of length 1 inserted at `axis`."""
        axis = _axis1(axis, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def expand(self, *shape: Any) -> Tensor:
        """Broadcast to `shape` (-1 keeps an axis), without copying."""
        shape = _shape_args(shape, "expand", low=-1)
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: cannot expand shape {self.shape} to fewer dims {shape}")
        if -1 in shape[:lead]:
            raise ValueError(f"expand: -1 is not allowed for a new leading dim in {shape}")
        full = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        if any(m != 1 and m != n for m, n in zip(self.shape, full[lead:])):
            raise ValueError(f"expand: cannot broadcast shape {self.shape} to {full}")
        return self if full == self.shape else M.Expand.apply(self, shape=full)

    broadcast_to = expand

    def sum_to(self, shape: Shape) -> Tensor:
        """Sum over broadcast axes down to `shape` (the adjoint of `expand`)."""
        return self if tuple(shape) == self.shape else M.SumTo.apply(self, shape=tuple(shape))

    def __getitem__(self, index: Any) -> Tensor:
        index = _index(index)
        try:
            return M.GetItem.apply(self, index=index)
        except IndexError as e:
            raise IndexError(f"getitem: index {index!r} for shape {self.shape}: {e}") from None

    def pad(self, pad_width: Any, value: float = 0.0) -> Tensor:
        """Constant padding with NumPy's per-axis (before, after) pairs."""
        try:
            widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (self.ndim, 2))
        except (TypeError, ValueError):
            raise ValueError(
                f"pad: pad_width {pad_width!r} is not one (before, after) pair of ints per axis "
                f"of shape {self.shape} (or one pair, or one int, for all of them)"
            ) from None
        if (widths < 0).any():
            raise ValueError(f"pad: negative pad width {pad_width} for shape {self.shape}")
        return M.Pad.apply(self, pad_width=tuple(map(tuple, widths.tolist())), value=value)

    # -- in-place operations -------------------------------------------------------------

    # (the mechanism, and how it stays correct under autograd, is in inplace.py)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self += alpha * other, in place (recorded when autograd needs it)."""
        if alpha != 1:
            other = self._operand(other, "add_") * alpha
        return I.binary(self, "add_", other, Tensor.__add__, np.add)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self -= alpha * other, in place (recorded when autograd needs it)."""
        if alpha != 1:
            other = self._operand(other, "sub_") * alpha
        return I.binary(self, "sub_", other, Tensor.__sub__, np.subtract)

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place (recorded when autograd needs it)."""
        return I.binary(self, "mul_", other, Tensor.__mul__, np.multiply)

    def div_(self, other: Any) -> Tensor:
        """self /= other, in place (recorded when autograd needs it)."""
        return I.binary(self, "div_", other, Tensor.__truediv__, np.true_divide)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Clip to [min, max] in place."""
        return I.clamp(self, min, max)

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with `value` in place."""
        return I.fill(self, self._operand(value, "fill_"))

    def copy_(self, src: Any) -> Tensor:
        """Copy `src` (broadcast to self's shape) into self, in place."""
        if not isinstance(src, Tensor):
            try:
                src = Tensor(np.asarray(src))
            except (TypeError, ValueError) as e:
                raise type(e)(f"copy_: cannot copy from {src!r}: {e}") from None
        return I.copy(self, src)

    def __setitem__(self, index: Any, value: Any) -> None:
        I.setitem(self, _index(index), self._operand(value, "setitem"))


def _convert_operand(other: Any, what: str) -> Tensor:
    """`Tensor._operand`'s slow path: a list, or an array of another type, as a constant;
    anything else a TypeError naming the operation `what` and the operand's type."""
    if isinstance(other, (list, tuple, np.ndarray, np.generic)):
        try:
            return Tensor(other)
        except TypeError:
            pass
        got = f"{type(other).__name__} of dtype {np.asarray(other).dtype}"
    else:
        got = type(other).__name__
    raise TypeError(
        f"{what}: unsupported operand of type {got} (expected a Tensor, a NumPy array, a number "
        "or a nested list of numbers)"
    )


_COMPARISONS = {
    "equal": "== (eq)", "not_equal": "!= (ne)", "less": "< (lt)", "less_equal": "<= (le)",
    "greater": "> (gt)", "greater_equal": ">= (ge)",
}  # fmt: skip


_scalars: dict[tuple[type, Any, np.dtype], Tensor] = {}


def _scalar(value: Any, dtype: np.dtype) -> Tensor:
    """A 0-d constant tensor, cached: `x * 2.0` in a loop should not build a new array each time.
    (Constants are never changed in place: they are leaves that nobody else holds.)"""
    key = (type(value), value, dtype)
    t = _scalars.get(key)
    if t is None:
        if len(_scalars) > 4096:
            _scalars.clear()
        t = _scalars[key] = Tensor._make(np.asarray(value, dtype=dtype), None)
    return t


def _count(shape: Shape, axes: tuple[int, ...] | None) -> int:
    return int(np.prod(shape if axes is None else [shape[a] for a in axes]))


def broadcasts_to(shape: Shape, target: Shape) -> bool:
    """Whether an array of `shape` broadcasts to `target` without changing it (a bias to an
    output, a mask or a bound to the tensor it applies to)."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def _correction(unbiased: Any, correction: int, ddof: int | None, what: str) -> int:
    """The variance's n - correction divisor offset, from PyTorch's `unbiased` (a bool, the
    second positional argument of var and std), else NumPy's `ddof`, else `correction`."""
    if unbiased is None:
        return correction if ddof is None else ddof
    if not isinstance(unbiased, (bool, np.bool_)):
        raise TypeError(
            f"{what}: unbiased (the second argument, as in PyTorch) must be a bool, got "
            f"{unbiased!r}; give keepdims=, correction= or ddof= by name"
        )
    return int(unbiased)


def promoted(tensors: list[Tensor]) -> list[Tensor]:
    """`tensors` for one operation, promoted as PyTorch promotes (NumPy alone would make
    int64 * float32 float64, and float32 data times a float64 0-d tensor float64):

    - the category decides before the width: bool < integer < floating, so integer and bool
      operands meeting floating ones take the floating dtype (cast as constants);
    - a 0-d tensor counts only when its category is above every dimensioned operand's; else
      it takes the dimensioned operands' dtype (a float64 0-d times float32 data is float32;
      its own gradient is cast back to float64).

    Operands whose dtype NumPy would widen to the same result are left as they are. The binary
    operators call it only when the two dtypes differ, so their common case costs one identity
    test; `cat` and `stack` always."""
    dims = [t.data.dtype for t in tensors if t.data.ndim]
    zero_d = [t.data.dtype for t in tensors if not t.data.ndim]
    top = max((_CATEGORY[d.kind] for d in dims), default=-1)
    deciding = [d for d in zero_d if _CATEGORY[d.kind] > top] or dims or zero_d
    category = max(_CATEGORY[d.kind] for d in deciding)
    dtype = np.result_type(*[d for d in deciding if _CATEGORY[d.kind] == category])
    # (astype: a Cast node for a float that requires grad, else a constant)
    return [t if np.result_type(t.data.dtype, dtype) == dtype else t.astype(dtype) for t in tensors]


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def constant(array: np.ndarray) -> Tensor:
    """`array` as a Tensor outside any graph (a local derivative, a mask, an array saved for
    backward), wrapped without a copy. (`Tensor._make(array, None)`, spelled out: it runs
    for most gradients of a first-order backward pass.)"""
    t = _new(Tensor)
    t.data = array
    t.grad = t.grad_fn = t.name = t._base = t._hooks = None
    t._requires_grad = False
    t._version = [0]
    return t


_new = object.__new__


class HookHandle:
    """What `register_hook` returns: `remove()` takes the hook off again (PyTorch's
    RemovableHandle); removing it twice is harmless."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    @staticmethod
    def check(hook: Any, what: str) -> None:
        """A hook must be callable: else a TypeError naming `what`."""
        if not callable(hook):
            raise TypeError(f"{what}: expected a function, got {type(hook).__name__}")

    @classmethod
    def add(cls, hooks: list, hook: Any, what: str) -> HookHandle:
        """Append `hook` (checked) to `hooks`; the handle removes it again."""
        cls.check(hook, what)
        hooks.append(hook)
        return cls(hooks, hook)

    def remove(self) -> None:
        for i, h in enumerate(self._hooks):
            if h is self._hook:
                del self._hooks[i]
                return


def matmul(a: Any, b: Any) -> Tensor:
    """NumPy's matmul: 1-D, 2-D and batched N-D with broadcast batch axes. An integer or bool
    operand with a floating one takes its dtype (`promoted`; NumPy alone would make int64 @
    float32 float64, where PyTorch refuses the pair)."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    a, b = a._operands(b, "matmul")
    sa, sb = a.data.shape, b.data.shape
    if len(sa) == 2 and len(sb) == 2 and sa[1] == sb[0]:  # the common case, checked quickly
        return L.MatMul.apply_fast(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: 0-d operands are not allowed (shapes {a.shape} and {b.shape})")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    batch_a, batch_b = a.shape[:-2][::-1], b.shape[:-2][::-1]
    if inner_a != inner_b or any(m != n and 1 not in (m, n) for m, n in zip(batch_a, batch_b)):
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned")
    if a.ndim >= 2 and b.ndim >= 2:
        return L.MatMul.apply_fast(a, b)
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    out = L.MatMul.apply_fast(a2, b2)
    if a.ndim == 1 and b.ndim == 1:
        return out.reshape(())
    return out.squeeze(-2) if a.ndim == 1 else out.squeeze(-1)


# The operations are bound explicitly above; their modules import Tensor, so they come last.
from . import autograd as A  # noqa: E402
from . import creation as C  # noqa: E402
from . import function as F  # noqa: E402
from . import inplace as I  # noqa: E402
from .ops import elementwise as E  # noqa: E402
from .ops import linalg as L  # noqa: E402
from .ops import movement as M  # noqa: E402
from .ops import nn as N  # noqa: E402
from .ops import reduce as R  # noqa: E402

# The hot operations' `apply_fast`, bound once (not looked up and bound again on every call):
_add, _sub, _mul, _relu = E.Add.apply_fast, E.Sub.apply_fast, E.Mul.apply_fast, E.Relu.apply_fast
_exp, _expm1, _log = E.Exp.apply_fast, E.Expm1.apply_fast, E.Log.apply_fast
_log1p, _tanh, _sigmoid = E.Log1p.apply_fast, E.Tanh.apply_fast, E.Sigmoid.apply_fast
_sin, _cos, _reciprocal = E.Sin.apply_fast, E.Cos.apply_fast, E.Reciprocal.apply_fast
