"""im2col: every window of an image laid out as a column, and its adjoint col2im.

``Im2col`` and ``Col2im`` are each other's adjoint (one copies windows out, the other adds them
back), so each is the other's backward. The array helpers here are shared by the fused
convolution (``conv.py``) and pooling. Shapes use the letters of the docs: N, C, H, W, KH, KW,
OH, OW.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, ShapeError, Variable, parallel
from autograd.devices import array_module, as_strided

Pair = int | tuple[int, int]


def pair(value: Pair, name: str, op: str, minimum: int = 0) -> tuple[int, int]:
    """``value`` as an (height, width) pair of ints, each at least ``minimum``."""
    try:
        out = (int(value), int(value)) if np.ndim(value) == 0 else tuple(int(v) for v in value)
    except (TypeError, ValueError) as err:
        raise ShapeError(f"{op}: {name} must be an int or a pair of ints "
                         f"(got {value!r})") from err
    if len(out) != 2 or min(out) < minimum:
        raise ShapeError(f"{op}: {name} must be an int or a pair of ints >= {minimum} "
                         f"(got {value!r})")
    return out  # type: ignore[return-value]


def output_size(size: int, kernel: int, stride: int, pad: int, dilation: int) -> int:
    """The number of window positions along one axis: (size + 2 pad - d (k - 1) - 1) // s + 1."""
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


class Im2col(Function):
    """Windows of x (N, C, H, W) as cols (N, C, KH, KW, OH, OW), zero padding included.

    cols[n, c, i, j, y, x] = x_padded[n, c, y SH + i DH, x SW + j DW]. grad_x = col2im(grad).
    """

    def forward(self, x, *, kernel, stride, padding, dilation):
        self.params_ = (kernel, stride, padding, dilation)
        self.x_shape = x.shape
        return im2col_array(x, kernel, stride, padding, dilation)

    def backward(self, grad):
        return Col2im()(grad, x_shape=self.x_shape, kernel=self.params_[0],
                        stride=self.params_[1], padding=self.params_[2],
                        dilation=self.params_[3])


class Col2im(Function):
    """The adjoint of Im2col: cols (N, C, KH, KW, OH, OW) added back into an (N, C, H, W)
    array (overlapping windows add up). grad_cols = im2col(grad)."""

    def forward(self, cols, *, x_shape, kernel, stride, padding, dilation):
        self.params_ = (kernel, stride, padding, dilation)
        return col2im_array(cols, x_shape, kernel, stride, padding, dilation)

    def backward(self, grad):
        kernel, stride, padding, dilation = self.params_
        return Im2col()(grad, kernel=kernel, stride=stride, padding=padding, dilation=dilation)


def im2col_array(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int], dilation: tuple[int, int]) -> np.ndarray:
    """The windows of x (N, C, H, W) copied into a new (N, C, KH, KW, OH, OW) array."""
    n, c = x.shape[:2]
    cols = array_module(x).empty(
        (n, c, *kernel, *output_shape(x.shape, kernel, stride, padding, dilation)), x.dtype)
    parallel.chunked(lambda i: _copy_windows(x, cols, i, stride, padding, dilation), x,
                     cols.size)
    return cols


