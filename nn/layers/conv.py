"""Convolution and pooling layers (through im2col, see ``nn.functional.conv``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Variable

from .. import functional as F
from .. import init
from ..functional.im2col import Pair, pair
from ..module import Module, Parameter
from .linear import in_layer_dtype


class Conv2d(Module):
    """2-D convolution with weight (out_channels, in_channels, KH, KW), as in PyTorch.

    Weights start He-normal (std sqrt(2 / (in_channels KH KW))), biases 0.

    Shape:
        (N, in_channels, H, W) -> (N, out_channels, OH, OW) with
        OH = (H + 2 padding - dilation (KH - 1) - 1) // stride + 1, and likewise OW.

    >>> import numpy as np
    >>> Conv2d(1, 30, 5)(np.zeros((2, 1, 28, 28), dtype=np.float32)).shape
    (2, 30, 24, 24)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Pair,
                 stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, bias: bool = True,
                 dtype: Any = np.float32) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = pair(stride, "stride", "Conv2d", 1)
        self.padding = pair(padding, "padding", "Conv2d", 0)
        self.dilation = pair(dilation, "dilation", "Conv2d", 1)
        self.weight = Parameter(np.empty((out_channels, in_channels) + self.kernel_size,
                                         dtype=dtype))
        init.kaiming_normal_(self.weight)
        self.bias = Parameter(np.zeros(out_channels, dtype=dtype)) if bias else None

    def forward(self, x: Any) -> Variable:
        x = in_layer_dtype(x, self.weight.dtype)  # see Linear
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}" +
                (f", dilation={self.dilation}" if self.dilation != (1, 1) else "") +
                ("" if self.bias is not None else ", bias=False"))


class _Pool2d(Module):
    def __init__(self, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each window; ``stride`` defaults to ``kernel_size``.

    Shape:
        (N, C, H, W) -> (N, C, OH, OW).
    """

    def forward(self, x: Any) -> Variable:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each window (zero padding counted); ``stride`` defaults to ``kernel_size``.

    Shape:
        (N, C, H, W) -> (N, C, OH, OW).
    """

    def forward(self, x: Any) -> Variable:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)
