"""Einstein summation: `td.einsum("ij,jk->ik", a, b)`, NumPy's and PyTorch's notation.

Each operand's axes are named by letters; letters shared between operands are multiplied
along, letters missing from the output are summed over. The derivative with respect to one
operand is the same kind of contraction: the output's gradient g takes that operand's place.
A letter repeated within one operand ("ii->i", "ii->" a trace) names its diagonal: that is
taken first (`take_diagonals`, through `Tensor.diagonal`), so `Einsum` sees distinct letters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function

__all__ = ["Einsum", "parse_subscripts", "take_diagonals"]


def parse_subscripts(subscripts: Any, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """(each operand's letters, the output's letters) for `subscripts` and operand shapes.

    Without "->" the output is every letter used exactly once, in alphabetical order, after
    the "..." axes (NumPy's implicit mode). "..." stands for the axes an operand has beyond
    its letters; they get letters of their own, aligned from the right and broadcast as NumPy
    broadcasts. A letter names axes of one size, or of size 1 (broadcast). A letter repeated
    within one operand (its diagonal, see `take_diagonals`) needs one size there.
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string, got {type(subscripts).__name__}")
    lhs, arrow, out = subscripts.replace(" ", "").partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(
            f"einsum: {subscripts!r} names {len(ins)} operands, but {len(shapes)} were given"
        )
    named = [s.replace("...", "", 1) for s in ins + [out]]
    if not all(s.isalpha() or s == "" for s in named):
        raise ValueError(
            f"einsum: subscripts {subscripts!r} may hold only letters, one '...' per operand, "
            "',' and '->'"
        )
    ins, out = _expand_ellipsis(ins, out if arrow else None, shapes)
    sizes: dict[str, int] = {}
    for k, (letters, shape) in enumerate(zip(ins, shapes)):
        for c in dict.fromkeys(letters):  # (in order: the first mismatch is the one named)
            repeated = {n for d, n in zip(letters, shape) if d == c}
            if len(repeated) > 1:
                raise ValueError(
                    f"einsum: operand {k} repeats the index {c!r} ({letters!r}) on axes of "
                    f"different sizes (shape {shape}); a diagonal needs equal sizes"
                )
        for c, n in zip(letters, shape):
            m = sizes.setdefault(c, n)
            if m != n and 1 not in (m, n):
                raise ValueError(
                    f"einsum: index {c!r} has sizes {m} and {n} in {subscripts!r} for shapes "
                    f"{shapes}"
                )
            sizes[c] = max(m, n)
    for c in out:
        if out.count(c) > 1 or c not in sizes:
            problem = "repeats" if out.count(c) > 1 else "names an index no operand has:"
            raise ValueError(f"einsum: the output {out!r} {problem} {c!r}")
    return ins, out


def _expand_ellipsis(
    ins: list[str], out: str | None, shapes: list[tuple[int, ...]]
) -> tuple[list[str], str]:
    """Letters in place of "...", and the output (None: implicit) made explicit."""
    extra = []
    for k, (letters, shape) in enumerate(zip(ins, shapes)):
        named = len(letters.replace("...", ""))
        if len(shape) < named or ("..." not in letters and len(shape) != named):
            raise ValueError(
                f"einsum: operand {k} has shape {shape} ({len(shape)} axes), but {letters!r} "
                f"names {named}"
            )
        extra.append(len(shape) - named if "..." in letters else 0)
    used = set("".join(ins) + (out or ""))
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    dots = "".join(spare[: max(extra, default=0)])
    ins = [s.replace("...", dots[len(dots) - n :], 1) for s, n in zip(ins, extra)]
    if out is None:  # implicit: the broadcast axes, then the letters used once, sorted
        letters = "".join(ins)
        once = sorted(c for c in set(letters) if letters.count(c) == 1 and c not in dots)
        return ins, dots + "".join(once)
    return ins, out.replace("...", dots, 1)  # (without "..." there, those axes are summed)


def take_diagonals(tensors: list[Any], ins: list[str]) -> tuple[list[Any], list[str]]:
    """(tensors, letters) with each letter repeated within an operand taken once: the
    operand's diagonal over those two axes (`Tensor.diagonal`, composed, so gradients and
    second derivatives come free) replaces them, as a last axis named by that letter. "ii"
    becomes "i" (then "i->" is the trace), "bjij" becomes "bij"; "iii" twice over."""
    outs, names = [], []
    for x, letters in zip(tensors, ins):
        while len(set(letters)) < len(letters):
            c = next(c for c in letters if letters.count(c) > 1)
            p = letters.index(c)
            q = letters.index(c, p + 1)
            x = x.diagonal(0, p, q)
            letters = letters[:p] + letters[p + 1 : q] + letters[q + 1 :] + c
        outs.append(x)
        names.append(letters)
    return outs, names


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
                sizes = dict(zip(kept, gk.shape))
                gk = gk.reshape(*[sizes.get(c, 1) for c in ctx.ins[k]])
                gk = gk.expand(*[sizes.get(c, n) for c, n in zip(ctx.ins[k], x.shape)])
            # (where x_k had size 1 along a letter the others had longer, the engine sums the
            # gradient back down: the adjoint of that broadcast)
            grads.append(gk)
        return tuple(grads)
