"""td.Generator and td.default_generator (rng.py), the generator= argument of the random
factories, in-place random methods, nn.init and the data package, and td.utils.data."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import rng

# ------------------------------------------------------------------ the Generator itself


def test_manual_seed_returns_the_generator_and_repeats_draws():
    g = td.Generator()
    assert g.manual_seed(42) is g and g.initial_seed() == 42
    a = td.randn(5, generator=g).data
    g.manual_seed(42)
    np.testing.assert_array_equal(td.randn(5, generator=g).data, a)
    # the same seed in a new generator: the same draws
    np.testing.assert_array_equal(td.randn(5, generator=td.Generator().manual_seed(42)).data, a)
    assert g.manual_seed(-1).initial_seed() == 2**64 - 1  # as PyTorch: modulo 2**64
    assert g.manual_seed(np.int64(7)).initial_seed() == 7


def test_new_generator_has_pytorchs_default_seed():
    g = td.Generator()
    assert g.initial_seed() == 67280421310721
    a = td.rand(4, generator=g).data
    np.testing.assert_array_equal(td.rand(4, generator=td.Generator()).data, a)


def test_seed_is_fresh_and_becomes_the_initial_seed():
    g = td.Generator()
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2**64 and g.initial_seed() == s
    assert g.seed() != s  # 64 random bits: equal with probability 2**-64
    a = td.randn(3, generator=g).data
    np.testing.assert_array_equal(
        td.randn(3, generator=td.Generator().manual_seed(g.initial_seed())).data, a
    )


def test_get_state_set_state_round_trip():
    g = td.Generator().manual_seed(3)
    td.randn(1, generator=g)  # a normal draw leaves NumPy's cached half-draw state
    state = g.get_state()
    assert state.dtype == np.uint8 and state.shape == (37,) and not state.requires_grad
    a = td.randn(7, generator=g).data
    assert g.set_state(state) is g
    np.testing.assert_array_equal(td.randn(7, generator=g).data, a)
    # a state moves between generators, and leaves the initial seed as it was
    h = td.Generator().manual_seed(9).set_state(state)
    np.testing.assert_array_equal(td.randn(7, generator=h).data, a)
    assert h.initial_seed() == 9
    # the default generator's state is the same encoding
    td.manual_seed(3)
    td.randn(1)
    np.testing.assert_array_equal(td.get_rng_state().data, state.data)
    np.testing.assert_array_equal(td.default_generator.get_state().data, state.data)


def test_default_generator_is_the_package_generator():
    assert isinstance(td.default_generator, td.Generator)
    assert td.manual_seed(5) is td.default_generator
    assert td.initial_seed() == td.default_generator.initial_seed() == 5
    assert rng.generator() is rng.generator(td.default_generator)
    a = td.randn(4).data
    td.default_generator.manual_seed(5)
    np.testing.assert_array_equal(td.randn(4).data, a)
    np.testing.assert_array_equal(
        td.randn(4, generator=td.default_generator.manual_seed(5)).data, a
    )
    s = td.seed()
    assert td.default_generator.initial_seed() == s
    state = td.default_generator.get_state()
    b = td.rand(3).data
    td.set_rng_state(state)
    np.testing.assert_array_equal(td.rand(3).data, b)


def test_device_repr_and_copy():
    g = td.Generator(device="cpu").manual_seed(11)
    assert g.device == td.device("cpu") and g.device.type == "cpu"
    assert td.Generator(td.device("cpu")).device == td.device("cpu")
    assert td.Generator(None).initial_seed() == 67280421310721
    assert repr(g) == "Generator(device='cpu', initial_seed=11)"
    h = copy.deepcopy(g)  # an independent copy, in the same state
    np.testing.assert_array_equal(td.rand(3, generator=h).data, td.rand(3, generator=g).data)


def test_resolver():
    g = td.Generator()
    np_gen = np.random.default_rng(0)
    assert rng.generator(g, "x") is g._rng
    assert rng.generator(np_gen, "x") is np_gen  # a NumPy generator is still accepted
    assert rng.generator(None, "x") is rng.generator()
    with pytest.raises(TypeError, match=r"randn: generator must be a td.Generator \(or a np.ran"
                                        r"dom.Generator\) or None, got int"):  # fmt: skip
        rng.generator(3, "randn")


GENERATOR_ERRORS = [
    (lambda: td.Generator().manual_seed(1.5), TypeError,
     r"manual_seed: the seed must be an int, got 1\.5 \(float\)"),
    (lambda: td.Generator().manual_seed(True), TypeError,
     r"manual_seed: the seed must be an int, got True \(bool\)"),
    (lambda: td.manual_seed("a"), TypeError, r"manual_seed: the seed must be an int, got 'a'"),
    (lambda: td.Generator("cuda"), ValueError,
     r"Generator: device 'cuda' is not available; tinygrad_ds runs on the CPU only"),
    (lambda: td.Generator(device="meta"), ValueError, r"Generator: device 'meta' is not avail"),
    (lambda: td.Generator(td.device("cuda", 1)), ValueError, r"Generator: device 'cuda:1'"),
    (lambda: td.Generator().set_state([1, 2]), TypeError,
     r"set_state: the state must be a uint8 Tensor, got list"),
    (lambda: td.Generator().set_state(td.zeros(37)), ValueError,
     r"set_state: the state must be a uint8 Tensor of shape \(37,\) as get_state\(\) returns, "
     r"got dtype float32 and shape \(37,\)"),
    (lambda: td.Generator().set_state(td.zeros(3, dtype=td.uint8)), ValueError,
     r"shape \(37,\) as get_state\(\) returns, got dtype uint8 and shape \(3,\)"),
    (lambda: td.Generator().set_state(td.zeros(37, dtype=td.uint8)), ValueError,
     r"set_state: the state is not one that get_state\(\) returns"),
    (lambda: td.set_rng_state(td.zeros(37, dtype=td.uint8)), ValueError,
     r"set_rng_state: the state is not one that get_rng_state\(\) returns"),
]  # fmt: skip


@pytest.mark.parametrize("fn, error, message", GENERATOR_ERRORS)
def test_generator_errors(fn, error, message):
    with pytest.raises(error, match=message):
        fn()


def test_a_bad_state_leaves_the_generator_as_it_was():
    g = td.Generator().manual_seed(1)
    state = g.get_state()
    with pytest.raises(ValueError):
        g.set_state(td.zeros(37, dtype=td.uint8))
    np.testing.assert_array_equal(g.get_state().data, state.data)


def test_generator_api_matches_pytorch():
    torch = pytest.importorskip("torch")
    g, t = td.Generator(), torch.Generator()
    assert g.initial_seed() == t.initial_seed()
    for name in ("manual_seed", "seed", "initial_seed", "get_state", "set_state", "device"):
        assert hasattr(t, name) and hasattr(g, name)
    assert (
        type(t.manual_seed(3)) is torch.Generator
        and torch.manual_seed(3) is torch.default_generator
    )
    assert g.manual_seed(-1).initial_seed() == t.manual_seed(-1).initial_seed()


# ------------------------------------------------------------------ generator= everywhere

W = td.tensor([[1.0, 2.0, 0.0, 3.0], [0.5, 0.5, 1.0, 1.0]])


def _data(x):
    """A draw's values, comparable by np.testing (a list of lists flattened)."""
    if isinstance(x, td.Tensor):
        return x.data
    nested = isinstance(x, list) and x and isinstance(x[0], list)
    return np.concatenate(x) if nested else np.asarray(x)


