"""Losses: cross-entropy (fused with softmax: one stable Function), mean squared error and
binary cross-entropy on logits."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, OpIndexError, ShapeError, Variable, parallel
from autograd.devices import array_module, as_array, device_of, to_device, to_numpy

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

    freed_after_backward = ("labels", "exps", "sums")

    def forward(self, x, *, labels, reduction):
        self.save_for_backward(x)
        xp = array_module(x)
        labels = to_device(labels, device_of(x))  # used where x is (itself if there)
        self.labels, self.reduction = labels, reduction
        e = xp.empty(x.shape, x.dtype)
        top, sums = xp.empty(len(x), x.dtype), xp.empty(len(x), x.dtype)

        def work(rows):  # NOTE: split over zerograd's threads (bench lstm_lm_train)
            top[rows] = x[rows].max(axis=1)
            np.subtract(x[rows], top[rows, None], out=e[rows])
            np.exp(e[rows], out=e[rows])
            sums[rows] = e[rows].sum(axis=1)

        parallel.chunked(work, x, x.size)
        if self.requires_grad:
            # NOTE: kept for fast_backward, which then needs no second exp over (N, C): on a
            # language model's (700, 10,000) logits that is a third of the loss's time (bench
            # lstm_lm_train); freed with the saved values.
            self.exps, self.sums = e, sums
        lse = np.log(sums) + top
        loss = lse - x[xp.arange(len(labels)), labels]
        if reduction == "mean":
            return loss.mean() if len(labels) else xp.array(np.nan, dtype=x.dtype)
        return loss.sum() if reduction == "sum" else loss

    def backward(self, grad):
        x, = self.saved
        return (softmax(x, axis=1) - self._onehot(x.data)) * self._per_sample(grad)

    def fast_backward(self, grad):
        """The same on arrays: softmax from forward's exponentials (a new array: a retained
        graph may run this twice), the labels' entries lowered by 1."""
        xp = array_module(self.exps)
        p = xp.empty(self.exps.shape, self.exps.dtype)
        factor = self._per_sample(grad)

        def work(rows):
            np.divide(self.exps[rows], self.sums[rows, None], out=p[rows])
            span = xp.arange(len(p))[rows]
            p[span, self.labels[rows]] -= 1
            p[rows] *= factor if np.ndim(factor) == 0 else factor[rows]

        parallel.chunked(work, p, p.size)
        return p

    def _onehot(self, x):
        xp = array_module(x)
        onehot = xp.zeros(x.shape, dtype=x.dtype)
        onehot[xp.arange(len(x)), self.labels] = 1
        return onehot

    def _per_sample(self, grad):
        """The incoming gradient as a factor for each sample's row: (), or (N, 1) for 'none'."""
        if self.reduction == "mean":  # NOTE: an empty batch has an empty gradient: any factor
            return grad * (1.0 / max(len(self.labels), 1))
        return grad.reshape(len(self.labels), 1) if self.reduction == "none" else grad


def _labels(t: Any, positions: tuple, c: int, ignore_index: int | None,
            op: str) -> tuple[np.ndarray, bool]:
    """Integer labels of shape ``positions`` in [0, c) (or ``ignore_index``), flattened, as
    intp where they are; and whether any is ``ignore_index``."""
    t = as_array(t.data if isinstance(t, Variable) else t)
    if t.dtype.kind not in "iu" or t.shape != positions:
        raise OpIndexError(f"{op}: expected integer labels of shape {positions}, got "
                           f"{t.dtype} labels of shape {t.shape}")
    t = t.reshape(-1)
    if type(t) is np.ndarray:
        any_ignored = ignore_index is not None and bool((t == ignore_index).any())
        used = t[t != ignore_index] if any_ignored else t
        any_wrong = used.size and (used.min() < 0 or used.max() >= c)
    else:
        # NOTE: on a device, checked there: two flags copied back at once instead of the
        # labels copied to the host and then back again (tests/test_nn/test_devices.py counts
        # it); on NumPy the host's way above takes half the time (8 vs 16 us, 100 labels)
        xp = array_module(t)
        ignored = t == ignore_index if ignore_index is not None else xp.zeros(t.shape, bool)
        wrong = ((t < 0) | (t >= c)) & ~ignored
        any_wrong, any_ignored = to_numpy(xp.stack([wrong.any(), ignored.any()]))
    if any_wrong:
        used = to_numpy(t)
        used = used if ignore_index is None else used[used != ignore_index]
        bad = used.min() if used.min() < 0 else used.max()
        note = "" if ignore_index is None else f" (ignore_index is {ignore_index})"
        raise OpIndexError(f"{op}: label {bad} is out of range for {c} classes{note}")
    return t.astype(np.intp), bool(any_ignored)


