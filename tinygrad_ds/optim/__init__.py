"""`tinygrad_ds.optim`: optimisers and learning-rate schedulers, with PyTorch's update rules.

Optimizer         optimizer.py  (param_groups, zero_grad, step, state_dict)
SGD               sgd.py        (momentum, dampening, Nesterov, weight decay)
Adam, AdamW       adam.py       (amsgrad; decoupled weight decay)
RMSprop           rmsprop.py    (momentum, centered)
Adagrad           adagrad.py
lr_scheduler      StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, LRScheduler, StepLR
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler", "LRScheduler",
    "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
]  # fmt: skip