FACTORIES = {
    "randn": lambda g: td.randn(2, 3, generator=g),
    "rand": lambda g: td.rand((4,), generator=g, dtype=td.float64),
    "Tensor.uniform": lambda g: td.Tensor.uniform(3, low=0.0, high=2.0, generator=g),
    "randint": lambda g: td.randint(0, 10, (5,), generator=g),
    "randint-high": lambda g: td.randint(7, (2, 2), generator=g),
    "randperm": lambda g: td.randperm(9, generator=g),
    "normal-numbers": lambda g: td.normal(1.0, 2.0, (4,), generator=g),
    "normal-tensors": lambda g: td.normal(td.zeros(3), td.ones(3), generator=g),
    "bernoulli": lambda g: td.bernoulli(td.full((8,), 0.5), generator=g),
    "bernoulli-p": lambda g: td.bernoulli(td.zeros(8), 0.3, generator=g),
    "multinomial": lambda g: td.multinomial(W, 2, generator=g),
    "multinomial-replacement": lambda g: td.multinomial(W, 6, True, generator=g),
    "rand_like": lambda g: td.rand_like(td.zeros(2, 2), generator=g),
    "randn_like": lambda g: td.randn_like(td.zeros(3), generator=g),
    "randint_like": lambda g: td.randint_like(td.zeros(4), 3, 9, generator=g),
    "Tensor.randn": lambda g: td.Tensor.randn(3, generator=g),
    "Tensor.bernoulli": lambda g: td.full((5,), 0.5).bernoulli(generator=g),
    "Tensor.multinomial": lambda g: W.multinomial(3, generator=g),
}
INPLACE = {
    "uniform_": lambda g: td.zeros(5).uniform_(-1, 1, generator=g),
    "normal_": lambda g: td.zeros(5).normal_(2.0, 0.5, generator=g),
    "bernoulli_": lambda g: td.zeros(6, dtype=td.int64).bernoulli_(0.4, generator=g),
    "random_": lambda g: td.zeros(5, dtype=td.int64).random_(3, 20, generator=g),
    "exponential_": lambda g: td.zeros(5).exponential_(2.0, generator=g),
    "geometric_": lambda g: td.zeros(5).geometric_(0.3, generator=g),
    "log_normal_": lambda g: td.zeros(5).log_normal_(generator=g),
    "cauchy_": lambda g: td.zeros(5).cauchy_(generator=g),
}
INIT = {
    "uniform_": lambda g: td.nn.init.uniform_(td.empty(3, 4), -2, 2, generator=g),
    "normal_": lambda g: td.nn.init.normal_(td.empty(3, 4), generator=g),
    "trunc_normal_": lambda g: td.nn.init.trunc_normal_(td.empty(50), 0, 1, -0.5, 0.5, g),
    "kaiming_uniform_": lambda g: td.nn.init.kaiming_uniform_(td.empty(4, 3), 5**0.5, generator=g),
    "kaiming_normal_": lambda g: td.nn.init.kaiming_normal_(td.empty(4, 3), generator=g),
    "xavier_uniform_": lambda g: td.nn.init.xavier_uniform_(td.empty(4, 3), generator=g),
    "xavier_normal_": lambda g: td.nn.init.xavier_normal_(td.empty(4, 3), 2.0, g),
    "orthogonal_": lambda g: td.nn.init.orthogonal_(td.empty(3, 5), generator=g),
    "sparse_": lambda g: td.nn.init.sparse_(td.empty(6, 3), 0.5, 0.01, g),
}
DATA = {
    "DataLoader": lambda g: [
        int(y) for (y,) in td.data.DataLoader(td.data.TensorDataset(np.arange(10)), 1,
                                              shuffle=True, generator=g)
    ],
    "RandomSampler": lambda g: list(td.data.RandomSampler(range(10), generator=g)),
    "RandomSampler-replacement": lambda g: list(
        td.data.RandomSampler(range(10), True, 15, generator=g)
    ),
    "SubsetRandomSampler": lambda g: list(td.data.SubsetRandomSampler([3, 5, 7, 9], g)),
    "WeightedRandomSampler": lambda g: list(
        td.data.WeightedRandomSampler([0.1, 0.5, 0.2, 0.2], 6, generator=g)
    ),
    "random_split": lambda g: [
        s.indices.tolist() for s in td.data.random_split(range(10), [0.6, 0.4], generator=g)
    ],
    "random_split-third": lambda g: [
        s.indices.tolist() for s in td.data.random_split(range(10), [3, 7], g)
    ],
}  # fmt: skip
DRAWS = {
    **{f"td.{k}": v for k, v in FACTORIES.items()},
    **{f"Tensor.{k}": v for k, v in INPLACE.items()},
    **{f"init.{k}": v for k, v in INIT.items()},
    **{f"data.{k}": v for k, v in DATA.items()},
}


