"""Tests for tinygrad_ds.datasets: bundled UCI data, MNIST IDX reader, synthetic data."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from tinygrad_ds import datasets
from tinygrad_ds.datasets import (
    load_breast_cancer,
    load_digits,
    load_mnist,
    make_blobs,
    make_moons,
    make_spirals,
    make_xor,
    read_idx,
    stratified_split,
)

# ---------------------------------------------------------------- helpers


def assert_stratified(y_train: np.ndarray, y_test: np.ndarray, fraction: float) -> None:
    """Each class's test count is within one sample of ``fraction`` of its total."""
    for label in np.union1d(y_train, y_test):
        n_train, n_test = np.sum(y_train == label), np.sum(y_test == label)
        assert n_train > 0 and n_test > 0
        assert abs(n_test - fraction * (n_train + n_test)) <= 1


def assert_same(a: tuple, b: tuple) -> None:
    """Tuples of arrays are equal element by element."""
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


# ---------------------------------------------------------------- bundled UCI data


def test_all_is_complete():
    for name in datasets.__all__:
        assert callable(getattr(datasets, name))
    assert {"load_digits", "load_breast_cancer", "load_mnist", "make_moons"} <= set(
        datasets.__all__
    )


def test_bundled_files_exist():
    data = Path(datasets.__file__).parent / "data"
    for name in ("digits.csv.gz", "breast_cancer.csv.gz", "ATTRIBUTION.md"):
        assert (data / name).is_file()
    text = (data / "ATTRIBUTION.md").read_text()
    for word in ("Alpaydin", "Kaynak", "Wolberg", "Street", "Mangasarian", "CC BY 4.0"):
        assert word in text


def test_digits_shapes_dtypes_ranges():
    X_train, y_train, X_test, y_test = load_digits()
    assert X_train.shape[0] + X_test.shape[0] == 1797
    assert X_train.shape[1:] == X_test.shape[1:] == (64,)
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    assert abs(len(X_test) - 0.2 * 1797) <= 10
    X = np.concatenate([X_train, X_test])
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_allclose(X * 16, np.round(X * 16), atol=1e-5)  # pixel counts / 16
    counts = np.bincount(np.concatenate([y_train, y_test]))
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert_stratified(y_train, y_test, 0.2)


def test_digits_unflattened():
    X_train, y_train, X_test, _ = load_digits(flatten=False)
    assert X_train.shape == (len(y_train), 1, 8, 8) and X_test.shape[1:] == (1, 8, 8)
    flat = load_digits(flatten=True)[0]
    np.testing.assert_array_equal(X_train.reshape(len(X_train), 64), flat)


def test_digits_reproducible_and_seeded():
    assert_same(load_digits(seed=3), load_digits(seed=3))
    assert not np.array_equal(load_digits(seed=3)[1], load_digits(seed=4)[1])


def test_digits_test_fraction():
    X_train, y_train, X_test, y_test = load_digits(test_fraction=0.5)
    assert abs(len(X_test) - len(X_train)) <= 10
    assert_stratified(y_train, y_test, 0.5)


def test_breast_cancer_shapes_and_classes():
    X_train, y_train, X_test, y_test = load_breast_cancer()
    assert len(X_train) + len(X_test) == 569
    assert X_train.shape[1] == X_test.shape[1] == 30
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    assert np.bincount(np.concatenate([y_train, y_test])).tolist() == [212, 357]
    assert_stratified(y_train, y_test, 0.2)


def test_breast_cancer_standardised_with_train_stats():
    X_train, _, X_test, _ = load_breast_cancer(seed=1)
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(X_train.std(axis=0), 1.0, atol=1e-4)
    raw_train, _, raw_test, _ = load_breast_cancer(seed=1, standardize=False)
    mean, std = raw_train.astype(np.float64).mean(0), raw_train.astype(np.float64).std(0)
    np.testing.assert_allclose(X_test, (raw_test - mean) / std, rtol=1e-4, atol=1e-4)
    assert raw_train.max() > 100  # the raw features keep their units (area ~ 1e3)


def test_breast_cancer_reproducible_and_seeded():
    assert_same(load_breast_cancer(seed=7), load_breast_cancer(seed=7))
    assert not np.array_equal(load_breast_cancer(seed=7)[0], load_breast_cancer(seed=8)[0])


