"""`skip_init`, as PyTorch's `nn.utils.skip_init`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """`module_cls(*args, **kwargs)` with its parameters and buffers left uninitialized
    (np.empty: arbitrary values, to be filled by the caller). PyTorch builds the module on
    its "meta" device to skip the initializers' cost; here they run, and their values are
    then discarded."""
    if not isinstance(module_cls, type) or not issubclass(module_cls, Module):
        raise RuntimeError(f"skip_init: expected a Module class, got {module_cls!r}")
    module = module_cls(*args, **kwargs)
    for t in list(module.parameters()) + list(module.buffers()):
        t.data = np.empty_like(t.data)
        t._version[0] += 1
    return module
