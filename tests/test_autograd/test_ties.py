"""Ties and kinks, where the numerical check cannot decide: each rule stated and tested.

- ``max``/``min`` reductions split the gradient evenly among equal maxima (as torch.amax), in
  every float dtype (float16 counts the ties as integers: 70,000 of them are not inf);
- ``maximum``/``minimum`` give half to each input where they are equal (as PyTorch);
- ``relu`` has gradient 0 at 0 (as PyTorch);
- max pooling gives the whole gradient to the first maximum of the window, row-major, on the
  fused tile path and the im2col path alike (as torch's max_pool2d).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn.functional as F
from autograd.testing import TIED

from .op_table import pool_args, tile_pool_args


def _grad(fn, x, dtype=np.float64):
    v = ag.Variable(np.asarray(x, dtype))
    fn(v).sum().backward()
    return v.grad.data


def test_max_splits_ties_evenly():
    np.testing.assert_array_equal(_grad(ag.max, [1.0, 3.0, 3.0, 0.0]), [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(_grad(ag.min, [1.0, 0.0, 3.0, 0.0]), [0, 0.5, 0, 0.5])
    rows = _grad(lambda v: ag.max(v, axis=1), [[2.0, 2.0, 2.0], [1.0, 5.0, 0.0]])
    np.testing.assert_allclose(rows, [[1 / 3] * 3, [0, 1, 0]])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("reduce", [ag.max, ag.min], ids=["max", "min"])
def test_many_ties_in_every_dtype(reduce, dtype):
    """70,000 ties: more than float16 can count (its largest finite value is 65,504)."""
    n = 70_000
    g = _grad(reduce, np.ones(n), dtype)
    assert g.dtype == dtype
    # each share is 1/n rounded once to the dtype (float16: a subnormal, 3 digits)
    np.testing.assert_allclose(g.astype(np.float64), 1 / n, rtol=2e-3)
    assert abs(g.astype(np.float64).sum() - 1) < 2e-3


def test_max_ties_under_create_graph():
    x = ag.Variable(np.array([2.0, 2.0, 1.0]))
    (g,) = ag.grad(ag.max(x) * x.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, [2 + 2.5, 2 + 2.5, 2])  # max + sum * share


def test_maximum_and_minimum_split_a_tie_in_half():
    a, b = ag.Variable(np.array([1.0, 2.0])), ag.Variable(np.array([1.0, 0.0]))
    (ag.maximum(a, b) + 2 * ag.minimum(a, b)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.5, 1.0])
    np.testing.assert_array_equal(b.grad.data, [1.5, 2.0])


@pytest.mark.parametrize("relu", [F.relu, F.relu_composed], ids=["fused", "composed"])
def test_relu_gradient_at_zero_is_zero(relu):
    np.testing.assert_array_equal(_grad(relu, [-1.0, 0.0, 2.0]), [0, 0, 1])


POOLS = {
    "tiles": lambda x, k: F.max_pool2d(x, k),
    "windows": lambda x, k: F.max_pool2d_windows(x, k),
    "composed": lambda x, k: F.max_pool2d_composed(x, k),
}


@pytest.mark.parametrize("path", POOLS)
def test_max_pool_gives_a_tie_to_the_first_maximum(path):
    x = np.array([[[[1.0, 1.0, 0.0, 2.0],
                    [1.0, 0.0, 2.0, 2.0],
                    [0.0, 0.0, 3.0, 1.0],
                    [0.0, 0.0, 1.0, 3.0]]]])
    expected = [[1, 0, 0, 1],
                [0, 0, 0, 0],
                [1, 0, 1, 0],
                [0, 0, 0, 0]]
    np.testing.assert_array_equal(_grad(lambda v: POOLS[path](v, 2), x)[0, 0], expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@given(args=tile_pool_args(TIED))
def test_max_pool_paths_agree_on_ties_in_low_precision(dtype, args):
    x, k = args
    grads = [_grad(lambda v: pool(v, k), x, dtype) for pool in POOLS.values()]
    for g in grads[1:]:
        np.testing.assert_array_equal(g, grads[0])


@given(args=pool_args(TIED))
def test_max_pool_ties_match_torch(torch, args):
    x, kernel, stride, padding = args
    v = ag.Variable(x)
    F.max_pool2d(v, kernel, stride, padding).sum().backward()
    t = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(t, kernel, stride, padding).sum().backward()
    np.testing.assert_array_equal(v.grad.data, t.grad.numpy())


@given(x=st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=1, max_size=12))
def test_max_and_relu_ties_match_torch(torch, x):
    for ours, theirs in [(ag.max, torch.amax), (F.relu, torch.relu)]:
        v, t = ag.Variable(np.array(x)), torch.tensor(x, dtype=torch.float64,
                                                      requires_grad=True)
        ours(v).sum().backward()
        theirs(t).sum().backward()
        np.testing.assert_allclose(v.grad.data, t.grad.numpy(), rtol=1e-15)
