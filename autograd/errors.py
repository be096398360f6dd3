"""The exceptions zerograd raises for bad input, so callers can catch them by kind.

Each one derives from ``ZerogradError`` and from the builtin it stands for, so both
``except ZerogradError`` and ``except ValueError`` (``TypeError``, ...) catch it.
It also holds the two helpers that word an op's error (``describe``, ``op_error``). It imports
only NumPy, so any part of zerograd (``nn.data`` included) may use it.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


class ZerogradError(Exception):
    """Base of every error raised on purpose by zerograd (never a bare NumPy error)."""


class ShapeError(ZerogradError, ValueError):
    """Shapes that an op cannot combine, e.g. a misaligned matmul or non-broadcastable operands."""


class ArgumentError(ZerogradError, ValueError):
    """An argument value the callee does not accept (out of range, an unknown name), not a shape."""


class OpIndexError(ZerogradError, IndexError):
    """An index that is out of range or malformed for what it indexes (a Variable, a dataset)."""


class OpTypeError(ZerogradError, TypeError):
    """An argument of the wrong type or dtype for an op."""


class GraphError(ZerogradError, RuntimeError):
    """Misuse of the graph: backward through a freed graph, modified saved data, and the like."""


class NotWrittenError(ZerogradError, NotImplementedError):
    """A method that subclasses must write (``forward``, ``__len__``, ...) and this one did not."""


class NotInitializedError(ZerogradError, AttributeError):
    """An object used before its ``__init__`` ran, e.g. a Module before ``super().__init__()``."""


class DeviceError(ZerogradError, RuntimeError):
    """Arrays on different devices in one op (or a device that cannot be used)."""


class MissingFileError(ZerogradError, FileNotFoundError):
    """A file zerograd needs is not where it was looked for (and may not be fetched)."""


class MissingDependencyError(ZerogradError, ImportError):
    """An optional package that a feature needs is not installed."""


class AnomalyError(ZerogradError, RuntimeError):
    """A NaN or inf found by ``detect_anomaly``. Besides the message it carries ``function``
    (the op), ``phase`` ("forward" or "backward"), ``frame`` (file, line, function, source of
    the user's code that created the op, or None) and ``outputs``, the Variables to draw the
    graph from: ``err.render("anomaly.svg")`` draws it with the op marked."""

    def __init__(self, message: str, *, function: Any, phase: str, frame: Any,
                 outputs: tuple = ()) -> None:
        super().__init__(message)
        self.function, self.phase, self.frame, self.outputs = function, phase, frame, outputs

    def render(self, path: Any, **options: Any) -> str:
        """Draw the graph around the op into ``path`` (as ``autograd.render``), the op in red."""
        from .viz import render
        return render(list(self.outputs), path, mark=[self.function], **options)


def describe(xs: Sequence[Any]) -> str:
    """'shapes (2, 3) and (4,), dtypes float64 and float32' for use in error messages."""
    arrays = [getattr(x, "_data", x) for x in xs]
    shapes = [str(tuple(np.shape(a))) for a in arrays]
    dtypes = [str(getattr(a, "dtype", None) or np.asarray(a).dtype) for a in arrays]
    if len(xs) == 1:
        return f"input shape {shapes[0]}, dtype {dtypes[0]}"
    return f"shapes {' and '.join(shapes)}, dtypes {' and '.join(dtypes)}"


def op_error(op: str, xs: Sequence[Any], params: dict[str, Any],
             err: Exception) -> ZerogradError:
    """NumPy's error ``err`` from inside op ``op``, as the matching ZerogradError that names the
    op, its inputs' shapes and dtypes, and its parameters."""
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items()
                      if not (isinstance(v, np.ndarray) and v.ndim > 0))
    msg = f"{op}: {str(err).rstrip()} ({describe(xs)}{'; ' + shown if shown else ''})"
    if isinstance(err, IndexError):
        return OpIndexError(msg)
    if isinstance(err, TypeError):
        return OpTypeError(msg)
    return ShapeError(msg)
