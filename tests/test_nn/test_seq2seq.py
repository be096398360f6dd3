"""nn.seq2seq: shapes, greedy generation, attention weights, and every parameter's gradient
(first and second order) against numerical differentiation on tiny models."""
from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.seq2seq
from autograd.testing import check_module_gradients

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("make", [lambda: nn.seq2seq.Seq2Seq(7, 3, 4),
                                  lambda: nn.seq2seq.Seq2Seq(7, 3, 4, peeky=True),
                                  lambda: nn.seq2seq.AttentionSeq2Seq(7, 3, 4)],
                         ids=["seq2seq", "peeky", "attention"])
def test_shapes_generation_and_gradients(make):
    nn.manual_seed(0)
    model = make()
    x, t_in = RNG.integers(0, 7, (2, 5)), RNG.integers(0, 7, (2, 3))
    assert model(x, t_in).shape == (2, 3, 7)
    out = model.generate(x, start_id=0, length=4)
    assert out.shape == (2, 4) and out.dtype.kind == "i" and out.max() < 7
    if isinstance(model, nn.seq2seq.AttentionSeq2Seq):  # one row of weights per step
        assert model.attention.shape == (2, 4, 5)
        np.testing.assert_allclose(model.attention.sum(axis=2), 1.0, rtol=1e-5)
    # teacher forcing on the generated prefix gives the same first prediction
    first = model(x, np.zeros((2, 1), np.int64)).data.argmax(axis=2)[:, 0]
    np.testing.assert_array_equal(first, out[:, 0])
    assert check_module_gradients(model, x, t_in, gradgrad=False)


def test_second_derivatives_through_attention():
    nn.manual_seed(1)
    model = nn.seq2seq.AttentionSeq2Seq(5, 2, 3)
    assert check_module_gradients(model, RNG.integers(0, 5, (1, 3)),
                                  RNG.integers(0, 5, (1, 2)))
