"""Hypothesis strategies for values and shapes: domains, arrays, broadcastable and matmul
shapes, axes and indices.

Values come from a ``Domain`` that keeps away from an op's kinks and poles (``log`` needs
positive inputs, ``abs`` none near 0, ``max`` no ties), never from the hard-but-smooth cases;
``TIED`` draws the ties and kinks themselves, for the tests of tie rules.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..errors import ArgumentError, MissingDependencyError

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as err:  # pragma: no cover - hypothesis comes with the [dev] extra
    raise MissingDependencyError("autograd.testing needs Hypothesis: pip install hypothesis "
                                 "(or pip install 'zerograd[dev]')") from err


class Args(tuple):
    """Several arguments drawn together (e.g. arrays whose shapes must fit): ``gradient_test``
    passes them as separate arguments, where any other tuple (an axis, an index) is one."""


class Domain(NamedTuple):
    """Where values are drawn: [low, high], at least ``min_abs`` from 0, and with ``distinct``,
    on a grid of step ``2 * gap`` so no two elements of one array are closer than that (no
    ties). Ties *between* arrays (for ``maximum``) need a strategy of their own, e.g. one array
    on the grid and the other halfway between grid points.

    ``tied`` is the opposite: five values only, evenly from low to high (0 among them for the
    default range), so arrays are full of ties and kinks. The numerical check does not hold
    there; tie rules and fused-versus-composed comparisons are tested on it."""

    low: float = -3.0
    high: float = 3.0
    min_abs: float = 0.0
    distinct: bool = False
    gap: float = 5e-3
    tied: bool = False


REAL = Domain()
POSITIVE = Domain(0.2, 3.0)
NONZERO = Domain(-3.0, 3.0, min_abs=0.2)
UNIT = Domain(-0.9, 0.9)
DISTINCT = Domain(distinct=True)
TIED = Domain(-1.0, 1.0, tied=True)

DOMAINS = {"real": REAL, "positive": POSITIVE, "nonzero": NONZERO, "unit": UNIT,
           "distinct": DISTINCT, "tied": TIED}


def _domain(domain: Domain | str) -> Domain:
    if isinstance(domain, str):
        if domain not in DOMAINS:
            raise ArgumentError(f"testing: unknown domain {domain!r} "
                                f"(expected one of {sorted(DOMAINS)})")
        return DOMAINS[domain]
    return domain


def elements(domain: Domain | str = REAL) -> st.SearchStrategy[float]:
    """Floats of ``domain`` (see ``Domain``)."""
    d = _domain(domain)
    if d.tied:
        return st.sampled_from([float(v) for v in np.linspace(d.low, d.high, 5)])
    if d.distinct:
        step = 2 * d.gap
        return st.integers(int(np.ceil(d.low / step)), int(np.floor(d.high / step))).map(
            lambda k: k * step)
    if d.min_abs > 0:
        parts = []
        if d.high >= d.min_abs:
            parts.append(st.floats(max(d.low, d.min_abs), d.high))
        if d.low <= -d.min_abs:
            parts.append(st.floats(d.low, min(d.high, -d.min_abs)))
        return st.one_of(*parts)
    return st.floats(d.low, d.high)


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 0,
           max_side: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, 0-d scalars and size-0 / size-1 axes included by default."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(shape: Any = None, domain: Domain | str = REAL,
           dtype: Any = np.float64) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``shape`` (a tuple, a strategy, or None for any of ``shapes()``) with values
    from ``domain``."""
    d = _domain(domain)
    return hnp.arrays(dtype, shapes() if shape is None else shape, elements=elements(d),
                      unique=d.distinct)


def broadcastable_shapes(num_shapes: int = 2, max_dims: int = 3,
                         max_side: int = 3) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of ``num_shapes`` shapes that broadcast together."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=0,
                                             max_dims=max_dims, max_side=max_side).map(
        lambda r: r.input_shapes)


def broadcastable_arrays(num_arrays: int = 2, domain: Domain | str = REAL,
                         max_dims: int = 3) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """Tuples of arrays whose shapes broadcast together."""
    return broadcastable_shapes(num_arrays, max_dims).flatmap(
        lambda ss: st.tuples(*(arrays(s, domain) for s in ss))).map(Args)


def matmul_shapes(max_batch_dims: int = 2,
                  max_side: int = 3) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Shape pairs valid for ``np.matmul``: 1-D operands and broadcast batch axes included."""
    return hnp.mutually_broadcastable_shapes(signature=np.matmul.signature,
                                             max_dims=max_batch_dims, max_side=max_side).map(
        lambda r: r.input_shapes)


def matmul_arrays(domain: Domain | str = REAL) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """Pairs of arrays valid for ``np.matmul``."""
    return matmul_shapes().flatmap(lambda ss: st.tuples(arrays(ss[0], domain),
                                                        arrays(ss[1], domain))).map(Args)


def axes(ndim: int, allow_none: bool = True) -> st.SearchStrategy[Any]:
    """A valid ``axis`` argument for an array of ``ndim`` dimensions: None, an int (negative
    too) or a tuple of distinct ints."""
    options = [hnp.valid_tuple_axes(ndim)]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
    if allow_none:
        options.append(st.none())
    return st.one_of(*options)


def indices(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Indices valid for ``shape``: basic ones (ints, slices, Ellipsis, None) and, where every
    side is non-zero, integer arrays (repeats included) and boolean masks."""
    options = [hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True)]
    if shape and all(shape):
        options.append(hnp.integer_array_indices(shape, result_shape=shapes(1, 2, 1, 3)))
        options.append(hnp.arrays(bool, shape))
    return st.one_of(*options)
