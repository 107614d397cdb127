"""PyTorch's legacy tensor types, still common in older code: `td.FloatTensor([1, 2])`,
`td.LongTensor(labels)`, `isinstance(x, td.FloatTensor)`, `x.type(td.LongTensor)`.

Each type is a name for a dtype: called with data it makes a tensor of that dtype (data of
another tensor dtype is refused, as PyTorch refuses it), called with ints a tensor of zeros of
that shape (PyTorch leaves the memory uninitialised), and `isinstance` checks the dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
    "CharTensor", "ByteTensor", "BoolTensor", "type_name", "dtype_of",
]  # fmt: skip


class _TensorType(type):
    """The metaclass of the legacy types: calling one makes a Tensor of its dtype."""

    dtype: np.dtype

    def __call__(cls, *args: Any) -> Any:
        from ..tensor import Tensor, _is_int, _shape_args

        if not args:  # FloatTensor(): empty
            return Tensor(np.zeros((0,), dtype=cls.dtype))
        if all(_is_int(a) for a in args):  # FloatTensor(2, 3): a shape
            return Tensor(np.zeros(_shape_args(args, cls.__name__), dtype=cls.dtype))
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}: expected data or a shape, got {len(args)} arguments")
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(f"{cls.__name__}: expected a tensor of dtype {cls.dtype}, got one "
                                f"of dtype {data.dtype} (convert it with .to())")  # fmt: skip
            return data
        return Tensor(data, dtype=cls.dtype)

    def __instancecheck__(cls, obj: Any) -> bool:
        from ..tensor import Tensor

        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'tinygrad_ds.{cls.__name__}'>"


def _type(name: str, dtype: Any) -> type:
    return _TensorType(name, (), {"dtype": np.dtype(dtype), "__doc__": f"A tensor of {dtype}."})


FloatTensor = _type("FloatTensor", np.float32)
DoubleTensor = _type("DoubleTensor", np.float64)
HalfTensor = _type("HalfTensor", np.float16)
LongTensor = _type("LongTensor", np.int64)
IntTensor = _type("IntTensor", np.int32)
ShortTensor = _type("ShortTensor", np.int16)
CharTensor = _type("CharTensor", np.int8)
ByteTensor = _type("ByteTensor", np.uint8)
BoolTensor = _type("BoolTensor", np.bool_)
_BY_DTYPE = {t.dtype: t for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                                  ShortTensor, CharTensor, ByteTensor, BoolTensor)}  # fmt: skip
_BY_NAME = {t.__name__: t.dtype for t in _BY_DTYPE.values()}


def type_name(dtype: np.dtype) -> str:
    """'tinygrad_ds.FloatTensor' for float32, and so on (the dtype's name if it has no type)."""
    kind = _BY_DTYPE.get(np.dtype(dtype))
    return f"tinygrad_ds.{kind.__name__}" if kind is not None else f"tinygrad_ds.{dtype}"


def dtype_of(spec: Any, what: str) -> np.dtype:
    """The dtype named by a legacy type, its name ('torch.' or 'tinygrad_ds.' prefixed, as code
    written for PyTorch spells it) or anything np.dtype reads."""
    from ..dtypes import resolve_dtype

    if isinstance(spec, _TensorType):
        return spec.dtype
    if isinstance(spec, str) and spec.rsplit(".", 1)[-1] in _BY_NAME:
        return _BY_NAME[spec.rsplit(".", 1)[-1]]
    return resolve_dtype(spec, what)
