"""The NumPy ufuncs a Variable accepts (``np.exp(x)``, ``ndarray + Variable``), and the autograd
op each one runs; comparisons give plain boolean arrays."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import elementwise as e
from . import linalg
from .conversion import raw

OPS: dict[np.ufunc, Any] = {
    np.add: e.add, np.subtract: e.sub, np.multiply: e.mul, np.true_divide: e.div,
    np.power: e.pow, np.negative: e.neg, np.exp: e.exp, np.log: e.log, np.sin: e.sin,
    np.cos: e.cos, np.tanh: e.tanh, np.sqrt: e.sqrt, np.square: e.square,
    np.absolute: e.abs, np.maximum: e.maximum, np.minimum: e.minimum,
    np.matmul: linalg.matmul,
    np.less: lambda a, b: raw(a) < raw(b), np.less_equal: lambda a, b: raw(a) <= raw(b),
    np.greater: lambda a, b: raw(a) > raw(b),
    np.greater_equal: lambda a, b: raw(a) >= raw(b),
    np.equal: lambda a, b: raw(a) == raw(b),
    np.not_equal: lambda a, b: raw(a) != raw(b),
}
