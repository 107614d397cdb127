"""Devices, as PyTorch's: `td.device`, the one check that decides which device a tensor may be
made on or moved to (`check_device`), `td.strided`, the `td.cuda` and `td.backends` namespaces,
and the default device.

tinygrad_ds computes with NumPy on the CPU only. Code written for PyTorch names a device
everywhere (`device=`, `.to(device)`, `device = 'cuda' if td.cuda.is_available() else 'cpu'`);
here the CPU is a no-op and any other device a clear error ("... runs on the CPU only").
A `td.device('cuda:1')` may still be made and compared, as in PyTorch; only using it fails.
"""

from __future__ import annotations

import re
import types
from typing import Any

import numpy as np

__all__ = [
    "device", "CPU", "check_device", "check_factory", "layout", "strided", "cuda", "backends",
    "get_default_device", "set_default_device",
]  # fmt: skip

# PyTorch's device types, in the order its error message lists them.
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip
_SPEC = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?")  # "cuda", "cuda:1" (not "cuda:01")


def _parse(spec: Any, index: Any, what: str) -> tuple[str, int | None]:
    """(type, index) from PyTorch's device() arguments, with its rules and messages."""
    if isinstance(spec, device):
        if index is not None:
            raise TypeError(f"{what}: give an index only with a device string, not a device")
        return spec.type, spec.index
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, (str, int, np.integer)):
        raise TypeError(
            f"{what}: expected a device string (e.g. 'cpu', 'cuda:0') or a device, got "
            f"{spec!r} ({type(spec).__name__})"
        )
    if not isinstance(spec, str):  # PyTorch: an int names the current accelerator's device
        raise RuntimeError(
            f"{what}: device {int(spec)} names an accelerator device, and none is available "
            "(tinygrad_ds runs on the CPU only; use 'cpu')"
        )
    if index is not None and (isinstance(index, bool) or not isinstance(index, (int, np.integer))):
        raise TypeError(f"{what}: the device index must be an int, not {type(index).__name__}")
    if not spec:
        raise RuntimeError(f"{what}: Device string must not be empty")
    m = _SPEC.fullmatch(spec)
    if m is None:
        raise RuntimeError(f"{what}: Invalid device string: {spec!r}")
    if m.group(1) not in DEVICE_TYPES:
        raise RuntimeError(
            f"{what}: Expected one of {', '.join(DEVICE_TYPES)} device type at start of device "
            f"string: {spec}"
        )
    if m.group(2) is not None:
        if index is not None:
            raise RuntimeError(
                f"{what}: type (string) must not include an index because index was passed "
                f"explicitly: {spec}"
            )
        index = int(m.group(2))
    if index is not None and index < 0:
        raise RuntimeError(f"{what}: Device index must not be negative, got {index}")
    return m.group(1), None if index is None else int(index)


class device:  # noqa: N801 (PyTorch's name)
    """A device: a type ('cpu', 'cuda', 'mps', 'meta', ...) and an optional index, as PyTorch's
    `torch.device('cuda:1')`, `device('cuda', 1)` or `device(other_device)`. Any device may be
    made and compared; only 'cpu' can hold tensors here (see `check_device`).

    Devices are equal when type and index are (device('cpu') != device('cpu:0')), and, as in
    PyTorch 2.x, never equal to a string: compare `d.type == 'cpu'`."""

    __slots__ = ("_type", "_index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        self._type, self._index = _parse(type, index, "device")

    @property
    def type(self) -> str:  # noqa: A003
        """The device type, e.g. 'cpu' or 'cuda'."""
        return self._type

    @property
    def index(self) -> int | None:
        """The device index, or None when none was given."""
        return self._index

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type={self._type!r})"
        return f"device(type={self._type!r}, index={self._index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __reduce__(self) -> tuple[Any, ...]:
        return device, (str(self),)

    def __enter__(self) -> device:
        """`with td.device('cpu'):` makes the CPU the default device, as it always is; any
        other device is the CPU-only error."""
        check_device(self, "with device")
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class layout:  # noqa: N801 (PyTorch's name)
    """A memory layout marker; tinygrad_ds has one, `td.strided` (dense arrays)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"td.{self.name}"


strided = layout("strided")
CPU = device("cpu")  # (devices are immutable: Tensor.device returns this one)


def check_device(dev: Any, what: str) -> None:
    """The one check of a device argument: None, 'cpu', 'cpu:0' or a td.device of type 'cpu'
    pass; a bad device string is an error by PyTorch's rules; any other device (e.g. 'cuda',
    'meta', an int) a ValueError naming `what` and the device."""
    if dev is None:
        return
    if isinstance(dev, device):
        kind = dev.type
    elif isinstance(dev, (int, np.integer)) and not isinstance(dev, (bool, np.bool_)):
        kind = f"cuda:{int(dev)}"  # an int is an accelerator index in PyTorch
    else:
        kind = _parse(dev, None, what)[0]
    if kind != "cpu":
        shown = repr(str(dev)) if isinstance(dev, (str, device)) else str(dev)
        raise ValueError(
            f"{what}: device {shown} is not available; tinygrad_ds runs on the CPU only "
            "(the one device is 'cpu')"
        )


def check_factory(what: str, device: Any = None, layout: Any = None, pin_memory: bool = False):
    """The device, layout and pin_memory arguments of a PyTorch factory: the CPU, the strided
    layout (or None) and no pinned memory (a CUDA feature) are all there is."""
    check_device(device, what)
    if layout is not None and layout is not strided:
        raise ValueError(
            f"{what}: layout {layout!r} is not supported; the one layout is td.strided"
        )
    if pin_memory:
        raise ValueError(f"{what}: pin_memory=True needs CUDA; tinygrad_ds runs on the CPU only")


# -- the default device -------------------------------------------------------------------


def get_default_device() -> device:
    """device(type='cpu'): the package computes with NumPy on the CPU only."""
    return CPU


def set_default_device(device: Any) -> None:
    """Accepts 'cpu' (or a cpu device, or None) only: any other device is the CPU-only error."""
    check_device(device, "set_default_device")


# -- td.cuda and td.backends: what PyTorch code asks before it picks a device ---------------


def _false() -> bool:
    """False: tinygrad_ds runs on the CPU only."""
    return False


def _zero() -> int:
    """0: tinygrad_ds sees no accelerator."""
    return 0


def _manual_seed_all(seed: int) -> None:
    """A no-op: there are no CUDA generators to seed (td.manual_seed seeds the CPU's)."""


cuda = types.SimpleNamespace(is_available=_false, device_count=_zero, manual_seed=_manual_seed_all,
                             manual_seed_all=_manual_seed_all)  # fmt: skip
cuda.__doc__ = "td.cuda: is_available() is False and device_count() is 0 (the CPU only)."

backends = types.SimpleNamespace(
    mps=types.SimpleNamespace(is_available=_false, is_built=_false),
    cuda=types.SimpleNamespace(is_built=_false),
    # cudnn's flags are read and set by PyTorch code for reproducibility or speed; here they
    # change nothing (NumPy on the CPU is deterministic, and there is no kernel to pick).
    cudnn=types.SimpleNamespace(deterministic=False, benchmark=False, enabled=True,
                                is_available=_false),
)  # fmt: skip
backends.__doc__ = (
    "td.backends: mps.is_available() is False; cudnn.deterministic and cudnn.benchmark may be "
    "set, and do nothing."
)
