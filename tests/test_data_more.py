"""data beyond the basics: samplers, DataLoader(sampler=, batch_sampler=, batch_size=None,
generator=), IterableDataset, ConcatDataset, StackDataset, ChainDataset and random_split's
fractions and generator. Exact sequences where they are deterministic, reproducibility under
td.manual_seed, WeightedRandomSampler's frequencies, errors by message, a model trained
through a balancing sampler, and semantics against torch.utils.data when it is installed."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)

Y = np.arange(10)


def rng(seed=0):
    return np.random.default_rng(seed)


def labels(loader):
    """The concatenated last field of every batch of a loader."""
    return [int(y) for b in loader for y in np.atleast_1d(b[-1].data)]


class Stream(IterableDataset):
    """0, 1, ..., n - 1 as a stream; sized only if asked."""

    def __init__(self, n, sized=True, start=0):
        self.n, self.sized, self.start = n, sized, start

    def __iter__(self):
        return iter(range(self.start, self.start + self.n))

    def __len__(self):
        if not self.sized:
            raise TypeError("Stream: unsized")
        return self.n


# ---------------------------------------------------------------- samplers: exact sequences

BATCHES = [
    # n, batch_size, drop_last, batches
    (10, 3, False, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]),
    (10, 3, True, [[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    (6, 3, True, [[0, 1, 2], [3, 4, 5]]),
    (2, 5, False, [[0, 1]]),
    (2, 5, True, []),
    (0, 2, False, []),
]


@pytest.mark.parametrize("n, batch_size, drop_last, batches", BATCHES)
def test_batch_sampler_over_a_sequential_sampler(n, batch_size, drop_last, batches):
    sampler = BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)
    assert list(sampler) == batches and len(sampler) == len(batches)
    assert list(sampler) == batches  # a second pass, the same


def test_sequential_and_batch_samplers_take_any_iterable():
    assert list(SequentialSampler([7, 8, 9])) == [0, 1, 2] and len(SequentialSampler("ab")) == 2
    assert list(BatchSampler(iter("abcde"), 2, False)) == [["a", "b"], ["c", "d"], ["e"]]


def test_random_sampler_is_a_permutation_per_pass_from_its_generator():
    sampler = RandomSampler(range(10), generator=rng(3))
    expected = rng(3)
    for _ in range(2):  # the generator moves on: each pass a new permutation
        assert list(sampler) == expected.permutation(10).tolist()
    assert len(sampler) == 10


def test_random_sampler_num_samples_and_replacement():
    g = rng(1)
    whole, part = g.permutation(4).tolist(), g.permutation(4)[:2].tolist()
    sampler = RandomSampler(range(4), num_samples=6, generator=rng(1))
    assert list(sampler) == whole + part and len(sampler) == 6
    sampler = RandomSampler(range(4), replacement=True, num_samples=9, generator=rng(2))
    assert list(sampler) == rng(2).integers(0, 4, 9).tolist() and len(sampler) == 9
    growing = [1, 2]
    sampler = RandomSampler(growing)
    growing.append(3)  # num_samples defaults to the length at each pass, as in PyTorch
    assert len(sampler) == 3 and sorted(sampler) == [0, 1, 2]
    assert list(RandomSampler([])) == []


def test_subset_random_sampler_permutes_its_indices():
    indices = [10, 20, 30, 40]
    sampler = SubsetRandomSampler(indices, generator=rng(5))
    assert list(sampler) == [indices[i] for i in rng(5).permutation(4)]
    assert len(sampler) == 4 and sorted(sampler) == indices
    assert all(type(i) is int for i in SubsetRandomSampler(np.array([3, 1])))


def test_weighted_sampler_draws_as_numpy_choice_with_normalised_weights():
    w = [1.0, 0.0, 3.0]
    expected = rng(4).choice(3, 8, True, np.array(w) / 4).tolist()
    assert list(WeightedRandomSampler(w, 8, generator=rng(4))) == expected
    assert len(WeightedRandomSampler(td.Tensor(w), 8)) == 8
    without = list(WeightedRandomSampler([1, 0, 2, 5, 0, 1], 4, replacement=False))
    assert sorted(without) == [0, 2, 3, 5]  # each index of positive weight exactly once


def test_random_samplers_follow_manual_seed():
    def draws():
        td.manual_seed(11)
        samplers = [RandomSampler(range(6)), RandomSampler(range(6), True, 4),
                    SubsetRandomSampler([5, 6, 7]), WeightedRandomSampler([1, 2], 5)]  # fmt: skip
        return [list(s) for s in samplers]

    first = draws()
    assert first == draws()
    td.manual_seed(12)
    assert list(RandomSampler(range(6))) != first[0]


# ---------------------------------------------------------------- WeightedRandomSampler statistics


def test_weighted_sampler_frequencies_within_four_standard_errors():
    w = np.array([1.0, 2.0, 3.0, 4.0, 0.0])
    n = 40_000
    draws = np.array(list(WeightedRandomSampler(w, n, generator=rng(0))))
    freq = np.bincount(draws, minlength=5) / n
    p = w / w.sum()
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(freq - p) <= 4 * se + 1e-12), (freq, p)
    assert freq[4] == 0


def test_weighted_sampler_without_replacement_first_draw_frequencies():
    w = np.array([1.0, 3.0, 6.0])
    firsts = [next(iter(WeightedRandomSampler(w, 2, replacement=False, generator=g)))
              for g in [rng(s) for s in range(3000)]]  # fmt: skip
    freq = np.bincount(firsts, minlength=3) / 3000
    p = w / w.sum()
    assert np.all(np.abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / 3000))


# ---------------------------------------------------------------- sampler errors

SAMPLER_ERRORS = [
    (lambda: list(Sampler()), NotImplementedError, "Sampler: __iter__ is not implemented"),
    (lambda: SequentialSampler(5), TypeError, "SequentialSampler: data_source must have __len__"),
    (lambda: RandomSampler(range(3), replacement=1), TypeError,
     "RandomSampler: replacement must be a bool, got 1"),
    (lambda: RandomSampler(range(3), num_samples=0), ValueError,
     "RandomSampler: num_samples must be >= 1, got 0"),
    (lambda: RandomSampler(range(3), num_samples=2.0), TypeError,
     "RandomSampler: num_samples must be an int, got 2.0"),
    (lambda: RandomSampler(range(3), generator=0), TypeError,
     r"RandomSampler: generator must be a td.Generator \(or a np.random.Generator\) .* got int"),
    (lambda: list(RandomSampler([], num_samples=2)), ValueError,
     "RandomSampler: cannot draw 2 samples from an empty data source"),
    (lambda: SubsetRandomSampler([0.5, 1]), TypeError,
     r"SubsetRandomSampler: indices must be a sequence of ints, got \[0.5, 1\]"),
    (lambda: SubsetRandomSampler(None), TypeError,
     "SubsetRandomSampler: indices must be a sequence of ints, got None"),
    (lambda: WeightedRandomSampler([[1, 2]], 2), ValueError,
     r"WeightedRandomSampler: weights should be a 1-D sequence, got shape \(1, 2\)"),
    (lambda: WeightedRandomSampler([1, -1], 2), ValueError,
     r"WeightedRandomSampler: weights must be finite and >= 0, got \[1.0, -1.0\]"),
    (lambda: WeightedRandomSampler([1, math.nan], 2), ValueError,
     "WeightedRandomSampler: weights must be finite"),
    (lambda: WeightedRandomSampler([0, 0], 2), ValueError,
     "WeightedRandomSampler: the weights sum to 0"),
    (lambda: WeightedRandomSampler(["a"], 2), TypeError,
     "WeightedRandomSampler: weights must be a sequence of numbers"),
    (lambda: WeightedRandomSampler([1, 0, 1], 3, replacement=False), ValueError,
     "WeightedRandomSampler: cannot draw 3 samples without replacement from 2 indices"),
    (lambda: WeightedRandomSampler([1, 1], -1), ValueError,
     "WeightedRandomSampler: num_samples must be >= 1, got -1"),
    (lambda: WeightedRandomSampler([1, 1], 2, replacement="no"), TypeError,
     "WeightedRandomSampler: replacement must be a bool, got 'no'"),
    (lambda: BatchSampler(range(3), 0, False), ValueError,
     "BatchSampler: batch_size must be >= 1, got 0"),
    (lambda: BatchSampler(range(3), True, False), TypeError,
     "BatchSampler: batch_size must be an int, got True"),
    (lambda: BatchSampler(range(3), 2, None), TypeError,
     "BatchSampler: drop_last must be a bool, got None"),
    (lambda: BatchSampler(5, 2, False), TypeError,
     "BatchSampler: sampler must be an iterable of keys, got int"),
]  # fmt: skip


@pytest.mark.parametrize("make, error, match", SAMPLER_ERRORS)
def test_sampler_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


# ---------------------------------------------------------------- DataLoader modes


def test_existing_shuffle_orders_are_unchanged():
    """seed= gives epoch e the permutation of default_rng([seed, e]); without a seed the
    package generator gives one permutation per epoch and nothing more."""
    loader = DataLoader(TensorDataset(Y), batch_size=4, shuffle=True, seed=3)
    for epoch in range(2):
        assert labels(loader) == np.random.default_rng([3, epoch]).permutation(10).tolist()
    td.manual_seed(9)
    ours = labels(DataLoader(TensorDataset(Y), batch_size=4, shuffle=True))
    after = td.rng.generator().random()
    td.manual_seed(9)
    assert ours == td.rng.generator().permutation(10).tolist()
    assert after == td.rng.generator().random()


def test_generator_shuffles_epoch_after_epoch():
    loader = DataLoader(TensorDataset(Y), batch_size=3, shuffle=True, generator=rng(8))
    expected = rng(8)
    first, second = expected.permutation(10).tolist(), expected.permutation(10).tolist()
    assert labels(loader) == first and labels(loader) == second and first != second


def test_a_sampler_chooses_the_order_and_batch_size_groups_it():
    loader = DataLoader(TensorDataset(Y), batch_size=2, sampler=[9, 0, 5, 5, 1])
    assert [b[0].data.tolist() for b in loader] == [[9, 0], [5, 5], [1]] and len(loader) == 3
    loader = DataLoader(TensorDataset(Y), batch_size=2, drop_last=True, sampler=[9, 0, 5])
    assert labels(loader) == [9, 0] and len(loader) == 1
    sampler = SubsetRandomSampler([2, 4, 6], generator=rng(0))
    loader = DataLoader(TensorDataset(Y), batch_size=3, sampler=sampler)
    assert labels(loader) == [[2, 4, 6][i] for i in rng(0).permutation(3)]


def test_a_batch_sampler_gives_the_batches():
    batches = [[3, 1], [0], [9, 8, 7]]
    loader = DataLoader(TensorDataset(Y), batch_sampler=batches)
    assert [b[0].data.tolist() for b in loader] == batches and len(loader) == 3
    assert loader.batch_size is None and isinstance(loader.sampler, SequentialSampler)  # as torch
    loader = DataLoader(TensorDataset(Y), batch_sampler=BatchSampler(range(10), 4, True))
    assert [len(b[0]) for b in loader] == [4, 4] and len(loader) == 2
    empty = DataLoader(TensorDataset(np.zeros(0)), batch_size=4, shuffle=True)
    assert list(empty) == [] and len(empty) == 0 and empty.collate_fn is default_collate


def test_batch_size_none_yields_single_converted_examples():
    loader = DataLoader(TensorDataset(np.arange(6.0).reshape(3, 2), Y[:3]), batch_size=None)
    examples = list(loader)
    assert len(loader) == len(examples) == 3
    x, y = examples[2]
    assert isinstance(x, td.Tensor) and x.shape == (2,) and x.data.tolist() == [4.0, 5.0]
    assert isinstance(y, td.Tensor) and y.shape == () and y.dtype == np.int64 and int(y) == 2
    plain = DataLoader([{"a": 1, "b": np.ones(2)}, {"a": 2, "b": np.zeros(2)}], batch_size=None)
    first = next(iter(plain))
    assert first["a"] == 1 and isinstance(first["b"], td.Tensor)  # numbers stay numbers
    doubled = DataLoader([1, 2, 3], batch_size=None, sampler=[2, 0], collate_fn=lambda v: v * 2)
    assert list(doubled) == [6, 2] and len(doubled) == 2
    shuffled = DataLoader(TensorDataset(Y), batch_size=None, shuffle=True, seed=1)
    assert [int(y) for (y,) in shuffled] == np.random.default_rng([1, 0]).permutation(10).tolist()


class Named(Dataset):
    """Examples keyed by name, as a sampler of names visits them."""

    def __len__(self):
        return 3

    def __getitem__(self, key):
        return {"a": 1.0, "b": 2.0, "c": 3.0}[key], key


def test_keys_other_than_indices_reach_getitem():
    loader = DataLoader(Named(), batch_size=2, sampler=["c", "a", "b"])
    (values, keys), rest = list(loader)[0], list(loader)[1]
    assert values.data.tolist() == [3.0, 1.0] and keys == ["c", "a"] and rest[1] == ["b"]
    assert [v for v, _ in DataLoader(Named(), batch_size=None, sampler="ba")] == [2.0, 1.0]


def test_default_convert():
    out = default_convert({"x": np.float32(1), "t": (np.arange(2), "s"), "l": [np.ones(1)]})
    assert isinstance(out["x"], td.Tensor) and out["x"].dtype == np.float32
    assert out["x"].shape == () and type(out["t"]) is tuple and out["t"][1] == "s"
    assert isinstance(out["l"], list) and isinstance(out["l"][0], td.Tensor)
    words = np.array(["a", "b"])
    assert default_convert(words) is words and default_convert(3) == 3
    data = np.arange(3)
    converted = default_convert(data)
    converted.data[0] = 7  # a copy: the dataset's array is untouched
    assert data[0] == 0


def test_a_custom_sampler_subclass():
    class Evens(Sampler[int]):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self):
            return (self.n + 1) // 2

    loader = DataLoader(TensorDataset(Y), batch_size=2, sampler=Evens(10))
    assert labels(loader) == [0, 2, 4, 6, 8] and len(loader) == 3


# ---------------------------------------------------------------- DataLoader errors

LOADER_ERRORS = [
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive with "
     "batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True),
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
]  # fmt: skip


@pytest.mark.parametrize("kwargs, match", LOADER_ERRORS)
def test_loader_exclusions_raise_as_pytorch(kwargs, match):
    with pytest.raises(ValueError, match=f"DataLoader: {match}"):
        DataLoader(TensorDataset(Y), **kwargs)


ITERABLE_ERRORS = [
    (dict(shuffle=True), "expected unspecified shuffle option, but got shuffle=True"),
    (dict(sampler=[0]), r"expected unspecified sampler option, but got sampler=\[0\]"),
    (dict(batch_sampler=[[0]]), "expected unspecified batch_sampler option"),
]


@pytest.mark.parametrize("kwargs, match", ITERABLE_ERRORS)
def test_an_iterable_dataset_takes_no_order(kwargs, match):
    with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: {match}"):
        DataLoader(Stream(3), **kwargs)


def test_other_loader_errors():
    ds = TensorDataset(Y)
    with pytest.raises(ValueError, match="DataLoader: give seed or generator, not both"):
        DataLoader(ds, shuffle=True, seed=1, generator=rng())
    with pytest.raises(ValueError, match="DataLoader: seed= seeds shuffle=True's order"):
        DataLoader(ds, seed=1, sampler=[0])
    with pytest.raises(TypeError, match="DataLoader: generator must be a td.Generator"):
        DataLoader(ds, shuffle=True, generator=3)
    with pytest.raises(TypeError, match="DataLoader: sampler must be an iterable of keys, got int"):
        DataLoader(ds, sampler=3)
    with pytest.raises(TypeError, match="DataLoader: batch_size must be an int or None"):
        DataLoader(ds, batch_size="2")
    with pytest.raises(TypeError, match="DataLoader: len.. needs the length of the Iterable"):
        len(DataLoader(Stream(3, sized=False)))
    bare = DataLoader(IterableDataset())
    with pytest.raises(NotImplementedError, match="IterableDataset: __iter__ is not implemented"):
        next(iter(bare))


# ---------------------------------------------------------------- IterableDataset, ChainDataset


@pytest.mark.parametrize("batch_size, drop_last, sizes", [
    (2, False, [2, 2, 1]), (2, True, [2, 2]), (5, True, [5]), (6, True, []), (None, False, [1] * 5),
])  # fmt: skip
def test_an_iterable_dataset_in_batches(batch_size, drop_last, sizes):
    loader = DataLoader(Stream(5), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    if batch_size is None:  # each example as the stream gives it (an int stays an int)
        assert batches == list(range(5)) and len(loader) == 5
        return
    assert [len(b[0]) for b in batches] == sizes and len(loader) == len(sizes)
    assert labels(loader) == list(range(sum(sizes)))


def test_chain_dataset_streams_one_after_another():
    chain = ChainDataset([Stream(2), Stream(3, start=10)])
    assert list(chain) == [0, 1, 10, 11, 12] and len(chain) == 5
    assert list(Stream(1) + Stream(1, start=5)) == [0, 5]
    assert labels(DataLoader(chain, batch_size=2)) == [0, 1, 10, 11, 12]
    with pytest.raises(TypeError, match="ChainDataset: only supports IterableDatasets, got "
                       "TensorDataset at position 1"):  # fmt: skip
        ChainDataset([Stream(1), TensorDataset(Y)])


# ---------------------------------------------------------------- ConcatDataset, StackDataset

PARTS = [TensorDataset(np.arange(3)), TensorDataset(np.arange(0)), TensorDataset(np.arange(4) + 10)]


def test_concat_dataset_indexing():
    cat = ConcatDataset(PARTS)
    assert cat.cumulative_sizes == [3, 3, 7] and len(cat) == 7
    flat = [0, 1, 2, 10, 11, 12, 13]
    assert [int(cat[i][0]) for i in range(7)] == flat
    assert [int(cat[i][0]) for i in range(-7, 0)] == flat
    assert [int(cat[np.int64(3)][0])] == [10]
    assert labels(DataLoader(cat, batch_size=3)) == flat
    assert sorted(labels(DataLoader(cat, batch_size=3, shuffle=True, seed=0))) == flat
    joined = PARTS[0] + PARTS[2]
    assert isinstance(joined, ConcatDataset) and len(joined) == 7


@pytest.mark.parametrize("make, error, match", [
    (lambda: ConcatDataset(PARTS)[7], IndexError,
     "ConcatDataset: index 7 is out of range for 7 examples"),
    (lambda: ConcatDataset(PARTS)[-8], IndexError,
     "ConcatDataset: index -8 is out of range for 7 examples"),
    (lambda: ConcatDataset(PARTS)[1.0], TypeError, "ConcatDataset: an index must be an int"),
    (lambda: ConcatDataset([]), ValueError, "ConcatDataset: datasets should not be an empty"),
    (lambda: ConcatDataset([Stream(2)]), TypeError,
     "ConcatDataset: needs a map-style dataset .* got the IterableDataset Stream"),
    (lambda: ConcatDataset([5]), TypeError, "ConcatDataset: the dataset must have __len__"),
    (lambda: StackDataset(), ValueError, "StackDataset: at least one dataset"),
    (lambda: StackDataset([1], x=[2]), ValueError, "StackDataset: give the datasets either"),
    (lambda: StackDataset([1, 2], [3]), ValueError,
     r"StackDataset: size mismatch between datasets, lengths \{0: 2, 1: 1\}"),
    (lambda: Subset(Stream(2), [0]), TypeError, "Subset: needs a map-style dataset"),
    (lambda: random_split(Stream(2), [1, 1]), TypeError, "random_split: needs a map-style"),
])  # fmt: skip
def test_dataset_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_stack_dataset_tuples_and_dicts():
    x, y = np.arange(6.0).reshape(3, 2), ["a", "b", "c"]
    by_position = StackDataset(x, y)
    assert len(by_position) == 3 and by_position[1][1] == "b"
    np.testing.assert_array_equal(by_position[1][0], [2.0, 3.0])
    batch = next(iter(DataLoader(StackDataset(x=x, y=y), batch_size=2)))
    assert batch["y"] == ["a", "b"] and batch["x"].data.tolist() == [[0, 1], [2, 3]]


# ---------------------------------------------------------------- random_split


@pytest.mark.parametrize("n, fractions, lengths", [
    (10, [0.5, 0.3, 0.2], [5, 3, 2]), (7, [0.5, 0.5], [4, 3]), (10, [1 / 3] * 3, [4, 3, 3]),
    (5, [0.1, 0.1, 0.8], [1, 0, 4]), (2, [0.25, 0.25, 0.25, 0.25], [1, 1, 0, 0]),
])  # fmt: skip
def test_random_split_fractions_round_as_pytorch(n, fractions, lengths):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(TensorDataset(np.arange(n)), fractions, seed=0)
    assert [len(p) for p in parts] == lengths
    zeros = [i for i, k in enumerate(lengths) if k == 0]
    assert [str(w.message) for w in caught] == [
        f"random_split: length of split at index {i} is 0 (an empty dataset)" for i in zeros
    ]


def test_random_split_generator_and_manual_seed():
    ds = TensorDataset(Y)
    a, b = random_split(ds, [0.7, 0.3], generator=rng(6))
    order = rng(6).permutation(10)
    assert a.indices.tolist() == order[:7].tolist() and b.indices.tolist() == order[7:].tolist()
    td.manual_seed(2)
    first = random_split(ds, [5, 5])[0].indices.tolist()
    td.manual_seed(2)
    assert random_split(ds, [5, 5])[0].indices.tolist() == first
    with pytest.raises(ValueError, match="random_split: give seed or generator, not both"):
        random_split(ds, [5, 5], seed=1, generator=rng())
    with pytest.raises(TypeError, match="random_split: generator must be a td.Generator"):
        random_split(ds, [5, 5], generator=1)
    with pytest.raises(TypeError, match=r"random_split: seed must be an int or None, got 1\.5"):
        random_split(ds, [5, 5], 1.5)
    # PyTorch's third argument is the generator: one given there is taken as generator=
    assert random_split(ds, [5, 5], rng(6))[0].indices.tolist() == order[:5].tolist()


# ---------------------------------------------------------------- training with a balancing sampler


def _imbalanced(seed=0):
    """900 examples of class 0 and 100 of class 1, two overlapping 2-D Gaussian blobs."""
    g = rng(seed)
    x = np.concatenate([g.normal(0.0, 1.0, (900, 2)), g.normal(1.5, 1.0, (100, 2))])
    return x.astype(np.float32), np.repeat([0, 1], [900, 100])


def _train(sampler_for, seed=0):
    x, y = _imbalanced()
    td.manual_seed(seed)
    model = nn.Linear(2, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=50, **sampler_for(y))
    seen = []
    for _ in range(5):
        for xb, yb in loader:
            seen.append(yb.data)
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    with td.no_grad():
        predicted = model(td.Tensor(x)).argmax(axis=1).numpy()
    recall = [(predicted[y == c] == c).mean() for c in (0, 1)]
    return np.concatenate(seen), recall, model.weight.data.copy()


def _balanced(y):
    weights = 1.0 / np.bincount(y)[y]
    return {"sampler": WeightedRandomSampler(weights, len(y))}


def test_a_weighted_sampler_balances_the_batches_and_the_model():
    seen, recall, weight = _train(_balanced)
    share = seen.mean()  # the share of class 1 among the 5000 examples drawn
    assert abs(share - 0.5) <= 4 * math.sqrt(0.25 / len(seen)), share
    plain, plain_recall, _ = _train(lambda y: {"shuffle": True, "seed": 0})
    assert plain.mean() == 0.1  # every example once per epoch: the data set's 10%
    assert recall[1] > 0.7 and plain_recall[1] < 0.5 < recall[1]
    assert min(recall) > 0.7  # balanced: both classes recognised
    _, again, weight_again = _train(_balanced)  # td.manual_seed reproduces the run
    np.testing.assert_array_equal(weight, weight_again)


# ---------------------------------------------------------------- against torch.utils.data


def test_semantics_match_torch():
    torch = pytest.importorskip("torch")
    tud = torch.utils.data
    for n, batch_size, drop_last, _ in BATCHES:
        theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), batch_size, drop_last)
        ours = BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    parts = [list(range(3)), [], list(range(10, 14)), [99]]
    theirs, ours = tud.ConcatDataset(parts), ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes and len(ours) == len(theirs)
    assert [ours[i] for i in range(-8, 8)] == [theirs[i] for i in range(-8, 8)]
    for (a, b), k in [((10, 3), False), ((10, 3), True), ((2, 5), True)]:
        ds = list(range(a))
        pairs = [
            (dict(batch_size=b, drop_last=k), dict(batch_size=b, drop_last=k)),
            (dict(batch_size=None), dict(batch_size=None)),
            (dict(batch_size=b, sampler=RandomSampler(ds, True, 7)),
             dict(batch_size=b, sampler=tud.RandomSampler(ds, True, 7))),
            (dict(batch_sampler=[[0, 1], [2]]), dict(batch_sampler=[[0, 1], [2]])),
        ]  # fmt: skip
        for mine, torch_kwargs in pairs:
            assert len(DataLoader(ds, **mine)) == len(tud.DataLoader(ds, **torch_kwargs))

    class TorchStream(tud.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 5

    for kwargs in [dict(batch_size=2), dict(batch_size=2, drop_last=True), dict(batch_size=None)]:
        theirs = [np.asarray(b).tolist() for b in tud.DataLoader(TorchStream(), **kwargs)]
        loader = DataLoader(Stream(5), **kwargs)
        mine = [b if kwargs["batch_size"] is None else b[0].data.tolist() for b in loader]
        assert mine == theirs and len(loader) == len(tud.DataLoader(TorchStream(), **kwargs))
        with pytest.raises(ValueError, match="expected unspecified shuffle option"):
            tud.DataLoader(TorchStream(), shuffle=True, **kwargs)
    for n, fractions in [(10, [0.5, 0.3, 0.2]), (7, [0.5, 0.5]), (10, [1 / 3] * 3)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = [len(p) for p in tud.random_split(range(n), fractions)]
            assert [len(p) for p in random_split(list(range(n)), fractions)] == theirs
    for kwargs, match in LOADER_ERRORS:
        with pytest.raises(ValueError, match=match):
            tud.DataLoader(list(range(10)), **kwargs)


def test_more_datasets_and_sampler_lengths_match_torch():
    torch = pytest.importorskip("torch")
    tud = torch.utils.data
    a, b = [1, 2, 3], ["x", "y", "z"]
    assert [StackDataset(a, b)[i] for i in range(3)] == [
        tud.StackDataset(a, b)[i] for i in range(3)
    ]
    assert StackDataset(p=a, q=b)[2] == tud.StackDataset(p=a, q=b)[2]
    assert len(StackDataset(a, b)) == len(tud.StackDataset(a, b))

    class TorchStream(tud.IterableDataset):
        def __init__(self, n, start=0):
            self.n, self.start = n, start

        def __iter__(self):
            return iter(range(self.start, self.start + self.n))

        def __len__(self):
            return self.n

    theirs = tud.ChainDataset([TorchStream(2), TorchStream(3, start=10)])
    ours = ChainDataset([Stream(2), Stream(3, start=10)])
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    w = [1, 2, 0, 4]
    pairs = [  # ours, torch's, the keys either may draw
        (RandomSampler(range(4), num_samples=6), tud.RandomSampler(range(4), num_samples=6),
         {0, 1, 2, 3}),
        (RandomSampler(range(4), True, 9), tud.RandomSampler(range(4), True, 9), {0, 1, 2, 3}),
        (SubsetRandomSampler([5, 1, 7]), tud.SubsetRandomSampler([5, 1, 7]), {1, 5, 7}),
        (WeightedRandomSampler([1, 2], 5), tud.WeightedRandomSampler([1, 2], 5), {0, 1}),
        (WeightedRandomSampler(w, 3, False), tud.WeightedRandomSampler(w, 3, False), {0, 1, 3}),
    ]  # fmt: skip
    for ours, theirs, keys in pairs:
        drawn, torch_drawn = list(ours), list(theirs)
        assert len(ours) == len(theirs) == len(drawn) == len(torch_drawn)
        assert set(drawn) <= keys and set(torch_drawn) <= keys
        assert all(type(i) is int for i in drawn + torch_drawn)
    first = list(RandomSampler(range(4), num_samples=6, generator=rng(0)))
    torch_first = list(tud.RandomSampler(range(4), num_samples=6))
    assert sorted(first[:4]) == sorted(torch_first[:4]) == [0, 1, 2, 3]  # a whole pass first
    without = list(tud.WeightedRandomSampler(w, 3, False))
    assert sorted(without) == sorted(WeightedRandomSampler(w, 3, False)) == [0, 1, 3]


# -- PyTorch's worker options -----------------------------------------------------------------


def test_worker_options_are_accepted_and_give_the_same_batches():
    data = td.data.TensorDataset(np.arange(10.0), np.arange(10))
    plain = [b[0].tolist() for b in td.data.DataLoader(data, batch_size=4, shuffle=True, seed=3)]
    with pytest.warns(UserWarning, match="num_workers=2 asks for worker processes"):
        loader = td.data.DataLoader(data, batch_size=4, shuffle=True, seed=3, num_workers=2,
                                    pin_memory=True, timeout=5, prefetch_factor=2,
                                    persistent_workers=True, worker_init_fn=print)  # fmt: skip
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accel"):
        assert [b[0].tolist() for b in loader] == plain and len(loader) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # num_workers=0 (the default) says nothing, and
        loader = td.data.DataLoader(data, batch_size=4, num_workers=0, pin_memory=True)
        assert [b[0].tolist() for b in td.data.DataLoader(data, batch_size=4)][0] == [0, 1, 2, 3]
    with pytest.warns(UserWarning, match="pin_memory"):  # pin_memory only once iterated
        next(iter(loader))


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        (dict(num_workers=-1), ValueError, "num_workers option should be non-negative"),
        (dict(num_workers=1.5), TypeError, "num_workers must be an int"),
        (dict(timeout=-1), ValueError, "timeout option should be non-negative"),
        (dict(prefetch_factor=2), ValueError, "prefetch_factor option could only be specified"),
        (dict(persistent_workers=True), ValueError, "persistent_workers option needs"),
    ],
)
def test_bad_worker_options_are_errors_as_in_pytorch(kwargs, error, message):
    with pytest.raises(error, match=message):
        td.data.DataLoader([1.0, 2.0], **kwargs)
