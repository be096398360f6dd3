"""Recurrent layers with PyTorch's signatures, parameter names and layouts, so a torch
``state_dict`` loads as it is: ``RNN``, ``LSTM`` and ``GRU`` (several layers, both directions,
``batch_first``, dropout between layers, the initial state in and the last state out), and one
step of each as ``RNNCell``, ``LSTMCell`` and ``GRUCell``.

The time loop is plain Python over ``nn.functional.recurrent``'s steps (the LSTM's gates one
fused op), so the graph of an unrolled sequence is an ordinary graph: backward through it is
backpropagation through time, and ``h.detach()`` between batches truncates it. The LSTM runs
that loop inside one op per layer and direction (``LSTMLayer``) unless ``unroll`` is set.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import ArgumentError, ShapeError, Variable
from autograd.devices import array_module

from .. import functional as F
from .. import init
from ..functional import recurrent as R
from ..module import Module, Parameter
from .linear import in_layer_dtype

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _uniform_all(module: Module, hidden_size: int) -> None:
    """PyTorch's initialisation of every recurrent weight and bias: U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / math.sqrt(hidden_size)
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def _step(mode: str, xw: Variable, state: Any, w_hh: Variable, b_hh: Any) -> Any:
    """One step of ``mode``; the state is h, or (h, c) for the LSTM."""
    if mode == "LSTM":
        return R.lstm_step(xw, state[0], state[1], w_hh, b_hh)
    if mode == "GRU":
        return R.gru_step(xw, state, w_hh, b_hh)
    return R.rnn_step(xw, state, w_hh, b_hh, "tanh" if mode == "RNN_TANH" else "relu")


class _CellBase(Module):
    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 dtype: Any = np.float32) -> None:
        super().__init__()
        g = GATES[self.mode] * hidden_size
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = Parameter(np.empty((g, input_size), dtype))
        self.weight_hh = Parameter(np.empty((g, hidden_size), dtype))
        self.bias_ih = Parameter(np.empty(g, dtype)) if bias else None
        self.bias_hh = Parameter(np.empty(g, dtype)) if bias else None
        _uniform_all(self, hidden_size)

    def forward(self, x: Any, hx: Any = None) -> Any:
        name = type(self).__name__
        x = in_layer_dtype(x, self.weight_ih.dtype)
        shape = np.shape(x.data if isinstance(x, Variable) else x)
        if len(shape) not in (1, 2) or shape[-1] != self.input_size:
            raise ShapeError(f"{name}: expected input of shape (N, {self.input_size}) or "
                             f"({self.input_size},), got {shape}")
        batched = len(shape) == 2
        if not batched:
            x = ag.reshape(x, (1, self.input_size))
        n = 1 if not batched else shape[0]
        state = _cell_state(self.mode, hx, n, self.hidden_size, self.weight_ih.data, batched,
                            name)
        out = _step(self.mode, R.input_part(x, self.weight_ih, self.bias_ih), state,
                    self.weight_hh, self.bias_hh)
        if batched:
            return out
        return tuple(o.reshape(self.hidden_size) for o in out) if self.mode == "LSTM" else \
            out.reshape(self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias_ih is not None}"


def _cell_state(mode: str, hx: Any, n: int, hidden: int, like: Any, batched: bool,
                name: str) -> Any:
    """The initial state, zeros of the dtype and on the device of the weights ``like``."""
    dtype, want = like.dtype, (n, hidden) if batched else (hidden,)

    def one(v: Any) -> Any:
        if v is None:
            return array_module(like).zeros((n, hidden), dtype)
        v = in_layer_dtype(v, dtype)
        got = np.shape(v.data if isinstance(v, Variable) else v)
        if got != want:
            raise ShapeError(f"{name}: expected a hidden state of shape {want}, got {got}")
        return v if batched else ag.reshape(v, (1, hidden))

    if mode == "LSTM":
        h, c = (None, None) if hx is None else hx
        return one(h), one(c)
    return one(hx)


