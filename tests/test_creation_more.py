"""More factories (creation.py): ranges, random integers, permutations, normal, bernoulli and
multinomial samples, from_numpy and as_tensor, empty; and the Tensor's dtype methods (int,
short, bool, half, type_as, element_size, is_floating_point, nelement). Values against NumPy, seeded
reproducibility, statistical sanity with a fixed seed, errors by message, and the
deterministic ones against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td

# -- ranges ----------------------------------------------------------------------------------


def test_linspace_and_logspace_values_and_dtypes():
    out = td.linspace(0, 10, 5)
    assert out.dtype == np.float32 and out.tolist() == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert td.linspace(0, 10, 5, dtype=td.int64).tolist() == [0, 2, 5, 7, 10]
    assert td.linspace(-1.0, 1.0, 1).tolist() == [-1.0] and td.linspace(0, 1, 0).shape == (0,)
    x = td.linspace(td.tensor(1.0), 2, 4, dtype=td.float64, requires_grad=True)
    assert x.requires_grad and x.dtype == np.float64
    np.testing.assert_allclose(x.data, np.linspace(1, 2, 4))
    np.testing.assert_allclose(td.logspace(0, 2, 3).data, [1, 10, 100])
    np.testing.assert_allclose(td.logspace(-1, 3, 5, base=2.0).data, 2.0 ** np.arange(-1, 4))


def test_empty_is_zero_filled():
    assert td.empty(2, 3).tolist() == [[0.0] * 3] * 2 and td.empty((2,)).dtype == np.float32
    e = td.empty_like(td.tensor([[1, 2]]))
    assert e.dtype == np.int64 and e.tolist() == [[0, 0]]
    assert td.empty_like(td.ones(2), dtype=td.float64, requires_grad=True).requires_grad


# -- from NumPy and other data ---------------------------------------------------------------


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(6.0).reshape(2, 3)
    t = td.from_numpy(a)
    assert t.dtype == np.float64 and np.shares_memory(t.data, a)
    a[0, 0] = 9.0
    assert t[0, 0].item() == 9.0
    t.add_(1.0)
    assert a[0, 0] == 10.0 and a[1, 2] == 6.0
    view = a[:, ::2]  # a strided view shares too
    assert np.shares_memory(td.from_numpy(view).data, a)
    for dtype in (np.int32, np.uint8, np.bool_, np.float16):
        assert td.from_numpy(np.zeros(2, dtype)).dtype == dtype


def test_as_tensor_shares_when_it_can():
    a = np.ones(3, np.float32)
    assert td.as_tensor(a).data is a
    b = td.as_tensor(a, dtype=td.float64)
    assert b.dtype == np.float64 and not np.shares_memory(b.data, a)
    t = td.ones(2, requires_grad=True)
    assert td.as_tensor(t) is t
    cast = td.as_tensor(t, td.float64)
    assert cast.dtype == np.float64 and cast.requires_grad  # a Cast node, in the graph
    assert (
        td.as_tensor([1, 2]).dtype == np.int64
        and td.as_tensor([1.5], td.float64).dtype == np.float64
    )


def test_is_tensor_and_numel():
    assert td.is_tensor(td.ones(1)) and not td.is_tensor(np.ones(1)) and not td.is_tensor(1.0)
    assert td.numel(td.ones(2, 3)) == 6 and td.numel(td.tensor(1.0)) == 1


# -- seeded reproducibility ------------------------------------------------------------------


FACTORIES = {
    "randint": lambda: td.randint(0, 100, (5,)),
    "randint_like": lambda: td.randint_like(td.zeros(4), 10),
    "randperm": lambda: td.randperm(10),
    "normal": lambda: td.normal(td.zeros(4), 2.0),
    "normal_numbers": lambda: td.normal(1.0, 2.0, (3,)),
    "rand_like": lambda: td.rand_like(td.zeros(3)),
    "bernoulli": lambda: td.bernoulli(td.full((6,), 0.5)),
    "multinomial": lambda: td.multinomial(td.tensor([1.0, 2.0, 3.0, 4.0]), 3),
    "multinomial_replacement": lambda: td.tensor([[1.0, 2.0], [3.0, 0.0]]).multinomial(4, True),
}


@pytest.mark.parametrize("make", FACTORIES.values(), ids=FACTORIES.keys())
def test_manual_seed_reproduces(make):
    td.manual_seed(123)
    first = make()
    td.manual_seed(123)
    second = make()
    assert first.dtype == second.dtype and first.tolist() == second.tolist()


# -- random integers and permutations --------------------------------------------------------


def test_randint_overloads_dtype_and_range():
    td.manual_seed(0)
    a = td.randint(5, (1000,))
    assert a.dtype == np.int64 and a.shape == (1000,) and 0 <= a.data.min() and a.data.max() == 4
    b = td.randint(-3, 3, (2, 500))
    assert b.shape == (2, 500) and b.data.min() == -3 and b.data.max() == 2
    assert td.randint(3, size=(4,)).shape == (4,)
    assert td.randint(low=7, high=8, size=[3]).tolist() == [7, 7, 7]
    assert td.randint(high=2, size=(2, 2)).shape == (2, 2)
    f = td.randint(0, 5, (3,), dtype=td.float32)
    assert f.dtype == np.float32 and np.all(f.data == np.round(f.data))
    like = td.randint_like(td.zeros(2, 3, dtype=td.float64), 1, 4)
    assert like.dtype == np.float64 and like.shape == (2, 3) and set(like.data.ravel()) <= {1, 2, 3}
    assert td.randint_like(td.tensor([1, 2]), high=3).dtype == np.int64


def test_randint_is_uniform():
    td.manual_seed(1)
    counts = np.bincount(td.randint(0, 4, (8000,)).data, minlength=4)
    # each count is Binomial(8000, 1/4): mean 2000, sd about 39
    assert np.all(np.abs(counts - 2000) < 4 * 39)


def test_randperm_is_a_permutation():
    td.manual_seed(2)
    p = td.randperm(50)
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(50))
    assert p.tolist() != list(range(50))
    assert td.randperm(0).shape == (0,) and td.randperm(1).tolist() == [0]
    # each position is uniform over the values: the mean of the first entry over many draws
    firsts = np.array([td.randperm(10).data[0] for _ in range(2000)])
    assert abs(firsts.mean() - 4.5) < 4 * np.sqrt(8.25 / 2000)


# -- normal ----------------------------------------------------------------------------------


def test_normal_overloads_shapes_and_dtypes():
    assert td.normal(td.zeros(2), td.ones(3, 1)).shape == (3, 2)
    assert td.normal(td.zeros(2, dtype=td.float64), 1.0).dtype == np.float64
    assert td.normal(0.0, td.ones(2, dtype=td.float64)).dtype == np.float64
    assert td.normal(0.0, 1.0, (2, 3)).dtype == np.float32
    assert td.normal(0, 1, (2,), dtype=td.float64).dtype == np.float64
    np.testing.assert_array_equal(td.normal(td.tensor([1.0, -2.0]), 0.0).data, [1.0, -2.0])
    mean = td.zeros(3, requires_grad=True)
    out = td.normal(mean, 1.0)
    assert not out.requires_grad  # no gradient flows to the parameters (PyTorch's is zero)


def test_normal_moments():
    td.manual_seed(3)
    n = 20000
    x = td.normal(td.full((n,), 2.0, dtype=td.float64), td.full((n,), 3.0, dtype=td.float64)).data
    assert abs(x.mean() - 2.0) < 4 * 3.0 / np.sqrt(n)
    assert abs(x.std() - 3.0) < 4 * 3.0 / np.sqrt(2 * n)
    y = td.normal(-1.0, 0.5, (n,)).data
    assert abs(y.mean() + 1.0) < 4 * 0.5 / np.sqrt(n)


# -- bernoulli -------------------------------------------------------------------------------


def test_bernoulli_values_and_rate():
    td.manual_seed(4)
    p = td.tensor([0.0, 1.0, 0.0, 1.0])
    assert td.bernoulli(p).tolist() == [0.0, 1.0, 0.0, 1.0] and p.bernoulli().dtype == np.float32
    n = 10000
    hits = td.full((n,), 0.3, dtype=td.float64).bernoulli()
    assert hits.dtype == np.float64 and set(hits.data) <= {0.0, 1.0}
    assert abs(hits.data.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / n)
    assert abs(td.zeros(n).bernoulli(0.8).data.mean() - 0.8) < 4 * np.sqrt(0.8 * 0.2 / n)
    assert not td.bernoulli(td.full((2,), 0.5, requires_grad=True)).requires_grad


# -- multinomial -----------------------------------------------------------------------------


def test_multinomial_without_replacement_never_repeats():
    td.manual_seed(5)
    w = td.tensor([[1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 0.0, 1.0, 0.0, 2.0]])
    for _ in range(200):
        s = w.multinomial(3)
        assert s.dtype == np.int64 and s.shape == (2, 3)
        assert all(len(set(row)) == 3 for row in s.tolist())
        assert not ({1, 3} & set(s.tolist()[1]))  # zero weights are never drawn
    full = td.multinomial(td.tensor([1.0, 1.0, 1.0, 1.0]), 4)
    assert sorted(full.tolist()) == [0, 1, 2, 3]


def test_multinomial_frequencies():
    td.manual_seed(6)
    w = np.array([1.0, 2.0, 3.0, 0.0, 4.0])
    p = w / w.sum()
    n = 20000
    counts = np.bincount(td.multinomial(td.tensor(w), n, replacement=True).data, minlength=5)
    assert counts[3] == 0
    assert np.all(np.abs(counts - n * p) < 4 * np.sqrt(n * p * (1 - p)) + 1e-9)
    # without replacement, the first draw follows the weights
    firsts = td.multinomial(td.tensor(np.tile(w, (n, 1))), 2).data[:, 0]
    counts = np.bincount(firsts, minlength=5)
    assert np.all(np.abs(counts - n * p) < 4 * np.sqrt(n * p * (1 - p)) + 1e-9)
    # the second draw, given the first was category 4, follows the remaining weights
    second = td.multinomial(td.tensor(np.tile(w, (n, 1))), 2).data
    given = second[second[:, 0] == 4, 1]
    q = np.array([1.0, 2.0, 3.0, 0.0, 0.0]) / 6
    c = np.bincount(given, minlength=5)
    assert np.all(np.abs(c - len(given) * q) < 4 * np.sqrt(len(given) * q * (1 - q)) + 1e-9)


# -- dtype methods ---------------------------------------------------------------------------


def test_dtype_methods():
    x = td.tensor([1.7, -2.5, 0.0], requires_grad=True)
    for method, dtype, values in [
        ("int", np.int32, [1, -2, 0]),
        ("short", np.int16, [1, -2, 0]),
        ("long", np.int64, [1, -2, 0]),
        ("bool", np.bool_, [True, True, False]),
    ]:
        out = getattr(x, method)()
        assert out.dtype == dtype and out.tolist() == values and not out.requires_grad
    assert x.int().is_floating_point() is False and x.is_floating_point() is True
    assert x.element_size() == 4 and x.half().element_size() == 2 and x.long().element_size() == 8
    assert x.bool().element_size() == 1 and x.nelement() == 3 == x.numel()
    assert td.ones(2, 3).nelement() == 6


def test_python_int_float_bool_still_work():
    t = td.tensor(3.7)
    assert int(t) == 3 and float(t) == pytest.approx(3.7) and bool(t) is True
    assert bool(td.tensor(0)) is False and int(td.tensor([5])) == 5
    assert t.int().item() == 3 and t.bool().item() is True  # the methods are another thing


def test_half_and_type_as_are_differentiable():
    x = td.tensor([1.5, -2.0], requires_grad=True)
    h = x.half()
    assert h.dtype == np.float16 and h.requires_grad
    (h * h).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, -4.0]
    y = td.tensor([1.0, 2.0], dtype=td.float64, requires_grad=True)
    z = y.type_as(td.zeros(1))
    assert z.dtype == np.float32 and z.requires_grad
    assert td.gradcheck(lambda y: y.type_as(td.zeros(1, dtype=td.float64)).square().sum(), [y])
    assert td.tensor([1, 2]).type_as(td.zeros(1)).dtype == np.float32
    assert td.tensor([1.5]).type_as(td.tensor([1])).tolist() == [1]


# -- errors ----------------------------------------------------------------------------------


ERRORS = [
    (lambda: td.linspace(0, 1, -1), ValueError, r"linspace: steps must be >= 0, got -1"),
    (lambda: td.linspace(0, 1, 2.5), TypeError, r"linspace: steps must be an int"),
    (lambda: td.logspace(0, 1, -2), ValueError, r"logspace: steps must be >= 0"),
    (lambda: td.linspace("a", 1, 2), TypeError, r"linspace: start must be a number"),
    (lambda: td.empty(-1, 2), ValueError, r"empty: sizes must be >= 0"),
    (lambda: td.randint(5, 5, (3,)), ValueError, r"randint: need low < high, got low=5, high=5"),
    (lambda: td.randint(-5, (3,)), ValueError, r"randint: need low < high, got low=0, high=-5"),
    (lambda: td.randint(0, 5, (-3,)), ValueError, r"randint: sizes must be >= 0"),
    (lambda: td.randint(0, 5.5, (2,)), TypeError, r"randint: high must be an int, got 5.5"),
    (lambda: td.randint(0, 5, 3), TypeError, r"randint: size must be a tuple of ints, got 3"),
    (lambda: td.randint(1, 2, 3, (3,)), TypeError, r"randint: give low and high once each"),
    (lambda: td.randint(), TypeError, r"randint: give a size"),
    (lambda: td.randint(size=(2,)), TypeError, r"randint: missing high"),
    (lambda: td.randint_like(td.zeros(2)), TypeError, r"randint_like: missing high"),
    (lambda: td.randint_like(td.zeros(2), 3, 1), ValueError, r"randint_like: need low < high"),
    (lambda: td.randperm(-1), ValueError, r"randperm: sizes must be >= 0"),
    (lambda: td.normal(0.0, -1.0, (2,)), ValueError, r"normal: std must be >= 0, got -1"),
    (lambda: td.normal(td.zeros(2), td.tensor([1.0, -2.0])), ValueError, r"normal: std must be"),
    (lambda: td.normal(0.0, 1.0), TypeError, r"normal: with a number mean and std, give the size"),
    (lambda: td.normal(td.zeros(2), 1.0, (2,)), TypeError, r"normal: size is for number mean"),
    (lambda: td.normal(td.tensor([1, 2]), 1.0), TypeError, r"normal: mean and std must be float"),
    (
        lambda: td.normal(td.zeros(2), td.ones(3)),
        ValueError,
        r"normal: mean of shape \(2,\) and std of shape \(3,\) do not broadcast",
    ),
    (lambda: td.from_numpy([1, 2]), TypeError, r"from_numpy: expected a NumPy array, got list"),
    (lambda: td.from_numpy(np.array(["a"])), TypeError, r"from_numpy: an array of dtype <U1"),
    (lambda: td.from_numpy(np.zeros(2, complex)), TypeError, r"from_numpy: .*complex128"),
    (lambda: td.from_numpy(np.zeros(2, ">f8")), TypeError, r"from_numpy: .*byte order"),
    (lambda: td.numel([1, 2]), TypeError, r"numel: expected a Tensor, got list"),
    (lambda: td.as_tensor(np.ones(2), complex), TypeError, r"as_tensor: dtype complex128 is not"),
    (
        lambda: td.bernoulli(td.tensor([0.5, 1.5])),
        ValueError,
        r"bernoulli: probabilities must be in \[0, 1\], got 1.5",
    ),
    (lambda: td.tensor([1, 0]).bernoulli(), TypeError, r"bernoulli: probabilities must be float"),
    (lambda: td.rand(2).bernoulli(-0.1), ValueError, r"bernoulli: .* got -0.1"),
    (
        lambda: td.multinomial(td.tensor([1.0, 0.0, 1.0]), 4),
        ValueError,
        r"multinomial: cannot draw 4 samples from 3 categories without replacement",
    ),
    (
        lambda: td.multinomial(td.tensor([1.0, 0.0, 1.0]), 3),
        ValueError,
        r"multinomial: a row has fewer than 3 categories of positive weight",
    ),
    (
        lambda: td.multinomial(td.tensor([1.0, -1.0]), 1),
        ValueError,
        r"multinomial: the weights must be finite and >= 0",
    ),
    (lambda: td.multinomial(td.tensor([1.0, np.inf]), 1), ValueError, r"multinomial: .*finite"),
    (
        lambda: td.multinomial(td.tensor([[1.0, 1.0], [0.0, 0.0]]), 1, True),
        ValueError,
        r"multinomial: every row of weights needs a positive sum",
    ),
    (
        lambda: td.multinomial(td.tensor([1.0]), 0),
        ValueError,
        r"multinomial: num_samples must be positive, got 0",
    ),
    (lambda: td.multinomial(td.tensor([1, 1]), 1), TypeError, r"multinomial: .*must be float"),
    (
        lambda: td.ones(2, 2, 2).multinomial(1),
        ValueError,
        r"multinomial: the weights must be 1-D or 2-D, got shape \(2, 2, 2\)",
    ),
    (lambda: td.ones(2).multinomial(1.0), TypeError, r"multinomial: num_samples must be an int"),
    (
        lambda: td.randperm(3, dtype=td.int64, requires_grad=True),
        TypeError,
        r"only floating-point tensors can require grad",
    ),
]


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=[m for _, _, m in ERRORS])
def test_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


# -- against PyTorch (the deterministic factories) -------------------------------------------


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: td.linspace(-2, 3, 7), lambda torch: torch.linspace(-2, 3, 7)),
        (lambda: td.linspace(0, 10, 5, dtype=td.int64),
         lambda torch: torch.linspace(0, 10, 5, dtype=torch.int64)),
        (lambda: td.linspace(1.5, 1.5, 1), lambda torch: torch.linspace(1.5, 1.5, 1)),
        (lambda: td.logspace(-1, 2, 4), lambda torch: torch.logspace(-1, 2, 4)),
        (lambda: td.logspace(0, 3, 4, base=2), lambda torch: torch.logspace(0, 3, 4, base=2)),
        (lambda: td.empty(2, 3).shape, lambda torch: tuple(torch.empty(2, 3).shape)),
        (lambda: td.from_numpy(np.arange(3, dtype=np.int16)),
         lambda torch: torch.from_numpy(np.arange(3, dtype=np.int16))),
        (lambda: td.as_tensor([1, 2]), lambda torch: torch.as_tensor([1, 2])),
        (lambda: td.randperm(0), lambda torch: torch.randperm(0)),
        (lambda: td.tensor([1.7, -2.5]).int(), lambda torch: torch.tensor([1.7, -2.5]).int()),
        (lambda: td.tensor([1.7, -2.5]).short(), lambda torch: torch.tensor([1.7, -2.5]).short()),
        (lambda: td.tensor([1.7, 0.0]).bool(), lambda torch: torch.tensor([1.7, 0.0]).bool()),
        (lambda: td.tensor([1.7, 0.1]).half(), lambda torch: torch.tensor([1.7, 0.1]).half()),
        (lambda: td.tensor([1, 2]).type_as(td.zeros(1, dtype=td.float64)),
         lambda torch: torch.tensor([1, 2]).type_as(torch.zeros(1, dtype=torch.float64))),
        (lambda: (td.ones(2).element_size(), td.ones(2).half().element_size(),
                  td.ones(2).int().element_size(), td.ones(2).is_floating_point(),
                  td.ones(2).long().is_floating_point(), td.ones(2, 3).nelement()),
         lambda torch: (torch.ones(2).element_size(), torch.ones(2).half().element_size(),
                        torch.ones(2).int().element_size(), torch.ones(2).is_floating_point(),
                        torch.ones(2).long().is_floating_point(), torch.ones(2, 3).nelement())),
    ],
)  # fmt: skip
def test_against_torch(ours, theirs):
    torch = pytest.importorskip("torch")
    out, expected = ours(), theirs(torch)
    if isinstance(out, tuple):
        assert out == expected
        return
    assert str(out.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-6)
