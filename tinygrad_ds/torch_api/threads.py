"""The process-wide settings PyTorch scripts make at the top: thread counts, deterministic
algorithms and the precision of float32 matrix products.

The only operations here that run on several threads are NumPy's matrix products, through its
BLAS library; so `set_num_threads(n)` sets that library's thread count (OpenBLAS's, through its
C API, found among the libraries NumPy loaded). Where NumPy's BLAS is not an OpenBLAS (a build
on Accelerate or MKL), the count is kept for `get_num_threads` but cannot be applied, and a
warning says so. Every operation is deterministic (the same inputs give the same bits), so
`use_deterministic_algorithms(True)` has nothing to refuse, and float32 products are always
computed in float32 ("highest").
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
import sys
import warnings
from typing import Any

import numpy as np

__all__ = [
    "set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "set_float32_matmul_precision",
    "get_float32_matmul_precision",
]  # fmt: skip

_PREFIXES = ("scipy_openblas", "openblas")  # NumPy's wheels bundle scipy-openblas
_SUFFIXES = ("64_", "")  # the 64-bit-integer build's symbols end in 64_
_settings: dict[str, Any] = {
    "threads": None,  # set by set_num_threads where no OpenBLAS can be found
    "interop_threads": 1,
    "deterministic": False,
    "warn_only": False,
    "matmul_precision": "highest",
}


def _positive_int(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{what} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{what} expects a positive integer, got {n}")
    return int(n)


def _openblas_paths() -> list[str]:
    """Paths of the OpenBLAS libraries this process has loaded (or NumPy ships)."""
    paths: list[str] = []
    if sys.platform.startswith("linux") and os.path.exists("/proc/self/maps"):
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    if not paths:  # macOS, Windows: the copy inside NumPy's wheel
        root = os.path.dirname(os.path.dirname(np.__file__))
        for folder in ("numpy.libs", os.path.join("numpy", ".dylibs"), "numpy"):
            paths += glob.glob(os.path.join(root, folder, "*openblas*"))
    return paths


@functools.cache
def _openblas_function(name: str) -> Any:
    """OpenBLAS's `openblas_<name>` (under any of its builds' prefixes and suffixes), or None."""
    for path in _openblas_paths():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                function = getattr(library, f"{prefix}_{name}{suffix}", None)
                if function is not None:
                    return function
    return None


def set_num_threads(n: int) -> None:
    """Use `n` threads inside an operation: the BLAS library's threads, which run the matrix
    products (see the module's docstring)."""
    n = _positive_int(n, "set_num_threads")
    function = _openblas_function("set_num_threads")
    if function is None:
        warnings.warn(
            "set_num_threads: NumPy's BLAS library is not an OpenBLAS whose thread count can be "
            "set here; set OMP_NUM_THREADS (or your BLAS's variable) before starting Python",
            RuntimeWarning,
            stacklevel=2,
        )
        _settings["threads"] = n
        return
    function.argtypes = [ctypes.c_int]
    function(n)


def get_num_threads() -> int:
    """The number of threads an operation may use (the BLAS library's)."""
    function = _openblas_function("get_num_threads")
    if function is None:
        return _settings["threads"] or os.cpu_count() or 1
    function.restype = ctypes.c_int
    return int(function())


def set_num_interop_threads(n: int) -> None:
    """PyTorch's pool for running independent operations side by side. Operations here run
    one after another, so the only count that changes nothing is 1; any positive count is
    accepted, as PyTorch accepts it, and `get_num_interop_threads` reports it."""
    _settings["interop_threads"] = _positive_int(n, "set_num_interop_threads")


def get_num_interop_threads() -> int:
    """The count given to `set_num_interop_threads` (1 until then: one operation at a time)."""
    return _settings["interop_threads"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic operations only. Every operation here is deterministic (CPU
    NumPy: the same inputs give the same bits), so none is refused; the setting is kept for
    `are_deterministic_algorithms_enabled`."""
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"use_deterministic_algorithms: {name} must be a bool, not {type(value).__name__}"
            )
    _settings["deterministic"], _settings["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether `use_deterministic_algorithms(True)` is in force."""
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether it was asked with `warn_only=True`."""
    return _settings["warn_only"]


def set_float32_matmul_precision(precision: str) -> None:
    """ "highest", "high" or "medium": how much precision float32 matrix products may give up
    for speed on hardware that has faster formats (TF32, bfloat16). NumPy computes them in
    float32 in every case; the setting is kept for `get_float32_matmul_precision`. Another
    value is ignored with a warning, as in PyTorch."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(
            f"set_float32_matmul_precision: {precision!r} is not one of 'highest', 'high', or "
            "'medium'; the call has no effect",
            UserWarning,
            stacklevel=2,
        )
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The value set by `set_float32_matmul_precision` ("highest" until then)."""
    return _settings["matmul_precision"]
