"""Core speed: small-op overhead and one MLP training step, against a NumPy floor and PyTorch.

    python benchmarks/bench_core.py [--repeats 30]

1. A chain of 100 small elementwise operations (16 elements, alternating mul, add, tanh),
   forward and backward: microseconds per operation.
2. One training step of a 784-256-128-10 ReLU MLP at batch 128 in float32 with softmax
   cross-entropy and plain SGD (`nn.functional.linear`, `cross_entropy`, `optim.SGD`):
   milliseconds per step. Every version frees its gradients right after the update: the
   floor drops each layer's at once, the PyTorch row sets `p.grad = None`, and ours calls
   `opt.zero_grad()` after `opt.step()` (the order of PyTorch's tutorial loop). Clearing them
   at the start of the next step instead keeps 0.9 MB of gradients alive across the step, which
   cost about 2% when the two orders were timed in turns in one process: the next forward pass
   cannot reuse that memory while it is still in cache.

Each row is the median over `--repeats` rounds (see `timing.py`: in each round every function
runs a block of back-to-back calls, as in a training loop, after a pause that lets the threads
of the one before go to sleep), beside a hand-written NumPy forward+backward of the same
computation (the floor) and, when it is installed, PyTorch eager on the CPU. Ratios are to the
floor, round by round. PyTorch is measured in a child process against its own floor (loaded
in one process, PyTorch's OpenMP threads and OpenBLAS's would spin on the same two cores).
Quote medians and ratios from one run: machines are noisy.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Callable

import numpy as np
from timing import BLOCK, median, ratio, rounds

import tinygrad_ds as td

torch = None  # imported only in the child process that measures PyTorch (see `main`)

CHAIN = 100
SIZES = (784, 256, 128, 10)
BATCH = 128
LR = 0.01


# -- 1. chain of small operations ----------------------------------------------------------------


def chain_numpy(x0: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    xs, x = [], x0
    for i in range(CHAIN):
        xs.append(x)
        x = x * w if i % 3 == 0 else (x + b if i % 3 == 1 else np.tanh(x))
    g = np.ones_like(x)
    gw = np.zeros_like(w)
    gb = np.zeros_like(b)
    for i in reversed(range(CHAIN)):
        xin = xs[i]
        if i % 3 == 0:
            gw += g * xin
            g = g * w
        elif i % 3 == 1:
            gb += g
        else:
            t = np.tanh(xin)
            g = g * (1 - t * t)
    return g


def chain_tinygrad(x0: td.Tensor, w: td.Tensor, b: td.Tensor) -> None:
    x = x0
    for i in range(CHAIN):
        x = x * w if i % 3 == 0 else (x + b if i % 3 == 1 else x.tanh())
    x.sum().backward()
    x0.grad = w.grad = b.grad = None


def chain_torch(x0, w, b) -> None:
    x = x0
    for i in range(CHAIN):
        x = x * w if i % 3 == 0 else (x + b if i % 3 == 1 else x.tanh())
    x.sum().backward()
    x0.grad = w.grad = b.grad = None


# -- 2. MLP training step ------------------------------------------------------------------------


def mlp_weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, n_out).astype(np.float32))
    return params


def mlp_step_numpy(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Forward, softmax cross-entropy, backward and SGD, written by hand (the floor)."""
    acts, a = [x], x
    n_layers = len(params) // 2
    for layer in range(n_layers):
        z = a @ params[2 * layer].T + params[2 * layer + 1]
        a = np.maximum(z, 0) if layer < n_layers - 1 else z
        acts.append(a)
    shifted = a - a.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(len(y)), y].mean()
    delta = np.exp(logp)
    delta[np.arange(len(y)), y] -= 1
    delta /= len(y)
    for layer in reversed(range(n_layers)):
        W, b = params[2 * layer], params[2 * layer + 1]
        a_prev = acts[layer]
        gW = delta.T @ a_prev
        gb = delta.sum(axis=0)
        if layer > 0:
            delta = (delta @ W) * (a_prev > 0)
        W -= LR * gW
        b -= LR * gb
    return float(loss)


def mlp_step_tinygrad(params: list[td.Tensor], opt: td.optim.SGD, x: td.Tensor, y: td.Tensor):
    a = x
    n_layers = len(params) // 2
    for layer in range(n_layers):
        a = td.nn.functional.linear(a, params[2 * layer], params[2 * layer + 1])
        if layer < n_layers - 1:
            a = a.relu()
    loss = td.nn.functional.cross_entropy(a, y)
    loss.backward()
    opt.step()
    opt.zero_grad()  # after the update, as the PyTorch row (and PyTorch's tutorial loop) does
    return loss.item()


