"""Learning-rate schedules with PyTorch's semantics: make the scheduler after the optimizer and
call ``scheduler.step()`` once per epoch, after the epoch's ``optimizer.step()`` calls.
"""
from __future__ import annotations

import math
from typing import Any

from autograd.errors import NotWrittenError, OpTypeError

from .checks import OptimizerError, check_count, check_real
from .optimizer import Optimizer


class LRScheduler:
    """Base of the schedulers: it sets ``group["lr"]`` of every parameter group once per epoch.

    Like PyTorch's schedulers, each new rate is computed from the group's current one
    (chainable form), so a rate changed by hand, or by a second scheduler on the same
    optimizer, carries through. Making a scheduler records each group's starting rate as
    ``group["initial_lr"]`` (kept if already there) and changes no rate. Subclasses write
    ``_next_lrs``.

    Attributes:
        optimizer: the optimizer whose rates are set.
        base_lrs: each group's ``initial_lr``.
        last_epoch: how many times ``step`` has been called.
    """

    _hyperparameters: tuple[str, ...] = ()  # saved in state_dict besides the epoch and rates

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise OpTypeError(f"{type(self).__name__}: expected an Optimizer, "
                              f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [float(group["initial_lr"]) for group in optimizer.param_groups]
        self.last_epoch = 0
        self._last_lr = [float(group["lr"]) for group in optimizer.param_groups]

    def _next_lrs(self) -> list[float]:
        """The rates for epoch ``last_epoch`` (already advanced), one per group."""
        raise NotWrittenError(f"{type(self).__name__}._next_lrs is not written")

    def step(self) -> None:
        """Advance one epoch and set the learning rate of every parameter group."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise OptimizerError(f"{type(self).__name__}: the optimizer has {len(groups)} "
                                 f"parameter groups, the scheduler was made for "
                                 f"{len(self.base_lrs)}")
        self.last_epoch += 1
        for group, lr in zip(groups, self._next_lrs()):
            group["lr"] = lr
        self._last_lr = [float(group["lr"]) for group in groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group as last set (or found) by this scheduler."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state as plain numbers and lists (the optimizer is not included)."""
        state = {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs),
                 "last_lr": list(self._last_lr)}
        state.update((name, getattr(self, name)) for name in self._hyperparameters)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state saved by ``state_dict`` (load the optimizer's state separately).

        Raises:
            OptimizerError: a key is missing or the number of groups differs.
        """
        name = type(self).__name__
        keys = ("last_epoch", "base_lrs", "last_lr") + self._hyperparameters
        missing = [k for k in keys if k not in state_dict]
        if missing:
            raise OptimizerError(f"{name}: the state_dict has no {', '.join(map(repr, missing))}")
        n = len(self.optimizer.param_groups)
        for key in ("base_lrs", "last_lr"):
            if len(state_dict[key]) != n:
                raise OptimizerError(f"{name}: the state_dict's {key} has "
                                     f"{len(state_dict[key])} entries, the optimizer {n} "
                                     "parameter groups")
        for key in self._hyperparameters:
            setattr(self, key, type(getattr(self, key))(state_dict[key]))
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = [float(x) for x in state_dict["base_lrs"]]
        self._last_lr = [float(x) for x in state_dict["last_lr"]]

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    At epoch ``t`` (when nothing else changes the rate)::

        lr_t = base_lr * gamma^floor(t / step_size)

    Args:
        optimizer: the optimizer whose rates are set.
        step_size: the number of epochs between two decays, >= 1.
        gamma: the factor of each decay, >= 0.

    >>> import autograd as ag, optim
    >>> opt = optim.SGD([ag.Variable(1.0)], lr=1.0)
    >>> scheduler = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(scheduler.get_last_lr()[0])   # train the epoch with this rate
    ...     opt.step()
    ...     scheduler.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    _hyperparameters = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_count("StepLR", "step_size", step_size)
        self.gamma = check_real("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def _next_lrs(self) -> list[float]:
        if self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch.

    At epoch ``t`` (when nothing else changes the rate)::

        lr_t = base_lr * gamma^t

    Args:
        optimizer: the optimizer whose rates are set.
        gamma: the factor of each decay, >= 0.

    >>> import autograd as ag, optim
    >>> opt = optim.SGD([ag.Variable(1.0)], lr=1.0)
    >>> scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> for epoch in range(3):
    ...     opt.step()
    ...     scheduler.step()
    >>> scheduler.get_last_lr()
    [0.125]
    """

    _hyperparameters = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = check_real("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def _next_lrs(self) -> list[float]:
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate from its start to ``eta_min`` along half a cosine wave.

    At epoch ``t`` (when nothing else changes the rate)::

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    so it reaches ``eta_min`` at ``t = T_max``; past that it follows the cosine back up, as
    PyTorch's does (there is no restart). Like PyTorch, each rate is computed from the
    previous one, which gives the formula above when nothing else changes the rate.

    Args:
        optimizer: the optimizer whose rates are set.
        T_max: the number of epochs from the start to the minimum, >= 1.
        eta_min: the smallest learning rate, >= 0.

    >>> import autograd as ag, optim
    >>> opt = optim.SGD([ag.Variable(1.0)], lr=1.0)
    >>> scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     opt.step()
    ...     scheduler.step()
    ...     lrs.append(round(scheduler.get_last_lr()[0], 4))
    >>> lrs
    [0.8536, 0.5, 0.1464, 0.0, 0.1464]
    """

    _hyperparameters = ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = check_count("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check_real("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def _next_lrs(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if (t - 1 - T) % (2 * T) == 0:
            # NOTE: the last epoch was at the minimum, where the ratio below is 0 / 0; step up
            # by the cosine's increment from its bottom instead.
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(self._current_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [eta_min + ratio * (lr - eta_min) for lr in self._current_lrs()]
