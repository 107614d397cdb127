"""How the benchmarks time: interleaved rounds of short blocks of back-to-back calls.

Each round takes the functions in turn, so that a drift in the machine's speed hits all of them
alike. Each function runs a block of BLOCK back-to-back calls, as in a training loop, after a
pause that lets the worker threads of the function before go to sleep (OpenBLAS's and
PyTorch's spin for a while after each call and would take a core from the next) and one untimed
call that wakes its own. A round's figure is its block's median; a row is the median over the
rounds, and a ratio is the median of the round-by-round ratios.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

BLOCK = 5  # timed calls in a row per function and round
PAUSE = 0.25  # seconds before each block


def rounds(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds per call of each function, one figure per round (after a warm-up call)."""
    for f in fns.values():
        f()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, f in fns.items():
            time.sleep(PAUSE)
            f()
            block = []
            for _ in range(BLOCK):
                start = time.perf_counter()
                f()
                block.append(time.perf_counter() - start)
            times[name].append(statistics.median(block))
    return times


def median(times: list[float]) -> float:
    return statistics.median(times)


def ratio(times: list[float], base: list[float]) -> float:
    """The median of the round-by-round ratios times / base."""
    return statistics.median(t / b for t, b in zip(times, base))
