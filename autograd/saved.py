"""What backward reads: the inputs and outputs an op saved in forward, locked while saved.

In forward an op calls ``self.save_for_backward(a, ...)`` with some of the very arrays it got
or returns (or None); backward reads them back as Variables from ``self.saved``. Nothing else of the
inputs is kept: the graph holds an unsaved input neither as a Variable nor as an array.

The one protection against in-place changes is the lock: a saved array (and every array it is a
view of) is made read-only until the op is released (by backward, or when the graph is
dropped), so ``x.data[...] = 0`` fails at the write, before any wrong gradient exists. Arrays
that were read-only already are left alone; a count per array lets several live graphs share
one. Replacing a saved input's ``.data`` leaves the locked array in place, so backward sees
that the Variable no longer holds it and says so.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .errors import GraphError

# id(array) -> [array, number of live Saved holders that locked it]; the entry holds the array,
# so its id cannot be reused while it is registered.
_locked: dict[int, list] = {}


def lock(arrays: Sequence[np.ndarray], into: list[np.ndarray]) -> None:
    """Make each array and its bases read-only, appending what was registered to ``into``."""
    for arr in arrays:
        a = arr
        while isinstance(a, np.ndarray):
            entry = _locked.get(id(a))
            if entry is not None:
                entry[1] += 1
                into.append(a)
            elif a.flags.writeable:
                a.flags.writeable = False
                _locked[id(a)] = [a, 1]
                into.append(a)
            a = a.base


def unlock(arrays: list[np.ndarray]) -> None:
    """Undo ``lock`` for the arrays it registered; bases are unlocked before their views."""
    for a in reversed(arrays):
        entry = _locked.get(id(a))
        if entry is None:
            continue
        entry[1] -= 1
        if entry[1] == 0:
            del _locked[id(a)]
            try:
                a.flags.writeable = True
            except ValueError:
                pass  # a view whose base another live graph still locks


def is_locked(arr: np.ndarray) -> bool:
    """True while some live graph has locked ``arr``."""
    return id(arr) in _locked


class Locks:
    """The arrays one Function locked, unlocked once: by ``release`` (backward), or when the
    Function is garbage (a graph dropped without backward). Only Functions that locked
    something have one, so the others die without running any Python code."""

    __slots__ = ("arrays",)

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self.arrays = arrays

    def release(self) -> None:
        arrays, self.arrays = self.arrays, []
        unlock(arrays)

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:  # noqa: BLE001 - interpreter shutdown may have torn down modules
            pass


def pack(fn: Any, arrays: Sequence[Any], xs: Sequence[Any], ys: Sequence[Any],
         outputs: Sequence[Any]) -> tuple[list, Locks | None]:
    """Match each array ``fn.forward`` saved to the input or output it is (by identity), and
    lock them. ``ys`` are what forward returned, ``outputs`` the Variables made of them.

    Returns the entries, ``(index, Variable, array)`` for input ``index``, ``(index, None,
    array)`` for output ``index`` and None for None, and what was locked (None if nothing).
    """
    entries: list = []
    locked: list[np.ndarray] = []
    for i, a in enumerate(arrays):
        if a is None:
            entries.append(None)
            continue
        for j, x in enumerate(xs):
            if x._data is a:
                entries.append((j, x, a))
                break
        else:
            for k, y in enumerate(ys):
                if y is a:
                    a = outputs[k]._data
                    entries.append((k, None, a))
                    break
            else:
                raise GraphError(
                    f"{type(fn).__name__}.save_for_backward: argument {i} is neither an input "
                    "nor an output of forward; keep other arrays as attributes (backward reads "
                    "them as constants)")
        # NOTE: read-only and no base: nothing to do. Other devices' arrays (CuPy's) have no
        # read-only flag: they are not locked, and a change to one goes unnoticed.
        if type(a) is np.ndarray and (a.flags.writeable or a.base is not None):
            lock((a,), locked)
    return entries, (Locks(locked) if locked else None)


def unpack(fn: Any, entries: list, remake_output: Any) -> tuple:
    """The saved values of ``fn`` as Variables. A saved output that is gone is made again by
    ``remake_output(fn, index, array)``, in its place in the graph."""
    values = []
    for entry in entries:
        if entry is None:
            values.append(None)
            continue
        index, x, arr = entry
        if x is not None and x._data is arr:  # an input, as forward saw it
            values.append(x)
        elif x is not None:
            raise GraphError(
                f"{type(fn).__name__}: input {index} (shape {arr.shape}, {arr.dtype}) needed "
                f"for gradient computation was modified after the forward pass (its .data was "
                f"replaced by an array of shape {x.shape}, {x.dtype}); recompute the forward "
                "after changing it, or change it after backward")
        else:  # an output
            y = fn.outputs[index]()
            values.append(y if y is not None and y._data is arr else
                          remake_output(fn, index, arr))
    return tuple(values)
