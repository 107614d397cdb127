"""PyTorch's `torch.autograd` names beyond the engine's `backward` and `grad`.

`td.autograd` is the engine's module (autograd.py); it finds these names here on first use
(its module `__getattr__`): `td.autograd.functional` (vjp, jvp, vhp, hvp, jacobian, hessian),
`gradcheck`, `gradgradcheck`, `detect_anomaly`, `set_detect_anomaly`. `inference_mode` is
exported as `td.inference_mode`.
"""

from __future__ import annotations

import sys
from typing import Any

from ..gradcheck import GradcheckError, gradcheck
from . import custom_function, functional
from . import custom_function as function
from .checks import gradgradcheck
from .custom_function import Function, FunctionCtx
from .modes import (
    detect_anomaly,
    inference_mode,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    is_inference_mode_enabled,
    set_detect_anomaly,
)

__all__ = [
    "Function", "gradcheck", "gradgradcheck", "GradcheckError", "functional", "detect_anomaly",
    "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
    "inference_mode", "is_inference_mode_enabled", "function", "FunctionCtx", "Variable",
]  # fmt: skip


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:  # noqa: N802
    """PyTorch's legacy wrapper (a Variable is a Tensor since PyTorch 0.4): a new leaf over
    `data`'s memory, requiring grad as asked, as `torch.autograd.Variable` still gives it."""
    from ..tensor import Tensor

    if volatile:
        raise ValueError("Variable: volatile=True is long gone from PyTorch; use td.no_grad()")
    leaf = (data if isinstance(data, Tensor) else Tensor(data)).detach()
    return leaf.requires_grad_(requires_grad)


# `from tinygrad_ds.autograd.functional import vjp` as from torch.autograd.functional
# (autograd.py is a module, not a package, so the submodule is registered by name).
sys.modules[__name__.rsplit(".", 1)[0] + ".autograd.functional"] = functional
sys.modules[__name__.rsplit(".", 1)[0] + ".autograd.function"] = custom_function
