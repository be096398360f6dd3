"""Layers with a weight matrix: ``Linear`` and ``Embedding``."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Variable
from autograd.devices import as_array

from .. import functional as F
from ..functional.linear import padding_index
from .. import init
from ..module import Module, Parameter


def in_layer_dtype(x: Any, dtype: np.dtype) -> Any:
    """The input rule of zerograd's layers: a layer computes in its weights' dtype. An input
    of another dtype (integers, booleans, float64 into a float32 layer) is cast to it, a
    Variable differentiably, so a float32 layer never gives a float64 result."""
    if isinstance(x, Variable):
        return x if x.dtype == dtype else x.astype(dtype)
    arr = as_array(x)
    return arr if arr.dtype == dtype else arr.astype(dtype)


class Linear(Module):
    """y = x W^T + b, with W (out_features, in_features) as in PyTorch.

    Weights start He-normal (std sqrt(2 / in_features), right for a following ReLU), biases 0.
    The input is cast to the weights' dtype (see ``in_layer_dtype``): an integer or float64
    batch into a float32 layer gives float32.

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    >>> import numpy as np
    >>> Linear(3, 2)(np.ones((5, 3), dtype=np.float32)).shape
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: Any = np.float32) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        init.kaiming_normal_(self.weight)
        self.bias = Parameter(np.zeros(out_features, dtype=dtype)) if bias else None

    def forward(self, x: Any) -> Variable:
        return F.linear(in_layer_dtype(x, self.weight.dtype), self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index.

    Weights start N(0, 1), as in PyTorch; with ``padding_idx`` that row starts at zeros and
    never gets a gradient (a padding token's vector stays where it is).

    Shape:
        integer ``(*)`` -> ``(*, embedding_dim)``.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype: Any = np.float32) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
        init.normal_(self.weight)
        self.padding_idx = None
        if padding_idx is not None:
            self.padding_idx = padding_index(padding_idx, num_embeddings)
            self.weight.data[self.padding_idx] = 0

    def forward(self, indices: Any) -> Variable:
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
