"""nn.utils.prune: the masks of l1 / ln / structured / global / custom pruning and of iterative
pruning (PruningContainer) against PyTorch's on tensors without ties, zero counts of the random
methods, the reparametrisation (state_dict keys, forward, gradients zero where masked, remove,
is_pruned), errors by message, and a net on digits that still trains after 50% pruning."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn.utils import prune

R = np.random.default_rng(5)


def linear(n_in=6, n_out=4, dtype=np.float32):
    m = nn.Linear(n_in, n_out, dtype=dtype)
    m.weight.data[...] = R.standard_normal(m.weight.shape).astype(dtype)  # no ties
    return m


def conv():
    m = nn.Conv2d(3, 5, 3)
    m.weight.data[...] = R.standard_normal(m.weight.shape).astype(np.float32)
    return m


def torch_prune():
    return pytest.importorskip("torch.nn.utils.prune")


def twin(m):
    """The PyTorch module of the same kind with the same parameters."""
    torch = pytest.importorskip("torch")
    if isinstance(m, nn.Conv2d):
        t = torch.nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size)
    else:
        t = torch.nn.Linear(m.in_features, m.out_features)
    with torch.no_grad():
        t.weight.copy_(torch.tensor(m.weight.data))
        t.bias.copy_(torch.tensor(m.bias.data))
    return t


# ---------------------------------------------------------------------------------------------
# masks against PyTorch
# ---------------------------------------------------------------------------------------------

# (function name, make module, args after (module, "weight"))
CASES = [
    ("l1_unstructured", linear, (0,)),
    ("l1_unstructured", linear, (5,)),
    ("l1_unstructured", linear, (24,)),
    ("l1_unstructured", linear, (0.3,)),
    ("l1_unstructured", linear, (1.0,)),
    ("l1_unstructured", lambda: linear(5, 1), (0.5,)),  # 2.5 rounds half to even: 2
    ("l1_unstructured", lambda: linear(5, 3), (0.5,)),  # 7.5 -> 8
    ("l1_unstructured", conv, (0.7,)),
    ("ln_structured", linear, (2, 2, 0)),
    ("ln_structured", linear, (0.5, 1, 1)),
    ("ln_structured", linear, (3, float("inf"), -1)),
    ("ln_structured", linear, (3, float("-inf"), -2)),
    ("ln_structured", linear, (0, 2, 0)),
    ("ln_structured", conv, (0.4, 2, 0)),
    ("ln_structured", conv, (1, 1, 1)),
    ("ln_structured", linear, (2, "fro", 0)),  # (PyTorch: "fro" over at most 2 dims)
    ("ln_structured", conv, (2, 0.5, 3)),
    ("ln_structured", conv, (2, 3, -1)),
]


@pytest.mark.parametrize("fn, make, args", CASES)
def test_mask_equals_torch(fn, make, args):
    ours = make()
    theirs = twin(ours)
    assert getattr(prune, fn)(ours, "weight", *args) is ours
    getattr(torch_prune(), fn)(theirs, "weight", *args)
    np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())
    assert ours.weight_mask.dtype == np.float32
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy())


def test_importance_scores_and_custom_mask_equal_torch():
    torch = pytest.importorskip("torch")
    scores = R.standard_normal((4, 6)).astype(np.float32)
    for fn, args in [("l1_unstructured", (7,)), ("ln_structured", (2, 1, 1))]:
        ours = linear()
        theirs = twin(ours)
        getattr(prune, fn)(ours, "weight", *args, importance_scores=td.Tensor(scores))
        getattr(torch_prune(), fn)(theirs, "weight", *args, importance_scores=torch.tensor(scores))
        np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())
    mask = R.random((4, 6)) > 0.5
    ours = linear()
    theirs = twin(ours)
    prune.custom_from_mask(ours, "weight", mask=td.Tensor(mask))
    torch_prune().custom_from_mask(theirs, "weight", mask=torch.tensor(mask))
    np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())
    np.testing.assert_array_equal(ours.weight.data == 0, ~mask)


@pytest.mark.parametrize("amount", [9, 0.4, 0.0])
def test_global_unstructured_equals_torch(amount):
    torch = pytest.importorskip("torch")
    ours = [linear(6, 4), conv(), linear(3, 2)]
    theirs = [twin(m) for m in ours]
    prune.l1_unstructured(ours[2], "weight", 2)  # a tensor pruned already: its mask is kept
    torch_prune().l1_unstructured(theirs[2], "weight", 2)
    scores = R.standard_normal((4, 6)).astype(np.float32)
    prune.global_unstructured(
        [(m, "weight") for m in ours] + [(ours[0], "bias")],
        prune.L1Unstructured,
        importance_scores={(ours[0], "weight"): td.Tensor(scores)},
        amount=amount,
    )
    torch_prune().global_unstructured(
        [(m, "weight") for m in theirs] + [(theirs[0], "bias")],
        torch_prune().L1Unstructured,
        importance_scores={(theirs[0], "weight"): torch.tensor(scores)},
        amount=amount,
    )
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.weight_mask.data, b.weight_mask.numpy())
    np.testing.assert_array_equal(ours[0].bias_mask.data, theirs[0].bias_mask.numpy())
    assert isinstance(ours[0]._forward_pre_hooks[0], prune.CustomFromMask)
    assert isinstance(ours[2]._forward_pre_hooks[0], prune.PruningContainer)


def test_global_random_unstructured_counts():
    td.manual_seed(2)
    layers = [linear(6, 4), linear(4, 3)]
    prune.l1_unstructured(layers[1], "weight", 2)
    prune.global_unstructured([(m, "weight") for m in layers], prune.RandomUnstructured, amount=0.5)
    zeros = sum(int((m.weight_mask.data == 0).sum()) for m in layers)
    assert zeros == 2 + 17  # half of the 34 still unpruned, rounded half to even


# each step: (function, args); the masks are compared after every step
ITERATIVE = [
    [("l1_unstructured", (0.3,)), ("ln_structured", (1, 2, 0)), ("l1_unstructured", (0.5,))],
    [("ln_structured", (2, 1, 1)), ("l1_unstructured", (4,)), ("ln_structured", (0.5, 2, 1))],
    [("l1_unstructured", (10,)), ("ln_structured", (2, float("inf"), -1))],
    [("ln_structured", (1, 2, 0)), ("ln_structured", (1, 2, 1)), ("identity", ())],
    [("l1_unstructured", (3,)), ("custom_from_mask", ("MASK",)), ("l1_unstructured", (0.2,))],
]


@pytest.mark.parametrize("steps", ITERATIVE)
def test_iterative_pruning_equals_torch(steps):
    torch = pytest.importorskip("torch")
    ours = linear()
    theirs = twin(ours)
    custom = R.random((4, 6)) > 0.3
    for k, (fn, args) in enumerate(steps):
        a = [td.Tensor(custom) if x == "MASK" else x for x in args]
        b = [torch.tensor(custom) if x == "MASK" else x for x in args]
        getattr(prune, fn)(ours, "weight", *a)
        getattr(torch_prune(), fn)(theirs, "weight", *b)
        np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())
        hook = ours._forward_pre_hooks[-1]
        if k:
            assert isinstance(hook, prune.PruningContainer) and len(hook) == k + 1
            assert [type(h).__name__ for h in hook] == [
                type(h).__name__ for h in next(iter(theirs._forward_pre_hooks.values()))
            ]
    assert len(ours._forward_pre_hooks) == 1
    x = R.standard_normal((3, 6)).astype(np.float32)
    y = ours(td.Tensor(x))
    (y * y).sum().backward()
    ty = theirs(torch.tensor(x))
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        ours.weight_orig.grad.data, theirs.weight_orig.grad.numpy(), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-5)


def test_state_dict_and_names_equal_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(linear(), nn.ReLU(), conv())
    theirs = twin(ours[0]), twin(ours[2])
    tmodel = torch.nn.Sequential(theirs[0], torch.nn.ReLU(), theirs[1])
    for model, p in [(ours, prune), (tmodel, torch_prune())]:
        p.l1_unstructured(model[0], "weight", 0.5)
        p.random_structured(model[2], "weight", 2, dim=0)
        p.l1_unstructured(model[2], "bias", 1)
    assert list(ours.state_dict()) == list(tmodel.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in tmodel.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in tmodel.named_buffers()]
    # PyTorch's pruned checkpoint loads into the pruned model: same masks, same outputs
    with torch.no_grad():
        for k, v in tmodel.state_dict().items():
            new = torch.tensor(R.standard_normal(tuple(v.shape)))
            v.copy_(new > 0 if k.endswith("_mask") else new)
    ours.load_state_dict({k: v.numpy() for k, v in tmodel.state_dict().items()})
    x = R.standard_normal((2, 3, 4, 4)).astype(np.float32)
    np.testing.assert_array_equal(ours[2].weight_mask.data, tmodel[2].weight_mask.numpy())
    np.testing.assert_allclose(
        ours[2](td.Tensor(x)).data, tmodel[2](torch.tensor(x)).detach().numpy(), rtol=1e-5
    )


# ---------------------------------------------------------------------------------------------
# the reparametrisation
# ---------------------------------------------------------------------------------------------


def test_reparametrisation_forward_and_gradient_zero_where_masked():
    m = linear(dtype=np.float64)
    w = m.weight
    prune.l1_unstructured(m, "weight", amount=0.5)
    assert m.weight_orig is w and "weight" not in m._parameters
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    assert m.weight_mask.dtype == np.float64 and not m.weight_mask.requires_grad
    mask = m.weight_mask.data
    assert mask.sum() == 12 and set(np.unique(mask)) == {0.0, 1.0}
    # the 12 smallest |w| are the pruned ones
    assert np.abs(w.data[mask == 0]).max() < np.abs(w.data[mask == 1]).min()
    x = td.Tensor(R.standard_normal((5, 6)))
    y = m(x)
    np.testing.assert_allclose(y.data, x.data @ (w.data * mask).T + m.bias.data)
    y.sum().backward()
    np.testing.assert_allclose(w.grad.data, np.ones((4, 5)) @ x.data * mask)
    assert (w.grad.data[mask == 0] == 0).all()
    # the hook recomputes weight from weight_orig before each forward
    with td.no_grad():
        w.add_(1.0)
    np.testing.assert_allclose(m(x).data, x.data @ ((w.data) * mask).T + m.bias.data)
    np.testing.assert_array_equal(m.weight.data, w.data * mask)


def test_gradcheck_through_prune_and_second_order():
    w = td.Tensor(R.standard_normal((4, 6)), requires_grad=True)
    x = td.Tensor(R.standard_normal((3, 6)), requires_grad=True)
    method = prune.L1Unstructured(0.5)
    assert td.gradcheck(lambda x, w: (x @ method.prune(w).T) ** 2, (x, w))
    mask = method.compute_mask(w, td.ones_like(w)).data
    (gw,) = td.grad(((x @ method.prune(w).T) ** 2).sum(), [w], create_graph=True)
    wm = w.data * mask
    np.testing.assert_allclose(gw.data, 2 * (x.data @ wm.T).T @ x.data * mask)
    gw.sum().backward()  # d/dx sum(dL/dw) = 2 (x M^T) WM + 2 (x WM^T) M
    want = 2 * (x.data @ mask.T) @ wm + 2 * (x.data @ wm.T) @ mask
    np.testing.assert_allclose(x.grad.data, want)


def test_remove_and_is_pruned():
    model = nn.Sequential(linear(), nn.Sequential(nn.ReLU(), linear(4, 2)))
    assert not prune.is_pruned(model)
    inner = model[1][1]
    prune.ln_structured(inner, "weight", 1, n=2, dim=0)
    prune.l1_unstructured(inner, "weight", 3)
    assert prune.is_pruned(model) and prune.is_pruned(inner) and not prune.is_pruned(model[0])
    orig, pruned = inner.weight_orig, inner.weight.data.copy()
    assert prune.remove(inner, "weight") is inner
    assert not prune.is_pruned(model)
    assert inner.weight is orig and isinstance(orig, nn.Parameter)  # an optimiser keeps it
    np.testing.assert_array_equal(inner.weight.data, pruned)
    assert (pruned == 0).sum() == 4 + 3
    assert list(inner.state_dict()) == ["bias", "weight"]
    assert not hasattr(inner, "weight_orig") and not hasattr(inner, "weight_mask")
    assert list(inner._forward_pre_hooks) == []
    with pytest.raises(ValueError, match="Parameter 'weight' of module Linear has to be pruned"):
        prune.remove(inner, "weight")
    x = td.Tensor(R.standard_normal((2, 6)).astype(np.float32))
    assert model(x).shape == (2, 2)


def test_identity_and_the_classes_apply():
    m = linear()
    prune.identity(m, "weight")
    assert m.weight_mask.data.all() and isinstance(m._forward_pre_hooks[0], prune.Identity)
    method = prune.L1Unstructured.apply(m, "bias", amount=2)
    assert isinstance(method, prune.L1Unstructured) and method._tensor_name == "bias"
    assert (m.bias_mask.data == 0).sum() == 2
    method = prune.RandomUnstructured.apply(m, "bias", 1)
    assert isinstance(method, prune.PruningContainer) and len(method) == 2
    assert [type(x) for x in method] == [prune.L1Unstructured, prune.RandomUnstructured]
    assert method[-1].amount == 1 and (m.bias_mask.data == 0).sum() == 3
    assert prune.LnStructured.apply(m, "weight", 1, 2, 0)._tensor_name == "weight"
    assert prune.CustomFromMask.apply(linear(), "weight", np.ones((4, 6))).PRUNING_TYPE == "global"


def test_prune_method_on_a_tensor():
    t = td.Tensor(np.array([[3.0, -1.0, 0.5], [-4.0, 2.0, 0.1]]), requires_grad=True)
    out = prune.L1Unstructured(2).prune(t)
    np.testing.assert_array_equal(out.data, [[3.0, -1.0, 0.0], [-4.0, 2.0, 0.0]])
    out.sum().backward()
    np.testing.assert_array_equal(t.grad.data, [[1, 1, 0], [1, 1, 0]])
    scores = np.array([[1.0, 9, 9], [9, 9, 2]])
    out = prune.L1Unstructured(1).prune(t, importance_scores=scores)
    np.testing.assert_array_equal(out.data, [[0.0, -1.0, 0.5], [-4.0, 2.0, 0.1]])
    out = prune.LnStructured(1, n=1, dim=1).prune(t, default_mask=np.array([[1, 0, 1], [1, 1, 1]]))
    np.testing.assert_array_equal(out.data, [[3.0, 0.0, 0.0], [-4.0, 2.0, 0.0]])
    assert prune.Identity().prune(t).data is not t.data


def test_ties_prune_the_lower_index_first():
    m = nn.Linear(3, 2)
    m.weight.data[...] = [[1.0, 1.0, 2.0], [1.0, 2.0, 2.0]]
    prune.l1_unstructured(m, "weight", 2)
    np.testing.assert_array_equal(m.weight_mask.data, [[0, 0, 1], [1, 1, 1]])
    c = nn.Linear(2, 3)
    c.weight.data[...] = [[1.0, 1.0], [1.0, 1.0], [2.0, 0.0]]
    prune.ln_structured(c, "weight", 1, n=1, dim=0)
    np.testing.assert_array_equal(c.weight_mask.data, [[0, 0], [1, 1], [1, 1]])


# ---------------------------------------------------------------------------------------------
# random methods
# ---------------------------------------------------------------------------------------------


def test_random_unstructured_counts_and_seed():
    masks = []
    for _ in range(2):
        td.manual_seed(4)
        m = linear(5, 4)
        prune.random_unstructured(m, "weight", amount=0.4)
        masks.append(m.weight_mask.data.copy())
        assert (m.weight_mask.data == 0).sum() == 8
    np.testing.assert_array_equal(*masks)
    prune.random_unstructured(m, "weight", amount=0.5)  # half of the 12 left
    mask = m.weight_mask.data
    assert (mask == 0).sum() == 8 + 6 and (mask[masks[0] == 0] == 0).all()
    prune.random_unstructured(m, "weight", amount=6)
    assert (m.weight_mask.data == 0).all()
    td.manual_seed(5)
    other = linear(5, 4)
    prune.random_unstructured(other, "weight", amount=0.4)
    assert not np.array_equal(other.weight_mask.data, masks[0])


def test_random_structured_counts_and_iterations():
    td.manual_seed(1)
    m = conv()
    prune.random_structured(m, "weight", amount=2, dim=0)
    mask = m.weight_mask.data
    dead = (mask == 0).all(axis=(1, 2, 3))
    assert dead.sum() == 2 and mask[~dead].all()
    prune.random_structured(m, "weight", amount=0.34, dim=0)  # 0.34 * 3 channels left -> 1
    dead2 = (m.weight_mask.data == 0).all(axis=(1, 2, 3))
    assert dead2.sum() == 3 and dead2[dead].all()
    prune.random_structured(m, "weight", amount=1, dim=1)  # another dim: all 3 in-channels
    mask = m.weight_mask.data
    assert ((mask == 0).all(axis=(0, 2, 3))).sum() == 1
    assert mask.sum() == 2 * 2 * 9 and mask.dtype == np.float32


def test_unstructured_then_structured_keeps_the_old_zeros():
    ours = linear()
    theirs = twin(ours)
    for module, p in [(ours, prune), (theirs, torch_prune())]:
        p.l1_unstructured(module, "weight", 0.4)
        p.ln_structured(module, "weight", 0.5, n=1, dim=0)
    np.testing.assert_array_equal(ours.weight_mask.data, theirs.weight_mask.numpy())
    assert (ours.weight_mask.data == 0).all(axis=1).sum() >= 2


# ---------------------------------------------------------------------------------------------
# errors by message
# ---------------------------------------------------------------------------------------------

ERRORS = [
    (lambda: prune.l1_unstructured(linear(), "weight", 1.5), ValueError,
     r"l1_unstructured: amount=1.5 should either be a float in the range \[0, 1\] or a "
     "non-negative integer"),
    (lambda: prune.random_unstructured(linear(), "weight", -1), ValueError,
     r"random_unstructured: amount=-1 should either"),
    (lambda: prune.L1Unstructured("a"), TypeError,
     "L1Unstructured: Invalid type for amount: 'a'. Must be int or float."),
    (lambda: prune.LnStructured(True, 2), TypeError, "LnStructured: Invalid type for amount"),
    (lambda: prune.LnStructured(1, "nuc"), TypeError, "LnStructured: n must be a number"),
    (lambda: prune.RandomStructured(1, dim=1.0), TypeError, "RandomStructured: dim must be an int"),
    (lambda: prune.l1_unstructured(linear(), "weight", 25), ValueError,
     "L1Unstructured: amount=25 should be smaller than the number of parameters to prune=24"),
    (lambda: prune.ln_structured(linear(), "weight", 5, 2, 0), ValueError,
     "LnStructured: amount=5 should be smaller than the number of parameters to prune=4"),
    (lambda: prune.ln_structured(linear(), "bias", 1, 2, 0), ValueError,
     r"LnStructured: Structured pruning can only be applied to multidimensional tensors. "
     r"Found tensor of shape \(4,\) with 1 dims"),
    (lambda: prune.random_structured(linear(), "weight", 1, 2), IndexError,
     r"RandomStructured: dim=2 is out of range for a tensor of shape \(4, 6\)"),
    (lambda: prune.l1_unstructured(linear(), "foo", 1), AttributeError,
     "l1_unstructured: Linear has no parameter 'foo'"),
    (lambda: prune.identity(nn.Linear(2, 2, bias=False), "bias"), AttributeError,
     "identity: Linear has no parameter 'bias'"),
    (lambda: prune.l1_unstructured("x", "weight", 1), TypeError,
     "l1_unstructured: expected an nn.Module, got str"),
    (lambda: prune.l1_unstructured(linear(), "weight", 1, importance_scores=np.ones(6)),
     ValueError, r"l1_unstructured: importance_scores should have the same shape as parameter "
     r"weight of Linear, got \(6,\) vs \(4, 6\)"),
    (lambda: prune.custom_from_mask(linear(), "weight", np.ones((6, 4))), ValueError,
     r"CustomFromMask: the mask has shape \(6, 4\), the tensor pruned has shape \(4, 6\)"),
    (lambda: prune.remove(linear(), "weight"), ValueError,
     "remove: Parameter 'weight' of module Linear has to be pruned before pruning can be "
     "removed"),
    (lambda: prune.global_unstructured(3, prune.L1Unstructured, amount=1), TypeError,
     r"global_unstructured\(\): parameters is not an Iterable"),
    (lambda: prune.global_unstructured([(linear(), "weight")], prune.L1Unstructured,
                                       importance_scores=[], amount=1), TypeError,
     r"global_unstructured\(\): importance_scores must be of type dict"),
    (lambda: prune.global_unstructured([(linear(), "weight")], prune.RandomStructured,
                                       amount=1), TypeError,
     r'global_unstructured\(\): Only "unstructured" PRUNING_TYPE supported for the '
     r"`pruning_method`. Found method .*RandomStructured.* of type structured"),
    (lambda: prune.global_unstructured([], prune.L1Unstructured, amount=1), ValueError,
     r"global_unstructured\(\): got no parameters to prune"),
    (lambda: prune.global_unstructured([linear()], prune.L1Unstructured, amount=1), TypeError,
     r"global_unstructured\(\): expected \(module, name\) pairs"),
    (lambda: prune.global_unstructured([(linear(), "weight")], prune.L1Unstructured,
                                       amount=30), ValueError,
     "L1Unstructured: amount=30 should be smaller than the number of parameters to prune=24"),
    (lambda: prune.PruningContainer(prune.Identity(), 3), TypeError,
     "PruningContainer: <class 'int'> is not a BasePruningMethod subclass"),
    (lambda: prune.BasePruningMethod(), TypeError, "abstract"),
    (lambda: prune.Identity().apply_mask(linear()), RuntimeError,
     "apply_mask: Module Linear has to be pruned"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_container_keeps_to_one_tensor():
    a, b = prune.Identity(), prune.Identity()
    a._tensor_name, b._tensor_name = "weight", "bias"
    with pytest.raises(ValueError, match="Can only add pruning methods acting on the parameter "
                       "named 'weight' to PruningContainer. Found 'bias'"):  # fmt: skip
        prune.PruningContainer(a, b)
    c = prune.PruningContainer(a)
    assert c._tensor_name == "weight" and len(c) == 1 and c[0] is a


def test_a_failed_pruning_leaves_the_module_as_it_was():
    m = linear()
    with pytest.raises(IndexError, match="dim=5 is out of range"):
        prune.ln_structured(m, "weight", 1, 2, 5)
    assert list(m._parameters) == ["weight", "bias"] and not prune.is_pruned(m)
    prune.l1_unstructured(m, "weight", 3)
    mask, hook = m.weight_mask.data.copy(), m._forward_pre_hooks[0]
    with pytest.raises(ValueError, match="should be smaller than"):
        prune.l1_unstructured(m, "weight", 22)  # 21 left
    assert m._forward_pre_hooks == [hook] and isinstance(hook, prune.L1Unstructured)
    np.testing.assert_array_equal(m.weight_mask.data, mask)


# ---------------------------------------------------------------------------------------------
# end to end
# ---------------------------------------------------------------------------------------------


def test_pruned_net_still_trains_on_digits_and_stays_pruned():
    x_train, y_train, _, _ = td.datasets.load_digits()
    x, y = td.Tensor(x_train[:256]), td.Tensor(y_train[:256])
    td.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = td.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(30):  # train a little first
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    for layer in (model[0], model[2]):
        prune.l1_unstructured(layer, "weight", amount=0.5)
    masks = [model[0].weight_mask.data.copy(), model[2].weight_mask.data.copy()]
    assert [(k == 0).mean() for k in masks] == [0.5, 0.5]
    opt = td.optim.Adam(model.parameters(), lr=0.01)  # (weight_orig, not weight)
    losses = []
    for _ in range(40):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        assert (model[0].weight_orig.grad.data[masks[0] == 0] == 0).all()
    assert losses[-1] < 0.7 * losses[0]
    for layer, mask in zip((model[0], model[2]), masks):
        model(x)
        assert (layer.weight.data[mask == 0] == 0).all()
        prune.remove(layer, "weight")
        assert (layer.weight.data[mask == 0] == 0).all()
    assert not prune.is_pruned(model)