class RNNCell(_CellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Shape: x (N, I) or (I,), h (N, H) or (H,), None for zeros -> h' of h's shape.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", dtype: Any = np.float32) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got "
                                f"{nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, dtype)  # one gate either way
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.nonlinearity = nonlinearity


class LSTMCell(_CellBase):
    """One LSTM step, gates i, f, g, o as in PyTorch. Shape: x (N, I), (h, c) each (N, H)
    (or None for zeros) -> (h', c')."""

    mode = "LSTM"


class GRUCell(_CellBase):
    """One GRU step, gates r, z, n as in PyTorch. Shape: x (N, I), h (N, H) -> h' (N, H)."""

    mode = "GRU"


class _RecurrentBase(Module):
    mode = "RNN_TANH"
    # The LSTM runs each layer and direction as one fused op (R.LSTMLayer); unroll = True
    # records every step as its own ops instead (R.lstm_step, the reference), which graph
    # pictures show one frame per step. RNN and GRU always unroll.
    unroll = False

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: Any = np.float32) -> None:
        super().__init__()
        name = type(self).__name__
        if int(num_layers) < 1 or int(hidden_size) < 1 or int(input_size) < 1:
            raise ArgumentError(f"{name}: input_size, hidden_size and num_layers must be at "
                                f"least 1 (got {input_size}, {hidden_size}, {num_layers})")
        if not 0.0 <= dropout <= 1.0:
            raise ArgumentError(f"{name}: dropout must be in [0, 1], got {dropout}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional = bidirectional
        directions = 2 if bidirectional else 1
        g = GATES[self.mode] * hidden_size
        for layer in range(num_layers):
            size = input_size if layer == 0 else hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                setattr(self, f"weight_ih_l{layer}{suffix}", Parameter(np.empty((g, size), dtype)))
                setattr(self, f"weight_hh_l{layer}{suffix}",
                        Parameter(np.empty((g, hidden_size), dtype)))
                if bias:
                    setattr(self, f"bias_ih_l{layer}{suffix}", Parameter(np.empty(g, dtype)))
                    setattr(self, f"bias_hh_l{layer}{suffix}", Parameter(np.empty(g, dtype)))
        _uniform_all(self, hidden_size)

    def _weights(self, layer: int, reverse: bool) -> tuple:
        s = f"l{layer}{'_reverse' if reverse else ''}"
        get = self.__dict__.get
        return (get(f"weight_ih_{s}"), get(f"weight_hh_{s}"), get(f"bias_ih_{s}"),
                get(f"bias_hh_{s}"))

    def forward(self, x: Any, hx: Any = None) -> tuple[Variable, Any]:
        """Run the whole sequence. Returns ``(output, h_n)``, for the LSTM
        ``(output, (h_n, c_n))``.

        Shape:
            x (T, N, I), or (N, T, I) with ``batch_first``, or unbatched (T, I);
            hx (L * D, N, H) (for the LSTM a pair (h0, c0)), None for zeros;
            output (T, N, D * H) (batch_first: (N, T, D * H)); h_n, c_n (L * D, N, H);
            D is 2 for a bidirectional layer, else 1.
        """
        name = type(self).__name__
        dtype = self.weight_ih_l0.dtype
        x = ag.as_variable(in_layer_dtype(x, dtype))
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            layout = "(N, T, I)" if self.batch_first else "(T, N, I)"
            raise ShapeError(f"{name}: expected input of shape {layout} or (T, I) with I = "
                             f"{self.input_size}, got {x.shape}")
        batched = x.ndim == 3
        if not batched:
            x = ag.expand_dims(x, 1)
        elif self.batch_first:
            x = ag.swapaxes(x, 0, 1)
        steps, n = x.shape[0], x.shape[1]
        directions = 2 if self.bidirectional else 1
        h0, c0 = self._initial(hx, n, dtype, batched, directions, name)
        layer_input = x
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
            outputs = []
            for d in range(directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, reverse=d == 1)
                k = layer * directions + d
                direction = f"l{layer}{'_reverse' if d else ''}"
                if self.mode == "LSTM" and not self.unroll:
                    # one op for the whole loop, both biases in the input part (summed once)
                    xw = R.input_part(layer_input, w_ih, None if b_ih is None else b_ih + b_hh)
                    with ag.name_scope(direction):
                        hs_all, h, c = R.LSTMLayer()(xw, _slice(h0, k), _slice(c0, k), w_hh,
                                                     reverse=d == 1)
                    outputs.append(hs_all)
                    last_h.append(h)
                    last_c.append(c)
                    continue
                xw = R.input_part(layer_input, w_ih, b_ih)  # (T, N, G H): one product
                state = (_slice(h0, k), _slice(c0, k)) if self.mode == "LSTM" else \
                    _slice(h0, k)
                hs: list[Variable] = [None] * steps  # type: ignore[list-item]
                for t in (range(steps) if d == 0 else range(steps - 1, -1, -1)):
                    # each step a frame of its own in graph pictures (collapse= folds them)
                    with ag.name_scope(direction), ag.name_scope(f"t{t}"):
                        state = _step(self.mode, xw[t], state, w_hh, b_hh)
                    hs[t] = state[0] if self.mode == "LSTM" else state
                outputs.append(ag.stack(hs))
                last_h.append(state[0] if self.mode == "LSTM" else state)
                if self.mode == "LSTM":
                    last_c.append(state[1])
            layer_input = outputs[0] if directions == 1 else ag.concatenate(outputs, axis=-1)
        out = layer_input
        h_n = ag.stack(last_h)
        c_n = ag.stack(last_c) if self.mode == "LSTM" else None
        if not batched:
            out, h_n = out[:, 0], h_n[:, 0]
            c_n = c_n[:, 0] if c_n is not None else None
        elif self.batch_first:
            out = ag.swapaxes(out, 0, 1)
        return (out, (h_n, c_n)) if self.mode == "LSTM" else (out, h_n)

    def _initial(self, hx: Any, n: int, dtype: np.dtype, batched: bool, directions: int,
                 name: str) -> tuple[Any, Any]:
        want = (self.num_layers * directions, n, self.hidden_size)

        def one(v: Any, what: str) -> Any:
            if v is None:
                xp = array_module(next(self.parameters()).data)
                return ag.Variable(xp.zeros(want, dtype), requires_grad=False)
            v = ag.as_variable(in_layer_dtype(v, dtype))
            expected = want if batched else (want[0], want[2])
            if v.shape != expected:
                raise ShapeError(f"{name}: expected {what} of shape {expected}, got {v.shape}")
            return v if batched else ag.expand_dims(v, 1)

        if self.mode == "LSTM":
            h, c = (None, None) if hx is None else hx
            return one(h, "h0"), one(c, "c0")
        return one(hx, "h0"), None

    def extra_repr(self) -> str:
        extra = [f"{self.input_size}, {self.hidden_size}"]
        if self.num_layers != 1:
            extra.append(f"num_layers={self.num_layers}")
        for key, default in (("bias", True), ("batch_first", False), ("dropout", 0.0),
                             ("bidirectional", False)):
            if getattr(self, key) != default:
                extra.append(f"{key}={getattr(self, key)}")
        return ", ".join(extra)


def _slice(state: Variable, k: int) -> Variable:
    """Layer k's initial state; a named constant (a detached state, say) names its slices too,
    so a picture shows where a truncated sequence picks up."""
    part = state[k]
    if state.name is not None and part.creator is None and part.name is None:
        part.name = f"{state.name}[{k}]"
    return part


class RNN(_RecurrentBase):
    """An Elman RNN over a sequence, as ``torch.nn.RNN``: h_t = tanh(x_t W_ih^T + b_ih +
    h_{t-1} W_hh^T + b_hh) (``nonlinearity="relu"`` for relu), stacked ``num_layers`` deep."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False,
                 dtype: Any = np.float32) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"RNN: nonlinearity must be 'tanh' or 'relu', got "
                                f"{nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype)  # one gate either way
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.nonlinearity = nonlinearity


class LSTM(_RecurrentBase):
    """A long short-term memory over a sequence, as ``torch.nn.LSTM`` (gates i, f, g, o).
    ``forward(x, (h0, c0))`` returns ``(output, (h_n, c_n))``. Each layer and direction runs
    as one op, ``LSTMLayer``; set ``unroll = True`` to record every time step as its own ops
    instead (graph pictures with a frame per step)."""

    mode = "LSTM"


class GRU(_RecurrentBase):
    """A gated recurrent unit over a sequence, as ``torch.nn.GRU`` (gates r, z, n)."""

    mode = "GRU"
