"""Inverted dropout: zero each element with probability p and scale the rest by 1 / (1 - p),
so the expected activation is unchanged and evaluation is the identity."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import ArgumentError, Variable
from autograd.devices import array_module, to_device

from .. import random


def dropout(x: Any, p: float = 0.5, training: bool = True,
            generator: np.random.Generator | None = None) -> Variable:
    """Zero elements with probability ``p`` in training; the identity otherwise."""
    if not 0.0 <= p <= 1.0:
        raise ArgumentError(f"Dropout: invalid probability {p} (must be in [0, 1])")
    x = ag.as_variable(x)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * array_module(x.data).zeros(x.shape, dtype=x.dtype)
    rng = generator if generator is not None else random.generator()
    # NOTE: drawn by NumPy and moved, so a seed gives the same mask on every device
    keep = to_device(rng.random(x.shape) >= p, x.device)
    return x * (keep * (1.0 / (1.0 - p))).astype(x.dtype)
