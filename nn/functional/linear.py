"""Affine maps and lookups: ``linear`` (x W^T + b) and ``embedding`` (rows of a table)."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import OpIndexError, ShapeError, Variable


def linear(x: Any, weight: Any, bias: Any = None) -> Variable:
    """x @ weight.T + bias.

    Shape:
        x ``(*, in_features)``, weight ``(out_features, in_features)``, bias
        ``(out_features,)`` -> ``(*, out_features)``.
    """
    x, weight = ag.as_variable(x), ag.as_variable(weight)
    if weight.ndim != 2:
        raise ShapeError(f"Linear: expected weight of shape (out_features, in_features), got "
                         f"{weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"Linear: expected input of shape (*, {weight.shape[1]}), got "
                         f"{x.shape}")
    y = x @ weight.T
    return y if bias is None else y + bias


def embedding(indices: Any, weight: Any) -> Variable:
    """Rows of ``weight`` picked by integer ``indices``; repeated indices add their gradients.

    Shape:
        indices ``(*)``, weight ``(num_embeddings, embedding_dim)`` -> ``(*, embedding_dim)``.
    """
    idx = np.asarray(indices.data if isinstance(indices, Variable) else indices)
    weight = ag.as_variable(weight)
    if idx.dtype.kind not in "iu":
        raise OpIndexError(f"Embedding: indices must be integers (got dtype {idx.dtype})")
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise OpIndexError(f"Embedding: index {bad} is out of range for {weight.shape[0]} "
                           "embeddings")
    return weight[idx]
