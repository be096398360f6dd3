"""``default_collate``: stack a list of samples into one batch (the DataLoader's slow path)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograd.errors import ArgumentError, ShapeError


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack samples along a new first axis; tuple (or list) samples are stacked field by field.

    Args:
        samples: a non-empty list of samples, all of the same structure: arrays or numbers, or
            tuples/lists of them.

    Returns:
        A stacked array, or a tuple of stacked arrays for tuple samples.

    Raises:
        ValueError: an empty list, samples of different structure or shape.

    Example:
        >>> x, t = default_collate([(np.zeros(2), 1), (np.ones(2), 0)])
        >>> x.shape, t
        ((2, 2), array([1, 0]))
    """
    if len(samples) == 0:
        raise ArgumentError("default_collate: cannot collate an empty list of samples")
    first = samples[0]
    if isinstance(first, (tuple, list)):
        width = len(first)
        for s in samples:
            if not isinstance(s, (tuple, list)) or len(s) != width:
                raise ArgumentError(f"default_collate: samples differ in structure "
                                    f"({_describe(first)} vs {_describe(s)})")
        return tuple(_stack([s[k] for s in samples], k) for k in range(width))
    return _stack(samples, None)


def _stack(values: Sequence[Any], field: int | None) -> np.ndarray:
    arrays = [np.asarray(v) for v in values]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        where = "" if field is None else f" in field {field}"
        raise ShapeError(f"default_collate: samples have different shapes{where} "
                         f"({', '.join(str(s) for s in sorted(shapes))})")
    return np.stack(arrays)


def _describe(sample: Any) -> str:
    if isinstance(sample, (tuple, list)):
        return f"a {type(sample).__name__} of {len(sample)}"
    return type(sample).__name__
