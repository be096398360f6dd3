"""The op table: one row per op, primitive or composite, read by the generic tests in test_ops.

A row names the op, a Hypothesis strategy drawing its arguments (a tuple: arrays are
differentiated, anything else is passed as a constant), an optional NumPy reference for the
forward, and the Function class it exercises (None for a composite).

Rows whose ``args`` keep away from ties and kinks (``DISTINCT``, ``NONZERO``) also give
``ties``: the same arguments drawn from ``TIED``, where the forward is still checked against
NumPy. A fused op's row names its composed reference (``composed``, same arguments); on tied
inputs the two must agree in value and in both gradients, so one tie rule serves both.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd.testing import (
    DISTINCT, NONZERO, POSITIVE, REAL, TIED, arrays, axes, broadcastable_arrays, broadcastable_shapes,
    indices, matmul_arrays, shapes,
)


@dataclass(frozen=True)
class Row:
    name: str
    fn: Callable[..., Any]
    args: st.SearchStrategy[tuple]
    op: type | None = None  # the Function class this row covers
    ref: Callable[..., Any] | None = None
    gradgrad: bool = True
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3
    ties: st.SearchStrategy[tuple] | None = None  # the arguments drawn with ties and kinks
    composed: Callable[..., Any] | None = None  # the reference a fused op must equal

    def __repr__(self) -> str:
        return self.name


def one(domain: Any = REAL, shape: Any = None) -> st.SearchStrategy[tuple]:
    return st.tuples(arrays(shape, domain))


@st.composite
def with_axis(draw: Any, domain: Any = REAL, nonempty: bool = False) -> tuple:
    x = draw(arrays(shapes(min_side=1 if nonempty else 0), domain))
    return x, draw(axes(x.ndim)), draw(st.booleans())


@st.composite
def maximum_pair(draw: Any, tied: bool = False) -> tuple:
    """Two broadcastable arrays that never tie: a on a grid of 0.01, b halfway between (with
    ``tied``, both from TIED: ties between them everywhere)."""
    sa, sb = draw(broadcastable_shapes(2))
    if tied:
        return draw(arrays(sa, TIED)), draw(arrays(sb, TIED))
    grid = st.integers(-300, 300)
    a = draw(hnp.arrays(np.float64, sa, elements=grid.map(lambda k: k * 0.01)))
    b = draw(hnp.arrays(np.float64, sb, elements=grid.map(lambda k: k * 0.01 + 0.005)))
    return a, b


@st.composite
def where_args(draw: Any) -> tuple:
    sc, sa, sb = draw(broadcastable_shapes(3))
    return (draw(hnp.arrays(bool, sc)), draw(arrays(sa)), draw(arrays(sb)))


@st.composite
def broadcast_args(draw: Any) -> tuple:
    """x and a shape x broadcasts to: target drawn first, x keeps a suffix with some sides 1."""
    target = draw(shapes(max_dims=3))
    keep = draw(st.integers(0, len(target)))
    suffix = target[len(target) - keep:]
    x_shape = tuple(1 if draw(st.booleans()) else s for s in suffix)
    return draw(arrays(x_shape)), target


@st.composite
def reshape_args(draw: Any) -> tuple:
    x = draw(arrays())
    size = x.size
    options = [(size,), x.shape[::-1], (1,) + x.shape, (-1,)]
    if x.ndim >= 2 and size:  # NOTE: with size 0 the -1 cannot be inferred (NumPy agrees)
        options.append((x.shape[0], -1))
    return x, draw(st.sampled_from(options))


@st.composite
def transpose_args(draw: Any) -> tuple:
    x = draw(arrays(shapes(max_dims=4)))
    return x, tuple(draw(st.permutations(range(x.ndim))))


@st.composite
def getitem_args(draw: Any) -> tuple:
    x = draw(arrays(shapes(min_dims=1)))
    return x, draw(indices(x.shape))


@st.composite
def getitem_grad_args(draw: Any) -> tuple:
    shape = draw(shapes(min_dims=1))
    index = draw(indices(shape))
    out_shape = np.zeros(shape)[index].shape
    return draw(arrays(out_shape)), index, shape


@st.composite
def concat_args(draw: Any) -> tuple:
    base = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(base), len(base) - 1))
    n = draw(st.integers(1, 3))
    parts = []
    for _ in range(n):
        s = list(base)
        s[axis] = draw(st.integers(0, 3))
        parts.append(draw(arrays(tuple(s))))
    return tuple(parts) + (axis,)


@st.composite
def repeat_args(draw: Any, per_element: bool = False) -> tuple:
    x = draw(arrays(shapes(min_dims=1)))
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    if per_element:
        n = x.size if axis is None else x.shape[axis]
        return x, draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 3))), axis
    return x, draw(st.integers(0, 3)), axis


@st.composite
def pad_args(draw: Any) -> tuple:
    x = draw(arrays(shapes(min_dims=1)))
    widths = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in x.shape)
    return x, widths


@st.composite
def stack_args(draw: Any) -> tuple:
    shape = draw(shapes(max_dims=2))
    xs = tuple(draw(arrays(shape)) for _ in range(draw(st.integers(1, 3))))
    return xs + (draw(st.integers(-len(shape) - 1, len(shape))),)


@st.composite
def split_args(draw: Any) -> tuple:
    x = draw(arrays(shapes(min_dims=1, min_side=1)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    sections = draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    return x, sections, axis


@st.composite
def clip_args(draw: Any) -> tuple:
    """Values kept at least 0.05 away from both bounds, where clip has its kinks."""
    lo, hi = -1.0, 1.0
    far = st.one_of(st.floats(-3, lo - 0.05), st.floats(lo + 0.05, hi - 0.05),
                    st.floats(hi + 0.05, 3))
    return draw(hnp.arrays(np.float64, shapes(), elements=far)), lo, hi


@st.composite
def squeeze_args(draw: Any) -> tuple:
    shape = draw(shapes(max_dims=4, min_side=1, max_side=2))
    ones = tuple(i for i, s in enumerate(shape) if s == 1)
    axis = draw(st.none() | (st.sampled_from(ones) if ones else st.none()))
    return draw(arrays(shape)), axis


@st.composite
def expand_dims_args(draw: Any) -> tuple:
    x = draw(arrays())
    return x, draw(st.integers(-x.ndim - 1, x.ndim))


@st.composite
def swapaxes_args(draw: Any) -> tuple:
    x = draw(arrays(shapes(min_dims=1)))
    pick = st.integers(-x.ndim, x.ndim - 1)
    return x, draw(pick), draw(pick)


@st.composite
def tile_args(draw: Any) -> tuple:
    x = draw(arrays(shapes(max_dims=2)))
    reps = tuple(draw(st.integers(0, 2)) for _ in range(draw(st.integers(1, 3))))
    return x, reps


@st.composite
def vector_pair(draw: Any) -> tuple:
    n = draw(st.integers(0, 4))
    return draw(arrays((n,))), draw(arrays((draw(st.integers(0, 4)),)))


@st.composite
def same_length_vectors(draw: Any) -> tuple:
    n = draw(st.integers(0, 4))
    return draw(arrays((n,))), draw(arrays((n,)))


@st.composite
def var_args(draw: Any) -> tuple:
    # At least two distinct values per reduced slice: std has a pole at zero variance.
    x = draw(arrays(shapes(min_dims=1, min_side=2), DISTINCT))
    axis = draw(axes(x.ndim).filter(lambda a: a != ()))
    return x, axis, draw(st.booleans())


@st.composite
def pow_args(draw: Any, integer: bool) -> tuple:
    if integer:
        c = draw(st.sampled_from([0, 1, 2, 3, -1, -2]))
        return draw(arrays(domain=REAL if c >= 0 else NONZERO)), c
    return draw(arrays(domain=POSITIVE)), draw(st.sampled_from([0.5, -1.5, 1.7, 2.0, -0.3]))


def _pow_ref(x: np.ndarray, c: Any) -> np.ndarray:
    return x ** c


ROWS: list[Row] = [
    # elementwise primitives
    Row("add", ag.add, broadcastable_arrays(2), ag.Add, np.add),
    Row("sub", ag.sub, broadcastable_arrays(2), ag.Sub, np.subtract),
    Row("mul", ag.mul, broadcastable_arrays(2), ag.Mul, np.multiply),
    Row("div", ag.div, broadcastable_shapes(2).flatmap(
        lambda ss: st.tuples(arrays(ss[0]), arrays(ss[1], NONZERO))), ag.Div, np.divide),
    Row("neg", ag.neg, one(), ag.Neg, np.negative),
    Row("pow", ag.pow, pow_args(integer=False), ag.Pow, _pow_ref),
    Row("pow_int", ag.pow, pow_args(integer=True), ag.Pow, _pow_ref),
    Row("exp", ag.exp, one(), ag.Exp, np.exp),
    Row("log", ag.log, one(POSITIVE), ag.Log, np.log),
    Row("sin", ag.sin, one(), ag.Sin, np.sin),
    Row("cos", ag.cos, one(), ag.Cos, np.cos),
    Row("tanh", ag.tanh, one(), ag.Tanh, np.tanh),
    Row("maximum", ag.maximum, maximum_pair(), ag.Maximum, np.maximum,
        ties=maximum_pair(tied=True)),
    Row("where", lambda c, a, b: ag.where(c, a, b), where_args(), ag.Where, np.where),
    # NOTE: a float32 round trip loses ~1e-7 relative, so the step is large; the function is
    # linear, so a large step adds no truncation error.
    # on one device a move is the identity; tests/test_autograd/test_devices.py moves for real
    Row("to_device", lambda x: ag.ToDevice()(x, device=ag.Device("cpu")), one(), ag.ToDevice,
        lambda x: x),
    Row("astype", lambda x: ag.astype(ag.astype(x, np.float32), np.float64), one(), ag.Cast,
        lambda x: x.astype(np.float32).astype(np.float64), eps=1e-2, atol=1e-5, rtol=1e-4),
    # reductions
    Row("sum", ag.sum, with_axis(), ag.Sum, lambda x, a, k: np.sum(x, axis=a, keepdims=k)),
    Row("max", ag.max, with_axis(DISTINCT, nonempty=True), ag.Max, ties=with_axis(TIED, True),
        ref=lambda x, a, k: np.max(x, axis=a, keepdims=k)),
    Row("broadcast_to", ag.broadcast_to, broadcast_args(), ag.BroadcastTo, np.broadcast_to),
    Row("sum_to", lambda g, shape: ag.sum_to(g, shape),
        broadcast_args().map(lambda a: (np.asarray(np.broadcast_to(a[0], a[1]) * 1.5),
                                        a[0].shape)),
        ag.SumTo, None),
    # shape
    Row("reshape", ag.reshape, reshape_args(), ag.Reshape, np.reshape),
    Row("transpose", ag.transpose, transpose_args(), ag.Transpose, np.transpose),
    Row("getitem", ag.getitem, getitem_args(), ag.GetItem, lambda x, i: x[i]),
    Row("getitem_grad", lambda g, index, shape: ag.GetItemGrad()(g, index=index, shape=shape),
        getitem_grad_args(), ag.GetItemGrad, None),
    Row("concatenate", lambda *a: ag.concatenate(a[:-1], axis=a[-1]), concat_args(), ag.Concat,
        lambda *a: np.concatenate(a[:-1], axis=a[-1])),
    Row("repeat", ag.repeat, repeat_args(), ag.Repeat, np.repeat),
    Row("pad", ag.pad, pad_args(), ag.Pad, np.pad),
    Row("matmul", ag.matmul, matmul_arrays(), ag.MatMul, np.matmul),
    # composites
    Row("sqrt", ag.sqrt, one(POSITIVE), None, np.sqrt),
    Row("square", ag.square, one(), None, np.square),
    Row("abs", ag.abs, one(NONZERO), None, np.abs, ties=one(TIED)),
    Row("minimum", ag.minimum, maximum_pair(), None, np.minimum, ties=maximum_pair(tied=True)),
    Row("clip", ag.clip, clip_args(), None, np.clip),
    Row("sigmoid", ag.sigmoid, one(REAL), None, lambda x: 1 / (1 + np.exp(-x))),
    Row("pow_variable_exponent", ag.pow, st.tuples(arrays((), POSITIVE), arrays()), None,
        np.power),
    Row("rpow", lambda x: 2.0 ** x, one(), None, lambda x: 2.0 ** x),
    Row("mean", ag.mean, with_axis(nonempty=True), None,
        lambda x, a, k: np.mean(x, axis=a, keepdims=k)),
    Row("var", ag.var, var_args(), None, lambda x, a, k: np.var(x, axis=a, keepdims=k)),
    Row("std", ag.std, var_args(), None, lambda x, a, k: np.std(x, axis=a, keepdims=k)),
    Row("min", ag.min, with_axis(DISTINCT, nonempty=True), None, ties=with_axis(TIED, True),
        ref=lambda x, a, k: np.min(x, axis=a, keepdims=k)),
    Row("logsumexp", ag.logsumexp, with_axis(nonempty=True), None,
        lambda x, a, k: np.log(np.sum(np.exp(x), axis=a, keepdims=k))),
    Row("repeat_per_element", ag.repeat, repeat_args(per_element=True), None, np.repeat),
    Row("flatten", ag.flatten, one(), None, np.ravel),
    Row("squeeze", ag.squeeze, squeeze_args(), None, np.squeeze),
    Row("expand_dims", ag.expand_dims, expand_dims_args(), None, np.expand_dims),
    Row("stack", lambda *a: ag.stack(a[:-1], axis=a[-1]), stack_args(), None,
        lambda *a: np.stack(a[:-1], axis=a[-1])),
    Row("split", lambda x, n, axis: tuple(ag.split(x, n, axis)), split_args(), None,
        lambda x, n, axis: tuple(np.split(x, n, axis))),
    Row("swapaxes", ag.swapaxes, swapaxes_args(), None, np.swapaxes),
    Row("tile", ag.tile, tile_args(), None, np.tile),
    Row("outer", ag.outer, vector_pair(), None, np.outer),
    Row("dot", ag.dot, same_length_vectors(), None, np.dot),
]


# nn.functional: the same table, so every nn op is held to the same checks.
import nn.functional as F  # noqa: E402
from nn.functional.recurrent import (  # noqa: E402
    LSTMGates, LSTMLayer, lstm_gates_composed, lstm_layer_composed,
)
from nn.hooks import GradientTap  # noqa: E402
from autograd.testing import conv_geometry, output_size  # noqa: E402


@st.composite
def conv_args(draw: Any, bias: bool = True, domain: Any = REAL) -> tuple:
    g = draw(conv_geometry())
    oc = draw(st.integers(1, 2))
    x = draw(arrays((g["n"], g["c"]) + g["hw"], domain))
    w = draw(arrays((oc, g["c"]) + g["kernel"], domain))
    b = (draw(arrays((oc,), domain)),) if bias else ()
    return x, w, *b, g["stride"], g["padding"], g["dilation"]


@st.composite
def pool_args(draw: Any, domain: Any) -> tuple:
    g = draw(conv_geometry(pool=True))
    return draw(arrays((g["n"], g["c"]) + g["hw"], domain)), g["kernel"], g["stride"], \
        g["padding"]


@st.composite
def tile_pool_args(draw: Any, domain: Any = DISTINCT) -> tuple:
    """Windows that tile the input (stride = kernel), the sizes not always multiples of it."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)),
             k[0] * draw(st.integers(1, 3)) + draw(st.integers(0, k[0] - 1)),
             k[1] * draw(st.integers(1, 3)) + draw(st.integers(0, k[1] - 1)))
    return draw(arrays(shape, domain)), k


