"""Batch normalisation: in training it normalises with the batch's statistics and updates the
running ones (one fused op, ``BatchNorm``); in evaluation it uses the running statistics.
``batch_norm_composed`` is the same computation from primitives, the fused op's reference."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, ShapeError, Variable
from autograd.devices import array_module


class BatchNorm(Function):
    """Training-mode batch normalisation, fused: x (N, C) or (N, C, H, W), weight and bias
    (C,) -> y = weight xhat + bias, xhat = (x - mean) / sqrt(var + eps) with the batch's
    mean and (biased) variance per channel. ``batch_norm_composed`` is its reference.

    With G the gradient and n the values per channel: grad_bias = sum G,
    grad_weight = sum G xhat, grad_x = weight / sqrt(var + eps) (G - grad_bias / n
    - xhat grad_weight / n), sums per channel. Forward keeps xhat; ``self.mean`` and
    ``self.var`` are the batch statistics, for the running ones.
    """

    freed_after_backward = ("mean", "var", "inv", "xhat")

    def forward(self, x, weight, bias, *, eps):
        grad_x, grad_w, _ = self.needs_input_grad
        self.save_for_backward(x if grad_x or grad_w else None, weight if grad_x else None)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        n = x.size // x.shape[1]
        self.mean = _channel_sum(x) / n
        xhat = x - self.mean.reshape(shape)
        self.var = _channel_sum(xhat * xhat) / n
        self.inv = 1 / np.sqrt(self.var + eps)
        xhat *= self.inv.reshape(shape)  # in place: xhat is a fresh array
        self.xhat, self.eps = xhat, eps  # xhat for fast_backward (the reference recomputes it)
        return xhat * weight.reshape(shape) + bias.reshape(shape)

    def backward(self, grad):
        x, weight = self.saved  # None where no wanted gradient reads them
        grad_x, grad_w, grad_b = self.needs_input_grad
        axes = (0,) + tuple(range(2, grad.ndim))
        shape = (1, -1) + (1,) * (grad.ndim - 2)
        gb = grad.sum(axis=axes)
        if x is None:
            return None, None, gb
        n = x.size // x.shape[1]
        centred = x - x.mean(axis=axes, keepdims=True)
        inv = ((centred * centred).mean(axis=axes, keepdims=True) + self.eps) ** -0.5
        xhat = centred * inv
        gw = (grad * xhat).sum(axis=axes)
        gx = None if weight is None else ag.reshape(weight, shape) * inv * (
            grad - ag.reshape(gb, shape) / n - xhat * ag.reshape(gw, shape) / n)
        return gx, gw if grad_w else None, gb if grad_b else None

    def fast_backward(self, grad):
        """The same formulas on arrays, from the xhat forward kept."""
        grad_x, grad_w, grad_b = self.needs_input_grad
        shape = (1, -1) + (1,) * (grad.ndim - 2)
        n = grad.size // grad.shape[1]
        gb = _channel_sum(grad)
        gw = _channel_sum(grad * self.xhat)
        gx = None
        if grad_x:
            weight = self.saved[1].data
            scale = (weight * self.inv).reshape(shape)
            gx = (grad - (gb / n).reshape(shape)) - self.xhat * (gw / n).reshape(shape)
            gx *= scale
        return gx, gw if grad_w else None, gb if grad_b else None


def _channel_sum(a: np.ndarray) -> np.ndarray:
    """Sum over every axis but 1 of (N, C) or (N, C, H, W): the contiguous H W first, then N
    (faster than one reduction over axes (0, 2, 3))."""
    if a.ndim == 2:
        return a.sum(axis=0)
    return a.reshape(a.shape[0], a.shape[1], -1).sum(axis=2).sum(axis=0)


def batch_norm(x: Any, running_mean: np.ndarray | None, running_var: np.ndarray | None,
               weight: Any = None, bias: Any = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Variable:
    """(x - mean) / sqrt(var + eps) * weight + bias, per channel (axis 1).

    In training, mean and var are the batch's (biased var), and the running statistics, if
    given, are updated in place: running = (1 - momentum) running + momentum batch (with the
    unbiased var, as PyTorch). Otherwise the running statistics are used.

    Shape:
        x (N, C) or (N, C, H, W); running_mean, running_var, weight, bias (C,).
    """
    x, c, n = _check(x, running_mean, running_var, weight, bias, training)
    if not (training or running_mean is None or running_var is None):
        return _normalise_with_running(x, running_mean, running_var, weight, bias, eps)
    op = BatchNorm()
    # NOTE: a missing weight or bias is a constant 1 or 0: one op for every case
    xp = array_module(x.data)
    y = op(x, ag.as_variable(xp.ones(c, x.dtype)) if weight is None else weight,
           ag.as_variable(xp.zeros(c, x.dtype)) if bias is None else bias, eps=eps)
    if training and running_mean is not None and running_var is not None:
        _update_running(running_mean, running_var, op.mean, op.var, n, momentum)
    return y


def batch_norm_composed(x: Any, running_mean: np.ndarray | None, running_var: np.ndarray | None,
                        weight: Any = None, bias: Any = None, training: bool = False,
                        momentum: float = 0.1, eps: float = 1e-5) -> Variable:
    """The reference that BatchNorm fuses: the same computation from primitives."""
    x, c, n = _check(x, running_mean, running_var, weight, bias, training)
    if not (training or running_mean is None or running_var is None):
        return _normalise_with_running(x, running_mean, running_var, weight, bias, eps)
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    if training and running_mean is not None and running_var is not None:
        _update_running(running_mean, running_var, mean.data.reshape(c), var.data.reshape(c),
                        n, momentum)
    return _affine(centred / (var + eps) ** 0.5, weight, bias)


def _check(x: Any, running_mean: Any, running_var: Any, weight: Any, bias: Any,
           training: bool) -> tuple[Variable, int, int]:
    """x as a Variable, its channels and values per channel; raises on bad shapes."""
    x = ag.as_variable(x)
    if x.ndim not in (2, 4):
        raise ShapeError(f"BatchNorm: expected input of shape (N, C) or (N, C, H, W), got "
                         f"{x.shape}")
    c = x.shape[1]
    for name, v in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if v is not None and np.shape(v.data if isinstance(v, Variable) else v) != (c,):
            raise ShapeError(f"BatchNorm: {name} must have shape ({c},) for input of shape "
                             f"{x.shape}")
    n = x.size // c
    if n < 2 and training:
        raise ShapeError(f"BatchNorm: need more than 1 value per channel in training "
                         f"(input shape {x.shape})")
    return x, c, n


def _update_running(running_mean: np.ndarray, running_var: np.ndarray, mean: np.ndarray,
                    var: np.ndarray, n: int, momentum: float) -> None:
    running_mean *= 1 - momentum
    running_mean += momentum * mean
    running_var *= 1 - momentum
    running_var += momentum * var * (n / (n - 1))


def _normalise_with_running(x: Variable, running_mean: np.ndarray, running_var: np.ndarray,
                            weight: Any, bias: Any, eps: float) -> Variable:
    """Evaluation: the running statistics, constants, make it an affine map per channel."""
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    scale = (1.0 / np.sqrt(running_var + eps)).astype(x.dtype).reshape(shape)
    return _affine((x - running_mean.astype(x.dtype).reshape(shape)) * scale, weight, bias)


def _affine(y: Variable, weight: Any, bias: Any) -> Variable:
    shape = (1, y.shape[1]) + (1,) * (y.ndim - 2)
    if weight is not None:
        y = y * ag.reshape(weight, shape)
    if bias is not None:
        y = y + ag.reshape(bias, shape)
    return y


def layer_norm(x: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Variable:
    """Normalise each sample over its last ``len(normalized_shape)`` axes (biased variance,
    as PyTorch), then scale by ``weight`` and shift by ``bias`` (both of
    ``normalized_shape``, or None). Composed: every derivative order works.

    Shape:
        ``(*, *normalized_shape) -> (*, *normalized_shape)``.
    """
    x = ag.as_variable(x)
    shape = (int(normalized_shape),) if np.ndim(normalized_shape) == 0 else \
        tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if x.shape[x.ndim - k:] != shape or x.ndim < k:
        raise ShapeError(f"LayerNorm: expected input with shape (*, {', '.join(map(str, shape))})"
                         f" (normalized_shape {shape}), got {x.shape}")
    axes = tuple(range(x.ndim - k, x.ndim))
    centred = x - x.mean(axis=axes, keepdims=True)
    y = centred / ag.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias
