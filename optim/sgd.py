"""Stochastic gradient descent, with PyTorch's momentum, dampening, Nesterov and weight decay,
and ``Momentum``, the same optimizer under the book's name.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .checks import OptimizerError, check_flag, check_real
from .optimizer import Optimizer, Params


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``).

    For each parameter ``p`` with gradient ``g``::

        g <- g + weight_decay * p                     (L2 penalty; skipped when 0)
        b <- g                                        (first step)
        b <- momentum * b + (1 - dampening) * g       (later steps; no b when momentum is 0)
        d <- g + momentum * b  if nesterov,  else  b  (d = g when momentum is 0)
        p <- p - lr * d

    Args:
        params: the Variables to optimize, or parameter-group dicts.
        lr: the learning rate, >= 0.
        momentum: the momentum factor, >= 0.
        dampening: how much of the new gradient the momentum buffer leaves out, in [0, 1].
        weight_decay: the L2 penalty factor, >= 0.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).

    State per parameter: ``momentum_buffer`` (when momentum is not 0).

    >>> import autograd as ag, optim
    >>> w = ag.Variable([1.0, -2.0])
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()    # gradient 2w
    ...     opt.step()
    >>> w
    variable([ 0.46, -0.92], requires_grad=True)
    """

    _state_keys = ("momentum_buffer",)

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        name = type(self).__name__
        group["lr"] = check_real(name, "learning rate", group["lr"], where=where)
        group["momentum"] = check_real(name, "momentum", group["momentum"], where=where)
        group["dampening"] = check_real(name, "dampening", group["dampening"], high=1.0,
                                        include_high=True, where=where)
        group["weight_decay"] = check_real(name, "weight_decay", group["weight_decay"],
                                           where=where)
        group["nesterov"] = check_flag(name, "nesterov", group["nesterov"], where=where)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise OptimizerError(f"{name}: nesterov momentum needs momentum > 0 and dampening "
                                 f"0{where} (got momentum={group['momentum']}, "
                                 f"dampening={group['dampening']})")

    def _update(self, value: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> np.ndarray:
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if weight_decay != 0:
            grad = grad + weight_decay * value
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = grad.copy()  # a copy: grad may be the user's p.grad.data
            else:
                buf = momentum * buf + (1 - group["dampening"]) * grad
            state["momentum_buffer"] = buf
            grad = grad + momentum * buf if group["nesterov"] else buf
        return value - lr * grad


class Momentum(SGD):
    """SGD with momentum, under the name the book uses (DeZero's ``MomentumSGD``).

    This is ``SGD`` with other defaults (``lr=0.01, momentum=0.9``), so the update rule,
    the options and the state are SGD's. The book writes the rule with a velocity
    ``v <- momentum * v - lr * g; p <- p + v``; with a constant learning rate that is the
    same as SGD's ``b <- momentum * b + g; p <- p - lr * b`` (``v = -lr * b``). When the
    learning rate changes (a scheduler), SGD's form, used here, applies the new rate to the
    whole buffer at once.

    Args:
        params: the Variables to optimize, or parameter-group dicts.
        lr: the learning rate, >= 0.
        momentum: the momentum factor, >= 0.
        dampening: as in ``SGD``.
        weight_decay: the L2 penalty factor, >= 0.
        nesterov: use Nesterov momentum.

    >>> import autograd as ag, optim
    >>> w = ag.Variable([1.0, -2.0])
    >>> opt = optim.Momentum([w], lr=0.1)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w
    variable([ 0.46, -0.92], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float = 0.01, momentum: float = 0.9,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov)
