"""Tests for tinygrad_ds.serialization: pickle-free, crash-safe state dict save/load."""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np
import pytest

from tinygrad_ds import serialization
from tinygrad_ds.serialization import load, save
from tinygrad_ds.tensor import Tensor


class ArrayLike:
    """A minimal array-like leaf, standing in for any object with ``__array__``."""

    def __init__(self, data):
        self.data = np.asarray(data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)


def assert_same(saved, loaded):
    """``loaded`` has the exact nesting, scalar types and (bit-exact) arrays of ``saved``."""
    if isinstance(saved, dict):
        assert type(loaded) is dict and list(loaded) == list(saved)
        for key in saved:
            assert type(key) is type(next(k for k in loaded if k == key))
            assert_same(saved[key], loaded[key])
    elif isinstance(saved, (list, tuple)):
        assert type(loaded) is type(saved) and len(loaded) == len(saved)
        for a, b in zip(saved, loaded, strict=True):
            assert_same(a, b)
    elif isinstance(saved, (np.ndarray, np.generic, ArrayLike)) or hasattr(saved, "__array__"):
        expected, got = np.asarray(saved), np.asarray(loaded)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == np.ascontiguousarray(expected).tobytes()
    elif isinstance(saved, float) and math.isnan(saved):
        assert type(loaded) is float and math.isnan(loaded)
    else:
        assert type(loaded) is type(saved) and loaded == saved
        if isinstance(saved, float):
            assert math.copysign(1.0, loaded) == math.copysign(1.0, saved)


def state_dict():
    """A model + optimiser state dict with every supported kind of leaf."""
    rng = np.random.default_rng(0)
    return {
        "model": {
            "layers.0.weight": rng.standard_normal((3, 4)).astype(np.float32),
            "layers.0.bias": np.zeros(4, dtype=np.float32),
            "head": {"weight": rng.standard_normal((4, 2)), "scale": ArrayLike([1.5, 2.5])},
            "bn": {"running_mean": np.float64(0.25), "num_batches": np.int64(7)},
        },
        "optimizer": {
            "state": {0: {"step": 3, "exp_avg": np.full((3, 4), 1e-8, dtype=np.float32)}},
            "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "amsgrad": False, "name": None}],
        },
        "ints": np.arange(-3, 3, dtype=np.int64),
        "int32": np.array([2**31 - 1, -(2**31)], dtype=np.int32),
        "mask": np.array([True, False]),
        "bytes": np.arange(256, dtype=np.uint8),
        "half": np.array([0.1, 65504.0], dtype=np.float16),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "transposed": np.arange(12.0).reshape(3, 4).T,
        "scalars": [0, -1, 2**70, 0.1, -0.0, float("inf"), float("nan"), True, "héllo", "", None],
        "nested": [[], {}, (), [[1], {"x": [2.0]}]],
        "words": np.array(["a", "bc"]),
    }


# ---------------------------------------------------------------- round trips


def test_round_trip_numpy(tmp_path):
    obj = state_dict()
    save(obj, tmp_path / "ckpt.npz")
    assert_same(obj, load(tmp_path / "ckpt.npz", as_tensor=False))


def test_round_trip_as_tensor(tmp_path):
    obj = state_dict()
    obj["model"]["tensor"] = Tensor(np.arange(5, dtype=np.int64))
    save(obj, tmp_path / "ckpt")
    loaded = load(tmp_path / "ckpt")
    assert_same(obj, loaded)
    assert isinstance(loaded["model"]["layers.0.weight"], Tensor)
    assert isinstance(loaded["model"]["tensor"], Tensor)
    assert isinstance(loaded["optimizer"]["state"][0]["exp_avg"], Tensor)
    assert np.asarray(loaded["model"]["tensor"]).dtype == np.int64
    assert isinstance(loaded["words"], np.ndarray)  # strings stay NumPy arrays


