"""Einstein summation: `td.einsum("ij,jk->ik", a, b)`, NumPy's and PyTorch's notation.

Each operand's axes are named by letters; letters shared between operands are multiplied
along, letters missing from the output are summed over. The derivative with respect to one
operand is the same kind of contraction: the output's gradient g takes that operand's place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function

__all__ = ["Einsum", "parse_subscripts"]


def parse_subscripts(subscripts: Any, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """(each operand's letters, the output's letters) for `subscripts` and operand shapes.

    Without "->" the output is every letter used exactly once, in alphabetical order (NumPy's
    implicit mode). Each letter must name axes of one size. Not supported: "..." and a letter
    repeated within one operand (a diagonal or trace); both are clear errors.
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string, got {type(subscripts).__name__}")
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise ValueError("einsum: '...' is not supported; name every axis with a letter")
    lhs, arrow, out = spec.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(
            f"einsum: {subscripts!r} names {len(ins)} operands, but {len(shapes)} were given"
        )
    if not all(s.isalpha() or s == "" for s in ins + [out]) or "-" in out or ">" in out:
        raise ValueError(f"einsum: subscripts {subscripts!r} may hold only letters, ',' and '->'")
    if not arrow:
        letters = "".join(ins)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    sizes: dict[str, int] = {}
    for k, (letters, shape) in enumerate(zip(ins, shapes)):
        if len(letters) != len(shape):
            raise ValueError(
                f"einsum: operand {k} has shape {shape} ({len(shape)} axes), but {letters!r} "
                f"names {len(letters)}"
            )
        for c in set(letters):
            if letters.count(c) > 1:
                raise ValueError(
                    f"einsum: operand {k} repeats the index {c!r} ({letters!r}): diagonals "
                    "and traces are not supported"
                )
        for c, n in zip(letters, shape):
            if sizes.setdefault(c, n) != n:
                raise ValueError(
                    f"einsum: index {c!r} has sizes {sizes[c]} and {n} in {subscripts!r} for "
                    f"shapes {shapes}"
                )
    for c in out:
        if out.count(c) > 1 or c not in sizes:
            problem = "repeats" if out.count(c) > 1 else "names an index no operand has:"
            raise ValueError(f"einsum: the output {out!r} {problem} {c!r}")
    return ins, out


class Einsum(Function):
    """z = einsum(s_1, ..., s_n -> s_out)(x_1, ..., x_n);  dL/dx_k = einsum(s_out, s_j for
    j != k -> s_k)(g, x_j for j != k).

    The output's gradient g takes x_k's place: for matmul "ij,jk->ik" that is g @ b^T for a
    and a^T @ g for b. A letter of s_k that is in neither the output nor another operand was
    summed over in the forward pass alone, so the gradient is broadcast along it.
    """

    @staticmethod
    def forward(ctx, *xs, ins, out):
        ctx.ins, ctx.out = ins, out
        ctx.save_for_backward(*xs)
        return np.einsum(",".join(ins) + "->" + out, *[x.data for x in xs])

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        grads = []
        for k, (x, needed) in enumerate(zip(xs, ctx.needs_input_grad)):
            if not needed:
                grads.append(None)
                continue
            others = [j for j in range(len(xs)) if j != k]
            reachable = set(ctx.out).union(*[ctx.ins[j] for j in others])
            kept = "".join(c for c in ctx.ins[k] if c in reachable)
            gk = Einsum.apply(g, *[xs[j] for j in others],
                              ins=[ctx.out] + [ctx.ins[j] for j in others], out=kept)  # fmt: skip
            if kept != ctx.ins[k]:  # summed in x_k alone: g broadcast along those axes
                ones = [x.shape[i] if c in reachable else 1 for i, c in enumerate(ctx.ins[k])]
                gk = gk.reshape(*ones).expand(*x.shape)
            grads.append(gk)
        return tuple(grads)
