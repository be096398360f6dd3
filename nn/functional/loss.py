"""Losses: cross-entropy (fused with softmax: one stable Function), mean squared error and
binary cross-entropy on logits."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, OpIndexError, ShapeError, Variable

from .activation import log_softmax, softmax

REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Variable, reduction: str, op: str) -> Variable:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ShapeError(f"{op}: reduction must be one of {REDUCTIONS} (got {reduction!r})")


class SoftmaxCrossEntropy(Function):
    """Mean over the batch of -log softmax(x)[n, t_n], for logits x (N, C), labels t (N,).

    Computed as logsumexp(x_n) - x[n, t_n] with the max subtracted, so it never overflows.
    grad_x = (softmax(x) - onehot(t)) * grad / N, itself differentiable (softmax is composed).
    """

    freed_after_backward = ("labels",)

    def forward(self, x, *, labels, reduction):
        self.save_for_backward(x)
        self.labels, self.reduction = labels, reduction
        top = x.max(axis=1, keepdims=True)
        lse = np.log(np.exp(x - top).sum(axis=1)) + top[:, 0]
        loss = lse - x[np.arange(len(labels)), labels]
        if reduction == "mean":
            return loss.mean() if len(labels) else np.array(np.nan, dtype=x.dtype)
        return loss.sum() if reduction == "sum" else loss

    def backward(self, grad):
        x, = self.saved
        return (softmax(x, axis=1) - self._onehot(x.data)) * self._per_sample(grad)

    def fast_backward(self, grad):
        """The same on arrays: softmax computed in place, the labels' entries lowered by 1."""
        x = self.saved[0].data
        p = np.exp(x - x.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(x)), self.labels] -= 1
        p *= self._per_sample(grad)
        return p

    def _onehot(self, x):
        onehot = np.zeros(x.shape, dtype=x.dtype)
        onehot[np.arange(len(x)), self.labels] = 1
        return onehot

    def _per_sample(self, grad):
        """The incoming gradient as a factor for each sample's row: (), or (N, 1) for 'none'."""
        if self.reduction == "mean":  # NOTE: an empty batch has an empty gradient: any factor
            return grad * (1.0 / max(len(self.labels), 1))
        return grad.reshape(len(self.labels), 1) if self.reduction == "none" else grad


def _labels(t: Any, x: Variable, op: str) -> np.ndarray:
    t = np.asarray(t.data if isinstance(t, Variable) else t)
    if t.dtype.kind not in "iu" or t.shape != x.shape[:1]:
        raise OpIndexError(f"{op}: expected integer labels of shape (N,) = ({x.shape[0]},), got "
                           f"{t.dtype} labels of shape {t.shape}")
    if t.size and (t.min() < 0 or t.max() >= x.shape[1]):
        bad = t.min() if t.min() < 0 else t.max()
        raise OpIndexError(f"{op}: label {bad} is out of range for {x.shape[1]} classes")
    return t.astype(np.intp)


def cross_entropy(x: Any, t: Any, reduction: str = "mean") -> Variable:
    """Cross-entropy of logits ``x`` against integer labels or class probabilities ``t``.

    Args:
        x: logits (N, C).
        t: integer labels (N,) in [0, C), or probabilities (N, C) (e.g. one-hot).
        reduction: "mean" (over N), "sum" or "none" (one loss per sample). An empty batch
            (N = 0) gives nan for "mean", as in PyTorch, 0 for "sum" and an empty array for
            "none"; its gradient is empty.

    >>> import numpy as np
    >>> round(cross_entropy(np.array([[2.0, 0.0, 0.0]]), np.array([0])).item(), 4)
    0.2395
    """
    x = ag.as_variable(x)
    if x.ndim != 2:
        raise ShapeError(f"cross_entropy: expected logits of shape (N, C), got {x.shape}")
    if reduction not in REDUCTIONS:
        raise ShapeError(f"cross_entropy: reduction must be one of {REDUCTIONS} "
                         f"(got {reduction!r})")
    t_arr = t.data if isinstance(t, Variable) else np.asarray(t)
    if t_arr.dtype.kind == "f":
        if t_arr.shape != x.shape:
            raise ShapeError(f"cross_entropy: probability targets must have the logits' shape "
                             f"{x.shape}, got {t_arr.shape}")
        return _reduce(-(log_softmax(x, axis=1) * t).sum(axis=1), reduction, "cross_entropy")
    return SoftmaxCrossEntropy()(x, labels=_labels(t_arr, x, "cross_entropy"),
                                 reduction=reduction)


def cross_entropy_composed(x: Any, t: Any, reduction: str = "mean") -> Variable:
    """The reference that SoftmaxCrossEntropy fuses: -log_softmax(x)[n, t_n], then reduced."""
    x = ag.as_variable(x)
    labels = _labels(t, x, "cross_entropy")
    return _reduce(-log_softmax(x, axis=1)[np.arange(x.shape[0]), labels], reduction,
                   "cross_entropy")


def mse_loss(x: Any, t: Any, reduction: str = "mean") -> Variable:
    """(x - t)^2, reduced; x and t of the same shape."""
    x = ag.as_variable(x)
    t_shape = np.shape(t.data if isinstance(t, Variable) else t)
    if t_shape != x.shape:
        raise ShapeError(f"mse_loss: input shape {x.shape} and target shape {t_shape} differ")
    d = x - t
    return _reduce(d * d, reduction, "mse_loss")


def binary_cross_entropy_with_logits(x: Any, t: Any, reduction: str = "mean") -> Variable:
    """-[t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))] = softplus(x) - x t, with
    softplus(x) = log(e^0 + e^x) as a stable logsumexp: finite and smooth for any x."""
    x = ag.as_variable(x)
    t_shape = np.shape(t.data if isinstance(t, Variable) else t)
    if t_shape != x.shape:
        raise ShapeError(f"binary_cross_entropy_with_logits: input shape {x.shape} and target "
                         f"shape {t_shape} differ")
    softplus = ag.logsumexp(ag.stack([np.zeros(x.shape, x.dtype), x]), axis=0)
    loss = softplus - x * t
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")
