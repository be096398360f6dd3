"""Fused ops against the composed references they replace, where the op table does not reach:
gradients when only some inputs require one (the fused backward skips the others), and
mixed dtypes."""
from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest

import autograd as ag
from autograd import parallel
from nn import functional as F

RNG = np.random.default_rng(3)


def _grads(fn, arrays, requires):
    xs = [ag.Variable(a, requires_grad=r) for a, r in zip(arrays, requires)]
    out = fn(*xs)
    (out * RNG.standard_normal(out.shape)).sum().backward()
    return out, [x.grad for x in xs]


@pytest.mark.parametrize("requires", [r for r in itertools.product([False, True], repeat=3)
                                      if any(r)])
@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2), (1, 2, 1)])
def test_conv2d_grads_for_each_subset_of_inputs(requires, stride, padding, dilation):
    arrays = [RNG.standard_normal((2, 3, 7, 6)), RNG.standard_normal((4, 3, 3, 2)),
              RNG.standard_normal(4)]
    state = RNG.bit_generator.state
    out, grads = _grads(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation), arrays,
                        requires)
    RNG.bit_generator.state = state  # the same cotangent for the reference
    ref_out, ref_grads = _grads(
        lambda x, w, b: F.conv2d_composed(x, w, b, stride, padding, dilation), arrays, requires)
    np.testing.assert_allclose(out.data, ref_out.data, rtol=1e-12, atol=1e-12)
    for g, ref, r in zip(grads, ref_grads, requires):
        assert (g is None) == (not r)
        if r:
            np.testing.assert_allclose(g.data, ref.data, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bias_dtype", [np.float32, np.float64])
def test_conv2d_dtypes_follow_numpy_promotion(bias_dtype):
    x = ag.Variable(RNG.standard_normal((2, 1, 5, 5)).astype(np.float32))
    w = ag.Variable(RNG.standard_normal((3, 1, 3, 3)).astype(np.float32))
    b = ag.Variable(RNG.standard_normal(3).astype(bias_dtype))
    y = F.conv2d(x, w, b)
    assert y.dtype == F.conv2d_composed(x, w, b).dtype == np.result_type(np.float32, bias_dtype)
    y.sum().backward()
    assert (x.grad.dtype, w.grad.dtype, b.grad.dtype) == (np.float32, np.float32, bias_dtype)


def test_conv2d_rejects_a_bias_of_the_wrong_shape():
    x, w = np.zeros((1, 2, 4, 4)), np.zeros((3, 2, 2, 2))
    with pytest.raises(ag.ShapeError, match=r"Conv2d: expected bias of shape \(3,\) for weight "
                                            r"\(3, 2, 2, 2\), got \(2,\)"):
        F.conv2d(x, w, np.zeros(2))


@pytest.mark.parametrize("requires", [r for r in itertools.product([False, True], repeat=3)
                                      if any(r)])
@pytest.mark.parametrize("batch", [(5,), (2, 3), ()])
def test_linear_grads_for_each_subset_of_inputs(requires, batch):
    arrays = [RNG.standard_normal(batch + (4,)), RNG.standard_normal((3, 4)),
              RNG.standard_normal(3)]
    state = RNG.bit_generator.state
    out, grads = _grads(F.linear, arrays, requires)
    RNG.bit_generator.state = state
    ref_out, ref_grads = _grads(F.linear_composed, arrays, requires)
    np.testing.assert_allclose(out.data, ref_out.data, rtol=1e-12, atol=1e-12)
    for g, ref, r in zip(grads, ref_grads, requires):
        assert (g is None) == (not r)
        if r:
            np.testing.assert_allclose(g.data, ref.data, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("requires", [r for r in itertools.product([False, True], repeat=3)
                                      if any(r)])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5, 2)])
def test_batch_norm_grads_and_running_stats_match_the_composition(requires, shape):
    c = shape[1]
    arrays = [RNG.standard_normal(shape), RNG.standard_normal(c), RNG.standard_normal(c)]
    stats = {name: (np.zeros(c), np.ones(c)) for name in ("fused", "composed")}
    state = RNG.bit_generator.state
    out, grads = _grads(lambda x, w, b: F.batch_norm(x, *stats["fused"], w, b, training=True),
                        arrays, requires)
    RNG.bit_generator.state = state
    ref_out, ref_grads = _grads(
        lambda x, w, b: F.batch_norm_composed(x, *stats["composed"], w, b, training=True),
        arrays, requires)
    np.testing.assert_allclose(out.data, ref_out.data, rtol=1e-12, atol=1e-12)
    for g, ref, r in zip(grads, ref_grads, requires):
        assert (g is None) == (not r)
        if r:
            np.testing.assert_allclose(g.data, ref.data, rtol=1e-10, atol=1e-12)
    for ours, theirs in zip(stats["fused"], stats["composed"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_batch_norm_without_weight_or_bias_matches_the_composition():
    x = RNG.standard_normal((5, 2, 3, 3))
    for weight, bias in [(None, None), (np.full(2, 2.0), None), (None, np.full(2, -1.0))]:
        ours = F.batch_norm(x, None, None, weight, bias, training=True)
        ref = F.batch_norm_composed(x, None, None, weight, bias, training=True)
        np.testing.assert_allclose(ours.data, ref.data, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("samples_per_block", [1, 2, None])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("stride, padding", [(1, 1), (2, 0)])
def test_conv2d_blocks_of_columns_cover_every_sample(samples_per_block, threads, stride,
                                                     padding, monkeypatch):
    """correlate multiplies the columns block by block (sized by BLOCK_BYTES): blocks of one
    sample, blocks that do not divide the batch, one block, alone or split over threads."""
    im2col = importlib.import_module("nn.functional.im2col")
    x, w, b = (RNG.standard_normal((5, 2, 6, 5)), RNG.standard_normal((3, 2, 3, 3)),
               RNG.standard_normal(3))
    state = RNG.bit_generator.state
    ref_out, ref_grads = _grads(lambda *a: F.conv2d_composed(*a, stride, padding), [x, w, b],
                                (True,) * 3)
    RNG.bit_generator.state = state
    if samples_per_block is not None:
        oh, ow = im2col.output_shape(x.shape, (3, 3), (stride,) * 2, (padding,) * 2, (1, 1))
        monkeypatch.setattr(im2col, "BLOCK_BYTES", samples_per_block * 2 * 9 * oh * ow * 8)
    monkeypatch.setattr(parallel, "MIN_ELEMENTS", 0)
    before = parallel.get_num_threads()
    try:
        parallel.set_num_threads(threads)
        out, grads = _grads(lambda *a: F.conv2d(*a, stride, padding), [x, w, b], (True,) * 3)
    finally:
        parallel.set_num_threads(before)
    np.testing.assert_allclose(out.data, ref_out.data, rtol=1e-12, atol=1e-12)
    for g, ref in zip(grads, ref_grads):
        np.testing.assert_allclose(g.data, ref.data, rtol=1e-12, atol=1e-12)
