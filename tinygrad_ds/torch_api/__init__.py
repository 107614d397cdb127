"""PyTorch's Tensor API beyond the core: one mixin of `Tensor` per family, each method composed
from the Tensor's own methods (a new primitive lives in `ops/` and is named where it is used),
and the package-level functions (`td.diag`, `td.prod`, ...) beside them.

    names.py        PyTorch's names for what the Tensor does (add, masked_fill, split, to, ...)
    more.py         gather, flip, sort, topk, mm, bmm, norm, new_*
    shape.py        diagonals, triangles, rolling, moving dims, selecting and taking
    elementwise.py  inverse and hyperbolic trig, logs, remainders, predicates, logic, erf
    reductions.py   prod, cumprod, medians, quantiles, NaN-ignoring and cumulative reductions
    linalg.py       dot, outer, kron, cross, addmm and the other fused products, cdist
    *_functions.py  the package-level functions of shape.py, elementwise.py, reductions.py and
                    linalg.py

tensor.py imports these modules before it defines `Tensor`: they import what they need from
tensor.py inside the methods that use it.
"""
