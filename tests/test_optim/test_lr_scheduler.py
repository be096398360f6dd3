"""The learning-rate schedulers: rates written out by hand, chaining, state_dict round trips
and errors. The comparison with torch.optim.lr_scheduler is in test_against_torch."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import optim
from autograd.errors import OpTypeError
from optim import OptimizerError
from optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR


def sgd(*lrs: float) -> optim.SGD:
    return optim.SGD([{"params": [ag.Variable(0.0)], "lr": lr} for lr in lrs])


def rates(scheduler, epochs: int) -> list[list[float]]:
    """The rates used in each epoch: the first before any step, then one per step."""
    out = [scheduler.get_last_lr()]
    for _ in range(epochs - 1):
        scheduler.optimizer.step()
        scheduler.step()
        out.append(scheduler.get_last_lr())
    return out


def test_step_lr():
    got = rates(StepLR(sgd(1.0, 0.5), step_size=2, gamma=0.1), 6)
    expected = [[1.0, 0.5], [1.0, 0.5], [0.1, 0.05], [0.1, 0.05], [0.01, 0.005],
                [0.01, 0.005]]
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_exponential_lr():
    got = rates(ExponentialLR(sgd(1.0), gamma=0.5), 4)
    assert got == [[1.0], [0.5], [0.25], [0.125]]


def test_cosine_annealing_lr_goes_down_and_back_up():
    got = rates(CosineAnnealingLR(sgd(1.0), T_max=4, eta_min=0.0), 10)
    # (1 + cos(pi t / 4)) / 2 for t = 0..9: down to 0 at t = 4, back to 1 at t = 8
    expected = [1.0, 0.85355339, 0.5, 0.14644661, 0.0, 0.14644661, 0.5, 0.85355339, 1.0,
                0.85355339]
    np.testing.assert_allclose(np.ravel(got), expected, rtol=1e-7, atol=1e-12)


def test_cosine_annealing_lr_follows_the_closed_form_with_eta_min():
    base, eta_min, T = 0.1, 0.01, 7
    got = np.ravel(rates(CosineAnnealingLR(sgd(base), T_max=T, eta_min=eta_min), 30))
    t = np.arange(30)
    np.testing.assert_allclose(got, eta_min + (base - eta_min) * (1 + np.cos(np.pi * t / T)) / 2,
                               rtol=1e-10)


def test_schedulers_set_the_optimizers_rate_and_chain():
    opt = sgd(1.0)
    step, exp = StepLR(opt, step_size=2, gamma=0.5), ExponentialLR(opt, gamma=0.9)
    lrs = []
    for _ in range(4):
        opt.step()
        step.step()
        exp.step()
        lrs.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(lrs, [0.9, 0.5 * 0.9 ** 2, 0.5 * 0.9 ** 3, 0.25 * 0.9 ** 4])
    assert opt.param_groups[0]["initial_lr"] == 1.0


def test_a_rate_changed_by_hand_carries_through():
    opt = sgd(1.0)
    scheduler = ExponentialLR(opt, gamma=0.5)
    scheduler.step()
    opt.param_groups[0]["lr"] = 3.0
    scheduler.step()
    assert scheduler.get_last_lr() == [1.5]


@pytest.mark.parametrize("make", [
    lambda opt: StepLR(opt, step_size=3, gamma=0.5),
    lambda opt: ExponentialLR(opt, gamma=0.8),
    lambda opt: CosineAnnealingLR(opt, T_max=5, eta_min=0.01),
], ids=["StepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_state_dict_round_trip_continues_identically(make):
    opt = sgd(0.1, 0.3)
    scheduler = make(opt)
    rates(scheduler, 7)
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    straight = rates(scheduler, 12)

    opt2 = sgd(0.1, 0.3)
    scheduler2 = make(opt2)
    opt2.load_state_dict(saved_opt)
    scheduler2.load_state_dict(saved)
    assert scheduler2.last_epoch == 6
    assert rates(scheduler2, 12) == straight


def test_state_dict_holds_plain_numbers():
    scheduler = StepLR(sgd(0.1), step_size=3, gamma=0.5)
    scheduler.step()
    assert scheduler.state_dict() == {"last_epoch": 1, "base_lrs": [0.1], "last_lr": [0.1],
                                      "step_size": 3, "gamma": 0.5}


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: StepLR(sgd(0.1), step_size=0), OptimizerError,
     r"^StepLR: invalid step_size 0 \(must be >= 1\)$"),
    (lambda: StepLR(sgd(0.1), step_size=1.5), OpTypeError,
     r"^StepLR: step_size must be an integer, got 1\.5$"),
    (lambda: StepLR(sgd(0.1), step_size=2, gamma=-0.5), OptimizerError,
     r"^StepLR: invalid gamma -0\.5 \(must be >= 0\)$"),
    (lambda: ExponentialLR(sgd(0.1), gamma=math.nan), OptimizerError,
     r"^ExponentialLR: invalid gamma nan"),
    (lambda: CosineAnnealingLR(sgd(0.1), T_max=0), OptimizerError,
     r"^CosineAnnealingLR: invalid T_max 0 \(must be >= 1\)$"),
    (lambda: CosineAnnealingLR(sgd(0.1), T_max=3, eta_min=-1), OptimizerError,
     r"^CosineAnnealingLR: invalid eta_min -1 \(must be >= 0\)$"),
    (lambda: ExponentialLR("sgd", gamma=0.5), OpTypeError,
     r"^ExponentialLR: expected an Optimizer, got str$"),
])
def test_bad_arguments_are_refused(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_a_group_added_after_the_scheduler_is_an_error():
    opt = sgd(0.1)
    scheduler = ExponentialLR(opt, gamma=0.5)
    opt.add_param_group({"params": [ag.Variable(1.0)]})
    with pytest.raises(OptimizerError, match=r"^ExponentialLR: the optimizer has 2 parameter "
                                             r"groups, the scheduler was made for 1$"):
        scheduler.step()


def test_load_state_dict_refuses_what_does_not_fit():
    scheduler = StepLR(sgd(0.1, 0.2), step_size=2)
    saved = scheduler.state_dict()
    with pytest.raises(OptimizerError, match=r"^StepLR: the state_dict has no 'gamma'$"):
        scheduler.load_state_dict({k: v for k, v in saved.items() if k != "gamma"})
    with pytest.raises(OptimizerError, match=r"^StepLR: the state_dict's base_lrs has 1 "
                                             r"entries, the optimizer 2 parameter groups$"):
        scheduler.load_state_dict(dict(saved, base_lrs=[0.1]))
