"""The backward engine: the chain rule applied one Function at a time, in topological order.

Functions are visited from the highest generation down, using a heap, so every Function runs
after all the Functions that consume its outputs; no recursion, so chains of any length work.
Each gradient is reduced to its input's shape and cast to its dtype here, and only here.
"""
from __future__ import annotations

import heapq
import itertools
from contextlib import nullcontext
from typing import Any, Sequence

import numpy as np

from . import hooks
from .conversion import as_variable, constant
from .core import Function, Variable
from .devices import get_array_module
from .errors import AnomalyError, DeviceError, GraphError, OpTypeError, ShapeError
from .mode import set_grad_enabled
from .mode import state as _grad_mode
from .parallel import one_blas_thread


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
        return constant(get_array_module(y).ones(y.shape, dtype=y.dtype))
    g = as_variable(g)
    if g.shape != y.shape:
        raise ShapeError(f"{op}: grad of shape {g.shape} does not match the output's "
                         f"shape {y.shape}")
    if g.creator is not None or (g.requires_grad and _grad_mode.enabled):
        # part of a graph, or a leaf to differentiate by (a create_graph backward: the
        # double-vjp trick of autograd.functional.jvp)
        return g if g.dtype == y.dtype else g.astype(y.dtype)
    if g.device != y.device:
        raise DeviceError(f"{op}: grad on {g.device} for an output on {y.device}")
    # a copy: .grad never aliases user data
    return constant(get_array_module(y).array(g.data, dtype=y.dtype))


class Gradients:
    """The gradients that have arrived and not yet been used: per Function, one slot per
    output (``waiting``), and per leaf ``[leaf, gradient]`` (``leaves``). A Function enters
    the heap with its first gradient."""

    def __init__(self) -> None:
        self.waiting: dict[int, list] = {}
        self.leaves: dict[int, list] = {}
        self.heap: list = []
        self._tie = itertools.count()  # heap order among equal generations: arrival

    def add(self, node: Any, index: int, g: Variable) -> None:
        """Add ``g`` to what output ``index`` of Function ``node`` (or leaf ``node``) has."""
        if isinstance(node, Variable):
            entry = self.leaves.get(id(node))
            if entry is None:
                self.leaves[id(node)] = [node, g]
            else:
                entry[1] = entry[1] + g  # a new Variable: never add in place into a shared one
            return
        slots = self.waiting.get(id(node))
        if slots is None:
            slots = self.waiting[id(node)] = [None] * len(node.outputs)
            heapq.heappush(self.heap, (-node.generation, next(self._tie), node))
        slots[index] = g if slots[index] is None else slots[index] + g

    def pop(self) -> tuple[Function, list[Variable]]:
        """The next Function and the gradients of its outputs (zeros for an unused one)."""
        f = heapq.heappop(self.heap)[2]
        grads = self.waiting.pop(id(f))
        for k, ref in enumerate(f.outputs):
            y = ref()
            if grads[k] is None:
                xp = get_array_module(*[g for g in grads if g is not None])
                grads[k] = constant(xp.zeros(*f.output_meta[k]))
            elif y is not None:
                if hooks.tensor_hooks and id(y) in hooks.tensor_hooks:
                    grads[k] = hooks.run_tensor_hooks(y, grads[k])
                if y._retains_grad:  # after the hooks, as in PyTorch: .grad is what flows on
                    y.grad = grads[k] if y.grad is None else y.grad + grads[k]
        return f, grads


