"""PyTorch's Tensor API beyond the core: one mixin of `Tensor` per family, each method composed
from the Tensor's own methods (a new primitive lives in `ops/` and is named where it is used),
and the package-level functions (`td.diag`, `td.prod`, ...) beside them.

    names.py        PyTorch's names for what the Tensor does (add, masked_fill, split, to, ...)
    more.py         gather, flip, sort, topk, mm, bmm, norm, new_*
    shape.py        diagonals, triangles, rolling, moving dims, selecting and taking
    elementwise.py  inverse and hyperbolic trig, logs, remainders, predicates, logic, erf
    reductions.py   prod, cumprod, medians, quantiles, NaN-ignoring and cumulative reductions
    linalg.py       dot, outer, kron, cross, addmm and the other fused products, cdist
    indexing.py     scatter, scatter_add, scatter_reduce, index_add/copy/fill, masked_scatter,
                    put, and their in-place forms (scatter_, ..., masked_fill_)
    inplace_methods.py  exp_, clamp_min_, tril_, fill_diagonal_, uniform_, ...: out-of-place
                    methods written back in place through inplace.py
    counting.py     unique, unique_consecutive, bincount, histc, histogram, argwhere
    splitting.py    tensor_split, hsplit, repeat_interleave, unflatten, sum_to_size, stride,
                    is_contiguous, ...
    aliases.py      PyTorch's other names (absolute, greater, fix, ger, inverse, det, ...) and
                    in-place forms made from a table (sin_, lerp_, eq_, addmm_, random_, ...)
    *_functions.py  the package-level functions of shape.py, elementwise.py, reductions.py,
                    linalg.py, indexing.py, counting.py (with searchsorted, bucketize, isin,
                    tril_indices, combinations, unravel_index), splitting.py (with hstack,
                    vstack, atleast_2d, ...) and aliases.py

tensor.py imports these modules before it defines `Tensor`: they import what they need from
tensor.py inside the methods that use it.
"""
