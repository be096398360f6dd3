"""Protection of the arrays that a recorded graph still needs for backward.

An op that reads an input's values in backward freezes that array (and the arrays it is a view
of) until the op is released, so ``x.data[...] = 0`` between forward and backward fails loudly
instead of silently giving wrong gradients. Arrays the user had already made read-only are left
alone. Counting lets several live graphs share one array.
"""
from __future__ import annotations

import numpy as np

# A clock that ticks whenever some Variable's .data is replaced: the Variable takes the new
# time as its version, a Function notes the time at forward, and an input whose version is
# later was replaced in between.
clock = 0


def replaced() -> int:
    """Tick the clock for a replaced .data; the new time is the Variable's version."""
    global clock
    clock += 1
    return clock


# id(array) -> [array, number of live functions that froze it]; the entry holds the array, so
# its id cannot be reused while it is registered.
_frozen: dict[int, list] = {}


def freeze(arrays: list[np.ndarray], into: list[np.ndarray]) -> None:
    """Make each array and its bases read-only, appending what was registered to ``into``."""
    for arr in arrays:
        a = arr
        while isinstance(a, np.ndarray):
            entry = _frozen.get(id(a))
            if entry is not None:
                entry[1] += 1
                into.append(a)
            elif a.flags.writeable:
                a.flags.writeable = False
                _frozen[id(a)] = [a, 1]
                into.append(a)
            a = a.base


def release(arrays: list[np.ndarray]) -> None:
    """Undo ``freeze`` for the arrays it registered; bases are released before their views."""
    for a in reversed(arrays):
        entry = _frozen.get(id(a))
        if entry is None:
            continue
        entry[1] -= 1
        if entry[1] == 0:
            del _frozen[id(a)]
            try:
                a.flags.writeable = True
            except ValueError:
                pass  # a view whose base another live graph still protects


def is_frozen(arr: np.ndarray) -> bool:
    """True while some live graph protects ``arr``."""
    return id(arr) in _frozen


class Frozen:
    """The arrays one Function froze, released once: by backward, or when the Function is
    garbage (a graph dropped without backward). Only Functions that froze something have
    one, so the others die without running any Python code."""

    __slots__ = ("arrays",)

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self.arrays = arrays

    def release(self) -> None:
        arrays, self.arrays = self.arrays, []
        release(arrays)

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:  # noqa: BLE001 - interpreter shutdown may have torn down modules
            pass