def _same(a, b):
    np.testing.assert_array_equal(_data(a), _data(b))


@pytest.mark.parametrize("name", list(DRAWS))
def test_generator_draws_are_its_own(name):
    """Same seed => same draws; a Generator's draws leave the default generator where it was,
    and the default generator's draws leave a Generator where it was; the default generator
    seeded alike makes the same draws."""
    draw = DRAWS[name]
    g = td.Generator().manual_seed(7)
    first, second = _data(draw(g)), _data(draw(g))
    h = td.Generator().manual_seed(7)
    td.manual_seed(123)
    before = td.get_rng_state().data
    _same(draw(h), first)
    _same(td.get_rng_state(), before)  # h's draw did not move the default generator
    draw(None)  # the default generator's draw ...
    assert not np.array_equal(td.get_rng_state().data, before)
    _same(draw(h), second)  # ... did not move h
    td.manual_seed(7)
    _same(draw(None), first)  # the default generator, seeded alike, draws the same
    _same(draw(np.random.default_rng(7)), first)  # and so does a NumPy generator


def test_a_generator_gives_other_draws_than_another_seed():
    a = td.randn(6, generator=td.Generator().manual_seed(1)).data
    assert not np.array_equal(a, td.randn(6, generator=td.Generator().manual_seed(2)).data)


