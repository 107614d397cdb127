"""Lazy layers, as PyTorch's: the input size (in_features, in_channels, num_features) is read
from the first input instead of given, e.g. `nn.Sequential(nn.LazyLinear(64), nn.ReLU(),
nn.LazyLinear(10))`.

Until the first call the weights are `UninitializedParameter`s (and running statistics
`UninitializedBuffer`s): placeholders without a shape or values, so that any use of them is a
clear error. The first call materialises them in place (the same objects, so that an optimiser
built beforehand holds them), initialises them as the regular layer would, and turns the module
into that layer (`LazyLinear` becomes `Linear`: its class is swapped to `cls_to_become`).
`load_state_dict` materialises a lazy module from the checkpoint's shapes instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor
from .conv import Conv1d, Conv2d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, _ConvTransposeNd
from .layers import Linear, _dtype
from .module import Module, Parameter, check_int
from .normalization import BatchNorm1d, BatchNorm2d
from .normalization_more import InstanceNorm1d, InstanceNorm2d

__all__ = [
    "UninitializedParameter", "UninitializedBuffer", "LazyModuleMixin", "LazyLinear",
    "LazyConv1d", "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyBatchNorm1d",
    "LazyBatchNorm2d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
]  # fmt: skip

_DATA = Tensor.__dict__["data"]  # the slot that holds a Tensor's array


def _uninitialized(self: Tensor) -> Any:
    raise ValueError(
        f"Attempted to use an uninitialized {self._what}: it has no shape or values until "
        "the lazy module that holds it has run once. Call the module (forward) on a batch of "
        "data first, or load a state_dict into it"
    )


class _UninitializedMixin:
    """What the placeholders share: `data` (and anything read from it) raises, `shape` too;
    `materialize(shape)` gives them an array and their regular class."""

    __slots__ = ()
    _what = "tensor"
    cls_to_become: type = Tensor

    data = property(_uninitialized, lambda self, value: _DATA.__set__(self, value))

    @property
    def shape(self) -> Any:
        raise RuntimeError(
            f"Can't access the shape of an uninitialized {self._what}: call the lazy module "
            "that holds it (forward) on a batch of data first, or load a state_dict into it"
        )

    @property
    def dtype(self) -> np.dtype:
        """The dtype it will have (set at construction)."""
        return _DATA.__get__(self).dtype

    def materialize(self, shape: tuple[int, ...], dtype: Any = None) -> None:
        """Give it an (uninitialised: np.empty) array of `shape` and `dtype` (by default the
        one it was made with), in place, and make it a regular Parameter / Tensor."""
        if isinstance(shape, (int, np.integer)):
            shape = (shape,)
        shape = tuple(check_int(n, "materialize", "shape") for n in shape)
        d = self.dtype if dtype is None else _dtype(dtype, "materialize")
        _DATA.__set__(self, np.empty(shape, dtype=d))
        self.__class__ = self.cls_to_become

    def detach(self) -> Tensor:
        """Itself: a placeholder has no data to share (so that `state_dict()` of a lazy module
        holds its placeholders, as PyTorch's)."""
        return self  # type: ignore[return-value]

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self._requires_grad = bool(requires_grad)
        return self  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Copied (deepcopy, pickle) as a new placeholder of the same dtype."""
        return (type(self), (self.requires_grad, self.dtype))


class UninitializedParameter(_UninitializedMixin, Parameter):
    """A Parameter without a shape or values yet (a lazy layer's weight); it becomes a
    Parameter at `materialize(shape)`."""

    __slots__ = ()
    _what = "parameter"
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, dtype: Any = None) -> None:
        Tensor.__init__(self, np.empty((0,), dtype=_dtype(dtype, "UninitializedParameter")))
        self._requires_grad = bool(requires_grad)


class UninitializedBuffer(_UninitializedMixin, Tensor):
    """A buffer without a shape or values yet (a lazy layer's running statistic); it becomes a
    Tensor at `materialize(shape)`."""

    __slots__ = ()
    _what = "buffer"
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, dtype: Any = None) -> None:
        Tensor.__init__(self, np.empty((0,), dtype=_dtype(dtype, "UninitializedBuffer")))
        self._requires_grad = bool(requires_grad)


def is_lazy(t: Any) -> bool:
    """Whether `t` is a placeholder (an UninitializedParameter or UninitializedBuffer)."""
    return isinstance(t, _UninitializedMixin)


class LazyModuleMixin:
    """Put first among the bases of a lazy layer (`class LazyLinear(LazyModuleMixin, Linear)`),
    which gives `cls_to_become`, `_size(input)` (the missing size, read from the first input),
    `_size_from(shapes)` (the same from a checkpoint's shapes) and `_set_size(n)` (set it,
    materialise the placeholders and `reset_parameters()`). The first call initialises the
    module and swaps its class to `cls_to_become`, as PyTorch's."""

    cls_to_become: type | None = None

    def has_uninitialized_params(self) -> bool:
        """Whether any of this module's own parameters or buffers is still a placeholder."""
        return any(is_lazy(t) for t in (*self._parameters.values(), *self._buffers.values()))

    def initialize_parameters(self, x: Any, *args: Any, **kwargs: Any) -> None:
        """Materialise the placeholders for the input `x` and initialise them as the regular
        layer would (nothing if they are materialised already)."""
        if self.has_uninitialized_params():
            with no_grad():
                self._set_size(self._size(x))

    def _size(self, x: Any) -> int:
        raise NotImplementedError

    def _size_from(self, shapes: dict[str, tuple[int, ...]]) -> int:
        raise NotImplementedError

    def _set_size(self, n: int) -> None:
        raise NotImplementedError

    def _become(self) -> None:
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"{type(self).__name__}: the module has not been fully initialized")
        self._become()  # (from now on the regular layer: this is not called again)
        return Module.__call__(self, *args, **kwargs)

    def _materialize_from(self, state_dict: dict, prefix: str) -> None:
        """Called first by `Module.load_state_dict`: read the missing size from the checkpoint's
        shapes, materialise and initialise the placeholders as the first call would, and become
        the regular layer; the values are then checked and loaded as into any module."""
        lazy = [n for n, t in (*self._parameters.items(), *self._buffers.items()) if is_lazy(t)]
        shapes = {}
        for name in lazy:
            value = state_dict.get(prefix + name)
            if value is not None and not is_lazy(value):
                shapes[name] = np.shape(value.data if isinstance(value, Tensor) else value)
        if shapes:
            with no_grad():
                self._set_size(self._size_from(shapes))
            self._become()

    def _shape_error(self, name: str, shape: tuple[int, ...], expected: str) -> ValueError:
        return ValueError(f"{type(self).__name__}.load_state_dict: {name!r} has shape {shape} in "
                          f"the checkpoint, expected {expected}")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the layers
# ---------------------------------------------------------------------------------------------


class LazyLinear(LazyModuleMixin, Linear):
    """A Linear whose in_features is the last dim of its first input (then it is a Linear,
    initialised as one: U(-1/sqrt(in), 1/sqrt(in)))."""

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(0, 0, False, None, dtype)  # (the device is checked below, by name)
        d = _dtype(dtype, "LazyLinear", device)
        self.weight = UninitializedParameter(dtype=d)
        self.out_features = check_int(out_features, "LazyLinear", "out_features")
        if bias:
            self.bias = UninitializedParameter(dtype=d)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def _size(self, x: Any) -> int:
        if not isinstance(x, Tensor) or x.ndim < 1:
            got = getattr(x, "shape", type(x).__name__)
            raise ValueError(
                f"LazyLinear: expected an input Tensor of shape (*, in_features), got {got}"
            )
        return x.shape[-1]

    def _size_from(self, shapes: dict[str, tuple[int, ...]]) -> int:
        shape = shapes.get("weight")
        if shape is None or len(shape) != 2:
            raise self._shape_error("weight", shape, "(out_features, in_features)")
        return shape[1]

    def _set_size(self, n: int) -> None:
        self.in_features = n
        self.weight.materialize((self.out_features, n))
        if self.bias is not None:
            self.bias.materialize((self.out_features,))
        self.reset_parameters()


class _LazyConvMixin(LazyModuleMixin):
    """The shared body of LazyConv1d and LazyConv2d: in_channels from the first input."""

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        # (the regular layer checks the options; its weight, not initialised (no random draws,
        # as with PyTorch's in_channels=0), is then replaced by a placeholder)
        self._building = True
        super().__init__(groups, out_channels, kernel_size, stride, padding, dilation, groups,
                         False, padding_mode, device, dtype)  # fmt: skip
        self._placeholders(bias, dtype, device)

    def _placeholders(self, bias: bool, dtype: Any, device: Any) -> None:
        del self._building
        d = _dtype(dtype, type(self).__name__, device)
        self.in_channels = 0
        self.weight = UninitializedParameter(dtype=d)
        if bias:
            self.bias = UninitializedParameter(dtype=d)

    def reset_parameters(self) -> None:
        if "_building" in self.__dict__ or self.has_uninitialized_params():
            return
        if self.in_channels != 0:
            super().reset_parameters()

    def _size(self, x: Any) -> int:
        name, dims = type(self).__name__, self.dims
        if not isinstance(x, Tensor) or x.ndim not in (dims + 1, dims + 2):
            raise ValueError(
                f"{name}: expected a {dims + 1}-D (unbatched) or {dims + 2}-D (batched) input, "
                f"got {getattr(x, 'shape', type(x).__name__)}"
            )
        in_channels = x.shape[1] if x.ndim == dims + 2 else x.shape[0]
        if in_channels % self.groups:
            raise ValueError(f"{name}: the input has {in_channels} channels, which "
                             f"groups={self.groups} does not divide")  # fmt: skip
        return in_channels

    def _size_from(self, shapes: dict[str, tuple[int, ...]]) -> int:
        shape = shapes.get("weight")
        if shape is None or len(shape) != self.dims + 2:
            raise self._shape_error("weight", shape, "(out_channels, in_channels / groups, *k)")
        return shape[1] * self.groups

    def _set_size(self, n: int) -> None:
        self.in_channels = n
        self.weight.materialize(self._weight_shape())
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A Conv1d whose in_channels is read from its first input ((N, C, L) or (C, L))."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A Conv2d whose in_channels is read from its first input ((N, C, H, W) or (C, H, W))."""

    cls_to_become = Conv2d


class _LazyConvTransposeMixin(_LazyConvMixin):
    """The shared body of LazyConvTranspose1d and 2d (PyTorch's order of arguments)."""

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        self._building = True
        _ConvTransposeNd.__init__(
            self, groups, out_channels, kernel_size, stride, padding, output_padding, groups,
            False, dilation, padding_mode, dtype,
        )  # fmt: skip
        self._placeholders(bias, dtype, device)

    def _size_from(self, shapes: dict[str, tuple[int, ...]]) -> int:
        shape = shapes.get("weight")
        if shape is None or len(shape) != self.dims + 2:
            raise self._shape_error("weight", shape, "(in_channels, out_channels / groups, *k)")
        return shape[0]


class LazyConvTranspose1d(_LazyConvTransposeMixin, ConvTranspose1d):
    """A ConvTranspose1d whose in_channels is read from its first input ((N, C, L) or
    (C, L))."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeMixin, ConvTranspose2d):
    """A ConvTranspose2d whose in_channels is read from its first input ((N, C, H, W) or
    (C, H, W))."""

    cls_to_become = ConvTranspose2d


class _LazyNormMixin(LazyModuleMixin):
    """The shared body of the lazy batch and instance norms: num_features from the input's
    channel axis; weight 1 and bias 0 (affine), running mean 0 and variance 1 (tracked)."""

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        bias: bool = True,
    ) -> None:
        d = _dtype(dtype, type(self).__name__, device)
        self.cls_to_become.__init__(self, 0, eps, momentum, False, False, dtype=d)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if affine:
            self.weight = UninitializedParameter(dtype=d)
            if bias:
                self.bias = UninitializedParameter(dtype=d)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=d)
            self.running_var = UninitializedBuffer(dtype=d)
            self.num_batches_tracked = Tensor(np.array(0, dtype=np.int64))

    def reset_parameters(self) -> None:
        if self.has_uninitialized_params() or self.num_features == 0:
            return
        self.reset_running_stats()
        with no_grad():
            if self.weight is not None:
                self.weight.fill_(1.0)
            if self.bias is not None:
                self.bias.fill_(0.0)

    def _channels(self, x: Tensor) -> int:
        return x.shape[1]

    def _size(self, x: Any) -> int:
        if not isinstance(x, Tensor) or x.ndim < 2:
            got = getattr(x, "shape", type(x).__name__)
            raise ValueError(
                f"{type(self).__name__}: expected an input of shape (N, C, *), got {got}"
            )
        return self._channels(x)

    def _size_from(self, shapes: dict[str, tuple[int, ...]]) -> int:
        name, shape = next(iter(shapes.items()))
        if len(shape) != 1:
            raise self._shape_error(name, shape, "(num_features,)")
        return shape[0]

    def _set_size(self, n: int) -> None:
        self.num_features = n
        for t in (self.weight, self.bias, self.running_mean, self.running_var):
            if t is not None:
                t.materialize((n,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyNormMixin, BatchNorm1d):
    """A BatchNorm1d whose num_features is read from its first input ((N, C) or (N, C, L))."""

    cls_to_become = BatchNorm1d

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(eps, momentum, affine, track_running_stats, device, dtype)


class LazyBatchNorm2d(LazyBatchNorm1d, BatchNorm2d):
    """A BatchNorm2d whose num_features is read from its first input ((N, C, H, W))."""

    cls_to_become = BatchNorm2d


class LazyInstanceNorm1d(_LazyNormMixin, InstanceNorm1d):
    """An InstanceNorm1d whose num_features is read from its first input's channel axis
    ((N, C, L) or (C, L)). As PyTorch's, affine and track_running_stats default to True here
    (they are False for InstanceNorm1d)."""

    cls_to_become = InstanceNorm1d

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(eps, momentum, affine, track_running_stats, device, dtype, bias)

    def _channels(self, x: Tensor) -> int:
        return x.shape[-self._spatial - 1]


class LazyInstanceNorm2d(LazyInstanceNorm1d, InstanceNorm2d):
    """An InstanceNorm2d whose num_features is read from its first input's channel axis
    ((N, C, H, W) or (C, H, W))."""

    cls_to_become = InstanceNorm2d
