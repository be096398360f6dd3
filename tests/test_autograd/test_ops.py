"""Every row of the op table against numerical differentiation (float64), its NumPy reference,
second derivatives and float32; and a meta-test that every Function subclass has a row."""
from __future__ import annotations

import importlib
import pkgutil
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd.testing import gradient_test, arrays, POSITIVE

from .op_table import ROWS, Row

ROW_IDS = [r.name for r in ROWS]


def _variables(args: tuple, dtype=np.float64) -> list:
    return [ag.Variable(a.astype(dtype)) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
            else a for a in args]


def _creators(outputs) -> set[type]:
    """Every Function class in the graph behind ``outputs``."""
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    seen, stack, found = set(), [o.creator for o in outs if o.creator], set()
    while stack:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        found.add(type(f))
        stack.extend(node for node, _, _, _ in f.edges if isinstance(node, ag.Function))
    return found


def _functions(outputs) -> list:
    """Every Function in the graph behind ``outputs``."""
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    seen, stack = {}, [o.creator for o in outs if o.creator]
    while stack:
        f = stack.pop()
        if id(f) not in seen:
            seen[id(f)] = f
            stack.extend(node for node, _, _, _ in f.edges if isinstance(node, ag.Function))
    return list(seen.values())


def _total(out):
    """A scalar of every float output, each weighted by fixed numbers (so no gradient is 1)."""
    outs = out if isinstance(out, tuple) else (out,)
    total = 0.0
    for o in outs:
        if isinstance(o, ag.Variable) and o.requires_grad:
            weights = np.linspace(0.5, 1.5, o.size).reshape(o.shape) if o.size else 1.0
            total = total + (o * weights).sum()
    return total


def _assert_same_grads(got, expected, rtol: float, atol: float) -> None:
    """The same inputs got a gradient, and the gradients agree."""
    for g, e in zip(got, expected):
        assert (g is None) == (e is None)
        if e is not None:
            np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)


def _leaf_grads(args, make_inputs, create_graph: bool = False):
    """The gradients of _total(row.fn(...)) for each float argument, in float64."""
    leaves = _variables(args)
    out = make_inputs(leaves)
    total = _total(out)
    if not isinstance(total, ag.Variable):
        return None
    total.backward(create_graph=create_graph)
    return [x.grad.data if isinstance(x, ag.Variable) and x.grad is not None else None
            for x in leaves]


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@given(data=st.data())
def test_gradient_matches_numerical(row: Row, data) -> None:
    args = data.draw(row.args)
    assert ag.gradcheck(row.fn, *args, eps=row.eps, atol=row.atol, rtol=row.rtol)
    if row.op is not None:
        xs = _variables(args)
        out = row.fn(*xs)
        if not any(out is x for x in xs):  # no-op shortcuts (e.g. reshape to the same shape)
            assert row.op in _creators(out), f"{row.name} never ran {row.op.__name__}"


@pytest.mark.parametrize("row", [r for r in ROWS if r.ref is not None],
                         ids=[r.name for r in ROWS if r.ref is not None])
@given(data=st.data())
def test_forward_matches_numpy(row: Row, data) -> None:
    args = data.draw(row.args)
    out = row.fn(*_variables(args))
    expected = row.ref(*args)
    outs = out if isinstance(out, tuple) else (out,)
    exps = expected if isinstance(expected, tuple) else (expected,)
    assert len(outs) == len(exps)
    for o, e in zip(outs, exps):
        assert o.shape == np.shape(e)
        np.testing.assert_allclose(o.data, e, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("row", [r for r in ROWS if r.gradgrad],
                         ids=[r.name for r in ROWS if r.gradgrad])
@given(data=st.data())
def test_second_derivative_matches_numerical(row: Row, data) -> None:
    args = data.draw(row.args)
    assert ag.gradgradcheck(row.fn, *args, eps=row.eps, atol=row.atol, rtol=row.rtol)


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@given(data=st.data())
def test_float32_stays_float32(row: Row, data) -> None:
    """Outputs and every gradient keep float32: Python scalars and constants never upcast."""
    args = data.draw(row.args)
    xs = _variables(args, np.float32)
    out = row.fn(*xs)
    outs = out if isinstance(out, tuple) else (out,)
    for o in outs:
        if row.name != "astype":
            assert o.dtype == np.float32, f"{row.name} returned {o.dtype}"
    total = sum((o.astype(np.float32) * 1.0).sum() for o in outs)
    if not isinstance(total, ag.Variable) or not total.requires_grad:
        return
    total.backward()
    for x in xs:
        if isinstance(x, ag.Variable) and x.grad is not None:
            assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def _all_function_classes() -> set[type]:
    for info in pkgutil.walk_packages(ag.__path__, "autograd."):
        importlib.import_module(info.name)

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)
    import nn.functional  # noqa: F401 - its Functions need rows too
    return {c for c in walk(ag.Function) if c.__module__.startswith(("autograd", "nn", "optim"))}


