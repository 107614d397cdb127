"""The data sets the command line trains on: names, loading, and the shapes each model wants.

digits          bundled UCI digits, 8x8 images, 10 classes (1,438 train / 359 test)
breast-cancer   bundled UCI breast cancer, 30 standardised features, 2 classes
moons, spirals, xor   seeded 2-D toy problems (2, 3 and 2 classes), split 75/25
mnist:PATH      MNIST's IDX files in folder PATH (train-* and t10k-*, optionally .gz)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from ..datasets import (
    load_breast_cancer,
    load_digits,
    load_mnist,
    make_moons,
    make_spirals,
    make_xor,
    stratified_split,
)
from .args import UsageError

__all__ = ["DATASETS", "Data", "dataset_spec", "load_dataset"]

DATASETS = ("digits", "breast-cancer", "moons", "spirals", "xor", "mnist:PATH")


@dataclass
class Data:
    """A train/test split: ``X`` float32 rows of features, ``y`` int64 classes 0..K-1.

    ``image_shape`` is (channels, height, width) when the rows are images (digits, MNIST), so
    that a CNN can see them as images and an RNN as sequences of pixel rows.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int, int] | None = None

    @property
    def n_features(self) -> int:
        """Features per example (pixels for images)."""
        return int(self.X_train.shape[1])

    def describe(self) -> str:
        """One line: the name, split sizes, features and classes."""
        shape = "x".join(map(str, self.image_shape[1:])) + " images" if self.image_shape else ""
        features = f"{self.n_features} features" + (f" ({shape})" if shape else "")
        return (
            f"{self.name}: {len(self.y_train)} train / {len(self.y_test)} test examples, "
            f"{features}, {self.n_classes} classes"
        )


def dataset_spec(text: str) -> str:
    """An argparse type: a known data set name, or ``mnist:PATH`` with a non-empty PATH."""
    if text in DATASETS[:-1] or (text.startswith("mnist:") and len(text) > len("mnist:")):
        return text
    raise argparse.ArgumentTypeError(
        f"unknown dataset {text!r} (choose from {', '.join(DATASETS)})"
    )


def _split(name: str, X: np.ndarray, y: np.ndarray, seed: int, n_classes: int) -> Data:
    train, test = stratified_split(y, 0.25, seed)
    return Data(name, X[train], y[train], X[test], y[test], n_classes)


def load_dataset(spec: str, seed: int = 0) -> Data:
    """Load the data set named by ``spec`` (see the module docstring); ``seed`` fixes the split
    and the toy data. A missing or malformed MNIST file raises `UsageError`."""
    if spec == "digits":
        X, y, Xt, yt = load_digits(seed=seed)
        return Data("digits", X, y, Xt, yt, 10, (1, 8, 8))
    if spec == "breast-cancer":
        X, y, Xt, yt = load_breast_cancer(seed=seed)
        return Data("breast-cancer", X, y, Xt, yt, 2)
    if spec == "moons":
        return _split("moons", *make_moons(1000, noise=0.2, seed=seed), seed, 2)
    if spec == "spirals":
        return _split("spirals", *make_spirals(900, n_classes=3, noise=0.2, seed=seed), seed, 3)
    if spec == "xor":
        return _split("xor", *make_xor(800, noise=0.35, seed=seed), seed, 2)
    if spec.startswith("mnist:"):
        return _load_mnist(spec[len("mnist:") :])
    raise UsageError(f"unknown dataset {spec!r} (choose from {', '.join(DATASETS)})")


def _load_mnist(path: str) -> Data:
    try:
        X, y = load_mnist(path, "train", flatten=False)
        Xt, yt = load_mnist(path, "test", flatten=False)
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(f"dataset mnist:{path}: {exc}") from None
    shape = tuple(int(n) for n in X.shape[1:])
    n_classes = int(max(y.max(), yt.max())) + 1
    X, Xt = X.reshape(len(X), -1), Xt.reshape(len(Xt), -1)
    return Data("mnist", X, y, Xt, yt, n_classes, shape)  # type: ignore[arg-type]
