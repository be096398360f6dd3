"""RNN, LSTM and GRU (and their cells) against torch.nn with the same weights: forward, every
gradient (input, initial state, each parameter) and double backward, over Hypothesis-drawn
sequence geometries; against numerical differentiation; and their errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
from autograd.testing import arrays, module_gradient_test, sequence_geometry

MODES = {"rnn_tanh": (nn.RNN, "RNN", {}), "rnn_relu": (nn.RNN, "RNN", {"nonlinearity": "relu"}),
         "lstm": (nn.LSTM, "LSTM", {}), "gru": (nn.GRU, "GRU", {})}


def _pair(torch, mode, g, bias=True, seed=0, unroll=False):
    """torch's layer and ours with its weights; ``unroll``: the LSTM records every step (the
    reference) instead of one fused LSTMLayer op per layer and direction."""
    ours_cls, name, kw = MODES[mode]
    kw = dict(kw, num_layers=g["num_layers"], bidirectional=g["bidirectional"],
              batch_first=g["batch_first"], bias=bias)
    torch.manual_seed(seed)
    theirs = getattr(torch.nn, name)(g["input_size"], g["hidden_size"], **kw).double()
    ours = ours_cls(g["input_size"], g["hidden_size"], dtype=np.float64, **kw)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.unroll = unroll
    return ours, theirs


def _flat(out):
    """output, h_n (and c_n) as a list."""
    seq, state = out
    return [seq, *(state if isinstance(state, tuple) else (state,))]


@settings(max_examples=25)
@given(g=sequence_geometry(), mode=st.sampled_from(sorted(MODES)), bias=st.booleans(),
       given_state=st.booleans(), unroll=st.booleans(), data=st.data())
def test_layers_match_torch(torch, g, mode, bias, given_state, unroll, data):
    ours, theirs = _pair(torch, mode, g, bias, unroll=unroll)
    x = data.draw(arrays(g["input_shape"]))
    states = [data.draw(arrays(g["state_shape"], "unit")) for _ in range(2 if mode == "lstm"
                                                                         else 1)]
    xv, xt = ag.Variable(x), torch.tensor(x, requires_grad=True)
    sv = [ag.Variable(s) for s in states]
    st_ = [torch.tensor(s, requires_grad=True) for s in states]
    hx_o = (tuple(sv) if mode == "lstm" else sv[0]) if given_state else None
    hx_t = (tuple(st_) if mode == "lstm" else st_[0]) if given_state else None
    outs_o, outs_t = _flat(ours(xv, hx_o)), _flat(theirs(xt, hx_t))
    weights = [np.linspace(-1, 1, o.size).reshape(o.shape) for o in outs_o]
    for o, t in zip(outs_o, outs_t):
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    sum(((o * w).sum() for o, w in zip(outs_o, weights)), ag.Variable(0.0)).backward()
    sum((t * torch.tensor(w)).sum() for t, w in zip(outs_t, weights)).backward()
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    if given_state:
        for a, b in zip(sv, st_):
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)


@settings(max_examples=10)
@given(g=sequence_geometry(max_steps=3, max_layers=1), mode=st.sampled_from(sorted(MODES)),
       unroll=st.booleans(), data=st.data())
def test_double_backward_matches_torch(torch, g, mode, unroll, data):
    """d/dx of |d out / d x|^2 (a gradient penalty): second derivatives through every gate."""
    ours, theirs = _pair(torch, mode, g, unroll=unroll)
    x = data.draw(arrays(g["input_shape"]))
    xv, xt = ag.Variable(x), torch.tensor(x, requires_grad=True)
    (gx,) = ag.grad(ours(xv)[0].sum(), xv, create_graph=True)
    (tgx,) = torch.autograd.grad(theirs(xt)[0].sum(), xt, create_graph=True)
    if gx.requires_grad:  # a relu RNN's gradient may not depend on x at all: nothing to do
        (gx * gx).sum().backward()
    if tgx.requires_grad:
        (tgx * tgx).sum().backward()
    ours_gg = xv.grad.data if xv.grad is not None else np.zeros(x.shape)
    theirs_gg = xt.grad.numpy() if xt.grad is not None else np.zeros(x.shape)
    np.testing.assert_allclose(ours_gg, theirs_gg, rtol=1e-8, atol=1e-11)


@pytest.mark.parametrize("mode", ["rnn_tanh", "lstm", "gru"])
def test_cells_match_torch_batched_and_not(torch, mode):
    name = {"rnn_tanh": "RNNCell", "lstm": "LSTMCell", "gru": "GRUCell"}[mode]
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(3, 4).double()
    ours = getattr(nn, name)(3, 4, dtype=np.float64)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    for shape, state in (((2, 3), (2, 4)), ((3,), (4,))):
        x, h = rng.standard_normal(shape), rng.standard_normal(state)
        hx_o = (h, h * 0.5) if mode == "lstm" else h
        hx_t = (torch.tensor(h), torch.tensor(h * 0.5)) if mode == "lstm" else torch.tensor(h)
        o, t = ours(x, hx_o), theirs(torch.tensor(x), hx_t)
        for a, b in zip(o if mode == "lstm" else (o,), t if mode == "lstm" else (t,)):
            np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)
        zero = ours(x)
        assert (zero[0] if mode == "lstm" else zero).shape == state


class _Recorded:
    """A hook that counts the Functions recorded, by class name."""

    def __init__(self):
        self.names = []

    def recorded(self, fn, xs):
        self.names.append(type(fn).__name__)


def test_fused_layer_equals_the_unrolled_steps():
    """The LSTM's fast path (one LSTMLayer op per layer and direction) gives what recording
    every step (``unroll = True``, the reference) gives: outputs, last state and gradients."""
    from autograd import hooks
    rng = np.random.default_rng(0)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, dtype=np.float64)
    x, h0, c0 = rng.standard_normal((5, 2, 3)), *rng.standard_normal((2, 4, 2, 4))
    found = {}
    for unroll in (False, True):
        lstm.unroll = unroll
        lstm.zero_grad()
        xs = [ag.Variable(v) for v in (x, h0, c0)]
        with hooks.installed(_Recorded()) as seen:
            out, (h, c) = lstm(xs[0], (xs[1], xs[2]))
        weights = [np.cos(np.arange(v.size)).reshape(v.shape) for v in (out, h, c)]
        sum(((v * w).sum() for v, w in zip((out, h, c), weights)), ag.Variable(0.0)).backward()
        found[unroll] = [out.data, h.data, c.data] + [v.grad.data for v in xs] + \
            [p.grad.data for p in lstm.parameters()]
        assert seen.names.count("LSTMLayer") == (0 if unroll else 4)
        assert seen.names.count("LSTMGates") == (5 * 4 if unroll else 0)
    for fused, unrolled in zip(found[False], found[True]):
        np.testing.assert_allclose(fused, unrolled, rtol=1e-12, atol=1e-14)


class _LSTMWithState(nn.Module):
    """The LSTM with h0 and c0 as separate inputs, so the check differentiates them too."""

    def __init__(self, g):
        super().__init__()
        self.lstm = nn.LSTM(g["input_size"], g["hidden_size"], g["num_layers"],
                            batch_first=g["batch_first"], bidirectional=g["bidirectional"])

    def forward(self, x, h, c):
        return self.lstm(x, (h, c))


def _lstm(case):
    g, x, h, c = case
    return _LSTMWithState(g), (x, h, c)


# The numerical check of every parameter, first and second order (no torch needed). Each case
# is hundreds of forward passes of an unrolled graph, so fewer cases than elsewhere: the torch
# comparisons above cover the geometries more widely.
test_lstm_gradients = settings(max_examples=8)(module_gradient_test(
    _lstm, sequence_geometry(max_steps=3, max_size=2, max_batch=2).flatmap(lambda g: st.tuples(
        st.just(g), arrays(g["input_shape"]), arrays(g["state_shape"], "unit"),
        arrays(g["state_shape"], "unit")))))


def _gru(case):
    g, x = case
    return nn.GRU(g["input_size"], g["hidden_size"], g["num_layers"],
                  batch_first=g["batch_first"], bidirectional=g["bidirectional"]), (x,)


test_gru_gradients = settings(max_examples=8)(module_gradient_test(
    _gru, sequence_geometry(max_steps=3, max_size=2, max_batch=2).flatmap(
        lambda g: st.tuples(st.just(g), arrays(g["input_shape"])))))


def test_dropout_only_between_layers_and_only_in_training():
    nn.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    a, b = lstm(x)[0].data, lstm(x)[0].data
    assert not np.allclose(a, b)  # two draws of the dropout masks
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].data, lstm(x)[0].data)
    single = nn.GRU(3, 4, num_layers=1, dropout=0.5)  # nothing between layers: no effect
    np.testing.assert_array_equal(single(x)[0].data, single(x)[0].data)


def test_truncated_backprop_carries_the_state_not_the_graph():
    nn.manual_seed(0)
    rnn = nn.RNN(2, 3)
    x = np.ones((4, 1, 2), np.float32)
    out, h = rnn(x)
    out2, h2 = rnn(x, h.detach())  # the next window starts from the state, not its graph
    np.testing.assert_allclose(rnn(np.ones((8, 1, 2), np.float32))[0].data[4:], out2.data,
                               rtol=1e-6)
    out2.sum().backward()
    assert h.grad is None  # nothing flowed into the first window


def test_float32_in_float32_out_and_input_cast():
    lstm = nn.LSTM(3, 2)
    out, (h, c) = lstm(np.ones((4, 1, 3)))  # float64 data into a float32 layer
    assert out.dtype == h.dtype == c.dtype == np.float32


@pytest.mark.parametrize("call, pattern", [
    (lambda: nn.LSTM(3, 2)(np.ones((4, 1, 5))), r"LSTM: expected input of shape \(T, N, I\)"),
    (lambda: nn.GRU(3, 2, batch_first=True)(np.ones(3)), r"\(N, T, I\) or \(T, I\)"),
    (lambda: nn.RNN(3, 2)(np.ones((4, 1, 3)), np.ones((2, 1, 2))),
     r"RNN: expected h0 of shape \(1, 1, 2\), got \(2, 1, 2\)"),
    (lambda: nn.LSTM(3, 2)(np.ones((4, 1, 3)), (np.ones((1, 1, 2)), np.ones((1, 2, 2)))),
     r"expected c0 of shape \(1, 1, 2\)"),
    (lambda: nn.RNN(3, 2, nonlinearity="sigmoid"), "nonlinearity must be 'tanh' or 'relu'"),
    (lambda: nn.LSTM(3, 2, num_layers=0), "at least 1"),
    (lambda: nn.GRU(3, 2, dropout=1.5), r"dropout must be in \[0, 1\]"),
    (lambda: nn.GRUCell(3, 2)(np.ones((2, 3)), np.ones((3, 2))),
     r"GRUCell: expected a hidden state of shape \(2, 2\)"),
])
def test_errors_name_the_layer_and_the_shapes(call, pattern):
    with pytest.raises(ag.ZerogradError, match=pattern):
        call()