@st.composite
def im2col_args(draw: Any) -> tuple:
    g = draw(conv_geometry())
    return draw(arrays((g["n"], g["c"]) + g["hw"])), g["kernel"], g["stride"], g["padding"], \
        g["dilation"]


@st.composite
def col2im_args(draw: Any) -> tuple:
    g = draw(conv_geometry())
    x_shape = (g["n"], g["c"]) + g["hw"]
    oh, ow = (output_size(s, k, st_, p, d) for s, k, st_, p, d in
              zip(g["hw"], g["kernel"], g["stride"], g["padding"], g["dilation"]))
    cols = draw(arrays((g["n"], g["c"]) + g["kernel"] + (oh, ow)))
    return cols, x_shape, g["kernel"], g["stride"], g["padding"], g["dilation"]


def naive_conv2d(x, w, b, stride, padding, dilation):
    """The definition, one output element at a time: the reference for the im2col version."""
    n, c, h, wd = x.shape
    oc, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    oh = output_size(h, kh, stride[0], padding[0], dilation[0])
    ow = output_size(wd, kw, stride[1], padding[1], dilation[1])
    out = np.zeros((n, oc, oh, ow))
    for i in range(oh):
        for j in range(ow):
            for di in range(kh):
                for dj in range(kw):
                    patch = xp[:, :, i * stride[0] + di * dilation[0],
                               j * stride[1] + dj * dilation[1]]
                    out[:, :, i, j] += patch @ w[:, :, di, dj].T
    return out if b is None else out + b.reshape(1, -1, 1, 1)


