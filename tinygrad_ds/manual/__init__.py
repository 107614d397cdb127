"""The course's hand-derived algorithms in plain NumPy, independent of the autograd engine.

Nothing here imports the rest of tinygrad_ds: these functions are the reference the engine is
checked against. Notation: z[l] = W[l] a[l-1] + b[l], a[l] = g(z[l]), a[0] = x, y_hat = a[L];
L(y_hat, y) = -[(1 - y) log(1 - y_hat) + y log y_hat]; J(W, b) = (1/N) sum_i L(i) + lam R(W, b)
with R = sum_l ||W[l]||^2; delta[l] = dL/dz[l]. Python lists are 0-based: ``weights[0]`` is W[1].

    forward, cost, backprop, output_delta      network.py, backprop.py
    sigmoid, softmax, g_prime, ...             activations.py
    Perceptron, BatchPerceptron                perceptron.py
    symmetry_demo, init_weights                init_demo.py
    cross_check (autograd vs the above)        cross_check.py, the only file importing the engine
"""

from .activations import (
    HIDDEN,
    OUTPUTS,
    activate,
    g_prime,
    log_sigmoid,
    log_softmax,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    tanh,
    tanh_prime,
)
from .backprop import backprop, output_delta
from .cross_check import CrossCheckReport, CrossCheckRow, cross_check
from .init_demo import SymmetryDemo, init_weights, symmetry_demo
from .network import cost, example_losses, forward, regulariser
from .perceptron import BatchPerceptron, Perceptron

__all__ = [
    "HIDDEN",
    "OUTPUTS",
    "BatchPerceptron",
    "CrossCheckReport",
    "CrossCheckRow",
    "Perceptron",
    "SymmetryDemo",
    "activate",
    "backprop",
    "cost",
    "cross_check",
    "example_losses",
    "forward",
    "g_prime",
    "init_weights",
    "log_sigmoid",
    "log_softmax",
    "output_delta",
    "regulariser",
    "relu",
    "relu_prime",
    "sigmoid",
    "sigmoid_prime",
    "softmax",
    "symmetry_demo",
    "tanh",
    "tanh_prime",
]
