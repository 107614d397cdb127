"""The online and batch perceptrons: they separate separable data, and they fail on XOR honestly.

On separable data with margin gamma and radius R (measured on x with x0 = 1), the online rule
makes at most (R / gamma)^2 updates (Novikoff). On XOR no line separates the classes: the online
rule cycles until its epoch limit, and the batch rule's Delta = sum y(i) x(i) is exactly zero at
theta = 0, so its epsilon test stops it at once with all four points misclassified.
Run: python examples/perceptron.py
"""

import sys
from pathlib import Path

import numpy as np

try:
    from tinygrad_ds import manual
except ImportError:  # running from a source checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tinygrad_ds import manual


def separable(n: int = 200, gamma: float = 0.05, seed: int = 0):
    """Points in the disc of radius 2 at distance >= gamma from the line w*.x + b* = 0.

    Returns X, 0/1 labels, and (R, margin) measured in the augmented space x~ = (1, x) with
    theta* = (b*, w*) / ||(b*, w*)||.
    """
    rng = np.random.default_rng(seed)
    w, b = np.array([0.6, -0.8]), 1.0
    X = rng.uniform(-2, 2, size=(20 * n, 2))
    X = X[(np.linalg.norm(X, axis=1) <= 2) & (np.abs(X @ w + b) >= gamma)][:n]
    y = (X @ w + b > 0).astype(int)
    Xa = np.hstack([np.ones((n, 1)), X])
    theta = np.array([b, *w]) / np.linalg.norm([b, *w])
    margin = np.min((2 * y - 1) * (Xa @ theta))
    return X, y, np.max(np.linalg.norm(Xa, axis=1)), margin


def report(name: str, model, extra: str = "") -> None:
    print(f"  {name}: converged_={model.converged_}, epochs: {len(model.history_)}{extra}")
    print(f"      stop_reason_: {model.stop_reason_}")


def main() -> None:
    X, y01, R, gamma = separable()
    ypm = 2 * y01 - 1
    print(f"Separable data: {len(X)} points, R = {R:.3f}, margin gamma = {gamma:.3f}")
    online = manual.Perceptron(max_epochs=1000).fit(X, y01)
    bound = (R / gamma) ** 2
    report("Perceptron (online, labels 0/1)", online, f", {online.n_updates_} updates")
    within = online.n_updates_ <= bound
    print(f"      Novikoff bound (R/gamma)^2 = {bound:.1f} updates: respected: {within}")
    for normalize in (True, False):
        batch = manual.BatchPerceptron(normalize=normalize, max_epochs=5000).fit(X, ypm)
        label = "normalised" if normalize else "fixed increment"
        report(f"BatchPerceptron ({label}, labels -1/+1)", batch)

    X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y_xor = np.array([0, 1, 1, 0])
    print("\nXOR (not linearly separable):")
    report("Perceptron (online)", manual.Perceptron(max_epochs=100).fit(X_xor, y_xor))
    for normalize in (True, False):
        batch = manual.BatchPerceptron(normalize=normalize).fit(X_xor, 2 * y_xor - 1)
        label = "normalised" if normalize else "fixed increment"
        first = batch.history_[0]
        report(
            f"BatchPerceptron ({label})",
            batch,
            f"; epoch 1: {first['errors']} misclassified, ||Delta|| = {first['delta_norm']:g}",
        )


if __name__ == "__main__":
    main()