def test_dataloader_epochs_follow_the_generator():
    ds = td.data.TensorDataset(np.arange(12))
    orders = []
    for _ in range(2):
        g = td.Generator().manual_seed(4)
        loader = td.data.DataLoader(ds, batch_size=4, shuffle=True, generator=g)
        orders.append([[np.asarray(b[0].data).tolist() for b in loader] for _ in range(3)])
    assert orders[0] == orders[1]  # the same generator seed: the same epochs
    assert orders[0][0] != orders[0][1]  # each epoch a new order
    assert sorted(sum(orders[0][0], [])) == list(range(12))


def test_the_brief_example():
    ds = td.data.TensorDataset(td.randn(20, 3), td.arange(20))
    g = td.Generator().manual_seed(42)
    train, val = td.utils.data.random_split(ds, [0.8, 0.2], generator=g)
    assert (len(train), len(val)) == (16, 4)
    loader = td.utils.data.DataLoader(train, batch_size=8, shuffle=True, generator=g)
    assert [b[0].shape for b in loader] == [(8, 3), (8, 3)]
    assert td.randn(3, 4, generator=g).shape == (3, 4)
    w = td.empty(5, 4)
    assert td.nn.init.kaiming_uniform_(w, a=5**0.5, generator=g) is w
    assert np.abs(w.data).max() <= 1 / 2  # bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)


BAD_GENERATOR = [
    ("randn", lambda: td.randn(2, generator=1)),
    ("rand", lambda: td.rand(2, generator="g")),
    ("randint", lambda: td.randint(3, (2,), generator=1)),
    ("randint_like", lambda: td.randint_like(td.zeros(2), 3, generator=1)),
    ("randperm", lambda: td.randperm(3, generator=1)),
    ("normal", lambda: td.normal(0.0, 1.0, (2,), generator=1)),
    ("bernoulli", lambda: td.bernoulli(td.zeros(2), generator=1)),
    ("multinomial", lambda: td.multinomial(W, 1, generator=1)),
    ("rand_like", lambda: td.rand_like(td.zeros(2), generator=1)),
    ("randn_like", lambda: td.randn_like(td.zeros(2), generator=1)),
    ("uniform_", lambda: td.zeros(2).uniform_(generator=1)),
    ("normal_", lambda: td.zeros(2).normal_(generator=1)),
    ("bernoulli_", lambda: td.zeros(2).bernoulli_(generator=1)),
    ("random_", lambda: td.zeros(2).random_(generator=1)),
    ("exponential_", lambda: td.zeros(2).exponential_(generator=1)),
    ("geometric_", lambda: td.zeros(2).geometric_(0.5, generator=1)),
    ("log_normal_", lambda: td.zeros(2).log_normal_(generator=1)),
    ("cauchy_", lambda: td.zeros(2).cauchy_(generator=1)),
    ("uniform_", lambda: td.nn.init.uniform_(td.empty(2), generator=1)),
    ("trunc_normal_", lambda: td.nn.init.trunc_normal_(td.empty(2), generator=1)),
    ("kaiming_normal_", lambda: td.nn.init.kaiming_normal_(td.empty(2, 2), generator=1)),
    ("xavier_uniform_", lambda: td.nn.init.xavier_uniform_(td.empty(2, 2), generator=1)),
    ("orthogonal_", lambda: td.nn.init.orthogonal_(td.empty(2, 2), generator=1)),
    ("sparse_", lambda: td.nn.init.sparse_(td.empty(2, 2), 0.5, generator=1)),
    ("DataLoader", lambda: td.data.DataLoader(range(3), shuffle=True, generator=1)),
    ("RandomSampler", lambda: td.data.RandomSampler(range(3), generator=1)),
    ("SubsetRandomSampler", lambda: td.data.SubsetRandomSampler([0], generator=1)),
    ("WeightedRandomSampler", lambda: td.data.WeightedRandomSampler([1.0], 1, generator=1)),
    ("random_split", lambda: td.data.random_split(range(3), [1, 2], generator=1)),
]


@pytest.mark.parametrize("what, fn", BAD_GENERATOR)
def test_a_bad_generator_names_the_operation(what, fn):
    with pytest.raises(TypeError, match=rf"^{what}: generator must be a td.Generator .* got int"
                                        "|got str"):  # fmt: skip
        fn()


def test_a_bad_generator_leaves_the_tensor_alone():
    x = td.ones(3)
    with pytest.raises(TypeError):
        x.normal_(generator=object())
    np.testing.assert_array_equal(x.data, np.ones(3))


# ------------------------------------------------------------------ signatures against PyTorch


