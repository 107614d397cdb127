"""Devices (device.py): td.device's parsing, repr, equality and hashing; `device=` (and
`layout=`, `pin_memory=`) on every factory, where the CPU changes nothing and any other device
is a clear error; Tensor.device and friends; td.cuda, td.backends and the default device; and
a PyTorch-style training loop that picks its device as PyTorch code does.
Compared with PyTorch where it is installed."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.device import CPU, check_device

CPU_ONLY = "runs on the CPU only"

# -- td.device ------------------------------------------------------------------------------

# (arguments, repr, str, type, index)
DEVICES = [
    (("cpu",), "device(type='cpu')", "cpu", "cpu", None),
    (("cpu", 0), "device(type='cpu', index=0)", "cpu:0", "cpu", 0),
    (("cpu:0",), "device(type='cpu', index=0)", "cpu:0", "cpu", 0),
    (("cpu", None), "device(type='cpu')", "cpu", "cpu", None),
    (("cuda",), "device(type='cuda')", "cuda", "cuda", None),
    (("cuda:1",), "device(type='cuda', index=1)", "cuda:1", "cuda", 1),
    (("cuda", 3), "device(type='cuda', index=3)", "cuda:3", "cuda", 3),
    (("meta",), "device(type='meta')", "meta", "meta", None),
    (("mps",), "device(type='mps')", "mps", "mps", None),
]

# (arguments, error, message)
BAD_DEVICES = [
    (("",), RuntimeError, "device: Device string must not be empty"),
    (("gpu",), RuntimeError, "device: Expected one of cpu, cuda, .* device string: gpu"),
    (("CPU",), RuntimeError, "device: Expected one of cpu, cuda, .* device string: CPU"),
    (("cuda:-1",), RuntimeError, "device: Invalid device string: 'cuda:-1'"),
    (("cuda:x",), RuntimeError, "device: Invalid device string: 'cuda:x'"),
    (("cuda:01",), RuntimeError, "device: Invalid device string: 'cuda:01'"),
    (("cuda:1:2",), RuntimeError, "device: Invalid device string: 'cuda:1:2'"),
    ((" cpu",), RuntimeError, "device: Invalid device string: ' cpu'"),
    (("cuda:1", 2), RuntimeError, "device: type .string. must not include an index because"),
    (("cuda", -1), RuntimeError, "device: Device index must not be negative"),
    ((1,), RuntimeError, "device: device 1 names an accelerator device, and none is available"),
    ((None,), TypeError, "device: expected a device string .* got None"),
    (("cpu", 1.0), TypeError, "device: the device index must be an int, not float"),
    (("cpu", True), TypeError, "device: the device index must be an int, not bool"),
    (("cuda", "1"), TypeError, "device: the device index must be an int, not str"),
]


@pytest.mark.parametrize(("args", "rep", "text", "kind", "index"), DEVICES)
def test_device_parses_as_pytorch(args, rep, text, kind, index):
    d = td.device(*args)
    assert (repr(d), str(d), d.type, d.index) == (rep, text, kind, index)
    assert td.device(d) == d and td.device(str(d)) == d  # from a device, and round trip
    assert pickle.loads(pickle.dumps(d)) == d


@pytest.mark.parametrize(("args", "error", "message"), BAD_DEVICES)
def test_bad_device_is_an_error(args, error, message):
    with pytest.raises(error, match=message):
        td.device(*args)


def test_device_keywords_and_immutable():
    assert td.device(type="cuda", index=2) == td.device("cuda:2")
    d = td.device("cpu")
    with pytest.raises(AttributeError):
        d.type = "cuda"
    with pytest.raises(TypeError, match="device: give an index only with a device string"):
        td.device(d, 0)


def test_device_equality_and_hash():
    assert td.device("cpu") == td.device("cpu") and td.device("cuda:1") == td.device("cuda", 1)
    assert td.device("cpu") != td.device("cpu:0")  # the index counts, as in PyTorch
    assert td.device("cpu") != td.device("cuda") and td.device("cuda:0") != td.device("cuda:1")
    # PyTorch 2.x never compares a device equal to a string (or to anything but a device)
    assert td.device("cpu") != "cpu" and not (td.device("cpu") == "cpu")
    assert "cpu" != td.device("cpu") and td.device("cpu") != None  # noqa: E711
    assert td.device("cpu").type == "cpu"  # the way to compare with a string
    table = {td.device("cpu"): 1, td.device("cuda", 1): 2}
    assert table[td.device("cpu")] == 1 and table[td.device("cuda:1")] == 2
    assert len({td.device("cpu"), td.device("cpu"), td.device("cpu:0")}) == 2


def test_device_matches_pytorch():
    torch = pytest.importorskip("torch")
    for args, *_ in DEVICES:
        ours, theirs = td.device(*args), torch.device(*args)
        assert (repr(ours), str(ours), ours.type, ours.index) == (
            repr(theirs), str(theirs), theirs.type, theirs.index
        )  # fmt: skip
    for args, error, _ in BAD_DEVICES:
        if args == (1,):  # PyTorch: "Cannot access accelerator device when none is available."
            continue
        with pytest.raises(error) as ours:
            td.device(*args)
        with pytest.raises(error) as theirs:
            torch.device(*args)
        if error is RuntimeError and args != ("cuda", -1):  # same words after our "device: "
            assert str(ours.value) == "device: " + str(theirs.value).splitlines()[0]
    pairs = [("cpu", "cpu"), ("cpu", "cpu:0"), ("cpu:0", "cpu:0"), ("cuda", "cuda:0")]
    for a, b in pairs:
        assert (td.device(a) == td.device(b)) == (torch.device(a) == torch.device(b))
    for s in ("cpu", "cpu:0", "cuda", "cuda:1"):
        assert (td.device(s) == s) == (torch.device(s) == s)
        assert (td.device(s) != s) == (torch.device(s) != s)
    assert repr(td.get_default_device()) == repr(torch.get_default_device())


# -- device= on the factories ----------------------------------------------------------------

X = td.tensor([[1.0, 2.0], [3.0, 4.0]])

# (name, call with **kw): every factory that takes device=, made with the same arguments
FACTORIES = [
    ("zeros", lambda **kw: td.zeros(2, 3, **kw)),
    ("ones", lambda **kw: td.ones((2, 3), **kw)),
    ("full", lambda **kw: td.full((2,), 7.0, **kw)),
    ("empty", lambda **kw: td.empty(2, **kw)),
    ("eye", lambda **kw: td.eye(3, **kw)),
    ("arange", lambda **kw: td.arange(0, 5, 2, **kw)),
    ("linspace", lambda **kw: td.linspace(0, 1, 5, **kw)),
    ("logspace", lambda **kw: td.logspace(0, 2, 3, **kw)),
    ("rand", lambda **kw: td.rand(2, 2, **kw)),
    ("randn", lambda **kw: td.randn(3, **kw)),
    ("randint", lambda **kw: td.randint(0, 10, (4,), **kw)),
    ("randperm", lambda **kw: td.randperm(5, **kw)),
    ("normal", lambda **kw: td.normal(0.0, 1.0, (3,), **kw)),
    ("tensor", lambda **kw: td.tensor([1.0, 2.0], **kw)),
    ("as_tensor", lambda **kw: td.as_tensor([1.0, 2.0], **kw)),
    ("zeros_like", lambda **kw: td.zeros_like(X, **kw)),
    ("ones_like", lambda **kw: td.ones_like(X, **kw)),
    ("full_like", lambda **kw: td.full_like(X, 2.5, **kw)),
    ("empty_like", lambda **kw: td.empty_like(X, **kw)),
    ("rand_like", lambda **kw: td.rand_like(X, **kw)),
    ("randn_like", lambda **kw: td.randn_like(X, **kw)),
    ("randint_like", lambda **kw: td.randint_like(X, 0, 5, **kw)),
    ("uniform", lambda **kw: td.Tensor.uniform(3, **kw)),
    ("new_zeros", lambda **kw: X.new_zeros(2, **kw)),
    ("new_ones", lambda **kw: X.new_ones((2,), **kw)),
    ("new_full", lambda **kw: X.new_full((2,), 3.0, **kw)),
    ("new_empty", lambda **kw: X.new_empty(2, **kw)),
    ("new_tensor", lambda **kw: X.new_tensor([1.0], **kw)),
    ("Tensor.zeros", lambda **kw: td.Tensor.zeros(2, **kw)),
    ("empty_strided", lambda **kw: td.empty_strided((2, 3), (3, 1), **kw)),
    ("scalar_tensor", lambda **kw: td.scalar_tensor(2.5, **kw)),
    ("hann_window", lambda **kw: td.hann_window(5, **kw)),
    ("hamming_window", lambda **kw: td.hamming_window(5, **kw)),
    ("blackman_window", lambda **kw: td.blackman_window(5, **kw)),
    ("bartlett_window", lambda **kw: td.bartlett_window(5, **kw)),
    ("kaiser_window", lambda **kw: td.kaiser_window(5, **kw)),
]
CPUS = ["cpu", "cpu:0", td.device("cpu"), td.device("cpu", 0), None]
OTHERS = ["cuda", "cuda:0", "meta", "mps", td.device("cuda"), td.device("cuda", 1), 0]


@pytest.mark.parametrize(("name", "make"), FACTORIES, ids=[f[0] for f in FACTORIES])
@pytest.mark.parametrize("dev", CPUS, ids=str)
def test_factory_on_the_cpu_changes_nothing(name, make, dev):
    td.manual_seed(3)
    plain = make()
    td.manual_seed(3)
    made = make(device=dev)
    assert made.device == td.device("cpu") and made.is_cpu
    assert made.dtype == plain.dtype and made.shape == plain.shape
    np.testing.assert_array_equal(made.data, plain.data)  # (random ones: the same draws)
    assert made.data.size > 0 and made.requires_grad is False


@pytest.mark.parametrize(("name", "make"), FACTORIES, ids=[f[0] for f in FACTORIES])
@pytest.mark.parametrize("dev", OTHERS, ids=str)
def test_factory_on_another_device_is_an_error(name, make, dev):
    what = name.split(".")[-1]
    shown = f"'{dev}'" if isinstance(dev, (str, td.device)) else str(dev)
    with pytest.raises(ValueError, match=f"^{what}: device {shown} is not available; .*{CPU_ONLY}"):
        make(device=dev)


@pytest.mark.parametrize("name", ["zeros", "arange", "randn_like", "new_zeros", "tensor"])
def test_factory_bad_device_string_is_an_error(name):
    make = dict(FACTORIES)[name]
    with pytest.raises(RuntimeError, match=f"^{name}: Expected one of cpu, cuda.*: gpu"):
        make(device="gpu")
    with pytest.raises(TypeError, match=f"^{name}: expected a device string"):
        make(device=1.5)


LAYOUTS = [f for f in FACTORIES if f[0] not in ("tensor", "as_tensor", "new_tensor", "uniform")]
PINNED = [f for f in LAYOUTS if not f[0].endswith("_like")] + [FACTORIES[13]]  # + tensor


@pytest.mark.parametrize(("name", "make"), LAYOUTS, ids=[f[0] for f in LAYOUTS])
def test_factory_layout(name, make):
    assert make(layout=td.strided).device == CPU and make(layout=None).shape == make().shape
    with pytest.raises(ValueError, match=f"^{name.split('.')[-1]}: layout 'sparse' is not"):
        make(layout="sparse")


@pytest.mark.parametrize(("name", "make"), PINNED, ids=[f[0] for f in PINNED])
def test_factory_pin_memory(name, make):
    assert make(pin_memory=False).shape == make().shape
    with pytest.raises(ValueError, match=f"^{name.split('.')[-1]}: pin_memory=True needs CUDA"):
        make(pin_memory=True)


def test_strided_marker():
    from tinygrad_ds.device import layout

    assert repr(td.strided) == "td.strided" and isinstance(td.strided, layout)
    assert td.strided.name == "strided"


def test_factories_accept_device_as_pytorch():
    torch = pytest.importorskip("torch")
    for name, make in FACTORIES:
        if name in ("uniform", "Tensor.zeros"):  # ours only
            continue
        theirs = getattr(torch, name, None)
        if theirs is None:  # a Tensor method: new_*
            theirs = getattr(torch.zeros(2), name)
        assert "device" in (theirs.__doc__ or "device"), name  # PyTorch's takes it too
        assert make(device="cpu").device == td.device("cpu")
    x = torch.zeros(2, device="cpu:0")
    assert str(x.device) == str(td.zeros(2, device="cpu:0").device) == "cpu"


# -- check_device: the one place that decides ------------------------------------------------


def test_check_device_is_the_one_check():
    for dev in CPUS:
        assert check_device(dev, "op") is None
    for dev in OTHERS:
        with pytest.raises(ValueError, match=f"^op: device .* is not available; .*{CPU_ONLY}"):
            check_device(dev, "op")
    with pytest.raises(ValueError, match="^to: device 'cuda:1' is not available"):
        td.zeros(2).to(td.device("cuda:1"))
    with pytest.raises(ValueError, match="^Module.to: device 'meta' is not available"):
        td.nn.Linear(2, 2).to(td.device("meta"))


# -- Tensor and Module ----------------------------------------------------------------------


def test_tensor_device_attributes():
    x = td.randn(2, 3, dtype=td.float64, requires_grad=True)
    assert x.device == td.device("cpu") and repr(x.device) == "device(type='cpu')"
    assert x.is_cpu is True and x.is_cuda is False and x.get_device() == -1
    assert x.cpu() is x and x.to("cpu") is x and x.to(td.device("cpu")) is x
    assert x.to(td.device("cpu"), td.float32).dtype == np.float32
    y = (x * 2).sum()
    assert y.device == CPU and td.zeros(1, device=x.device).device == x.device
    with pytest.raises(ValueError, match=f"^cuda: device 'cuda' is not available; .*{CPU_ONLY}"):
        x.cuda()
    with pytest.raises(ValueError, match="^cuda: device 1 is not available"):
        x.cuda(1)


def test_tensor_device_attributes_match_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = td.zeros(2), torch.zeros(2)
    assert (repr(ours.device), ours.is_cpu, ours.is_cuda, ours.get_device()) == (
        repr(theirs.device), theirs.is_cpu, theirs.is_cuda, theirs.get_device()
    )  # fmt: skip


def test_module_cpu_and_cuda():
    model = td.nn.Linear(3, 2)
    assert model.cpu() is model and model.to("cpu") is model
    assert model.to(td.device("cpu")) is model and model.weight.device == CPU
    with pytest.raises(
        ValueError, match=f"^Module.cuda: device 'cuda' is not available.*{CPU_ONLY}"
    ):
        model.cuda()


# -- td.cuda, td.backends and the default device -------------------------------------------


def test_cuda_and_backends():
    assert td.cuda.is_available() is False and td.cuda.device_count() == 0
    assert td.backends.mps.is_available() is False
    assert td.cuda.manual_seed_all(0) is None
    cudnn = td.backends.cudnn
    old = (cudnn.deterministic, cudnn.benchmark)
    assert old == (False, False)
    try:
        cudnn.deterministic, cudnn.benchmark = True, True
        assert (cudnn.deterministic, cudnn.benchmark) == (True, True)
        td.manual_seed(0)
        a = td.randn(3)
        td.manual_seed(0)
        np.testing.assert_array_equal(td.randn(3).data, a.data)  # still the same draws
    finally:
        cudnn.deterministic, cudnn.benchmark = old


def test_cuda_namespace_matches_pytorch():
    torch = pytest.importorskip("torch")
    assert td.cuda.is_available() == torch.cuda.is_available()
    assert td.cuda.device_count() == torch.cuda.device_count()
    assert td.backends.mps.is_available() == torch.backends.mps.is_available()
    assert td.backends.cudnn.deterministic == torch.backends.cudnn.deterministic


def test_default_device():
    assert td.get_default_device() == td.device("cpu") and td.get_default_device() is CPU
    td.set_default_device("cpu")
    td.set_default_device(td.device("cpu"))
    td.set_default_device(None)
    assert td.zeros(1).device == td.get_default_device()
    for dev in ("cuda", td.device("mps")):
        with pytest.raises(ValueError, match=f"^set_default_device: device .* {CPU_ONLY}"):
            td.set_default_device(dev)


# -- a PyTorch-style program runs unchanged -------------------------------------------------


def test_pytorch_style_training_loop():
    device = "cuda" if td.cuda.is_available() else "cpu"
    assert device == "cpu"
    td.manual_seed(0)
    model = td.nn.Sequential(td.nn.Linear(2, 8), td.nn.Tanh(), td.nn.Linear(8, 1))
    model = model.to(device)
    opt = td.optim.Adam(model.parameters(), lr=0.05)
    x = td.randn(64, 2, device=device)
    w = td.tensor([[1.5], [-2.0]], device=device)
    y = (x @ w + 0.5 * td.ones(64, 1, device=device)).to(device)
    x = x.to(device)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        pred = model(x)
        loss = td.nn.functional.mse_loss(pred, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert pred.device == td.device(device) and loss.device.type == "cpu"
    assert losses[-1] < 0.1 * losses[0]


# -- layers that take device= ----------------------------------------------------------------

LAYERS = [
    ("MultiheadAttention", lambda **kw: td.nn.MultiheadAttention(4, 2, **kw)),
    ("TransformerEncoderLayer", lambda **kw: td.nn.TransformerEncoderLayer(4, 2, 8, **kw)),
    ("TransformerDecoderLayer", lambda **kw: td.nn.TransformerDecoderLayer(4, 2, 8, **kw)),
    ("Transformer", lambda **kw: td.nn.Transformer(4, 2, 1, 1, 8, **kw)),
    ("Transformer.generate_square_subsequent_mask",
     lambda **kw: td.nn.Transformer.generate_square_subsequent_mask(3, **kw)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make"), LAYERS, ids=[f[0] for f in LAYERS])
def test_layers_check_their_device(name, make):
    made = make(device="cpu")
    assert isinstance(made, (td.nn.Module, td.Tensor))
    with pytest.raises(ValueError, match=f"^{name}: device 'cuda:0' is not available"):
        make(device="cuda:0")


# -- to(): the arguments PyTorch code passes --------------------------------------------------


def test_to_takes_non_blocking_copy_and_int_devices():
    x = td.tensor([1.0, 2.0], dtype=td.float64, requires_grad=True)
    assert x.to("cpu", non_blocking=True) is x and x.to(device=CPU, non_blocking=True) is x
    y = x.to("cpu", copy=True)
    assert y is not x and y.data is not x.data and y.grad_fn is not None  # a clone, in the graph
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])
    assert x.to(td.float32, copy=True).dtype == np.float32
    model = td.nn.Linear(2, 2)
    assert model.to("cpu", non_blocking=True) is model
    for bad in (0, 1, td.device("cuda", 0)):  # an int is a device index, as in PyTorch
        with pytest.raises(ValueError, match="^to: device .* is not available"):
            x.to(bad)
        with pytest.raises(ValueError, match="^Module.to: device .* is not available"):
            model.to(bad)


def test_device_as_a_context_manager():
    with td.device("cpu") as d:
        assert d == CPU and td.zeros(1).device == d
    with pytest.raises(
        ValueError, match=f"^with device: device 'cuda' is not available.*{CPU_ONLY}"
    ):
        with td.device("cuda"):
            pass


# -- layers: device= beside dtype=, as PyTorch's constructors ---------------------------------

LAYERS = [
    ("Linear", lambda **k: nn.Linear(2, 3, **k)),
    ("Bilinear", lambda **k: nn.Bilinear(2, 2, 3, **k)),
    ("Embedding", lambda **k: nn.Embedding(4, 2, **k)),
    ("EmbeddingBag", lambda **k: nn.EmbeddingBag(4, 2, **k)),
    ("Conv1d", lambda **k: nn.Conv1d(1, 2, 3, **k)),
    ("Conv2d", lambda **k: nn.Conv2d(1, 2, 3, **k)),
    ("ConvTranspose2d", lambda **k: nn.ConvTranspose2d(1, 2, 3, **k)),
    ("BatchNorm1d", lambda **k: nn.BatchNorm1d(3, **k)),
    ("BatchNorm2d", lambda **k: nn.BatchNorm2d(3, **k)),
    ("InstanceNorm1d", lambda **k: nn.InstanceNorm1d(3, affine=True, **k)),
    ("LayerNorm", lambda **k: nn.LayerNorm(3, **k)),
    ("GroupNorm", lambda **k: nn.GroupNorm(1, 2, **k)),
    ("RMSNorm", lambda **k: nn.RMSNorm(3, **k)),
    ("PReLU", lambda **k: nn.PReLU(**k)),
    ("RNN", lambda **k: nn.RNN(2, 3, **k)),
    ("LSTM", lambda **k: nn.LSTM(2, 3, **k)),
    ("GRU", lambda **k: nn.GRU(2, 3, **k)),
    ("RNNCell", lambda **k: nn.RNNCell(2, 3, **k)),
    ("LSTMCell", lambda **k: nn.LSTMCell(2, 3, **k)),
    ("GRUCell", lambda **k: nn.GRUCell(2, 3, **k)),
    ("LazyLinear", lambda **k: nn.LazyLinear(3, **k)),
    ("LazyConv2d", lambda **k: nn.LazyConv2d(2, 3, **k)),
    ("LazyBatchNorm1d", lambda **k: nn.LazyBatchNorm1d(**k)),
    ("AdaptiveLogSoftmaxWithLoss", lambda **k: nn.AdaptiveLogSoftmaxWithLoss(4, 10, [5], **k)),
]


@pytest.mark.parametrize("name, make", LAYERS, ids=[n for n, _ in LAYERS])
def test_layers_take_a_cpu_device_and_refuse_others(name, make):
    td.manual_seed(0)
    plain = make(dtype=td.float64)
    for dev in ("cpu", td.device("cpu"), "cpu:0"):
        td.manual_seed(0)
        layer = make(device=dev, dtype=td.float64)
        for (k, a), (k2, b) in zip(plain.state_dict().items(), layer.state_dict().items()):
            assert k == k2 and a.dtype == b.dtype
            if not name.startswith("Lazy"):  # (a lazy module's values come at its first call)
                assert np.array_equal(a.numpy(), b.numpy())
    for dev in ("cuda", "cuda:0", td.device("cuda"), "meta"):
        with pytest.raises(ValueError, match=f"{name}: device .* runs on the CPU only"):
            make(device=dev)


def test_layers_take_device_before_dtype_positionally_as_pytorch():
    layer = nn.Linear(2, 3, True, "cpu", td.float64)
    assert layer.weight.dtype == np.float64 and layer.weight.device == td.device("cpu")


def test_no_pinned_memory_without_an_accelerator():
    x = td.ones(2)
    assert x.is_pinned() is False
    with pytest.raises(RuntimeError, match=r"pin_memory: cannot access accelerator device"):
        x.pin_memory()
