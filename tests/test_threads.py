"""Thread counts, deterministic algorithms and float32 matmul precision (torch_api/threads.py)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds.torch_api import threads


@pytest.fixture
def restore_threads():
    before = td.get_num_threads()
    yield
    td.set_num_threads(before)


def test_set_num_threads_sets_the_blas_threads(restore_threads):
    if threads._openblas_function("set_num_threads") is None:
        pytest.skip("NumPy's BLAS here is not an OpenBLAS (the fallback is tested below)")
    for n in (1, 2, 1):
        td.set_num_threads(n)
        assert td.get_num_threads() == n
    a = np.arange(64 * 64, dtype=np.float64).reshape(64, 64) / 4096
    assert np.array_equal((td.tensor(a) @ td.tensor(a)).data, a @ a)  # same bits, one thread


def test_without_openblas_the_count_is_kept_with_a_warning(monkeypatch):
    monkeypatch.setattr(threads, "_openblas_function", lambda name: None)
    monkeypatch.setitem(threads._settings, "threads", None)
    with pytest.warns(RuntimeWarning, match=r"set_num_threads: NumPy's BLAS library is not"):
        td.set_num_threads(3)
    assert td.get_num_threads() == 3


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: td.set_num_threads(0), RuntimeError, r"set_num_threads expects a positive "),
        (lambda: td.set_num_threads(2.0), TypeError, r"set_num_threads expects an int, but got "),
        (lambda: td.set_num_interop_threads(-1), RuntimeError, r"set_num_interop_threads expe"),
        (lambda: td.use_deterministic_algorithms(1), TypeError,
         r"use_deterministic_algorithms: mode must be a bool, not int"),
        (lambda: td.use_deterministic_algorithms(True, warn_only="yes"), TypeError,
         r"warn_only must be a bool"),
    ],
)  # fmt: skip
def test_bad_settings(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_settings_round_trip(monkeypatch):
    monkeypatch.setattr(threads, "_settings", dict(threads._settings))  # leave no trace
    assert td.get_num_interop_threads() == 1
    td.set_num_interop_threads(4)
    assert td.get_num_interop_threads() == 4
    assert not td.are_deterministic_algorithms_enabled()
    td.use_deterministic_algorithms(True, warn_only=True)
    assert td.are_deterministic_algorithms_enabled()
    assert td.is_deterministic_algorithms_warn_only_enabled()
    assert td.get_float32_matmul_precision() == "highest"
    td.set_float32_matmul_precision("high")
    assert td.get_float32_matmul_precision() == "high"
    with pytest.warns(UserWarning, match=r"'low' is not one of 'highest', 'high', or 'medium'"):
        td.set_float32_matmul_precision("low")
    assert td.get_float32_matmul_precision() == "high"


def test_defaults_and_errors_match_pytorch():
    torch = pytest.importorskip("torch")
    assert td.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    assert td.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
    for n in (0, -2):
        with pytest.raises(RuntimeError) as ours:
            td.set_num_threads(n)
        with pytest.raises(RuntimeError) as theirs:
            torch.set_num_threads(n)
        assert str(ours.value).startswith(str(theirs.value))
