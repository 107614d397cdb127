"""A module's backward hooks, built from `Tensor.register_hook` on two packing nodes.

For one call of a module with backward hooks, the tensor inputs that require grad are packed
into one flat tensor `pin = cat(x1.flatten(), ...)` and the module's `forward` gets its slices
back (reshaped); its tensor outputs are packed the same way into `pout` and the caller gets
their slices. The gradient reaching `pout` is then every dL/d(output) at once (grad_output),
and the gradient reaching `pin` every dL/d(input) at once (grad_input): a hook on each of
those two nodes calls the module's hooks, and what they return replaces the packed gradient.
Packing is composed of existing ops (cat, slicing, reshape), so no backward rule is new.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor

__all__ = ["BackwardHook"]


def _pack(tensors: list[Tensor]) -> Tensor:
    """One flat tensor holding `tensors` (a copy, so that it is a node of its own)."""
    from ..functions import cat

    if len(tensors) == 1:
        return tensors[0].reshape(-1) * 1
    return cat([t.reshape(-1) for t in tensors])


def _unpack(packed: Tensor, like: list[Tensor]) -> list[Tensor]:
    """The slices of `packed` shaped (and typed) as the tensors `like` it was made of."""
    out, start = [], 0
    for t in like:
        piece = packed[start : start + t.numel()].reshape(t.shape)
        out.append(piece if piece.dtype == t.dtype else piece.to(t.dtype))
        start += t.numel()
    return out


def _split(g: Tensor, like: list[Tensor]) -> list[Tensor]:
    """The flat gradient `g` of a packed tensor cut into gradients shaped as `like`."""
    out, start = [], 0
    for t in like:
        out.append(g[start : start + t.numel()].reshape(t.shape).to(t.dtype))
        start += t.numel()
    return out


class BackwardHook:
    """The backward hooks of one call of `module`: `full_hooks` get (module, grad_input,
    grad_output), `pre_hooks` get (module, grad_output), as in PyTorch."""

    def __init__(self, module: Any, full_hooks: list, pre_hooks: list) -> None:
        self.module, self.full_hooks, self.pre_hooks = module, list(full_hooks), list(pre_hooks)
        self.n_inputs = 0
        self.input_index: list[int] = []  # positions of the inputs that require grad
        self.inputs: list[Tensor] = []
        self.grad_outputs: tuple | None = None
        self.outputs: list[Tensor] = []
        self.output_index: list[int] = []
        self.n_outputs = 0

    # -- inputs ----------------------------------------------------------------------------

    def setup_input_hook(self, args: tuple) -> tuple:
        """`args` with each tensor that requires grad replaced by its slice of `pin`."""
        self.n_inputs = len(args)
        self.input_index = [
            i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad
        ]
        if not self.input_index or not self.full_hooks:
            return args
        self.inputs = [args[i] for i in self.input_index]
        packed = _pack(self.inputs)
        packed.register_hook(self._input_hook)
        new_args = list(args)
        for i, t in zip(self.input_index, _unpack(packed, self.inputs)):
            new_args[i] = t
        return tuple(new_args)

    def _with_none(self, values: list, n: int, index: list[int]) -> tuple:
        out: list[Any] = [None] * n
        for i, v in zip(index, values):
            out[i] = v
        return tuple(out)

    def _input_hook(self, g: Tensor) -> Tensor | None:
        grads = self._with_none(_split(g, self.inputs), self.n_inputs, self.input_index)
        changed = False
        for hook in list(self.full_hooks):
            new = hook(self.module, grads, self.grad_outputs)
            if new is None:
                continue
            new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
            if len(new) != len(grads):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(new)}, but expected {len(grads)}"
                )
            grads, changed = new, True
        self.grad_outputs = None  # (the call's gradients are not kept past its backward)
        if not changed:
            return None
        parts = []
        for i, t in zip(self.input_index, self.inputs):
            gi = grads[i]
            if gi is None:
                parts.append(Tensor(t.data.reshape(-1) * 0).to(g.dtype))
            else:
                gi = gi if isinstance(gi, Tensor) else Tensor(gi)
                if gi.shape != t.shape:
                    raise RuntimeError(
                        f"backward hook: grad_input[{i}] has shape {gi.shape}, but the input "
                        f"has shape {t.shape}"
                    )
                parts.append(gi.reshape(-1).to(g.dtype))
        return parts[0] * 1 if len(parts) == 1 else _cat(parts)

    # -- outputs ---------------------------------------------------------------------------

    def setup_output_hook(self, result: Any) -> Any:
        """`result` (a Tensor or a tuple/list of them) with its tensors that require grad
        replaced by their slices of `pout`."""
        single = isinstance(result, Tensor)
        items = [result] if single else list(result) if isinstance(result, (tuple, list)) else []
        index = [i for i, r in enumerate(items) if isinstance(r, Tensor) and r.requires_grad]
        if not index:
            return result
        self.outputs = [items[i] for i in index]
        self.output_index, self.n_outputs = index, len(items)
        packed = _pack(self.outputs)
        packed.register_hook(self._output_hook)
        for i, t in zip(index, _unpack(packed, self.outputs)):
            items[i] = t
        if single:
            return items[0]
        return type(result)(*items) if hasattr(result, "_fields") else type(result)(items)

    def _output_hook(self, g: Tensor) -> Tensor | None:
        grads = self._with_none(_split(g, self.outputs), self.n_outputs, self.output_index)
        changed = False
        for hook in list(self.pre_hooks):
            new = hook(self.module, grads)
            if new is None:
                continue
            new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
            if len(new) != len(grads):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, got "
                    f"{len(new)}, but expected {len(grads)}"
                )
            grads, changed = new, True
        self.grad_outputs = grads
        if not self.input_index or not self.inputs:  # no input requires grad: call them now
            none = (None,) * self.n_inputs
            for hook in list(self.full_hooks):
                new = hook(self.module, none, grads)
                if new is not None and any(n is not None for n in new):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        if not changed:
            return None
        parts = []
        for i, t in zip(self.output_index, self.outputs):
            gi = grads[i]
            gi = Tensor(t.data.reshape(-1) * 0) if gi is None else gi
            gi = gi if isinstance(gi, Tensor) else Tensor(gi)
            parts.append(gi.reshape(-1).to(g.dtype))
        return parts[0] * 1 if len(parts) == 1 else _cat(parts)


def _cat(parts: list[Tensor]) -> Tensor:
    from ..functions import cat

    return cat(parts)
