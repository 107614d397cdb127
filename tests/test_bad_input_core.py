"""Bad input to the Tensor core gets a clear error naming the operation and the value or shapes
at fault (never a silent wrong answer, nor a NumPy traceback from deep inside).

One table: (call, exception type, regex on the message). Each row names the function called
and the bad value; each was accepted silently, or failed with another message, before.
Below it, the valid inputs next to those rows still work."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td

x = td.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -2.0]])  # (2, 3) float32
y = td.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # (3, 2)
mask = td.tensor([[True, False, True], [False, True, False]])
OBJ = np.array([1.0, "a", None], dtype=object)

# fmt: off
ERRORS = [
    # 1. only bool, integer and float data make a tensor
    (lambda: td.Tensor(OBJ), TypeError, r"Tensor: .*dtype object"),
    (lambda: td.tensor(["a", "b"], dtype=td.float32), TypeError, r"Tensor: .*dtype <U1"),
    (lambda: td.Tensor(np.ones(2, complex)), TypeError, r"Tensor: .*dtype complex128"),
    (lambda: td.Tensor(np.array(["2020-01-01"], "M8[D]")), TypeError, r"Tensor: .*datetime64"),
    (lambda: td.tensor("1.5", dtype=td.float32), TypeError, r"Tensor: .*dtype <U3"),
    (lambda: td.zeros(2, dtype=str), TypeError, r"zeros: dtype <U0 is not supported"),
    (lambda: td.ones(2, dtype=object), TypeError, r"ones: dtype object is not supported"),
    (lambda: td.zeros(2, dtype=complex), TypeError, r"zeros: dtype complex128 is not supp"),
    (lambda: td.zeros(2, dtype="banana"), TypeError, r"zeros: 'banana' is not a dtype"),
    (lambda: x.astype("S"), TypeError, r"astype: dtype \|S0 is not supported"),
    (lambda: x.astype(None), TypeError, r"astype: expected a dtype, got None"),
    (lambda: x.to({}), TypeError, r"to: expected a dtype, got dict"),
    (lambda: x.to(object), TypeError, r"to: dtype object is not supported"),
    (lambda: td.tensor([1.0], dtype=str), TypeError, r"Tensor: dtype <U0 is not supported"),
    (lambda: td.zeros_like(None), TypeError, r"zeros_like: .* got NoneType"),
    (lambda: td.ones_like("abc"), TypeError, r"ones_like: .* got str"),
    (lambda: td.randn_like(None), TypeError, r"randn_like: .* got NoneType"),
    (lambda: td.zeros_like(x, dtype=object), TypeError, r"zeros_like: dtype object"),
    # 2. ragged nested lists
    (lambda: td.tensor([[1.0, 2.0], [3.0]]), ValueError, r"Tensor: nested lists of unequal"),
    (lambda: td.Tensor([[1, 2], [3]], dtype=td.float32), ValueError, r"Tensor: nested lists"),
    (lambda: x + [[1.0, 2.0], [3.0]], ValueError, r"Tensor: nested lists of unequal"),
    (lambda: td.ones_like([[1], [2, 3]]), ValueError, r"Tensor: nested lists of unequal"),
    # 3. sizes: ints (not floats, not bools) >= 0; -1 only where it means "inferred"
    (lambda: td.zeros(2.7, 3), TypeError, r"zeros: sizes must be ints, got 2\.7"),
    (lambda: td.ones((2, 3.0)), TypeError, r"ones: sizes must be ints, got 3\.0"),
    (lambda: td.randn(2.5), TypeError, r"randn: sizes must be ints, got 2\.5"),
    (lambda: td.rand("3"), TypeError, r"rand: sizes must be ints, got '3'"),
    (lambda: td.full((2, None), 1.0), TypeError, r"full: sizes must be ints, got None"),
    (lambda: td.zeros(True, 2), TypeError, r"zeros: sizes must be ints, got True"),
    (lambda: td.zeros(-1), ValueError, r"zeros: sizes must be >= 0, got -1"),
    (lambda: td.ones(2, -2), ValueError, r"ones: sizes must be >= 0, got -2"),
    (lambda: td.randn(-1), ValueError, r"randn: sizes must be >= 0, got -1"),
    (lambda: td.full(-1, 0.0), ValueError, r"full: sizes must be >= 0, got -1"),
    (lambda: td.eye(2.5), TypeError, r"eye: sizes must be ints, got 2\.5"),
    (lambda: td.eye(-1), ValueError, r"eye: sizes must be >= 0, got -1"),
    (lambda: td.eye(2, -1), ValueError, r"eye: sizes must be >= 0, got -1"),
    (lambda: x.repeat(2.5, 1), TypeError, r"repeat: sizes must be ints, got 2\.5"),
    (lambda: x.expand(2, 3.5), TypeError, r"expand: sizes must be ints, got 3\.5"),
    (lambda: x.permute(1.5, 0), TypeError, r"permute: dims must be ints, got 1\.5"),
    (lambda: x.reshape(1.5, 4), TypeError, r"reshape: sizes must be ints, got 1\.5"),
    (lambda: x.reshape(-2, -3), ValueError, r"reshape: sizes must be -1 .* got -3"),
    (lambda: x.view(3, -2), ValueError, r"reshape: sizes must be -1 .* got -2"),
    (lambda: td.arange(0, 10, 0), ValueError, r"arange: step must be nonzero"),
    (lambda: td.arange(None), TypeError, r"arange: start must be a number, got None"),
    (lambda: td.arange(0, "a"), TypeError, r"arange: end must be a number, got 'a'"),
    (lambda: td.arange(0, float("inf")), ValueError, r"arange: .* must be finite"),
    (lambda: td.Tensor.uniform(2, high=float("inf")), ValueError, r"uniform: need finite"),
    # 4. axes are ints (or, for reductions, tuples of ints)
    (lambda: x.sum(dim="a"), TypeError, r"sum: dim must be an int or a tuple of ints, got 'a'"),
    (lambda: x.mean(dim=1.5), TypeError, r"mean: dim must be .* got 1\.5"),
    (lambda: x.max(dim=(0, "a")), TypeError, r"max: dim must be .* got \(0, 'a'\)"),
    (lambda: x.sum(x), TypeError, r"sum: dim must be an int or a tuple of ints"),
    (lambda: x.any("a"), TypeError, r"any: dim must be .* got 'a'"),
    (lambda: x.logsumexp(1.5), TypeError, r"logsumexp: dim must be .* got 1\.5"),
    (lambda: x.argmax(dim=(0, 1)), TypeError, r"argmax: dim must be an int, got \(0, 1\)"),
    (lambda: x.argmin(dim="a"), TypeError, r"argmin: dim must be an int, got 'a'"),
    (lambda: x.softmax("a"), TypeError, r"softmax: dim must be an int, got 'a'"),
    (lambda: x.log_softmax(None), TypeError, r"log_softmax: dim must be an int, got None"),
    (lambda: td.softmax(x, dim=1.0), TypeError, r"softmax: dim must be an int, got 1\.0"),
    (lambda: td.cat([x, x], dim="a"), TypeError, r"cat: dim must be an int, got 'a'"),
    (lambda: td.stack([x, x], dim=(0,)), TypeError, r"stack: dim must be an int, got \(0,\)"),
    (lambda: x.transpose("a", 0), TypeError, r"transpose: dim must be an int, got 'a'"),
    (lambda: x.unsqueeze(None), TypeError, r"unsqueeze: dim must be an int, got None"),
    (lambda: x.flatten((0,)), TypeError, r"flatten: dim must be an int, got \(0,\)"),
    (lambda: x.split(1, dim=0.5), TypeError, r"split: dim must be an int, got 0\.5"),
    (lambda: x.size(5), IndexError, r"size: axis 5 is out of range for a tensor of 2 dims"),
    (lambda: x.size("a"), TypeError, r"size: dim must be an int, got 'a'"),
    # 5. comparisons whose shapes do not broadcast
    (lambda: x == y, ValueError, r"== \(eq\): shapes \(2, 3\) and \(3, 2\) do not broadcast"),
    (lambda: x != y, ValueError, r"!= \(ne\): shapes \(2, 3\) and \(3, 2\)"),
    (lambda: x < y.data, ValueError, r"< \(lt\): shapes \(2, 3\) and \(3, 2\)"),
    (lambda: x.le([1.0, 2.0]), ValueError, r"<= \(le\): shapes \(2, 3\) and \(2,\)"),
    (lambda: x.gt(y), ValueError, r"> \(gt\): shapes \(2, 3\) and \(3, 2\)"),
    (lambda: x.ge(np.ones(4)), ValueError, r">= \(ge\): shapes \(2, 3\) and \(4,\)"),
    (lambda: x < None, TypeError, r"'<' not supported between instances of 'Tensor' and 'NoneT"),
    (lambda: x >= "abc", TypeError, r"'>=' not supported between instances of 'Tensor' and 'str"),
    # 6. operands that are not numbers
    (lambda: x + None, TypeError, r"\+ \(add\): unsupported operand of type NoneType"),
    (lambda: None - x, TypeError, r"- \(sub\): unsupported operand of type NoneType"),
    (lambda: x * "a", TypeError, r"\* \(mul\): unsupported operand of type str"),
    (lambda: x / {}, TypeError, r"/ \(div\): unsupported operand of type dict"),
    (lambda: x**1j, TypeError, r"\*\* \(pow\): unsupported operand of type complex"),
    (lambda: x @ "a", TypeError, r"@ \(matmul\): unsupported operand of type str"),
    (lambda: x + OBJ, TypeError, r"\+ \(add\): unsupported operand of type ndarray of dtype obj"),
    (lambda: x + np.array(["a"] * 3), TypeError, r"\+ \(add\): .* of dtype <U1"),
    (lambda: x.add(None, alpha=2), TypeError, r"add: unsupported operand of type NoneType"),
    (lambda: x.maximum("a"), TypeError, r"maximum: unsupported operand of type str"),
    (lambda: x.minimum(None), TypeError, r"minimum: unsupported operand of type NoneType"),
    (lambda: x.matmul(None), TypeError, r"matmul: unsupported operand of type NoneType"),
    (lambda: x.fill_("a"), TypeError, r"fill_: unsupported operand of type str"),
    (lambda: x.__setitem__(0, None), TypeError, r"setitem: unsupported operand of type NoneT"),
    (lambda: td.cat([x, None]), TypeError, r"cat: expected tensors, arrays or numbers, got None"),
    (lambda: td.stack([x, OBJ]), TypeError, r"stack: .* got ndarray of dtype object"),
    (lambda: td.where(None, x, x), TypeError, r"where: .* got NoneType"),
    (lambda: td.where(mask, "a", 0.0), TypeError, r"where: .* got str"),
    (lambda: td.sin("a"), TypeError, r"sin: expected tensors, arrays or numbers, got str"),
    (lambda: td.Tensor(2.0).softmax(0.0), TypeError, r"softmax: dim must be an int, got 0\.0"),
    (lambda: td.Tensor(2.0).cumsum(False), TypeError, r"cumsum: dim must be an int, got False"),
    (lambda: td.exp(None), TypeError, r"exp: expected tensors, arrays or numbers, got NoneType"),
    (lambda: td.softmax(OBJ, 0), TypeError, r"softmax: .* got ndarray of dtype object"),
    (lambda: td.maximum("a", x), TypeError, r"maximum: .* got str"),
    # 7. None (or a string) where a value is needed
    (lambda: td.full((2, 2), None), TypeError, r"full: fill_value must be a number, got None"),
    (lambda: td.full((2, 2), "a"), TypeError, r"full: fill_value must be a number, got 'a'"),
    (lambda: td.full((2,), [1, 2, 3]), TypeError, r"full: fill_value must be a number"),
    (lambda: td.full_like(x, None), TypeError, r"full_like: fill_value must be a number"),
    (lambda: x.masked_fill(mask, None), TypeError, r"masked_fill: value must be a number .*None"),
    (lambda: x.masked_fill(mask, "a"), TypeError, r"masked_fill: value must be a number .*'a'"),
    # 8. random samples are floats
    (lambda: td.rand(5, dtype=td.int64), TypeError, r"rand: random samples need a floating dtype, got int64"),  # noqa: E501
    (lambda: td.rand(5, dtype=bool), TypeError, r"rand: .* floating dtype, got bool"),
    (lambda: td.randn(5, dtype=td.int64), TypeError, r"randn: .* floating dtype, got int64"),
    (lambda: td.Tensor.uniform(3, dtype=td.int32), TypeError, r"uniform: .* got int32"),
    (lambda: td.randn_like(x, dtype=td.int64), TypeError, r"randn_like: .* got int64"),
    # 9. cat and stack take a sequence
    (lambda: td.cat(x), TypeError, r"cat: expected a sequence of tensors, got a Tensor"),
    (lambda: td.stack(x), TypeError, r"stack: expected a sequence of tensors, got a Tensor"),
    (lambda: td.cat(x.data), TypeError, r"cat: expected a sequence of tensors, got a ndarray"),
    # 10. the function called is the one named
    (lambda: x.minimum(y), ValueError, r"minimum: shapes \(2, 3\) and \(3, 2\) do not broadcast"),
    (lambda: x.minimum(np.ones(4)), ValueError, r"minimum: shapes \(2, 3\) and \(4,\)"),
    (lambda: x.min(dim=5), IndexError, r"min: axis 5 is out of range"),
    (lambda: x.min(dim=(0, 0)), ValueError, r"min: repeated axis"),
    (lambda: td.zeros(0, 3).min(), ValueError, r"min: cannot reduce over an empty axis"),
    (lambda: x.amin(dim=(0, 0)), ValueError, r"amin: repeated axis in \(0, 0\)"),
    (lambda: x.amax(dim=2), IndexError, r"amax: axis 2 is out of range"),
    (lambda: x.std(dim=5), IndexError, r"std: axis 5 is out of range"),
    (lambda: x.std(dim="a"), TypeError, r"std: dim must be .* got 'a'"),
    # 11. empty inputs
    (lambda: td.zeros(0, 3).argmax(), ValueError, r"argmax: no argmax of an empty tensor .*\(0, 3\)"),  # noqa: E501
    (lambda: td.zeros(0, 3).argmin(dim=0), ValueError, r"argmin: no argmin of an empty dim 0"),
    # 12., 13. seeds and the default dtype
    (lambda: td.manual_seed(1.5), TypeError, r"manual_seed: the seed must be an int, got 1\.5"),
    (lambda: td.manual_seed("a"), TypeError, r"manual_seed: the seed must be an int, got 'a'"),
    (lambda: td.manual_seed(None), TypeError, r"manual_seed: the seed must be an int, got None"),
    (lambda: td.set_default_dtype(None), TypeError, r"set_default_dtype: expected a dtype, got None"),  # noqa: E501
    (lambda: td.set_default_dtype("banana"), TypeError, r"set_default_dtype: 'banana' is not a"),
    # 14. in-place operands: the operand error, naming the method
    (lambda: x.clone().add_(None), TypeError, r"add_: unsupported operand of type NoneType"),
    (lambda: x.clone().mul_("a"), TypeError, r"mul_: unsupported operand of type str"),
    (lambda: x.clone().sub_(np.ones(4)), ValueError, r"sub_: cannot update a tensor of shape \(2, 3\)"),  # noqa: E501
]
# fmt: on


@pytest.mark.parametrize(
    "call, error, message", ERRORS, ids=[f"{i}:{row[2][:40]}" for i, row in enumerate(ERRORS)]
)
def test_bad_input_is_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_set_default_dtype_is_unchanged_by_a_refused_dtype():
    for bad in (None, td.int64, "banana"):
        with pytest.raises(TypeError, match="set_default_dtype"):
            td.set_default_dtype(bad)
        assert td.get_default_dtype() == td.float32


# -- the valid inputs next to the rows above still work ---------------------------------------


def test_numpy_ints_and_one_tuple_are_sizes():
    n = np.int64(3)
    assert td.zeros(n, np.int32(2)).shape == (3, 2)
    assert td.ones((n, 2)).shape == (3, 2)
    assert td.randn([2, n]).shape == (2, 3)
    assert td.eye(n).shape == (3, 3) and td.eye(2, np.int64(0)).shape == (2, 0)
    assert td.full(n, 1.0).shape == (3,)
    assert td.zeros(0, 3).shape == (0, 3) and td.zeros().shape == ()
    assert x.repeat(n, 1).shape == (6, 3)
    assert x.reshape(np.int64(-1)).shape == (6,)
    assert x.reshape(3, -1).shape == (3, 2) and x.view((-1, 2)).shape == (3, 2)
    assert x.reshape(td.tensor(6)).shape == (6,)  # a one-element int tensor is an index
    assert x.expand(4, -1, 3).shape == (4, 2, 3)
    assert x.permute(-1, 0).shape == (3, 2) and x.permute(np.int64(1), 0).shape == (3, 2)


def test_numpy_int_axes_and_tuples_still_reduce():
    np.testing.assert_allclose(x.sum(dim=np.int64(1)).data, x.data.sum(1))
    np.testing.assert_allclose(x.sum(dim=[0, 1]).data, x.data.sum())
    np.testing.assert_allclose(x.mean(axis=(-1,)).data, x.data.mean(-1))
    assert x.argmax(dim=np.int32(1)).tolist() == [2, 0]
    assert x.softmax(np.int64(-1)).shape == (2, 3)
    assert td.cat([x, x], dim=np.int64(1)).shape == (2, 6)
    assert x.size(-1) == 3 and x.size(np.int64(0)) == 2
    assert x.min(dim=1).tolist() == [-1.0, -2.0] and x.amin(dim=(0, 1)).item() == -2.0
    np.testing.assert_allclose(x.std(dim=1).data, x.data.std(1, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.std(1, correction=0).data, x.data.std(1), rtol=1e-6)


def test_valid_dtypes_and_data_still_make_tensors():
    for dtype in (td.float32, "float64", np.int32, bool, np.uint8, np.float16):
        assert td.zeros(2, dtype=dtype).dtype == np.dtype(dtype)
        assert x.astype(dtype).dtype == np.dtype(dtype)
    assert td.tensor([1, 2], dtype=td.float32).tolist() == [1.0, 2.0]
    assert td.Tensor(np.array([1, 2], np.uint16)).dtype == np.uint16
    assert td.Tensor(np.array([1.0], ">f4")).tolist() == [1.0]  # non-native byte order
    assert td.zeros_like([[1, 2]]).shape == (1, 2) and td.ones_like(x).dtype == td.float32
    assert td.full((2,), np.float64(1.5)).tolist() == [1.5, 1.5]
    assert td.full((2,), td.tensor(3)).tolist() == [3, 3]
    assert td.rand(2, dtype=td.float64).dtype == td.float64


def test_comparisons_with_numbers_arrays_and_none():
    assert (x == 0.0).tolist() == [[False, False, False], [False, True, False]]
    assert (x < np.zeros(3)).shape == (2, 3) and (x >= [0.0, 0.0, 0.0]).shape == (2, 3)
    assert (x == None) is False and (x != None) is True  # noqa: E711 (as PyTorch)


def test_operands_that_are_numbers_lists_and_arrays_still_work():
    assert (x + [1.0, 2.0, 3.0]).shape == (2, 3)
    assert (x * np.float64(2.0)).dtype == td.float32
    assert (x + np.ones(3, np.int64)).shape == (2, 3)
    z = td.zeros(2, 3)
    z[0] = [1.0, 2.0, 3.0]
    assert z.tolist()[0] == [1.0, 2.0, 3.0]
    assert x.masked_fill(mask, 0).tolist()[0] == [0.0, -1.0, 0.0]


def test_empty_axes_give_empty_results_where_pytorch_does():
    e = td.zeros(0, 3, requires_grad=True)
    assert e.softmax(dim=0).shape == (0, 3)
    assert e.log_softmax(dim=-1).shape == (0, 3)
    assert td.zeros(3, 0).softmax(dim=1).shape == (3, 0)
    e.softmax(dim=0).sum().backward()
    assert e.grad.shape == (0, 3)
    assert td.zeros(0, 3).argmax(dim=1).shape == (0,)  # no empty reduction: an empty result


def test_any_int_seed_is_reproducible():
    for seed in (-1, -(2**70), 2**70, np.int64(-5), 0):
        td.manual_seed(seed)
        a = td.randn(4).tolist()
        td.manual_seed(seed)
        assert td.randn(4).tolist() == a
    td.manual_seed(-1)
    a = td.randn(4).tolist()
    td.manual_seed(1)
    assert td.randn(4).tolist() != a  # -1 is not 1


def test_arange_steps():
    assert td.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert td.arange(5, step=2).tolist() == [0, 2, 4]
    assert td.arange(1, 2, 0.5).tolist() == [1.0, 1.5]
    assert td.arange(td.tensor(3)).tolist() == [0, 1, 2]
