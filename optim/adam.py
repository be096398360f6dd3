"""Adam, with weight decay as an L2 penalty, and AdamW, with weight decay decoupled from the
gradient (Loshchilov and Hutter); both optionally AMSGrad.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_betas, check_flag, check_real
from .optimizer import Optimizer, Params


class Adam(Optimizer):
    """Adam: a step along the running mean of the gradients, divided per coordinate by the
    root of their running mean square, both bias-corrected (PyTorch's ``torch.optim.Adam``).

    For each parameter ``p`` with gradient ``g``, at step ``t`` (counting from 1)::

        g <- g + weight_decay * p                     (L2 penalty; skipped when 0)
        m <- beta1 * m + (1 - beta1) * g              (m and v start at 0)
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v)                        (amsgrad only; then v_max replaces v)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v / (1 - beta2^t)) + eps)

    Args:
        params: the Variables to optimize, or parameter-group dicts.
        lr: the learning rate, >= 0.
        betas: ``(beta1, beta2)``, the decay rates of the running averages, each in [0, 1).
        eps: added to the denominator for numerical stability, >= 0.
        weight_decay: the L2 penalty factor, >= 0 (added to the gradient; see ``AdamW``
            for decoupled weight decay).
        amsgrad: use the largest ``v`` so far (AMSGrad), so steps never grow because the
            gradients got smaller.

    State per parameter: ``step``, ``exp_avg`` (``m``), ``exp_avg_sq`` (``v``) and
    ``max_exp_avg_sq`` (``v_max``, amsgrad only).

    >>> import autograd as ag, optim
    >>> w = ag.Variable([1.0, -2.0])
    >>> opt = optim.Adam([w], lr=0.1)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w
    variable([ 0.8..., -1.8...], requires_grad=True)
    """

    _state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    _decoupled = False  # AdamW: shrink p directly instead of adding to g

    def __init__(self, params: Params, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad})

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        name = type(self).__name__
        group["lr"] = check_real(name, "learning rate", group["lr"], where=where)
        group["betas"] = check_betas(name, group["betas"], where=where)
        group["eps"] = check_real(name, "eps", group["eps"], where=where)
        group["weight_decay"] = check_real(name, "weight_decay", group["weight_decay"],
                                           where=where)
        group["amsgrad"] = check_flag(name, "amsgrad", group["amsgrad"], where=where)

    def _update(self, value: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> np.ndarray:
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        step = state["step"] = state.get("step", 0) + 1
        if weight_decay != 0:
            if self._decoupled:
                value = value * (1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * value
        exp_avg = state.get("exp_avg", np.zeros_like(value))
        exp_avg = state["exp_avg"] = beta1 * exp_avg + (1 - beta1) * grad
        exp_avg_sq = state.get("exp_avg_sq", np.zeros_like(value))
        exp_avg_sq = state["exp_avg_sq"] = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
        if group["amsgrad"]:
            max_sq = state.get("max_exp_avg_sq", np.zeros_like(value))
            exp_avg_sq = state["max_exp_avg_sq"] = np.maximum(max_sq, exp_avg_sq)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        denom = np.sqrt(exp_avg_sq) / bias_correction2 ** 0.5 + group["eps"]
        return value - lr / bias_correction1 * exp_avg / denom


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (PyTorch's ``torch.optim.AdamW``).

    The weight decay shrinks the parameter itself instead of joining the gradient, so it is
    not divided by ``sqrt(v)``; otherwise the rule is Adam's. At step ``t``::

        p <- p * (1 - lr * weight_decay)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v)                        (amsgrad only; then v_max replaces v)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v / (1 - beta2^t)) + eps)

    Args:
        params: the Variables to optimize, or parameter-group dicts.
        lr: the learning rate, >= 0.
        betas: ``(beta1, beta2)``, each in [0, 1).
        eps: added to the denominator for numerical stability, >= 0.
        weight_decay: the decoupled weight decay factor, >= 0.
        amsgrad: use the largest ``v`` so far (AMSGrad).

    State per parameter: as ``Adam``.

    >>> import autograd as ag, optim
    >>> w = ag.Variable([1.0, -2.0])
    >>> opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> opt.zero_grad()
    >>> (w * w).sum().backward()
    >>> opt.step()                  # p * (1 - 0.05), then a step of 0.1 against the gradient
    >>> w
    variable([ 0.85, -1.8 ], requires_grad=True)
    """

    _decoupled = True

    def __init__(self, params: Params, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
