"""Strategies for the geometries of layers: convolution, pooling and sequences. Each draws a
dict of small sizes that always fit together (every output side at least 1), so a test of a
layer draws its geometry first and its arrays from it:

>>> from hypothesis import given, strategies as st
>>> from autograd.testing import arrays, conv_geometry
>>> @given(conv_geometry().flatmap(lambda g: st.tuples(st.just(g), arrays(g["input_shape"]))))
... def test_shapes(case):
...     g, x = case
...     assert x.shape == g["input_shape"] and min(g["output_hw"]) >= 1
>>> test_shapes()
"""
from __future__ import annotations

from typing import Any

from .strategies import st


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """One output side of a convolution or pooling window: PyTorch's formula."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


@st.composite
def conv_geometry(draw: Any, pool: bool = False, max_kernel: int = 3,
                  max_channels: int = 2, max_batch: int = 2) -> dict:
    """Kernel, stride, padding, dilation and sizes of a 2-d convolution (with ``pool``, of a
    pooling window: no dilation, padding at most half the kernel, as PyTorch allows).

    Keys: ``kernel``, ``stride``, ``padding``, ``dilation`` (pairs), ``hw`` (input height and
    width), ``n`` (batch), ``c`` (input channels), ``out_channels``, ``input_shape``
    (N, C, H, W), ``weight_shape`` (out_channels, C, KH, KW) and ``output_hw``.
    """
    k = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dil = (1, 1) if pool else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = tuple(draw(st.integers(0, kk // 2 if pool else 2)) for kk in k)
    hw = tuple(max(1, d * (kk - 1) + 1 - 2 * p) + draw(st.integers(0, 3))
               for kk, d, p in zip(k, dil, pad))
    n, c = draw(st.integers(1, max_batch)), draw(st.integers(1, max_channels))
    oc = draw(st.integers(1, max_channels))
    out = tuple(output_size(s, kk, ss, p, d) for s, kk, ss, p, d in zip(hw, k, stride, pad, dil))
    return dict(kernel=k, stride=stride, padding=pad, dilation=dil, hw=hw, n=n, c=c,
                out_channels=oc, input_shape=(n, c) + hw, weight_shape=(oc, c) + k,
                output_hw=out)


def pool_geometry(max_kernel: int = 3, max_channels: int = 2,
                  max_batch: int = 2) -> st.SearchStrategy[dict]:
    """``conv_geometry(pool=True)``: a pooling window and an input it fits."""
    return conv_geometry(pool=True, max_kernel=max_kernel, max_channels=max_channels,
                         max_batch=max_batch)


@st.composite
def sequence_geometry(draw: Any, max_steps: int = 4, max_batch: int = 3, max_size: int = 3,
                      max_layers: int = 2) -> dict:
    """The sizes of a recurrent layer and its input, as ``torch.nn.RNN`` names them.

    Keys: ``T`` (steps), ``N`` (batch), ``input_size``, ``hidden_size``, ``num_layers``,
    ``bidirectional``, ``batch_first``, ``input_shape`` ((N, T, input_size) when batch_first,
    else (T, N, input_size)) and ``state_shape`` ((layers * directions, N, hidden_size)).
    """
    t, n = draw(st.integers(1, max_steps)), draw(st.integers(1, max_batch))
    i, h = draw(st.integers(1, max_size)), draw(st.integers(1, max_size))
    layers, bi, first = draw(st.integers(1, max_layers)), draw(st.booleans()), draw(
        st.booleans())
    return dict(T=t, N=n, input_size=i, hidden_size=h, num_layers=layers, bidirectional=bi,
                batch_first=first, input_shape=(n, t, i) if first else (t, n, i),
                state_shape=(layers * (2 if bi else 1), n, h))
