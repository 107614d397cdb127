"""Shared test helpers: one function checks an op's value and its gradient; another loads an
example script as a module."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

import tinygrad_ds as td


def check_op(
    fn: Callable[..., td.Tensor],
    reference: Callable[..., np.ndarray],
    arrays: Sequence[np.ndarray],
    grad: bool = True,
    atol: float = 1e-5,
) -> None:
    """fn's value against a NumPy closed form, and its gradient against finite differences.

    `arrays` are float64 NumPy inputs; every one requires grad.
    """
    inputs = [td.Tensor(np.array(a, dtype=np.float64), requires_grad=grad) for a in arrays]
    out = fn(*inputs)
    expected = reference(*[np.array(a, dtype=np.float64) for a in arrays])
    np.testing.assert_allclose(out.data, expected, rtol=1e-7, atol=1e-9)
    assert out.shape == np.shape(expected)
    if grad:
        assert td.gradcheck(fn, inputs, atol=atol)
        assert_backward_paths_agree(fn, inputs)


def assert_backward_paths_agree(fn: Callable[..., td.Tensor], inputs: Sequence[td.Tensor]) -> None:
    """The two ways the engine runs each op's derivative give the same gradients: the
    first-order pass (`backward_array`, on arrays) and the recorded one (`backward`, on
    Tensors, as under create_graph=True), for a random upstream gradient."""
    out = fn(*inputs)
    upstream = np.random.default_rng(0).standard_normal(out.shape).astype(out.dtype)
    first = td.grad(out, inputs, upstream, retain_graph=True, allow_unused=True)
    recorded = td.grad(out, inputs, upstream, create_graph=True, allow_unused=True)
    for i, (a, b) in enumerate(zip(first, recorded)):
        assert (a is None) == (b is None), f"input {i}: a gradient on one path only"
        if a is not None:
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a.data, b.data, rtol=1e-10, atol=1e-12, err_msg=f"input {i}")


def away_from(values: np.ndarray, kinks: Sequence[float], margin: float = 0.1) -> np.ndarray:
    """Shift values that sit within `margin` of a kink (relu at 0, abs at 0)."""
    values = np.array(values, dtype=np.float64)
    for k in kinks:
        near = np.abs(values - k) < margin
        values[near] = k + np.where(values[near] >= k, margin, -margin) * 2
    return values


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example(name: str) -> ModuleType:
    """examples/NAME.py imported as a module (its `main` can then run on a small budget)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
