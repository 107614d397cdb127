"""`td.get_rng_state()` / `td.set_rng_state(state)`: save and restore the package generator,
`td.default_generator` (its `get_state` / `set_state`; the encoding is rng.py's).

The state is a uint8 Tensor of 37 bytes, as PyTorch's ByteTensor (so it can be saved with a
checkpoint); restoring it makes the same draws again.
"""

from __future__ import annotations

from ..rng import default_generator
from ..tensor import Tensor

__all__ = ["get_rng_state", "set_rng_state"]


def get_rng_state() -> Tensor:
    """The package generator's state, as a uint8 Tensor of 37 bytes (see `set_rng_state`):
    `td.default_generator.get_state()`."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the package generator to a state from `get_rng_state()`: the draws after it
    repeat those made after the state was taken."""
    default_generator._set_state(new_state, "set_rng_state", "get_rng_state()")
