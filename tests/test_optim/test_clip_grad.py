"""clip_grad_norm_: the joint norm of all gradients, scaling, skipping and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import optim
from autograd.errors import OpTypeError
from optim import OptimizerError


def with_grads(*grads):
    params = []
    for g in grads:
        p = ag.Variable(np.zeros(np.shape(g)))
        p.grad = ag.Variable(np.array(g))
        params.append(p)
    return params


def test_clips_by_the_joint_norm():
    a, b = with_grads([3.0, 4.0], [12.0])
    assert optim.clip_grad_norm_([a, b], max_norm=6.5) == 13.0  # sqrt(9 + 16 + 144)
    coef = 6.5 / (13 + 1e-6)
    np.testing.assert_allclose(a.grad.data, [3 * coef, 4 * coef], rtol=1e-15)
    np.testing.assert_allclose(b.grad.data, [12 * coef], rtol=1e-15)


def test_gradients_within_the_norm_are_left_alone():
    a, b = with_grads([3.0, 4.0], [12.0])
    grad = a.grad
    assert optim.clip_grad_norm_((p for p in [a, b]), max_norm=20.0) == 13.0
    assert a.grad is grad
    np.testing.assert_array_equal(a.grad.data, [3.0, 4.0])


@pytest.mark.parametrize("norm_type, expected", [(1, 19.0), (math.inf, 12.0),
                                                 (3, (27 + 64 + 1728) ** (1 / 3))])
def test_other_norms(norm_type, expected):
    a, b = with_grads([3.0, -4.0], [-12.0])
    assert optim.clip_grad_norm_([a, b], max_norm=1.0, norm_type=norm_type) == \
        pytest.approx(expected, rel=1e-14)
    total = np.linalg.norm(np.concatenate([a.grad.data, b.grad.data]), norm_type)
    assert total == pytest.approx(1.0, rel=1e-5)


def test_parameters_without_grad_are_skipped():
    a, b = with_grads([3.0, 4.0], [12.0])
    b.grad = None
    assert optim.clip_grad_norm_([a, b], 1.0) == 5.0
    assert b.grad is None
    assert optim.clip_grad_norm_([b], 1.0) == 0.0
    assert optim.clip_grad_norm_(a, 10.0) == pytest.approx(1.0, rel=1e-6)  # one Variable


def test_a_shared_gradient_is_scaled_once():
    a, b = with_grads([3.0, 4.0], [0.0, 0.0])
    b.grad = a.grad
    optim.clip_grad_norm_([a, b], max_norm=1.0)  # total sqrt(50)
    np.testing.assert_allclose(a.grad.data, np.array([3.0, 4.0]) / (50 ** 0.5 + 1e-6))
    np.testing.assert_allclose(b.grad.data, a.grad.data)


def test_float32_gradients_stay_float32():
    a = ag.Variable(np.zeros(2, dtype=np.float32))
    a.grad = ag.Variable(np.array([3e30, 4e30], dtype=np.float32))  # its square overflows
    assert optim.clip_grad_norm_([a], max_norm=1.0) == pytest.approx(5e30, rel=1e-6)
    assert a.grad.dtype == np.float32
    np.testing.assert_allclose(a.grad.data, [0.6, 0.8], rtol=1e-6)


def test_non_finite_norms():
    a, = with_grads([np.inf, 1.0])
    assert optim.clip_grad_norm_([a], 1.0) == math.inf
    np.testing.assert_array_equal(a.grad.data, [np.nan, 0.0])  # inf * 0, as in PyTorch
    a, = with_grads([np.nan, 1.0])
    with pytest.raises(OptimizerError, match=r"^clip_grad_norm_: the total norm of order 2\.0 "
                                             r"of the gradients is nan; pass "):
        optim.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(a.grad.data, [np.nan, 1.0])  # untouched


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(max_norm=-1.0), OptimizerError,
     r"^clip_grad_norm_: invalid max_norm -1\.0 \(must be >= 0\)$"),
    (dict(max_norm=1.0, norm_type=0), OptimizerError,
     r"^clip_grad_norm_: invalid norm_type 0 \(must be > 0\)$"),
    (dict(max_norm=1.0, norm_type=-2), OptimizerError,
     r"^clip_grad_norm_: invalid norm_type -2"),
    (dict(max_norm="1"), OpTypeError,
     r"^clip_grad_norm_: max_norm must be a real number, got '1'$"),
])
def test_bad_arguments_are_refused(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        optim.clip_grad_norm_(with_grads([1.0]), **kwargs)


def test_a_non_variable_is_refused():
    with pytest.raises(OpTypeError, match=r"^clip_grad_norm_: parameter 1 is a ndarray, "
                                          r"not a Variable$"):
        optim.clip_grad_norm_(with_grads([1.0]) + [np.zeros(2)], 1.0)