def _input_grads(f: Function, grads: list[Variable], create_graph: bool) -> tuple:
    """``f``'s gradient: its array kernel when nothing is recorded and it has one, else the
    Variable ``backward`` (the reference)."""
    if f.released:
        raise GraphError(
            f"{type(f).__name__}: trying to backward through the graph a second time (its "
            "saved values were freed after the first backward); pass retain_graph=True to "
            "the first backward if you need a second one")
    fast = f.fast_backward is not None and not create_graph
    if len(grads) == 1:  # NOTE: unrolled for one output, as Function.__call__: once per op
        gxs = f.fast_backward(grads[0]._data) if fast else f.backward(grads[0])
    elif fast:
        gxs = f.fast_backward(*[g._data for g in grads])
    else:
        gxs = f.backward(*grads)
    gxs = gxs if type(gxs) is tuple else (gxs,)
    if len(gxs) != len(f.edges):
        raise GraphError(f"{type(f).__name__}.backward returned {len(gxs)} gradients "
                         f"for {len(f.edges)} inputs")
    return gxs


def _reduce_to_input(gx: Any, shape: tuple, dtype: np.dtype, f: Function) -> Variable:
    """``gx`` summed over the axes broadcasting added, and cast to the input's dtype."""
    if type(gx) is not Variable:
        gx = as_variable(gx)
    if gx._data.shape != shape:
        try:
            gx = gx.sum_to(shape)
        except ShapeError as err:
            raise GraphError(f"{type(f).__name__}.backward returned a gradient of shape "
                             f"{gx.shape} for an input of shape {shape}") from err
    if gx._data.dtype != dtype:
        gx = gx.astype(dtype)
    return gx


def run(outputs: Sequence[Variable], grad_outputs: Sequence[Any], *, retain_graph: bool,
        create_graph: bool, op: str) -> dict[int, list]:
    """Propagate gradients from ``outputs`` to every Variable of the graph that needs one.

    Returns the gradients that reached leaves, as ``{id(v): [v, grad]}``; a non-leaf keeps its
    gradient in ``.grad`` only if it asked to with ``retain_grad()``.
    """
    try:
        return _run(outputs, grad_outputs, retain_graph, create_graph, op)
    except AnomalyError as err:  # found in backward: drawn from where backward started
        if not err.outputs:
            err.outputs = tuple(outputs)
        raise


def _run(outputs: Sequence[Variable], grad_outputs: Sequence[Any], retain_graph: bool,
         create_graph: bool, op: str) -> dict[int, list]:
    pending = Gradients()
    orders = hooks.installed(hooks.DerivativeOrders()) if create_graph else nullcontext()
    with set_grad_enabled(create_graph), orders, one_blas_thread:
        for y, g in zip(outputs, grad_outputs):
            g = _seed(y, g, op)
            if y.creator is None:
                pending.add(y, 0, g)
            else:
                pending.add(y.creator, next(k for k, ref in enumerate(y.creator.outputs)
                                            if ref() is y), g)
        while pending.heap:
            f, grads = pending.pop()
            if hooks.active:
                hooks.before_backward(f, grads)
            gxs = _input_grads(f, grads, create_graph)
            if hooks.active:
                hooks.after_backward(f, gxs)
            for (node, index, shape, dtype), gx in zip(f.edges, gxs):
                if gx is None or node is None:
                    continue
                # NOTE: the test first, the call only when needed: this runs once per edge
                if type(gx) is not Variable or gx._data.shape != shape or \
                        gx._data.dtype != dtype:
                    gx = _reduce_to_input(gx, shape, dtype, f)
                pending.add(node, index, gx)
            # NOTE: the loop's names would keep the last gradients alive through the next op
            grads = gxs = gx = None
            if not retain_graph:
                f.release()
        if hooks.tensor_hooks:  # a leaf's hooks see its whole gradient of this backward, once
            for entry in pending.leaves.values():
                if id(entry[0]) in hooks.tensor_hooks:
                    entry[1] = hooks.run_tensor_hooks(entry[0], entry[1])
    return pending.leaves


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
                if id(g) in assigned or data.base is not None or \
                        type(data) is np.ndarray and not data.flags.writeable:
                    g = constant(data.copy())
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
    if grad_outputs is None or isinstance(grad_outputs, Variable) or \
            hasattr(grad_outputs, "__array_function__"):  # one array, NumPy's or CuPy's
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