def naive_pool(x, kernel, stride, padding, reduce, pad_value):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2),
                constant_values=pad_value)
    oh = output_size(h, kernel[0], stride[0], padding[0], 1)
    ow = output_size(w, kernel[1], stride[1], padding[1], 1)
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * stride[0]:i * stride[0] + kernel[0],
                     j * stride[1]:j * stride[1] + kernel[1]]
            out[:, :, i, j] = reduce(win, axis=(2, 3))
    return out


@st.composite
def logits_and_labels(draw: Any, reduction: bool = True, domain: Any = None) -> tuple:
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(arrays((n, c), Domain_wide if domain is None else domain))
    t = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return (x, t, draw(st.sampled_from(["mean", "sum", "none"]))) if reduction else (x, t)


@st.composite
def logits_and_probs(draw: Any) -> tuple:
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    p = draw(arrays((n, c), POSITIVE))
    return draw(arrays((n, c))), p / p.sum(axis=1, keepdims=True)


@st.composite
def batch_norm_args(draw: Any, training: bool, domain: Any = DISTINCT) -> tuple:
    shape = draw(st.sampled_from([(4, 2), (3, 2, 2, 2), (2, 1, 3, 2)]))
    c = shape[1]
    x = draw(arrays(shape, domain))  # distinct values: no channel with zero variance
    w, b = draw(arrays((c,))), draw(arrays((c,)))
    if training:
        return x, w, b
    return x, w, b, draw(arrays((c,))), draw(arrays((c,), POSITIVE))


