"""Adafactor and optim.swa_utils (AveragedModel, the averaging functions, SWALR, update_bn):
first steps in closed form, the whole trajectory against PyTorch's (float64 and float32),
errors by message, state_dict resumption, and training runs that reach their goal."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn, optim
from tinygrad_ds.optim import swa_utils

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


# ---------------------------------------------------------------------------------------------
# swa_utils: the averaging functions and AveragedModel
# ---------------------------------------------------------------------------------------------


def small_model(seed=0):
    td.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.BatchNorm1d(4, dtype=np.float64))


def set_params(model, values):
    with td.no_grad():
        for p, v in zip(model.parameters(), values):
            p.copy_(td.Tensor(v))


def param_sequence(model, count, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(p.shape) for p in model.parameters()] for _ in range(count)]


def test_single_average_functions_in_closed_form():
    a, b = td.Tensor([1.0, 2.0]), td.Tensor([3.0, -2.0])
    swa = swa_utils.get_swa_avg_fn()(a, b, td.Tensor(np.array(3)))
    np.testing.assert_allclose(swa.data, [1.5, 1.0])  # a + (b - a) / 4
    ema = swa_utils.get_ema_avg_fn(0.9)(a, b, 5)
    np.testing.assert_allclose(ema.data, [1.2, 1.6])  # 0.9 a + 0.1 b
    a32 = td.Tensor(np.ones(2, dtype=np.float32))
    assert swa_utils.get_swa_avg_fn()(a32, a32 * 2, 1).dtype == np.float32


def test_multi_average_functions_change_the_lists_in_place():
    a, b = [td.Tensor([1.0, 2.0]), td.Tensor([[0.0]])], [td.Tensor([3.0, -2.0]), td.Tensor([[4.0]])]
    first = a[0].data
    swa_utils.get_swa_multi_avg_fn()(a, b, 1)
    assert a[0].data is first
    np.testing.assert_allclose(a[0].data, [2.0, 0.0])
    np.testing.assert_allclose(a[1].data, [[2.0]])
    swa_utils.get_ema_multi_avg_fn(0.5)(a, b, 2)
    np.testing.assert_allclose(a[0].data, [2.5, -1.0])


@pytest.mark.parametrize("decay", [-0.1, 1.5])
def test_ema_decay_out_of_range_is_an_error(decay):
    with pytest.raises(ValueError, match=f"invalid decay {decay}; expected a value in \\[0, 1\\]"):
        swa_utils.get_ema_avg_fn(decay)
    with pytest.raises(ValueError, match="invalid decay"):
        swa_utils.get_ema_multi_avg_fn(decay)


def test_averaged_model_is_the_mean_of_the_iterates():
    model = small_model()
    swa = swa_utils.AveragedModel(model)
    assert swa.module is not model and isinstance(swa.module, nn.Sequential)
    assert swa.n_averaged.dtype == np.int64 and swa.n_averaged.item() == 0
    values = param_sequence(model, 5)
    for k, v in enumerate(values, start=1):
        set_params(model, v)
        swa.update_parameters(model)
        assert swa.n_averaged.item() == k
        for p, *vs in zip(swa.parameters(), *values[:k]):
            np.testing.assert_allclose(p.data, np.mean(vs, axis=0), rtol=1e-12)
    x = td.Tensor(np.random.default_rng(2).standard_normal((6, 3)))
    swa.eval()
    np.testing.assert_array_equal(swa(x).data, swa.module(x).data)
    assert list(swa.state_dict())[0] == "n_averaged"  # its own buffer first, as PyTorch
    assert "module.0.weight" in swa.state_dict() and all(p.requires_grad for p in swa.parameters())


def test_averaged_model_ema_avg_fn_and_multi_avg_fn_agree_with_the_closed_form():
    model = small_model()
    values = param_sequence(model, 4)
    ema_one = swa_utils.AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(0.8))
    ema_multi = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.8))
    for v in values:
        set_params(model, v)
        ema_one.update_parameters(model)
        ema_multi.update_parameters(model)
    for i, (p1, p2) in enumerate(zip(ema_one.parameters(), ema_multi.parameters())):
        expected = values[0][i]
        for v in values[1:]:
            expected = 0.8 * expected + 0.2 * v[i]
        np.testing.assert_allclose(p1.data, expected, rtol=1e-12)
        np.testing.assert_allclose(p2.data, expected, rtol=1e-12)


def test_averaged_model_buffers_follow_the_model_or_are_averaged():
    model = small_model()
    plain = swa_utils.AveragedModel(model)
    with_buffers = swa_utils.AveragedModel(model, use_buffers=True)
    rng = np.random.default_rng(3)
    means = []
    for _ in range(3):
        model(td.Tensor(rng.standard_normal((8, 3))))  # moves the running statistics
        means.append(model[1].running_mean.data.copy())
        plain.update_parameters(model)
        with_buffers.update_parameters(model)
    np.testing.assert_array_equal(plain.module[1].running_mean.data, means[-1])
    np.testing.assert_allclose(with_buffers.module[1].running_mean.data, np.mean(means, axis=0))
    # num_batches_tracked (int64) is averaged too and truncated at each update, as PyTorch's:
    # 1, then 1 + (2 - 1) / 2 -> 1, then 1 + (3 - 1) / 3 -> 1
    assert with_buffers.module[1].num_batches_tracked.item() == 1
    assert with_buffers.module[1].num_batches_tracked.dtype == np.int64


def test_averaged_model_errors():
    model = small_model()
    with pytest.raises(ValueError, match="give only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(
            model, avg_fn=swa_utils.get_swa_avg_fn(), multi_avg_fn=swa_utils.get_swa_multi_avg_fn()
        )
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        swa_utils.AveragedModel([td.Tensor([1.0])])
    with pytest.raises(TypeError, match="avg_fn must be callable"):
        swa_utils.AveragedModel(model, avg_fn=0.9)
    with pytest.raises(ValueError, match="device"):
        swa_utils.AveragedModel(model, device="cuda")
    swa = swa_utils.AveragedModel(model)
    with pytest.raises(ValueError, match="the model has 2 parameters, the averaged one 4"):
        swa.update_parameters(nn.Linear(3, 4))
    with pytest.raises(ValueError, match="tensor 0 has shape \\(4, 2\\) in the model"):
        swa.update_parameters(nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4)))
    assert swa.n_averaged.item() == 0


# (PyTorch's foreach SWA average takes its weight 1 / (n + 1) as a float32 tensor: rtol 1e-6)
AVERAGING = [
    ({}, 1e-12),
    ({"avg_fn": "ema"}, 1e-12),
    ({"multi_avg_fn": "ema"}, 1e-12),
    ({"multi_avg_fn": "swa", "use_buffers": True}, 1e-6),
    ({"use_buffers": True}, 1e-12),
]


def _functions(module, options):
    made = dict(options)
    if made.get("avg_fn") == "ema":
        made["avg_fn"] = module.get_ema_avg_fn(0.7)
    if made.get("multi_avg_fn") == "ema":
        made["multi_avg_fn"] = module.get_ema_multi_avg_fn(0.7)
    if made.get("multi_avg_fn") == "swa":
        made["multi_avg_fn"] = module.get_swa_multi_avg_fn()
    return made


@pytest.mark.parametrize("options, rtol", AVERAGING)
def test_averaged_model_matches_pytorch(options, rtol):
    torch = pytest.importorskip("torch")
    import torch.optim.swa_utils as tswa

    ours = small_model()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).double()
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    if options.get("multi_avg_fn") == "swa":  # PyTorch's foreach form refuses int buffers
        theirs[1].num_batches_tracked = ours[1].num_batches_tracked = None
    avg_ours = swa_utils.AveragedModel(ours, **_functions(swa_utils, options))
    avg_theirs = tswa.AveragedModel(theirs, **_functions(tswa, options))
    for step in range(4):
        values = param_sequence(ours, 1, seed=step)[0]
        rng = np.random.default_rng(10 + step)
        values += [rng.standard_normal(4), rng.random(4), np.array(step + 1)]  # the buffers
        for model, module in ((ours, td), (theirs, torch)):
            with module.no_grad():
                for t, v in zip(list(model.parameters()) + list(model.buffers()), values):
                    t.copy_(module.tensor(v))
        avg_ours.update_parameters(ours)
        avg_theirs.update_parameters(theirs)
    mine, want = avg_ours.state_dict(), avg_theirs.state_dict()
    assert list(mine) == list(want)
    for key in want:
        np.testing.assert_allclose(mine[key].data, want[key].numpy(), rtol=rtol, err_msg=key)
        assert mine[key].dtype == want[key].numpy().dtype, key


# ---------------------------------------------------------------------------------------------
# swa_utils: SWALR
# ---------------------------------------------------------------------------------------------


def lrs_of(scheduler, optimizer, steps):
    out = []
    for _ in range(steps):
        out.append([g["lr"] for g in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return out


def test_swalr_linear_anneal_in_closed_form():
    opt = optim.SGD([td.Tensor([1.0], requires_grad=True)], lr=1.0)
    sched = swa_utils.SWALR(opt, swa_lr=0.2, anneal_epochs=4, anneal_strategy="linear")
    got = [lr for (lr,) in lrs_of(sched, opt, 7)]
    np.testing.assert_allclose(got, [1.0, 0.8, 0.6, 0.4, 0.2, 0.2, 0.2])
    assert opt.param_groups[0]["swa_lr"] == 0.2 and sched.get_last_lr() == [0.2]


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 3, 10])
def test_swalr_lr_sequence_matches_pytorch(strategy, anneal_epochs):
    torch = pytest.importorskip("torch")
    import torch.optim.swa_utils as tswa

    ours_p = [td.Tensor([1.0], requires_grad=True), td.Tensor([2.0], requires_grad=True)]
    theirs_p = [torch.tensor([1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)]
    groups = lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.3}]  # noqa: E731
    opt = optim.SGD(groups(ours_p), lr=0.5)
    topt = torch.optim.SGD(groups(theirs_p), lr=0.5)
    # another schedule first (SWALR starts from whatever rate it finds), then SWALR
    first, tfirst = optim.StepLR(opt, 2, 0.5), torch.optim.lr_scheduler.StepLR(topt, 2, 0.5)
    lrs_of(first, opt, 3)
    lrs_of(tfirst, topt, 3)
    kwargs = dict(anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    sched = swa_utils.SWALR(opt, swa_lr=[0.05, 0.01], **kwargs)
    tsched = tswa.SWALR(topt, swa_lr=[0.05, 0.01], **kwargs)
    np.testing.assert_allclose(lrs_of(sched, opt, 14), lrs_of(tsched, topt, 14), rtol=1e-14)


def test_swalr_state_dict_round_trip():
    opt = optim.SGD([td.Tensor([1.0], requires_grad=True)], lr=1.0)
    sched = swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=5, anneal_strategy="linear")
    lrs_of(sched, opt, 2)
    saved = sched.state_dict()
    assert "anneal_func" not in saved and saved["_anneal_strategy"] == "linear"
    expected = lrs_of(sched, opt, 5)
    opt2 = optim.SGD([td.Tensor([1.0], requires_grad=True)], lr=1.0)
    sched2 = swa_utils.SWALR(opt2, swa_lr=0.1)
    sched2.load_state_dict(saved)
    opt2.param_groups[0]["lr"] = expected[0][0]
    assert sched2.anneal_epochs == 5
    np.testing.assert_allclose(lrs_of(sched2, opt2, 5), expected)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"anneal_strategy": "exp"}, ValueError, "anneal_strategy must be 'cos' or 'linear'"),
        ({"anneal_epochs": -1}, ValueError, "anneal_epochs must be an int >= 0, got -1"),
        ({"anneal_epochs": 2.5}, ValueError, "anneal_epochs must be an int >= 0"),
        ({"swa_lr": [0.1, 0.2]}, ValueError, "swa_lr: expected 1 values \\(one per group\\)"),
        ({"swa_lr": -0.1}, ValueError, "swa_lr must be a finite real number >= 0"),
    ],
)
def test_swalr_errors(kwargs, error, message):
    opt = optim.SGD([td.Tensor([1.0], requires_grad=True)], lr=1.0)
    kwargs = {"swa_lr": 0.1, **kwargs}
    with pytest.raises(error, match=message):
        swa_utils.SWALR(opt, **kwargs)
    with pytest.raises(TypeError, match="SWALR: list is not an Optimizer"):
        swa_utils.SWALR([], 0.1)


# ---------------------------------------------------------------------------------------------
# swa_utils: update_bn
# ---------------------------------------------------------------------------------------------


def bn_model():
    td.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.BatchNorm1d(4, dtype=np.float64))


def test_update_bn_gives_the_data_sets_statistics():
    model = bn_model()
    rng = np.random.default_rng(5)
    data = rng.standard_normal((60, 3)) * 2 + 1
    model(td.Tensor(rng.standard_normal((8, 3))))  # stale statistics, to be replaced
    model.eval()
    with td.no_grad():
        h = model[0](td.Tensor(data)).data
    swa_utils.update_bn([td.Tensor(data)], model)  # one batch: exactly its mean and var
    np.testing.assert_allclose(model[1].running_mean.data, h.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model[1].running_var.data, h.var(axis=0, ddof=1), rtol=1e-12)
    assert model[1].num_batches_tracked.item() == 1
    assert model[1].momentum == 0.1 and not model.training
    # equal batches, given as (input, target) pairs: the mean of their statistics
    batches = [(td.Tensor(data[i : i + 20]), None) for i in range(0, 60, 20)]
    model.train()
    swa_utils.update_bn(batches, model)
    np.testing.assert_allclose(model[1].running_mean.data, h.mean(axis=0), rtol=1e-12)
    var = np.mean([h[i : i + 20].var(axis=0, ddof=1) for i in range(0, 60, 20)], axis=0)
    np.testing.assert_allclose(model[1].running_var.data, var, rtol=1e-12)
    assert model.training and model[1].num_batches_tracked.item() == 3


def test_update_bn_without_batch_norm_changes_nothing_and_errors():
    model = nn.Linear(3, 2)
    swa_utils.update_bn([td.ones(2, 3)], model, device="cpu")
    with pytest.raises(TypeError, match="update_bn: model must be an nn.Module, got list"):
        swa_utils.update_bn([td.ones(2, 3)], [model])


def test_update_bn_matches_pytorch_for_batch_norm_2d():
    torch = pytest.importorskip("torch")
    import torch.optim.swa_utils as tswa

    td.manual_seed(1)
    bn = nn.BatchNorm2d(3, momentum=0.3, dtype=np.float64)
    ours = nn.Sequential(nn.Conv2d(2, 3, 3, dtype=np.float64), bn)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3, momentum=0.3))
    theirs = theirs.double()
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(6)
    data = [rng.standard_normal((n, 2, 5, 5)) for n in (4, 3, 5)]
    swa_utils.update_bn([td.Tensor(x) for x in data], ours)
    tswa.update_bn([torch.tensor(x) for x in data], theirs)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].data, value.numpy(), rtol=1e-10)
    assert ours[1].momentum == 0.3


# ---------------------------------------------------------------------------------------------
# swa_utils: end to end
# ---------------------------------------------------------------------------------------------


def test_sgd_with_swa_on_digits_averages_to_a_model_no_worse_than_the_last_iterate():
    x_train, y_train, x_test, y_test = td.datasets.load_digits()
    x, y = td.Tensor(x_train), td.Tensor(y_train)
    td.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 10))
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    swa = swa_utils.AveragedModel(model)
    swa_scheduler = swa_utils.SWALR(opt, swa_lr=0.2, anneal_epochs=2)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    for epoch in range(12):
        order = rng.permutation(len(x_train))
        for i in range(0, len(order), 64):
            batch = td.Tensor(order[i : i + 64])
            opt.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            opt.step()
        if epoch >= 4:
            swa.update_parameters(model)
            swa_scheduler.step()
    loader = [(x[td.Tensor(order[i : i + 64])],) for i in range(0, len(order), 64)]
    swa_utils.update_bn(loader, swa)
    model.eval()
    swa.eval()
    with td.no_grad():
        last = loss_fn(model(td.Tensor(x_test)), td.Tensor(y_test)).item()
        averaged = loss_fn(swa(td.Tensor(x_test)), td.Tensor(y_test)).item()
        accuracy = (swa(td.Tensor(x_test)).argmax(axis=1).data == y_test).mean()
    assert swa.n_averaged.item() == 8
    assert all(p.dtype == np.float32 for p in swa.parameters())  # float32 stays float32
    assert averaged <= last * 1.05 and accuracy > 0.9
