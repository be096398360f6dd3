"""Variable, the value type of every graph: an ndarray, its gradient and its creator.

Variable and Function (``function.py``) depend on each other: a Variable knows its creator, a
Function makes Variables. Function, the argument conversion, the ops and the backward engine
are imported at the bottom, once Variable exists.
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from . import devices, hooks
from .errors import GraphError, OpTypeError

ArrayLike = Any  # an ndarray, a NumPy scalar, a Python number or a nested list of them

DIFFERENTIABLE_KINDS = "f"  # float16/32/64; integers and booleans never require grad


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

    # _edge: the edge an op that reads this output takes, set with creator (see Function)
    __slots__ = ("_data", "name", "grad", "creator", "generation", "requires_grad",
                 "_retains_grad", "_edge", "__weakref__", "__dict__")

    def __init__(self, data: ArrayLike, name: str | None = None,
                 requires_grad: bool | None = None) -> None:
        if isinstance(data, Variable):
            raise OpTypeError("Variable: data is already a Variable; "
                              "use x.detach() for a constant or x.data for its array")
        arr = data if type(data) is np.ndarray else devices.as_array(data)
        if arr.dtype.kind not in "biuf":
            raise OpTypeError(f"Variable: unsupported dtype {arr.dtype} "
                              "(expected a boolean, integer or floating-point array)")
        floating = arr.dtype.kind in DIFFERENTIABLE_KINDS
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
        self._retains_grad = False
        self._edge = None

    @property
    def data(self) -> np.ndarray:
        """The value as an ndarray (shared, not copied). Read-only while a live graph saved it
        for backward (see ``autograd.saved``)."""
        return self._data

    @data.setter
    def data(self, value: ArrayLike) -> None:
        if isinstance(value, Variable):
            raise OpTypeError("Variable.data: expected an array, got a Variable (use .data)")
        if is_shared(self):
            raise GraphError(f"Variable.data: this is the shared constant {self._data} that "
                             "every op on that Python number uses; it cannot be replaced")
        # A graph that saved the old array keeps it (locked); its backward notices the swap.
        self._data = value if type(value) is np.ndarray else devices.as_array(value)

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
    def device(self) -> devices.Device:
        """Where the data lives: ``device(type='cpu')``, or ``device(type='cuda', index=0)``."""
        return devices.device_of(self._data)

    def to(self, device: str | devices.Device) -> Variable:
        """This Variable on ``device`` ("cpu", "cuda", "cuda:1"): itself if it is there, else
        a copy there, recorded by the graph (its gradient flows back to this device).

        >>> import autograd as ag
        >>> x = ag.Variable([1.0, 2.0])
        >>> x.to("cpu") is x, x.device
        (True, device(type='cpu'))
        """
        if devices.device_of(self._data) == devices.Device(device):
            return self
        return elementwise.to_device(self, device)

    def cpu(self) -> Variable:
        """``self.to("cpu")``."""
        return self.to(devices.CPU)

    def cuda(self, index: int = 0) -> Variable:
        """``self.to(f"cuda:{index}")``; needs CuPy and a GPU."""
        return self.to(f"cuda:{index}")

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
        data = self._data
        if type(data) is not np.ndarray:
            data = devices.to_numpy(data)
        body = repr(data)[len("array("):-1].replace("\n", "\n   ")
        extras = [] if type(self._data) is np.ndarray else [f"device='{self.device}'"]
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
        """The value as a NumPy ndarray: the same array as ``.data`` on the CPU, a copy in
        host memory from another device."""
        return self._data if type(self._data) is np.ndarray else devices.to_numpy(self._data)

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

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` each time a gradient with respect to this Variable is computed;
        if it returns a Variable or an array (same shape), that replaces the gradient.

        As ``torch.Tensor.register_hook``: hooks run in the order they were registered, each
        seeing what the one before returned. On a non-leaf the hook sees the sum of all its
        gradients, before it flows on to the ops that made it (and before ``retain_grad``
        keeps it); on a leaf, the gradient of this backward before it is added to ``.grad``.
        They run in ``ag.grad`` too, and under ``create_graph`` (the gradient is then part of
        the graph). Returns a handle whose ``remove()`` takes the hook out.

        >>> import autograd as ag
        >>> x = ag.Variable(3.0)
        >>> handle = x.register_hook(lambda g: g * 10)
        >>> (x * x).backward()
        >>> x.grad
        variable(60.)
        >>> handle.remove()
        """
        if not self.requires_grad:
            raise GraphError("register_hook: cannot register a hook on a Variable that does "
                             "not require grad (a constant, integer data, or computed under "
                             "no_grad)")
        if not callable(hook):
            raise OpTypeError(f"register_hook: the hook must be callable, got "
                              f"{type(hook).__name__}")
        return hooks.register_tensor_hook(self, hook)

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
        return self._data < raw(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self._data <= raw(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self._data > raw(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self._data >= raw(other)

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self._data == raw(other)

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self._data != raw(other)

    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *args: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs on Variables: the differentiable ones run as autograd ops, so
        ``ndarray + Variable`` and ``np.exp(x)`` record the graph; the others are refused."""
        fn = ufuncs.OPS.get(ufunc) if method == "__call__" and not kwargs else None
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
        if type(self._data) is not np.ndarray:
            raise OpTypeError(f"cannot convert a Variable on {self.device} to a NumPy array "
                              "implicitly: use x.numpy() (a copy in host memory) or x.cpu()")
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



# Function, the conversions, the ops and the engine need Variable defined above; importing
# them here closes the one import cycle of the package in a known order.
from .function import Function  # noqa: E402
from .conversion import as_variable, is_shared, raw  # noqa: E402, F401 - as_variable re-exported
from . import elementwise, engine, linalg, reduce, ufuncs  # noqa: E402
from . import shape as shape_ops  # noqa: E402
