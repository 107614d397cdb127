"""data: Dataset, TensorDataset, DataLoader, random_split."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds.data import DataLoader, Dataset, Subset, TensorDataset, random_split

X = np.arange(20, dtype=np.float32).reshape(10, 2)
Y = np.arange(10)


def test_tensor_dataset_items_and_length():
    ds = TensorDataset(X, td.Tensor(Y))
    assert len(ds) == 10
    x, y = ds[3]
    np.testing.assert_array_equal(x, [6, 7])
    assert y == 3
    with pytest.raises(ValueError, match="one first dim"):
        TensorDataset(X, Y[:5])
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


@pytest.mark.parametrize("batch_size, drop_last, sizes", [
    (10, False, [10]), (1, False, [1] * 10), (4, False, [4, 4, 2]), (4, True, [4, 4]),
    (32, False, [10]), (32, True, []),
])  # fmt: skip
def test_loader_batches_and_len(batch_size, drop_last, sizes):
    loader = DataLoader(TensorDataset(X, Y), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes) == len(batches)
    assert [len(b[1]) for b in batches] == sizes
    for xb, yb in batches:
        assert isinstance(xb, td.Tensor) and xb.dtype == np.float32 and yb.dtype == np.int64
        np.testing.assert_array_equal(xb.data, X[yb.data])  # rows stay paired
    if not drop_last:
        np.testing.assert_array_equal(np.concatenate([b[1].data for b in batches]), Y)


def test_shuffle_gives_a_new_order_each_epoch_reproducible_from_the_seed():
    def orders(seed, epochs=3):
        loader = DataLoader(TensorDataset(Y), batch_size=3, shuffle=True, seed=seed)
        return [np.concatenate([b.data for (b,) in loader]) for _ in range(epochs)]

    a, b = orders(7), orders(7)
    for epoch_a, epoch_b in zip(a, b):
        np.testing.assert_array_equal(epoch_a, epoch_b)
        assert sorted(epoch_a) == list(range(10))
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[1], a[2])
    assert not np.array_equal(orders(8)[0], a[0])


def test_a_seeded_loader_resumes_at_an_epoch():
    full = DataLoader(TensorDataset(Y), batch_size=10, shuffle=True, seed=1)
    epochs = [next(iter(full))[0].data for _ in range(3)]
    resumed = DataLoader(TensorDataset(Y), batch_size=10, shuffle=True, seed=1)
    resumed.epoch = 2
    np.testing.assert_array_equal(next(iter(resumed))[0].data, epochs[2])


def test_unseeded_shuffle_follows_manual_seed():
    def first():
        td.manual_seed(4)
        return next(iter(DataLoader(TensorDataset(Y), batch_size=10, shuffle=True)))[0].data

    np.testing.assert_array_equal(first(), first())


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float64), i % 2


def test_a_custom_dataset_is_stacked_field_by_field():
    (xb, yb), (x2, y2) = list(DataLoader(Squares(), batch_size=3))
    np.testing.assert_array_equal(xb.data, [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(yb.data, [0, 1, 0])
    assert xb.dtype == np.float64 and yb.dtype == np.int64 and len(y2) == 2


def test_a_plain_list_works_too():
    (batch,) = next(iter(DataLoader([1.0, 2.0, 3.0], batch_size=2)))
    np.testing.assert_array_equal(batch.data, [1, 2])


def test_random_split_counts_and_fractions():
    ds = TensorDataset(X, Y)
    a, b = random_split(ds, [7, 3], seed=0)
    assert isinstance(a, Subset) and (len(a), len(b)) == (7, 3)
    seen = sorted(np.concatenate([a.indices, b.indices]).tolist())
    assert seen == list(range(10))
    again, _ = random_split(ds, [7, 3], seed=0)
    np.testing.assert_array_equal(a.indices, again.indices)
    x, y = a[0]
    np.testing.assert_array_equal(x, X[y])
    parts = random_split(ds, [0.5, 0.3, 0.2], seed=1)
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(TensorDataset(np.arange(7)), [0.5, 0.5], seed=1)
    assert [len(p) for p in parts] == [4, 3]
    (xb, yb) = next(iter(DataLoader(a, batch_size=7)))
    np.testing.assert_array_equal(xb.data, X[yb.data])
    with pytest.raises(ValueError, match="sum"):
        random_split(ds, [5, 4])
    with pytest.raises(TypeError, match="seed"):
        random_split(ds, [5, 5], seed=1.5)


def test_loader_argument_errors():
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        DataLoader(TensorDataset(Y), batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        DataLoader(TensorDataset(Y), batch_size=2.0)
