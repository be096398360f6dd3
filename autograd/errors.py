"""The exceptions zerograd raises for bad input, so callers can catch them by kind."""
from __future__ import annotations


class ZerogradError(Exception):
    """Base of every error raised on purpose by zerograd (never a bare NumPy error)."""


class ShapeError(ZerogradError, ValueError):
    """Shapes that an op cannot combine, e.g. a misaligned matmul or non-broadcastable operands."""


class OpIndexError(ZerogradError, IndexError):
    """An index that is out of range or malformed for the Variable it indexes."""


class OpTypeError(ZerogradError, TypeError):
    """An argument of the wrong type or dtype for an op."""


class GraphError(ZerogradError, RuntimeError):
    """Misuse of the graph: backward through a freed graph, modified saved data, and the like."""
