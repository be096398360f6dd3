"""Function, one operation of the graph: ``forward`` on arrays, its gradient on Variables, and
what it records (edges to its inputs, weak references to its outputs, its saved values)."""
from __future__ import annotations

import weakref
from typing import Any, Sequence

import numpy as np

from . import hooks
from .conversion import as_inputs, constant, raw
from .core import DIFFERENTIABLE_KINDS, Variable
from .errors import GraphError, NotWrittenError, ZerogradError, op_error
from .mode import state as _grad_mode
from .saved import Locks, pack, unpack


class Function:
    """One operation in the graph: ``forward`` on ndarrays, its gradient ``backward`` on
    Variables.

    Subclass it and write ``forward(self, *arrays, **params)`` returning an array (or a tuple of
    arrays) and ``backward(self, *grads)`` returning one gradient per input (a Variable, an
    array or None). ``backward`` is written with Variable operations, so it is itself
    differentiable and ``create_graph=True`` yields higher-order derivatives. What backward
    reads of the inputs and outputs, forward saves with ``self.save_for_backward``, and
    backward gets back as Variables from ``self.saved``; nothing else of the inputs is kept.
    Other arrays backward needs (a mask, an index) forward keeps as attributes: backward reads
    them as constants. Each call uses a fresh instance:

    >>> import numpy as np, autograd as ag
    >>> class Cube(ag.Function):
    ...     def forward(self, x):
    ...         self.save_for_backward(x)
    ...         return x ** 3
    ...     def backward(self, grad):
    ...         x, = self.saved
    ...         return grad * 3 * x ** 2
    >>> x = ag.Variable(2.0)
    >>> y = Cube()(x)
    >>> y.backward()
    >>> x.grad
    variable(12.)

    An op may also define ``fast_backward(self, *grads)``: the same gradient on arrays, which
    the engine calls instead when nothing is being recorded (a plain ``backward()``).
    ``backward`` stays the reference; the op table checks that the two agree.

    Set when the op is recorded: ``edges``, one per input, ``(node, index, shape, dtype)``, where node is the input's creator (index: which of its outputs), the input itself
    if it is a leaf that requires grad, or None for a constant; ``outputs`` (weak references),
    ``generation`` and ``params``. ``scope`` and ``order`` are set by the picture hooks
    (``autograd.hooks``). During forward, ``self.requires_grad`` says whether the op is being
    recorded, so forward may skip work only backward needs.
    """

    fast_backward: Any = None

    requires_grad = False
    edges: list[tuple] | None = None
    outputs: list[weakref.ref] | None = None
    generation = 0
    params: dict[str, Any] = {}
    output_meta: list[tuple] = []  # (shape, dtype) of each output, for ops with several
    released = False  # True once backward has freed the saved values
    scope: tuple[str, ...] = ()  # the name_scope path, when one was open
    order = 0  # 0 for a forward op; k for one recorded by a k-th order backward
    _to_save: tuple = ()
    _saved: list | None = None  # see saved.pack
    _locks: Locks | None = None

    def forward(self, *arrays: np.ndarray, **params: Any) -> Any:
        raise NotWrittenError(f"{type(self).__name__}.forward is not written")

    def backward(self, *grads: Variable) -> Any:
        raise NotWrittenError(f"{type(self).__name__}.backward is not written")

    def save_for_backward(self, *arrays: Any) -> None:
        """In forward: keep these inputs or outputs (the very arrays forward got or returns,
        or None) for backward, which reads them as Variables from ``self.saved``."""
        self._to_save = arrays

    @property
    def saved(self) -> tuple:
        """What forward saved, as Variables (None where it saved None), in its order."""
        return () if self._saved is None else unpack(self, self._saved, _remake_output)

    @property
    def inputs(self) -> None:
        """Gone: the graph no longer keeps every input (see ``save_for_backward``)."""
        raise GraphError(f"{type(self).__name__}.inputs: a Function no longer keeps its inputs; "
                         "call self.save_for_backward(x, ...) in forward with what backward "
                         "reads, and read it back from self.saved (edges to the inputs are in "
                         "self.edges)")

    @property
    def needs_input_grad(self) -> list[bool]:
        """One flag per input: whether its gradient is wanted (PyTorch's name). Known from the
        start of forward, so forward saves only what the wanted gradients read."""
        # a node is a recorded Function, or a leaf that requires grad (or a named constant)
        return [node is not None and node.requires_grad for node, _, _, _ in self.edges or ()]

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        if self.outputs is not None:
            raise GraphError(f"{type(self).__name__}: a Function instance is used once; "
                             "create a new one for each call")
        xs = as_inputs(inputs)
        if _grad_mode.enabled:
            for x in xs:  # a loop, not any(genexpr): this runs once per op
                if x.requires_grad:
                    self.requires_grad = True
                    self.edges = [_edge(x) for x in xs]
                    break
        if not self.requires_grad:  # to this op's backward, which never runs, all are constant
            self.edges = _unrecorded(len(xs))
        try:
            # NOTE: unrolled for one and two inputs and no params: this runs once per op
            if params:
                ys = self.forward(*[x._data for x in xs], **params)
            elif len(xs) == 2:
                ys = self.forward(xs[0]._data, xs[1]._data)
            elif len(xs) == 1:
                ys = self.forward(xs[0]._data)
            else:
                ys = self.forward(*[x._data for x in xs])
        except ZerogradError:
            raise
        except (ValueError, IndexError, TypeError) as err:
            raise op_error(type(self).__name__, xs, params, err) from err
        if type(ys) is not tuple:
            y = constant(ys if type(ys) is np.ndarray else np.asarray(ys))
            if self.requires_grad:
                self._record(xs, (ys,), (y,), params)
            return y
        outputs = tuple(constant(y if type(y) is np.ndarray else np.asarray(y)) for y in ys)
        if self.requires_grad:
            self._record(xs, ys, outputs, params)
        return outputs

    def _record(self, xs: list[Variable], ys: Sequence[Any], outputs: Sequence[Variable],
                params: dict[str, Any]) -> None:
        generation = 0
        for x in xs:  # a loop, not max(genexpr): this runs once per recorded op
            if x.generation > generation:
                generation = x.generation
        self.generation = generation
        if params:
            self.params = params
        self.outputs = [weakref.ref(y) for y in outputs]
        if len(outputs) > 1:
            self.output_meta = [(y._data.shape, y._data.dtype) for y in outputs]
        for y in outputs:
            if y._data.dtype.kind in DIFFERENTIABLE_KINDS:
                y.creator = self
                y.generation = generation + 1
                y.requires_grad = True
        if self._to_save:
            self._saved, self._locks = pack(self, self._to_save, xs, ys, outputs)
            del self._to_save
        if hooks.active:
            hooks.recorded(self, xs)

    def release(self) -> None:
        """Free what backward needed: the saved values (unlocking their arrays) and the edges,
        so the Functions before this one are freed as soon as the engine is done with them."""
        if self._locks is not None:
            self._locks.release()
            self._locks = None
        self._saved = None
        self.edges = ()
        self.released = True

    def __repr__(self) -> str:
        params = "".join(f" {k}={v!r}" for k, v in self.params.items() if not _is_array(v))
        return f"<{type(self).__name__}{params}>"