def test_exact_path_without_extension(tmp_path):
    save({"w": np.ones(2)}, tmp_path / "weights")
    assert [p.name for p in tmp_path.iterdir()] == ["weights"]
    assert_same({"w": np.ones(2)}, load(str(tmp_path / "weights"), as_tensor=False))


@pytest.mark.parametrize(
    "obj",
    [
        np.arange(3, dtype=np.float32),
        [np.ones(1), np.zeros(1)],
        3,
        "just a string",
        None,
        {},
        {"a.b": np.ones(1), "a": {"b": np.zeros(1)}, "__structure__": np.full(1, 2.0)},
        {"": {"": 1}, ".": [2], "a..b": 3.0, 5: "int key", "5": "str key"},
        {"unicode ключ ✓": "\udc80 lone surrogate", "long" * 80: np.ones(1)},
    ],
)
def test_round_trip_shapes_of_objects(tmp_path, obj):
    save(obj, tmp_path / "f")
    assert_same(obj, load(tmp_path / "f", as_tensor=False))


def test_plain_numpy_can_read_arrays(tmp_path):
    save(state_dict(), tmp_path / "f")
    with np.load(tmp_path / "f", allow_pickle=False) as npz:
        assert "model.layers.0.weight" in npz.files
        assert "optimizer.state.0.exp_avg" in npz.files
        assert npz["model.layers.0.weight"].dtype == np.float32


def test_overwrite_replaces_previous(tmp_path):
    save({"v": 1, "w": np.ones(2)}, tmp_path / "f")
    save({"v": 2, "w": np.zeros(3)}, tmp_path / "f")
    loaded = load(tmp_path / "f")
    assert loaded["v"] == 2 and isinstance(loaded["w"], Tensor)
    np.testing.assert_array_equal(np.asarray(loaded["w"]), np.zeros(3))
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


# ---------------------------------------------------------------- crash safety


def test_crash_mid_save_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt"
    save({"w": np.arange(4.0)}, path)
    before = path.read_bytes()

    def broken_writer(file, arrays):
        file.write(b"PK\x03\x04 partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(serialization, "_write_npz", broken_writer)
    with pytest.raises(RuntimeError, match="disk full"):
        save({"w": np.zeros(4)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt"]
    assert_same({"w": np.arange(4.0)}, load(path, as_tensor=False))


def test_unsupported_values_write_nothing(tmp_path):
    path = tmp_path / "f"
    with pytest.raises(TypeError, match="set"):
        save({"a": {1, 2}}, path)
    with pytest.raises(TypeError, match="object array"):
        save({"a": np.array([None, 1], dtype=object)}, path)
    with pytest.raises(TypeError, match="keys"):
        save({(1, 2): 3}, path)
    with pytest.raises(TypeError, match="keys"):
        save({True: 3}, path)
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="circular"):
        save({"loop": loop}, path)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- bad files


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope")


def test_foreign_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a checkpoint")
    with pytest.raises(ValueError, match="notes.txt"):
        load(path)


def test_plain_npz_without_structure(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, a=np.ones(3))
    with pytest.raises(ValueError, match="plain.npz.*__structure__"):
        load(path)


def test_zip_of_other_things(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ValueError, match="other.zip"):
        load(path)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9, 0.99])
def test_truncated_file(tmp_path, keep):
    path = tmp_path / "ckpt"
    save(state_dict(), path)
    blob = path.read_bytes()
    path.write_bytes(blob[: int(len(blob) * keep)])
    with pytest.raises(ValueError, match="ckpt"):
        load(path)


def npz_with(tmp_path, structure_json: str, **arrays) -> str:
    """Write an .npz with a hand-made structure entry (and optional arrays)."""
    path = tmp_path / "crafted"
    structure = np.frombuffer(structure_json.encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, __structure__=structure, **arrays)
    path.write_bytes(buffer.getvalue())
    return path


def test_pickled_array_is_refused(tmp_path):
    evil = np.array([object()], dtype=object)
    structure = '{"format": "tinygrad_ds.state", "version": 1, "root": {"t": "array", "key": "x"}}'
    path = npz_with(tmp_path, structure, x=evil)
    with pytest.raises(ValueError, match="crafted"):
        load(path)


