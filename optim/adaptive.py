"""Optimizers that scale each coordinate's step by a running measure of its gradients' size:
AdaGrad and RMSprop (Adam and AdamW, which add momentum to this, live in ``adam``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_flag, check_real
from .optimizer import Optimizer, Params


class AdaGrad(Optimizer):
    """AdaGrad: each coordinate's step shrinks with the sum of its squared gradients so far
    (PyTorch's ``torch.optim.Adagrad``).

    For each parameter ``p`` with gradient ``g``, at step ``t`` (counting from 1)::

        g  <- g + weight_decay * p                    (L2 penalty; skipped when 0)
        s  <- s + g^2                                  (s starts at initial_accumulator_value)
        p  <- p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    Args:
        params: the Variables to optimize, or parameter-group dicts.
        lr: the learning rate, >= 0.
        lr_decay: how fast the learning rate decays with the step count, >= 0.
        weight_decay: the L2 penalty factor, >= 0.
        initial_accumulator_value: the starting value of ``s``, >= 0.
        eps: added to the denominator for numerical stability, >= 0.

    State per parameter: ``step`` (a count) and ``sum`` (``s`` above).

    >>> import autograd as ag, optim
    >>> w = ag.Variable([1.0, -2.0])
    >>> opt = optim.AdaGrad([w], lr=0.1)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w
    variable([ 0.8..., -1.8...], requires_grad=True)
    """

    _state_keys = ("step", "sum")

    def __init__(self, params: Params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps})

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        name = type(self).__name__
        group["lr"] = check_real(name, "learning rate", group["lr"], where=where)
        for key in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            group[key] = check_real(name, key, group[key], where=where)

    def _update(self, value: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> np.ndarray:
        step = state["step"] = state.get("step", 0) + 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * value
        total = state.get("sum")
        if total is None:
            total = np.full_like(value, group["initial_accumulator_value"])
        total = state["sum"] = total + grad * grad
        lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        return value - lr * grad / (np.sqrt(total) + group["eps"])


class RMSprop(Optimizer):
    """RMSprop: each coordinate's step is divided by a running root mean square of its
    gradients (PyTorch's ``torch.optim.RMSprop``).

    For each parameter ``p`` with gradient ``g``::

        g <- g + weight_decay * p                     (L2 penalty; skipped when 0)
        s <- alpha * s + (1 - alpha) * g^2            (s starts at 0)
        a <- alpha * a + (1 - alpha) * g              (centered only; a starts at 0)
        r <- sqrt(s - a^2) + eps  if centered,  else  sqrt(s) + eps
        b <- momentum * b + g / r                     (when momentum > 0; b starts at 0)
        p <- p - lr * b  if momentum > 0,  else  p - lr * g / r

    Args:
        params: the Variables to optimize, or parameter-group dicts.
        lr: the learning rate, >= 0.
        alpha: the smoothing constant of the running averages, in [0, 1].
        eps: added to the denominator for numerical stability, >= 0.
        weight_decay: the L2 penalty factor, >= 0.
        momentum: the momentum factor, >= 0.
        centered: divide by an estimate of the gradient's standard deviation (its mean
            square minus its squared mean) instead of its root mean square.

    State per parameter: ``step``, ``square_avg`` (``s``), ``grad_avg`` (``a``, centered
    only) and ``momentum_buffer`` (``b``, with momentum only).

    >>> import autograd as ag, optim
    >>> w = ag.Variable([1.0, -2.0])
    >>> opt = optim.RMSprop([w], lr=0.01)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w
    variable([ 0.8..., -1.8...], requires_grad=True)
    """

    _state_keys = ("step", "square_avg", "grad_avg", "momentum_buffer")

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered})

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        name = type(self).__name__
        group["lr"] = check_real(name, "learning rate", group["lr"], where=where)
        group["alpha"] = check_real(name, "alpha", group["alpha"], high=1.0, include_high=True,
                                    where=where)
        for key in ("eps", "weight_decay", "momentum"):
            group[key] = check_real(name, key, group[key], where=where)
        group["centered"] = check_flag(name, "centered", group["centered"], where=where)

    def _update(self, value: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> np.ndarray:
        alpha, momentum = group["alpha"], group["momentum"]
        state["step"] = state.get("step", 0) + 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * value
        square_avg = state.get("square_avg", np.zeros_like(value))
        square_avg = state["square_avg"] = alpha * square_avg + (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state.get("grad_avg", np.zeros_like(value))
            grad_avg = state["grad_avg"] = alpha * grad_avg + (1 - alpha) * grad
            # NOTE: s - a^2 is a variance and >= 0 in exact arithmetic; rounding can take it
            # just below 0, where sqrt would give NaN.
            rms = np.sqrt(np.maximum(square_avg - grad_avg * grad_avg, 0)) + group["eps"]
        else:
            rms = np.sqrt(square_avg) + group["eps"]
        if momentum > 0:
            buf = state.get("momentum_buffer", np.zeros_like(value))
            buf = state["momentum_buffer"] = momentum * buf + grad / rms
            return value - group["lr"] * buf
        return value - group["lr"] * grad / rms
