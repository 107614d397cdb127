"""Learning-rate schedulers, as PyTorch's: call `scheduler.step()` after `optimizer.step()`,
once per epoch (or per iteration, as you choose the schedule's unit; CyclicLR and OneCycleLR
are per batch, ReduceLROnPlateau takes the validation metric: `scheduler.step(val_loss)`).

Each sets `group["lr"]` of every parameter group; `get_last_lr()` reads the values back.
Options are checked at construction, and every rate a schedule gives must be a finite number
>= 0 (the optimisers refuse anything else): a step that would break this raises ValueError
naming the scheduler, the group and the value, and changes nothing.

base.py      LRScheduler
basic.py     StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
             CosineAnnealingLR, LambdaLR, MultiplicativeLR
cyclic.py    CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
combined.py  ReduceLROnPlateau, SequentialLR, ChainedScheduler
"""

from .base import LRScheduler
from .basic import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .combined import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
    "PolynomialLR", "CosineAnnealingLR", "LambdaLR", "MultiplicativeLR",
    "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "ReduceLROnPlateau",
    "SequentialLR", "ChainedScheduler",
]  # fmt: skip
