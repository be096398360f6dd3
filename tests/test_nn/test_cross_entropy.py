"""cross_entropy over (N, C, d1, ...), with ignore_index, reduction and label_smoothing, and
probability targets: values and gradients against torch, gradients against numerical
differentiation, and its errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd.testing import arrays
from nn import functional as F


@st.composite
def cases(draw, probabilities=False):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    extra = draw(st.lists(st.integers(1, 3), max_size=2))
    x = draw(arrays((n, c, *extra)))
    if probabilities:
        p = draw(arrays((n, c, *extra), "positive"))
        return x, p / p.sum(axis=1, keepdims=True)
    t = draw(hnp.arrays(np.int64, (n, *extra), elements=st.integers(0, c - 1)))
    ignore = draw(st.sampled_from([-100, 0, c - 1]))
    return x, t, ignore


@given(case=cases(), reduction=st.sampled_from(["mean", "sum", "none"]),
       smoothing=st.sampled_from([0.0, 0.1, 0.5]))
def test_labels_match_torch(torch, case, reduction, smoothing):
    x, t, ignore = case
    xv, xt = ag.Variable(x), torch.tensor(x, requires_grad=True)
    ours = F.cross_entropy(xv, t, reduction, ignore_index=ignore, label_smoothing=smoothing)
    theirs = torch.nn.functional.cross_entropy(xt, torch.tensor(t), reduction=reduction,
                                               ignore_index=ignore,
                                               label_smoothing=smoothing)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    if not np.isfinite(ours.data).all():  # every label ignored: "mean" is nan, as in torch
        return
    w = np.linspace(0.5, 1.5, ours.size).reshape(ours.shape)
    (ours * w).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-12)


@given(case=cases(probabilities=True), reduction=st.sampled_from(["mean", "sum", "none"]),
       smoothing=st.sampled_from([0.0, 0.2]))
def test_probabilities_match_torch(torch, case, reduction, smoothing):
    x, p = case
    xv, xt = ag.Variable(x), torch.tensor(x, requires_grad=True)
    ours = F.cross_entropy(xv, p, reduction, label_smoothing=smoothing)
    theirs = torch.nn.functional.cross_entropy(xt, torch.tensor(p), reduction=reduction,
                                               label_smoothing=smoothing)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-12)


@given(case=cases(), smoothing=st.sampled_from([0.0, 0.3]))
def test_gradients_match_numerical(case, smoothing):
    x, t, ignore = case
    assume(not (t == ignore).all())  # nothing counted: "mean" is nan
    f = lambda v: F.cross_entropy(v, t, ignore_index=ignore, label_smoothing=smoothing)
    assert ag.gradcheck(f, x) and ag.gradgradcheck(f, x)


def test_ignored_positions_add_nothing():
    x = np.array([[[2.0, 0.0]], [[0.0, 1.0]], [[5.0, -5.0]]]).transpose(0, 2, 1)  # (3, 2, 1)
    t = np.array([[0], [-100], [1]])
    v = ag.Variable(x)
    loss = F.cross_entropy(v, t, reduction="none")
    assert loss.shape == (3, 1) and loss.data[1, 0] == 0
    F.cross_entropy(v, t).backward()
    assert not v.grad.data[1].any()
    np.testing.assert_allclose(F.cross_entropy(x, t).data, loss.data.sum() / 2)


@pytest.mark.parametrize("call, pattern", [
    (lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
     "label 3 is out of range for 3 classes"),
    (lambda: F.cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 3), np.int64)),
     r"expected integer labels of shape \(2, 4\)"),
    (lambda: F.cross_entropy(np.zeros((2, 3)), np.array([0, -1]), ignore_index=-100),
     r"label -1 is out of range for 3 classes \(ignore_index is -100\)"),
    (lambda: F.cross_entropy(np.zeros((2, 3)), np.zeros((2, 2))),
     r"probability targets must have the logits' shape \(2, 3\)"),
    (lambda: F.cross_entropy(np.zeros(3), np.array([0])), "expected logits of shape"),
    (lambda: F.cross_entropy(np.zeros((1, 2)), np.array([0]), label_smoothing=2.0),
     r"label_smoothing must be in \[0, 1\]"),
])
def test_errors(call, pattern):
    with pytest.raises(ag.ZerogradError, match=pattern):
        call()


def test_labels_on_a_device_are_checked_there():
    from ..fakedevice import fake_device

    x = np.random.default_rng(0).standard_normal((4, 3))
    with fake_device():
        for t, ignore in (([0, 2, 1, 0], -100), ([0, -100, 1, -100], -100), ([1, 7, 7, 2], 7)):
            on = ag.Variable(np.array(t)).to("fake")
            for reduction in ("mean", "none"):
                got = F.cross_entropy(ag.Variable(x).to("fake"), on, reduction=reduction,
                                      ignore_index=ignore)
                np.testing.assert_allclose(got.numpy(), F.cross_entropy(
                    x, np.array(t), reduction=reduction, ignore_index=ignore).data, rtol=1e-12)
        for t, pattern in (([0, 3, 1, 0], "label 3 is out of range for 3 classes"),
                           ([0, -1, -100, 0], r"label -1 is out of range .*ignore_index is -100")):
            with pytest.raises(ag.OpIndexError, match=pattern):
                F.cross_entropy(ag.Variable(x).to("fake"), ag.Variable(np.array(t)).to("fake"))
