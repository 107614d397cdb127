"""Zero initialisation: a sigmoid network whose hidden units never become different.

With every W[l] = 0 and b[l] = 0, each a[l] = sigma(0) = 1/2 for every input, so y_hat does not
depend on x; gradient descent then updates all hidden units of a layer identically, and they stay
identical (the 'spread' column stays 0). Equal non-zero weights ('constant') behave the same way;
a random start breaks the symmetry and fits the data. Run: python examples/zero_init.py
"""

import sys
from pathlib import Path

import numpy as np

try:
    from tinygrad_ds import manual
except ImportError:  # running from a source checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tinygrad_ds import manual

SIZES = (2, 4, 1)
STEPS = 300
INITS = ("zeros", "constant", "random")


def main() -> None:
    runs = {init: manual.symmetry_demo(init, SIZES, steps=STEPS, lr=2.0, seed=0) for init in INITS}

    W, b = manual.init_weights(SIZES, "zeros")
    _, a = manual.forward(W, b, runs["zeros"].X)
    halves = all(np.all(a_l == 0.5) for a_l in a[1:])
    print(f"network {SIZES}, sigmoid units, {len(runs['zeros'].X)} training points")
    print(f"W = 0, b = 0: every a[l] (l >= 1) equals 1/2 for every input: {halves}")
    print(f"             spread of y_hat over the inputs: {runs['zeros'].output_spread[0]:g}")
    print()
    print("J = cost, spread = max difference between two hidden units' incoming weights")
    header = "".join(f"{'J ' + i:>14}{'spread ' + i:>18}" for i in INITS)
    print(f"{'step':>5}{header}")
    for t in (0, 1, 2, 5, 10, 50, 100, 200, STEPS):
        row = "".join(f"{r.cost[t]:14.4f}{r.weight_spread[t, 0]:18.3g}" for r in runs.values())
        print(f"{t:5d}{row}")
    print()
    for init, r in runs.items():
        identical = bool(np.all(r.weight_spread == 0))
        print(
            f"{init:>8}: hidden units identical at every step: {identical}; "
            f"final J = {r.cost[-1]:.4f}"
        )


if __name__ == "__main__":
    main()
