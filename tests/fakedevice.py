"""A second device for machines without a GPU: NumPy's arithmetic behind an array class of its
own that behaves as CuPy's does where that matters to zerograd. Its arrays refuse implicit
conversion to NumPy (``__array__``), refuse NumPy arrays as operands of ufuncs and functions,
have no ``writeable`` flag, and remember a device index; its module creates its own arrays.
So every place that creates arrays with NumPy, or checks ``type(x) is np.ndarray``, fails here
as it would on CuPy.

``with fake_device(): ...`` registers it as device type "fake" ("fake:0", "fake:1"); ``with
traffic() as seen: ...`` counts what crosses between it and the host meanwhile.
"""
from __future__ import annotations

import contextlib
import dataclasses
import types
from typing import Any, Iterator

import numpy as np

from autograd import devices

@dataclasses.dataclass
class Traffic:
    """What crossed between the host and the fake device: on a GPU each is a copy, and the
    last two make the host wait for the device."""

    to_device: int = 0  # arrays copied to the device (a move, or its module given host data)
    to_host: int = 0    # arrays copied back (to_numpy, .get(), .tolist())
    reads: int = 0      # single values read back (bool, int, float, .item()): a branch on one


_COUNTERS: list[Traffic] = []  # the traffic() blocks open now


def _count(kind: str) -> None:
    for counter in _COUNTERS:
        setattr(counter, kind, getattr(counter, kind) + 1)


@contextlib.contextmanager
def traffic() -> Iterator[Traffic]:
    """Count the copies and reads between the host and the fake device during the block."""
    counter = Traffic()
    _COUNTERS.append(counter)
    try:
        yield counter
    finally:
        _COUNTERS.remove(counter)


_REFUSED = ("Implicit conversion to a NumPy array is not allowed (as CuPy): use .get() "
            "or autograd.devices.to_numpy")


class _Flags:
    """CuPy's flags: no ``writeable`` (its arrays cannot be made read-only)."""

    def __init__(self, a: np.ndarray) -> None:
        self.c_contiguous = a.flags.c_contiguous
        self.f_contiguous = a.flags.f_contiguous
        self.owndata = a.flags.owndata


class _Device:
    def __init__(self, index: int) -> None:
        self.id = index


