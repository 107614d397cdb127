"""Convolution and pooling: values against slow loop-based references, gradients against
central differences (float64), second derivatives, errors, the layers, and a CNN that learns."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F

R = np.random.default_rng(3)


def r(*shape):
    return R.standard_normal(shape)


# ---------------------------------------------------------------------------------------------
# slow references: one loop per output element, written from the definitions
# ---------------------------------------------------------------------------------------------


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv2d_loops(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """out[n, f, i, j] = b[f] + sum_{c, p, q} w[f, c, p, q] x_pad[n, gC' + c, s i + d p, s j + d q]
    with g = f's group and C' = C / groups."""
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, oh, ow))
    for b_ in range(n):
        for o in range(f):
            g = o // (f // groups)
            for i in range(oh):
                for j in range(ow):
                    total = 0.0 if b is None else b[o]
                    for c_ in range(cg):
                        for p in range(kh):
                            for q in range(kw):
                                total += (
                                    w[o, c_, p, q]
                                    * xp[b_, g * cg + c_, i * sh + p * dh, j * sw + q * dw]
                                )
                    out[b_, o, i, j] = total
    return out


def conv1d_loops(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    out = conv2d_loops(x[:, :, None], w[:, :, None], b, (1, stride), (0, padding),
                       (1, dilation), groups)  # fmt: skip
    return out[:, :, 0]


def pool2d_loops(x, kind, kernel, stride=None, padding=0, dilation=1, count_include_pad=True):
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel), pair(padding), pair(dilation)
    sh, sw = pair(kernel if stride is None else stride)
    n, c, h, w = x.shape
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, c, oh, ow))
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    values, inside = [], 0
                    for p in range(kh):
                        for q in range(kw):
                            y, z = i * sh + p * dh - ph, j * sw + q * dw - pw
                            if 0 <= y < h and 0 <= z < w:
                                values.append(x[b, ch, y, z])
                                inside += 1
                            else:
                                values.append(-np.inf if kind == "max" else 0.0)
                    if kind == "max":
                        out[b, ch, i, j] = max(values)
                    else:
                        out[b, ch, i, j] = sum(values) / (kh * kw if count_include_pad else inside)
    return out


# ---------------------------------------------------------------------------------------------
# values and gradients (one row per case)
# ---------------------------------------------------------------------------------------------

CONV2D = [
    # id, x shape, w shape, bias, options
    ("plain", (2, 2, 5, 5), (3, 2, 3, 3), True, {}),
    ("odd_rect_kernel", (1, 2, 6, 5), (2, 2, 2, 3), True, {}),
    ("stride2_pad1", (2, 1, 7, 6), (2, 1, 3, 3), True, dict(stride=2, padding=1)),
    ("stride_pair", (1, 2, 7, 8), (2, 2, 3, 2), False, dict(stride=(2, 3), padding=(1, 0))),
    ("dilation2", (1, 2, 7, 7), (2, 2, 3, 3), True, dict(dilation=2, padding=1)),
    ("groups2", (2, 4, 5, 4), (4, 2, 3, 3), True, dict(groups=2, padding=1)),
    ("depthwise", (1, 3, 5, 5), (3, 1, 3, 3), True, dict(groups=3)),
    ("everything", (2, 4, 7, 6), (6, 2, 2, 3), True,
     dict(stride=(2, 1), padding=(2, 1), dilation=(2, 1), groups=2)),
    ("kernel_1x1", (2, 3, 3, 3), (2, 3, 1, 1), True, {}),
    ("kernel_is_input", (2, 2, 3, 3), (2, 2, 3, 3), True, {}),
]  # fmt: skip


@pytest.mark.parametrize("xs, ws, bias, opts", [c[1:] for c in CONV2D], ids=[c[0] for c in CONV2D])
def test_conv2d(xs, ws, bias, opts):
    arrays = [r(*xs), r(*ws)] + ([r(ws[0])] if bias else [])
    check_op(lambda *t: F.conv2d(*t, **opts), lambda *a: conv2d_loops(*a, **opts), arrays)


CONV1D = [
    ("plain", (2, 2, 7), (3, 2, 3), True, {}),
    ("stride_pad_dilation", (2, 2, 9), (2, 2, 3), True, dict(stride=2, padding=2, dilation=2)),
    ("groups", (1, 4, 6), (2, 2, 2), False, dict(groups=2, stride=3)),
]


@pytest.mark.parametrize("xs, ws, bias, opts", [c[1:] for c in CONV1D], ids=[c[0] for c in CONV1D])
def test_conv1d(xs, ws, bias, opts):
    arrays = [r(*xs), r(*ws)] + ([r(ws[0])] if bias else [])
    check_op(lambda *t: F.conv1d(*t, **opts), lambda *a: conv1d_loops(*a, **opts), arrays)


POOLS = [
    # id, kind, x shape, options
    ("max_2", "max", (2, 2, 4, 6), dict(kernel=2)),
    ("max_odd_size", "max", (1, 2, 5, 7), dict(kernel=2)),
    ("max_overlap", "max", (1, 2, 6, 5), dict(kernel=3, stride=1)),
    ("max_pad", "max", (2, 1, 5, 5), dict(kernel=3, stride=2, padding=1)),
    ("max_rect_dilation", "max", (1, 2, 7, 7), dict(kernel=(2, 3), stride=(1, 2), dilation=2)),
    ("avg_2", "avg", (2, 2, 4, 6), dict(kernel=2)),
    ("avg_odd_overlap", "avg", (1, 2, 5, 7), dict(kernel=3, stride=2)),
    ("avg_pad", "avg", (2, 1, 5, 6), dict(kernel=3, stride=2, padding=1)),
    ("avg_pad_exclude", "avg", (1, 2, 5, 5), dict(kernel=3, stride=1, padding=1,
                                                 count_include_pad=False)),
]  # fmt: skip


def _pool_fn(kind, opts):
    kernel = opts["kernel"]
    rest = {k: v for k, v in opts.items() if k != "kernel"}
    return lambda x: (F.max_pool2d if kind == "max" else F.avg_pool2d)(x, kernel, **rest)


@pytest.mark.parametrize("kind, xs, opts", [c[1:] for c in POOLS], ids=[c[0] for c in POOLS])
def test_pool2d(kind, xs, opts):
    x = r(*xs)  # distinct values (no ties), so max-pooling is differentiable here
    check_op(_pool_fn(kind, opts), lambda a: pool2d_loops(a, kind, **opts), [x])


def test_pool1d():
    x = r(2, 3, 9)
    expected = pool2d_loops(x[:, :, None], "max", (1, 3), (1, 2), (0, 1))[:, :, 0]
    check_op(lambda t: F.max_pool1d(t, 3, 2, 1), lambda a: expected, [x])
    expected = pool2d_loops(x[:, :, None], "avg", (1, 2), (1, 2))[:, :, 0]
    check_op(lambda t: F.avg_pool1d(t, 2), lambda a: expected, [x])


def test_unbatched_input_is_accepted():
    x, w = r(2, 5, 5), r(3, 2, 3, 3)
    out = F.conv2d(td.Tensor(x), td.Tensor(w), padding=1)
    assert out.shape == (3, 5, 5)
    np.testing.assert_allclose(out.data, conv2d_loops(x[None], w, padding=1)[0], atol=1e-12)
    assert F.conv1d(td.Tensor(r(2, 7)), td.Tensor(r(4, 2, 3))).shape == (4, 5)
    assert F.max_pool2d(td.Tensor(r(3, 4, 4)), 2).shape == (3, 2, 2)


def test_padding_same_and_valid():
    x, w = r(1, 2, 6, 7), r(3, 2, 2, 3)  # an even kernel: PyTorch pads more after than before
    same = F.conv2d(td.Tensor(x), td.Tensor(w), padding="same", dilation=(2, 1))
    assert same.shape == (1, 3, 6, 7)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    np.testing.assert_allclose(same.data, conv2d_loops(xp, w, dilation=(2, 1)), atol=1e-12)
    valid = F.conv2d(td.Tensor(x), td.Tensor(w), padding="valid")
    np.testing.assert_allclose(valid.data, conv2d_loops(x, w), atol=1e-12)


def test_an_empty_batch_goes_through():
    x = td.Tensor(np.zeros((0, 3, 6, 6)), requires_grad=True)
    conv = nn.Conv2d(3, 4, 3, padding=1, dtype=np.float64)
    out = F.avg_pool2d(F.max_pool2d(conv(x), 2), 3)
    assert out.shape == (0, 4, 1, 1)
    out.sum().backward()
    assert x.grad.shape == x.shape and np.all(conv.weight.grad.data == 0)


def test_float32_stays_float32():
    x = td.Tensor(r(2, 1, 6, 6).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(1, 4, 3)
    y = F.max_pool2d(conv(x), 2)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and conv.weight.grad.dtype == np.float32


# ---------------------------------------------------------------------------------------------
# max-pooling ties and second derivatives
# ---------------------------------------------------------------------------------------------


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    """As PyTorch: each window's whole gradient goes to its first (row-major) maximum."""
    x = td.Tensor(np.zeros((1, 1, 4, 4)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.data[0, 0], expected)
    x = td.Tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()  # overlapping windows add up
    np.testing.assert_array_equal(x.grad.data[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def _double(f):
    """The gradient of sum(f(*inputs)^2) with respect to every input, recorded (create_graph),
    so that gradcheck of this function checks the second derivatives."""

    def grads(*inputs):
        out = f(*inputs)
        return td.grad((out * out).sum(), inputs, create_graph=True)

    return grads


@pytest.mark.parametrize(
    "opts", [dict(padding=1), dict(stride=2, dilation=(1, 2), groups=2)], ids=["pad", "mixed"]
)
def test_conv2d_second_derivatives(opts):
    x = td.Tensor(r(1, 2, 5, 5), requires_grad=True)
    w = td.Tensor(r(2, 2 // opts.get("groups", 1), 2, 3), requires_grad=True)
    b = td.Tensor(r(2), requires_grad=True)
    assert td.gradcheck(_double(lambda x, w, b: F.conv2d(x, w, b, **opts)), [x, w, b])


def test_pool_second_derivatives():
    x = td.Tensor(r(1, 2, 5, 5), requires_grad=True)
    assert td.gradcheck(_double(lambda x: F.max_pool2d(x, 3, 2, 1)), [x])
    assert td.gradcheck(_double(lambda x: F.avg_pool2d(x, 2, 1)), [x])


def test_saved_arrays_are_freed_after_backward():
    conv = nn.Conv2d(1, 2, 3)
    y = F.max_pool2d(conv(td.Tensor(r(1, 1, 6, 6))), 2)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()


def test_weight_gradients_when_the_work_arrays_are_overwritten():
    """Convolutions of one shape share a work array for their columns: a layer's backward must
    notice that a later layer has overwritten its columns, here and after retain_graph."""
    ws = [td.Tensor(r(2, 2, 3, 3), requires_grad=True) for _ in range(3)]

    def net(x, w0, w1, w2):
        return F.conv2d(F.conv2d(F.conv2d(x, w0, padding=1).tanh(), w1, padding=1).tanh(),
                        w2, padding=1)  # fmt: skip

    x = td.Tensor(r(2, 2, 5, 5), requires_grad=True)
    assert td.gradcheck(net, [x, *ws])
    out = net(x, *ws).sum()
    first = td.grad(out, ws, retain_graph=True)
    net(td.Tensor(r(2, 2, 5, 5)), *ws).sum().backward()  # overwrites every work array
    again = td.grad(out, ws)
    for a, b in zip(first, again):
        np.testing.assert_allclose(a.data, b.data, atol=1e-12)


def test_threads_convolving_at_once_keep_their_own_work_arrays():
    """The columns live in reused work arrays; each thread has its own."""
    xs = [r(4, 3, 12, 12) for _ in range(2)]
    w = r(5, 3, 3, 3)
    expected = [conv2d_loops(x, w, padding=1) for x in xs]
    wrong = []

    def run(k):
        for _ in range(30):
            out = F.conv2d(td.Tensor(xs[k]), td.Tensor(w), padding=1).data
            wrong.append(not np.allclose(out, expected[k], atol=1e-10))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wrong) == 60 and not any(wrong)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


def test_errors_name_the_function_and_the_shapes():
    x, w = td.Tensor(r(2, 3, 5, 5)), td.Tensor(r(8, 1, 3, 3))
    msg = r"conv2d: input has 3 channels but weight expects 1 \(weight shape \(8, 1, 3, 3\)\)"
    with pytest.raises(ValueError, match=msg):
        F.conv2d(x, w)
    with pytest.raises(ValueError, match=r"conv2d: input of shape \(2, 3, 5, 5\) is smaller"):
        F.conv2d(x, td.Tensor(r(2, 3, 6, 6)))
    with pytest.raises(ValueError, match="conv2d: expected a 3-D .* or 4-D"):
        F.conv2d(td.Tensor(r(5, 5)), w)
    with pytest.raises(ValueError, match="conv2d: weight must be 4-D"):
        F.conv2d(x, td.Tensor(r(8, 3, 3)))
    with pytest.raises(ValueError, match="not divisible by groups=2"):
        F.conv2d(td.Tensor(r(1, 4, 5, 5)), td.Tensor(r(3, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="stride must be >= 1"):
        F.conv2d(x, td.Tensor(r(2, 3, 3, 3)), stride=0)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        F.conv2d(x, td.Tensor(r(2, 3, 3, 3)), stride=2, padding="same")
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        F.conv2d(x, td.Tensor(r(2, 3, 3, 3)), td.Tensor(r(3)))
    with pytest.raises(ValueError, match="conv1d: input has 2 channels"):
        F.conv1d(td.Tensor(r(1, 2, 9)), td.Tensor(r(4, 3, 3)))
    with pytest.raises(ValueError, match="max_pool2d: input of shape .* is smaller"):
        F.max_pool2d(td.Tensor(r(1, 1, 2, 2)), 3)
    with pytest.raises(ValueError, match="avg_pool2d: padding .* at most half"):
        F.avg_pool2d(td.Tensor(r(1, 1, 6, 6)), 2, padding=2)


def test_layer_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"^Conv2d\(1, 8, kernel_size=3\): input has 3 channels"):
        nn.Conv2d(1, 8, 3)(td.Tensor(r(2, 3, 5, 5)))
    msg = (
        r"^Conv2d\(1, 8, kernel_size=3\): input of shape \(2, 1, 2, 2\) is smaller than the kernel"
    )
    with pytest.raises(ValueError, match=msg):
        nn.Conv2d(1, 8, 3)(td.Tensor(r(2, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"^Conv1d\(2, 4, kernel_size=5, stride=2\): input of"):
        nn.Conv1d(2, 4, 5, stride=2)(td.Tensor(r(1, 2, 3)))
    with pytest.raises(ValueError, match=r"^MaxPool2d\(kernel_size=3.*\): input of shape"):
        nn.MaxPool2d(3)(td.Tensor(r(1, 1, 2, 2)))
    with pytest.raises(ValueError, match="Conv2d: in_channels .3. must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="Conv2d: out_channels must be a positive int"):
        nn.Conv2d(3, 0, 3)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 3, 3, padding_mode="mirror")


# ---------------------------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------------------------


def test_conv_layers_have_pytorchs_parameters_and_initialisation():
    conv = nn.Conv2d(4, 6, (3, 5), groups=2)
    assert [(k, v.shape) for k, v in conv.state_dict().items()] == [
        ("weight", (6, 2, 3, 5)), ("bias", (6,))
    ]  # fmt: skip
    bound = 1 / math.sqrt(2 * 3 * 5)  # fan_in = in_channels / groups * kh * kw
    for p in (conv.weight, conv.bias):
        assert np.abs(p.data).max() <= bound
    assert np.abs(conv.weight.data).max() > 0.8 * bound  # spread over the whole range
    assert nn.Conv1d(3, 5, 4, bias=False).weight.shape == (5, 3, 4)
    assert nn.Conv1d(3, 5, 4, bias=False).bias is None
    assert repr(nn.Conv2d(1, 8, 3, padding=1)) == (
        "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    )
    assert repr(nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )


def test_conv_layer_matches_the_functional_form():
    conv = nn.Conv2d(2, 3, 3, stride=2, padding=1, dtype=np.float64)
    x = r(2, 2, 7, 7)
    expected = conv2d_loops(x, conv.weight.data, conv.bias.data, stride=2, padding=1)
    np.testing.assert_allclose(conv(td.Tensor(x)).data, expected, atol=1e-12)
    conv1 = nn.Conv1d(2, 3, 3, padding="same", dtype=np.float64)
    x1 = r(2, 2, 8)
    expected = conv1d_loops(x1, conv1.weight.data, conv1.bias.data, padding=1)
    np.testing.assert_allclose(conv1(td.Tensor(x1)).data, expected, atol=1e-12)
    x = r(2, 3, 5, 6)
    np.testing.assert_allclose(nn.AvgPool2d(2, 1)(td.Tensor(x)).data,
                               pool2d_loops(x, "avg", 2, 1), atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(nn.MaxPool1d(2)(td.Tensor(x[:, :, 0])).data,
                               pool2d_loops(x[:, :, :1], "max", (1, 2))[:, :, 0])  # fmt: skip


# ---------------------------------------------------------------------------------------------
# a CNN learns the bundled digits
# ---------------------------------------------------------------------------------------------


def train_digits_cnn(epochs: int, seed: int = 0) -> float:
    """A small CNN on the 8x8 digits (Adam with a cosine schedule, label smoothing against
    overfitting 1,437 images); returns the test accuracy."""
    X_train, y_train, X_test, y_test = td.datasets.load_digits(flatten=False)
    td.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 32 x 4 x 4
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 64 x 2 x 2
        nn.Flatten(), nn.Linear(64 * 2 * 2, 10),
    )  # fmt: skip
    batch = 32
    opt = td.optim.Adam(model.parameters(), lr=0.01)
    steps = epochs * math.ceil(len(X_train) / batch)
    schedule = td.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(X_train))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            logits = model(td.Tensor(X_train[idx]))
            loss = F.cross_entropy(logits, y_train[idx], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
    model.eval()
    with td.no_grad():
        predicted = model(td.Tensor(X_test)).argmax(axis=1).numpy()
    return float((predicted == y_test).mean())


def test_cnn_learns_the_digits():
    """98.1% to 99.4% over seeds 0-7; a few seconds."""
    assert train_digits_cnn(epochs=10) >= 0.97


def test_digits_cnn_example_runs_and_learns():
    """examples/digits_cnn.py on a small budget (4 epochs): it reports its test accuracy, and,
    with PyTorch installed, that the same weights give the same predictions there."""
    script = Path(__file__).resolve().parent.parent / "examples" / "digits_cnn.py"
    proc = subprocess.run([sys.executable, str(script), "--epochs", "4"], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    accuracy = float(re.search(r"test accuracy ([\d.]+) after 4 epochs", proc.stdout).group(1))
    assert accuracy >= 0.95
    if "PyTorch give the same predictions" in proc.stdout:
        assert "the same predictions: True" in proc.stdout
