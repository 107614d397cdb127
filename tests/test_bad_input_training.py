"""Bad input to the training machinery (optimisers, schedulers, clipping, backward/grad,
gradcheck, data loading, save/load) is a clear error naming the function and the value at
fault, never a silent wrong answer or a NumPy traceback; valid input still works."""

import math
import os

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import optim
from tinygrad_ds.data import DataLoader, Subset, TensorDataset, random_split
from tinygrad_ds.nn.utils import clip_grad_norm_, clip_grad_value_
from tinygrad_ds.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, StepLR

NAN, INF = float("nan"), float("inf")


def _p(*shape):
    return td.ones(*(shape or (2,)), requires_grad=True)


def _sgd(**kw):
    return optim.SGD([_p()], lr=0.1, **kw)


def _with_grad(p, g):
    p.grad = g
    return p


def _step(opt_cls, grad, **kw):
    p = _with_grad(_p(2, 2), grad)
    opt_cls([p], **kw).step()


def _loaded_into_sgd():
    p = _p()
    adam = optim.Adam([p])
    p.grad = td.ones(2)
    adam.step()
    sgd = optim.SGD([p], lr=0.1, momentum=0.9)
    sgd.load_state_dict(adam.state_dict())


def _clip_norm(max_norm, norm_type=2.0):
    clip_grad_norm_([_with_grad(_p(), td.ones(2))], max_norm, norm_type)


def _clip_value(value):
    clip_grad_value_([_with_grad(_p(), td.ones(2))], value)


def _y():
    return (_p() * 2).sum()


def _accumulate_into(existing):
    x = _p(2, 2)
    x.grad = existing
    (x * 3).sum().backward()


def _ds(n=5):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2))


def _gen():
    yield from range(3)


def _cube(x):
    return x * x * x


