"""Every optimizer and option combination, the schedulers and clip_grad_norm_ against
PyTorch, in float64, over several steps; Hypothesis draws random hyperparameters too.
Skipped when PyTorch is not installed (it is never a dependency of zerograd)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import optim
from optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR

from ..oracle import import_torch
from .configs import CONFIGS, IDS, Config, gradients, initial_values, set_grads

torch = import_torch(module_level=True)
pytestmark = pytest.mark.oracle

STEPS = 5
TORCH_NAMES = {"SGD": "SGD", "Momentum": "SGD", "AdaGrad": "Adagrad", "RMSprop": "RMSprop",
               "Adam": "Adam", "AdamW": "AdamW"}


def run_ours(cls, kwargs, values, grads_per_step):
    params = [ag.Variable(v.copy()) for v in values]
    opt = cls(params, **kwargs)
    for grads in grads_per_step:
        set_grads(params, grads)
        opt.step()
    return [p.data for p in params]


def run_torch(name, kwargs, values, grads_per_step):
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    opt = getattr(torch.optim, name)(params, **kwargs)
    for grads in grads_per_step:
        for p, g in zip(params, grads):
            p.grad = None if g is None else torch.tensor(g, dtype=torch.float64)
        opt.step()
    return [p.detach().numpy() for p in params]


def assert_all_close(ours, theirs, rtol=1e-10, atol=1e-12):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_random_gradients_match_torch(config: Config):
    values, grads = initial_values(), gradients(STEPS)
    torch_kwargs = config.kwargs if config.torch_kwargs is None else config.torch_kwargs
    assert_all_close(run_ours(config.cls, config.kwargs, values, grads),
                     run_torch(config.torch_name, torch_kwargs, values, grads))


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_a_quadratic_with_two_groups_matches_torch(config: Config):
    """Real backward passes, and a second group with half the learning rate."""
    rng = np.random.default_rng(3)
    A, b, c = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal(3)
    torch_kwargs = config.kwargs if config.torch_kwargs is None else config.torch_kwargs

    def groups(w, v, kwargs):
        lr = kwargs.get("lr", config.cls([ag.Variable(0.0)]).defaults["lr"])
        return [{"params": [w]}, {"params": [v], "lr": lr / 2}]

    w, v = ag.Variable(np.ones(3)), ag.Variable(np.full(3, -1.0))
    opt = config.cls(groups(w, v, config.kwargs), **config.kwargs)
    tw = torch.ones(3, dtype=torch.float64, requires_grad=True)
    tv = torch.full((3,), -1.0, dtype=torch.float64, requires_grad=True)
    topt = getattr(torch.optim, config.torch_name)(groups(tw, tv, torch_kwargs), **torch_kwargs)
    tA, tb, tc = (torch.tensor(x) for x in (A, b, c))
    for _ in range(STEPS):
        opt.zero_grad()
        (((A @ w - b) ** 2).sum() + (c * v * v).sum()).backward()
        opt.step()
        topt.zero_grad()
        (((tA @ tw - tb) ** 2).sum() + (tc * tv * tv).sum()).backward()
        topt.step()
    assert_all_close([w.data, v.data], [tw.detach().numpy(), tv.detach().numpy()])


lrs = st.floats(1e-4, 1.0)
decays = st.floats(0.0, 0.5)


@st.composite
def sgd_kwargs(draw):
    nesterov = draw(st.booleans())
    return dict(lr=draw(lrs), momentum=draw(st.floats(0.1 if nesterov else 0.0, 0.99)),
                dampening=0.0 if nesterov else draw(st.floats(0.0, 1.0)),
                weight_decay=draw(decays), nesterov=nesterov)


HYPERPARAMETERS = {
    "SGD": sgd_kwargs(),
    "AdaGrad": st.fixed_dictionaries(dict(
        lr=lrs, lr_decay=st.floats(0.0, 1.0), weight_decay=decays,
        initial_accumulator_value=st.floats(0.0, 1.0), eps=st.floats(1e-10, 1e-2))),
    "RMSprop": st.fixed_dictionaries(dict(
        lr=lrs, alpha=st.floats(0.1, 0.999), eps=st.floats(1e-6, 1e-2), weight_decay=decays,
        momentum=st.floats(0.0, 0.99), centered=st.booleans())),
    "Adam": st.fixed_dictionaries(dict(
        lr=lrs, betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.999)),
        eps=st.floats(1e-8, 1e-2), weight_decay=decays, amsgrad=st.booleans())),
    "AdamW": st.fixed_dictionaries(dict(
        lr=lrs, betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.999)),
        eps=st.floats(1e-8, 1e-2), weight_decay=decays, amsgrad=st.booleans())),
}


@pytest.mark.parametrize("name", sorted(HYPERPARAMETERS))
@given(data=st.data(), seed=st.integers(0, 2 ** 32 - 1))
def test_random_hyperparameters_match_torch(name, data, seed):
    kwargs = data.draw(HYPERPARAMETERS[name], label="kwargs")
    values, grads = initial_values(seed), gradients(STEPS, seed=seed + 1)
    assert_all_close(run_ours(getattr(optim, name), kwargs, values, grads),
                     run_torch(TORCH_NAMES[name], kwargs, values, grads), rtol=1e-8)


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=3)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.5, total_iters=4)),
]


def _scheduled_rates(optimizer, schedulers, epochs, set_lr_at=None):
    rates = []
    for epoch in range(epochs):
        rates.append([s.get_last_lr() for s in schedulers])
        optimizer.step()
        if epoch == set_lr_at:  # a change by hand, which the chainable form carries on
            for group in optimizer.param_groups:
                group["lr"] *= 3
        for s in schedulers:
            s.step()
    return rates


@pytest.mark.parametrize("name, kwargs", SCHEDULERS,
                         ids=[f"{n}-{'-'.join(map(str, k.values()))}" for n, k in SCHEDULERS])
def test_schedulers_match_torch(name, kwargs):
    opt = optim.SGD([{"params": [ag.Variable(0.0)], "lr": 0.1},
                     {"params": [ag.Variable(0.0)], "lr": 0.03}])
    topt = torch.optim.SGD([{"params": [torch.zeros((), requires_grad=True)], "lr": 0.1},
                            {"params": [torch.zeros((), requires_grad=True)], "lr": 0.03}])
    ours = _scheduled_rates(opt, [getattr(optim.lr_scheduler, name)(opt, **kwargs)], 25)
    theirs = _scheduled_rates(topt,
                              [getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)], 25)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_chained_schedulers_and_a_change_by_hand_match_torch():
    opt = optim.SGD([ag.Variable(0.0)], lr=0.2)
    topt = torch.optim.SGD([torch.zeros((), requires_grad=True)], lr=0.2)
    ours = _scheduled_rates(opt, [StepLR(opt, 4, 0.5), ExponentialLR(opt, 0.95),
                                  CosineAnnealingLR(opt, 6)], 20, set_lr_at=7)
    ts = torch.optim.lr_scheduler
    theirs = _scheduled_rates(topt, [ts.StepLR(topt, 4, 0.5), ts.ExponentialLR(topt, 0.95),
                                     ts.CosineAnnealingLR(topt, 6)], 20, set_lr_at=7)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def _params_with_grads():
    """The same random gradients on zerograd and torch parameters, float64."""
    grads = [g for g in gradients(1)[0] if g is not None]
    params = [ag.Variable(np.zeros(g.shape)) for g in grads]
    set_grads(params, grads)
    tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(tparams, grads):
        p.grad = torch.tensor(g)
    return params, tparams


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    params, tparams = _params_with_grads()
    total = optim.clip_grad_norm_(params, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type)
    assert total == pytest.approx(ttotal.item(), rel=1e-12)
    assert_all_close([p.grad.data for p in params], [p.grad.numpy() for p in tparams])


@pytest.mark.parametrize("kwargs", [dict(), dict(mode="max", factor=0.5, patience=2,
                                                 threshold=0.1, threshold_mode="abs",
                                                 cooldown=1, min_lr=0.01)])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    metrics = [5.0, 4.0, 4.0, 3.9999, 4.0, 4.2, 1.0, 1.0] * 4 + [0.5] * 10
    opt = optim.SGD([ag.Variable(0.0)], lr=0.1)
    topt = torch.optim.SGD([torch.zeros((), requires_grad=True)], lr=0.1)
    kwargs = {"patience": 1, **kwargs}
    ours = optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    rates = []
    for m in metrics:
        opt.step()
        topt.step()
        ours.step(m)
        theirs.step(m)
        rates.append((opt.param_groups[0]["lr"], topt.param_groups[0]["lr"]))
    np.testing.assert_allclose(*zip(*rates), rtol=1e-12)
    assert len({r for r, _ in rates}) > 1  # the rate did come down


@pytest.mark.parametrize("clip_value", [0.1, 100.0])
def test_clip_grad_value_matches_torch(clip_value):
    params, tparams = _params_with_grads()
    optim.clip_grad_value_(params, clip_value)
    torch.nn.utils.clip_grad_value_(tparams, clip_value)
    assert_all_close([p.grad.data for p in params], [p.grad.numpy() for p in tparams])
