"""Convolutional and recurrent training steps, against hand-written NumPy and PyTorch eager.

    python benchmarks/bench_cnn.py [--repeats 20]

1. CNN (issue 6): 1x28x28 input, batch 64: conv 3x3 (1 -> 8 channels, padding 1), ReLU,
   max-pool 2, conv 3x3 (8 -> 16, padding 1), ReLU, max-pool 2, linear 784 -> 10, softmax
   cross-entropy, one plain SGD update.
2. RNN: a tanh RNN (input 28, hidden 128) over 28 steps at batch 64 (an image read row by
   row), linear 128 -> 10 on the last hidden state, softmax cross-entropy, SGD.

The NumPy references are careful: the CNN keeps activations channel-major (C, N, H, W) so that
each convolution is one im2col copy and one matrix product, pools by the maximum of strided
slices, and reuses its columns for the weight gradient; the RNN does the input projection
of all steps in one matrix product. All implementations start from the same weights, copied
through state_dict (PyTorch's names and shapes), and their first losses are checked to agree.

Threads: NumPy's BLAS and PyTorch both take OMP_NUM_THREADS at start-up (default: all cores);
`OMP_NUM_THREADS=1` compares single-threaded, steadier on a busy machine.

Each row is the median over `--repeats` interleaved rounds of each round's median of 5
back-to-back steps (see `timing.py`), with the median round-by-round ratio to PyTorch (when
installed) and to the NumPy reference. Quote medians and ratios from one run: machines are noisy.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

import numpy as np
from timing import median, ratio, rounds

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F

try:  # PyTorch is optional: a column when installed, nothing otherwise
    import torch
except Exception:  # noqa: BLE001  (not installed, or a broken install)
    torch = None

BATCH, LR = 64, 0.01


def report(title: str, times: dict[str, list[float]]) -> None:
    """Median milliseconds, and median per-round ratios to PyTorch and to NumPy."""
    print(f"\n{title}")
    print(f"{'':22s}{'median ms':>11s}{'/ PyTorch':>11s}{'/ NumPy':>10s}")
    for name, ts in times.items():
        row = f"{name:22s}{median(ts) * 1e3:11.2f}"
        for base in ("PyTorch eager", "NumPy (careful)"):
            if base in times:
                r = ratio(ts, times[base])
                row += f"{r:{11 if base.startswith('Py') else 10}.2f}"
            else:
                row += f"{'-':>{11 if base.startswith('Py') else 10}s}"
        print(row)


# ---------------------------------------------------------------------------------------------
# 1. CNN
# ---------------------------------------------------------------------------------------------


def cnn_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(784, 10),
    )  # fmt: skip


def step_td(model: nn.Module, opt: td.optim.SGD, x: td.Tensor, y: np.ndarray) -> float:
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def _pad(a: np.ndarray) -> np.ndarray:
    """Zero padding of 1 around the last two axes."""
    c, n, h, w = a.shape
    out = np.zeros((c, n, h + 2, w + 2), dtype=a.dtype)
    out[:, :, 1:-1, 1:-1] = a
    return out


def _im2col(ap: np.ndarray, oh: int, ow: int) -> np.ndarray:
    """Padded channel-major (C, N, H+2, W+2) -> columns (C*9, N*oh*ow), one copy per offset."""
    c, n = ap.shape[:2]
    cols = np.empty((c, 3, 3, n, oh, ow), dtype=ap.dtype)
    for i in range(3):
        for j in range(3):
            cols[:, i, j] = ap[:, :, i : i + oh, j : j + ow]
    return cols.reshape(c * 9, n * oh * ow)


def _col2im(dcols: np.ndarray, c: int, n: int, h: int, w: int) -> np.ndarray:
    d = dcols.reshape(c, 3, 3, n, h, w)
    out = np.zeros((c, n, h + 2, w + 2), dtype=dcols.dtype)
    for i in range(3):
        for j in range(3):
            out[:, :, i : i + h, j : j + w] += d[:, i, j]
    return out[:, :, 1:-1, 1:-1]


_OFFSETS = ((0, 0), (0, 1), (1, 0), (1, 1))


def _pool(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max-pool of (C, N, H, W): the max of 4 strided slices, and each window's winning
    offset (the first maximum) for the backward pass."""
    best = a[:, :, 0::2, 0::2].copy()
    arg = np.zeros(best.shape, np.uint8)
    for k, (i, j) in enumerate(_OFFSETS[1:], start=1):
        s = a[:, :, i::2, j::2]
        np.maximum(arg, (s > best).view(np.uint8) * np.uint8(k), out=arg)
        np.maximum(best, s, out=best)
    return best, arg


