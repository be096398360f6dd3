"""Layers against PyTorch (forward and gradients, when torch is installed), initialiser
statistics, dropout, and the layers' own errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import ShapeError
from nn import functional as F

from ..oracle import import_torch

RNG = np.random.default_rng(0)


def _torch():
    return import_torch()


def _compare(ours, theirs, inputs, t_inputs, rtol=1e-10, atol=1e-10):
    """Forward values and gradients of sum(out * cotangent) for every input."""
    torch = _torch()
    out, t_out = ours(*inputs), theirs(*t_inputs)
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=rtol, atol=atol)
    v = RNG.standard_normal(out.shape)
    (out * v).sum().backward()
    (t_out * torch.tensor(v)).sum().backward()
    for x, tx in zip(inputs, t_inputs):
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=rtol, atol=atol)


def _pair(*shape):
    torch = _torch()
    a = RNG.standard_normal(shape)
    return ag.Variable(a), torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), ((1, 2), (2, 0),
                                                                               (2, 1))])
def test_conv2d_matches_torch(stride, padding, dilation, torch) -> None:
    (x, tx), (w, tw), (b, tb) = _pair(2, 3, 7, 8), _pair(4, 3, 3, 2), _pair(4)
    _compare(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation),
             lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride, padding, dilation),
             [x, w, b], [tx, tw, tb])


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), ((2, 3), 1, 0)])
def test_pooling_matches_torch(kernel, stride, padding, torch) -> None:
    (x, tx) = _pair(2, 3, 7, 8)
    _compare(lambda x: F.max_pool2d(x, kernel, stride, padding),
             lambda x: torch.nn.functional.max_pool2d(x, kernel, stride, padding), [x], [tx])
    (x, tx) = _pair(2, 3, 7, 8)
    _compare(lambda x: F.avg_pool2d(x, kernel, stride, padding),
             lambda x: torch.nn.functional.avg_pool2d(x, kernel, stride, padding), [x], [tx])


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 5)])
def test_batch_norm_matches_torch_in_both_modes(shape, torch) -> None:
    ours = (nn.BatchNorm1d if len(shape) == 2 else nn.BatchNorm2d)(3, dtype=np.float64)
    theirs = (torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d)(3).double()
    for step in range(3):
        (x, tx) = _pair(*shape)
        _compare(ours, theirs, [x], [tx])
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-10)
    ours.eval(), theirs.eval()
    (x, tx) = _pair(*shape)
    _compare(ours, theirs, [x], [tx])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_torch(reduction, torch) -> None:
    (x, tx) = _pair(5, 4)
    t = np.array([0, 3, 1, 1, 2])
    _compare(lambda x: F.cross_entropy(x * 30, t, reduction),
             lambda x: torch.nn.functional.cross_entropy(x * 30, torch.tensor(t),
                                                         reduction=reduction), [x], [tx])


def test_linear_softmax_and_friends_match_torch(torch) -> None:
    tf = torch.nn.functional
    (x, tx), (w, tw), (b, tb) = _pair(3, 4), _pair(2, 4), _pair(2)
    _compare(F.linear, tf.linear, [x, w, b], [tx, tw, tb])
    for ours, theirs in [(lambda v: F.log_softmax(v * 50, 1), lambda v: tf.log_softmax(v * 50, 1)),
                         (lambda v: F.softmax(v, 0), lambda v: tf.softmax(v, 0)),
                         (lambda v: F.leaky_relu(v, 0.2), lambda v: tf.leaky_relu(v, 0.2)),
                         (F.relu, tf.relu), (F.sigmoid, torch.sigmoid)]:
        (x, tx) = _pair(3, 4)
        _compare(ours, theirs, [x], [tx])
    (x, tx) = _pair(3, 4)
    target = RNG.random((3, 4))
    _compare(lambda v: F.binary_cross_entropy_with_logits(v * 40, target),
             lambda v: tf.binary_cross_entropy_with_logits(v * 40, torch.tensor(target)),
             [x], [tx])


def test_stable_for_huge_logits() -> None:
    x = ag.Variable(np.array([[1e4, -1e4, 0.0]]))
    loss = F.cross_entropy(x, np.array([1]))
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(2e4)
    assert np.isfinite(x.grad.data).all()
    assert np.isfinite(F.log_softmax(x).data).all()


@pytest.mark.parametrize("init, expected_std", [
    (lambda p: nn.init.kaiming_normal_(p), np.sqrt(2 / 400)),
    (lambda p: nn.init.kaiming_uniform_(p), np.sqrt(2 / 400)),
    (lambda p: nn.init.xavier_normal_(p), np.sqrt(2 / (400 + 300))),
    (lambda p: nn.init.xavier_uniform_(p), np.sqrt(2 / (400 + 300))),
])
def test_initialisers_have_the_stated_spread(init, expected_std) -> None:
    nn.manual_seed(0)
    p = nn.Parameter(np.empty((300, 400), dtype=np.float32))
    init(p)
    assert p.dtype == np.float32
    assert p.data.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(p.data.mean()) < 0.05 * expected_std


def test_default_layer_init_is_he_normal() -> None:
    nn.manual_seed(0)
    conv = nn.Conv2d(8, 64, 5)
    assert conv.weight.data.std() == pytest.approx(np.sqrt(2 / (8 * 25)), rel=0.05)
    assert (conv.bias.data == 0).all()


def test_manual_seed_makes_models_repeatable() -> None:
    nn.manual_seed(3)
    a = nn.Linear(5, 5).weight.data
    nn.manual_seed(3)
    np.testing.assert_array_equal(a, nn.Linear(5, 5).weight.data)


def test_dropout_keeps_the_expectation_and_is_identity_in_eval() -> None:
    nn.manual_seed(0)
    drop = nn.Dropout(0.3)
    x = np.ones((200, 500))
    y = drop(x).data
    assert (y == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert y.mean() == pytest.approx(1.0, abs=0.01)
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x)


@pytest.mark.parametrize("call, pattern", [
    (lambda: nn.Conv2d(3, 4, 3)(np.zeros((2, 1, 8, 8), np.float32)),
     r"Conv2d: expected input of shape \(N, 3, H, W\), got \(2, 1, 8, 8\)"),
    (lambda: nn.Conv2d(1, 4, 5)(np.zeros((1, 1, 3, 3), np.float32)),
     r"Conv2d: kernel \(5, 5\) \(dilation \(1, 1\)\) does not fit the padded input 3x3"),
    (lambda: nn.Linear(3, 2)(np.zeros((4, 5), np.float32)),
     r"Linear: expected input of shape \(\*, 3\), got \(4, 5\)"),
    (lambda: nn.BatchNorm2d(3)(np.zeros((2, 3, 4), np.float32)),
     r"BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(2, 3, 4\)"),
    (lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
     r"cross_entropy: label 3 is out of range for 3 classes"),
    (lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])),
     r"cross_entropy: probability targets must have the logits' shape \(2, 3\), got \(2,\)"),
    (lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), reduction="avg"),
     r"cross_entropy: reduction must be one of"),
    (lambda: F.max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=2),
     r"MaxPool2d: padding \(2, 2\) must be at most half the kernel \(2, 2\)"),
    (lambda: nn.Embedding(3, 2)(np.array([3])), r"Embedding: index 3 is out of range"),
    (lambda: F.dropout(np.ones(2), 1.5), r"Dropout: invalid probability 1.5"),
    (lambda: nn.Conv2d(1, 1, 0), r"Conv2d: kernel_size must be an int or a pair of ints >= 1"),
])
def test_layer_errors_are_clear(call, pattern) -> None:
    with pytest.raises((ShapeError, IndexError, ValueError), match=pattern):
        call()


@pytest.mark.parametrize("padding_idx", [1, -1])
def test_embedding_padding_idx_matches_torch(torch, padding_idx):
    """The padding row starts at zeros, is looked up as it is, and never gets a gradient
    (the numerical check would disagree there by design, so torch is the reference)."""
    ours = nn.Embedding(5, 3, padding_idx=padding_idx, dtype=np.float64)
    theirs = torch.nn.Embedding(5, 3, padding_idx=padding_idx).double()
    assert not ours.weight.data[padding_idx].any()
    ours.weight.data[padding_idx] = 7.0  # set by hand: the lookup still returns it
    theirs.weight.data = torch.tensor(ours.weight.data.copy())
    idx = np.array([[1, 2, 4], [0, 4, 1]])
    w = np.arange(18.0).reshape(2, 3, 3)
    y = ours(idx)
    np.testing.assert_array_equal(y.data, theirs(torch.tensor(idx)).detach().numpy())
    (y * w).sum().backward()
    (theirs(torch.tensor(idx)) * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(ours.weight.grad.data, theirs.weight.grad.numpy())
    assert not ours.weight.grad.data[padding_idx].any()


def test_layer_norm_matches_torch(torch):
    ours = nn.LayerNorm((2, 3), dtype=np.float64)
    theirs = torch.nn.LayerNorm((2, 3)).double()
    nn.init.normal_(ours.weight)
    nn.init.normal_(ours.bias)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    x = RNG.standard_normal((4, 2, 3))
    _compare(ours, theirs, [ag.Variable(x)], [torch.tensor(x, requires_grad=True)])
    y = ours(x)
    np.testing.assert_allclose(y.data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    with pytest.raises(ShapeError, match=r"LayerNorm: expected input with shape \(\*, 2, 3\)"):
        ours(np.ones((4, 3, 2)))
