"""Variable and Function: the two types every graph is made of.

They depend on each other (a Variable knows its creator Function, a Function holds its input
Variables), so both live here; the ops and the backward engine are imported at the bottom.
"""
from __future__ import annotations

import sys
import weakref
from typing import Any, Iterator, Sequence

import numpy as np

from . import saved
from .errors import GraphError, OpIndexError, OpTypeError, ShapeError, ZerogradError
from .mode import state as _grad_mode

ArrayLike = Any  # an ndarray, a NumPy scalar, a Python number or a nested list of them

_DIFFERENTIABLE_KINDS = "f"  # float16/32/64; integers and booleans never require grad


class Variable:
    """An ndarray with a place in the computation graph.

    Args:
        data: the value; anything ``np.asarray`` accepts. It is not copied.
        name: an optional label, shown by ``repr`` and in graph pictures.
        requires_grad: whether gradients flow to this Variable. Defaults to True for
            floating-point data and False otherwise; asking for it on integer data is an error.

    >>> import autograd as ag
    >>> x = ag.Variable([1.0, 2.0, 3.0], name="x")
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    variable([2., 4., 6.])
    >>> x
    variable([1., 2., 3.], name='x', requires_grad=True)
    """

    __slots__ = ("_data", "name", "grad", "creator", "generation", "requires_grad",
                 "_version", "_retains_grad", "__weakref__", "__dict__")


    def __init__(self, data: ArrayLike, name: str | None = None,
                 requires_grad: bool | None = None) -> None:
        if isinstance(data, Variable):
            raise OpTypeError("Variable: data is already a Variable; "
                              "use x.detach() for a constant or x.data for its array")
        arr = data if type(data) is np.ndarray else np.asarray(data)
        if arr.dtype.kind not in "biuf":
            raise OpTypeError(f"Variable: unsupported dtype {arr.dtype} "
                              "(expected a boolean, integer or floating-point array)")
        floating = arr.dtype.kind in _DIFFERENTIABLE_KINDS
        if requires_grad is None:
            requires_grad = floating
        elif requires_grad and not floating:
            raise OpTypeError(f"Variable: only floating-point data can require gradients "
                              f"(got dtype {arr.dtype})")
        self._data = arr
        self.name = name
        self.grad: Variable | None = None
        self.creator: Function | None = None
        self.generation = 0
        self.requires_grad = bool(requires_grad)
        self._version = 0
        self._retains_grad = False

    @property
    def data(self) -> np.ndarray:
        """The value as an ndarray (shared, not copied)."""
        return self._data

    @data.setter
    def data(self, value: ArrayLike) -> None:
        if isinstance(value, Variable):
            raise OpTypeError("Variable.data: expected an array, got a Variable (use .data)")
        if self._version < 0:
            raise GraphError(f"Variable.data: this is the shared constant {self._data} that "
                             "every op on that Python number uses; it cannot be replaced")
        self._data = value if type(value) is np.ndarray else np.asarray(value)
        self._version = saved.replaced()

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for a Variable no recorded op created (user inputs, parameters)."""
        return self.creator is None

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise OpTypeError("len() of a 0-d Variable")
        return len(self._data)

    def __iter__(self) -> Iterator[Variable]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise OpTypeError(f"the truth value of a Variable of shape {self.shape} is "
                              "ambiguous; use (x.data).any() or .all()")
        return bool(self._data)

    def __repr__(self) -> str:
        body = repr(self._data)[len("array("):-1].replace("\n", "\n   ")
        extras = []
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if self.creator is not None:
            extras.append(f"creator={type(self.creator).__name__}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "variable(" + ", ".join([body] + extras) + ")"

    def item(self) -> Any:
        """The value of a one-element Variable as a Python number."""
        if self._data.size != 1:
            raise OpTypeError(f"item: only one-element Variables can be converted to a Python "
                              f"number (got shape {self.shape})")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The value as an ndarray (the same array as ``.data``)."""
        return self._data

    def detach(self) -> Variable:
        """A new Variable sharing the data, cut from the graph (a constant)."""
        return Variable(self._data, name=self.name, requires_grad=False)

    def cleargrad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``)."""
        self.grad = None

    zero_grad = cleargrad

    def retain_grad(self) -> None:
        """Keep this non-leaf Variable's gradient in ``.grad`` after backward."""
        self._retains_grad = True

    def backward(self, grad: ArrayLike | Variable | None = None,
                 retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Args:
            grad: the gradient with respect to this Variable (its cotangent); may be left out
                only when this Variable holds one element.
            retain_graph: keep the graph for another backward. Defaults to ``create_graph``.
            create_graph: record the backward computation itself, so the gradients are
                Variables with a graph and can be differentiated again.
        """
        engine.backward([self], [grad], retain_graph=retain_graph, create_graph=create_graph)

    # Operators: written out one by one so every reflected form is visible.
    def __add__(self, other: Any) -> Variable:
        return elementwise.Add()(self, other)

    def __radd__(self, other: Any) -> Variable:
        return elementwise.Add()(other, self)

    def __sub__(self, other: Any) -> Variable:
        return elementwise.Sub()(self, other)

    def __rsub__(self, other: Any) -> Variable:
        return elementwise.Sub()(other, self)

    def __mul__(self, other: Any) -> Variable:
        return elementwise.Mul()(self, other)

    def __rmul__(self, other: Any) -> Variable:
        return elementwise.Mul()(other, self)

    def __truediv__(self, other: Any) -> Variable:
        return elementwise.Div()(self, other)

    def __rtruediv__(self, other: Any) -> Variable:
        return elementwise.Div()(other, self)

    def __pow__(self, other: Any) -> Variable:
        return elementwise.pow(self, other)

    def __rpow__(self, other: Any) -> Variable:
        return elementwise.pow(other, self)

    def __matmul__(self, other: Any) -> Variable:
        return linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Variable:
        return linalg.matmul(other, self)

    def __neg__(self) -> Variable:
        return elementwise.Neg()(self)

    def __pos__(self) -> Variable:
        return self

    def __abs__(self) -> Variable:
        return elementwise.abs(self)

    def __getitem__(self, index: Any) -> Variable:
        return shape_ops.getitem(self, index)

    # Comparisons give plain boolean arrays: they have no gradient.
    def __lt__(self, other: Any) -> np.ndarray:
        return self._data < _raw(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self._data <= _raw(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self._data > _raw(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self._data >= _raw(other)

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self._data == _raw(other)

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self._data != _raw(other)

    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *args: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs on Variables: the differentiable ones run as autograd ops, so
        ``ndarray + Variable`` and ``np.exp(x)`` record the graph; the others are refused."""
        fn = _ufunc_ops().get(ufunc) if method == "__call__" and not kwargs else None
        if fn is None:
            raise OpTypeError(f"np.{ufunc.__name__}{'' if method == '__call__' else '.' + method}"
                              f" has no gradient on a Variable: apply it to x.data for a plain "
                              f"array, or use the autograd op where there is one")
        return fn(*args)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise OpTypeError(f"np.{func.__name__} does not record gradients on a Variable: use the "
                          f"autograd function or Variable method of that name, or x.data")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self.requires_grad:
            raise OpTypeError("cannot convert a Variable that requires grad to an array "
                              "implicitly (the gradient would be lost): use x.data")
        return self._data if dtype is None else self._data.astype(dtype)

    # Methods, as NumPy users expect them.
    def reshape(self, *shape: Any) -> Variable:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return shape_ops.reshape(self, shape)

    def transpose(self, *axes: Any) -> Variable:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return shape_ops.transpose(self, axes or None)

    @property
    def T(self) -> Variable:
        return shape_ops.transpose(self)

    def flatten(self) -> Variable:
        return shape_ops.flatten(self)

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Variable:
        return shape_ops.squeeze(self, axis)

    def expand_dims(self, axis: int | tuple[int, ...]) -> Variable:
        return shape_ops.expand_dims(self, axis)

    def repeat(self, repeats: Any, axis: int | None = None) -> Variable:
        return shape_ops.repeat(self, repeats, axis)

    def broadcast_to(self, shape: Sequence[int]) -> Variable:
        return reduce.broadcast_to(self, shape)

    def sum_to(self, shape: Sequence[int]) -> Variable:
        return reduce.sum_to(self, shape)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Variable:
        return reduce.sum(self, axis, keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Variable:
        return reduce.mean(self, axis, keepdims)

    def var(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False,
            ddof: int = 0) -> Variable:
        return reduce.var(self, axis, keepdims, ddof)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Variable:
        return reduce.max(self, axis, keepdims)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Variable:
        return reduce.min(self, axis, keepdims)

    def exp(self) -> Variable:
        return elementwise.exp(self)

    def log(self) -> Variable:
        return elementwise.log(self)

    def sqrt(self) -> Variable:
        return elementwise.sqrt(self)

    def sin(self) -> Variable:
        return elementwise.sin(self)

    def cos(self) -> Variable:
        return elementwise.cos(self)

    def tanh(self) -> Variable:
        return elementwise.tanh(self)

    def abs(self) -> Variable:
        return elementwise.abs(self)

    def clip(self, lo: float | None, hi: float | None) -> Variable:
        return elementwise.clip(self, lo, hi)

    def astype(self, dtype: Any) -> Variable:
        return elementwise.astype(self, dtype)

    def matmul(self, other: Any) -> Variable:
        return linalg.matmul(self, other)


def _ufunc_ops() -> dict[np.ufunc, Any]:
    """The NumPy ufuncs a Variable accepts, and the autograd op each one runs."""
    global _UFUNC_OPS
    if not _UFUNC_OPS:
        e, lin = elementwise, linalg
        _UFUNC_OPS = {
            np.add: e.add, np.subtract: e.sub, np.multiply: e.mul, np.true_divide: e.div,
            np.power: e.pow, np.negative: e.neg, np.exp: e.exp, np.log: e.log, np.sin: e.sin,
            np.cos: e.cos, np.tanh: e.tanh, np.sqrt: e.sqrt, np.square: e.square,
            np.absolute: e.abs, np.maximum: e.maximum, np.minimum: e.minimum,
            np.matmul: lin.matmul,
            np.less: lambda a, b: _raw(a) < _raw(b), np.less_equal: lambda a, b: _raw(a) <= _raw(b),
            np.greater: lambda a, b: _raw(a) > _raw(b),
            np.greater_equal: lambda a, b: _raw(a) >= _raw(b),
            np.equal: lambda a, b: _raw(a) == _raw(b),
            np.not_equal: lambda a, b: _raw(a) != _raw(b),
        }
    return _UFUNC_OPS


_UFUNC_OPS: dict[np.ufunc, Any] = {}


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Variable) else x


def _constant(arr: np.ndarray) -> Variable:
    """A Variable that never requires grad, made without the checks of ``__init__``."""
    v = Variable.__new__(Variable)
    v._data = arr
    v.name = None
    v.grad = None
    v.creator = None
    v.generation = 0
    v.requires_grad = False
    v._version = 0
    v._retains_grad = False
    return v


def as_variable(x: Any) -> Variable:
    """``x`` itself if it is a Variable, else a constant Variable holding ``np.asarray(x)``."""
    if isinstance(x, Variable):
        return x
    arr = x if type(x) is np.ndarray else np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise OpTypeError(f"expected an array of numbers, got dtype {arr.dtype}")
    return _constant(arr)


def _as_inputs(inputs: tuple) -> list[Variable]:
    """Wrap the inputs of an op; Python scalars take the dtype of the array operands."""
    if len(inputs) == 2:
        a, b = inputs
        if type(a) is Variable:
            if type(b) is float and a._data.dtype.kind == "f":
                # The common ``x * 0.5``: a weak Python float takes x's floating dtype, as
                # result_type would say.
                return [a, _scalar(b, a._data.dtype)]
            if type(b) is Variable:
                return [a, b]
    xs: list[Any] = list(inputs)
    scalars = []
    for i, x in enumerate(xs):
        if isinstance(x, Variable):
            continue
        if isinstance(x, (int, float, bool)) and not isinstance(x, np.generic):
            scalars.append(i)
        else:
            xs[i] = as_variable(x)
    if scalars:
        arrays = [x._data for x in xs if isinstance(x, Variable)]
        for i in scalars:
            # NOTE: result_type treats Python scalars as weak, so float32 + 0.5 stays float32.
            dtype = np.result_type(*arrays, xs[i]) if arrays else None
            xs[i] = _constant(np.asarray(xs[i], dtype=dtype))
    return xs


_SCALARS: dict[tuple[float, np.dtype], Variable] = {}


def _scalar(value: float, dtype: np.dtype) -> Variable:
    """``value`` as a constant 0-d Variable of ``dtype`` over a read-only array, shared by every
    op that uses it: the constants of ``x * 0.5`` are made once, not once per op."""
    v = _SCALARS.get((value, dtype))
    if v is None:
        arr = np.asarray(value, dtype=dtype)
        arr.flags.writeable = False
        v = _constant(arr)
        v._version = -1  # shared: .data may not be replaced (see the setter)
        # NOTE: 0.0 == -0.0 as keys, so zeros (and NaNs, which never match) are not kept
        if value and len(_SCALARS) < 1024:
            _SCALARS[(value, dtype)] = v
    return v


def describe(xs: Sequence[Any]) -> str:
    """'shapes (2, 3) and (4,), dtypes float64 and float32' for use in error messages."""
    shapes = [str(tuple(np.shape(_raw(x)))) for x in xs]
    dtypes = [str(np.asarray(_raw(x)).dtype) for x in xs]
    if len(xs) == 1:
        return f"input shape {shapes[0]}, dtype {dtypes[0]}"
    return f"shapes {' and '.join(shapes)}, dtypes {' and '.join(dtypes)}"


class Function:
    """One operation in the graph: ``forward`` on ndarrays, ``backward`` on Variables.

    Subclass it and write ``forward(self, *arrays, **params)`` returning an array (or a tuple of
    arrays) and ``backward(self, *grads)`` returning one gradient per input (a Variable, an
    array or None). ``backward`` is written with Variable operations, so it is itself
    differentiable and ``create_graph=True`` yields higher-order derivatives. ``forward`` keeps
    on ``self`` whatever ``backward`` needs besides the inputs (``self.inputs``) and outputs
    (``self.outputs``, weak references). Each call uses a fresh instance:

    >>> import numpy as np, autograd as ag
    >>> class Cube(ag.Function):
    ...     def forward(self, x):
    ...         return x ** 3
    ...     def backward(self, grad):
    ...         x, = self.inputs
    ...         return grad * 3 * x ** 2
    >>> x = ag.Variable(2.0)
    >>> y = Cube()(x)
    >>> y.backward()
    >>> x.grad
    variable(12.)

    Class attributes tell the engine what backward reads, so it can protect exactly that:
    ``saves_inputs`` (default True) and ``saves_outputs`` (default False); ``input_reads``
    refines the first: entry i lists the inputs whose values the gradient of input i reads
    (for ``a * b``: ``((1,), (0,))``), so an input is protected only if a gradient that needs
    it will be computed. None means every input.
    """

    saves_inputs = True
    saves_outputs = False
    input_reads: tuple[tuple[int, ...], ...] | None = None

    inputs: list[Variable] | None = None
    outputs: list[weakref.ref] | None = None
    generation = 0
    scope: tuple[str, ...] = ()
    order = 0  # 0 for a forward op; k for one recorded by a k-th order backward
    params: dict[str, Any] = {}
    output_meta: list[tuple] = []
    _frozen: saved.Frozen | None = None
    # the replacement clock at forward, where backward reads inputs (see check_saved)
    _epoch = sys.maxsize
    _released = False

    def forward(self, *arrays: np.ndarray, **params: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not written")

    def backward(self, *grads: Variable) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not written")

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        if self.inputs is not None:
            raise GraphError(f"{type(self).__name__}: a Function instance is used once; "
                             "create a new one for each call")
        xs = _as_inputs(inputs)
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
            raise _op_error(self, xs, params, err) from err
        if type(ys) is not tuple:
            y = _constant(ys if type(ys) is np.ndarray else np.asarray(ys))
            if _grad_mode.enabled:
                for x in xs:
                    if x.requires_grad:
                        self._record(xs, (y,), params)
                        break
            return y
        outputs = tuple(_constant(y if type(y) is np.ndarray else np.asarray(y)) for y in ys)
        if _grad_mode.enabled:
            for x in xs:
                if x.requires_grad:
                    self._record(xs, outputs, params)
                    break
        return outputs

    def _record(self, xs: list[Variable], outputs: tuple[Variable, ...],
                params: dict[str, Any]) -> None:
        generation = 0
        for x in xs:  # a loop, not max(genexpr): this runs once per recorded op
            if x.generation > generation:
                generation = x.generation
        self.generation = generation
        self.scope = _grad_mode.scope
        if _grad_mode.order:
            self.order = _grad_mode.order
        self.inputs = xs
        if params:
            self.params = params
        if len(outputs) == 1:
            y = outputs[0]
            self.outputs = [weakref.ref(y)]
            if y._data.dtype.kind in _DIFFERENTIABLE_KINDS:
                y.creator = self
                y.generation = generation + 1
                y.requires_grad = True
        else:
            self.outputs = [weakref.ref(y) for y in outputs]
            self.output_meta = [(y.shape, y.dtype) for y in outputs]
            for y in outputs:
                if y._data.dtype.kind in _DIFFERENTIABLE_KINDS:
                    y.creator = self
                    y.generation = generation + 1
                    y.requires_grad = True
        if self.saves_inputs or self.saves_outputs:
            self._save(xs, outputs)

    def _save(self, xs: list[Variable], outputs: tuple[Variable, ...]) -> None:
        """Note the versions of the inputs backward reads and freeze their arrays (and the
        outputs', if backward reads them)."""
        frozen: list[np.ndarray] = []
        if self.saves_inputs:
            reads = self.input_reads
            needed = xs if reads is None else [
                xs[j] for i, x in enumerate(xs) if x.requires_grad for j in reads[i]]
            if needed:
                # versions are stamps of a global clock: backward checks them only if some
                # .data was replaced since (rarely), and nothing is stored per input
                self._epoch = saved.clock
                saved.freeze([x._data for x in needed], frozen)
        if self.saves_outputs:
            saved.freeze([y._data for y in outputs], frozen)
        if frozen:
            self._frozen = saved.Frozen(frozen)

    def check_saved(self) -> None:
        """Raise GraphError if the graph was freed or an input read by backward was replaced."""
        if self._released:
            name = type(self).__name__
            raise GraphError(
                f"{name}: trying to backward through the graph a second time (its saved values "
                "were freed after the first backward); pass retain_graph=True to the first "
                "backward if you need a second one")
        xs = self.inputs or ()
        reads = self.input_reads
        needed = range(len(xs)) if reads is None else sorted(
            {j for i, x in enumerate(xs) if x.requires_grad for j in reads[i]})
        for j in needed:
            if xs[j]._version > self._epoch:
                name = type(self).__name__
                raise GraphError(
                    f"{name}: input {j} (shape {xs[j].shape}, {xs[j].dtype}) needed for "
                    f"gradient computation was modified after the forward pass (its .data was "
                    f"replaced); recompute the forward after changing it")

    def release(self) -> None:
        """Free what backward needed: the inputs and the arrays protected for it."""
        if self._frozen is not None:
            self._frozen.release()
            self._frozen = None
        self._released = True
        self.inputs = ()

    def __repr__(self) -> str:
        params = "".join(f" {k}={v!r}" for k, v in self.params.items() if not _is_array(v))
        return f"<{type(self).__name__}{params}>"


def _is_array(v: Any) -> bool:
    return isinstance(v, np.ndarray) and v.ndim > 0


def _op_error(fn: Function, xs: list[Variable], params: dict[str, Any],
              err: Exception) -> ZerogradError:
    name = type(fn).__name__
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items() if not _is_array(v))
    msg = f"{name}: {str(err).rstrip()} ({describe(xs)}{'; ' + shown if shown else ''})"
    if isinstance(err, IndexError):
        return OpIndexError(msg)
    if isinstance(err, TypeError):
        return OpTypeError(msg)
    return ShapeError(msg)


# The ops and the engine need Variable and Function defined above; importing them here closes
# the one import cycle of the package in a known order.
from . import elementwise, engine, linalg, reduce  # noqa: E402
from . import shape as shape_ops  # noqa: E402