def _copy_windows(x: np.ndarray, cols: np.ndarray, rows: Any, stride: tuple[int, int],
                  padding: tuple[int, int], dilation: tuple[int, int]) -> None:
    """cols[rows] = the windows of x[rows] (cols being (N, C, KH, KW, OH, OW)): a strided view
    of the (padded) input, copied."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    src = x[rows]
    if ph or pw:
        n, c, h, w = src.shape
        padded = array_module(x).zeros((n, c, h + 2 * ph, w + 2 * pw), x.dtype)
        padded[:, :, ph:ph + h, pw:pw + w] = src
        src = padded
    s = src.strides
    out = cols[rows]
    np.copyto(out, as_strided(src, out.shape,
                              (s[0], s[1], s[2] * dh, s[3] * dw, s[2] * sh, s[3] * sw),
                              writeable=False))


def output_shape(x_shape: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    """(OH, OW) of windows over an (N, C, H, W) input."""
    return (output_size(x_shape[2], kernel[0], stride[0], padding[0], dilation[0]),
            output_size(x_shape[3], kernel[1], stride[1], padding[1], dilation[1]))


def correlate(x: np.ndarray, weight: np.ndarray, kernel: tuple[int, int],
              stride: tuple[int, int], padding: tuple[int, int],
              dilation: tuple[int, int]) -> np.ndarray:
    """Cross-correlation of x (N, C, H, W) with weight (OC, C, KH, KW) on arrays, no bias:
    y (N, OC, OH OW).

    The columns of a block of samples, (B, C KH KW, OH OW), are multiplied as a batch,
    (OC, C KH KW) @ (B, C KH KW, OH OW), with no transpose of either, while still in cache.
    """
    oc, c, kh, kw = weight.shape
    n = x.shape[0]
    oh, ow = output_shape(x.shape, kernel, stride, padding, dilation)
    w = weight.reshape(oc, c * kh * kw)
    y = array_module(x).empty((n, oc, oh * ow), np.result_type(w, x))

    def work(rows):
        for block, cols in column_blocks(x, rows, kernel, stride, padding, dilation):
            np.matmul(w, cols, out=y[block])

    parallel.chunked(work, x, n * c * kh * kw * oh * ow * (1 + oc // 64))
    return y


def weight_grad_array(x: np.ndarray, grad: np.ndarray, kernel: tuple[int, int],
                      stride: tuple[int, int], padding: tuple[int, int],
                      dilation: tuple[int, int]) -> np.ndarray:
    """grad_W (OC, C, KH, KW) = sum over n of G[n] cols[n]^T of a convolution of x
    (N, C, H, W) whose output has the gradient G (N, OC, OH, OW), on arrays.

    NOTE: the columns are made again here, block by block, not kept from forward: written
    once for the whole batch they leave the cache (45 MB for DeepConvNet's second layer) and
    are read back from memory. DeepConvNet at batch 100: forward plus this gradient over the
    six layers 42.9 -> 40.4 ms at 2 threads (72.2 -> 70.1 at 1); a training step at 2 threads
    78.5 -> 70.8 ms (median of 5 alternating runs; 1 thread unchanged), peak RSS 190 -> 75 MB.
    """
    n, c = x.shape[:2]
    oc, p = grad.shape[1], grad.shape[2] * grad.shape[3]
    ckk = c * kernel[0] * kernel[1]
    g = grad.reshape(n, oc, p)
    xp = array_module(x)
    dtype = np.result_type(x, g)
    totals = []  # one (C KH KW, OC) sum per thread

    def work(rows):
        total = xp.zeros((ckk, oc), dtype)
        per_sample = None
        for block, cols in column_blocks(x, rows, kernel, stride, padding, dilation):
            if per_sample is None:
                per_sample = xp.empty((len(cols), ckk, oc), dtype)
            # NOTE: cols G^T, (C KH KW, OC) per sample, not G cols^T: OpenBLAS's AVX-512
            # (SkylakeX) kernels run this orientation faster: DeepConvNet step at 1 thread
            # 133/146/141 -> 127/133/135 ms (alternating trees; AVX2 kernels favoured G cols^T)
            out = per_sample[:len(cols)]
            np.matmul(cols, g[block].transpose(0, 2, 1), out=out)
            total += out.sum(axis=0)
        totals.append(total)

    parallel.chunked(work, x, n * ckk * p * (1 + oc // 64))
    # a new C-ordered array, not a view: .grad keeps it as it is
    grad_w = xp.empty((oc, c, *kernel), totals[0].dtype)
    grad_w.reshape(oc, ckk)[...] = sum(totals[1:], totals[0]).T
    return grad_w


# NOTE: bytes of columns per im2col-and-product block: a block is multiplied while its columns
# are still in cache (2 MB of L2 per core where it was measured). It was 4 samples before: too
# few for small layers, whose Python calls per block then outweighed the work. correlate alone
# on DeepConvNet's layers at batch 100, 2 threads: 1 -> 16 channels at 28x28 1.41 -> 0.5 ms,
# 16 -> 32 at 14x14 2.8 -> 2.3, 64 -> 64 at 8x8 5.7 -> 5.3 (blocks of 1 to 32 samples tried);
# DeepConvNet inference 31.5 -> 28.6 ms (median of 5 alternating runs), training unchanged
BLOCK_BYTES = 2_500_000


def column_blocks(x: np.ndarray, rows: Any, kernel: tuple[int, int], stride: tuple[int, int],
                  padding: tuple[int, int], dilation: tuple[int, int]) -> Any:
    """For the samples ``rows`` of x (N, C, H, W) (a slice, or ... for all), yield
    ``(block, cols)``: a slice of about BLOCK_BYTES worth of samples and their columns,
    (B, C KH KW, OH OW), in one buffer that the next block overwrites."""
    n, c = x.shape[:2]
    oh, ow = output_shape(x.shape, kernel, stride, padding, dilation)
    lo, hi = (0, n) if rows is Ellipsis else (rows.start, rows.stop)
    size = c * kernel[0] * kernel[1] * oh * ow
    block_size = max(1, min(BLOCK_BYTES // max(1, size * x.dtype.itemsize), hi - lo))
    if type(x) is not np.ndarray:
        # NOTE: a GPU has no cache to fit, and every block costs kernel launches: one block.
        # H200, CuPy 14.2, python -m bench --device cuda, two alternations: DeepConvNet step
        # 32.6/32.8 -> 12.5/12.4 ms, inference 8.85/8.68 -> 2.75/2.68 ms
        block_size = max(1, hi - lo)
    # NOTE: one buffer per call (per thread), which stays in cache, not all N samples'
    # columns: DeepConvNet inference at 2 threads 34.1/36.4/37.0 -> 37.7/32.0/32.6 ms
    # (alternating trees)
    buffer = array_module(x).empty((block_size, c, *kernel, oh, ow), x.dtype)
    for b in range(lo, hi, block_size):
        block = slice(b, min(b + block_size, hi))
        cols = buffer[:block.stop - block.start]
        _copy_windows(x[block], cols, ..., stride, padding, dilation)
        yield block, cols.reshape(len(cols), c * kernel[0] * kernel[1], oh * ow)


def col2im_array(cols: np.ndarray, x_shape: tuple[int, ...], kernel: tuple[int, int],
                 stride: tuple[int, int], padding: tuple[int, int],
                 dilation: tuple[int, int]) -> np.ndarray:
    """Add each window back where it came from: one strided slice per kernel offset."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    n, c, h, w = x_shape
    oh, ow = cols.shape[4], cols.shape[5]
    out = array_module(cols).zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dh, j * dw
            out[:, :, y0:y0 + sh * oh:sh, x0:x0 + sw * ow:sw] += cols[:, :, i, j]
    return out[:, :, ph:ph + h, pw:pw + w]


def check_input(x: Variable, op: str, channels: int | None = None) -> None:
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        c = "C" if channels is None else str(channels)
        raise ShapeError(f"{op}: expected input of shape (N, {c}, H, W), got {x.shape}")


def im2col(x: Any, kernel_size: Pair, stride: Pair = 1, padding: Pair = 0,
           dilation: Pair = 1, op: str = "im2col") -> Variable:
    """Windows of x (N, C, H, W) as (N, C, KH, KW, OH, OW); raises if no window fits."""
    x = ag.as_variable(x)
    check_input(x, op)
    kernel, st, pad, dil = window_geometry(x, kernel_size, stride, padding, dilation, op)
    return Im2col()(x, kernel=kernel, stride=st, padding=pad, dilation=dil)


def window_geometry(x: Variable, kernel_size: Pair, stride: Pair, padding: Pair,
                     dilation: Pair, op: str) -> tuple[tuple[int, int], ...]:
    kernel = pair(kernel_size, "kernel_size", op, 1)
    st, pad, dil = (pair(stride, "stride", op, 1), pair(padding, "padding", op, 0),
                    pair(dilation, "dilation", op, 1))
    oh = output_size(x.shape[2], kernel[0], st[0], pad[0], dil[0])
    ow = output_size(x.shape[3], kernel[1], st[1], pad[1], dil[1])
    if oh <= 0 or ow <= 0:
        raise ShapeError(f"{op}: kernel {kernel} (dilation {dil}) does not fit the padded input "
                         f"{x.shape[2] + 2 * pad[0]}x{x.shape[3] + 2 * pad[1]} (input shape "
                         f"{x.shape}, padding {pad})")
    return kernel, st, pad, dil


def input_grad_array(grad: np.ndarray, weight: np.ndarray, x_shape: tuple[int, ...],
                     kernel: tuple[int, int], stride: tuple[int, int],
                     padding: tuple[int, int], dilation: tuple[int, int]) -> np.ndarray:
    """grad_x = col2im(W^T G) of a convolution, on arrays. With stride 1 that is a correlation
    of G, padded to the full size, with the kernel flipped and its channel axes swapped: one
    im2col of G instead of a col2im's KH KW strided additions, about twice as fast (DeepConvNet
    step 130 -> 111 ms, 1 thread)."""
    full = tuple(d * (k - 1) - p for k, p, d in zip(kernel, padding, dilation))
    if stride == (1, 1) and min(full) >= 0:
        flipped = weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
        return correlate(grad, flipped, kernel, stride, full, dilation).reshape(x_shape)
    oc, c, kh, kw = weight.shape
    n, oh, ow = grad.shape[0], grad.shape[2], grad.shape[3]
    w, g = weight.reshape(oc, c * kh * kw).T, grad.reshape(n, oc, oh * ow)
    gcols = array_module(g).empty((n, c * kh * kw, oh * ow), np.result_type(w, g))
    parallel.chunked(lambda i: np.matmul(w, g[i], out=gcols[i]), g, gcols.size * oc // 64)
    return col2im_array(gcols.reshape(n, c, kh, kw, oh, ow), x_shape, kernel, stride, padding,
                        dilation)

