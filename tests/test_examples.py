"""Smoke tests of examples/tensor_basics.py, xor_mlp.py, moons_decision_boundary.py,
hessian_vector_product.py and optimizers_compared.py: each runs (in-process, on its own
budget) and its claim holds."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from helpers import EXAMPLES, example

import tinygrad_ds as td


def test_tensor_basics_claims_hold(capsys):
    checks = example("tensor_basics").main()
    assert len(checks) >= 10 and all(checks.values()), checks
    assert f"all {len(checks)} claims hold" in capsys.readouterr().out


def test_xor_mlp_gets_all_four_points():
    loss, p = example("xor_mlp").main(epochs=300, verbose=False)
    assert np.array_equal(p > 0.5, [False, True, True, False]) and loss < 0.01


def test_moons_boundary_beats_a_line_and_is_drawn(tmp_path):
    out = tmp_path / "moons.png"
    acc_line, acc_net, path = example("moons_decision_boundary").main(out, verbose=False)
    assert path == out and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert acc_net >= 0.95 and acc_net > acc_line + 0.05


def test_hessian_vector_products_match_closed_form_and_finite_differences():
    rosenbrock, finite_differences, symmetry = example("hessian_vector_product").main()
    assert rosenbrock < 1e-9 and finite_differences < 1e-6 and symmetry < 1e-10
    assert td.get_default_dtype() == np.float32  # the example restores the default


def test_examples_run_as_scripts(tmp_path):
    for name, args in (("tensor_basics", []), ("xor_mlp", ["--epochs", "50"]),
                       ("moons_decision_boundary", ["--out", str(tmp_path / "m.png"),
                                                    "--epochs", "2"])):  # fmt: skip
        proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), *args],
                              capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip()
    assert (tmp_path / "m.png").exists()


def test_quickstart_loss_falls(capsys):
    final_loss = example("quickstart").main(epochs=300)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    first_loss = float(lines[0].split("loss")[1].split()[0])
    accuracy = float(lines[-1].split("accuracy")[1])
    assert final_loss < 0.5 * first_loss and accuracy >= 0.95


def test_every_optimiser_descends_towards_the_minimum_that_lbfgs_finds():
    """The regularised logistic cost is strictly convex: L-BFGS's J* (gradient ~0 there) is
    the minimum, no optimiser may end below it, and each must end below the start."""
    results = example("optimizers_compared").main(epochs=50, verbose=False)
    best, start = results.pop("L-BFGS"), results.pop("start")
    assert results.pop("gradient norm at J*") < 1e-6
    assert len(results) == 11
    for name, j in results.items():
        assert best - 1e-10 <= j < start, (name, j, best, start)
    assert start - best > 0.5  # the problem is not trivial from the start
