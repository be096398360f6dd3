"""Matrix products: ``MatMul`` with NumPy's rules (batched, broadcast batch axes, 1-D operands)."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import parallel
from .core import Function, Variable, as_variable
from .errors import ShapeError
from .shape import reshape, swapaxes


class MatMul(Function):
    """a @ b as ``np.matmul``: (..., n, k) @ (..., k, m) -> (..., n, m).

    A 1-D ``a`` acts as a row (1, k) and a 1-D ``b`` as a column (k, 1), the added axis being
    dropped from the result. Batch axes broadcast. With A, B the operands as matrices and G the
    gradient: grad_A = G @ B^T and grad_B = A^T @ G (the engine sums broadcast batch axes).
    """

    def forward(self, a, b):
        grad_a, grad_b = self.needs_input_grad
        self.save_for_backward(a if grad_b else None, b if grad_a else None)
        self.shapes = a.shape, b.shape
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(f"MatMul: both operands need at least 1 dimension (shapes "
                             f"{a.shape} and {b.shape}); use * for scalars")
        k_a, k_b = a.shape[-1], b.shape[-2 if b.ndim > 1 else 0]
        if k_a != k_b:
            raise ShapeError(f"MatMul: shapes {a.shape} and {b.shape} are not aligned "
                             f"({k_a} != {k_b})")
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError as err:
            raise ShapeError(f"MatMul: batch dimensions of shapes {a.shape} and {b.shape} "
                             f"do not broadcast") from err
        return parallel.matmul(a, b)

    def backward(self, grad):
        a, b = self.saved  # a is None when b's gradient is not wanted, and the other way round
        a_shape, b_shape = self.shapes
        G = grad
        if len(a_shape) == 1:
            G = G.expand_dims(-2 if len(b_shape) > 1 else 0)
        if len(b_shape) == 1:
            G = G.expand_dims(-1)
        grad_a = grad_b = None
        if b is not None:
            B = reshape(b, (b_shape[0], 1)) if len(b_shape) == 1 else b
            grad_a = matmul(G, swapaxes(B, -1, -2))
            if len(a_shape) == 1:
                grad_a = reshape(grad_a.sum_to((1, a_shape[0])), a_shape)
        if a is not None:
            A = reshape(a, (1, a_shape[0])) if len(a_shape) == 1 else a
            grad_b = matmul(swapaxes(A, -1, -2), G)
            if len(b_shape) == 1:
                grad_b = reshape(grad_b.sum_to((b_shape[0], 1)), b_shape)
        return grad_a, grad_b


def matmul(a: Any, b: Any) -> Variable:
    return MatMul()(a, b)


def dot(a: Any, b: Any) -> Variable:
    """The inner product of two 1-D Variables (or matmul for higher dimensions)."""
    return matmul(a, b)


def outer(a: Any, b: Any) -> Variable:
    """The outer product of two vectors: (n,) and (m,) -> (n, m)."""
    a, b = as_variable(a), as_variable(b)
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))
