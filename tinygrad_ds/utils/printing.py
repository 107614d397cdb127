"""`td.set_printoptions`: how Tensors print, as PyTorch's `torch.set_printoptions`.

The options are kept here and applied only while a Tensor's repr is made (NumPy's
`np.printoptions` as a context), so NumPy's own global print settings are never changed.
Until an option is set, Tensors print with NumPy's current settings (8 digits by default,
where PyTorch shows 4).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["set_printoptions"]

_PROFILES = {  # profile -> (precision, threshold, edgeitems, linewidth)
    "default": (8, 1000, 3, 75),  # NumPy's defaults, which tinygrad_ds prints with
    "short": (2, 1000, 2, 75),
    "full": (8, sys.maxsize, 3, 75),
}
_options: dict[str, Any] = {}  # NumPy printoptions arguments set so far
_sci_mode: bool | None = None


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how Tensors print: `precision` digits after the point, summarize (with `edgeitems`
    at each end) arrays of more than `threshold` elements (inf: never), `linewidth`
    characters a line; `profile` ('default', 'short' or 'full') sets all four first;
    `sci_mode` True / False forces / forbids scientific notation, None decides (as
    PyTorch, it is set by every call). Options left None keep their value."""
    global _sci_mode
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: profile must be 'default', 'short' or 'full', got {profile!r}"
            )
        p, t, e, w = _PROFILES[profile]
        _options.update(precision=p, threshold=t, edgeitems=e, linewidth=w)
    for name, value in (("precision", precision), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):  # fmt: skip
        if value is not None:
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"set_printoptions: {name} must be an int >= 0, got {value!r}")
            _options[name] = int(value)
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
            raise ValueError(f"set_printoptions: threshold must be a number, got {threshold!r}")
        _options["threshold"] = sys.maxsize if threshold == float("inf") else int(threshold)
    _sci_mode = sci_mode


@contextlib.contextmanager
def print_context() -> Iterator[None]:
    """NumPy's printoptions set to the Tensor print options, for the `with` block only."""
    options = dict(_options)
    if _sci_mode is not None:
        digits = options.get("precision", np.get_printoptions()["precision"])
        options["suppress"] = not _sci_mode
        options["floatmode"] = "maxprec_equal"  # as PyTorch: all with the same digits
        if _sci_mode:
            options["formatter"] = {"float_kind": lambda v: np.format_float_scientific(
                v, precision=digits, unique=False)}  # fmt: skip
    with np.printoptions(**options):
        yield
