"""Stateless neural-network ops on Variables (imported as ``F``, as in PyTorch).

Composed from autograd primitives; the few with a backward of their own are ``Im2col`` and
``Col2im``, and, fused where a benchmark showed it pays (each with its composed version kept
as the test reference), ``Convolution``, ``Affine``, ``Relu``, ``MaxPoolTiles``,
``BatchNorm`` and ``SoftmaxCrossEntropy``.
"""
from .activation import Relu, leaky_relu, log_softmax, relu, relu_composed, sigmoid, softmax, tanh
from .conv import Convolution, conv2d, conv2d_composed
from .im2col import Col2im, Im2col, im2col
from .pooling import (
    MaxPoolTiles, avg_pool2d, max_pool2d, max_pool2d_composed, max_pool2d_windows,
)
from .dropout import dropout
from .linear import Affine, embedding, linear, linear_composed
from .loss import (
    SoftmaxCrossEntropy, binary_cross_entropy_with_logits, cross_entropy,
    cross_entropy_composed, mse_loss,
)
from .norm import BatchNorm, batch_norm, batch_norm_composed, layer_norm

__all__ = [
    "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear", "embedding",
    "conv2d", "im2col", "max_pool2d", "avg_pool2d", "batch_norm", "dropout", "cross_entropy",
    "cross_entropy_composed", "mse_loss", "binary_cross_entropy_with_logits", "Im2col",
    "Col2im", "SoftmaxCrossEntropy", "Relu", "relu_composed", "MaxPoolTiles",
    "max_pool2d_composed", "max_pool2d_windows", "Convolution", "conv2d_composed", "Affine",
    "linear_composed", "BatchNorm", "batch_norm_composed",
]
