"""A reader for MNIST (and look-alikes such as Fashion-MNIST) in LeCun's IDX file format.

An IDX file is a big-endian header, ``0x00 0x00 <type> <ndim>`` then ``ndim`` uint32 sizes,
followed by the values in C order. MNIST uses type ``0x08`` (unsigned byte): images are
``idx3`` (count, rows, cols), labels are ``idx1`` (count,).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["load_mnist", "read_idx"]

# IDX type code -> big-endian NumPy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_PREFIXES = {"train": "train", "test": "t10k"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzipped when its name ends in ``.gz``) into an array of its own shape.

    A bad magic number, a truncated body or trailing bytes raise ValueError naming the file.
    """
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"read_idx: {path} is not a valid gzip file ({exc})") from exc
    if len(raw) < 4:
        raise ValueError(f"read_idx: {path} is too short to hold an IDX header")
    zero0, zero1, type_code, ndim = raw[:4]
    if zero0 != 0 or zero1 != 0 or type_code not in _IDX_DTYPES or ndim == 0:
        magic = int.from_bytes(raw[:4], "big")
        raise ValueError(f"read_idx: {path} has a bad IDX magic number 0x{magic:08x}")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"read_idx: {path} is truncated inside its header")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    body = len(raw) - header_size
    if body < expected:
        raise ValueError(
            f"read_idx: {path} is truncated: shape {shape} needs {expected} bytes of data, "
            f"found {body}"
        )
    if body > expected:
        raise ValueError(
            f"read_idx: {path} has {body - expected} unexpected trailing bytes after shape {shape}"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)


def _find(folder: Path, prefix: str, kind: str, ndim: int) -> Path:
    """Locate ``<prefix>-<kind>-idx<ndim>-ubyte`` (or ``.gz``, or a ``.idx`` spelling)."""
    names = [
        f"{prefix}-{kind}-idx{ndim}-ubyte",
        f"{prefix}-{kind}-idx{ndim}-ubyte.gz",
        f"{prefix}-{kind}.idx{ndim}-ubyte",
        f"{prefix}-{kind}.idx{ndim}-ubyte.gz",
    ]
    for name in names:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"load_mnist: no {names[0]} (or {names[1]}) in folder {folder}")


def load_mnist(
    path: str | os.PathLike, split: str = "train", flatten: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST's ``split`` ('train' or 'test') from the IDX files in folder ``path``.

    Reads ``train-images-idx3-ubyte``/``train-labels-idx1-ubyte`` or the ``t10k-`` pair, each
    optionally gzipped. Returns ``(X, y)``: ``X`` float32 in [0, 1] (bytes / 255) of shape
    ``(n, rows * cols)``, i.e. ``(n, 784)``, or ``(n, 1, rows, cols)`` with ``flatten=False``;
    ``y`` int64. A missing file raises FileNotFoundError, a malformed one ValueError.
    """
    if split not in _PREFIXES:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}")
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"load_mnist: folder {folder} does not exist")
    prefix = _PREFIXES[split]
    images_path = _find(folder, prefix, "images", 3)
    labels_path = _find(folder, prefix, "labels", 1)
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"load_mnist: {images_path} must hold uint8 images of shape (n, rows, cols), "
            f"got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(
            f"load_mnist: {labels_path} must hold uint8 labels of shape (n,), "
            f"got {labels.dtype} {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"load_mnist: {images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels"
        )
    n, rows, cols = images.shape
    X = images.astype(np.float32) / np.float32(255.0)
    X = X.reshape(n, rows * cols) if flatten else X.reshape(n, 1, rows, cols)
    return X, labels.astype(np.int64)
