"""PyTorch's Tensor API beyond the core, composed over the Tensor's own methods (as
torch_names.py and torch_more.py are), one mixin of `Tensor` per family:

    shape.py        diagonals, triangles, rolling, splitting, selecting and taking
    elementwise.py  more elementwise math, predicates and logical operations
    reductions.py   products, medians, NaN-ignoring and cumulative reductions
    linalg.py       products of vectors and matrices, fused multiply-adds, distances

tensor.py imports these modules before it defines `Tensor`: they import what they need from
tensor.py inside the methods that use it.
"""
