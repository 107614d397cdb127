"""Core speed: small-op overhead and one MLP training step, against a NumPy floor and PyTorch.

    python benchmarks/bench_core.py [--repeats 30]

1. A chain of 100 small elementwise operations (16 elements, alternating mul, add, tanh),
   forward and backward: microseconds per operation.
2. One training step of a 784-256-128-10 ReLU MLP at batch 128 in float32 with softmax
   cross-entropy and plain SGD (`nn.functional.linear`, `cross_entropy`, `optim.SGD`):
   milliseconds per step.

Each row is the median of `--repeats` runs (after a warm-up), beside a hand-written NumPy
forward+backward of the same computation (the floor) and, when it is installed, PyTorch eager on
the CPU. Ratios are to the floor. Quote medians and ratios from one run: machines are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import tinygrad_ds as td

try:  # PyTorch is optional: a row when installed, nothing otherwise
    import torch

    torch.set_num_threads(2)
except Exception:  # noqa: BLE001  (not installed, or a broken install)
    torch = None

CHAIN = 100
SIZES = (784, 256, 128, 10)
BATCH = 128
LR = 0.01


def interleaved(fns: list[Callable[[], object] | None], repeats: int) -> list[tuple | None]:
    """Run the functions in turn, `repeats` rounds after a warm-up round, so that a drift in the
    machine's speed hits all of them alike. For each: (median seconds, median ratio to the first,
    taken round by round)."""
    live = [f for f in fns if f is not None]
    for f in live:
        f()
    times: list[list[float]] = [[] for _ in live]
    for _ in range(repeats):
        for k, f in enumerate(live):
            start = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - start)
    results = []
    it = iter(range(len(live)))
    for f in fns:
        if f is None:
            results.append(None)
            continue
        k = next(it)
        ratio = statistics.median(t / t0 for t, t0 in zip(times[k], times[0]))
        results.append((statistics.median(times[k]), ratio))
    return results


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
    opt.zero_grad()
    loss.backward()
    opt.step()
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


def main() -> None:
    parser = argparse.ArgumentParser(description="core speed table")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []

    x0, w, b = (rng.standard_normal(16).astype(np.float32) for _ in range(3))
    tx = [td.Tensor(v, requires_grad=True) for v in (x0, w, b)]
    tt = None if torch is None else [torch.tensor(v, requires_grad=True) for v in (x0, w, b)]
    rows.append(("small op, forward+backward (us/op)", 1e6 / CHAIN, interleaved([
        lambda: chain_numpy(x0, w, b),
        lambda: chain_tinygrad(*tx),
        None if tt is None else (lambda: chain_torch(*tt)),
    ], args.repeats)))  # fmt: skip

    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    np_params = mlp_weights()
    td_params = [td.Tensor(p.copy(), requires_grad=True) for p in mlp_weights()]
    td_opt = td.optim.SGD(td_params, lr=LR)
    tdx, tdy = td.Tensor(x), td.Tensor(y)
    if torch is not None:
        t_params = [torch.tensor(p.copy(), requires_grad=True) for p in mlp_weights()]
        tx_, ty_ = torch.tensor(x), torch.tensor(y)
    rows.append(("MLP 784-256-128-10 step, batch 128 (ms)", 1e3, interleaved([
        lambda: mlp_step_numpy(np_params, x, y),
        lambda: mlp_step_tinygrad(td_params, td_opt, tdx, tdy),
        None if torch is None else (lambda: mlp_step_torch(t_params, tx_, ty_)),
    ], args.repeats)))  # fmt: skip

    print(f"{'benchmark':42s} {'numpy':>9s} {'tinygrad_ds':>12s} {'ratio':>7s} "
          f"{'torch':>9s} {'ratio':>7s}")  # fmt: skip
    for name, unit, (floor, ours, theirs) in rows:
        torch_cols = f"{theirs[0] * unit:9.2f} {theirs[1]:6.2f}x" if theirs else f"{'-':>9s}"
        print(f"{name:42s} {floor[0] * unit:9.2f} {ours[0] * unit:12.2f} {ours[1]:6.2f}x "
              f"{torch_cols}")  # fmt: skip
    print(f"(medians of {args.repeats} interleaved rounds; ratios to the NumPy floor, round by "
          "round)")  # fmt: skip
    floor_kib = peak_kib(lambda: mlp_step_numpy(np_params, x, y))
    ours_kib = peak_kib(lambda: mlp_step_tinygrad(td_params, td_opt, tdx, tdy))
    print(f"MLP step peak memory above start (tracemalloc): numpy {floor_kib:.0f} KiB, "
          f"tinygrad_ds {ours_kib:.0f} KiB ({ours_kib / floor_kib:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
