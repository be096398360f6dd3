"""The exceptions zerograd raises for bad input, so callers can catch them by kind.

Each one derives from ``ZerogradError`` and from the builtin it stands for, so both
``except ZerogradError`` and ``except ValueError`` (``TypeError``, ...) catch it.
This module imports nothing, so any part of zerograd (``nn.data`` included) may use it.
"""
from __future__ import annotations


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


class MissingFileError(ZerogradError, FileNotFoundError):
    """A file zerograd needs is not where it was looked for (and may not be fetched)."""


class MissingDependencyError(ZerogradError, ImportError):
    """An optional package that a feature needs is not installed."""
