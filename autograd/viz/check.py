"""Gradient checks one Function at a time, so a picture can point at the wrong backward.

Each Function of the graph is run again alone, in float64, on copies of the inputs it saw. Its
backward's vector-Jacobian product along a random cotangent ``v`` is compared with central
differences along a random direction ``d``, one input at a time (JAX's check): analytic
``<backward(v), d>`` against numeric ``(s(x + eps d) - s(x - eps d)) / (2 eps)`` with
``s = <v, forward(x)>``. That costs three forward runs per input however large it is (the third,
``s(x)``, finds kinks: where the one-sided slopes differ, as at a ReLU's 0 or a tie in a max,
there is no derivative to check, and the input is skipped rather than blamed).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .. import hooks
from ..conversion import constant
from ..core import Function, Variable
from ..engine import grad
from ..mode import enable_grad, no_grad
from ..numerical import _outputs, _prepare
from .graph import collect


@dataclass(frozen=True)
class NodeCheck:
    """The check of one Function.

    Attributes:
        op: the Function's class name.
        analytic, numeric: per input, the directional derivative each way (None where the
            input was not checked: it needs no gradient, or is not floating point).
        ok: every checked input agrees within ``atol + rtol * |numeric|``.
        error: the largest ``|analytic - numeric| / max(1, |numeric|)``; None when nothing
            could be checked.
        reason: why nothing was checked, if so.
    """

    op: str
    analytic: tuple[float | None, ...]
    numeric: tuple[float | None, ...]
    ok: bool
    error: float | None
    reason: str = ""

    def summary(self) -> str:
        """``err 3.1e-01`` for a label, or why the node was skipped."""
        return f"err {self.error:.1e}" if self.error is not None else f"({self.reason})"


@dataclass
class GradcheckReport:
    """The result of `gradcheck_report`: the graph it built and one `NodeCheck` per Function.

    Attributes:
        outputs: the float64 outputs of ``f``; draw them with ``to_dot(*report.outputs,
            report=report)``.
        checks: ``id(function)`` -> its `NodeCheck`, for every Function of the graph.
    """

    outputs: list[Variable]
    checks: dict[int, NodeCheck]

    @property
    def ok(self) -> bool:
        """True when no checked Function disagrees."""
        return all(c.ok for c in self.checks.values())

    @property
    def failures(self) -> list[NodeCheck]:
        """The checks that failed, in graph order."""
        return [c for c in self.checks.values() if not c.ok]

    def __str__(self) -> str:
        rows = [f"{c.op:<16} {'ok' if c.ok else 'WRONG':<6} {c.summary()}"
                for c in self.checks.values()]
        return "\n".join(rows)


def gradcheck_report(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6,
                     atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> GradcheckReport:
    """Check the backward of every Function in the graph of ``f(*inputs)``, each on its own.

    Where ``gradcheck`` says that a gradient is wrong, this says which op is to blame: pass
    the report to ``to_dot`` and the wrong backward is the red box.

    Args:
        f: maps the inputs to a Variable (or a tuple of them).
        inputs: Variables that require grad and float arrays become float64 copies (as in
            ``gradcheck``); anything else is passed to ``f`` unchanged.
        eps: the finite-difference step.
        atol, rtol: an input passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
        seed: seeds the random cotangents and directions.

    Returns:
        A `GradcheckReport` holding the graph and a `NodeCheck` per Function.

    >>> import numpy as np, autograd as ag
    >>> from autograd.viz import gradcheck_report
    >>> class BadSquare(ag.Function):  # the backward forgets the factor 2
    ...     def forward(self, x):
    ...         self.save_for_backward(x)
    ...         return x * x
    ...     def backward(self, grad):
    ...         return grad * self.saved[0]
    >>> report = gradcheck_report(lambda x: ag.tanh(BadSquare()(x)).sum(), np.ones(3))
    >>> report.ok, [c.op for c in report.failures]
    (False, ['BadSquare'])
    """
    args, _ = _prepare(inputs)
    kept = KeepInputs()
    with enable_grad(), hooks.installed(kept):
        outputs = _outputs(f, args)
    graph = collect(outputs, op="gradcheck_report")
    rng = np.random.default_rng(seed)
    checks = {id(fn): check_function(fn, rng, eps, atol, rtol,
                                     inputs=kept.inputs.get(id(fn), (None, None))[1])
              for fn in graph.functions}
    return GradcheckReport(outputs, checks)


class KeepInputs:
    """A hook (``autograd.hooks``) keeping the input Variables of every Function recorded while
    it is installed, which the graph itself does not keep: ``inputs[id(fn)] = (fn, xs)``."""

    def __init__(self) -> None:
        self.inputs: dict[int, tuple] = {}

    def recorded(self, fn: Function, xs: list[Variable]) -> None:
        self.inputs[id(fn)] = (fn, list(xs))


def check_function(fn: Function, rng: np.random.Generator, eps: float = 1e-6,
                   atol: float = 1e-5, rtol: float = 1e-3,
                   inputs: Sequence[Variable] | None = None) -> NodeCheck:
    """Compare one recorded Function's backward with central differences of its forward.

    Args:
        fn: a Function recorded in a graph that has not been freed.
        rng: draws the cotangent of each output and the direction for each input.
        eps, atol, rtol: as for `gradcheck_report`.
        inputs: the input Variables ``fn`` was called with (the graph keeps only what backward
            reads; record under a `KeepInputs` hook to have them).

    Returns:
        Its `NodeCheck`; ``error`` is None, and ``reason`` says why, when nothing could be
        compared (a freed graph, no input needing a gradient, a float32 output, a kink).

    >>> import numpy as np, autograd as ag
    >>> x = ag.Variable(np.array([0.5, 1.0]))
    >>> y = ag.exp(x)
    >>> check = check_function(y.creator, np.random.default_rng(0), inputs=[x])
    >>> check.op, check.ok, check.error < 1e-6
    ('Exp', True, True)
    """
    op = type(fn).__name__
    if fn.released or not fn.edges:
        return NodeCheck(op, (), (), True, None, "graph freed")
    if inputs is None:
        return NodeCheck(op, (), (), True, None, "inputs not kept")
    arrays = [np.array(x.data, dtype=np.float64) if x.dtype.kind == "f" else x.data
              for x in inputs]
    checked = [i for i, x in enumerate(inputs) if x.requires_grad and x.dtype.kind == "f"]
    try:
        fresh = type(fn)()
    except TypeError:  # a Function whose constructor needs arguments
        return NodeCheck(op, (), (), True, None, "cannot re-create it")
    with enable_grad():
        xs = [Variable(a) if i in checked else constant(a) for i, a in enumerate(arrays)]
        ys = _as_list(fresh(*xs, **fn.params))
        if any(y.dtype.kind == "f" and y.dtype.itemsize < 8 for y in ys):
            return NodeCheck(op, (), (), True, None, f"{ys[0].dtype} output")
        vs = [rng.standard_normal(y.shape) if y.dtype.kind == "f" else None for y in ys]
        total = _dot(ys, vs)
        if not checked or not isinstance(total, Variable) or not total.requires_grad:
            return NodeCheck(op, (), (), True, None, "no input needs a gradient")
        gs = grad(total, [xs[i] for i in checked], allow_unused=True)
    analytic: list[float | None] = [None] * len(arrays)
    numeric: list[float | None] = [None] * len(arrays)
    ok, error, kinks = True, None, 0
    for i, g in zip(checked, gs):
        d = rng.standard_normal(arrays[i].shape)
        here = _value(fn, arrays, i, 0 * d, vs)
        right = (_value(fn, arrays, i, d * eps, vs) - here) / eps
        left = (here - _value(fn, arrays, i, -d * eps, vs)) / eps
        n = (right + left) / 2
        tolerance = atol + rtol * abs(n)
        if abs(right - left) > tolerance:  # NOTE: no derivative here: nothing to compare
            kinks += 1
            continue
        a = 0.0 if g is None else float(np.sum(g.data * d))
        analytic[i], numeric[i] = a, n
        diff = abs(a - n)
        if not diff <= tolerance:  # NOTE: written so that NaN fails
            ok = False
        error = max(error or 0.0, diff / max(1.0, abs(n)) if np.isfinite(diff) else np.inf)
    reason = "not differentiable here" if kinks and error is None else ""
    return NodeCheck(op, tuple(analytic), tuple(numeric), ok, error, reason)


def _as_list(ys: Any) -> list[Variable]:
    return list(ys) if isinstance(ys, tuple) else [ys]


def _dot(ys: list[Any], vs: list[np.ndarray | None]) -> Any:
    total: Any = 0.0
    for y, v in zip(ys, vs):
        if v is not None:
            total = total + (y.astype(np.float64) * v).sum()
    return total


def _value(fn: Function, arrays: list[Any], i: int, step: np.ndarray,
           vs: list[np.ndarray | None]) -> float:
    """``<v, forward(x)>`` with input ``i`` moved by ``step``, on a fresh instance."""
    moved = list(arrays)
    moved[i] = arrays[i] + step
    with no_grad():
        ys = type(fn)()(*moved, **fn.params)
    ys = ys if isinstance(ys, tuple) else (ys,)
    return float(sum(np.sum(np.asarray(y.data, dtype=np.float64) * v)
                     for y, v in zip(ys, vs) if v is not None))
