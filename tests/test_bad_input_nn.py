"""Bad input to the nn layers, functions, initialisers and losses is a clear error that names
the layer or function and the value or shape at fault, never a silent NaN, a silent wrong
answer or a NumPy traceback from deep inside; valid input of the same kinds still works."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ds as td
from tinygrad_ds import nn
from tinygrad_ds.nn import functional as F
from tinygrad_ds.nn import init

NAN, INF = float("nan"), float("inf")


def x23():
    return td.randn(2, 3)


def x43():
    return td.randn(4, 3)


def _ce(**kw):
    return F.cross_entropy(td.randn(4, 3), [0, 1, 2, 1], **kw)


def _nll(**kw):
    return F.nll_loss(td.randn(4, 3).log_softmax(dim=1), [0, 1, 2, 1], **kw)


def _bce(**kw):
    return F.binary_cross_entropy(td.rand(2, 3), td.ones(2, 3), **kw)


def _bce_logits(**kw):
    return F.binary_cross_entropy_with_logits(td.randn(2, 3), td.ones(2, 3), **kw)


# (name, call, exception, regex naming the function/layer and the bad value or shape)
ERRORS = [
    # 1. batch norm: eps and momentum
    ("bn_eps_neg", lambda: nn.BatchNorm1d(3, eps=-1),
     ValueError, r"BatchNorm1d: eps must be >= 0, got -1"),
    ("bn_eps_nan", lambda: nn.BatchNorm1d(3, eps=NAN),
     ValueError, r"BatchNorm1d: eps .* got nan"),
    ("F_bn_eps_neg", lambda: F.batch_norm(x43(), td.zeros(3), td.ones(3), eps=-1),
     ValueError, r"batch_norm: eps must be >= 0, got -1"),
    ("F_bn_eps_0_train", lambda: F.batch_norm(x43(), None, None, training=True, eps=0),
     ValueError, r"batch_norm: eps must be > 0 when training .*, got 0"),
    ("bn_size_neg", lambda: nn.BatchNorm1d(-1),
     ValueError, r"BatchNorm1d: num_features must be >= 0, got -1"),
    ("bn_size_float", lambda: nn.BatchNorm1d(2.5),
     TypeError, r"BatchNorm1d: num_features must be an int, got 2.5"),
    ("bn_size_str", lambda: nn.BatchNorm1d("a"),
     TypeError, r"BatchNorm1d: num_features must be an int, got 'a'"),
    ("bn_momentum_str", lambda: nn.BatchNorm1d(3, momentum="a"),
     TypeError, r"BatchNorm1d: momentum must be a number, got 'a'"),
    ("bn_momentum_2", lambda: nn.BatchNorm1d(3, momentum=2),
     ValueError, r"BatchNorm1d: momentum must be in \[0, 1\], got 2"),
    # 2. layer norm: normalized_shape, weight shape
    ("ln_empty", lambda: nn.LayerNorm([]),
     ValueError, r"LayerNorm: normalized_shape must have at least one dim"),
    ("F_ln_empty", lambda: F.layer_norm(x23(), ()),
     ValueError, r"layer_norm: normalized_shape must have at least one dim"),
    ("ln_float", lambda: nn.LayerNorm(4.0),
     TypeError, r"LayerNorm: normalized_shape must be an int or a tuple of ints, got 4.0"),
    ("ln_str", lambda: nn.LayerNorm("a"),
     TypeError, r"LayerNorm: normalized_shape must be an int or a tuple of ints, got 'a'"),
    ("ln_none", lambda: nn.LayerNorm(None),
     TypeError, r"LayerNorm: normalized_shape .* got None"),
    ("ln_neg", lambda: nn.LayerNorm(-1),
     ValueError, r"LayerNorm: normalized_shape must hold sizes >= 0, got \(-1,\)"),
    ("ln_neg_tuple", lambda: nn.LayerNorm((2, -2)),
     ValueError, r"LayerNorm: normalized_shape .* got \(2, -2\)"),
    ("F_ln_int", lambda: F.layer_norm(x23(), 3),
     TypeError, r"layer_norm: normalized_shape must be a tuple of ints, got 3"),
    ("F_ln_none", lambda: F.layer_norm(x23(), None),
     TypeError, r"layer_norm: normalized_shape .* got None"),
    ("F_ln_weight", lambda: F.layer_norm(x23(), (3,), td.ones(2)),
     ValueError, r"layer_norm: weight of shape \(2,\) does not match normalized_shape \(3,\)"),
    ("F_ln_bias", lambda: F.layer_norm(x23(), (3,), None, td.ones(2, 3)),
     ValueError, r"layer_norm: bias of shape \(2, 3\) does not match normalized_shape \(3,\)"),
    # 3. conv and pool sizes
    ("conv_k_float", lambda: nn.Conv2d(3, 4, 2.5),
     TypeError, r"Conv2d: kernel_size must be an int or a tuple of 2 ints, got 2.5"),
    ("conv_k_none", lambda: nn.Conv2d(3, 4, None),
     TypeError, r"Conv2d: kernel_size must be an int .* got None"),
    ("conv1d_stride_float", lambda: nn.Conv1d(3, 4, 2, stride=1.5),
     TypeError, r"Conv1d: stride must be an int or a tuple of 1 int, got 1.5"),
    ("maxpool_float", lambda: nn.MaxPool2d(2.5),
     TypeError, r"MaxPool2d: kernel_size must be an int .* got 2.5"),
    ("avgpool_none", lambda: nn.AvgPool2d(None),
     TypeError, r"AvgPool2d: kernel_size must be an int .* got None"),
    ("F_maxpool1d_none", lambda: F.max_pool1d(td.randn(2, 3, 4), None),
     TypeError, r"max_pool1d: kernel_size .* got None"),
    ("F_avgpool1d_nan", lambda: F.avg_pool1d(td.randn(2, 3, 4), NAN),
     TypeError, r"avg_pool1d: kernel_size .* got nan"),
    # 4. linear
    ("linear_bias_shape", lambda: F.linear(x23(), td.randn(4, 3), td.randn(5)),
     ValueError, r"linear: bias of shape \(5,\) does not match the output of shape \(2, 4\)"),
    ("linear_bias_41", lambda: F.linear(x23(), td.randn(4, 3), td.randn(4, 1)),
     ValueError, r"linear: bias of shape \(4, 1\) does not match"),
    ("linear_bias_str", lambda: F.linear(x23(), td.randn(4, 3), "a"),
     TypeError, r"linear: bias must be a Tensor or None, got str"),
    ("linear_w_ndarray", lambda: F.linear(x23(), np.ones((4, 3), np.float32)),
     TypeError, r"linear: weight must be a Tensor, got ndarray"),
    ("linear_w_none", lambda: F.linear(x23(), None),
     TypeError, r"linear: weight must be a Tensor, got NoneType"),
    ("linear_w_3d", lambda: F.linear(x23(), td.randn(2, 4, 3)),
     ValueError, r"linear: weight must be 1-D or 2-D .* got shape \(2, 4, 3\)"),
    ("linear_x_none", lambda: nn.Linear(3, 4)(None),
     TypeError, r"linear: expected a Tensor .* got None"),
    # 5. activation modules and functions
    ("relu_none", lambda: nn.ReLU()(None),
     TypeError, r"relu: expected a Tensor .* got None"),
    ("relu_str", lambda: nn.ReLU()("a"),
     TypeError, r"relu: expected a Tensor .* got 'a'"),
    ("sigmoid_none", lambda: nn.Sigmoid()(None),
     TypeError, r"sigmoid: expected a Tensor .* got None"),
    ("tanh_str", lambda: nn.Tanh()("abc"),
     TypeError, r"tanh: expected a Tensor .* got 'abc'"),
    ("softmax_none", lambda: nn.Softmax(dim=1)(None),
     TypeError, r"softmax: expected a Tensor .* got None"),
    ("F_sigmoid_dict", lambda: F.sigmoid({}),
     TypeError, r"sigmoid: cannot make a tensor"),
    ("F_softmax_dim_str", lambda: F.softmax(x23(), "a"),
     TypeError, r"softmax: dim must be an int, got 'a'"),
    ("F_log_softmax_dim_tuple", lambda: F.log_softmax(x23(), (0, 1)),
     TypeError, r"log_softmax: dim must be an int, got \(0, 1\)"),
    ("LogSoftmax_dim_str", lambda: nn.LogSoftmax(dim="a"),
     TypeError, r"LogSoftmax: dim must be an int, got 'a'"),
    # 6. dropout, leaky relu
    ("dropout_str", lambda: nn.Dropout("a"),
     TypeError, r"Dropout: probability p must be a number, got 'a'"),
    ("dropout_none", lambda: nn.Dropout(None),
     TypeError, r"Dropout: probability p must be a number, got None"),
    ("F_dropout_str", lambda: F.dropout(x23(), "a"),
     TypeError, r"dropout: probability p must be a number, got 'a'"),
    ("leaky_str", lambda: nn.LeakyReLU("a"),
     TypeError, r"LeakyReLU: negative_slope must be a number, got 'a'"),
    ("F_leaky_none", lambda: F.leaky_relu(x23(), None),
     TypeError, r"leaky_relu: negative_slope must be a number, got None"),
    # 7. embedding, sizes and dtypes of layers
    ("emb_pad_float", lambda: nn.Embedding(10, 3, padding_idx=1.5),
     TypeError, r"Embedding: padding_idx must be an int, got 1.5"),
    ("emb_pad_str", lambda: nn.Embedding(10, 3, padding_idx="a"),
     TypeError, r"Embedding: padding_idx must be an int, got 'a'"),
    ("emb_size_float", lambda: nn.Embedding(10.0, 3),
     TypeError, r"Embedding: num_embeddings must be an int, got 10.0"),
    ("linear_size_float", lambda: nn.Linear(2.5, 4),
     TypeError, r"Linear: in_features must be an int, got 2.5"),
    ("linear_dtype_int", lambda: nn.Linear(3, 4, dtype=np.int64),
     TypeError, r"Linear: .*dtype int64 is not floating"),
    ("linear_dtype_bad", lambda: nn.Linear(3, 4, dtype="banana"),
     TypeError, r"Linear: dtype 'banana' is not a dtype"),
    ("conv_dtype_bad", lambda: nn.Conv2d(3, 4, 3, dtype="banana"),
     TypeError, r"Conv2d: dtype 'banana' is not a dtype"),
    ("ln_dtype_int", lambda: nn.LayerNorm(3, dtype=np.int32),
     TypeError, r"LayerNorm: .*dtype int32 is not floating"),
    # 8. recurrent layers on an empty sequence
    ("rnn_empty", lambda: nn.RNN(3, 4)(td.zeros(0, 2, 3)),
     ValueError, r"RNN\(3, 4\): expected a sequence length larger than 0, got .* \(0, 2, 3\)"),
    ("lstm_empty", lambda: nn.LSTM(3, 4)(td.zeros(0, 2, 3)),
     ValueError, r"LSTM\(3, 4\): expected a sequence length larger than 0"),
    ("gru_empty_bf", lambda: nn.GRU(3, 4, batch_first=True)(td.zeros(2, 0, 3)),
     ValueError, r"GRU\(3, 4.*\): expected a sequence length larger than 0, got .* \(2, 0, 3\)"),
    ("rnn_empty_unbatched", lambda: nn.RNN(3, 4)(td.zeros(0, 3)),
     ValueError, r"RNN\(3, 4\): expected a sequence length larger than 0"),
    # 9. load_state_dict
    ("load_state_dict_none", lambda: nn.Linear(2, 2).load_state_dict(None),
     TypeError, r"load_state_dict: expected a dict-like state_dict .* got NoneType"),
    ("load_state_dict_list", lambda: nn.Linear(2, 2).load_state_dict([("bias", np.zeros(2))]),
     TypeError, r"load_state_dict: .* got list"),
    # 10. initialisers
    ("normal_std_neg", lambda: init.normal_(td.zeros(3), 0.0, -1.0),
     ValueError, r"normal_: std must be >= 0, got -1"),
    ("normal_std_nan", lambda: init.normal_(td.zeros(3), 0.0, NAN),
     ValueError, r"normal_: std must be >= 0, got nan"),
    ("normal_mean_str", lambda: init.normal_(td.zeros(3), "a"),
     TypeError, r"normal_: mean must be a number, got 'a'"),
    ("normal_int_tensor", lambda: init.normal_(td.zeros(3, dtype=td.int64)),
     TypeError, r"normal_: random values need a floating tensor, got dtype int64"),
    ("uniform_int_tensor", lambda: init.uniform_(td.zeros(3, dtype=td.int64)),
     TypeError, r"uniform_: random values need a floating tensor"),
    ("kaiming_int_tensor", lambda: init.kaiming_uniform_(td.zeros(3, 3, dtype=td.int32)),
     TypeError, r"kaiming_uniform_: random values need a floating tensor"),
    ("uniform_inf", lambda: init.uniform_(td.zeros(3), 0.0, INF),
     ValueError, r"uniform_: the bounds must be finite, got a=0.0, b=inf"),
    ("uniform_nan", lambda: init.uniform_(td.zeros(3), NAN, 1.0),
     ValueError, r"uniform_: the bounds must be finite, got a=nan"),
    ("xavier_gain_neg", lambda: init.xavier_uniform_(td.zeros(3, 3), gain=-1.0),
     ValueError, r"xavier_uniform_: gain must be >= 0, got -1"),
    ("xavier_normal_gain_str", lambda: init.xavier_normal_(td.zeros(3, 3), gain="a"),
     TypeError, r"xavier_normal_: gain must be a number, got 'a'"),
    ("zeros_ndarray", lambda: init.zeros_(np.zeros(3)),
     TypeError, r"zeros_: expected a Tensor to fill, got ndarray"),
    ("ones_none", lambda: init.ones_(None),
     TypeError, r"ones_: expected a Tensor to fill, got NoneType"),
    ("constant_ndarray", lambda: init.constant_(np.zeros(3), 1.0),
     TypeError, r"constant_: expected a Tensor to fill, got ndarray"),
    ("constant_str", lambda: init.constant_(td.zeros(3), "a"),
     TypeError, r"constant_: val must be a number, got 'a'"),
    ("constant_none", lambda: init.constant_(td.zeros(3), None),
     TypeError, r"constant_: val must be a number, got None"),
    # 11. losses
    ("ce_ignore_str", lambda: _ce(ignore_index="a"),
     TypeError, r"cross_entropy: ignore_index must be an int, got 'a'"),
    ("ce_ignore_float", lambda: _ce(ignore_index=1.5),
     TypeError, r"cross_entropy: ignore_index must be an int, got 1.5"),
    ("ce_smoothing_str", lambda: _ce(label_smoothing="a"),
     TypeError, r"cross_entropy: label_smoothing must be a number, got 'a'"),
    ("ce_weight_str", lambda: _ce(weight=["a", "b", "c"]),
     TypeError, r"cross_entropy: weight must hold numbers"),
    ("nll_ignore_str", lambda: _nll(ignore_index="a"),
     TypeError, r"nll_loss: ignore_index must be an int, got 'a'"),
    ("NLLLoss_ignore_str", lambda: nn.NLLLoss(ignore_index="a"),
     TypeError, r"NLLLoss: ignore_index must be an int, got 'a'"),
    ("CELoss_ignore_str", lambda: nn.CrossEntropyLoss(ignore_index="a"),
     TypeError, r"CrossEntropyLoss: ignore_index must be an int, got 'a'"),
    ("CELoss_smoothing_2", lambda: nn.CrossEntropyLoss(label_smoothing=2.0),
     ValueError, r"CrossEntropyLoss: label_smoothing must be in \[0, 1\], got 2.0"),
    ("bce_weight_str", lambda: _bce(weight="a"),
     TypeError, r"binary_cross_entropy: weight must hold numbers, got 'a'"),
    ("bcel_pos_weight_str", lambda: _bce_logits(pos_weight="a"),
     TypeError, r"binary_cross_entropy_with_logits: pos_weight must hold numbers, got 'a'"),
    ("BCEWithLogitsLoss_pos_weight_str", lambda: nn.BCEWithLogitsLoss(pos_weight="a"),
     TypeError, r"BCEWithLogitsLoss: pos_weight must hold numbers, got 'a'"),
    ("BCELoss_weight_str", lambda: nn.BCELoss(weight="a"),
     TypeError, r"BCELoss: weight must hold numbers, got 'a'"),
    ("one_hot_float", lambda: F.one_hot([0, 1], 2.5),
     TypeError, r"one_hot: num_classes must be an int, got 2.5"),
    ("one_hot_str", lambda: F.one_hot([0, 1], "a"),
     TypeError, r"one_hot: num_classes must be an int, got 'a'"),
    ("one_hot_neg", lambda: F.one_hot([0, 1], -3),
     ValueError, r"one_hot: num_classes must be -1 or >= 0, got -3"),
]  # fmt: skip


@pytest.mark.parametrize(
    "call, error, message", [row[1:] for row in ERRORS], ids=[row[0] for row in ERRORS]
)
def test_bad_input_is_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------------------------
# valid input of the same kinds keeps working
# ---------------------------------------------------------------------------------------------


def test_numpy_integer_sizes_are_accepted():
    i = np.int64
    assert nn.LayerNorm(i(4))(td.randn(2, 4)).shape == (2, 4)
    assert nn.LayerNorm((i(2), i(3))).normalized_shape == (2, 3)
    assert nn.Linear(i(3), i(4))(td.randn(2, 3)).shape == (2, 4)
    assert nn.Embedding(i(5), i(2), padding_idx=i(-1)).padding_idx == 4
    assert nn.BatchNorm1d(i(3))(td.randn(4, 3)).shape == (4, 3)
    assert nn.Conv2d(i(1), i(2), i(3), stride=(i(1), i(2)))(td.randn(1, 1, 5, 5)).shape == (
        1, 2, 3, 2,
    )  # fmt: skip
    assert nn.MaxPool2d(np.array([2, 2]))(td.randn(1, 1, 4, 4)).shape == (1, 1, 2, 2)
    assert F.one_hot([0, 2], i(3)).shape == (2, 3)
    assert F.softmax(td.randn(2, 3), dim=i(1)).shape == (2, 3)


def test_edge_values_that_pytorch_accepts_still_work():
    x = td.randn(4, 3)
    # eps = 0 is fine in evaluation, momentum None is a cumulative average, 0 and 1 the ends
    assert np.isfinite(F.batch_norm(x, td.zeros(3), td.ones(3), eps=0).numpy()).all()
    for m in (None, 0, 1.0):
        assert np.isfinite(nn.BatchNorm1d(3, momentum=m)(x).numpy()).all()
    assert nn.LayerNorm(3, eps=0)(x).shape == (4, 3)
    assert nn.LayerNorm(0).normalized_shape == (0,)  # as PyTorch
    assert F.layer_norm(x, [3], td.ones(3), td.zeros(3)).shape == (4, 3)
    assert init.normal_(td.zeros(3), 0.0, 0.0).tolist() == [0.0, 0.0, 0.0]
    assert init.constant_(td.zeros(2), NAN).numpy().tolist() != [0.0, 0.0]  # as PyTorch
    assert init.constant_(td.zeros(2, dtype=td.int64), 3).tolist() == [3, 3]
    assert init.zeros_(td.ones(2, dtype=td.int64)).tolist() == [0, 0]
    w = init.xavier_uniform_(td.zeros(3, 3), gain=0.0)
    assert w.tolist() == [[0.0] * 3] * 3
    assert np.abs(init.kaiming_uniform_(td.zeros(4, 3), a=-0.2).numpy()).max() > 0
    assert F.leaky_relu(td.tensor([-1.0]), np.float32(0.5)).tolist() == [-0.5]
    assert nn.Dropout(np.float64(0.0))(x).shape == (4, 3)


def test_activation_modules_accept_array_likes_as_the_functions_do():
    values = [-1.0, 2.0]
    for module, function in ((nn.ReLU(), F.relu), (nn.Sigmoid(), F.sigmoid),
                             (nn.Tanh(), F.tanh), (nn.Softmax(dim=0), lambda v: F.softmax(v, 0)),
                             (nn.LogSoftmax(dim=0), lambda v: F.log_softmax(v, 0)),
                             (nn.LeakyReLU(0.1), lambda v: F.leaky_relu(v, 0.1))):  # fmt: skip
        expected = function(td.tensor(values)).numpy()
        np.testing.assert_allclose(module(values).numpy(), expected)
        np.testing.assert_allclose(module(np.array(values, np.float32)).numpy(), expected)


def test_linear_bias_that_broadcasts_to_the_output_still_works():
    x, w = td.randn(2, 3), td.randn(4, 3)
    expected = (x @ w.T + 1.0).numpy()
    for bias in (td.ones(4), td.ones(1), td.ones(1, 4), td.ones(2, 4), td.tensor(1.0)):
        np.testing.assert_allclose(F.linear(x, w, bias).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(
        F.linear(td.randn(3), w, td.ones(4)).shape, (4,)
    )  # a 1-D input takes the general path


def test_losses_accept_numpy_integer_ignore_index_and_real_smoothing():
    z, y = td.randn(4, 3), [0, 1, 2, 1]
    expected = F.cross_entropy(z, y, ignore_index=1).item()
    assert F.cross_entropy(z, y, ignore_index=np.int64(1)).item() == pytest.approx(expected)
    assert np.isfinite(F.cross_entropy(z, y, label_smoothing=np.float64(0.1)).item())
    assert np.isfinite(F.cross_entropy(z, y, label_smoothing=1).item())
    assert nn.CrossEntropyLoss(ignore_index=np.int32(0))(z, y).shape == ()
    assert np.isfinite(
        F.binary_cross_entropy(td.rand(2, 3), td.ones(2, 3), weight=[1, 2, 3]).item()
    )


def test_load_state_dict_accepts_any_mapping():
    from collections import OrderedDict

    m = nn.Linear(2, 2)
    m.load_state_dict(OrderedDict(weight=np.zeros((2, 2)), bias=np.ones(2)))
    assert m.bias.tolist() == [1.0, 1.0]
