"""Layers with a weight matrix: ``Linear`` and ``Embedding``."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Variable

from .. import functional as F
from .. import init
from ..module import Module, Parameter


class Linear(Module):
    """y = x W^T + b, with W (out_features, in_features) as in PyTorch.

    Weights start He-normal (std sqrt(2 / in_features), right for a following ReLU), biases 0.

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
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index.

    Shape:
        integer ``(*)`` -> ``(*, embedding_dim)``.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: Any = np.float32) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype))
        init.normal_(self.weight)

    def forward(self, indices: Any) -> Variable:
        return F.embedding(indices, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