# (id, call, exception, regex naming the function and the bad value)
ERRORS = [
    # 1. optimiser options: NaN/inf/negative, wrong types, betas
    ("sgd-lr-nan", lambda: optim.SGD([_p()], lr=NAN), ValueError,
     r"SGD: invalid learning rate: nan"),
    ("sgd-lr-inf", lambda: optim.SGD([_p()], lr=INF), ValueError,
     r"SGD: invalid learning rate: inf"),
    ("sgd-momentum-nan", lambda: _sgd(momentum=NAN), ValueError, r"SGD: invalid momentum: nan"),
    ("sgd-momentum-str", lambda: _sgd(momentum="a"), TypeError, r"SGD: invalid momentum: 'a'"),
    ("sgd-wd-nan", lambda: _sgd(weight_decay=NAN), ValueError, r"SGD: invalid weight_decay: nan"),
    ("sgd-wd-none", lambda: _sgd(weight_decay=None), TypeError, r"SGD: invalid weight_decay: None"),
    ("sgd-dampening-nan", lambda: _sgd(dampening=NAN), ValueError, r"SGD: invalid dampening: nan"),
    ("adam-lr-nan", lambda: optim.Adam([_p()], lr=NAN), ValueError,
     r"Adam: invalid learning rate: nan"),
    ("adam-eps-nan", lambda: optim.Adam([_p()], eps=NAN), ValueError,
     r"Adam: invalid epsilon value: nan"),
    ("adam-wd-nan", lambda: optim.Adam([_p()], weight_decay=NAN), ValueError,
     r"Adam: invalid weight_decay: nan"),
    ("adam-betas-one", lambda: optim.Adam([_p()], betas=(0.9,)), TypeError,
     r"Adam: invalid betas: \(0\.9,\)"),
    ("adam-betas-float", lambda: optim.Adam([_p()], betas=0.9), TypeError,
     r"Adam: invalid betas: 0\.9"),
    ("adam-betas-nan", lambda: optim.Adam([_p()], betas=(NAN, 0.9)), ValueError,
     r"Adam: invalid betas .*beta1: nan"),
    ("adam-betas-str", lambda: optim.Adam([_p()], betas=(0.9, "a")), TypeError,
     r"Adam: invalid betas .*beta2: 'a'"),
    ("adamw-eps-str", lambda: optim.AdamW([_p()], eps="a"), TypeError,
     r"AdamW: invalid epsilon value: 'a'"),
    ("rmsprop-eps-nan", lambda: optim.RMSprop([_p()], eps=NAN), ValueError,
     r"RMSprop: invalid epsilon value: nan"),
    ("rmsprop-momentum-str", lambda: optim.RMSprop([_p()], momentum="a"), TypeError,
     r"RMSprop: invalid momentum: 'a'"),
    ("rmsprop-alpha-inf", lambda: optim.RMSprop([_p()], alpha=INF), ValueError,
     r"RMSprop: invalid alpha: inf"),
    ("adagrad-eps-nan", lambda: optim.Adagrad([_p()], eps=NAN), ValueError,
     r"Adagrad: invalid epsilon value: nan"),
    ("adagrad-init-nan", lambda: optim.Adagrad([_p()], initial_accumulator_value=NAN), ValueError,
     r"Adagrad: invalid initial_accumulator_value: nan"),
    ("adagrad-lr-decay-str", lambda: optim.Adagrad([_p()], lr_decay="a"), TypeError,
     r"Adagrad: invalid lr_decay: 'a'"),
    ("add-group-lr-nan", lambda: _sgd().add_param_group({"params": _p(), "lr": NAN}), ValueError,
     r"SGD: invalid learning rate: nan"),
    # 3. params: a misspelt group key, a model instead of its parameters, None
    ("group-key-typo", lambda: optim.SGD([{"param": _p()}], lr=0.1), KeyError,
     r"SGD: .*'params'.*'param'"),
    ("params-module", lambda: optim.SGD(td.nn.Linear(2, 2), lr=0.1), TypeError,
     r"SGD: params must be an iterable .*Linear; did you mean model\.parameters\(\)"),
    ("params-none", lambda: optim.SGD(None, lr=0.1), TypeError,
     r"SGD: params must be an iterable .*NoneType"),
    ("group-params-none", lambda: optim.SGD([{"params": None}], lr=0.1), TypeError,
     r"SGD: a group's 'params'.*NoneType"),
    # 4. a .grad that is not a Tensor of its parameter's shape
    ("sgd-grad-shape-1", lambda: _step(optim.SGD, td.ones(1), lr=0.1), ValueError,
     r"SGD\.step: a parameter of shape \(2, 2\) has a \.grad of shape \(1,\)"),
    ("sgd-grad-shape-21", lambda: _step(optim.SGD, td.ones(2, 1), lr=0.1), ValueError,
     r"SGD\.step: .*shape \(2, 2\) has a \.grad of shape \(2, 1\)"),
    ("adam-grad-shape-1", lambda: _step(optim.Adam, td.ones(1)), ValueError,
     r"Adam\.step: a parameter of shape \(2, 2\) has a \.grad of shape \(1,\)"),
    ("sgd-grad-ndarray", lambda: _step(optim.SGD, np.ones((2, 2)), lr=0.1), TypeError,
     r"SGD\.step: the \.grad of a parameter of shape \(2, 2\) is a ndarray"),
    ("step-closure-int", lambda: _sgd().step(closure=5), TypeError,
     r"SGD\.step: closure must be callable, got 5"),
    ("backward-grad-shape-1", lambda: _accumulate_into(td.ones(1)), ValueError,
     r"backward: the existing \.grad of a tensor of shape \(2, 2\) has shape \(1,\)"),
    ("backward-grad-shape-21", lambda: _accumulate_into(td.ones(2, 1)), ValueError,
     r"backward: .*shape \(2, 2\) has shape \(2, 1\)"),
    ("backward-grad-str", lambda: _accumulate_into("a"), TypeError,
     r"backward: the existing \.grad .* is a str"),
    # 5. another optimiser's state
    ("sgd-loads-adam", _loaded_into_sgd, ValueError,
     r"SGD\.load_state_dict: .*\['exp_avg', 'exp_avg_sq', 'step'\].*\['momentum_buffer'\]"),
    # 6. schedulers keep lr a finite number >= 0
    ("steplr-gamma-neg", lambda: StepLR(_sgd(), 1, gamma=-1), ValueError,
     r"StepLR: gamma .*got -1"),
    ("steplr-gamma-nan", lambda: StepLR(_sgd(), 1, gamma=NAN), ValueError,
     r"StepLR: gamma .*got nan"),
    ("explr-gamma-neg", lambda: ExponentialLR(_sgd(), gamma=-1), ValueError,
     r"ExponentialLR: gamma .*got -1"),
    ("explr-gamma-nan", lambda: ExponentialLR(_sgd(), gamma=NAN), ValueError,
     r"ExponentialLR: gamma .*got nan"),
    ("explr-gamma-str", lambda: ExponentialLR(_sgd(), gamma="a"), TypeError,
     r"ExponentialLR: gamma .*got 'a'"),
    ("cosine-eta-neg", lambda: CosineAnnealingLR(_sgd(), 10, eta_min=-1), ValueError,
     r"CosineAnnealingLR: eta_min .*got -1"),
    ("lambda-not-callable", lambda: LambdaLR(_sgd(), 5), TypeError,
     r"LambdaLR: lr_lambda must be a function.*got 5"),
    ("lambda-negative", lambda: LambdaLR(_sgd(), lambda e: -1), ValueError,
     r"LambdaLR: lr_lambda\(0\).*got -1"),
    ("lambda-nan", lambda: LambdaLR(_sgd(), lambda e: NAN), ValueError,
     r"LambdaLR: lr_lambda\(0\).*got nan"),
    ("lambda-str", lambda: LambdaLR(_sgd(), lambda e: "a"), TypeError,
     r"LambdaLR: lr_lambda\(0\).*got 'a'"),
    # 7. clipping
    ("clip-norm-neg", lambda: _clip_norm(-1), ValueError, r"clip_grad_norm_: max_norm .*got -1"),
    ("clip-norm-nan", lambda: _clip_norm(NAN), ValueError, r"clip_grad_norm_: max_norm .*got nan"),
    ("clip-norm-str", lambda: _clip_norm("a"), TypeError, r"clip_grad_norm_: max_norm .*got 'a'"),
    ("clip-norm-type-str", lambda: _clip_norm(1.0, "fro"), TypeError,
     r"clip_grad_norm_: norm_type .*got 'fro'"),
    ("clip-norm-none", lambda: clip_grad_norm_(None, 1.0), TypeError,
     r"clip_grad_norm_: parameters .*NoneType"),
    ("clip-value-neg", lambda: _clip_value(-1), ValueError,
     r"clip_grad_value_: clip_value .*got -1"),
    ("clip-value-nan", lambda: _clip_value(NAN), ValueError,
     r"clip_grad_value_: clip_value .*got nan"),
    ("clip-value-none", lambda: _clip_value(None), TypeError,
     r"clip_grad_value_: clip_value .*got None"),
    ("clip-value-str", lambda: _clip_value("a"), TypeError,
     r"clip_grad_value_: clip_value .*got 'a'"),
    # 8. gradcheck
    ("gradcheck-eps-0", lambda: td.gradcheck(_cube, [_p(3)], eps=0), ValueError,
     r"gradcheck: eps .*got 0"),
    ("gradcheck-eps-neg", lambda: td.gradcheck(_cube, [_p(3)], eps=-1e-6),
     ValueError, r"gradcheck: eps .*got -1e-06"),
    ("gradcheck-returns-none", lambda: td.gradcheck(lambda x: None, [_p()]), TypeError,
     r"gradcheck: fn must return a Tensor .*got NoneType"),
    ("gradcheck-returns-int", lambda: td.gradcheck(lambda x: 5, [_p()]), TypeError,
     r"gradcheck: fn must return a Tensor .*got int"),
    ("gradcheck-inputs-none", lambda: td.gradcheck(_cube, None), TypeError,
     r"gradcheck: inputs .*got NoneType"),
    ("gradcheck-fn-int", lambda: td.gradcheck(5, [_p()]), TypeError,
     r"gradcheck: fn must be callable, got 5"),
    # 9. backward / grad arguments
    ("backward-gradient-str", lambda: (_p() * 2).backward("a"), TypeError,
     r"backward: the gradient 'a'"),
    ("backward-gradient-ragged", lambda: (_p() * 2).backward([[1.0, 2.0], [3.0]]), TypeError,
     r"backward: the gradient \[\[1\.0, 2\.0\], \[3\.0\]\]"),
    ("backward-list-int", lambda: td.backward([_y(), 5]), TypeError,
     r"backward: tensors\[1\] is a int"),
    ("backward-none", lambda: td.backward(None), TypeError,
     r"backward: tensors must be a Tensor .*NoneType"),
    ("grad-inputs-none", lambda: td.grad(_y(), None), TypeError,
     r"grad: inputs must be a Tensor .*NoneType"),
    ("grad-outputs-none", lambda: td.grad(None, _p()), TypeError,
     r"grad: outputs must be a Tensor .*NoneType"),
    ("grad-inputs-ndarray", lambda: td.grad(_y(), np.ones(2)), TypeError,
     r"grad: inputs must be a Tensor .*ndarray"),
    ("grad-inputs-str", lambda: td.grad(_y(), "a"), TypeError,
     r"grad: inputs must be a Tensor .*str"),
    # 10. data
    ("loader-none", lambda: DataLoader(None), TypeError,
     r"DataLoader: the dataset must have __len__.*NoneType"),
    ("loader-int", lambda: DataLoader(5), TypeError,
     r"DataLoader: the dataset must have __len__.*got int"),
    ("loader-generator", lambda: DataLoader(_gen()), TypeError,
     r"DataLoader: the dataset .*got generator"),
    ("loader-collate-int", lambda: DataLoader(_ds(), collate_fn=5), TypeError,
     r"DataLoader: collate_fn must be callable, got 5"),
    ("tensords-index", lambda: _ds()[10], IndexError,
     r"TensorDataset: index 10 is out of range for 5 examples"),
    ("subset-index", lambda: Subset(_ds(), [10]), IndexError,
     r"Subset: index 10 is out of range for 5 examples in its dataset"),
    ("subset-getitem", lambda: Subset(_ds(), [1, 2])[7], IndexError,
     r"Subset: index 7 is out of range for 2"),
    ("subset-float-index", lambda: Subset(_ds(), [1.5]), TypeError,
     r"Subset: indices must be .*ints, got \[1\.5\]"),
    ("subset-none", lambda: Subset(_ds(), None), TypeError,
     r"Subset: indices must be .*ints, got None"),
    ("split-nan", lambda: random_split(_ds(), [NAN, 5]), ValueError,
     r"random_split: lengths must be finite, got nan"),
    ("split-none", lambda: random_split(_ds(), None), TypeError,
     r"random_split: lengths must be .*NoneType"),
    ("split-str", lambda: random_split(_ds(), ["a"]), TypeError,
     r"random_split: lengths must be numbers, got 'a'"),
    ("collate-none", lambda: td.data.default_collate(None), TypeError,
     r"default_collate: .*NoneType"),
    # 11. save / load paths
    ("save-none", lambda: td.save({"w": td.ones(2)}, None), TypeError,
     r"save: f must be a path .*NoneType"),
    ("save-int", lambda: td.save({"w": td.ones(2)}, 123), TypeError,
     r"save: f must be a path .*int 123"),
    ("load-none", lambda: td.load(None), TypeError, r"load: f must be a path .*NoneType"),
    ("load-int", lambda: td.load(0), TypeError, r"load: f must be a path .*int 0"),
]  # fmt: skip


