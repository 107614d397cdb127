"""default_collate: batches of dicts, tuples and strings, as in PyTorch's default_collate."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds.data import DataLoader, Dataset, TensorDataset, default_collate

Pair = namedtuple("Pair", ["x", "y"])


def assert_tensor(t, values, dtype):
    assert isinstance(t, td.Tensor) and t.dtype == dtype
    np.testing.assert_array_equal(t.data, values)
    assert t.data.shape == np.asarray(values).shape


def test_dict_examples_collate_per_key():
    batch = next(iter(DataLoader([{"x": 1.0}, {"x": 2.0}], batch_size=2)))
    assert type(batch) is dict and list(batch) == ["x"]
    assert_tensor(batch["x"], [1.0, 2.0], np.float64)


def test_nested_dicts_tuples_and_arrays_collate_recursively():
    examples = [
        {"img": np.full((2, 2), i, dtype=np.float32), "meta": {"id": i, "tags": ("a", i * 0.5)}}
        for i in range(3)
    ]
    batch = default_collate(examples)
    assert list(batch) == ["img", "meta"] and list(batch["meta"]) == ["id", "tags"]
    assert_tensor(batch["img"], np.arange(3, dtype=np.float32)[:, None, None] * np.ones((2, 2)),
                  np.float32)  # fmt: skip
    assert_tensor(batch["meta"]["id"], [0, 1, 2], np.int64)
    tags = batch["meta"]["tags"]
    assert type(tags) is tuple and tags[0] == ["a", "a", "a"]
    assert_tensor(tags[1], [0.0, 0.5, 1.0], np.float64)


def test_string_fields_pass_through_as_lists():
    words, labels = next(iter(DataLoader([("cat", 1), ("dog", 0), ("emu", 1)], batch_size=3)))
    assert type(words) is list and words == ["cat", "dog", "emu"]
    assert_tensor(labels, [1, 0, 1], np.int64)
    batch = default_collate([{"name": "ab", "b": b"\x00"}, {"name": "c", "b": b"\x01"}])
    assert batch == {"name": ["ab", "c"], "b": [b"\x00", b"\x01"]}
    assert default_collate(["a", "b"]) == (["a", "b"],)  # a one-field example is still a tuple


def test_numeric_tuples_and_lists_are_unchanged():
    xb, yb = default_collate([(np.array([1.0, 2.0]), 3), [np.array([4.0, 5.0]), 6]])
    assert_tensor(xb, [[1.0, 2.0], [4.0, 5.0]], np.float64)
    assert_tensor(yb, [3, 6], np.int64)
    (b,) = default_collate([np.float32(1), td.Tensor(np.float32(2))])
    assert_tensor(b, [1.0, 2.0], np.float32)
    (b,) = default_collate([True, False])
    assert_tensor(b, [True, False], np.bool_)


def test_a_namedtuple_keeps_its_type():
    batch = default_collate([Pair(1.0, "a"), Pair(2.0, "b")])
    assert type(batch) is Pair and batch.y == ["a", "b"]
    assert_tensor(batch.x, [1.0, 2.0], np.float64)


class Records(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {"x": np.array([i, -i], dtype=np.float32), "label": f"item{i}"}


def test_a_dataset_of_dicts_with_shuffle():
    batches = list(DataLoader(Records(), batch_size=3, shuffle=True, seed=0))
    assert [len(b["label"]) for b in batches] == [3, 1]
    for b in batches:
        ids = [int(s[4:]) for s in b["label"]]
        assert_tensor(b["x"], [[i, -i] for i in ids], np.float32)


@pytest.mark.parametrize(
    "examples, match",
    [
        ([None, None], "default_collate.*found NoneType"),
        ([{"x": None}, {"x": None}], "default_collate.*found NoneType"),
        ([(1, object()), (2, object())], "default_collate.*found object"),
        ([1.0 + 2j, 3j], "default_collate.*found complex"),
        ([np.array(["abc"]), np.array(["de"])], "default_collate.*dtype <U3"),
        ([np.array([None], dtype=object)] * 2, "default_collate.*dtype object"),
        ([{"x": 1}, (1,)], "default_collate: example 0 has dicts but example 1 has tuple"),
        ([1.0, "a"], "default_collate: example 0 has numbers or arrays but example 1 has str"),
    ],
)
def test_other_fields_raise_type_error(examples, match):
    with pytest.raises(TypeError, match=match):
        default_collate(examples)


def test_string_and_object_columns_of_a_tensor_dataset_raise():
    loader = DataLoader(TensorDataset(np.arange(2), np.array(["a", "b"])), batch_size=2)
    with pytest.raises(TypeError, match="default_collate.*dtype <U1"):
        next(iter(loader))


@pytest.mark.parametrize(
    "examples, match",
    [
        ([(1, 2), (3,)], r"different lengths \[2, 1\]"),
        ([{"x": 1}, {"y": 2}], r"example 1 has keys \['y'\], example 0 has \['x'\]"),
        ([np.zeros(2), np.zeros(3)], r"cannot stack arrays of shapes \[\(2,\), \(3,\)\]"),
        ([], "empty"),
    ],
)
def test_mismatched_examples_raise_value_error(examples, match):
    with pytest.raises(ValueError, match=f"default_collate: .*{match}"):
        default_collate(examples)


def test_matches_torch_default_collate():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    examples = [
        {"x": np.full(3, i, dtype=np.float32), "y": i, "w": i / 4, "s": f"s{i}", "t": (i, [i])}
        for i in range(4)
    ]
    ours, theirs = default_collate(examples), torch_collate(examples)

    def same(a, b):
        if isinstance(b, torch.Tensor):
            assert isinstance(a, td.Tensor) and a.dtype == np.dtype(str(b.dtype)[6:])
            np.testing.assert_array_equal(a.data, b.numpy())
        elif isinstance(b, dict):
            assert list(a) == list(b)
            for key in b:
                same(a[key], b[key])
        elif isinstance(b, (tuple, list)) and not isinstance(b[0], str):
            assert type(a) is tuple and len(a) == len(b)  # torch gives lists here
            for x, y in zip(a, b, strict=True):
                same(x, y)
        else:
            assert a == b

    same(ours, theirs)
    for bad in ([None, None], [object(), object()]):
        with pytest.raises(TypeError, match="default_collate"):
            torch_collate(bad)
        with pytest.raises(TypeError, match="default_collate"):
            default_collate(bad)
