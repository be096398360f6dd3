"""Every row of the op table against numerical differentiation (float64), its NumPy reference,
second derivatives and float32; and a meta-test that every Function subclass has a row."""
from __future__ import annotations

import importlib
import pkgutil

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
        stack.extend(x.creator for x in f.inputs if x.creator is not None)
    return found


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


class Cube(ag.Function):
    def forward(self, x):
        return x ** 3

    def backward(self, grad):
        x, = self.inputs
        return grad * 3 * x ** 2


test_user_op_in_one_line = gradient_test(lambda x: Cube()(x), arrays(domain=POSITIVE))
