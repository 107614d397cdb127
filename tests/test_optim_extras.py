"""Adafactor and optim.swa_utils (AveragedModel, the averaging functions, SWALR, update_bn):
first steps in closed form, the whole trajectory against PyTorch's (float64 and float32),
errors by message, state_dict resumption, and training runs that reach their goal."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn, optim

# ---------------------------------------------------------------------------------------------
# Adafactor
# ---------------------------------------------------------------------------------------------

SHAPES = [(), (5,), (3, 4), (2, 3, 4)]
OPTIONS = [
    {},
    {"weight_decay": 0.1},
    {"maximize": True},
    {"lr": 0.5, "d": 1.5, "beta2_decay": -0.5},
    {"eps": (1e-30, 1e-2), "weight_decay": 0.05, "maximize": True},
]


def trajectory(shape, dtype=np.float64, seed=0, steps=6):
    """A start and a sequence of gradients of very different scales (clipping comes in)."""
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape).astype(dtype)
    scales = [1.0, 0.1, 3.0, 1.0, 0.01, 2.0, 0.5, 1.0][:steps]
    return p0, [(rng.standard_normal(shape) * s).astype(dtype) for s in scales]


def run_ours(p0, grads, **options):
    p = td.Tensor(p0.copy(), requires_grad=True)
    opt = optim.Adafactor([p], **options)
    out = []
    for g in grads:
        p.grad = td.Tensor(g.copy())
        opt.step()
        out.append(p.data.copy())
    return out, opt, p


def test_adafactor_first_step_of_a_vector_is_a_signed_relative_step():
    # t = 1: the new squared gradient has weight 1, so v = g^2 and u = sign(g), RMS(u) = 1;
    # alpha = max(eps2, RMS(p)) * min(lr, 1).
    p0, (g,) = np.array([3.0, -4.0, 0.0, 1.0]), [np.array([0.5, -2.0, 1e-3, -7.0])]
    (p1,), _, _ = run_ours(p0, [g], lr=0.1)
    rms = math.sqrt((p0**2).mean())
    np.testing.assert_allclose(p1, p0 - 0.1 * rms * np.sign(g), rtol=1e-12)


def test_adafactor_first_step_of_a_matrix_uses_the_rank_one_estimate():
    p0, (g,) = trajectory((3, 4), steps=1)
    (p1,), opt, p = run_ours(p0, [g], lr=0.1)
    rows = (g**2).mean(axis=1, keepdims=True)
    cols = (g**2).mean(axis=0, keepdims=True)
    v = rows @ cols / rows.mean()
    u = g / np.sqrt(v)
    rms = lambda x: math.sqrt((x**2).mean())  # noqa: E731
    expected = p0 - 0.1 * rms(p0) * u / max(1.0, rms(u))
    np.testing.assert_allclose(p1, expected, rtol=1e-12)
    state = opt.state[p]
    assert sorted(state) == ["col_var", "row_var", "step"] and state["step"] == 1
    assert state["row_var"].shape == (3, 1) and state["col_var"].shape == (1, 4)
    np.testing.assert_allclose(state["row_var"].data, rows)


def test_adafactor_state_shapes_follow_pytorch():
    params = [td.Tensor(np.zeros(s), requires_grad=True) for s in SHAPES]
    opt = optim.Adafactor(params)
    for p in params:
        p.grad = td.ones_like(p)
    opt.step()
    shapes = [{k: v.shape for k, v in opt.state[p].items() if k != "step"} for p in params]
    assert shapes == [
        {"variance": ()}, {"variance": (5,)}, {"row_var": (3, 1), "col_var": (1, 4)},
        {"row_var": (2, 3, 1), "col_var": (2, 1, 4)},
    ]  # fmt: skip


def test_adafactor_float32_stays_float32_and_updates_in_place():
    p0, grads = trajectory((3, 4), np.float32)
    _, opt, p = run_ours(p0, grads)
    array = p.data
    p.grad = td.Tensor(grads[0])
    opt.step()
    assert p.dtype == np.float32 and p.data is array
    assert all(v.dtype == np.float32 for k, v in opt.state[p].items() if k != "step")


def test_adafactor_trains_a_linear_regression():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3
    model = nn.Linear(3, 1, dtype=np.float64)
    opt = optim.Adafactor(model.parameters(), lr=0.05)
    first = None
    for _ in range(300):
        opt.zero_grad()
        loss = ((model(td.Tensor(x)) - td.Tensor(y)) ** 2).mean()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 1e-2 * first


def test_adafactor_state_dict_round_trip_resumes_exactly(tmp_path):
    p0, grads = trajectory((2, 3, 4))
    expected, _, _ = run_ours(p0, grads, weight_decay=0.1, eps=(None, 1e-2))
    _, opt, p = run_ours(p0, grads[:3], weight_decay=0.1, eps=(None, 1e-2))
    td.save({"p": p.detach(), "opt": opt.state_dict()}, tmp_path / "ck.pt")
    saved = td.load(tmp_path / "ck.pt")
    q = td.Tensor(np.asarray(saved["p"].data).copy(), requires_grad=True)
    fresh = optim.Adafactor([q])
    fresh.load_state_dict(saved["opt"])
    group = fresh.param_groups[0]
    assert group["weight_decay"] == 0.1 and group["eps"] == (None, 1e-2)
    assert fresh.state[q]["step"] == 3 and fresh.state[q]["row_var"].shape == (2, 3, 1)
    for g, want in zip(grads[3:], expected[3:]):
        q.grad = td.Tensor(g.copy())
        fresh.step()
        np.testing.assert_array_equal(q.data, want)


def test_adafactor_state_dict_of_the_wrong_shape_is_refused():
    _, opt, _ = run_ours(*trajectory((3, 4), steps=1))
    other = td.Tensor(np.zeros((4, 3)), requires_grad=True)
    fresh = optim.Adafactor([other])
    with pytest.raises(ValueError, match="'row_var' has shape \\(3, 1\\).*keeps \\(4, 1\\)"):
        fresh.load_state_dict(opt.state_dict())
    assert fresh.state == {}


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"lr": -1.0}, ValueError, "Adafactor: invalid learning rate: -1.0"),
        ({"beta2_decay": 0.5}, ValueError, "invalid beta2_decay: 0.5 .*<= 0"),
        ({"eps": (-1.0, 1e-3)}, ValueError, "invalid eps \\(-1.0, 0.001\\): eps1"),
        ({"eps": (None, -1.0)}, ValueError, "invalid eps \\(None, -1.0\\): eps2"),
        ({"eps": 1e-3}, TypeError, "invalid eps: 0.001 \\(expected a pair"),
        ({"d": 0.5}, ValueError, "invalid clipping threshold d: 0.5 .*>= 1"),
        ({"weight_decay": -0.1}, ValueError, "invalid weight_decay: -0.1"),
    ],
)
def test_adafactor_invalid_options_are_errors(options, error, message):
    with pytest.raises(error, match=message):
        optim.Adafactor([td.Tensor([1.0], requires_grad=True)], **options)


def test_adafactor_defaults_and_repr_are_pytorchs():
    opt = optim.Adafactor([td.Tensor([1.0], requires_grad=True)])
    group = opt.param_groups[0]
    assert (group["lr"], group["beta2_decay"], group["eps"], group["d"]) == (
        1e-2, -0.8, (None, 1e-3), 1.0,
    )  # fmt: skip
    assert (group["weight_decay"], group["foreach"], group["maximize"]) == (0.0, None, False)
    assert repr(opt).startswith("Adafactor (\nParameter Group 0\n    lr: 0.01")


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_adafactor_trajectory_matches_pytorch(shape, options, dtype, atol):
    torch = pytest.importorskip("torch")
    p0, grads = trajectory(shape, dtype, seed=len(shape))
    ours, _, _ = run_ours(p0, grads, **options)
    q = torch.tensor(p0.copy(), requires_grad=True)
    opt = torch.optim.Adafactor([q], **options)
    for g, mine in zip(grads, ours):
        q.grad = torch.tensor(g.copy())
        opt.step()
        assert mine.dtype == q.detach().numpy().dtype
        np.testing.assert_allclose(mine, q.detach().numpy(), rtol=0, atol=atol)


def test_adafactor_state_dict_matches_pytorchs_layout():
    torch = pytest.importorskip("torch")
    p0, grads = trajectory((3, 4), steps=2)
    _, opt, _ = run_ours(p0, grads)
    q = torch.tensor(p0.copy(), requires_grad=True)
    topt = torch.optim.Adafactor([q])
    for g in grads:
        q.grad = torch.tensor(g.copy())
        topt.step()
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert sorted(ours["state"][0]) == sorted(theirs["state"][0])
    assert ours["param_groups"][0] == theirs["param_groups"][0]
    for key in ("row_var", "col_var"):
        np.testing.assert_allclose(ours["state"][0][key].data, theirs["state"][0][key].numpy())