def test_loaders_return_fresh_arrays():
    X_train, y_train, _, _ = load_digits()
    X_train[:] = -1
    y_train[:] = -1
    X_again, y_again, _, _ = load_digits()
    assert X_again.min() >= 0 and y_again.min() >= 0


@pytest.mark.parametrize("loader", [load_digits, load_breast_cancer])
@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5, "0.2", None])
def test_bad_test_fraction(loader, fraction):
    with pytest.raises(ValueError, match=loader.__name__):
        loader(test_fraction=fraction)


def test_logistic_regression_on_breast_cancer():
    """Real-data sanity check: plain gradient descent reaches >= 94% test accuracy."""
    X_train, y_train, X_test, y_test = load_breast_cancer(seed=0)
    X_train, X_test = X_train.astype(np.float64), X_test.astype(np.float64)
    w, b = np.zeros(X_train.shape[1]), 0.0
    for _ in range(300):
        p = 1.0 / (1.0 + np.exp(-(X_train @ w + b)))
        grad = p - y_train
        w -= 0.1 * (X_train.T @ grad / len(y_train) + 1e-3 * w)
        b -= 0.1 * grad.mean()
    accuracy = np.mean(((X_test @ w + b) > 0) == y_test)
    assert accuracy >= 0.94


def test_stratified_split_partitions():
    y = np.repeat(np.arange(3), [10, 20, 31])
    train, test = stratified_split(y, 0.3, seed=5)
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y)))
    assert_stratified(y[train], y[test], 0.3)
    with pytest.raises(ValueError, match="stratified_split"):
        stratified_split(y.reshape(-1, 1))


# ---------------------------------------------------------------- MNIST IDX reader


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array in the IDX format (magic 0x0000 08 ndim, big-endian sizes)."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray, gz: bool):
    """Write an images/labels IDX pair like MNIST's (gzipped when ``gz``) into ``folder``."""
    for kind, array, ndim in (("images", images, 3), ("labels", labels, 1)):
        name = folder / f"{prefix}-{kind}-idx{ndim}-ubyte"
        blob = idx_bytes(array)
        if gz:
            name, blob = name.with_name(name.name + ".gz"), gzip.compress(blob)
        name.write_bytes(blob)


def sample_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random 28x28 uint8 images (one pixel forced to 0 and 255) and labels 0..9."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    return images, rng.integers(0, 10, size=n, dtype=np.uint8)


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_reads_train_and_test(tmp_path, gz):
    train_images, train_labels = sample_images(5, seed=1)
    test_images, test_labels = sample_images(3, seed=2)
    write_mnist(tmp_path, "train", train_images, train_labels, gz)
    write_mnist(tmp_path, "t10k", test_images, test_labels, gz)
    X, y = load_mnist(tmp_path, split="train")
    assert X.shape == (5, 784) and X.dtype == np.float32
    assert y.dtype == np.int64 and y.tolist() == train_labels.tolist()
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_allclose(X * 255, train_images.reshape(5, 784), atol=1e-4)
    X, y = load_mnist(str(tmp_path), split="test", flatten=False)
    assert X.shape == (3, 1, 28, 28)
    np.testing.assert_allclose(X[:, 0] * 255, test_images, atol=1e-4)
    assert y.tolist() == test_labels.tolist()


def test_mnist_missing_file(tmp_path):
    images, labels = sample_images(2)
    write_mnist(tmp_path, "train", images, labels, gz=False)
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_mnist(tmp_path, split="test")
    with pytest.raises(FileNotFoundError):
        load_mnist(tmp_path / "nowhere")


