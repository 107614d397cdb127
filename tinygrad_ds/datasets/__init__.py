"""Data sets for examples and tests, all NumPy arrays, all offline.

Real data shipped inside the package (``data/``, see ``data/ATTRIBUTION.md``; CC BY 4.0):

- ``load_digits``: UCI optical handwritten digits, 1,797 images of 8x8 pixels, 10 classes.
- ``load_breast_cancer``: UCI Wisconsin diagnostic breast cancer, 569 samples, 30 features,
  0 = malignant, 1 = benign.

Both return ``(X_train, y_train, X_test, y_test)`` with ``X`` float32 and ``y`` int64, split
stratified by class and reproducible from ``seed`` (``stratified_split``).

A reader for data you download yourself:

- ``load_mnist(path, split)``: MNIST's IDX files (optionally gzipped) from a folder, ``(X, y)``
  with ``X`` float32 in [0, 1]; ``read_idx`` reads any single IDX file.

Seeded two-dimensional toy problems, each ``(X, y)`` with ``X`` float32 ``(n, 2)``, ``y``
int64 and balanced classes: ``make_moons``, ``make_spirals``, ``make_xor``, ``make_blobs``.
"""

from .mnist import load_mnist, read_idx
from .split import stratified_split
from .synthetic import make_blobs, make_moons, make_spirals, make_xor
from .uci import load_breast_cancer, load_digits

__all__ = [
    "load_digits",
    "load_breast_cancer",
    "load_mnist",
    "read_idx",
    "make_moons",
    "make_spirals",
    "make_xor",
    "make_blobs",
    "stratified_split",
]