@st.composite
def cross_entropy_positions(draw: Any) -> tuple:
    """Logits (N, C, d) and labels (N, d) with some ignored (never all), a smoothing."""
    n, c, d = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    t = draw(hnp.arrays(np.int64, (n, d), elements=st.integers(-1, c - 1)))
    t.flat[0] = max(int(t.flat[0]), 0)
    return draw(arrays((n, c, d))), t, -1, draw(st.sampled_from([0.0, 0.25]))


@st.composite
def layer_norm_args(draw: Any) -> tuple:
    x = draw(arrays(shapes(min_dims=1, min_side=1)))
    return x, draw(arrays(x.shape[-1:])), draw(arrays(x.shape[-1:]))


def _layer_norm_ref(x, w, b):
    centred = x - x.mean(-1, keepdims=True)
    return centred / np.sqrt((centred ** 2).mean(-1, keepdims=True) + 1e-5) * w + b


@st.composite
def lstm_gates_args(draw: Any, domain: Any = REAL) -> tuple:
    batch, h = draw(shapes(max_dims=2)), draw(st.integers(1, 3))
    return draw(arrays(batch + (4 * h,), domain)), draw(arrays(batch + (h,), domain))


def _lstm_gates_ref(a, c):
    s = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = np.split(a, 4, axis=-1)
    c = s(f) * c + s(i) * np.tanh(g)
    return s(o) * np.tanh(c), c


