"""Turning the arguments of an op into Variables: arrays become constants, and Python
scalars become shared 0-d constants of the array operands' dtype."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import devices
from .core import Variable
from .devices import as_array
from .errors import OpTypeError


def raw(x: Any) -> Any:
    """The array of a Variable; anything else as it is."""
    return x._data if isinstance(x, Variable) else x


def constant(arr: np.ndarray) -> Variable:
    """A Variable that never requires grad, made without the checks of ``__init__``."""
    v = Variable.__new__(Variable)
    v._data = arr
    v.name = None
    v.grad = None
    v.creator = None
    v.generation = 0
    v.requires_grad = False
    v._retains_grad = False
    v._edge = None
    return v


def as_variable(x: Any) -> Variable:
    """``x`` itself if it is a Variable, else a constant Variable holding ``np.asarray(x)``."""
    if isinstance(x, Variable):
        return x
    arr = x if type(x) is np.ndarray else as_array(x)
    if arr.dtype.kind not in "biuf":
        raise OpTypeError(f"expected an array of numbers, got dtype {arr.dtype}")
    return constant(arr)


def as_inputs(inputs: tuple) -> list[Variable]:
    """Wrap the inputs of an op; Python scalars take the dtype (and the device) of the array
    operands. Arrays on different devices raise a DeviceError (``Function.__call__`` adds the
    op's name), except that 0-d NumPy constants (a NumPy scalar) move to the device of the
    others.

    Two Variables are passed on as they are: if they live on different devices, forward
    fails, and ``Function.__call__`` says why (``devices.same_device``).
    """
    if len(inputs) == 2:
        a, b = inputs
        if type(a) is Variable:
            if type(b) is float:
                data = a._data
                if type(data) is np.ndarray and data.dtype.kind == "f":
                    # The common ``x * 0.5``: a weak Python float takes x's floating dtype, as
                    # result_type would say.
                    return [a, scalar(b, data.dtype)]
            elif type(b) is Variable:
                return [a, b]
    elif len(inputs) == 1 and type(inputs[0]) is Variable:
        return [inputs[0]]
    xs: list[Any] = list(inputs)
    scalars = []
    for i, x in enumerate(xs):
        if isinstance(x, Variable):
            continue
        if isinstance(x, (int, float, bool)) and not isinstance(x, np.generic):
            scalars.append(i)
        else:
            xs[i] = as_variable(x)
    arrays = [x._data for x in xs if isinstance(x, Variable)]
    if devices.off_cpu(arrays) is not None:
        return _on_one_device(xs, scalars, arrays)
    if scalars:
        for i in scalars:
            # NOTE: result_type treats Python scalars as weak, so float32 + 0.5 stays float32.
            dtype = np.result_type(*arrays, xs[i]) if arrays else None
            xs[i] = constant(np.asarray(xs[i], dtype=dtype))
    return xs


def _on_one_device(xs: list[Any], scalars: list[int], arrays: list[Any]) -> list[Variable]:
    """``as_inputs`` when some input lives off the CPU: numbers and 0-d NumPy constants are
    made on that device, then every input must be there."""
    where = devices.device_of(devices.off_cpu(arrays))
    for i, x in enumerate(xs):
        if i in scalars:
            dtype = np.result_type(*[a.dtype for a in arrays], x)
            key = (x, dtype, where)
            v = _DEVICE_SCALARS.get(key)
            if v is None:  # a copy to the device is slow: each number goes there once
                v = constant(devices.to_device(np.asarray(x, dtype=dtype), where))
                if x and len(_DEVICE_SCALARS) < 1024:  # NOTE: 0.0 == -0.0, as in scalar()
                    _DEVICE_SCALARS[key] = v
            xs[i] = v
        elif type(x._data) is np.ndarray and x._data.ndim == 0 and not x.requires_grad:
            xs[i] = constant(devices.to_device(x._data, where))
    devices.same_device("", [x._data for x in xs])
    return xs


# (value, dtype, device) -> a number as a constant on a device other than the CPU
_DEVICE_SCALARS: dict[tuple[Any, np.dtype, Any], Variable] = {}
# (value, dtype) -> its shared constant; see scalar()
_SCALARS: dict[tuple[float, np.dtype], Variable] = {}


def scalar(value: float, dtype: np.dtype) -> Variable:
    """``value`` as a constant 0-d Variable of ``dtype`` over a read-only array, shared by every
    op that uses it: the constants of ``x * 0.5`` are made once, not once per op (one Variable
    and one GC-tracked object fewer per op, measured 5.27 -> 4.78 µs per op)."""
    v = _SCALARS.get((value, dtype))
    if v is None:
        arr = np.asarray(value, dtype=dtype)
        arr.flags.writeable = False
        v = constant(arr)
        v._edge = (None, None, (), arr.dtype)  # an op's edge to it (see Function), made once
        # NOTE: 0.0 == -0.0 as keys, so zeros (and NaNs, which never match) are not kept
        if value and len(_SCALARS) < 1024:
            _SCALARS[(value, dtype)] = v
    return v


def is_shared(v: Variable) -> bool:
    """True for a shared scalar constant (its ``.data`` may not be replaced)."""
    arr = v._data
    return arr.ndim == 0 and _SCALARS.get((arr.item(), arr.dtype)) is v