def _unpool(g: np.ndarray, arg: np.ndarray) -> np.ndarray:
    c, n, oh, ow = g.shape
    out = np.empty((c, n, 2 * oh, 2 * ow), g.dtype)
    for k, (i, j) in enumerate(_OFFSETS):
        np.multiply(g, arg == k, out=out[:, :, i::2, j::2])
    return out


class NumpyCNN:
    """The same network by hand, channel-major throughout."""

    def __init__(self, state: dict[str, np.ndarray]) -> None:
        names = ("w1", "b1", "w2", "b2", "w3", "b3")
        self.p = {k: np.array(v, dtype=np.float32) for k, v in zip(names, state.values())}

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        p, n = self.p, x.shape[0]
        cols1 = _im2col(_pad(x.transpose(1, 0, 2, 3)), 28, 28)  # (9, N*784)
        z1 = p["w1"].reshape(8, -1) @ cols1
        z1 += p["b1"][:, None]
        p1, arg1 = _pool(np.maximum(z1, 0).reshape(8, n, 28, 28))
        cols2 = _im2col(_pad(p1), 14, 14)  # (72, N*196)
        z2 = p["w2"].reshape(16, -1) @ cols2
        z2 += p["b2"][:, None]
        p2, arg2 = _pool(np.maximum(z2, 0).reshape(16, n, 14, 14))
        flat = p2.transpose(1, 0, 2, 3).reshape(n, -1)  # PyTorch's (C, H, W) order per example
        logits = flat @ p["w3"].T + p["b3"]
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        loss = -np.log(prob[np.arange(n), y]).mean()
        # backward
        dlogits = prob
        dlogits[np.arange(n), y] -= 1
        dlogits /= n
        grads = {"w3": dlogits.T @ flat, "b3": dlogits.sum(0)}
        dp2 = (dlogits @ p["w3"]).reshape(n, 16, 7, 7).transpose(1, 0, 2, 3)
        dz2 = _unpool(dp2, arg2).reshape(16, -1)
        dz2 *= z2 > 0
        grads["w2"], grads["b2"] = (dz2 @ cols2.T).reshape(p["w2"].shape), dz2.sum(1)
        dp1 = _col2im(p["w2"].reshape(16, -1).T @ dz2, 8, n, 14, 14)
        dz1 = _unpool(dp1, arg1).reshape(8, -1)
        dz1 *= z1 > 0
        grads["w1"], grads["b1"] = (dz1 @ cols1.T).reshape(p["w1"].shape), dz1.sum(1)
        for k, g in grads.items():
            p[k] -= LR * g
        return float(loss)


def torch_cnn() -> object:
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(784, 10),
    )  # fmt: skip


def torch_step(model: object, opt: object, x: object, y: object) -> float:
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def compare(
    title: str,
    model: nn.Module,
    reference: Callable[[dict[str, np.ndarray]], object],
    torch_model: Callable[[], object],
    x: np.ndarray,
    y: np.ndarray,
    repeats: int,
) -> None:
    """Time one training step of `model`, of the NumPy `reference` and of PyTorch (when it is
    installed), all from `model`'s initial weights, after checking that their first losses
    agree; then print the table."""
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    opt = td.optim.SGD(model.parameters(), lr=LR)
    ref = reference(state)
    xt = td.Tensor(x)
    fns = {
        "tinygrad_ds": lambda: step_td(model, opt, xt, y),
        "NumPy (careful)": lambda: ref.step(x, y),
    }
    if torch is not None:
        tmodel = torch_model()
        tmodel.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        topt = torch.optim.SGD(tmodel.parameters(), lr=LR)
        tx, ty = torch.tensor(x), torch.tensor(y)
        fns["PyTorch eager"] = lambda: torch_step(tmodel, topt, tx, ty)
    first = [f() for f in fns.values()]
    assert np.allclose(first, first[0], rtol=1e-4), f"first losses differ: {first}"
    report(f"{title} (first losses agree: {first[0]:.5f})", rounds(fns, repeats))