def mlp_step_torch(params, x, y) -> float:
    a = x
    n_layers = len(params) // 2
    for layer in range(n_layers):
        a = torch.nn.functional.linear(a, params[2 * layer], params[2 * layer + 1])
        if layer < n_layers - 1:
            a = a.relu()
    loss = torch.nn.functional.cross_entropy(a, y)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad * LR)
            p.grad = None
    return loss.item()


def peak_kib(fn: Callable[[], object], steps: int = 3) -> float:
    """Peak of NumPy/Python allocations (tracemalloc) above the starting point, over `steps`
    calls after a warm-up: what one training step needs at its busiest."""
    fn()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for _ in range(steps):
        fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - start) / 1024


def measure(framework: str, repeats: int) -> dict[str, list[float]]:
    """{row: [floor seconds, framework seconds, median ratio]} for "tinygrad" or "torch"."""
    rng = np.random.default_rng(0)
    x0, w, b = (rng.standard_normal(16).astype(np.float32) for _ in range(3))
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    np_params = mlp_weights()
    if framework == "tinygrad":
        tx = [td.Tensor(v, requires_grad=True) for v in (x0, w, b)]
        params = [td.Tensor(p.copy(), requires_grad=True) for p in mlp_weights()]
        opt, bx, by = td.optim.SGD(params, lr=LR), td.Tensor(x), td.Tensor(y)

        def chain() -> None:
            chain_tinygrad(*tx)

        def step() -> None:
            mlp_step_tinygrad(params, opt, bx, by)
    else:
        tx = [torch.tensor(v, requires_grad=True) for v in (x0, w, b)]
        params = [torch.tensor(p.copy(), requires_grad=True) for p in mlp_weights()]
        bx, by = torch.tensor(x), torch.tensor(y)

        def chain() -> None:
            chain_torch(*tx)

        def step() -> None:
            mlp_step_torch(params, bx, by)

    rows = {}
    t = rounds({"floor": lambda: chain_numpy(x0, w, b), "ours": chain}, repeats)
    rows["small op, forward+backward (us/op)"] = [median(t["floor"]) * 1e6 / CHAIN,
        median(t["ours"]) * 1e6 / CHAIN, ratio(t["ours"], t["floor"])]  # fmt: skip
    t = rounds({"floor": lambda: mlp_step_numpy(np_params, x, y), "ours": step}, repeats)
    rows["MLP 784-256-128-10 step, batch 128 (ms)"] = [median(t["floor"]) * 1e3,
        median(t["ours"]) * 1e3, ratio(t["ours"], t["floor"])]  # fmt: skip
    if framework == "tinygrad":
        floor_kib = peak_kib(lambda: mlp_step_numpy(np_params, x, y))
        rows["MLP step peak memory (KiB, tracemalloc)"] = [floor_kib, peak_kib(step),
                                                           peak_kib(step) / floor_kib]  # fmt: skip
    return rows


def main() -> None:
    global torch
    parser = argparse.ArgumentParser(description="core speed table")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--torch-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_child:  # measure PyTorch against the floor in this process, print JSON
        import torch

        torch.set_num_threads(2)
        print(json.dumps(measure("torch", args.repeats)))
        return

    ours = measure("tinygrad", args.repeats)
    theirs: dict[str, list[float]] = {}
    if importlib.util.find_spec("torch") is not None:
        child = subprocess.run(
            [sys.executable, __file__, "--torch-child", "--repeats", str(args.repeats)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if child.returncode == 0:
            theirs = json.loads(child.stdout.strip().splitlines()[-1])
        else:
            print(f"(PyTorch is installed but failed to run: {child.stderr.strip()[-200:]})")
    print(f"{'benchmark':42s} {'numpy':>9s} {'tinygrad_ds':>12s} {'ratio':>7s} "
          f"{'torch':>9s} {'ratio':>7s}")  # fmt: skip
    for name, (floor, value, to_floor) in ours.items():
        t = theirs.get(name)
        torch_cols = f"{t[1]:9.2f} {t[2]:6.2f}x" if t else f"{'-':>9s}"
        print(f"{name:42s} {floor:9.2f} {value:12.2f} {to_floor:6.2f}x {torch_cols}")
    print(f"(medians of {args.repeats} interleaved rounds of {BLOCK} back-to-back calls each; "
          "ratios to the NumPy floor, round by round; PyTorch against its own floor, in a "
          "separate process)")  # fmt: skip


if __name__ == "__main__":
    main()