class FakeArray(np.lib.mixins.NDArrayOperatorsMixin):
    """An ndarray on fake device ``index``; NumPy does the arithmetic."""

    __slots__ = ("_a", "_index")

    def __init__(self, a: np.ndarray, index: int = 0) -> None:
        assert type(a) is np.ndarray, type(a)
        self._a, self._index = a, index

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(_REFUSED)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        _as_cupy_ufunc(ufunc, method, inputs)
        index = _index_of((inputs, kwargs))
        args, kw = _unwrap((inputs, kwargs), index)
        return _wrap(getattr(ufunc, method)(*args, **kw), index)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        index = _index_of((args, kwargs))
        args, kwargs = _unwrap((args, kwargs), index)
        return _wrap(func(*args, **kwargs), index)

    # what CuPy's ndarray has, NumPy doing the work
    @property
    def shape(self) -> tuple[int, ...]:
        return self._a.shape

    @shape.setter
    def shape(self, value: tuple[int, ...]) -> None:  # CuPy's arrays take it too
        self._a.shape = value

    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: _Flags(self._a))
    device = property(lambda self: _Device(self._index))
    T = property(lambda self: FakeArray(self._a.T, self._index))
    base = property(lambda self: None if self._a.base is None else
                    FakeArray(np.asarray(self._a.base), self._index))

    def get(self) -> np.ndarray:
        """A NumPy copy in host memory (CuPy's ``get``)."""
        _count("to_host")
        return self._a.copy()

    def item(self) -> Any:
        _count("reads")
        return self._a.item()

    def tolist(self) -> Any:
        _count("to_host")
        return self._a.tolist()

    def __getattr__(self, name: str) -> Any:
        if name not in _METHODS:
            raise AttributeError(f"FakeArray has no attribute {name!r}")
        method = getattr(self._a, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if "initial" in kwargs:  # as CuPy's reductions
                raise TypeError(f"{name}() got an unexpected keyword argument 'initial'")
            args, kwargs = _unwrap((args, kwargs), self._index)
            return _wrap(method(*args, **kwargs), self._index)
        return call

    def __getitem__(self, index: Any) -> Any:
        return _wrap(self._a[_unwrap(index, self._index)], self._index)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._a[_unwrap(index, self._index)] = _unwrap(value, self._index)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        _count("reads")
        return bool(self._a)

    def __float__(self) -> float:
        _count("reads")
        return float(self._a)

    def __int__(self) -> int:
        _count("reads")
        return int(self._a)

    def __index__(self) -> int:
        _count("reads")
        return self._a.__index__()

    def __repr__(self) -> str:
        return "fake_" + repr(self._a)


_METHODS = {"reshape", "transpose", "astype", "copy", "sum", "mean", "max", "min", "argmax",
            "argmin", "any", "all", "ravel", "flatten", "squeeze", "swapaxes", "fill", "var",
            "std", "prod", "cumsum", "clip", "dot", "repeat", "take", "nonzero", "view",
            "round", "conj"}


def _as_cupy_ufunc(ufunc: Any, method: str, inputs: tuple) -> None:
    """Refuse what CuPy's ``__array_ufunc__`` refuses: ``np.add.at(a, (i, j), b)`` (a tuple
    is no array), and ``reduce``/``accumulate`` of ufuncs other than add and multiply."""
    if method == "__call__":
        return
    if method == "at" or any(type(x) in (tuple, list) for x in inputs):
        raise TypeError(f"operand type(s) all returned NotImplemented from __array_ufunc__"
                        f"({ufunc!r}, {method!r}, ...): the fake device, as CuPy, takes "
                        f"{ufunc.__name__}.{method} only from its own module")
    if ufunc not in (np.add, np.multiply):
        raise NotImplementedError(f"`{ufunc.__name__}.{method}` is not supported yet (as CuPy)")


class _Ufunc:
    """A ufunc of the fake module: NumPy's, with CuPy's ``at`` (indices on the device)."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ufunc(*args, **kwargs)

    def at(self, a: FakeArray, indices: Any, b: Any = None) -> None:
        self._ufunc.at(a._a, _unwrap(indices, a._index), _unwrap(b, a._index))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ufunc, name)


def _index_of(args: Any) -> int:
    if isinstance(args, FakeArray):
        return args._index
    if isinstance(args, (tuple, list)):
        for a in args:
            found = _index_of(a)
            if found is not None:
                return found
    if isinstance(args, dict):
        return _index_of(list(args.values()))
    return None


def _unwrap(x: Any, index: int) -> Any:
    """NumPy's view of ``x``; refuses NumPy arrays, as CuPy does, and arrays of another
    device."""
    if isinstance(x, FakeArray):
        if x._index != index:
            raise ValueError(f"arrays on fake devices {x._index} and {index} in one call")
        return x._a
    if type(x) is np.ndarray:
        raise TypeError(f"Unsupported type {type(x)} (a NumPy array given to the fake device)")
    if type(x) in (tuple, list):
        return type(x)(_unwrap(a, index) for a in x)
    if type(x) is dict:
        return {k: _unwrap(v, index) for k, v in x.items()}
    return x


def _wrap(x: Any, index: int) -> Any:
    if type(x) is np.ndarray:
        return FakeArray(x, index)
    if isinstance(x, np.generic):  # CuPy's reductions give 0-d arrays, not NumPy scalars
        return FakeArray(np.asarray(x), index)
    if type(x) in (tuple, list):
        return type(x)(_wrap(a, index) for a in x)
    return x


# the current device, as CuPy's: where its module creates arrays; set by a move to a device
_current = [0]


def _asarray(a: Any, dtype: Any = None, index: int | None = None,
             copy: bool = False) -> FakeArray:
    if isinstance(a, FakeArray):
        arr = a._a.astype(dtype) if dtype is not None else a._a
        return FakeArray(arr.copy() if copy and arr is a._a else arr, a._index)
    if isinstance(a, (tuple, list)) and any(isinstance(e, FakeArray) for e in a):
        a = [e._a if isinstance(e, FakeArray) else e for e in a]
    else:
        _count("to_device")
    return FakeArray(np.array(a, dtype=dtype, copy=True), _current[0] if index is None else index)


class _Module(types.ModuleType):
    """The fake device's array module: NumPy's names, making and taking FakeArrays."""

    ndarray = FakeArray

    def asarray(self, a: Any, dtype: Any = None) -> FakeArray:
        return _asarray(a, dtype)

    def array(self, a: Any, dtype: Any = None, copy: bool = True) -> FakeArray:
        return _asarray(a, dtype, copy=copy)

    def ascontiguousarray(self, a: Any, dtype: Any = None) -> FakeArray:
        a = _asarray(a, dtype)
        return FakeArray(np.ascontiguousarray(a._a), a._index)

    class lib:  # noqa: N801 - CuPy's cupy.lib.stride_tricks
        class stride_tricks:  # noqa: N801
            @staticmethod
            def as_strided(x: FakeArray, shape: Any = None, strides: Any = None) -> FakeArray:
                return FakeArray(np.lib.stride_tricks.as_strided(x._a, shape, strides),
                                 x._index)

    def __getattr__(self, name: str) -> Any:
        value = getattr(np, name)
        if isinstance(value, np.ufunc):
            return _Ufunc(value)  # calls dispatch through __array_ufunc__
        if isinstance(value, type) or not callable(value):
            return value  # dtypes and constants
        if isinstance(value, types.ModuleType):
            raise AttributeError(f"the fake device has no {name!r} module")

        def call(*args: Any, **kwargs: Any) -> Any:
            index = _index_of((args, kwargs))
            index = _current[0] if index is None else index
            return _wrap(value(*_unwrap(args, index), **_unwrap(kwargs, index)), index)
        return call


fake = _Module("fake_numpy")


def _to_device(arr: Any, index: int) -> FakeArray:
    _count("to_device")
    _current[0] = index
    if isinstance(arr, FakeArray):
        return FakeArray(arr._a.copy(), index)
    return FakeArray(np.array(arr, copy=True), index)


BACKEND = devices.Backend("fake", fake, FakeArray, lambda a: a._index, _to_device,
                          lambda a: a.get())


def cupy_importable() -> bool:
    """Whether CuPy can be imported here (the tests of its absence skip if so)."""
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def fake_device() -> Iterator[Any]:
    """Register the fake device (type "fake") for the duration; yields its array module."""
    devices.register_device(BACKEND)
    try:
        yield fake
    finally:
        devices.unregister_device("fake")
        _current[0] = 0