@pytest.mark.parametrize(
    "call, error, message", [row[1:] for row in ERRORS], ids=[row[0] for row in ERRORS]
)
def test_bad_input_is_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_gradcheck_fails_on_nan_in_either_jacobian():
    x = td.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(td.GradcheckError, match="gradcheck: input 0"):
        td.gradcheck(lambda a: (a - 1.0).sqrt(), [x])  # d/dx sqrt at 0: inf, numeric nan
    with pytest.raises(td.GradcheckError, match="gradcheck: input 0"):
        td.gradcheck(lambda a: a * td.Tensor(np.array([NAN, 1.0])), [x])
    # finite differences NaN (a term outside the graph is NaN at x + eps), autograd finite
    one = td.Tensor(np.array([1.0]), requires_grad=True)
    with pytest.raises(td.GradcheckError, match=r"finite differences give nan"):
        td.gradcheck(lambda a: a + td.Tensor(np.sqrt(1.0 - a.data)), [one])


def test_wrong_shape_grad_changes_nothing():
    p = _p(2, 2)
    p.grad = td.ones(1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError):
        opt.step()
    np.testing.assert_array_equal(p.data, np.ones((2, 2)))


def test_a_failed_scheduler_step_changes_nothing():
    opt = _sgd()
    sched = LambdaLR(opt, lambda e: 1.0 if e < 2 else -1.0)
    sched.step()
    with pytest.raises(ValueError, match=r"lr_lambda\(2\)"):
        sched.step()
    assert sched.last_epoch == 1 and opt.param_groups[0]["lr"] == pytest.approx(0.1)


