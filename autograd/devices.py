"""Devices: which array module holds a Variable's data (NumPy on ``"cpu"``, CuPy on
``"cuda:N"``), moving arrays between them, and the module an op computes with.

NumPy's ufuncs and most of its functions already dispatch to CuPy arrays
(``__array_ufunc__``, ``__array_function__``); what does not is array *creation*
(``np.zeros``, ``np.asarray``...), so the ops create with ``get_array_module(x)``. The CPU path
stays as it was: every check here starts with ``type(a) is np.ndarray``.

A second array module can be registered as a device type (``register_device``): CuPy is one,
registered the first time it is asked for; the tests register a NumPy-backed fake so that the
device machinery runs on a machine without a GPU.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .errors import ArgumentError, DeviceError

INSTALL_CUPY = ("pip install 'zerograd[gpu]' (or the CuPy wheel for your CUDA, e.g. "
                "pip install cupy-cuda12x); see docs/devices.rst")


@dataclass(frozen=True)
class Backend:
    """An array module registered as a device type.

    Args:
        type: the device type's name ("cuda").
        module: the array module (NumPy's interface: ``zeros``, ``asarray``, ufuncs...).
        array_type: the class of its arrays.
        index_of: the device index an array lives on.
        to_device: ``to_device(array, index)``, an array (NumPy's or this module's) moved
            to device ``index``.
        to_numpy: the array copied into host memory as an ``np.ndarray``.
        synchronize: ``synchronize(index)`` waits until the work queued on the device is
            done (a GPU runs ops asynchronously); None where there is nothing to wait for.
    """

    type: str
    module: Any
    array_type: type
    index_of: Callable[[Any], int]
    to_device: Callable[[Any, int], Any]
    to_numpy: Callable[[Any], np.ndarray]
    synchronize: Callable[[int], None] | None = None


_BACKENDS: dict[str, Backend] = {}  # by device type
_BY_ARRAY: dict[type, Backend] = {}  # by array class
# device types loaded on first use: type -> the module whose load() gives its Backend
_LAZY = {"cuda": "autograd.cuda"}


def register_device(backend: Backend) -> None:
    """Make ``backend.type`` a device that ``Device``, ``to`` and the ops know."""
    if backend.type == "cpu":
        raise ArgumentError("register_device: 'cpu' is NumPy's and cannot be replaced")
    _BACKENDS[backend.type] = backend
    _BY_ARRAY[backend.array_type] = backend


def unregister_device(type: str) -> None:
    """Forget a device type that ``register_device`` added (the tests' fake device)."""
    backend = _BACKENDS.pop(type, None)
    if backend is not None:
        _BY_ARRAY.pop(backend.array_type, None)


def backend(type: str) -> Backend:
    """The registered backend of device type ``type``, loading CuPy for "cuda".

    Raises:
        MissingDependencyError: "cuda" without CuPy (or without a GPU), saying how to install it.
        ArgumentError: a device type nobody registered.
    """
    found = _BACKENDS.get(type)
    if found is None and type in _LAZY:
        # raises MissingDependencyError (how to install CuPy) if it cannot
        found = importlib.import_module(_LAZY[type]).load()
        register_device(found)
    if found is None:
        known = ", ".join(["cpu", *sorted(set(_BACKENDS) | set(_LAZY))])
        raise ArgumentError(f"device: unknown device type {type!r} (expected one of {known})")
    return found


class Device:
    """Where a Variable's data lives: ``Device("cpu")``, ``Device("cuda")`` (= "cuda:0"),
    ``Device("cuda:1")``; compares equal to its string.

    >>> import autograd as ag
    >>> ag.Device("cpu"), str(ag.Device("cpu")) == "cpu", ag.Device("cpu") == "cpu"
    (device(type='cpu'), True, True)
    """

    __slots__ = ("type", "index")

    def __init__(self, spec: str | Device = "cpu") -> None:
        if isinstance(spec, Device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise ArgumentError(f"device: expected 'cpu', 'cuda', 'cuda:N' or a Device, got "
                                f"{type(spec).__name__}")
        kind, _, number = spec.strip().partition(":")
        if kind != "cpu" and kind not in _BACKENDS and kind not in _LAZY:
            backend(kind)  # says what is known
        if number and not number.isdigit() or kind == "cpu" and number not in ("", "0"):
            raise ArgumentError(f"device: {spec!r} is not a device (expected 'cpu', 'cuda' or "
                                "'cuda:N' with N a GPU number)")
        self.type = kind
        self.index = None if kind == "cpu" else int(number or 0)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = Device(other)
            except ArgumentError:
                return False
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"


CPU = Device("cpu")


def device_of(x: Any) -> Device:
    """The device of an array (or of a Variable's data); NumPy arrays and scalars are "cpu"."""
    arr = getattr(x, "_data", x)
    if type(arr) is np.ndarray:
        return CPU
    found = _backend_of(arr)
    if found is None:
        return CPU
    device = Device.__new__(Device)
    device.type, device.index = found.type, found.index_of(arr)
    return device


def _backend_of(arr: Any) -> Backend | None:
    found = _BY_ARRAY.get(type(arr))
    if found is None and type(arr).__module__.startswith("cupy"):
        found = backend("cuda")  # a CuPy array made before zerograd was asked for "cuda"
        found = _BY_ARRAY.get(type(arr), found)
    return found


def get_array_module(*xs: Any) -> Any:
    """The array module to compute with on ``xs`` (arrays or Variables): NumPy, or the module
    of the first one that lives on another device (CuPy), as ``cupy.get_array_module``.

    >>> import numpy as np, autograd as ag
    >>> ag.get_array_module(ag.Variable([1.0])) is np
    True
    """
    for x in xs:
        arr = getattr(x, "_data", x)
        if type(arr) is not np.ndarray:
            found = _backend_of(arr)
            if found is not None:
                return found.module
    return np


def array_module(x: Any) -> Any:
    """``get_array_module`` of one array, NumPy's answered first: what an op's forward calls
    to create arrays beside its input (``array_module(x).empty(shape, dtype)``)."""
    if type(x) is np.ndarray:
        return np
    return get_array_module(x)


def as_strided(x: Any, shape: tuple[int, ...], strides: tuple[int, ...],
               writeable: bool = True) -> Any:
    """NumPy's ``as_strided`` on the array module of ``x`` (CuPy has one; its views are always
    writeable)."""
    if type(x) is np.ndarray:
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=writeable)
    return get_array_module(x).lib.stride_tricks.as_strided(x, shape, strides)


def is_device(x: Any) -> bool:
    """True for a Device or a string naming one ("cpu", "cuda:1"), False for anything else
    (a dtype, "float32"): what ``to`` uses to tell a device from a dtype."""
    return isinstance(x, Device) or isinstance(x, str) and \
        x.strip().partition(":")[0] in ("cpu", *_BACKENDS, *_LAZY)


def is_array(x: Any) -> bool:
    """True for a NumPy array or an array of a registered device."""
    return type(x) is np.ndarray or type(x) in _BY_ARRAY


def as_array(x: Any) -> Any:
    """``x`` as an array of its own device: NumPy's ``np.asarray`` for anything that is not an
    array of a registered device (numbers, lists, NumPy scalars)."""
    if type(x) is np.ndarray or type(x) in _BY_ARRAY:
        return x
    try:
        return np.asarray(x)  # NOTE: first, as before devices: a NumPy scalar pays nothing more
    except TypeError:  # a CuPy array made before "cuda" was asked for refuses np.asarray
        if _backend_of(x) is None:
            raise
        return x


def to_device(arr: Any, device: str | Device) -> Any:
    """``arr`` on ``device``: itself if it is there already, else a copy there."""
    device = Device(device)
    if device.type == "cpu":
        if type(arr) is np.ndarray:
            return arr
        found = _backend_of(arr)
        return np.asarray(arr) if found is None else found.to_numpy(arr)
    found = backend(device.type)
    if type(arr) is found.array_type and found.index_of(arr) == device.index:
        return arr
    return found.to_device(to_numpy(arr) if type(arr) is not found.array_type else arr,
                           device.index)


def to_numpy(arr: Any) -> np.ndarray:
    """``arr`` as a NumPy array in host memory (a copy if it lives on another device)."""
    return to_device(arr, CPU)


def synchronize(device: str | Device) -> None:
    """Wait until every op queued on ``device`` has finished (for timing: a GPU returns from
    an op before it has run); nothing to do on the CPU."""
    device = Device(device)
    if device.type != "cpu":
        found = backend(device.type)
        if found.synchronize is not None:
            found.synchronize(device.index)


def off_cpu(arrays: list[Any]) -> Any:
    """The first of ``arrays`` that is not a NumPy array (None if all are)."""
    for a in arrays:
        if type(a) is not np.ndarray:
            return a
    return None


def same_device(op: str, arrays: list[Any]) -> Any:
    """The array class of ``arrays`` (the inputs of ``op``) if they all live on one device.

    Raises:
        DeviceError: naming ``op`` and both devices (``op`` "" leaves the name to the
            caller: the message starts with ": ").
    """
    first = None
    for a in arrays:
        if first is None:
            first = a
        elif type(a) is not type(first) or (type(a) is not np.ndarray and
                                             device_of(a) != device_of(first)):
            raise DeviceError(f"{op}: inputs on different devices ({device_of(first)} and "
                              f"{device_of(a)}); move them to one with .to(device)")
    return np.ndarray if first is None else type(first)