@st.composite
def lstm_layer_args(draw: Any, domain: Any = REAL) -> tuple:
    """xw (T, N, 4H), h0, c0 (N, H), w_hh (4H, H) and the direction."""
    t, n, h = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    return (draw(arrays((t, n, 4 * h), domain)), draw(arrays((n, h), domain)),
            draw(arrays((n, h), domain)), draw(arrays((4 * h, h), domain)), draw(st.booleans()))


def _lstm_layer_ref(xw, h, c, w, reverse):
    hs = np.empty(xw.shape[:2] + (w.shape[1],))
    for t in (range(len(xw) - 1, -1, -1) if reverse else range(len(xw))):
        hs[t], c = _lstm_gates_ref(xw[t] + h @ w.T, c)
        h = hs[t]
    return hs, h, c


@st.composite
def two_arrays(draw: Any) -> tuple:
    return draw(arrays()), draw(arrays())


@st.composite
def same_shape_pair(draw: Any, second: Any = REAL) -> tuple:
    shape = draw(shapes(min_side=1))  # a mean over nothing is NaN
    return draw(arrays(shape)), draw(arrays(shape, second))


@st.composite
def linear_args(draw: Any, bias: bool = True, domain: Any = REAL) -> tuple:
    batch = draw(shapes(max_dims=2))
    i, o = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    b = (draw(arrays((o,), domain)),) if bias else ()
    return draw(arrays(batch + (i,), domain)), draw(arrays((o, i), domain)), *b


