"""Activation modules: each calls its function in `nn.functional` with the options it holds.

ReLU, LeakyReLU, Sigmoid, Tanh, Softmax and LogSoftmax live in layers.py. Options are checked
when the module is made, so a bad one fails there rather than in the first forward pass; the
repr shows them as PyTorch's does (`Softplus(beta=1.0, threshold=20.0)`). `inplace=True`
writes the result into the input, as in PyTorch (see `nn.functional`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from . import init as _init
from .layers import _dtype
from .module import Module, Parameter, check_int, check_real

__all__ = [
    "GELU", "SiLU", "Mish", "Softplus", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6",
    "Hardsigmoid", "Hardswish", "LogSigmoid", "Softsign", "Tanhshrink", "Softshrink",
    "Hardshrink", "Threshold", "GLU", "PReLU", "Softmin",
]  # fmt: skip


class _Inplace(Module):
    """An activation with PyTorch's `inplace` flag (shown in the repr only when set)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = bool(inplace)

    def _options(self, *options: str) -> str:
        return ", ".join(options + (("inplace=True",) if self.inplace else ()))

    def extra_repr(self) -> str:
        return self._options()


class GELU(Module):
    """x Phi(x), exactly (erf) or with `approximate="tanh"` (see `F.gelu`)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Inplace):
    """x sigmoid(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x, self.inplace)


class Mish(_Inplace):
    """x tanh(softplus(x))."""

    def forward(self, x: Tensor) -> Tensor:
        return F.mish(x, self.inplace)


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, linear where beta x > threshold (see `F.softplus`)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = F._softplus_beta(beta, "Softplus")
        self.threshold = check_real(threshold, "Softplus", "threshold")

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class ELU(_Inplace):
    """x for x > 0, alpha (e^x - 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = check_real(alpha, type(self).__name__, "alpha")

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return self._options(f"alpha={self.alpha}")


class CELU(ELU):
    """max(0, x) + min(0, alpha (e^(x/alpha) - 1))."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(alpha, inplace)
        if self.alpha == 0:
            raise ValueError("CELU: alpha cannot be 0 (it divides x)")

    def forward(self, x: Tensor) -> Tensor:
        return F.celu(x, self.alpha, self.inplace)


class SELU(_Inplace):
    """scale elu(x, alpha), with the self-normalising alpha = 1.6733 and scale = 1.0507."""

    def forward(self, x: Tensor) -> Tensor:
        return F.selu(x, self.inplace)


class Hardtanh(_Inplace):
    """x clipped to [min_val, max_val] (gradient 0 at the bounds, as PyTorch)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.min_val = check_real(min_val, type(self).__name__, "min_val")
        self.max_val = check_real(max_val, type(self).__name__, "max_val")
        if self.min_val > self.max_val:
            raise ValueError(
                f"{type(self).__name__}: min_val cannot be greater than max_val, got "
                f"{self.min_val} and {self.max_val}"
            )

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return self._options(f"min_val={self.min_val}", f"max_val={self.max_val}")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return self._options()


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6."""

    def forward(self, x: Tensor) -> Tensor:
        return F.hardsigmoid(x, self.inplace)


class Hardswish(_Inplace):
    """x relu6(x + 3) / 6."""

    def forward(self, x: Tensor) -> Tensor:
        return F.hardswish(x, self.inplace)


class LogSigmoid(Module):
    """log sigmoid(x), computed stably."""

    def forward(self, x: Tensor) -> Tensor:
        return F.logsigmoid(x)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.softsign(x)


class Tanhshrink(Module):
    """x - tanh x."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanhshrink(x)


class Softshrink(Module):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = check_real(lambd, "Softshrink", "lambd")
        if self.lambd < 0:
            raise ValueError(f"Softshrink: lambd must be >= 0, got {lambd}")

    def forward(self, x: Tensor) -> Tensor:
        return F.softshrink(x, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Module):
    """x where |x| > lambd, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = check_real(lambd, "Hardshrink", "lambd")

    def forward(self, x: Tensor) -> Tensor:
        return F.hardshrink(x, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Threshold(_Inplace):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.threshold = check_real(threshold, "Threshold", "threshold")
        self.value = check_real(value, "Threshold", "value")

    def forward(self, x: Tensor) -> Tensor:
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return self._options(f"threshold={self.threshold}", f"value={self.value}")


class GLU(Module):
    """a sigmoid(b) for the two halves a, b of x along `dim`."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = check_int(dim, "GLU", "dim")

    def forward(self, x: Tensor) -> Tensor:
        return F.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """x where x > 0, else a x, with a learnable slope a: one for all channels, or one per
    channel (`num_parameters` = the size of dim 1 of the input), each starting at `init`."""

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        if check_int(num_parameters, "PReLU", "num_parameters") < 1:
            raise ValueError(f"PReLU: num_parameters must be >= 1, got {num_parameters}")
        self.num_parameters = int(num_parameters)
        self.init = check_real(init, "PReLU", "init")
        self.weight = Parameter(np.empty((self.num_parameters,), _dtype(dtype, "PReLU", device)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _init.constant_(self.weight, self.init)

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmin(Module):
    """softmax(-x) along `dim` (the last axis unless given)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim if dim is None else check_int(dim, "Softmin", "dim")

    def forward(self, x: Tensor) -> Tensor:
        return F.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
