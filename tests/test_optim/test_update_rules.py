"""Each update rule against steps computed by hand, numbers written out. Unless a test says
otherwise the parameter starts at w = [1, -2] and every step's gradient is g = [0.5, 1]."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import optim

W0 = [1.0, -2.0]
G = [0.5, 1.0]


def run(cls, grads, w0=W0, **kwargs) -> np.ndarray:
    w = ag.Variable(np.array(w0))
    opt = cls([w], **kwargs)
    for g in grads:
        w.grad = ag.Variable(np.array(g))
        opt.step()
    return w.data


def test_sgd():
    # w - 0.1 * g
    np.testing.assert_allclose(run(optim.SGD, [G], lr=0.1), [0.95, -2.1], rtol=1e-14)


def test_sgd_weight_decay():
    # g + 0.1 * w = [0.6, 0.8]; w - 0.1 * [0.6, 0.8]
    np.testing.assert_allclose(run(optim.SGD, [G], lr=0.1, weight_decay=0.1), [0.94, -2.08],
                               rtol=1e-14)


def test_sgd_momentum_two_steps():
    # step 1: b = g, w = [0.95, -2.1]; step 2: b = 0.9 * g + g = [0.95, 1.9], w -= 0.1 * b
    np.testing.assert_allclose(run(optim.SGD, [G, G], lr=0.1, momentum=0.9), [0.855, -2.29],
                               rtol=1e-14)


def test_sgd_dampening_leaves_the_first_step_alone():
    # step 1: b = g (no dampening yet); step 2: b = 0.9 * g + 0.5 * g = [0.7, 1.4]
    out = run(optim.SGD, [G, G], lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_allclose(out, [0.88, -2.24], rtol=1e-14)


def test_sgd_nesterov():
    # b = g; d = g + 0.9 * b = [0.95, 1.9]; w - 0.1 * d
    out = run(optim.SGD, [G], lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(out, [0.905, -2.19], rtol=1e-14)


def test_momentum_is_sgd_with_the_books_defaults():
    # lr 0.01, momentum 0.9: step 1 w -= 0.01 * g; step 2 w -= 0.01 * 1.9 * g
    out = run(optim.Momentum, [G, G])
    np.testing.assert_allclose(out, [1 - 0.005 - 0.0095, -2 - 0.01 - 0.019], rtol=1e-14)
    assert isinstance(optim.Momentum([ag.Variable(1.0)]), optim.SGD)


def test_adagrad_two_steps():
    # step 1: s = g^2, w -= 0.1 * g / |g| = [0.9, -2.1]
    # step 2: s = 2 g^2, w -= 0.1 * g / (sqrt(2) |g|) = 0.0707107
    np.testing.assert_allclose(run(optim.AdaGrad, [G], lr=0.1), [0.9, -2.1], rtol=1e-9)
    np.testing.assert_allclose(run(optim.AdaGrad, [G, G], lr=0.1), [0.82928932, -2.17071068],
                               rtol=1e-8)


def test_adagrad_lr_decay():
    # step 2 uses lr 0.1 / (1 + 1 * 0.5) = 0.0666667: w = 0.9 - 0.0471405, -2.1 - 0.0471405
    out = run(optim.AdaGrad, [G, G], lr=0.1, lr_decay=0.5)
    np.testing.assert_allclose(out, [0.85285955, -2.14714045], rtol=1e-8)


def test_adagrad_initial_accumulator_value():
    # s = 0.75 + g^2 = [1, 1.75]; w -= 0.1 * [0.5 / 1, 1 / 1.3228757]
    out = run(optim.AdaGrad, [G], lr=0.1, initial_accumulator_value=0.75)
    np.testing.assert_allclose(out, [0.95, -2.07559289], rtol=1e-8)


def test_rmsprop():
    # s = 0.01 g^2 = [0.0025, 0.01]; w -= 0.01 * g / sqrt(s) = 0.01 * [10, 10]
    np.testing.assert_allclose(run(optim.RMSprop, [G], lr=0.01), [0.9, -2.1], rtol=1e-7)


def test_rmsprop_centered():
    # a = 0.01 g; s - a^2 = [0.002475, 0.0099]; sqrt = [0.04974937, 0.09949874]
    # w -= 0.01 * g / sqrt(s - a^2) = 0.01 * 10.0503782
    out = run(optim.RMSprop, [G], lr=0.01, centered=True)
    np.testing.assert_allclose(out, [0.89949622, -2.10050378], rtol=1e-7)


def test_rmsprop_momentum_two_steps():
    # step 1: b = g / sqrt(0.01 g^2) = 10, w = [0.9, -2.1]
    # step 2: s = 0.0199 g^2, g / sqrt(s) = 7.0888121, b = 9 + 7.0888121 = 16.0888121
    out = run(optim.RMSprop, [G, G], lr=0.01, momentum=0.9)
    np.testing.assert_allclose(out, [0.73911188, -2.26088812], rtol=1e-7)


def test_adam_first_step_is_lr_times_the_sign():
    # m_hat = g, v_hat = g^2: w -= 0.1 * g / |g|
    np.testing.assert_allclose(run(optim.Adam, [G], lr=0.1), [0.9, -2.1], rtol=1e-7)


def test_adam_weight_decay_is_added_to_the_gradient():
    # g = [0.05, 1] + 1 * [1, -2] = [1.05, -1]: the second coordinate now moves up
    out = run(optim.Adam, [[0.05, 1.0]], lr=0.1, weight_decay=1.0)
    np.testing.assert_allclose(out, [0.9, -1.9], rtol=1e-7)


def test_adamw_weight_decay_is_decoupled():
    # w * (1 - 0.1 * 1) = [0.9, -1.8], then w -= 0.1 * sign(g)
    out = run(optim.AdamW, [[0.05, 1.0]], lr=0.1, weight_decay=1.0)
    np.testing.assert_allclose(out, [0.8, -1.9], rtol=1e-7)


@pytest.mark.parametrize("amsgrad, expected", [(False, -0.19026241), (True, -0.16446025)])
def test_adam_two_steps_with_and_without_amsgrad(amsgrad, expected):
    # w = 0, lr 0.1, betas (0.9, 0.5), gradients 1 then 0.1. Step 1: w = -0.1.
    # Step 2: m = 0.09 + 0.01 = 0.1, m_hat = 0.1 / 0.19 = 0.5263158;
    # v = 0.25 + 0.005 = 0.255; amsgrad keeps v_max = 0.5 instead; bias correction 0.75:
    # plain: 0.1 * 0.5263158 / sqrt(0.34) = 0.0902624; amsgrad: / sqrt(0.6666667) = 0.0644603
    out = run(optim.Adam, [[1.0], [0.1]], w0=[0.0], lr=0.1, betas=(0.9, 0.5), amsgrad=amsgrad)
    np.testing.assert_allclose(out, [expected], rtol=1e-7)
