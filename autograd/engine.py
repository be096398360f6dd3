"""The backward engine: the chain rule applied one Function at a time, in topological order.

Functions are visited from the highest generation down, using a heap, so every Function runs
after all the Functions that consume its outputs; no recursion, so chains of any length work.
Each gradient is reduced to its input's shape and cast to its dtype here, and only here.
"""
from __future__ import annotations

import heapq
import itertools
from typing import Any, Sequence

import numpy as np

from . import saved
from .core import Function, Variable, _constant, as_variable
from .errors import GraphError, OpTypeError, ShapeError
from .mode import _restore_order, set_grad_enabled
from .mode import state as _grad_mode


def _check_differentiable(v: Any, what: str, op: str) -> Variable:
    if not isinstance(v, Variable):
        raise OpTypeError(f"{op}: {what} must be a Variable, got {type(v).__name__}")
    if not v.requires_grad:
        reason = ("it holds integer data" if v.dtype.kind != "f"
                  else "it does not require grad (a constant, or computed under no_grad)")
        raise GraphError(f"{op}: {what} has no gradient: {reason}")
    return v


def _seed(y: Variable, g: Any, op: str) -> Variable:
    """The starting gradient for output ``y``: ones for a one-element output, else ``g``."""
    if g is None:
        if y.size != 1:
            raise GraphError(f"{op}: grad can be implicitly created only for scalar outputs "
                             f"(got an output of shape {y.shape}); pass grad=")
        return _constant(np.ones(y.shape, dtype=y.dtype))
    g = as_variable(g)
    if g.shape != y.shape:
        raise ShapeError(f"{op}: grad of shape {g.shape} does not match the output's "
                         f"shape {y.shape}")
    if isinstance(g, Variable) and g.creator is not None:
        return g if g.dtype == y.dtype else g.astype(y.dtype)
    return _constant(np.array(g.data, dtype=y.dtype))  # a copy: .grad never aliases user data


def _reduce_to_input(gx: Any, x: Variable, fn: Function) -> Variable:
    if not isinstance(gx, Variable):
        gx = as_variable(gx)
    if gx._data.shape != x._data.shape:
        try:
            gx = gx.sum_to(x.shape)
        except ShapeError as err:
            raise GraphError(f"{type(fn).__name__}.backward returned a gradient of shape "
                             f"{gx.shape} for an input of shape {x.shape}") from err
    if gx._data.dtype != x._data.dtype:
        gx = gx.astype(x.dtype)
    return gx


def _order(f: Function, grads: list) -> int:
    """The derivative order of what ``f.backward`` records: one above ``f``'s, and at least
    that of the gradients coming in (a derivative of a derivative is one order higher)."""
    order = f.order + 1
    for g in grads:
        if g is not None and g.creator is not None and g.creator.order > order:
            order = g.creator.order
    return order


def run(outputs: Sequence[Variable], grad_outputs: Sequence[Any], *, retain_graph: bool,
        create_graph: bool, op: str) -> dict[int, list]:
    """Propagate gradients from ``outputs`` to every Variable of the graph that needs one.

    Returns the gradients that reached leaves, as ``{id(v): [v, grad]}``; a non-leaf keeps its
    gradient in ``.grad`` only if it asked to with ``retain_grad()``.
    """
    pending: dict[int, list] = {}  # id(v) -> [v, gradient so far]; the entry keeps v alive
    heap: list = []
    heappush = heapq.heappush
    seen: set[int] = set()
    tie = itertools.count()

    def push(f: Function) -> None:
        if id(f) not in seen:
            seen.add(id(f))
            heappush(heap, (-f.generation, next(tie), f))

    def accumulate(v: Variable, g: Variable) -> None:
        entry = pending.get(id(v))
        if entry is None:
            pending[id(v)] = [v, g]
        else:
            entry[1] = entry[1] + g  # a new Variable: never add in place into a shared one

    with set_grad_enabled(create_graph), _restore_order():
        for y, g in zip(outputs, grad_outputs):
            accumulate(y, _seed(y, g, op))
            if y.creator is not None:
                push(y.creator)

        pop = heapq.heappop
        while heap:
            f = pop(heap)[2]
            if f._released or f._epoch < saved.clock:
                f.check_saved()
            refs = f.outputs
            if len(refs) == 1:  # the common case, without the lists
                out = refs[0]()  # alive: its pending entry holds it
                entry = pending.pop(id(out))
                g = entry[1]
                if out._retains_grad:
                    out.grad = g if out.grad is None else out.grad + g
                if create_graph:
                    _grad_mode.order = _order(f, (g,))
                if not f.saves_outputs:  # backward does not read it: let it go first
                    out = entry = None
                gxs = f.backward(g)
            else:
                grads = []
                outs = [ref() for ref in refs]  # kept alive for backward
                for out in outs:
                    entry = pending.pop(id(out), None) if out is not None else None
                    if entry is None:  # an output nobody used contributes a zero gradient
                        grads.append(None)
                        continue
                    if out._retains_grad:
                        out.grad = entry[1] if out.grad is None else out.grad + entry[1]
                    grads.append(entry[1])
                grads = [_constant(np.zeros(shape, dtype)) if g is None else g
                         for g, (shape, dtype) in zip(grads, f.output_meta)]
                if create_graph:
                    _grad_mode.order = _order(f, grads)
                gxs = f.backward(*grads)
            if type(gxs) is not tuple:
                gxs = (gxs,)
            if len(gxs) != len(f.inputs):  # type: ignore[arg-type]
                raise GraphError(f"{type(f).__name__}.backward returned {len(gxs)} gradients "
                                 f"for {len(f.inputs)} inputs")  # type: ignore[arg-type]
            for x, gx in zip(f.inputs, gxs):  # type: ignore[arg-type]
                if gx is None or not x.requires_grad:
                    continue
                if type(gx) is np.ndarray and gx.shape == x._data.shape and \
                        gx.dtype == x._data.dtype:  # a fused op's array gradient, as it is
                    gx = _constant(gx)
                elif type(gx) is not Variable or gx._data.shape != x._data.shape or \
                        gx._data.dtype != x._data.dtype:
                    gx = _reduce_to_input(gx, x, f)
                entry = pending.get(id(x))
                if entry is None:
                    pending[id(x)] = [x, gx]
                else:
                    entry[1] = entry[1] + gx  # a new Variable: never add in place into a shared one
                c = x.creator
                if c is not None and id(c) not in seen:  # push(c), inlined: once per op
                    seen.add(id(c))
                    heappush(heap, (-c.generation, next(tie), c))
            # NOTE: the loop's names would keep the last input (and its array) alive through
            # the next op's backward, after this one has let go of it
            x = gx = entry = out = None
            if not retain_graph:
                f.release()
    return pending


