"""Save and load state dicts as plain ``.npz`` files, never with pickle.

A state dict is any nesting of dicts (str or int keys), lists and tuples whose leaves are
arrays (or array-likes with ``__array__``, such as ``Tensor``), ``int``, ``float``, ``bool``,
``str`` or ``None``. ``save`` writes one ``.npy`` entry per array plus an entry
``__structure__``: UTF-8 JSON stored as a uint8 array, which records the exact nesting, every
key, and every scalar with its type, and points each array leaf at its entry. Keys live only in
the JSON, so any key round trips (``"a.b"`` beside ``{"a": {"b": ...}}``, ``"w.npy"``,
``"__structure__"``, ``"a/b"``, any unicode). An array's entry is named by its dotted path
(``layers.0.weight``) when that path is plain ASCII, new and cannot be confused with another
entry; otherwise by its position (``arr_7``, as ``np.savez`` names positional arrays). So any
NumPy reads the arrays back with ``np.load``, every name finding its own entry. ``load`` opens
exactly the zip entry ``<name>.npy`` the structure names (never NumPy's guess between ``name``
and ``name.npy``), so files from earlier versions, which named every entry by its path, load
right even where that guess went wrong; it reads with ``allow_pickle=False``, so an untrusted
file cannot run code.

Saving writes a temporary file beside ``path`` and renames it onto ``path`` with
``os.replace``, so a crash mid-save leaves any previous file intact.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import uuid
import zipfile
import zlib
from typing import Any, BinaryIO

import numpy as np

__all__ = ["save", "load"]

FORMAT = "tinygrad_ds.state"
VERSION = 1
STRUCTURE_KEY = "__structure__"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")  # ASCII, dot-separated, no ""
_POSITIONAL_NAME = re.compile(r"arr_[0-9]+")


# ---------------------------------------------------------------- flatten (save side)


def _as_array(value: Any, where: str) -> np.ndarray:
    """``np.asarray(value)``, refusing object arrays (they would need pickle)."""
    array = np.asarray(value)
    if array.dtype.hasobject:
        raise TypeError(f"save: {where} is an object array, which cannot be saved without pickle")
    return array


def _flatten(obj: Any) -> tuple[dict, dict[str, np.ndarray]]:
    """Split ``obj`` into a JSON-able structure tree and a dict of named arrays."""
    arrays: dict[str, np.ndarray] = {}
    open_containers: list[int] = []

    def array_name(path: str) -> str:
        """``path`` if it is a plain dotted name, else ``arr_<position>``. Plain names never end
        in ``.npy`` nor look like ``arr_<n>`` or ``__structure__``, so no two names collide,
        even under NumPy's lookup that also finds entry ``<name>.npy`` by ``<name>``."""
        plain = (
            len(path) <= 200
            and _PLAIN_NAME.fullmatch(path)
            and not _POSITIONAL_NAME.fullmatch(path)
            and not path.endswith(".npy")
            and path != STRUCTURE_KEY
            and path not in arrays
        )
        return path if plain else f"arr_{len(arrays)}"

    def visit(value: Any, path: str) -> dict:
        where = repr(path) if path else "the root object"
        if value is None:
            return {"t": "none"}
        if isinstance(value, bool):
            return {"t": "bool", "v": value}
        if isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__array__"):
            name = array_name(path)
            arrays[name] = _as_array(value, where)
            return {"t": "array", "key": name}
        if isinstance(value, int):
            return {"t": "int", "v": int(value)}
        if isinstance(value, float):
            return {"t": "float", "v": float(value)}
        if isinstance(value, str):
            return {"t": "str", "v": str(value)}
        if isinstance(value, (dict, list, tuple)):
            if id(value) in open_containers:
                raise ValueError(f"save: circular reference at {where}")
            open_containers.append(id(value))
            try:
                return visit_container(value, path)
            finally:
                open_containers.pop()
        raise TypeError(f"save: cannot save {type(value).__name__} at {where}")

    def visit_container(value: dict | list | tuple, path: str) -> dict:
        prefix = f"{path}." if path else ""
        if isinstance(value, dict):
            items = []
            for key, item in value.items():
                if isinstance(key, bool) or not isinstance(key, (str, int, np.integer)):
                    raise TypeError(
                        f"save: dict keys must be str or int, got {type(key).__name__} "
                        f"{key!r} under {repr(path) if path else 'the root object'}"
                    )
                items.append(
                    [key if isinstance(key, str) else int(key), visit(item, prefix + str(key))]
                )
            return {"t": "dict", "items": items}
        kind = "list" if isinstance(value, list) else "tuple"
        return {"t": kind, "items": [visit(item, f"{prefix}{i}") for i, item in enumerate(value)]}

    root = visit(obj, "")
    return {"format": FORMAT, "version": VERSION, "root": root}, arrays


