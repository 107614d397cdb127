"""td.testing.assert_close: PyTorch's tolerances by dtype, its messages, nesting, options."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds.testing import assert_close


def test_within_the_dtype_tolerances_passes_and_just_outside_fails():
    # float32: |a - e| <= 1e-5 + 1.3e-6 |e|
    e = np.array([0.0, 1.0, 100.0], dtype=np.float64)
    inside = e + 0.9 * (1e-5 + 1.3e-6 * np.abs(e))
    outside = e + 1.5 * (1e-5 + 1.3e-6 * np.abs(e))
    assert_close(td.tensor(inside, dtype=td.float32), td.tensor(e, dtype=td.float32))
    with pytest.raises(AssertionError, match=r"Mismatched elements: 3 / 3 \(100.0%\)"):
        assert_close(td.tensor(outside), td.tensor(e))  # float64: 1e-7 each, so all fail
    assert_close(td.tensor(outside), td.tensor(e), rtol=0.0, atol=1e-3)
    assert_close(td.tensor([1, 2]), td.tensor([1, 2]))
    with pytest.raises(AssertionError, match=r"Tensor-likes are not equal!"):
        assert_close(td.tensor([1, 2]), td.tensor([1, 3]))  # integers: exact


def test_nan_inf_and_equal_nan():
    a = td.tensor([np.nan, np.inf, -np.inf, 1.0])
    with pytest.raises(
        AssertionError, match=r"(?s)1 / 4 \(25.0%\).*difference: nan at index \(0,\)"
    ):
        assert_close(a, a.clone())
    assert_close(a, a.clone(), equal_nan=True)  # and equal infinities are close


def test_messages_name_the_greatest_differences():
    a = td.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = td.tensor([[1.0, 2.0], [3.5, 5.0]])
    with pytest.raises(AssertionError) as info:
        assert_close(a, b)
    assert str(info.value) == (
        "Tensor-likes are not close!\n\nMismatched elements: 2 / 4 (50.0%)\n"
        "Greatest absolute difference: 1.0 at index (1, 1) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.2 at index (1, 1) (up to 1.3e-06 allowed)"
    )


@pytest.mark.parametrize(
    "actual, expected, match",
    [
        (td.ones(2), td.ones(3), r"attribute 'shape' do not match: \(2,\) != \(3,\)"),
        (td.ones(2), td.ones(2, dtype=td.float64), r"'dtype' do not match: float32 != float64"),
        ([td.ones(1), td.ones(1)], [td.ones(1)], r"length of the sequences mismatch: 2 != 1"),
        ({"a": 1.0}, {"b": 1.0}, r"Missing keys in the actual mapping: \['b'\]"),
        (1, 1.0, r"The \(d\)types do not match: <class 'int'> != <class 'float'>"),
        ({"w": [td.zeros(1), td.zeros(2)]}, {"w": [td.zeros(1), td.ones(2)]},
         r"The failure occurred for item \['w'\]\[1\]"),
        (td.tensor(1.0), td.tensor(1.5), r"Scalars are not close!\n\nExpected 1.5 but got 1.0"),
    ],
)  # fmt: skip
def test_mismatches(actual, expected, match):
    with pytest.raises(AssertionError, match=match):
        assert_close(actual, expected)


def test_options():
    assert_close(td.ones(2), td.ones(2, dtype=td.float64), check_dtype=False)
    assert_close(td.nn.Parameter(td.ones(2)), td.ones(2))  # a subclass is a Tensor
    assert_close(np.arange(3.0), np.arange(3.0))  # NumPy arrays compare among themselves
    assert_close({"step": 3, "w": [td.ones(2)]}, {"step": 3, "w": [td.ones(2)]})
    with pytest.raises(AssertionError, match=r"^custom$"):
        assert_close(td.ones(2), td.zeros(2), msg="custom")
    with pytest.raises(AssertionError, match=r"^prefix: Tensor-likes are not close"):
        assert_close(td.ones(2), td.zeros(2), msg=lambda m: "prefix: " + m)
    x = td.arange(6.0).reshape(2, 3)
    assert_close(x.T, x.T.contiguous())
    with pytest.raises(AssertionError, match=r"'stride\(\)' do not match: \(1, 3\) != \(2, 1\)"):
        assert_close(x.T, x.T.contiguous(), check_stride=True)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: assert_close(td.ones(2), np.ones(2, np.float32)), TypeError,
         r"assert_close: cannot compare a Tensor with a ndarray; make both Tensors"),
        (lambda: assert_close("a", "a"), TypeError,
         r"assert_close: no way to compare inputs of type str and str"),
        (lambda: assert_close(td.ones(1), td.ones(1), rtol=1e-3), ValueError,
         r"both 'rtol' and 'atol' must be either specified or omitted, but got rtol=0.001"),
    ],
)  # fmt: skip
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_messages_match_pytorch():
    torch = pytest.importorskip("torch")
    pairs = [
        ([1.0, 2.0, 3.0], [1.0, 2.5, 3.0]),
        ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]]),
        ([0.0], [0.25]),
        (0.0, 0.25),
    ]
    for a, b in pairs:
        with pytest.raises(AssertionError) as ours:
            assert_close(td.tensor(a, dtype=td.float64), td.tensor(b, dtype=td.float64))
        with pytest.raises(AssertionError) as theirs:
            torch.testing.assert_close(torch.tensor(a, dtype=torch.float64),
                                       torch.tensor(b, dtype=torch.float64))  # fmt: skip
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(AssertionError) as ours:
        assert_close({"a": 1.0}, {"a": 1.5})
    with pytest.raises(AssertionError) as theirs:
        torch.testing.assert_close({"a": 1.0}, {"a": 1.5})
    assert str(ours.value) == str(theirs.value)


def test_autograd_against_the_closed_form():
    """The use it is for: a gradient checked against its closed form, d(sum x^3)/dx = 3x^2."""
    x = td.tensor([0.5, -1.0, 2.0], dtype=td.float64, requires_grad=True)
    (x**3).sum().backward()
    assert_close(x.grad, 3 * x.detach() ** 2)


def test_infinities_are_close_only_to_themselves():  # found in review
    inf = float("inf")
    assert_close(td.tensor([inf, -inf, 1.0]), td.tensor([inf, -inf, 1.0]))
    pairs = [
        (td.tensor([1.0]), td.tensor([inf])),  # |1 - inf| <= inf was "close"
        (td.tensor([-inf]), td.tensor([inf])),
        (1.0, inf),
        (td.tensor([inf]), td.tensor([3.0e38])),
    ]
    for actual, expected in pairs:
        with pytest.raises(AssertionError, match=r"not close"):
            assert_close(actual, expected)


def test_integers_are_compared_exactly_beyond_float64():  # found in review
    with pytest.raises(AssertionError, match=r"Tensor-likes are not equal"):
        assert_close(td.tensor([2**62]), td.tensor([2**62 + 1]))
    with pytest.raises(AssertionError, match=r"Scalars are not equal"):
        assert_close(2**62, 2**62 + 1)
    assert_close(td.tensor([2**62]), td.tensor([2**62]))