def backward(outputs: Sequence[Variable], grad_outputs: Sequence[Any], *,
             retain_graph: bool | None, create_graph: bool, op: str = "backward") -> None:
    """Accumulate the gradients of ``outputs`` into ``.grad`` of the leaves that need one."""
    for y in outputs:
        _check_differentiable(y, "the output", op)
    if retain_graph is None:
        retain_graph = create_graph
    leaves = run(outputs, grad_outputs, retain_graph=retain_graph, create_graph=create_graph,
                 op=op)
    assigned: set[int] = set()
    with set_grad_enabled(create_graph):
        for v, g in leaves.values():
            if not create_graph:
                data = g._data
                # .grad owns a writeable array: no view of another array, no shared object.
                if id(g) in assigned or data.base is not None or not data.flags.writeable:
                    g = _constant(np.array(data))
                assigned.add(id(g))
            v.grad = g if v.grad is None else v.grad + g


def grad(outputs: Variable | Sequence[Variable], inputs: Variable | Sequence[Variable],
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Variable | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, leaving every ``.grad`` untouched.

    Like ``torch.autograd.grad``. With ``create_graph=True`` the results carry a graph and
    can be differentiated again.

    Args:
        outputs: a Variable or a sequence of them.
        inputs: the Variables to differentiate with respect to (leaves or intermediates).
        grad_outputs: the cotangent of each output; may be None for one-element outputs.
        retain_graph: keep the graph for another backward; defaults to ``create_graph``.
        create_graph: record the computation of the gradients.
        allow_unused: give None for an input the outputs do not depend on, instead of raising.

    Returns:
        A tuple with one gradient per input.

    >>> import autograd as ag
    >>> x = ag.Variable(3.0)
    >>> (gx,) = ag.grad(x ** 2, x, create_graph=True)
    >>> gx, ag.grad(gx, x)[0]
    (variable(6., creator=Mul), variable(2.))
    """
    outs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    ins = [inputs] if isinstance(inputs, Variable) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Variable, np.ndarray)):
        gouts = [grad_outputs] * len(outs) if len(outs) == 1 or grad_outputs is None \
            else None
    else:
        gouts = list(grad_outputs)
    if gouts is None or len(gouts) != len(outs):
        raise ShapeError(f"grad: got {len(outs)} outputs but grad_outputs does not give one "
                         "gradient each")
    for y in outs:
        _check_differentiable(y, "an output", "grad")
    for i, x in enumerate(ins):
        _check_differentiable(x, f"input {i}", "grad")
    if retain_graph is None:
        retain_graph = create_graph
    # Intermediate inputs catch their gradient as retain_grad() Variables do; leaves come back
    # from run(). Each input's own .grad and flag are restored afterwards.
    kept = [(x, x.grad, x._retains_grad) for x in ins]
    found: dict[int, Variable] = {}
    for x in ins:
        x.grad, x._retains_grad = None, True
    try:
        leaves = run(outs, gouts, retain_graph=retain_graph, create_graph=create_graph,
                     op="grad")
        for x in ins:
            g = x.grad if x.grad is not None else leaves.get(id(x), (None, None))[1]
            if g is not None:
                found[id(x)] = g
    finally:
        for x, old_grad, old_flag in kept:
            x.grad, x._retains_grad = old_grad, old_flag
    result = []
    for i, x in enumerate(ins):
        g = found.get(id(x))
        if g is None and not allow_unused:
            raise GraphError(f"grad: input {i} (shape {x.shape}) was not used to compute the "
                             "outputs; pass allow_unused=True to get None for it")
        result.append(g)
    return tuple(result)