@pytest.mark.parametrize(
    "structure",
    [
        "not json",
        '{"format": "something else", "version": 1, "root": {"t": "none"}}',
        '{"format": "tinygrad_ds.state", "version": 99, "root": {"t": "none"}}',
        '{"format": "tinygrad_ds.state", "version": 1, "root": {"t": "array", "key": "gone"}}',
        '{"format": "tinygrad_ds.state", "version": 1, "root": {"t": "weird"}}',
        '{"format": "tinygrad_ds.state", "version": 1, "root": {"t": "int", "v": "1"}}',
        '{"format": "tinygrad_ds.state", "version": 1, "root": {"t": "dict", "items": [[1]]}}',
        '{"format": "tinygrad_ds.state", "version": 1, "root": {"t": "list", "items": 3}}',
    ],
)
def test_malformed_structure(tmp_path, structure):
    with pytest.raises(ValueError, match="crafted"):
        load(npz_with(tmp_path, structure))


# -- torch.save / torch.load habits: file objects, map_location, weights_only, mmap ----------


def test_file_objects_round_trip(tmp_path):
    state = {"w": Tensor(np.arange(6, dtype=np.float32).reshape(2, 3)), "step": 3}
    buffer = io.BytesIO()
    save(state, buffer)
    buffer.seek(0)
    back = load(buffer)
    assert back["step"] == 3 and np.array_equal(back["w"].data, state["w"].data)
    with open(tmp_path / "s.pt", "wb") as fh:  # an open file, as torch.save(sd, f) takes
        save(state, fh)
    with open(tmp_path / "s.pt", "rb") as fh:
        assert np.array_equal(load(fh)["w"].data, state["w"].data)


def test_text_mode_file_is_refused(tmp_path):
    with open(tmp_path / "s.txt", "w") as fh, pytest.raises(TypeError, match=r"save: .*'wb'"):
        save({"w": np.ones(2)}, fh)


@pytest.mark.parametrize("where", [None, "cpu", "cpu:0", {"cuda:0": "cpu"}])
def test_map_location_to_the_cpu(tmp_path, where):
    import tinygrad_ds as td

    save({"w": np.ones((2, 2))}, tmp_path / "s")
    where = td.device(where) if where == "cpu:0" else where
    for weights_only in (True, False, None):
        back = load(tmp_path / "s", map_location=where, weights_only=weights_only)
        assert np.array_equal(back["w"].data, np.ones((2, 2)))


def test_map_location_function_sees_each_tensor(tmp_path):
    save({"a": np.ones(2), "b": [np.zeros(3)], "name": np.array(["x"])}, tmp_path / "s")
    seen = []

    def keep(storage, location):
        seen.append((storage.shape, location))
        return storage * 2

    back = load(tmp_path / "s", lambda storage, loc: storage)  # the classic idiom
    assert np.array_equal(back["b"][0].data, np.zeros(3))
    back = load(tmp_path / "s", map_location=keep)
    assert sorted(seen) == [((2,), "cpu"), ((3,), "cpu")]  # string arrays are not tensors
    assert np.array_equal(back["a"].data, [2.0, 2.0]) and back["name"][0] == "x"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(map_location="cuda"), r"load: map_location: device 'cuda' is not available"),
        (dict(map_location={"cpu": "cuda:1"}), r"load: map_location: device 'cuda:1'"),
        (dict(mmap=True), r"load: mmap=True is not supported"),
    ],
)
def test_load_refuses_other_devices_and_mmap(tmp_path, kwargs, match):
    save({"w": np.ones(2)}, tmp_path / "s")
    with pytest.raises(ValueError, match=match):
        load(tmp_path / "s", **kwargs)


def test_garbage_file_object_is_named():
    with pytest.raises(ValueError, match=r"load: .*BytesIO.* is not a valid tinygrad_ds state"):
        load(io.BytesIO(b"not a zip"))
