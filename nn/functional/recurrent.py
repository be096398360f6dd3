"""Recurrent cells as functions, composed of autograd ops (so every derivative order works and
the graph picture shows each gate): one time step of an Elman RNN, an LSTM and a GRU, with
PyTorch's formulas, weight layouts and gate orders (LSTM i, f, g, o; GRU r, z, n).

Each step takes ``xw``, the input's part of the gates already computed (``x W_ih^T + b_ih``):
the layers compute it for all time steps in one product before the loop, which only the
hidden state's part, ``h W_hh^T + b_hh``, has to wait for.
"""
from __future__ import annotations

from typing import Any

import autograd as ag
from autograd import Variable

from .activation import relu, sigmoid
from .linear import linear


def input_part(x: Any, w_ih: Variable, b_ih: Variable | None) -> Variable:
    """``x W_ih^T + b_ih`` for every step at once. Shape: (*, I) -> (*, G H)."""
    return linear(x, w_ih, b_ih)


def rnn_step(xw: Variable, h: Variable, w_hh: Variable, b_hh: Variable | None,
             nonlinearity: str = "tanh") -> Variable:
    """h' = act(xw + h W_hh^T + b_hh), act tanh or relu. Shape: xw (N, H), h (N, H) -> (N, H).
    """
    a = xw + linear(h, w_hh, b_hh)
    return ag.tanh(a) if nonlinearity == "tanh" else relu(a)


def lstm_step(xw: Variable, h: Variable, c: Variable, w_hh: Variable,
              b_hh: Variable | None) -> tuple[Variable, Variable]:
    """One LSTM step: gates = xw + h W_hh^T + b_hh split as i, f, g, o;
    c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c').

    Shape: xw (N, 4H), h and c (N, H) -> h', c' (N, H).
    """
    i, f, g, o = ag.split(xw + linear(h, w_hh, b_hh), 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * ag.tanh(g)
    return sigmoid(o) * ag.tanh(c), c


def gru_step(xw: Variable, h: Variable, w_hh: Variable, b_hh: Variable | None) -> Variable:
    """One GRU step, as PyTorch: r, z from xw + h W_hh^T + b_hh; n = tanh(xw_n + r (h W_hn^T +
    b_hn)); h' = (1 - z) n + z h. The reset gate multiplies the hidden part *with* its bias.

    Shape: xw (N, 3H), h (N, H) -> (N, H).
    """
    xr, xz, xn = ag.split(xw, 3, axis=-1)
    hr, hz, hn = ag.split(linear(h, w_hh, b_hh), 3, axis=-1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = ag.tanh(xn + r * hn)
    return (1.0 - z) * n + z * h
