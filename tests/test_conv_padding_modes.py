"""Convolution layers' padding_mode: 'reflect', 'replicate' and 'circular' pad with F.pad's
modes before convolving, as PyTorch's layers do."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td

nn = td.nn

CASES = [  # (layer, input shape, kwargs)
    (nn.Conv1d, (2, 3, 9), dict(kernel_size=3, padding=2)),
    (nn.Conv2d, (2, 3, 7, 6), dict(kernel_size=3, padding=(1, 2))),
    (nn.Conv2d, (3, 7, 6), dict(kernel_size=(2, 4), padding="same")),  # unbatched, odd totals
    (nn.Conv2d, (1, 3, 8, 8), dict(kernel_size=3, padding="same", dilation=2)),
    (nn.Conv2d, (1, 3, 8, 8), dict(kernel_size=3, padding=1, stride=2, groups=3)),
    (nn.Conv3d, (1, 3, 5, 6, 4), dict(kernel_size=3, padding=1)),
]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("layer, shape, kwargs", CASES)
def test_padding_modes_pad_then_convolve(layer, shape, kwargs, mode):
    conv = layer(3, 3, padding_mode=mode, dtype=td.float64, **kwargs)
    x = td.tensor(np.random.default_rng(0).normal(size=shape), requires_grad=True)
    plain = layer(3, 3, dtype=td.float64, **{**kwargs, "padding": 0})  # the same weights
    plain.load_state_dict(conv.state_dict())
    pads = []
    for i in reversed(range(conv.dims)):
        if kwargs["padding"] == "same":
            total = conv.dilation[i] * (conv.kernel_size[i] - 1)
            pads += [total // 2, total - total // 2]
        else:
            pads += [conv.padding[i]] * 2
    expected = plain(td.nn.functional.pad(x, tuple(pads), mode=mode))
    np.testing.assert_allclose(conv(x).data, expected.data, rtol=1e-12)
    assert td.gradcheck(lambda v: conv(v), [x], atol=1e-6)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("layer, shape, kwargs", CASES)
def test_padding_modes_match_pytorch(layer, shape, kwargs, mode):
    torch = pytest.importorskip("torch")
    ours = layer(3, 3, padding_mode=mode, dtype=td.float64, **kwargs)
    theirs = getattr(torch.nn, layer.__name__)(3, 3, padding_mode=mode, dtype=torch.float64,
                                               **kwargs)  # fmt: skip
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).normal(size=shape)
    xt, xo = torch.tensor(x, requires_grad=True), td.tensor(x, requires_grad=True)
    out_t, out_o = theirs(xt), ours(xo)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    (out_t**2).sum().backward()
    (out_o**2).sum().backward()
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-10)
    assert repr(ours) == repr(theirs)


def test_bad_padding_mode_and_transposed_layers():
    with pytest.raises(ValueError, match=r"Conv2d: padding_mode must be one of \('zeros', "):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match=r'ConvTranspose2d: only "zeros" padding mode'):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")  # as PyTorch's
