"""Random generators, as PyTorch's: `td.Generator`, a seedable source of random draws, and
`td.default_generator`, the package's own, which every random function draws from unless it
is given `generator=` (and which `td.manual_seed(n)` reseeds, so that runs are repeatable).

A Generator wraps a NumPy `np.random.Generator` (the PCG64 bit generator); `generator(gen,
what)` is the one place that turns a `generator=` argument into the NumPy generator to draw
from. Its state, as `Generator.get_state()` and `td.get_rng_state()` give it, is a uint8 Tensor
of 37 bytes: PCG64's 128-bit state and increment (little-endian), then the generator's cached
32-bit half-draw (a flag byte and 4 bytes); restoring it makes the same draws again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .device import CPU, check_device

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["Generator", "default_generator", "manual_seed", "generator"]

STATE_SIZE = 16 + 16 + 1 + 4  # PCG64's state and increment, the cached half-draw
_DEFAULT_SEED = 67280421310721  # the seed of a new Generator, as PyTorch's


def _check_seed(seed: Any, what: str) -> int:
    """Any int is a seed, as in PyTorch: a negative one is taken modulo 2**64 (so -1 seeds as
    2**64 - 1, the same generator every time)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"{what}: the seed must be an int, got {seed!r} ({type(seed).__name__})")
    return int(seed) % 2**64


def _fresh_seed() -> int:
    """A non-deterministic 64-bit seed, from the operating system's entropy."""
    return int(np.random.SeedSequence().entropy % 2**64)


def _encode(rng: np.random.Generator, what: str) -> bytes:
    """The 37 bytes of a PCG64 generator's state (see the module docstring)."""
    state = rng.bit_generator.state
    if state["bit_generator"] != "PCG64":
        raise RuntimeError(f"{what}: unexpected bit generator {state['bit_generator']}")
    return (
        state["state"]["state"].to_bytes(16, "little")
        + state["state"]["inc"].to_bytes(16, "little")
        + bytes([state["has_uint32"]])
        + int(state["uinteger"]).to_bytes(4, "little")
    )


def _decode(new_state: Any, what: str, getter: str) -> dict[str, Any]:
    """The PCG64 state dict NumPy takes, from 37 bytes made by `_encode` (`getter` names the
    method that gives them, for the error)."""
    from .tensor import Tensor

    if not isinstance(new_state, Tensor):
        raise TypeError(f"{what}: the state must be a uint8 Tensor, got {type(new_state).__name__}")
    if new_state.dtype != np.uint8 or new_state.shape != (STATE_SIZE,):
        raise ValueError(
            f"{what}: the state must be a uint8 Tensor of shape ({STATE_SIZE},) as "
            f"{getter} returns, got dtype {new_state.dtype} and shape {new_state.shape}"
        )
    raw = new_state.data.tobytes()
    inc = int.from_bytes(raw[16:32], "little")
    if raw[32] > 1 or inc % 2 == 0:  # PCG64's increment is odd; the flag is 0 or 1
        raise ValueError(f"{what}: the state is not one that {getter} returns (corrupted?)")
    return {
        "bit_generator": "PCG64",
        "state": {"state": int.from_bytes(raw[:16], "little"), "inc": inc},
        "has_uint32": raw[32],
        "uinteger": int.from_bytes(raw[33:37], "little"),
    }


class Generator:
    """PyTorch's `torch.Generator`: a source of random draws with its own state, given to a
    random function as `generator=` (`td.randn(3, generator=g)`, `DataLoader(...,
    generator=g)`) so that its draws neither move nor depend on the package generator's.

    A new Generator is seeded with PyTorch's default seed 67280421310721 (so it draws the same
    values every run until seeded otherwise). The one device is the CPU."""

    __slots__ = ("_rng", "_seed")

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device, "Generator")
        self._reseed(_DEFAULT_SEED)

    def _reseed(self, seed: int) -> None:
        self._seed = seed
        self._rng = np.random.default_rng(seed)

    @property
    def device(self) -> Any:
        """td.device('cpu'): where the generator's draws are made."""
        return CPU

    def manual_seed(self, seed: int) -> Generator:
        """Seed the generator with `seed` (any int; a negative one is taken modulo 2**64, as
        in PyTorch) and return it, so `g = td.Generator().manual_seed(0)` works."""
        self._reseed(_check_seed(seed, "manual_seed"))
        return self

    def seed(self) -> int:
        """Seed the generator with a fresh non-deterministic 64-bit number, and return it."""
        self._reseed(_fresh_seed())
        return self._seed

    def initial_seed(self) -> int:
        """The seed of the last `manual_seed` or `seed` (a state restored by `set_state`
        leaves it as it was)."""
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state, a uint8 Tensor of 37 bytes (see the module docstring), to
        give to `set_state` later."""
        from .tensor import Tensor

        raw = _encode(self._rng, "get_state")
        return Tensor(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from `get_state()` (the draws after it repeat those made after the
        state was taken), and return the generator."""
        self._set_state(new_state, "set_state", "get_state()")
        return self

    def _set_state(self, new_state: Any, what: str, getter: str) -> None:
        self._rng.bit_generator.state = _decode(new_state, what, getter)

    def __repr__(self) -> str:
        return f"Generator(device='cpu', initial_seed={self._seed})"


default_generator = Generator()
default_generator.seed()  # as PyTorch's: a fresh seed at each start


def manual_seed(seed: int) -> Generator:
    """Seed every source of randomness in tinygrad_ds (factories, init, dropout, shuffling):
    `td.default_generator.manual_seed(seed)`, which is returned, as in PyTorch. Any int is a
    seed: a negative one is taken modulo 2**64 (so -1 seeds as 2**64 - 1)."""
    return default_generator.manual_seed(seed)


def generator(gen: Any = None, what: str = "generator") -> np.random.Generator:
    """The NumPy generator to draw from for a `generator=` argument: the package's
    (`default_generator`) for None, a td.Generator's own, or a `np.random.Generator` as it is
    (also accepted). Anything else is a TypeError naming the operation `what`."""
    if gen is None:
        return default_generator._rng
    if isinstance(gen, Generator):
        return gen._rng
    if isinstance(gen, np.random.Generator):
        return gen
    raise TypeError(
        f"{what}: generator must be a td.Generator (or a np.random.Generator) or None, got "
        f"{type(gen).__name__}"
    )
