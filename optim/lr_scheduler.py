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


class LinearLR(LRScheduler):
    """A warm-up: scale the learning rate linearly from ``start_factor`` to ``end_factor``
    times its start over ``total_iters`` epochs, then keep it, as ``torch.optim.lr_scheduler.
    LinearLR``. As in PyTorch, making it already sets the rate to ``start_factor`` times its
    start.

    At epoch ``t`` (when nothing else changes the rate)::

        lr_t = base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters)
                          / total_iters)

    >>> import autograd as ag, optim
    >>> opt = optim.SGD([ag.Variable(1.0)], lr=1.0)
    >>> warm = optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = [warm.get_last_lr()[0]]
    >>> for epoch in range(4):
    ...     opt.step()
    ...     warm.step()
    ...     lrs.append(round(warm.get_last_lr()[0], 4))
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    _hyperparameters = ("start_factor", "end_factor", "total_iters")

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5) -> None:
        name = "LinearLR"
        self.start_factor = check_real(name, "start_factor", start_factor, high=1.0,
                                       include_high=True)
        self.end_factor = check_real(name, "end_factor", end_factor, high=1.0,
                                     include_high=True)
        if self.start_factor == 0:
            raise OptimizerError(f"{name}: start_factor must be > 0 (got 0)")
        self.total_iters = check_count(name, "total_iters", total_iters)
        super().__init__(optimizer)
        for group in optimizer.param_groups:
            group["lr"] = group["lr"] * self.start_factor
        self._last_lr = [float(group["lr"]) for group in optimizer.param_groups]

    def _next_lrs(self) -> list[float]:
        t, n = self.last_epoch, self.total_iters
        if t > n:
            return self._current_lrs()
        step = self.end_factor - self.start_factor
        factor = 1.0 + step / (n * self.start_factor + (t - 1) * step)
        return [lr * factor for lr in self._current_lrs()]


class ReduceLROnPlateau:
    """Lower the learning rate when a metric stops improving, as ``torch.optim.lr_scheduler.
    ReduceLROnPlateau``: ``step(metric)`` once per evaluation; after ``patience`` evaluations
    without an improvement (by more than ``threshold``, relative or absolute) every rate is
    multiplied by ``factor`` (not below ``min_lr``), then ``cooldown`` evaluations are not
    counted.

    Args:
        mode: "min" (a loss, a perplexity) or "max" (an accuracy).
        threshold_mode: "rel" (better than best * (1 -/+ threshold)) or "abs".
        eps: a change smaller than this is not made.

    >>> import autograd as ag, optim
    >>> opt = optim.SGD([ag.Variable(1.0)], lr=1.0)
    >>> plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0]:   # two evaluations without progress
    ...     plateau.step(loss)
    >>> plateau.get_last_lr()
    [0.5]
    """

    _keys = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
             "min_lrs", "eps", "best", "num_bad_epochs", "cooldown_counter", "last_epoch")

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0.0,
                 eps: float = 1e-8) -> None:
        name = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise OpTypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        if mode not in ("min", "max") or threshold_mode not in ("rel", "abs"):
            raise OptimizerError(f"{name}: mode must be 'min' or 'max' and threshold_mode "
                                 f"'rel' or 'abs' (got {mode!r}, {threshold_mode!r})")
        self.factor = check_real(name, "factor", factor, high=1.0)
        self.optimizer, self.mode, self.threshold_mode = optimizer, mode, threshold_mode
        self.patience = int(check_real(name, "patience", patience))
        self.cooldown = int(check_real(name, "cooldown", cooldown))
        self.threshold, self.eps = check_real(name, "threshold", threshold), float(eps)
        n = len(optimizer.param_groups)
        self.min_lrs = [float(v) for v in (min_lr if isinstance(min_lr, (list, tuple))
                                           else [min_lr] * n)]
        if len(self.min_lrs) != n:
            raise OptimizerError(f"{name}: {len(self.min_lrs)} min_lr values for {n} groups")
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0
        self._last_lr = [float(g["lr"]) for g in optimizer.param_groups]

    def _better(self, value: float) -> bool:
        if self.mode == "min":
            bar = self.best * (1 - self.threshold) if self.threshold_mode == "rel" else \
                self.best - self.threshold
            return value < bar
        bar = self.best * (1 + self.threshold) if self.threshold_mode == "rel" else \
            self.best + self.threshold
        return value > bar

    def step(self, metrics: float) -> None:
        """Count one evaluation of the metric; lower the rates after ``patience`` bad ones."""
        value = float(metrics)
        self.last_epoch += 1
        if self._better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, floor in zip(self.optimizer.param_groups, self.min_lrs):
                new = max(group["lr"] * self.factor, floor)
                if group["lr"] - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [float(g["lr"]) for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        state = {k: getattr(self, k) for k in self._keys}
        state["last_lr"] = list(self._last_lr)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        missing = [k for k in self._keys + ("last_lr",) if k not in state_dict]
        if missing:
            raise OptimizerError(f"ReduceLROnPlateau: the state_dict has no "
                                 f"{', '.join(map(repr, missing))}")
        for k in self._keys:
            setattr(self, k, state_dict[k])
        self._last_lr = list(state_dict["last_lr"])
