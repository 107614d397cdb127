"""Edge cases found by comparing the Tensor with PyTorch: views and in-place changes, special
values, integer and empty tensors, grad mode. Expected values are closed forms (they are also
what PyTorch 2.13 gives)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import Tensor

# -- views and in-place changes ---------------------------------------------------------------


def test_an_expanded_tensor_shares_its_inputs_version():
    # Changing w after w.expand(...) was saved for backward is an error, not a stale gradient.
    w = td.tensor([1.0, 2.0], requires_grad=True)
    x = td.ones(3, 2, requires_grad=True)
    y = (w.expand(3, 2) * x).sum()
    with td.no_grad():
        w.add_(10)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_one_element_picked_by_ints_is_a_view_that_in_place_changes_reach():
    x = td.zeros(2, 3)
    x[1, 2].add_(5)
    x[0].mul_(2)
    assert x.tolist() == [[0, 0, 0], [0, 0, 5]]
    a = td.tensor([1.0, 2.0], requires_grad=True)
    c = a * 1
    c[0].mul_(3)  # recorded through c: c = [3, 2]
    (c * c).sum().backward()
    assert c.tolist() == [3.0, 2.0]
    np.testing.assert_allclose(a.grad.data, [18.0, 4.0])  # d(9 a0^2 + a1^2)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        a[0].mul_(3)


def test_views_taken_before_a_recorded_in_place_change_see_it():
    a = td.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a * 1
    v = c[0:2]
    u = v[1:]  # a view of a view
    c.mul_(10)
    assert v.tolist() == [10.0, 20.0] and u.tolist() == [20.0]
    v.add_(1)  # through c: c = [11, 21, 30]
    assert c.tolist() == [11.0, 21.0, 30.0] and u.tolist() == [21.0]
    (c.sum() + 5 * u.sum()).backward()
    np.testing.assert_allclose(a.grad.data, [10.0, 60.0, 10.0])  # c' = 10, plus 5 * 10 for u


def test_views_of_a_constant_follow_it_into_the_graph():
    # c needs no grad when v is taken; an in-place change then puts c in the graph
    b = td.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = td.zeros(3)
    v = c[:2]
    c.add_(b)
    assert v.requires_grad and v.tolist() == [1.0, 2.0]
    v.sum().backward()
    assert b.grad.tolist() == [1.0, 1.0, 0.0]
    b = td.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = td.ones(2, 3)
    whole, row = c[:], c[1]
    row -= b  # c[1] = 1 - b
    whole[0] = b  # c[0] = b: row is still c[1]
    (row * row).sum().backward()  # d/db sum (1 - b)^2 = -2 (1 - b)
    np.testing.assert_allclose(b.grad.data, [0.0, 2.0, 4.0])


def test_retain_grad_follows_a_tensor_through_in_place_changes():
    a = td.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 1
    y.retain_grad()
    y.mul_(2)
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0, 1.0]  # the gradient of y's value now
    a = td.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 1
    v = y[1:]
    v.retain_grad()
    y.mul_(2)
    v.sum().backward()
    assert v.grad.tolist() == [1.0, 1.0] and a.grad.tolist() == [0.0, 2.0, 2.0]


def test_a_view_taken_under_no_grad_is_not_changed_in_place_with_grad_on():
    a = td.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 2
    with td.no_grad():
        v = y[:2]
    for change in (lambda: v.mul_(5.0), lambda: v.add_(a[:2])):
        with pytest.raises(RuntimeError, match=r"_: this tensor .* taken under no_grad\(\)"):
            change()
    with td.no_grad():
        v.mul_(5.0)  # allowed where the view was made; the version counter guards the graph
    assert y.tolist() == [10.0, 20.0, 6.0]


def test_the_list_of_views_stays_as_long_as_the_live_views():
    y = td.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1
    for _ in range(1000):
        y[1:3].sum()
    assert len(y._views) < 32
    x = td.tensor([1.0, 2.0, 3.0, 4.0])
    for _ in range(1000):
        x[1:3].sum()
    assert len(x._views) < 32


def test_views_of_a_view_of_a_reshape_refuse_recorded_changes_naming_the_operation():
    y = td.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1
    with pytest.raises(RuntimeError, match="add_: .* made by reshape, permute, expand or detach"):
        y.reshape(2, 2)[0].add_(1)


def test_a_clone_of_a_broadcast_is_c_ordered_so_a_reshape_of_it_is_a_view():
    t = td.ones(4).expand(2, 4).clone()
    v = t.reshape(8)
    t.mul_(2)
    assert t.data.flags.c_contiguous and v.tolist() == [2.0] * 8


def test_a_recorded_in_place_change_of_a_saved_output_is_an_error_at_backward():
    a = td.tensor([1.0, 2.0], requires_grad=True)
    z = a.exp()  # exp saves its output for backward
    z.add_(1)
    with pytest.raises(RuntimeError, match="Exp: its output .* modified by an in-place"):
        z.sum().backward()
    b = td.tensor([1.0, 2.0], requires_grad=True)
    c = b + 0  # add saves nothing: changing c is fine, as in PyTorch
    c += c * 2
    c.sum().backward()
    assert b.grad.tolist() == [3.0, 3.0]


def test_in_place_on_a_broadcast_view_is_a_clear_error():
    e = td.tensor([1.0, 2.0]).expand(3, 2)
    for change, what in [(lambda: e.add_(1), "add_"), (lambda: e.zero_(), "fill_"),
                         (lambda: e.__setitem__(0, td.tensor([5.0, 5.0])), "setitem")]:  # fmt: skip
        with pytest.raises(ValueError, match=f"{what}: .* read-only view"):
            change()


def test_an_integer_tensor_cannot_take_a_result_that_needs_a_gradient():
    w = td.tensor([1.0, 1.0], requires_grad=True)
    with pytest.raises(TypeError, match="add_: the result needs a gradient, which a int64"):
        td.tensor([1, 2]).add_(w)


def test_clamp_in_place_with_a_tensor_bound_that_requires_grad_is_recorded():
    x = td.tensor([1.0, 5.0, 9.0])
    low = td.tensor([2.0, 2.0, 2.0], requires_grad=True)
    x.clamp_(min=low)
    assert x.tolist() == [2.0, 5.0, 9.0] and x.requires_grad
    x.sum().backward()
    assert low.grad.tolist() == [1.0, 0.0, 0.0]
    for bound in (td.ones(2, 3), td.ones(2)):
        with pytest.raises(ValueError, match="clamp_: a bound of shape .* does not broadcast"):
            td.ones(3).clamp_(min=bound)


def test_clamp_in_place_needs_a_bound():
    with pytest.raises(ValueError, match="clamp_: give at least one of min and max"):
        td.ones(2).clamp_()


# -- special values ---------------------------------------------------------------------------


def test_std_of_constant_values_has_a_zero_gradient():
    x = td.tensor([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]], dtype=td.float64, requires_grad=True)
    x.std(dim=1).sum().backward()
    assert x.grad.data[0].tolist() == [0.0, 0.0, 0.0]
    assert np.isfinite(x.grad.data).all()
    row = x.data[1]  # d std / dx_i = (x_i - mean) / ((n - 1) std)
    np.testing.assert_allclose(x.grad.data[1], (row - row.mean()) / (2 * row.std(ddof=1)))
    assert td.gradcheck(lambda a: a.std(dim=1), [Tensor(np.array([[1.0, 2.0, 4.0]]),
                                                        requires_grad=True)])  # fmt: skip


def test_logsumexp_takes_infinities_and_pytorchs_keywords():
    assert td.tensor([-np.inf, -np.inf]).logsumexp(0).item() == -np.inf
    assert td.tensor([np.inf, 1.0]).logsumexp(0).item() == np.inf
    a = np.array([[1.0, 2.0], [3.0, 5.0]])
    x = Tensor(a, requires_grad=True)
    out = x.logsumexp(dim=1, keepdim=True)
    assert out.shape == (2, 1)
    np.testing.assert_allclose(out.data[:, 0], np.log(np.exp(a).sum(axis=1)))
    np.testing.assert_allclose(x.logsumexp(axis=None).item(), np.log(np.exp(a).sum()))
    assert td.gradcheck(lambda t: t.logsumexp(dim=0), [x])
    with pytest.raises(IndexError, match="logsumexp: axis 2 is out of range"):
        x.logsumexp(2)


def test_var_and_std_take_pytorchs_unbiased():
    x = td.tensor([[1.0, 2.0, 4.0]])
    assert x.var(1, unbiased=False).item() == pytest.approx(np.var([1, 2, 4]))
    assert x.std(1, unbiased=True).item() == pytest.approx(np.std([1, 2, 4], ddof=1))


# -- integer, bool and empty tensors ----------------------------------------------------------


def test_min_and_minimum_of_bool_and_unsigned_tensors():
    assert td.tensor([True, False]).min().item() is False
    u = Tensor(np.array([3, 0, 2], dtype=np.uint8))
    assert u.min().item() == 0 and u.min().dtype == np.uint8
    assert u.minimum(1).tolist() == [1, 0, 1] and u.minimum(1).dtype == np.uint8
    f = td.tensor([1.0, 2.0], requires_grad=True)
    f.minimum(Tensor(np.array([2, 0], dtype=np.uint8))).sum().backward()
    assert f.grad.tolist() == [1.0, 0.0]


def test_masked_fill_keeps_the_tensors_dtype():
    out = td.tensor([1, 2, 3]).masked_fill(td.tensor([True, False, True]), 2.5)
    assert out.dtype == np.int64 and out.tolist() == [2, 2, 2]
    x = td.tensor([1.0, 2.0], requires_grad=True)
    v = td.tensor(0.5, dtype=td.float64, requires_grad=True)
    y = x.masked_fill(np.array([True, False]), v)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0] and v.grad.item() == 1.0 and v.grad.dtype == np.float64


def test_leaky_relu_of_an_integer_tensor_computes_in_float():
    out = td.tensor([-100, 5]).leaky_relu(0.5)
    assert out.dtype == np.float32 and out.tolist() == [-50.0, 5.0]


def test_empty_tensors_reduce_and_index_as_in_pytorch():
    assert np.isnan(td.ones(0, 3).mean(0).data).all() and td.ones(0, 3).mean(0).shape == (3,)
    assert td.ones(0, 3).max(dim=1).shape == (0,)
    x = td.tensor([1.0, 2.0], requires_grad=True)
    picked = x[[]]
    assert picked.shape == (0,)
    (picked.sum() + x.sum()).backward()
    assert x.grad.tolist() == [1.0, 1.0]


# -- grad mode --------------------------------------------------------------------------------


def test_set_grad_enabled_called_as_a_function_takes_effect_at_once():
    try:
        td.set_grad_enabled(False)
        assert not td.is_grad_enabled()
        assert not (td.ones(2, requires_grad=True) * 2).requires_grad
    finally:
        td.set_grad_enabled(True)
    assert td.is_grad_enabled()
    with td.set_grad_enabled(False):
        assert not td.is_grad_enabled()
        with td.enable_grad():
            assert td.is_grad_enabled()
        assert not td.is_grad_enabled()
    assert td.is_grad_enabled()

    @td.set_grad_enabled(False)
    def mode() -> bool:
        return td.is_grad_enabled()

    assert td.is_grad_enabled() and mode() is False and td.is_grad_enabled()


def test_comparisons_with_a_complex_number_compare_elementwise():
    x = td.tensor([0.0, 1.0, 2.0])
    assert (x == complex(1, 0)).tolist() == [False, True, False]
    assert (x != 1j).tolist() == [True, True, True]


def test_copy_from_and_like_with_bad_arguments_name_the_function():
    with pytest.raises(TypeError, match="copy_: cannot copy from 'a'"):
        td.randn(2, 3).copy_("a")
    with pytest.raises(TypeError, match="ones_like: expected a dtype, got Tensor"):
        td.ones_like(td.ones(2), td.ones(3, 2))


def test_pad_widths_of_the_wrong_shape_and_negating_bools_are_clear_errors():
    with pytest.raises(ValueError, match=r"pad: pad_width .* per axis of shape \(2, 2\)"):
        td.ones(2, 2).pad(((1, 1), (1, 1), (1, 1)))
    with pytest.raises(TypeError, match=r"- \(neg\): a bool tensor has no negation"):
        -td.tensor([True, False])
    assert td.ones(2, 2).pad(1).shape == (4, 4)


def test_a_0d_tensor_has_a_softmax_and_an_argmax_as_in_pytorch():
    x = td.tensor(2.5, dtype=td.float64, requires_grad=True)
    assert x.softmax(0).item() == 1.0 and x.log_softmax(-1).item() == 0.0
    assert x.argmax(0).item() == 0 and x.argmin(-1).item() == 0 and x.argmax().item() == 0
    assert td.gradcheck(lambda t: t.log_softmax(0) + t * t, [x])
    with pytest.raises(IndexError, match="softmax: axis 1 is out of range for a tensor of 0 dims"):
        x.softmax(1)


def test_no_grad_on_a_generator_function_holds_in_each_of_its_steps():
    @td.no_grad()
    def steps():
        for k in range(3):
            got = yield td.is_grad_enabled()
            assert got == k
        return "done"

    gen = steps()
    assert next(gen) is False
    assert td.is_grad_enabled()  # between steps the caller's mode holds
    assert gen.send(0) is False and gen.send(1) is False
    with pytest.raises(StopIteration) as stop:
        gen.send(2)
    assert stop.value.value == "done" and td.is_grad_enabled()

    @td.no_grad
    def failing():
        try:
            yield 1
        except KeyError:
            yield td.is_grad_enabled()

    gen = failing()
    next(gen)
    assert gen.throw(KeyError("k")) is False  # an exception thrown in reaches the steps


def test_more_bad_arguments_name_their_function():
    x = td.ones(4, 3)
    cases = [
        (lambda: x.chunk("a"), TypeError, "chunk: the number of chunks must be an int"),
        (lambda: x.leaky_relu("a"), TypeError, "leaky_relu: negative_slope must be a number"),
        (lambda: td.nn.functional.conv2d(td.ones(1, 1, 3, 3), None), TypeError,
         "conv2d: expected a Tensor or an array of numbers, got None"),
        (lambda: td.nn.functional.dropout(x, 0.5, training="no"), TypeError,
         "dropout: training must be True or False"),
    ]  # fmt: skip
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()
    assert len(x.chunk(np.int64(2))) == 2
    assert x.leaky_relu(np.float32(0.2)).shape == (4, 3)
