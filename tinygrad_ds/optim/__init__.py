"""`tinygrad_ds.optim`: optimisers and learning-rate schedulers, with PyTorch's update rules.

Optimizer         optimizer.py  (param_groups, zero_grad, step, state_dict)
SGD               sgd.py        (momentum, dampening, Nesterov, weight decay)
Adam, AdamW       adam.py       (amsgrad; decoupled weight decay)
RMSprop           rmsprop.py    (momentum, centered)
Adagrad           adagrad.py
NAdam, RAdam      adam_variants.py  (Nesterov momentum; rectified; also Adamax)
Adadelta          adadelta.py
Rprop             rprop.py
ASGD              asgd.py       (averaged SGD)
LBFGS             lbfgs.py      (step(closure); strong-Wolfe line search)
Adafactor         adafactor.py  (factored second moments, relative step, clipping)
swa_utils         swa_utils.py  (AveragedModel, SWALR, update_bn: SWA and EMA weight averages)
lr_scheduler/     StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
                  CosineAnnealingLR, LambdaLR, MultiplicativeLR, CosineAnnealingWarmRestarts,
                  CyclicLR, OneCycleLR, ReduceLROnPlateau, SequentialLR, ChainedScheduler
"""

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .asgd import ASGD
from .lbfgs import LBFGS
from .lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "NAdam", "RAdam", "Adamax",
    "Adadelta", "Rprop", "ASGD", "LBFGS", "lr_scheduler", "LRScheduler",
    "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "MultiStepLR", "ConstantLR",
    "LinearLR", "PolynomialLR", "MultiplicativeLR", "CosineAnnealingWarmRestarts", "CyclicLR",
    "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler",
    "Adafactor", "swa_utils",
]  # fmt: skip