def test_a_state_loaded_with_bad_options_is_refused_and_changes_nothing():
    p = _p()
    opt = optim.SGD([p], lr=0.1)
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = NAN
    with pytest.raises(ValueError, match="SGD: invalid learning rate: nan"):
        opt.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize("path", ["/nonexistent-tgds/x.npz", "dir"])
def test_save_to_a_bad_path_names_it_and_leaves_nothing(tmp_path, path):
    target = str(tmp_path) if path == "dir" else path
    error = IsADirectoryError if path == "dir" else FileNotFoundError
    with pytest.raises(error, match=rf"save: .*{target!r}"):
        td.save({"w": td.ones(2)}, target)
    assert os.listdir(tmp_path) == []
    with pytest.raises(error, match=rf"load: cannot read {target!r}"):
        td.load(target)


# ---------------------------------------------------------------- valid input still works


@pytest.mark.parametrize("lr", [np.float32(0.5), np.float64(0.5), td.tensor(0.5), 1, np.int64(1)])
def test_numpy_and_tensor_learning_rates(lr):
    p = _p()
    p.grad = td.ones(2)
    opt = optim.SGD([p], lr=lr)
    assert isinstance(opt.param_groups[0]["lr"], (int, float))
    opt.step()
    np.testing.assert_allclose(p.data, 1 - float(lr) * np.ones(2), rtol=1e-6)
    assert p.dtype == np.float32