def bench_cnn(repeats: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    td.manual_seed(0)
    title = f"CNN training step, batch {BATCH}, 1x28x28"
    compare(title, cnn_model(), NumpyCNN, torch_cnn, x, y, repeats)


# ---------------------------------------------------------------------------------------------
# 2. RNN
# ---------------------------------------------------------------------------------------------

STEPS, INPUT, HIDDEN = 28, 28, 128


class RowRNN(nn.Module):
    """Read an image row by row; classify from the last hidden state."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(INPUT, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, 10)

    def forward(self, x: td.Tensor) -> td.Tensor:
        _, h_n = self.rnn(x)
        return self.head(h_n[-1])


class NumpyRNN:
    """The same by hand: the input projection of all steps in one matrix product, the
    backward pass through time collecting each step's gradient for one product per weight."""

    def __init__(self, state: dict[str, np.ndarray]) -> None:
        names = ("w_ih", "w_hh", "b_ih", "b_hh", "w", "b")
        self.p = {k: np.array(v, dtype=np.float32) for k, v in zip(names, state.values())}

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        p = self.p
        xs = np.ascontiguousarray(x.transpose(1, 0, 2))  # (L, N, I)
        steps, n, _ = xs.shape
        pre = xs.reshape(steps * n, -1) @ p["w_ih"].T + (p["b_ih"] + p["b_hh"])
        pre = pre.reshape(steps, n, HIDDEN)
        hs = np.zeros((steps + 1, n, HIDDEN), dtype=np.float32)
        for t in range(steps):
            hs[t + 1] = np.tanh(pre[t] + hs[t] @ p["w_hh"].T)
        logits = hs[-1] @ p["w"].T + p["b"]
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        loss = -np.log(prob[np.arange(n), y]).mean()
        dlogits = prob
        dlogits[np.arange(n), y] -= 1
        dlogits /= n
        grads = {"w": dlogits.T @ hs[-1], "b": dlogits.sum(0)}
        dh = dlogits @ p["w"]
        dz = np.empty_like(pre)
        for t in reversed(range(steps)):
            dz[t] = dh * (1 - hs[t + 1] ** 2)
            dh = dz[t] @ p["w_hh"]
        dz2 = dz.reshape(steps * n, HIDDEN)
        grads["w_ih"] = dz2.T @ xs.reshape(steps * n, -1)
        grads["w_hh"] = dz2.T @ hs[:-1].reshape(steps * n, HIDDEN)
        grads["b_ih"] = grads["b_hh"] = dz2.sum(0)
        for k, g in grads.items():
            p[k] -= LR * g
        return float(loss)


def torch_rnn() -> object:
    class TorchRowRNN(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = torch.nn.RNN(INPUT, HIDDEN, batch_first=True)
            self.head = torch.nn.Linear(HIDDEN, 10)

        def forward(self, x: object) -> object:
            return self.head(self.rnn(x)[1][-1])

    return TorchRowRNN()


def bench_rnn(repeats: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.random((BATCH, STEPS, INPUT), dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    td.manual_seed(0)
    title = f"RNN training step, batch {BATCH}, {STEPS} steps of {INPUT} -> {HIDDEN} (tanh)"
    compare(title, RowRNN(), NumpyRNN, torch_rnn, x, y, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    threads = os.environ.get("OMP_NUM_THREADS", f"default ({os.cpu_count()} cores)")
    versions = f"PyTorch {torch.__version__}" if torch else "PyTorch not installed"
    print(f"NumPy {np.__version__}, {versions}, threads: {threads}")
    bench_cnn(args.repeats)
    bench_rnn(args.repeats)


if __name__ == "__main__":
    main()