def test_mnist_bad_split(tmp_path):
    with pytest.raises(ValueError, match="split"):
        load_mnist(tmp_path, split="validation")


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda blob: b"\x12\x34" + blob[2:], "magic"),  # bad magic number
        (lambda blob: blob[:-10], "truncated"),  # body cut short
        (lambda blob: blob[:6], "truncated"),  # header cut short
        (lambda blob: blob + b"\x00", "trailing"),  # extra bytes
    ],
)
def test_mnist_malformed_images(tmp_path, corrupt, message):
    images, labels = sample_images(2)
    write_mnist(tmp_path, "train", images, labels, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(ValueError, match=message) as info:
        load_mnist(tmp_path)
    assert "train-images-idx3-ubyte" in str(info.value)


def test_mnist_count_mismatch(tmp_path):
    images, labels = sample_images(4)
    write_mnist(tmp_path, "train", images, labels[:3], gz=True)
    with pytest.raises(ValueError, match="4 images but .* 3 labels"):
        load_mnist(tmp_path)


def test_mnist_labels_must_be_1d(tmp_path):
    images, labels = sample_images(2)
    write_mnist(tmp_path, "train", images, labels, gz=False)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels.reshape(2, 1)))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte"):
        load_mnist(tmp_path)


def test_mnist_broken_gzip(tmp_path):
    images, labels = sample_images(2)
    write_mnist(tmp_path, "train", images, labels, gz=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        load_mnist(tmp_path)


def test_read_idx_other_dtypes(tmp_path):
    values = np.arange(6, dtype=">i4").reshape(2, 3)
    path = tmp_path / "ints.idx"
    path.write_bytes(struct.pack(">BBBB2I", 0, 0, 0x0C, 2, 2, 3) + values.tobytes())
    np.testing.assert_array_equal(read_idx(path), values)


# ---------------------------------------------------------------- synthetic data

SYNTHETIC = [
    (make_moons, {}, 200, 2),
    (make_spirals, {}, 300, 3),
    (make_xor, {}, 200, 2),
    (make_blobs, {}, 200, 3),
    (make_moons, {"n_samples": 7}, 7, 2),
    (make_spirals, {"n_samples": 50, "n_classes": 4}, 50, 4),
    (make_xor, {"n_samples": 11}, 11, 2),
    (make_blobs, {"n_samples": 10, "centers": 4}, 10, 4),
]


@pytest.mark.parametrize("make, kwargs, n, k", SYNTHETIC)
def test_synthetic_shapes_and_balance(make, kwargs, n, k):
    X, y = make(**kwargs)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", [make_moons, make_spirals, make_xor, make_blobs])
def test_synthetic_seeded(make):
    assert_same(make(seed=1), make(seed=1))
    assert not np.array_equal(make(seed=1)[0], make(seed=2)[0])


def test_xor_labels_are_xor_of_signs():
    X, y = make_xor(n_samples=400, noise=0.1, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] > 0) ^ (X[:, 1] > 0))
    for label in (0, 1):  # both clusters of each class are used
        quadrants = {tuple(np.sign(row)) for row in X[y == label]}
        assert len(quadrants) == 2


def test_moons_noise_free_lie_on_circles():
    X, y = make_moons(n_samples=100, noise=0.0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0, atol=1e-6)


def test_spirals_noise_free_radius_and_arms():
    X, y = make_spirals(n_samples=90, n_classes=3, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.05 - 1e-6 and r.max() <= 1.0 + 1e-6
    theta = np.arctan2(X[:, 0], X[:, 1])  # points are (r sin t, r cos t)
    expected = 2 * np.pi * y / 3 + 4 * r
    np.testing.assert_allclose(np.cos(theta - expected), 1.0, atol=1e-5)


def test_blobs_centers_given():
    centers = np.array([[-5.0, 0.0], [5.0, 0.0]])
    X, y = make_blobs(n_samples=400, centers=centers, std=0.5, seed=0)
    for label in (0, 1):
        np.testing.assert_allclose(X[y == label].mean(axis=0), centers[label], atol=0.15)
        np.testing.assert_allclose(X[y == label].std(axis=0), 0.5, atol=0.1)


@pytest.mark.parametrize(
    "make, kwargs",
    [
        (make_moons, {"n_samples": 1}),
        (make_moons, {"noise": -0.1}),
        (make_spirals, {"n_classes": 1}),
        (make_spirals, {"n_samples": 2, "n_classes": 3}),
        (make_xor, {"n_samples": 2.5}),
        (make_blobs, {"centers": 0}),
        (make_blobs, {"centers": np.zeros((3, 3))}),
        (make_blobs, {"std": float("nan")}),
    ],
)
def test_synthetic_bad_arguments(make, kwargs):
    with pytest.raises(ValueError, match=make.__name__):
        make(**kwargs)