def test_numpy_betas_and_valid_options():
    opt = optim.Adam([_p()], betas=[np.float32(0.5), 0.9], eps=np.float64(1e-8))
    assert opt.param_groups[0]["betas"] == (0.5, 0.9)
    optim.SGD([_p()], lr=0, momentum=0.9, nesterov=True)  # lr 0 is allowed
    optim.Adagrad([_p()], initial_accumulator_value=0.1)


def test_a_model_as_a_group_list_still_works():
    model = td.nn.Linear(2, 2)
    opt = optim.SGD([{"params": model.parameters(), "lr": 0.1}], lr=0.01)
    assert len(opt.param_groups[0]["params"]) == 2


def test_state_dict_round_trip_between_same_optimisers():
    p, q = _p(), _p()
    a, b = optim.Adam([p], amsgrad=True), optim.Adam([q], amsgrad=True)
    p.grad = td.ones(2)
    a.step()
    b.load_state_dict(a.state_dict())
    assert b.state[q]["step"] == 1


@pytest.mark.parametrize("seed", [-1, -(2**63), 7])
def test_negative_seeds_are_reproducible(seed):
    ds = TensorDataset(np.arange(20))

    def order():
        return [
            int(v)
            for (b,) in DataLoader(ds, batch_size=20, shuffle=True, seed=seed)
            for v in b.data
        ]

    assert order() == order() and sorted(order()) == list(range(20))
    a = random_split(ds, [10, 10], seed=seed)
    b = random_split(ds, [10, 10], seed=seed)
    assert list(a[0].indices) == list(b[0].indices)


def test_negative_indices_in_range_still_work():
    ds = _ds()
    np.testing.assert_array_equal(ds[-1][0], [8.0, 9.0])
    np.testing.assert_array_equal(Subset(ds, [-1])[0][0], [8.0, 9.0])
    assert [b[0].shape for b in DataLoader(Subset(ds, [0, 4]), batch_size=2)] == [(2, 2)]


def test_clipping_with_valid_values_is_unchanged():
    p = _with_grad(_p(3), td.tensor([3.0, 0.0, -4.0]))
    total = clip_grad_norm_([p], 1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.data, [0.6, 0.0, -0.8], rtol=1e-5)
    p.grad = td.tensor([3.0, 0.0, -4.0])
    assert clip_grad_norm_([p], INF).item() == pytest.approx(5.0)  # no clipping
    np.testing.assert_allclose(p.grad.data, [3.0, 0.0, -4.0], rtol=1e-6)
    clip_grad_value_([p], 2)
    np.testing.assert_array_equal(p.grad.data, [2.0, 0.0, -2.0])
    clip_grad_value_([p], np.float32(1.0))
    np.testing.assert_array_equal(p.grad.data, [1.0, 0.0, -1.0])


def test_clip_norm_type_zero_counts_nonzeros_as_pytorch():
    p = _with_grad(_p(3), td.tensor([1.0, 0.0, 2.0]))
    q = _with_grad(_p(2), td.zeros(2))
    # per-gradient nonzero counts are (2, 0), and one of those norms is nonzero
    assert clip_grad_norm_([p, q], 5.0, norm_type=0).item() == 1.0
    np.testing.assert_array_equal(p.grad.data, [1.0, 0.0, 2.0])


def test_schedulers_with_valid_values():
    opt = _sgd()
    sched = ExponentialLR(opt, gamma=np.float64(0.5))
    sched.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)
    sched = LambdaLR(_sgd(), lambda e: np.float32(0.5))
    assert sched.get_last_lr() == [pytest.approx(0.05)]
    assert not math.isnan(StepLR(_sgd(), 1, gamma=0).get_last_lr()[0])


def test_backward_and_grad_accept_valid_forms():
    x = _p()
    y = x * 2
    y.backward(np.array([1.0, 1.0]))
    x.grad = td.zeros(2)  # an existing grad of the right shape accumulates
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    model = td.nn.Linear(2, 1)
    loss = model(td.ones(1, 2)).sum()
    grads = td.grad(loss, model.parameters())  # any iterable of Tensors
    assert [g.shape for g in grads] == [(1, 2), (1,)]


def test_gradcheck_still_passes():
    x = td.randn(3, requires_grad=True)
    assert td.gradcheck(_cube, [x])
    assert td.gradcheck(_cube, x)
