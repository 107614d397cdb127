"""save/load: any dict key round trips, and plain np.load finds every array by its entry name."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_ds import serialization
from tinygrad_ds.serialization import load, save
from tinygrad_ds.tensor import Tensor

# Keys that once collided: NumPy's NpzFile looks "w.npy" up as the entry "w.npy" (key "w"),
# and an entry per dotted path put "w.npy" beside "__structure__.npy" and "arr_0.npy".
TRICKY = ["w", "w.npy", "w.npy.npy", "__structure__", "__structure__.npy", "arr_0", "arr_0.npy",
          "arr_1", "value", "value~1", "", ".", ".npy", "a.b", "a/b", "/", "../x", "\x00",
          "a\x00b", "\udc80", "ключ ✓", "x" * 300]  # fmt: skip


def assert_same(expected, got):
    """Exact nesting, key types, dtypes, shapes and bytes."""
    if isinstance(expected, dict):
        assert type(got) is dict and list(got) == list(expected)
        for (k1, v1), (k2, v2) in zip(expected.items(), got.items(), strict=True):
            assert type(k2) is type(k1) and k2 == k1
            assert_same(v1, v2)
    else:
        expected, got = np.asarray(expected), np.asarray(got)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == np.ascontiguousarray(expected).tobytes()


def round_trip(obj, folder, as_tensor=False):
    path = Path(folder) / "state.npz"
    save(obj, path)
    return load(path, as_tensor=as_tensor)


def entries(path):
    """{entry name: array} for every array leaf, read with plain NumPy by the structure's names."""
    with np.load(path, allow_pickle=False) as npz:
        root = json.loads(bytes(npz["__structure__"]).decode("utf-8"))["root"]
        names = []
        stack = [root]
        while stack:
            node = stack.pop()
            if node["t"] == "array":
                names.append(node["key"])
            elif node["t"] in ("dict", "list", "tuple"):
                items = node["items"]
                stack += [item[1] for item in items] if node["t"] == "dict" else items
        assert len(set(names)) == len(names) and "__structure__" not in names
        return {name: npz[name] for name in names}


def leaves(obj):
    """Array leaves of nested dicts, depth first, in order."""
    if not isinstance(obj, dict):
        return [obj]
    return [leaf for value in obj.values() for leaf in leaves(value)]


def test_a_key_ending_in_npy_beside_its_stem(tmp_path):
    obj = {"w": np.zeros(3), "w.npy": np.ones(2, dtype=np.float32)}
    loaded = round_trip(obj, tmp_path)
    assert_same(obj, loaded)
    assert loaded["w.npy"].dtype == np.float32 and loaded["w.npy"].tolist() == [1.0, 1.0]
    named = entries(tmp_path / "state.npz")
    assert list(named) == ["arr_1", "w"]  # "w.npy" is not a plain name: named by position
    assert_same(obj["w.npy"], named["arr_1"])


def test_plain_paths_name_their_entries(tmp_path):
    obj = {"model": {"0.weight": np.ones((2, 3)), "0.bias": np.zeros(2)}, "step-1": np.ones(1)}
    save(obj, tmp_path / "state.npz")
    with np.load(tmp_path / "state.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["__structure__", "model.0.bias", "model.0.weight", "step-1"]
        assert_same(obj["model"]["0.weight"], npz["model.0.weight"])


@pytest.mark.parametrize("key", ["__structure__.npy", "__structure__", "arr_0", "arr_0.npy"])
def test_a_key_named_like_an_entry(tmp_path, key):
    obj = {key: np.ones(2, dtype=np.int32), "arr_1": np.arange(3, dtype=np.uint8)}
    assert_same(obj, round_trip(obj, tmp_path))


def test_keys_with_separators_nul_and_lone_surrogates(tmp_path):
    obj = {k: np.full(i + 1, i, dtype=np.int16) for i, k in enumerate(TRICKY)}
    obj["nested"] = {"w": np.zeros(1), "w.npy": {"w": np.ones(1), "": np.full(1, 2.0)}}
    assert_same(obj, round_trip(obj, tmp_path))
    tensors = round_trip(obj, tmp_path, as_tensor=True)
    assert isinstance(tensors["w.npy"], Tensor)
    assert_same(obj, tensors)


def test_a_file_in_the_earlier_layout_loads(tmp_path):
    """Earlier versions named each entry by the leaf's dotted path ("w.npy" -> "w.npy.npy")."""
    path = tmp_path / "old.npz"
    structure = (
        '{"format": "tinygrad_ds.state", "version": 1, "root": {"t": "dict", "items": ['
        '["w", {"t": "array", "key": "w"}], ["w.npy", {"t": "array", "key": "w.npy"}], '
        '["m", {"t": "dict", "items": [["b", {"t": "array", "key": "m.b"}]]}], '
        '["__structure__.npy", {"t": "array", "key": "__structure__.npy"}], '
        '["step", {"t": "int", "v": 3}]]}}'
    )
    arrays = {
        "__structure__": np.frombuffer(structure.encode(), dtype=np.uint8),
        "w": np.zeros(3),
        "w.npy": np.ones(2, dtype=np.float32),
        "m.b": np.arange(4, dtype=np.int64),
        "__structure__.npy": np.full(2, 7, dtype=np.uint8),
    }
    with open(path, "wb") as file:
        serialization._write_npz(file, arrays)  # the writer is unchanged: entry = name + ".npy"
    loaded = load(path, as_tensor=False)
    assert loaded.pop("step") == 3
    expected = {"w": arrays["w"], "w.npy": arrays["w.npy"], "m": {"b": arrays["m.b"]}}
    expected["__structure__.npy"] = arrays["__structure__.npy"]
    assert_same(expected, loaded)


# ---------------------------------------------------------------- property: any keys

keys = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=()), max_size=8),  # includes lone surrogates
    st.text(st.sampled_from("w.npy_/~0"), max_size=10),
    st.integers(-(2**40), 2**40),
)
array_leaves = hnp.arrays(
    st.sampled_from([np.float32, np.float64, np.int64, np.int8, np.uint8, np.bool_]),
    hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3),
)
trees = st.dictionaries(
    keys,
    st.recursive(array_leaves, lambda inner: st.dictionaries(keys, inner, max_size=4)),
    max_size=6,
)


@settings(max_examples=60, deadline=None)  # (each example writes and fsyncs a file)
@given(trees)
def test_any_dict_keys_round_trip(obj):
    with tempfile.TemporaryDirectory() as folder:
        assert_same(obj, round_trip(obj, folder))
        named = entries(Path(folder) / "state.npz")
        found = sorted(named.values(), key=lambda a: (a.dtype.str, a.shape, a.tobytes()))
        saved = sorted(leaves(obj), key=lambda a: (a.dtype.str, a.shape, a.tobytes()))
        for a, b in zip(saved, found, strict=True):
            assert_same(a, b)
