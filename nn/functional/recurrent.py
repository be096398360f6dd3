"""Recurrent cells as functions of autograd ops (so every derivative order works): one time
step of an Elman RNN, an LSTM and a GRU, with PyTorch's formulas, weight layouts and gate
orders (LSTM i, f, g, o; GRU r, z, n). The LSTM's gates are one fused op, ``LSTMGates``,
with ``lstm_gates_composed`` as its reference; a whole LSTM layer (every step of one
direction) is one more, ``LSTMLayer``, with ``lstm_layer_composed`` (``lstm_step`` per step)
as its reference.

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


def _quarters(x: Any) -> tuple:
    """The four gates of (*, 4H), as views (np.split costs ~30 µs a call)."""
    hsz = x.shape[-1] // 4
    return x[..., :hsz], x[..., hsz:2 * hsz], x[..., 2 * hsz:3 * hsz], x[..., 3 * hsz:]


def _gates(a: np.ndarray, c: np.ndarray, acts: np.ndarray) -> tuple:
    """LSTMGates' forward on arrays, the activations i, f, g, o written into ``acts``.
    Returns (h', c', tanh(c'))."""
    hsz = a.shape[-1] // 4
    acts[..., :2 * hsz] = _sigmoid(a[..., :2 * hsz])
    acts[..., 2 * hsz:3 * hsz] = np.tanh(a[..., 2 * hsz:3 * hsz])
    acts[..., 3 * hsz:] = _sigmoid(a[..., 3 * hsz:])
    i, f, g, o = _quarters(acts)
    c_new = f * c + i * g
    tc = np.tanh(c_new)
    return o * tc, c_new, tc


def _gates_grad(acts: np.ndarray, c: np.ndarray, tc: np.ndarray, grad_h: np.ndarray,
                grad_c: np.ndarray, out: np.ndarray | None = None) -> tuple:
    """LSTMGates' gradient on arrays, from the activations ``_gates`` kept: (grad_a, grad_c),
    grad_a written into ``out`` if given."""
    i, f, g, o = _quarters(acts)
    dc = grad_c + grad_h * o * (1 - tc * tc)
    da = np.concatenate([dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g * g),
                         grad_h * tc * o * (1 - o)], axis=-1, out=out)
    return da, dc * f


def _gates_vjp(a: Variable, c: Variable, grad_h: Variable, grad_c: Variable) -> tuple:
    """LSTMGates' gradient on Variables (the reference): (grad_a, grad_c)."""
    i, f, g, o = ag.split(a, 4, axis=-1)
    i, f, g, o = sigmoid(i), sigmoid(f), ag.tanh(g), sigmoid(o)
    tc = ag.tanh(f * c + i * g)
    dc = grad_c + grad_h * o * (1.0 - tc * tc)
    da = ag.concatenate([dc * g * i * (1.0 - i), dc * c * f * (1.0 - f),
                         dc * i * (1.0 - g * g), grad_h * tc * o * (1.0 - o)], axis=-1)
    return da, dc * f


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
        acts = array_module(a).empty(a.shape, np.result_type(a, c))
        h, c_new, tc = _gates(a, c, acts)
        if self.requires_grad:
            self.acts, self.tc = acts, tc
        return h, c_new

    def backward(self, grad_h, grad_c):
        a, c = self.saved
        return _gates_vjp(a, c, grad_h, grad_c)

    def fast_backward(self, grad_h, grad_c):
        return _gates_grad(self.acts, self.saved[1].data, self.tc, grad_h, grad_c)


def lstm_layer_composed(xw: Any, h0: Any, c0: Any, w_hh: Any,
                        reverse: bool = False) -> tuple[Variable, Variable, Variable]:
    """The reference LSTMLayer fuses: ``lstm_step`` once per time step (no hidden bias: xw
    holds both). Shape: xw (T, N, 4H), h0 and c0 (N, H), w_hh (4H, H) -> hs (T, N, H), the
    last step's h and c (N, H)."""
    xw = ag.as_variable(xw)
    steps = xw.shape[0]
    h, c, hs = h0, c0, [None] * steps
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        h, c = lstm_step(xw[t], h, c, w_hh, None)
        hs[t] = h
    return ag.stack(hs), h, c


class LSTMLayer(Function):
    """An LSTM over a whole sequence, fused: ``lstm_layer_composed`` in one op. Steps t = 0 ..
    T-1 (``reverse``: T-1 .. 0) from (h0, c0): a_t = xw_t + h W_hh^T, (h, c) = LSTMGates(a_t,
    c). Outputs hs (T, N, H) and the last step's h and c (N, H).

    Gradient, backpropagation through time: from the last step back, grad_a_t and the cell's
    gradient as LSTMGates' (its h' receiving grad_hs_t plus the next step's grad_a W_hh);
    grad_xw = grad_a; grad_h0, grad_c0 what reaches the start; grad_W_hh = sum_t grad_a_t^T
    h_t-1, one product over all steps.

    NOTE: one op where the composed layer records ~5 a step and runs ~8 gradients a step
    (bench lstm_lm_train: the 35-step loop's per-op cost, its per-step bias and weight
    reductions and the gradient slices of xw were ~40% of a step).
    """

    freed_after_backward = ("acts", "cells", "tanh_cells", "hs")

    def forward(self, xw, h0, c0, w_hh, *, reverse=False):
        steps, n = xw.shape[:2] if xw.ndim == 3 else (0, 0)
        hsz = w_hh.shape[-1]
        if xw.ndim != 3 or not steps or w_hh.shape != (4 * hsz, hsz) or \
                xw.shape[2] != 4 * hsz or h0.shape != (n, hsz) or c0.shape != (n, hsz):
            raise ShapeError(f"LSTMLayer: expected xw (T, N, 4H) with T >= 1, h0 and c0 (N, H) "
                             f"and w_hh (4H, H), got {xw.shape}, {h0.shape}, {c0.shape} and "
                             f"{w_hh.shape}")
        self.save_for_backward(xw, h0, c0, w_hh)
        dtype = np.result_type(xw, h0, c0, w_hh)
        xp = array_module(xw)
        acts = xp.empty(xw.shape, dtype)
        hs, cells, tanh_cells = (xp.empty((steps, n, hsz), dtype) for _ in range(3))
        w_t = w_hh.T
        h, c = h0, c0
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            cells[t] = c  # the cell each step starts from
            h, c, tanh_cells[t] = _gates(xw[t] + h @ w_t, c, acts[t])
            hs[t] = h
        if self.requires_grad:
            self.acts, self.cells, self.tanh_cells, self.hs = acts, cells, tanh_cells, hs
        return hs, h, c

    def backward(self, grad_hs, grad_h, grad_c):
        xw, h0, c0, w_hh = self.saved
        reverse = self.params.get("reverse", False)
        steps = xw.shape[0]
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        h, c, kept = h0, c0, [None] * steps
        for t in order:  # the steps again, as Variables: the gradient depends on them
            a = xw[t] + linear(h, w_hh, None)
            kept[t] = a, c, h
            h, c = LSTMGates()(a, c)
        grad_xw, grad_w = [None] * steps, None
        for t in reversed(order):
            a, c, h = kept[t]
            grad_xw[t], grad_c = _gates_vjp(a, c, grad_hs[t] + grad_h, grad_c)
            grad_h = grad_xw[t] @ w_hh
            grad_w_t = grad_xw[t].T @ h
            grad_w = grad_w_t if grad_w is None else grad_w + grad_w_t
        return ag.stack(grad_xw), grad_h, grad_c, grad_w

    def fast_backward(self, grad_hs, grad_h, grad_c):
        xw, h0, _, w_hh = (v.data for v in self.saved)
        reverse = self.params.get("reverse", False)
        steps, hsz = xw.shape[0], w_hh.shape[1]
        grad_xw = np.empty_like(self.acts)
        for t in (range(steps) if reverse else range(steps - 1, -1, -1)):
            _, grad_c = _gates_grad(self.acts[t], self.cells[t], self.tanh_cells[t],
                                    grad_hs[t] + grad_h, grad_c, out=grad_xw[t])
            grad_h = grad_xw[t] @ w_hh
        grad_w = None
        if self.needs_input_grad[3]:
            # the h each step started from, in the same order as grad_xw
            h_in = np.concatenate([self.hs[1:], h0[None]] if reverse else
                                  [h0[None], self.hs[:-1]])
            grad_w = grad_xw.reshape(-1, 4 * hsz).T @ h_in.reshape(-1, hsz)
        return grad_xw, grad_h, grad_c, grad_w


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
