"""The op table: one row per op, primitive or composite, read by the generic tests in test_ops.

A row names the op, a Hypothesis strategy drawing its arguments (a tuple: arrays are
differentiated, anything else is passed as a constant), an optional NumPy reference for the
forward, and the Function class it exercises (None for a composite).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd.testing import (
    DISTINCT, NONZERO, POSITIVE, REAL, arrays, axes, broadcastable_arrays, broadcastable_shapes,
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

    def __repr__(self) -> str:
        return self.name


def one(domain: Any = REAL, shape: Any = None) -> st.SearchStrategy[tuple]:
    return st.tuples(arrays(shape, domain))


@st.composite
def with_axis(draw: Any, domain: Any = REAL, nonempty: bool = False) -> tuple:
    x = draw(arrays(shapes(min_side=1 if nonempty else 0), domain))
    return x, draw(axes(x.ndim)), draw(st.booleans())


@st.composite
def maximum_pair(draw: Any) -> tuple:
    """Two broadcastable arrays that never tie: a on a grid of 0.01, b halfway between."""
    sa, sb = draw(broadcastable_shapes(2))
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
    Row("maximum", ag.maximum, maximum_pair(), ag.Maximum, np.maximum),
    Row("where", lambda c, a, b: ag.where(c, a, b), where_args(), ag.Where, np.where),
    # NOTE: a float32 round trip loses ~1e-7 relative, so the step is large; the function is
    # linear, so a large step adds no truncation error.
    Row("astype", lambda x: ag.astype(ag.astype(x, np.float32), np.float64), one(), ag.Cast,
        lambda x: x.astype(np.float32).astype(np.float64), eps=1e-2, atol=1e-5, rtol=1e-4),
    # reductions
    Row("sum", ag.sum, with_axis(), ag.Sum, lambda x, a, k: np.sum(x, axis=a, keepdims=k)),
    Row("max", ag.max, with_axis(DISTINCT, nonempty=True), ag.Max,
        lambda x, a, k: np.max(x, axis=a, keepdims=k)),
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
    Row("abs", ag.abs, one(NONZERO), None, np.abs),
    Row("minimum", ag.minimum, maximum_pair(), None, np.minimum),
    Row("clip", ag.clip, clip_args(), None, np.clip),
    Row("sigmoid", ag.sigmoid, one(REAL), None, lambda x: 1 / (1 + np.exp(-x))),
    Row("pow_variable_exponent", ag.pow, st.tuples(arrays((), POSITIVE), arrays()), None,
        np.power),
    Row("rpow", lambda x: 2.0 ** x, one(), None, lambda x: 2.0 ** x),
    Row("mean", ag.mean, with_axis(nonempty=True), None,
        lambda x, a, k: np.mean(x, axis=a, keepdims=k)),
    Row("var", ag.var, var_args(), None, lambda x, a, k: np.var(x, axis=a, keepdims=k)),
    Row("std", ag.std, var_args(), None, lambda x, a, k: np.std(x, axis=a, keepdims=k)),
    Row("min", ag.min, with_axis(DISTINCT, nonempty=True), None,
        lambda x, a, k: np.min(x, axis=a, keepdims=k)),
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