def _torch_keyword_only(doc: str) -> bool:
    """Whether a PyTorch docstring's signature line has generator after its `*`."""
    line = next(line for line in doc.splitlines() if "generator" in line and "(" in line)
    head = line[: line.index("generator")].replace("\\*", "*")
    return "*," in head


TORCH_FUNCTIONS = ["randn", "rand", "randint", "randperm", "normal", "bernoulli", "multinomial",
                   "rand_like", "randn_like", "randint_like"]  # fmt: skip
TENSOR_METHODS = ["uniform_", "normal_", "bernoulli_", "random_", "exponential_", "geometric_",
                  "log_normal_", "cauchy_", "bernoulli", "multinomial"]  # fmt: skip
INIT_NAMES = ["uniform_", "normal_", "trunc_normal_", "kaiming_uniform_", "kaiming_normal_",
              "xavier_uniform_", "xavier_normal_", "orthogonal_", "sparse_"]  # fmt: skip


@pytest.mark.parametrize("name", TORCH_FUNCTIONS + [f"Tensor.{m}" for m in TENSOR_METHODS])
def test_generator_is_keyword_only_as_in_pytorch(name):
    import inspect

    torch = pytest.importorskip("torch")
    owner, attr = (td.Tensor, torch.Tensor) if "." in name else (td, torch)
    short = name.split(".")[-1]
    assert _torch_keyword_only(getattr(attr, short).__doc__)
    param = inspect.signature(getattr(owner, short)).parameters["generator"]
    assert param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is None


@pytest.mark.parametrize("name", INIT_NAMES)
def test_init_signatures_match_pytorch(name):
    import inspect

    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(td.nn.init, name)).parameters
    theirs = inspect.signature(getattr(torch.nn.init, name)).parameters
    assert list(ours) == list(theirs)
    for key in theirs:
        assert ours[key].kind == theirs[key].kind and ours[key].default == theirs[key].default


def test_data_signatures_take_generator_where_pytorch_does():
    import inspect

    torch = pytest.importorskip("torch")
    tud = torch.utils.data
    for name in ("RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "DataLoader"):
        ours = inspect.signature(getattr(td.data, name)).parameters["generator"]
        theirs = inspect.signature(getattr(tud, name)).parameters["generator"]
        assert ours.default is None and theirs.default is None
    for name in ("RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler"):
        assert list(inspect.signature(getattr(td.data, name)).parameters) == list(
            inspect.signature(getattr(tud, name)).parameters
        )
    assert list(inspect.signature(td.data.random_split).parameters)[:2] == ["dataset", "lengths"]


def test_same_seed_same_init_as_pytorch_shapes():
    """PyTorch's generator= draws from its own Mersenne Twister, so values differ from
    PyTorch's; shapes, dtypes and bounds agree."""
    torch = pytest.importorskip("torch")
    t = torch.empty(4, 3)
    torch.nn.init.kaiming_uniform_(t, a=5**0.5, generator=torch.Generator().manual_seed(0))
    w = td.nn.init.kaiming_uniform_(td.empty(4, 3), a=5**0.5, generator=td.Generator())
    bound = 1 / 3**0.5
    assert w.shape == tuple(t.shape) and w.dtype == td.float32
    assert np.abs(w.data).max() <= bound and t.abs().max().item() <= bound


# ------------------------------------------------------------------ td.utils.data


def test_utils_data_imports_both_ways():
    import tinygrad_ds.data
    import tinygrad_ds.utils.data
    from tinygrad_ds.utils.data import DataLoader, Dataset, TensorDataset, random_split

    assert td.utils.data is tinygrad_ds.utils.data
    assert (DataLoader, Dataset, TensorDataset, random_split) == (
        td.data.DataLoader, td.data.Dataset, td.data.TensorDataset, td.data.random_split
    )  # fmt: skip
    assert td.utils.data.__all__ == tinygrad_ds.data.__all__
    for name in tinygrad_ds.data.__all__:  # every public name, the same object
        assert getattr(td.utils.data, name) is getattr(td.data, name)
    assert "data" in td.utils.__all__


def test_utils_data_imports_first_in_a_fresh_interpreter():
    """Importing td.utils.data before anything else of the package: no import cycle."""
    import os
    import subprocess
    import sys

    code = ("from tinygrad_ds.utils.data import DataLoader, TensorDataset; "
            "import tinygrad_ds as td; assert td.utils.data.DataLoader is DataLoader")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_utils_data_names_match_pytorch():
    torch = pytest.importorskip("torch")
    for name in td.utils.data.__all__:
        assert hasattr(torch.utils.data, name), name