def cross_entropy(x: Any, t: Any, reduction: str = "mean", ignore_index: int = -100,
                  label_smoothing: float = 0.0) -> Variable:
    """Cross-entropy of logits ``x`` against integer labels or class probabilities ``t``, as
    ``torch.nn.functional.cross_entropy``.

    Args:
        x: logits (N, C), or (N, C, d1, ...) for a loss per position (a sequence model's
            (N, vocabulary, T), say).
        t: integer labels (N,) or (N, d1, ...) in [0, C), or probabilities of x's shape.
        reduction: "mean" (over the labels that count), "sum" or "none" (one loss per
            sample and position, 0 where ignored). An empty batch gives nan for "mean", as in
            PyTorch, 0 for "sum" and an empty array for "none"; its gradient is empty.
        ignore_index: a label value that adds nothing to the loss or to its gradient (padding,
            say); "mean" divides by the number of other labels.
        label_smoothing: epsilon in [0, 1]: the target is (1 - epsilon) on the label plus
            epsilon / C on every class.

    >>> import numpy as np
    >>> round(cross_entropy(np.array([[2.0, 0.0, 0.0]]), np.array([0])).item(), 4)
    0.2395
    """
    x = ag.as_variable(x)
    if x.ndim < 2:
        raise ShapeError(f"cross_entropy: expected logits of shape (N, C) or (N, C, d1, ...), "
                         f"got {x.shape}")
    if reduction not in REDUCTIONS:
        raise ShapeError(f"cross_entropy: reduction must be one of {REDUCTIONS} "
                         f"(got {reduction!r})")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ShapeError(f"cross_entropy: label_smoothing must be in [0, 1] (got "
                         f"{label_smoothing})")
    c = x.shape[1]
    positions = (x.shape[0],) + x.shape[2:]  # what each loss is for: (N, d1, ...)
    if x.ndim > 2:  # the class axis last, one row per position
        x = ag.transpose(x, (0, *range(2, x.ndim), 1)).reshape(-1, c)
    t_arr = t.data if isinstance(t, Variable) else as_array(t)
    if t_arr.dtype.kind == "f":
        want = positions[:1] + (c,) + positions[1:]
        if t_arr.shape != want:
            raise ShapeError(f"cross_entropy: probability targets must have the logits' shape "
                             f"{want}, got {t_arr.shape}")
        if len(want) > 2:
            t = ag.transpose(ag.as_variable(t), (0, *range(2, len(want)), 1)).reshape(-1, c)
        if label_smoothing:
            t = t * (1.0 - label_smoothing) + label_smoothing / c
        loss = -(log_softmax(x, axis=1) * t).sum(axis=1)
        return _reduce(loss if reduction != "none" else loss.reshape(positions), reduction,
                       "cross_entropy")
    labels, any_ignored = _labels(t_arr, positions, c, ignore_index, "cross_entropy")
    if label_smoothing == 0.0 and not any_ignored and len(positions) == 1:
        return SoftmaxCrossEntropy()(x, labels=labels, reduction=reduction)  # the common case
    counted = labels != ignore_index
    loss = SoftmaxCrossEntropy()(x, labels=np.where(counted, labels, 0), reduction="none")
    if label_smoothing:
        loss = loss * (1.0 - label_smoothing) - log_softmax(x, axis=1).mean(axis=1) * \
            label_smoothing
    if any_ignored:
        loss = loss * to_device(counted.astype(loss.dtype), loss.device)
    if reduction == "none":
        return loss.reshape(positions)
    if reduction == "sum":
        return loss.sum()
    n = int(counted.sum()) if any_ignored else counted.size  # no read back when none is
    return loss.sum() / n if n else loss.sum() * np.nan


def cross_entropy_composed(x: Any, t: Any, reduction: str = "mean") -> Variable:
    """The reference that SoftmaxCrossEntropy fuses: -log_softmax(x)[n, t_n], then reduced."""
    x = ag.as_variable(x)
    labels, _ = _labels(t, x.shape[:1], x.shape[1], None, "cross_entropy")
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
    softplus = ag.logsumexp(ag.stack([array_module(x.data).zeros(x.shape, x.dtype), x]), axis=0)
    loss = softplus - x * t
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")