def _write_npz(file: BinaryIO, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``file`` as an uncompressed ``.npz`` (a zip of ``.npy`` entries)."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, array, allow_pickle=False)


def save(obj: Any, f: str | os.PathLike | BinaryIO) -> None:
    """Save the state dict ``obj`` to exactly the path ``f`` (no extension added) as an
    ``.npz``, or into ``f`` if it is a binary file object opened for writing (``io.BytesIO``,
    ``open(name, "wb")``), as ``torch.save`` takes either.

    A path is written to a temporary name in the same folder and moved onto it with
    ``os.replace``: a failure mid-save leaves the previous file intact and no temporary behind.
    A path that is a folder, or in a folder that does not exist, is an OSError naming it
    (IsADirectoryError, FileNotFoundError), raised before anything is written.
    Unsupported leaves raise TypeError, circular references ValueError, before anything is
    written.
    """
    if _is_file(f, "write"):
        structure, named = _flatten(obj)
        try:
            _write_npz(f, _with_structure(structure, named))
        except TypeError as exc:  # (a file opened in text mode takes str, not bytes)
            raise TypeError(
                f"save: cannot write to {f!r:.60}: open it in binary mode ('wb'); {exc}"
            ) from None
        return
    path = _check_path(f, "save")
    structure, named = _flatten(obj)
    arrays = _with_structure(structure, named)
    folder, base = os.path.split(os.path.abspath(path))
    if not base or os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"save: {path!r} is a directory, not a file")
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            errno.ENOENT, f"save: cannot write {path!r}: its folder {folder!r} does not exist"
        )
    tmp = os.path.join(folder, f".{base[:100]}.{uuid.uuid4().hex}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:  # no permission, read-only file system... named by the user's path
        raise OSError(exc.errno, f"save: cannot write {path!r}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OSError(exc.errno, f"save: cannot write {path!r}: {exc.strerror}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _with_structure(structure: dict, named: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The entries to write: the structure as UTF-8 JSON in a uint8 array, then the arrays."""
    text = json.dumps(structure, allow_nan=True)
    return {STRUCTURE_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **named}


def _is_file(f: Any, method: str) -> bool:
    """Whether `f` is a file object (it has `read` or `write`) rather than a path."""
    return not isinstance(f, (str, bytes, os.PathLike)) and callable(getattr(f, method, None))


def _check_path(path: Any, what: str) -> str:
    """`path` as a str: a str, bytes or os.PathLike (an int would be a file descriptor)."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        mode = "reading (rb)" if what == "load" else "writing (wb)"
        raise TypeError(
            f"{what}: f must be a path (str or os.PathLike) or a binary file object opened for "
            f"{mode}, got {type(path).__name__} {path!r:.60}"
        )
    path = os.fspath(path)
    return os.fsdecode(path) if isinstance(path, bytes) else path


# ---------------------------------------------------------------- rebuild (load side)


def _rebuild(node: Any, arrays: dict[str, Any]) -> Any:
    """Turn a structure ``node`` back into Python values, array leaves taken from ``arrays``."""
    if not isinstance(node, dict) or "t" not in node:
        raise ValueError(f"malformed structure node {node!r:.80}")
    kind = node["t"]
    if kind == "none":
        return None
    if kind in ("bool", "int", "float", "str"):
        value = node.get("v")
        expected = {"bool": bool, "int": int, "float": float, "str": str}[kind]
        if type(value) is not expected:
            raise ValueError(f"malformed {kind} scalar {value!r:.80}")
        return value
    if kind == "array":
        key = node.get("key")
        if key not in arrays:
            raise ValueError(f"missing array entry {key!r}")
        return arrays[key]
    if kind in ("list", "tuple"):
        items = [_rebuild(item, arrays) for item in node.get("items", [])]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        out = {}
        for pair in node.get("items", []):
            if not isinstance(pair, list) or len(pair) != 2 or not _is_key(pair[0]):
                raise ValueError(f"malformed dict item {pair!r:.80}")
            out[pair[0]] = _rebuild(pair[1], arrays)
        return out
    raise ValueError(f"unknown structure node type {kind!r}")


def _is_key(key: Any) -> bool:
    """Whether ``key`` is a dict key ``save`` accepts: a str or a (non-bool) int."""
    return isinstance(key, str) or (isinstance(key, int) and not isinstance(key, bool))


def _array_keys(node: Any) -> list[str]:
    """The array entry names referenced anywhere under ``node``."""
    if not isinstance(node, dict):
        return []
    if node.get("t") == "array":
        return [node.get("key")]
    keys = []
    for item in node.get("items", []):
        if node.get("t") == "dict":
            item = item[1] if isinstance(item, list) and len(item) == 2 else None
        keys += _array_keys(item)
    return keys


def _read(file: BinaryIO) -> tuple[Any, dict[str, np.ndarray]]:
    """Read the structure root and the referenced arrays from an open ``.npz`` file.

    Each array is read from exactly the entry ``<name>.npy``, not through ``np.load``'s
    lookup, which also accepts an entry named ``<name>`` itself: in a file from an earlier
    version that held keys ``w`` and ``w.npy``, that lookup returned ``w`` for ``w.npy``.
    """
    if not zipfile.is_zipfile(file):
        raise ValueError("not an .npz (zip) file, or truncated")
    file.seek(0)
    with zipfile.ZipFile(file) as zf:
        names = set(zf.namelist())

        def entry(name: str) -> np.ndarray:
            with zf.open(name + ".npy") as member:
                return np.lib.format.read_array(member, allow_pickle=False)

        if STRUCTURE_KEY + ".npy" not in names:
            raise ValueError(f"no {STRUCTURE_KEY!r} entry: not saved by tinygrad_ds.save")
        structure = json.loads(entry(STRUCTURE_KEY).tobytes().decode("utf-8"))
        if not isinstance(structure, dict) or structure.get("format") != FORMAT:
            raise ValueError(f"{STRUCTURE_KEY!r} entry is not a {FORMAT} structure")
        if not isinstance(structure.get("version"), int) or structure["version"] > VERSION:
            raise ValueError(f"unsupported format version {structure.get('version')!r}")
        root = structure.get("root")
        arrays = {}
        for key in _array_keys(root):
            if not isinstance(key, str) or key + ".npy" not in names:
                raise ValueError(f"missing array entry {key!r}")
            arrays[key] = entry(key)
    return root, arrays


def load(
    f: str | os.PathLike | BinaryIO,
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    as_tensor: bool = True,
) -> Any:
    """Load a state dict written by ``save`` from the path or binary file object ``f``,
    rebuilding its exact nesting and scalar types.

    Numeric and bool array leaves come back as ``tinygrad_ds.Tensor`` (with
    ``as_tensor=True``) or as NumPy arrays, other arrays (strings) as NumPy arrays, all with
    their saved dtype and values. A missing file raises FileNotFoundError; a
    truncated or foreign file raises ValueError naming ``f``. Never unpickles.

    ``torch.load``'s keywords: ``weights_only`` may be anything, since a state file holds
    only data (it is weights-only whatever is asked); ``map_location`` may be None, the CPU
    (``"cpu"``, ``td.device("cpu")``), a dict mapping saved locations to the CPU
    (``{"cuda:0": "cpu"}``), or a function ``(tensor, location) -> tensor``, called on each
    Tensor leaf with ``"cpu"`` (``lambda storage, loc: storage`` keeps it); another device
    is a ValueError. ``mmap=True`` is refused: the arrays are read into memory.
    """
    _check_map_location(map_location)
    if mmap:
        raise ValueError(
            "load: mmap=True is not supported: a state file is a zip of .npy entries, read "
            "into memory"
        )
    del weights_only  # (see above: always weights only)
    if _is_file(f, "read"):
        name, file, opened = getattr(f, "name", repr(f)), f, contextlib.nullcontext(f)
    else:
        name = _check_path(f, "load")
        try:
            file = opened = open(name, "rb")
        except OSError as exc:  # missing, a directory, no permission: named by the user's path
            raise OSError(exc.errno, f"load: cannot read {name!r}: {exc.strerror}") from exc
    with opened:
        try:
            root, arrays = _read(file)
            result = _rebuild(root, arrays)
        except (
            ValueError,
            KeyError,
            TypeError,
            EOFError,
            OSError,
            RecursionError,
            zipfile.BadZipFile,
            zlib.error,
        ) as exc:
            raise ValueError(f"load: {name} is not a valid tinygrad_ds state file: {exc}") from exc
    if as_tensor and arrays:
        tensors = {key: _to_tensor(value) for key, value in arrays.items()}
        if callable(map_location):
            tensors = {key: _mapped(map_location, t) for key, t in tensors.items()}
        result = _rebuild(root, tensors)
    return result


def _check_map_location(map_location: Any) -> None:
    """None, a function, the CPU, or a dict whose targets are the CPU (see `load`)."""
    from .device import check_device  # (device imports numpy only, but keep load light)

    if map_location is None or callable(map_location):
        return
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        check_device(target, "load: map_location")


def _mapped(map_location: Any, leaf: Any) -> Any:
    """`map_location(leaf, "cpu")` for a Tensor leaf (string arrays are left alone)."""
    from .tensor import Tensor

    return map_location(leaf, "cpu") if isinstance(leaf, Tensor) else leaf


def _to_tensor(array: np.ndarray) -> Any:
    """Wrap a numeric or bool array in a ``Tensor`` (imported lazily); others stay ndarrays."""
    if array.dtype.kind not in "biuf":
        return array
    from .tensor import Tensor

    return Tensor(array)
