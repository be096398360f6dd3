"""Recurrent cells as functions of autograd ops (so every derivative order works): one time
step of an Elman RNN, an LSTM and a GRU, with PyTorch's formulas, weight layouts and gate
orders (LSTM i, f, g, o; GRU r, z, n). The LSTM's gates are one fused op, ``LSTMGates``,
with ``lstm_gates_composed`` as its reference.

Each step takes ``xw``, the input's part of the gates already computed (``x W_ih^T + b_ih``):
the layers compute it for all time steps in one product before the loop, which only the
hidden state's part, ``h W_hh^T + b_hh``, has to wait for.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, ShapeError, Variable
from autograd.devices import array_module

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
    c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c') (``LSTMGates``, fused).

    Shape: xw (N, 4H), h and c (N, H) -> h', c' (N, H).
    """
    return LSTMGates()(xw + linear(h, w_hh, b_hh), c)


def lstm_gates_composed(a: Any, c: Any) -> tuple[Variable, Variable]:
    """The reference LSTMGates fuses: split, sigmoid, tanh and the products, one op each."""
    i, f, g, o = ag.split(ag.as_variable(a), 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * ag.tanh(g)
    return sigmoid(o) * ag.tanh(c), c


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.tanh(x * 0.5) * 0.5 + 0.5  # as ag.sigmoid: never overflows


class LSTMGates(Function):
    """The gates of an LSTM step, fused: from pre-activations a = (a_i, a_f, a_g, a_o)
    (N, 4H) and the cell c (N, H): i, f, o = sigmoid(a_i, a_f, a_o), g = tanh(a_g),
    c' = f c + i g, h' = o tanh(c'). Outputs (h', c').

    Gradients, with dc = grad_c' + grad_h' o (1 - tanh(c')^2): grad_c = dc f and
    grad_a = (dc g i (1 - i), dc c f (1 - f), dc i (1 - g^2), grad_h' tanh(c') o (1 - o)).

    NOTE: one op where ``lstm_gates_composed`` (the reference) records 15 (bench
    lstm_lm_train: the 35-step loop's per-op cost was a third of a step); forward keeps the
    gate activations for fast_backward.
    """

    freed_after_backward = ("acts", "tc")

    def forward(self, a, c):
        n4 = a.shape[-1]
        if n4 % 4 or a.shape[:-1] + (n4 // 4,) != c.shape:
            raise ShapeError(f"LSTMGates: pre-activations of shape {a.shape} need a cell of "
                             f"shape {a.shape[:-1] + (n4 // 4,)}, got {c.shape}")
        self.save_for_backward(a, c)
        hsz = n4 // 4
        acts = array_module(a).empty(a.shape, np.result_type(a, c))
        acts[..., :2 * hsz] = _sigmoid(a[..., :2 * hsz])
        acts[..., 2 * hsz:3 * hsz] = np.tanh(a[..., 2 * hsz:3 * hsz])
        acts[..., 3 * hsz:] = _sigmoid(a[..., 3 * hsz:])
        i, f, g, o = np.split(acts, 4, axis=-1)
        c_new = f * c + i * g
        tc = np.tanh(c_new)
        if self.requires_grad:
            self.acts, self.tc = acts, tc
        return o * tc, c_new

    def backward(self, grad_h, grad_c):
        a, c = self.saved
        i, f, g, o = ag.split(a, 4, axis=-1)
        i, f, g, o = sigmoid(i), sigmoid(f), ag.tanh(g), sigmoid(o)
        tc = ag.tanh(f * c + i * g)
        dc = grad_c + grad_h * o * (1.0 - tc * tc)
        da = ag.concatenate([dc * g * i * (1.0 - i), dc * c * f * (1.0 - f),
                             dc * i * (1.0 - g * g), grad_h * tc * o * (1.0 - o)], axis=-1)
        return da, dc * f

    def fast_backward(self, grad_h, grad_c):
        c = self.saved[1].data
        i, f, g, o = np.split(self.acts, 4, axis=-1)
        tc = self.tc
        dc = grad_c + grad_h * o * (1 - tc * tc)
        da = np.concatenate([dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g * g),
                             grad_h * tc * o * (1 - o)], axis=-1)
        return da, dc * f


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
