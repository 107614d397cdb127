"""Graph drawing speed: `viz.to_dot` on a graph of 10,000 nodes (tensors plus operations).

    python benchmarks/bench_viz.py [--repeats 7] [--layers 1667]

The graph is the loss of a deep MLP, nn.Sequential of `--layers` blocks Linear(4, 4) + Tanh:
each block is 2 operations (the Linear node, tanh), their 2 output tensors and 2 parameters,
so 1,667 blocks make 10,005 nodes with the input, the sum and the loss. Rows: before
backward; after backward (every parameter's "data | grad" formatted); and after backward with
`module=`, which also assigns every operation to its Linear's cluster. Each row is the median
of `--repeats` runs after a warm-up. `max_nodes=None` draws everything.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import tinygrad_ds as td
from tinygrad_ds import nn, viz


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeats: int = 7, layers: int = 1667) -> None:
    td.manual_seed(0)
    blocks = []
    for _ in range(layers):
        blocks += [nn.Linear(4, 4), nn.Tanh()]
    model = nn.Sequential(*blocks)
    loss = model(td.Tensor.randn(2, 4)).sum()
    n_nodes = sum(1 for line in viz.to_dot(loss, max_nodes=None).splitlines() if " [" in line) - 3
    print(f"to_dot on a graph of {n_nodes:,} nodes ({layers} Linear+Tanh blocks), "
          f"median of {repeats} runs:")  # fmt: skip
    rows = [("before backward", lambda: viz.to_dot(loss, max_nodes=None))]
    rows_after = [
        ("after backward (data | grad)", lambda: viz.to_dot(loss, max_nodes=None)),
        ("after backward, module=model", lambda: viz.to_dot(loss, max_nodes=None, module=model)),
    ]
    for name, fn in rows:
        print(f"  {name:<32} {median_seconds(fn, repeats) * 1e3:8.1f} ms")
    loss.backward(retain_graph=True)
    for name, fn in rows_after:
        print(f"  {name:<32} {median_seconds(fn, repeats) * 1e3:8.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--layers", type=int, default=1667)
    args = parser.parse_args()
    main(args.repeats, args.layers)
