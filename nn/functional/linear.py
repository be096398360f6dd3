"""Affine maps and lookups: ``linear`` (x W^T + b) and ``embedding`` (rows of a table)."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, OpIndexError, ShapeError, Variable, parallel
from autograd.devices import array_module, as_array


class Affine(Function):
    """x @ weight.T + bias as one op (the book's Affine layer; PyTorch's addmm): one matrix
    product, the bias added in place. ``linear_composed`` (Transpose, MatMul, Add) is its
    reference.

    Shape:
        x (*, IN), weight (OUT, IN), bias (OUT,) -> (*, OUT). With x and G (the gradient) as
        matrices (M, IN) and (M, OUT): grad_x = G W, grad_W = G^T x, grad_b = G summed over
        rows; each computed only if its input requires it.
    """

    def forward(self, x, weight, *bias):
        grad_x, grad_w = self.needs_input_grad[:2]
        self.save_for_backward(x if grad_w else None, weight if grad_x else None)
        y = parallel.matmul(_rows(x), weight.T).reshape(x.shape[:-1] + weight.shape[:1])
        if bias and np.result_type(y, bias[0]) == y.dtype:
            y += bias[0]  # in place: the product is a fresh array
        elif bias:
            y = y + bias[0]
        return y

    def backward(self, grad):
        x, weight = self.saved  # None where the other one's gradient is not wanted
        g2 = grad.reshape(-1, grad.shape[-1])
        grad_x = None if weight is None else grad @ weight
        grad_w = None if x is None else g2.T @ x.reshape(-1, x.shape[-1])
        return (grad_x, grad_w) + self._bias_grad(g2)

    def fast_backward(self, grad):
        """The same products on arrays, split over zerograd's threads."""
        x, weight = self.saved
        g2 = grad.reshape(-1, grad.shape[-1])
        grad_x = None if weight is None else \
            parallel.matmul(g2, weight.data).reshape(grad.shape[:-1] + weight.shape[1:])
        grad_w = None if x is None else parallel.matmul(g2.T, _rows(x.data))
        return (grad_x, grad_w) + self._bias_grad(g2)

    def _bias_grad(self, g2):
        """() without a bias, else (G summed over rows,) or (None,) if it is not wanted."""
        if len(self.edges) == 2:
            return ()
        return (g2.sum(axis=0) if self.needs_input_grad[2] else None,)


def _rows(x: np.ndarray) -> np.ndarray:
    """x (*, IN) as one matrix (M, IN): a copy if it is a strided view.

    NOTE: one product of (M, IN) rows, not a stack of them: a language model's (N, T, H)
    output (a view of the LSTM's (T, N, H)) times (H, 10,000) took ~1.5x as long as a stack
    of N products (bench lstm_lm_train, forward and its input gradient)."""
    return x if x.ndim == 2 else x.reshape(-1, x.shape[-1])


def _check_linear(x: Variable, weight: Variable) -> None:
    if weight.ndim != 2:
        raise ShapeError(f"Linear: expected weight of shape (out_features, in_features), got "
                         f"{weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"Linear: expected input of shape (*, {weight.shape[1]}), got "
                         f"{x.shape}")


def linear(x: Any, weight: Any, bias: Any = None) -> Variable:
    """x @ weight.T + bias, one ``Affine`` op.

    Shape:
        x ``(*, in_features)``, weight ``(out_features, in_features)``, bias
        ``(out_features,)`` -> ``(*, out_features)``.
    """
    x, weight = ag.as_variable(x), ag.as_variable(weight)
    _check_linear(x, weight)
    if bias is None:
        return Affine()(x, weight)
    bias = ag.as_variable(bias)
    if bias.shape != (weight.shape[0],):
        raise ShapeError(f"Linear: expected bias of shape ({weight.shape[0]},) for weight "
                         f"{weight.shape}, got {bias.shape}")
    return Affine()(x, weight, bias)


def linear_composed(x: Any, weight: Any, bias: Any = None) -> Variable:
    """The reference that Affine fuses: x @ weight.T, then + bias (broadcast)."""
    x, weight = ag.as_variable(x), ag.as_variable(weight)
    _check_linear(x, weight)
    y = x @ weight.T
    return y if bias is None else y + bias


def embedding(indices: Any, weight: Any, padding_idx: int | None = None) -> Variable:
    """Rows of ``weight`` picked by integer ``indices``; repeated indices add their gradients.
    The row ``padding_idx`` (if given; negative counts from the end) is looked up as it is but
    gets no gradient, as in PyTorch.

    Shape:
        indices ``(*)``, weight ``(num_embeddings, embedding_dim)`` -> ``(*, embedding_dim)``.
    """
    idx = as_array(indices.data if isinstance(indices, Variable) else indices)
    weight = ag.as_variable(weight)
    if idx.dtype.kind not in "iu":
        raise OpIndexError(f"Embedding: indices must be integers (got dtype {idx.dtype})")
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise OpIndexError(f"Embedding: index {bad} is out of range for {weight.shape[0]} "
                           "embeddings")
    rows = weight[idx]
    if padding_idx is None:
        return rows
    pad = padding_index(padding_idx, weight.shape[0])
    keep = (idx != pad)[..., None]
    if keep.all():
        return rows
    return ag.where(array_module(keep).broadcast_to(keep, rows.shape), rows, rows.detach())


def padding_index(padding_idx: int, n: int) -> int:
    if not -n <= padding_idx < n:
        raise OpIndexError(f"Embedding: padding_idx {padding_idx} is out of range for {n} "
                           "embeddings")
    return padding_idx % n
