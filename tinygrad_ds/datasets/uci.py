"""The two real data sets shipped inside the package: UCI digits and UCI breast cancer.

Both are read offline from ``tinygrad_ds/datasets/data/`` with NumPy alone; see
``data/ATTRIBUTION.md`` for their creators, sources and licence (CC BY 4.0).
"""

from __future__ import annotations

import functools
import gzip
import io
from importlib import resources

import numpy as np

from .split import check_fraction, stratified_split

__all__ = ["load_digits", "load_breast_cancer"]

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _read_csv_gz(name: str, skiprows: int = 0) -> np.ndarray:
    """Parse the gzipped CSV ``data/<name>`` bundled with the package into a float64 array."""
    blob = (resources.files(__package__) / "data" / name).read_bytes()
    text = gzip.decompress(blob).decode("ascii")
    return np.loadtxt(io.StringIO(text), delimiter=",", skiprows=skiprows, dtype=np.float64)


@functools.cache
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    """Pixel counts (1797, 64) in 0..16 and labels (1797,), cached and read-only."""
    table = _read_csv_gz("digits.csv.gz")
    pixels, labels = table[:, :64], table[:, 64].astype(np.int64)
    pixels.setflags(write=False)
    labels.setflags(write=False)
    return pixels, labels


@functools.cache
def _breast_cancer_raw() -> tuple[np.ndarray, np.ndarray]:
    """Features (569, 30) and labels (569,) (0 malignant, 1 benign), cached and read-only."""
    table = _read_csv_gz("breast_cancer.csv.gz", skiprows=1)
    features, labels = table[:, :30], table[:, 30].astype(np.int64)
    features.setflags(write=False)
    labels.setflags(write=False)
    return features, labels


def load_digits(test_fraction: float = 0.2, seed: int = 0, flatten: bool = True) -> Split:
    """UCI optical handwritten digits: 1,797 images of 8x8 pixels, classes 0..9.

    Returns ``(X_train, y_train, X_test, y_test)``: ``X`` float32 in [0, 1] (pixel counts / 16)
    of shape ``(n, 64)``, or ``(n, 1, 8, 8)`` with ``flatten=False``; ``y`` int64. The split is
    stratified by class and fixed by ``seed``.
    """
    fraction = check_fraction("load_digits", test_fraction)
    pixels, labels = _digits_raw()
    X = (pixels / 16.0).astype(np.float32)
    if not flatten:
        X = X.reshape(-1, 1, 8, 8)
    train, test = stratified_split(labels, fraction, seed)
    return X[train], labels[train], X[test], labels[test]


def load_breast_cancer(
    test_fraction: float = 0.2, seed: int = 0, standardize: bool = True
) -> Split:
    """UCI Wisconsin diagnostic breast cancer: 569 samples, 30 features, 0 malignant / 1 benign.

    Returns ``(X_train, y_train, X_test, y_test)`` with ``X`` float32 and ``y`` int64, split
    stratified by class and fixed by ``seed``. With ``standardize=True`` both splits are mapped
    by ``(x - mean) / std`` using the training split's statistics only (a constant feature keeps
    std 1), so no information leaks from the test set.
    """
    fraction = check_fraction("load_breast_cancer", test_fraction)
    features, labels = _breast_cancer_raw()
    train, test = stratified_split(labels, fraction, seed)
    X_train, X_test = features[train], features[test]
    if standardize:
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std = np.where(std > 0, std, 1.0)
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return (
        X_train.astype(np.float32),
        labels[train],
        X_test.astype(np.float32),
        labels[test],
    )
