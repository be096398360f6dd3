"""Function, one operation of the graph: ``forward`` on arrays, its gradient on Variables, and
what it records (edges to its inputs, weak references to its outputs, its saved values)."""
from __future__ import annotations

import weakref
from typing import Any, Sequence

import numpy as np

from . import hooks
from .conversion import as_inputs, constant
from .core import DIFFERENTIABLE_KINDS, Variable
from .devices import as_array, same_device
from .errors import DeviceError, GraphError, NotWrittenError, ZerogradError, op_error
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

    Set when the op is recorded: ``edges``, one per input, ``(node, index, shape, dtype)``,
    where node is the input's creator (index: which of its outputs), the input itself if it is
    a leaf that requires grad, or None for a constant (index: its name, for pictures); ``outputs`` (weak references),
    ``generation`` and ``params``. ``scope`` and ``order`` are set by the picture hooks
    (``autograd.hooks``). During forward, ``self.requires_grad`` says whether the op is being
    recorded, so forward may skip work only backward needs, and ``self.needs_input_grad``
    (one flag per input) which gradients will be wanted, so it saves only what they read.
    """

    fast_backward: Any = None

    requires_grad = False
    needs_input_grad: Any = ()  # one flag per input: is its gradient wanted? (PyTorch's name)
    edges: list[tuple] | None = None
    outputs: list[weakref.ref] | None = None
    generation = 0
    params: dict[str, Any] = {}
    output_meta: list[tuple] = []  # (shape, dtype) of each output, for ops with several
    released = False  # True once backward has freed the saved values
    scope: tuple[str, ...] = ()  # the name_scope path, when one was open
    order = 0  # 0 for a forward op; k for one recorded by a k-th order backward
    # Attributes or params holding arrays that only backward reads (a mask, an index): freed
    # with the saved values, so a graph kept for drawing holds no arrays. A test checks that
    # every op lists its own.
    freed_after_backward: tuple[str, ...] = ()
    _saved: Any = None  # what forward saved: the arrays, then the entries of saved.pack
    _locks: Locks | None = None

    def forward(self, *arrays: np.ndarray, **params: Any) -> Any:
        raise NotWrittenError(f"{type(self).__name__}.forward is not written")

    def backward(self, *grads: Variable) -> Any:
        raise NotWrittenError(f"{type(self).__name__}.backward is not written")

    def save_for_backward(self, *arrays: Any) -> None:
        """In forward: keep these inputs or outputs (the very arrays forward got or returns,
        or None) for backward, which reads them as Variables from ``self.saved``."""
        self._saved = arrays  # matched to the inputs and outputs, and locked, by _record

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

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        if self.outputs is not None:
            raise GraphError(f"{type(self).__name__}: a Function instance is used once; "
                             "create a new one for each call")
        try:
            xs = as_inputs(inputs)
        except DeviceError as err:
            raise DeviceError(f"{type(self).__name__}{err}") from None
        if _grad_mode.enabled:
            for x in xs:  # a loop, not any(genexpr): this runs once per op
                if x.requires_grad:
                    self.requires_grad = True
                    # NOTE: unrolled for two inputs, as below: this runs once per recorded op
                    if len(xs) == 2:
                        a, b = xs[0]._edge or _edge(xs[0]), xs[1]._edge or _edge(xs[1])
                        self.edges = [a, b]
                        self.needs_input_grad = [a[0] is not None, b[0] is not None]
                    else:
                        self.edges = [x._edge or _edge(x) for x in xs]
                        self.needs_input_grad = [edge[0] is not None for edge in self.edges]
                    break
        if not self.requires_grad:  # no gradient is wanted of an op that is not recorded
            self.needs_input_grad = _NOTHING_NEEDED[len(xs)]
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
            same_device(type(self).__name__, [x._data for x in xs])  # the likely cause
            raise op_error(type(self).__name__, xs, params, err) from err
        if type(ys) is not tuple:
            try:  # NOTE: np.asarray first (a NumPy scalar, from a reduction): once per op
                y = constant(ys if type(ys) is np.ndarray else np.asarray(ys))
            except TypeError:  # another device's array (CuPy's refuse np.asarray)
                y = constant(as_array(ys))
            if self.requires_grad:
                self._record(xs, (ys,), (y,), params)
            if hooks.active:
                hooks.called(self, xs, (y,))
            return y
        try:
            outputs = tuple(constant(y if type(y) is np.ndarray else np.asarray(y)) for y in ys)
        except TypeError:
            outputs = tuple(constant(as_array(y)) for y in ys)
        if self.requires_grad:
            self._record(xs, ys, outputs, params)
        if hooks.active:
            hooks.called(self, xs, outputs)
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
        if len(outputs) == 1:  # NOTE: a list display, not a comprehension: once per op
            self.outputs = [weakref.ref(outputs[0])]
        else:
            self.outputs = [weakref.ref(y) for y in outputs]
            self.output_meta = [(y._data.shape, y._data.dtype) for y in outputs]
        k = 0
        for y in outputs:
            data = y._data
            if data.dtype.kind in DIFFERENTIABLE_KINDS:
                y.creator = self
                y.generation = generation + 1
                y.requires_grad = True
                y._edge = (self, k, data.shape, data.dtype)
            k += 1
        if self._saved is not None:
            self._saved, self._locks = pack(self, self._saved, xs, ys, outputs)

    def release(self) -> None:
        """Free what backward needed: the saved values (unlocking their arrays) and the
        attributes named in ``freed_after_backward``. The structure stays (edges, output
        shapes and dtypes, scope, order), with no arrays, so the graph can still be drawn
        after a plain backward; it goes when its output does."""
        freed = self._saved is not None
        if self._locks is not None:
            self._locks.release()
            self._locks = None
        self._saved = None
        for name in self.freed_after_backward:
            freed = name in self.__dict__ or freed  # even a None: backward reads it
            self.__dict__.pop(name, None)
            if name in self.params:
                self.params = {k: v for k, v in self.params.items() if k != name}
        # an op that kept nothing (Add, a move to a device) can run backward again, as in
        # PyTorch: a batch moved once with .to() serves many steps
        self.released = self.released or freed

    def __repr__(self) -> str:
        params = "".join(f" {k}={v!r}" for k, v in self.params.items() if not _is_array(v))
        return f"<{type(self).__name__}{params}>"


def _edge(x: Variable) -> tuple:
    """The edge from an op to its input x: ``(node, index, shape, dtype)`` (see Function).
    An op's output keeps its edge from the start (``_edge``); leaves and constants get it
    here."""
    c = x.creator
    if c is None:
        if x.requires_grad:
            return (x, 0, x._data.shape, x._data.dtype)
        return (None, x.name, x._data.shape, x._data.dtype)  # a constant: its name, for pictures
    if len(c.outputs) == 1:
        return (c, 0, x._data.shape, x._data.dtype)
    index = next(i for i, ref in enumerate(c.outputs) if ref() is x)
    return (c, index, x._data.shape, x._data.dtype)


class _Nothing(dict):
    """``needs_input_grad`` of an op that is not recorded, by its number of inputs."""

    def __missing__(self, n: int) -> tuple[bool, ...]:
        self[n] = (False,) * n
        return self[n]


_NOTHING_NEEDED = _Nothing()


def _remake_output(fn: Function, index: int, arr: np.ndarray) -> Variable:
    """A saved output whose Variable is gone, made again in its place in the graph."""
    y = constant(arr)
    y.creator, y.generation, y.requires_grad = fn, fn.generation + 1, True
    y._edge = (fn, index, arr.shape, arr.dtype)
    fn.outputs[index] = weakref.ref(y)
    return y


def _is_array(v: Any) -> bool:
    return isinstance(v, np.ndarray) and v.ndim > 0
