"""The error optim raises for bad input, and the checks that turn hyperparameters into plain
Python numbers (so float32 parameters stay float32) with messages in the house format.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd.errors import OpTypeError, ZerogradError


class OptimizerError(ZerogradError, ValueError):
    """A bad hyperparameter, parameter list or state_dict given to an optimizer or scheduler."""


def _scalar(value: Any) -> Any:
    """A 0-d array (what ``np.load`` gives back for a saved number) as its Python scalar."""
    if isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    return value


def check_real(owner: str, what: str, value: Any, *, low: float = 0.0,
               high: float | None = None, include_high: bool = False, where: str = "") -> float:
    """``value`` as a Python float, or an error if it is not a number in [low, high).

    Args:
        owner: the class or function named at the start of the message, e.g. ``"SGD"``.
        what: the name of the hyperparameter in the message, e.g. ``"learning rate"``.
        value: what the user gave.
        low: the smallest valid value (always included).
        high: the bound above, if any; excluded unless ``include_high``.
        where: appended to the name, e.g. ``" in parameter group 1"``.

    Raises:
        OpTypeError: ``value`` is not a real number.
        OptimizerError: ``value`` is out of range (NaN always is).

    >>> check_real("SGD", "learning rate", -0.1)
    Traceback (most recent call last):
    ...
    optim.checks.OptimizerError: SGD: invalid learning rate -0.1 (must be >= 0)
    """
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise OpTypeError(f"{owner}: {what}{where} must be a real number, got {value!r}")
    x = float(value)
    if high is None:
        ok, bound = x >= low, f">= {low:g}"
    else:
        ok = low <= x <= high if include_high else low <= x < high
        bound = f"in [{low:g}, {high:g}{']' if include_high else ')'}"
    if not ok:
        raise OptimizerError(f"{owner}: invalid {what} {value}{where} (must be {bound})")
    return x


def check_count(owner: str, what: str, value: Any, *, where: str = "") -> int:
    """``value`` as a Python int, or an error if it is not an integer >= 1."""
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise OpTypeError(f"{owner}: {what}{where} must be an integer, got {value!r}")
    if value < 1:
        raise OptimizerError(f"{owner}: invalid {what} {value}{where} (must be >= 1)")
    return int(value)


def check_flag(owner: str, what: str, value: Any, *, where: str = "") -> bool:
    """``value`` as a Python bool, or an error if it is not True or False."""
    value = _scalar(value)
    if not isinstance(value, (bool, np.bool_)):
        raise OpTypeError(f"{owner}: {what}{where} must be True or False, got {value!r}")
    return bool(value)


def check_betas(owner: str, value: Any, *, where: str = "") -> tuple[float, float]:
    """``value`` as a pair of floats in [0, 1), as Adam's ``betas`` must be."""
    if isinstance(value, np.ndarray):
        value = value.tolist()  # np.load gives the pair back as an array
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(pair) != 2:
        raise OptimizerError(f"{owner}: betas{where} must be a pair (beta1, beta2), "
                             f"got {value!r}")
    return (check_real(owner, "betas[0]", pair[0], high=1.0, where=where),
            check_real(owner, "betas[1]", pair[1], high=1.0, where=where))
