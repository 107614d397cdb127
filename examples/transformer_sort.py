"""An encoder-decoder nn.Transformer learns to sort short sequences of digits.

    python examples/transformer_sort.py [--steps 300] [--length 6] [--task sort|reverse]

The source is a random sequence of `length` digits 0-9, e.g. 3 9 1 3 0 7, and the target is
the same digits sorted, 0 1 3 3 7 9 (or, with `--task reverse`, read backwards). Tokens are
embedded (nn.Embedding) plus a learnt position embedding; nn.Transformer (2 encoder and 2
decoder layers, d_model 64, 4 heads) encodes the source, and the decoder is trained by teacher
forcing: it reads the target shifted right behind a start token, under the causal mask

    mask = nn.Transformer.generate_square_subsequent_mask(length)   # -inf above the diagonal

so that position t sees only target tokens before t, and predicts token t (cross-entropy over
the 10 digits; Adam with a short warm-up and a cosine decay). On unseen sequences it then
decodes greedily, one token at a time, feeding back its own predictions: a sequence counts as
right only if every token is. After 300 steps of 64 fresh sequences (about 15 seconds) it
sorts all or nearly all of 500 held-out sequences of 6 digits exactly (97-99% of them after
80 steps on 5 digits), and reverses all of them after 100 steps.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.nn import functional as F

START = 10  # the decoder's start token, after the digits 0-9


def make_batch(n: int, length: int, task: str, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """n random digit sequences (n, length) and their targets, sorted or reversed."""
    src = rng.integers(0, 10, (n, length))
    return src, np.sort(src, axis=1) if task == "sort" else src[:, ::-1].copy()


class Sorter(nn.Module):
    def __init__(self, length: int, d_model: int = 64, layers: int = 2) -> None:
        super().__init__()
        self.tokens = nn.Embedding(11, d_model)  # digits 0-9 and the start token
        self.positions = nn.Embedding(length, d_model)
        self.transformer = nn.Transformer(d_model, nhead=4, num_encoder_layers=layers,
                                          num_decoder_layers=layers, dim_feedforward=2 * d_model,
                                          dropout=0.0, batch_first=True)  # fmt: skip
        self.head = nn.Linear(d_model, 10)

    def embed(self, tokens: np.ndarray) -> td.Tensor:
        """(n, L) token ids -> (n, L, d_model): token plus position embeddings."""
        steps = td.tensor(np.arange(tokens.shape[1]))
        return self.tokens(td.tensor(tokens)) + self.positions(steps)

    def forward(self, src: np.ndarray, tgt_in: np.ndarray) -> td.Tensor:
        """Logits (n, T, 10) for each target position, from the source and the target so far
        (shifted right behind the start token); the causal mask hides the future."""
        mask = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        out = self.transformer(self.embed(src), self.embed(tgt_in), tgt_mask=mask)
        return self.head(out)

    def generate(self, src: np.ndarray) -> np.ndarray:
        """Greedy decoding: each step feeds back the tokens predicted so far."""
        tokens = np.full((len(src), 1), START)
        with td.no_grad():
            for _ in range(src.shape[1]):
                nxt = self(src, tokens)[:, -1].argmax(axis=-1).numpy()
                tokens = np.concatenate([tokens, nxt[:, None]], axis=1)
        return tokens[:, 1:]


def shift_right(tgt: np.ndarray) -> np.ndarray:
    return np.concatenate([np.full((len(tgt), 1), START), tgt[:, :-1]], axis=1)


def main(steps: int = 300, length: int = 6, task: str = "sort", seed: int = 0,
         verbose: bool = True) -> tuple[float, float]:  # fmt: skip
    """Returns the held-out sequence accuracy (every token right, greedy decoding) and token
    accuracy."""
    td.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Sorter(length)
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    warm = max(1, min(50, steps // 5))  # a linear warm-up, then a cosine decay to 0
    schedule = optim.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * s / steps))
    )
    test_src, test_tgt = make_batch(500, length, task, rng)
    start = time.perf_counter()
    for step in range(1, steps + 1):
        src, tgt = make_batch(64, length, task, rng)  # fresh sequences: no two epochs alike
        logits = model(src, shift_right(tgt))
        loss = F.cross_entropy(logits.reshape(-1, 10), tgt.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if verbose and (step % 100 == 0 or step == 1):
            print(f"step {step:4d}  loss {loss.item():.4f}")
    predicted = model.generate(test_src)
    sequences = float((predicted == test_tgt).all(axis=1).mean())
    tokens = float((predicted == test_tgt).mean())
    if verbose:
        print(f"\ntrained in {time.perf_counter() - start:.1f} s; on {len(test_src)} unseen "
              f"sequences, greedy decoding gets {sequences:.1%} exactly right "
              f"({tokens:.1%} of the tokens)")  # fmt: skip
        for s, p in zip(test_src[:5], predicted[:5]):
            print("  ", " ".join(map(str, s)), "->", " ".join(map(str, p)))
    return sequences, tokens


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training batches of 64")
    parser.add_argument("--length", type=int, default=6)
    parser.add_argument("--task", choices=("sort", "reverse"), default="sort")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.steps, args.length, args.task, args.seed)
