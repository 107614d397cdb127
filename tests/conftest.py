import numpy as np
import pytest

import tinygrad_ds as td

# One BLAS thread for the suite: its arrays are small, and on a machine whose other core is
# busy, OpenBLAS's threads wait for each other (a recurrent example took 24 s instead of 2).
td.set_num_threads(1)


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
