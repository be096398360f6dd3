"""Stateless neural-network ops on Variables (imported as ``F``, as in PyTorch).

Composed from autograd primitives; the few with a backward of their own are ``Im2col``,
``Col2im`` and the fused ``SoftmaxCrossEntropy``.
"""
from .activation import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .conv import Col2im, Im2col, avg_pool2d, conv2d, im2col, max_pool2d
from .dropout import dropout
from .linear import embedding, linear
from .loss import (
    SoftmaxCrossEntropy, binary_cross_entropy_with_logits, cross_entropy,
    cross_entropy_composed, mse_loss,
)
from .norm import batch_norm

__all__ = [
    "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "embedding",
    "conv2d", "im2col", "max_pool2d", "avg_pool2d", "batch_norm", "dropout", "cross_entropy",
    "cross_entropy_composed", "mse_loss", "binary_cross_entropy_with_logits", "Im2col",
    "Col2im", "SoftmaxCrossEntropy",
]
