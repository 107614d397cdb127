"""`td.get_rng_state()` / `td.set_rng_state(state)`: save and restore the package generator.

The state is a uint8 Tensor, as PyTorch's ByteTensor (so it can be saved with a checkpoint):
the generator's PCG64 state (the 128-bit state and increment, little-endian) followed by its
cached 32-bit half-draw (a flag byte and 4 bytes). Restoring it makes the same draws again.
"""

from __future__ import annotations

import numpy as np

from ..rng import generator
from ..tensor import Tensor

__all__ = ["get_rng_state", "set_rng_state"]

_SIZE = 16 + 16 + 1 + 4


def get_rng_state() -> Tensor:
    """The package generator's state, as a uint8 Tensor of 37 bytes (see `set_rng_state`)."""
    state = generator().bit_generator.state
    if state["bit_generator"] != "PCG64":
        raise RuntimeError(f"get_rng_state: unexpected generator {state['bit_generator']}")
    raw = (
        state["state"]["state"].to_bytes(16, "little")
        + state["state"]["inc"].to_bytes(16, "little")
        + bytes([state["has_uint32"]])
        + int(state["uinteger"]).to_bytes(4, "little")
    )
    return Tensor(np.frombuffer(raw, dtype=np.uint8).copy())


def set_rng_state(new_state: Tensor) -> None:
    """Restore the package generator to a state from `get_rng_state()`: the draws after it
    repeat those made after the state was taken."""
    if not isinstance(new_state, Tensor):
        raise TypeError(
            f"set_rng_state: the state must be a uint8 Tensor, got {type(new_state).__name__}"
        )
    if new_state.dtype != np.uint8 or new_state.shape != (_SIZE,):
        raise ValueError(
            f"set_rng_state: the state must be a uint8 Tensor of shape ({_SIZE},) as "
            f"get_rng_state() returns, got dtype {new_state.dtype} and shape {new_state.shape}"
        )
    raw = new_state.data.tobytes()
    generator().bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {
            "state": int.from_bytes(raw[:16], "little"),
            "inc": int.from_bytes(raw[16:32], "little"),
        },
        "has_uint32": raw[32],
        "uinteger": int.from_bytes(raw[33:37], "little"),
    }