def _edge(x: Variable) -> tuple:
    """The edge from an op to its input x: ``(node, index, shape, dtype)`` (see Function)."""
    c = x.creator
    if c is None:  # a constant the user named is kept too, for pictures
        return (x if x.requires_grad or x.name is not None else None, 0, x._data.shape,
                x._data.dtype)
    if len(c.outputs) == 1:
        return (c, 0, x._data.shape, x._data.dtype)
    index = next(i for i, ref in enumerate(c.outputs) if ref() is x)
    return (c, index, x._data.shape, x._data.dtype)


_UNRECORDED: dict[int, tuple] = {}


def _unrecorded(n: int) -> tuple:
    """The edges of an op with n inputs that is not recorded: n constants, shapes unknown."""
    edges = _UNRECORDED.get(n)
    if edges is None:
        edges = _UNRECORDED[n] = ((None, 0, None, None),) * n
    return edges


def _remake_output(fn: Function, index: int, arr: np.ndarray) -> Variable:
    """A saved output whose Variable is gone, made again in its place in the graph."""
    y = constant(arr)
    y.creator, y.generation, y.requires_grad = fn, fn.generation + 1, True
    fn.outputs[index] = weakref.ref(y)
    return y


def _is_array(v: Any) -> bool:
    return isinstance(v, np.ndarray) and v.ndim > 0
