import numpy as np
import pytest

import tinygrad_ds as td


@pytest.fixture(autouse=True)
def _fresh_state():
    """Each test starts with the default dtype, grad mode on, and a fixed seed."""
    td.manual_seed(0)
    td.set_default_dtype(td.float32)
    with td.enable_grad():
        yield
    td.set_default_dtype(td.float32)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
