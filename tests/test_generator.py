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