@st.composite
def embedding_args(draw: Any) -> tuple:
    n = draw(st.integers(1, 4))
    idx = draw(hnp.arrays(np.int64, draw(shapes(max_dims=2)), elements=st.integers(0, n - 1)))
    return idx, draw(arrays((n, draw(st.integers(1, 3)))))


@st.composite
def dropout_args(draw: Any) -> tuple:
    return draw(arrays()), draw(st.sampled_from([0.0, 0.3, 0.5, 0.9])), draw(st.integers(0, 9))


Domain_wide = REAL._replace(low=-30.0, high=30.0)  # large logits: stability is the point


def _dropout(x, p, seed):
    return F.dropout(x, p, True, np.random.default_rng(seed))


def _dropout_ref(x, p, seed):
    keep = np.random.default_rng(seed).random(x.shape) >= p
    return x * keep / (1 - p) if p < 1 else x * 0


def _bce_ref(x, t):
    return np.mean(np.logaddexp(0, x) - x * t)


def _log_softmax_ref(x):
    return x - np.log(np.sum(np.exp(x - x.max(-1, keepdims=True)), -1, keepdims=True)) - \
        x.max(-1, keepdims=True)


ROWS += [
    Row("relu", F.relu, one(NONZERO), F.Relu, lambda x: np.maximum(x, 0), ties=one(TIED),
        composed=F.relu_composed),
    Row("relu_composed", F.relu_composed, one(NONZERO), None, lambda x: np.maximum(x, 0),
        ties=one(TIED)),
    Row("leaky_relu", F.leaky_relu, one(NONZERO), None, lambda x: np.where(x > 0, x, 0.01 * x),
        ties=one(TIED)),
    Row("softmax", lambda x: F.softmax(x, axis=-1), one(REAL, shapes(min_dims=1)), None,
        lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    Row("log_softmax", lambda x: F.log_softmax(x, axis=-1), one(Domain_wide, shapes(min_dims=1,
                                                                                     min_side=1)),
        None, lambda x: x - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True))
        - x.max(-1, keepdims=True)),
    Row("linear", F.linear, linear_args(), F.Affine, lambda x, w, b: x @ w.T + b,
        ties=linear_args(domain=TIED), composed=F.linear_composed),
    Row("linear_no_bias", F.linear, linear_args(bias=False), None, lambda x, w: x @ w.T),
    Row("linear_composed", F.linear_composed, linear_args(), None, lambda x, w, b: x @ w.T + b),
    Row("embedding", F.embedding, embedding_args(), None, lambda i, w: w[i]),
    Row("conv2d", F.conv2d, conv_args(), F.Convolution, naive_conv2d,
        ties=conv_args(domain=TIED), composed=F.conv2d_composed),
    Row("conv2d_no_bias", lambda x, w, s, p, d: F.conv2d(x, w, None, s, p, d),
        conv_args(bias=False), None, lambda x, w, s, p, d: naive_conv2d(x, w, None, s, p, d)),
    Row("conv2d_composed", F.conv2d_composed, conv_args(), None, naive_conv2d),
    Row("im2col", F.im2col, im2col_args(), F.Im2col, None),
    Row("col2im", lambda cols, x_shape, k, s, p, d: F.Col2im()(
        cols, x_shape=x_shape, kernel=k, stride=s, padding=p, dilation=d),
        col2im_args(), F.Col2im, None),
    Row("max_pool2d", F.max_pool2d, pool_args(DISTINCT), None,
        lambda x, k, s, p: naive_pool(x, k, s, p, np.max, -np.inf), ties=pool_args(TIED)),
    Row("max_pool2d_tiles", lambda x, k: F.max_pool2d(x, k), tile_pool_args(), F.MaxPoolTiles,
        lambda x, k: naive_pool(x, k, k, (0, 0), np.max, -np.inf), ties=tile_pool_args(TIED),
        composed=F.max_pool2d_composed),
    # the im2col path on windows that tile: the same tie rule as the two above
    Row("max_pool2d_windows", lambda x, k: F.max_pool2d_windows(x, k), tile_pool_args(), None,
        lambda x, k: naive_pool(x, k, k, (0, 0), np.max, -np.inf), ties=tile_pool_args(TIED),
        composed=F.max_pool2d_composed),
    Row("max_pool2d_composed", F.max_pool2d_composed, tile_pool_args(), None,
        lambda x, k: naive_pool(x, k, k, (0, 0), np.max, -np.inf), ties=tile_pool_args(TIED)),
    Row("avg_pool2d", F.avg_pool2d, pool_args(REAL), None,
        lambda x, k, s, p: naive_pool(x, k, s, p, np.mean, 0.0)),
    Row("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        batch_norm_args(training=True), F.BatchNorm, None,
        ties=batch_norm_args(training=True, domain=TIED),
        composed=lambda x, w, b: F.batch_norm_composed(x, None, None, w, b, training=True)),
    Row("batch_norm_train_composed",
        lambda x, w, b: F.batch_norm_composed(x, None, None, w, b, training=True),
        batch_norm_args(training=True), None, None),
    Row("batch_norm_eval", lambda x, w, b, m, v: F.batch_norm(x, m, v, w, b, training=False),
        batch_norm_args(training=False), None, None),
    Row("dropout", _dropout, dropout_args(), None, _dropout_ref),
    Row("cross_entropy", F.cross_entropy, logits_and_labels(), F.SoftmaxCrossEntropy,
        ref=lambda x, t, r: {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[r](
            -_log_softmax_ref(x)[np.arange(len(t)), t]),
        ties=logits_and_labels(domain=TIED), composed=F.cross_entropy_composed),
    Row("cross_entropy_probs", F.cross_entropy, logits_and_probs(), None,
        lambda x, p: np.mean(-(_log_softmax_ref(x) * p).sum(1))),
    Row("cross_entropy_composed", F.cross_entropy_composed, logits_and_labels(), None, None),
    Row("lstm_gates", lambda a, c: LSTMGates()(a, c), lstm_gates_args(), LSTMGates,
        lambda a, c: _lstm_gates_ref(a, c), ties=lstm_gates_args(TIED),
        composed=lstm_gates_composed),
    Row("lstm_layer", lambda xw, h, c, w, r: LSTMLayer()(xw, h, c, w, reverse=r),
        lstm_layer_args(), LSTMLayer, _lstm_layer_ref, ties=lstm_layer_args(TIED),
        composed=lstm_layer_composed),
    Row("gradient_tap", lambda a, b: GradientTap(lambda grads: grads)(a, b), two_arrays(),
        GradientTap, lambda a, b: (a, b)),
    Row("cross_entropy_positions", lambda x, t, i, e: F.cross_entropy(
        x, t, ignore_index=i, label_smoothing=e), cross_entropy_positions(), None, None),
    Row("layer_norm", lambda x, w, b: F.layer_norm(x, x.shape[-1:], w, b), layer_norm_args(),
        None, _layer_norm_ref),
    Row("mse_loss", F.mse_loss, same_shape_pair(), None, lambda x, t: np.mean((x - t) ** 2)),
    Row("bce_with_logits", F.binary_cross_entropy_with_logits, same_shape_pair(POSITIVE), None,
        _bce_ref),
]
