"""Gradient clipping by the joint norm of all gradients, the maths behind
``nn.utils.clip_grad_norm_`` (kept here so optim and nn share one implementation).
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from autograd import Variable, as_variable
from autograd.devices import array_module
from autograd.errors import OpTypeError

from .checks import OptimizerError, check_flag, check_real

# NOTE: PyTorch adds this to the norm before dividing, so a zero norm never divides by zero;
# kept for identical results.
_NORM_EPS = 1e-6


def clip_grad_norm_(params: Variable | Iterable[Variable], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> float:
    """Scale the gradients of ``params`` so that their joint norm is at most ``max_norm``.

    The norm is taken over all gradients together, as if concatenated into one vector::

        total = || (||g_1||, ..., ||g_n||) ||          (each a norm of order norm_type)
        c = max_norm / (total + 1e-6)
        g_i <- c * g_i   for every i, when c < 1       (otherwise the gradients are kept)

    Parameters whose ``.grad`` is None are skipped. A clipped ``.grad`` is a new Variable, so
    a gradient shared with another Variable is never scaled twice. No graph is recorded.

    Args:
        params: a Variable or an iterable of Variables.
        max_norm: the largest joint norm allowed, >= 0.
        norm_type: the order of the norm, > 0; ``math.inf`` for the largest absolute value.
        error_if_nonfinite: raise if the total norm is NaN or infinite instead of scaling
            the gradients by NaN or 0.

    Returns:
        The total norm of the gradients before clipping, as a Python float.

    Raises:
        OptimizerError: ``max_norm`` or ``norm_type`` is invalid, or the norm is not finite
            and ``error_if_nonfinite`` is set.

    >>> import autograd as ag, optim
    >>> a, b = ag.Variable([0.0, 0.0]), ag.Variable([0.0])
    >>> a.grad, b.grad = ag.Variable([3.0, 4.0]), ag.Variable([12.0])
    >>> optim.clip_grad_norm_([a, b], max_norm=6.5)     # sqrt(9 + 16 + 144) = 13
    13.0
    >>> a.grad.data.round(6), b.grad.data.round(6)
    (array([1.5, 2. ]), array([6.]))
    """
    name = "clip_grad_norm_"
    max_norm = check_real(name, "max_norm", max_norm)
    norm_type = check_real(name, "norm_type", norm_type)
    if norm_type == 0:
        raise OptimizerError(f"{name}: invalid norm_type 0 (must be > 0)")
    error_if_nonfinite = check_flag(name, "error_if_nonfinite", error_if_nonfinite)
    if isinstance(params, Variable):
        params = [params]
    with_grad: list[tuple[Variable, np.ndarray]] = []
    for i, p in enumerate(params):
        if not isinstance(p, Variable):
            raise OpTypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Variable")
        if p.grad is not None:
            with_grad.append((p, p.grad.data))
    if not with_grad:
        return 0.0
    # NOTE: the norms are taken in float64, so float16/float32 gradients cannot overflow them.
    norms = [np.linalg.norm(grad.astype(np.float64).ravel(), norm_type) for _, grad in with_grad]
    # stacked where they are: a GPU's norms come back as one number, not one each
    total = np.linalg.norm(array_module(with_grad[0][1]).stack(norms), norm_type).item()
    if error_if_nonfinite and not math.isfinite(total):
        raise OptimizerError(f"{name}: the total norm of order {norm_type} of the gradients is "
                             f"{total}; pass error_if_nonfinite=False to scale them anyway")
    coef = max_norm / (total + _NORM_EPS)
    if coef < 1 or math.isnan(coef):
        for p, grad in with_grad:
            with np.errstate(invalid="ignore"):  # inf * 0 is NaN, as in PyTorch
                p.grad = as_variable((grad * coef).astype(grad.dtype, copy=False))
    return total


def clip_grad_value_(params: Variable | Iterable[Variable], clip_value: float) -> None:
    """Clamp every gradient of ``params`` into [-clip_value, clip_value], element by element,
    as ``torch.nn.utils.clip_grad_value_`` (and the book's vol 2 ``clip_grads`` by value).
    Parameters whose ``.grad`` is None are skipped; a clipped ``.grad`` is a new Variable.

    >>> import autograd as ag, optim
    >>> a = ag.Variable([0.0, 0.0]); a.grad = ag.Variable([3.0, -0.5])
    >>> optim.clip_grad_value_(a, 1.0); a.grad.data
    array([ 1. , -0.5])
    """
    name = "clip_grad_value_"
    clip_value = check_real(name, "clip_value", clip_value)
    if isinstance(params, Variable):
        params = [params]
    for i, p in enumerate(params):
        if not isinstance(p, Variable):
            raise OpTypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Variable")
        if p.grad is not None:
            grad = p.grad.data
            p.grad = as_variable(np.clip(grad, -clip_value, clip_value).astype(grad.dtype,
                                                                                copy=False))