def test_every_function_has_a_row() -> None:
    covered = {r.op for r in ROWS}
    missing = sorted(c.__qualname__ for c in _all_function_classes() - covered)
    assert not missing, f"Function classes without a row in op_table.ROWS: {missing}"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@given(data=st.data())
def test_fast_backward_matches_backward(row: Row, data) -> None:
    """A plain backward takes each op's array kernel (fast_backward) where it has one; a
    create_graph backward takes the Variable backward, the reference. They agree."""
    args = data.draw(row.args)
    fast = _leaf_grads(args, lambda xs: row.fn(*xs))
    if fast is None:
        return
    reference = _leaf_grads(args, lambda xs: row.fn(*xs), create_graph=True)
    _assert_same_grads(fast, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@given(data=st.data())
def test_backward_needs_only_what_was_saved(row: Row, data) -> None:
    """The op's inputs are intermediates (x + 0): once the caller lets go of them, the graph
    keeps exactly those that some op saved for backward, and backward is still right."""
    args = data.draw(row.args)
    expected = _leaf_grads(args, lambda xs: row.fn(*xs))
    if expected is None:
        return
    leaves = _variables(args)
    mids = [x + 0.0 if isinstance(x, ag.Variable) else x for x in leaves]
    refs = [weakref.ref(m) if isinstance(m, ag.Variable) else None for m in mids]
    out = row.fn(*mids)
    outs = out if isinstance(out, tuple) else (out,)
    saved = {id(v) for f in _functions(out) for v in f.saved if v is not None}
    kept = [r is not None and id(r()) in saved for r in refs]
    del mids  # the graph has no reference cycles: refcounting alone frees what it drops
    for r, keep in zip(refs, kept):
        if r is not None and not any(r() is o for o in outs):
            assert (r() is not None) == keep, "an input backward does not read was kept"
    _total(out).backward()
    for x, e in zip(leaves, expected):
        got = x.grad.data if isinstance(x, ag.Variable) and x.grad is not None else None
        assert (got is None) == (e is None)
        if e is not None:
            np.testing.assert_allclose(got, e, rtol=1e-12, atol=1e-12)


class Cube(ag.Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x ** 3

    def backward(self, grad):
        x, = self.saved
        return grad * 3 * x ** 2


test_user_op_in_one_line = gradient_test(lambda x: Cube()(x), arrays(domain=POSITIVE))


TIED_ROWS = [r for r in ROWS if r.ties is not None]


@pytest.mark.parametrize("row", [r for r in TIED_ROWS if r.ref is not None],
                         ids=[r.name for r in TIED_ROWS if r.ref is not None])
@given(data=st.data())
def test_forward_matches_numpy_on_ties(row: Row, data) -> None:
    args = data.draw(row.ties)
    outs, exps = row.fn(*_variables(args)), row.ref(*args)
    for o, e in zip(outs if isinstance(outs, tuple) else (outs,),
                    exps if isinstance(exps, tuple) else (exps,)):
        np.testing.assert_allclose(o.data, e, rtol=1e-12, atol=1e-12)


FUSED_ROWS = [r for r in ROWS if r.composed is not None]


@pytest.mark.parametrize("row", FUSED_ROWS, ids=[r.name for r in FUSED_ROWS])
@pytest.mark.parametrize("create_graph", [False, True], ids=["fast", "reference"])
@given(data=st.data())
def test_fused_matches_composed_on_ties(row: Row, create_graph: bool, data) -> None:
    """On inputs full of ties and kinks (relu at 0, equal maxima, zero-variance channels), a
    fused op gives its composed reference's values and gradients: one rule, both paths."""
    args = data.draw(row.ties if row.ties is not None else row.args)
    fused = row.fn(*_variables(args))
    composed = row.composed(*_variables(args))
    for a, b in zip(fused if isinstance(fused, tuple) else (fused,),
                    composed if isinstance(composed, tuple) else (composed,)):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-12)
    got = _leaf_grads(args, lambda xs: row.fn(*xs), create_graph)
    expected = _leaf_grads(args, lambda xs: row.composed(*xs), create_graph)
    # float64 sums of at most a few dozen terms of size <= 9, in another order
    _assert_same_grads(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
@given(data=st.data())
def test_after_backward_the_graph_holds_no_arrays(row: Row, data) -> None:
    """A plain backward frees every array of the graph but keeps its structure (for
    pictures): no Function keeps an array as an attribute or a parameter, or a saved value."""
    args = data.draw(row.args)
    xs = _variables(args)
    out = row.fn(*xs)
    total = _total(out)
    if not isinstance(total, ag.Variable) or not total.requires_grad:
        return
    total.backward()
    for f in _functions(total):
        assert f._saved is None
        held = [k for k, v in vars(f).items() if isinstance(v, np.ndarray)]
        held += [f"params[{k!r}]" for k, v in f.params.items() if isinstance(v, np.ndarray)]
        assert not held, (f"{type(f).__name__} keeps {held} after backward; list them in "
                          "its freed_after_backward")
