"""Anomaly mode: ``with ag.detect_anomaly():`` checks every op's forward outputs and every
gradient backward computes for NaN and inf, and stops at the first one with an
``AnomalyError`` that names the op, forward or backward, its inputs' shapes and dtypes, and
the line of *your* code that created the op.

It is a hook (``autograd.hooks``): installed only inside the block, so outside it nothing is
checked and no stack is captured. Inside, each recorded op remembers the user's line that made
it (the innermost frame outside autograd, nn and optim), which is what a backward error needs:
by then the code that created the op has long returned.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Sequence

import numpy as np

from . import hooks
from .errors import AnomalyError

# Frames in these folders are the library's own; the user's line is the first frame outside.
_LIBRARY = tuple(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              package) + os.sep for package in ("autograd", "nn", "optim"))


def user_frame() -> tuple[str, int, str, str] | None:
    """(file, line, function, source text) of the innermost caller outside the library."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY):
        frame = frame.f_back
    if frame is None:
        return None
    import linecache
    code = frame.f_code
    text = linecache.getline(code.co_filename, frame.f_lineno).strip()
    return code.co_filename, frame.f_lineno, code.co_name, text


def _bad(a: Any) -> str | None:
    """'nan', 'inf' or 'nan and inf' if the float array ``a`` holds such values, else None."""
    if a is None:
        return None
    a = getattr(a, "_data", a)
    if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or np.isfinite(a).all():
        return None
    nan, inf = bool(np.isnan(a).any()), bool(np.isinf(a).any())
    return " and ".join(w for w, has in (("nan", nan), ("inf", inf)) if has)


def _where(frame: tuple[str, int, str, str] | None) -> str:
    if frame is None:
        return "  created: (no line of user code on the stack)"
    file, line, function, text = frame
    return f"  created at {file}:{line}, in {function}\n      {text}"


def _shapes(entries: Sequence[tuple[Any, Any]]) -> str:
    return ", ".join(f"{np.dtype(d)} {tuple(s)}" for s, d in entries) or "none"


class Anomaly:
    """The hook ``detect_anomaly`` installs."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.differentiating: list[Any] = []  # the Functions whose backward is running

    def computed(self, fn: Any, xs: Sequence[Any], outputs: Sequence[Any]) -> None:
        # An op run by a backward belongs to the line that created the op being
        # differentiated; any other, to the user's line on the stack now (looked up only for
        # a recorded op, which keeps it, or for the error).
        owner = self.differentiating[-1] if self.differentiating else None
        frame = _frame(owner) if owner is not None else \
            user_frame() if fn.requires_grad else None
        if fn.requires_grad:
            fn.anomaly_frame = frame  # for a backward error, once the frame is gone
        found = _first_bad(outputs) if self.check_nan else None
        if found is None:
            return
        k, bad = found
        y, op = outputs[k], type(fn).__name__
        came_in = [i for i, x in enumerate(xs) if _bad(x)]
        note = (f"\n  input {', '.join(map(str, came_in))} already held non-finite values "
                "(from outside the graph, or from an op run before detect_anomaly)"
                if came_in else "")
        if owner is None:
            what, culprit, frame = f"{op} produced {bad} in forward", fn, frame or user_frame()
        else:
            what, culprit = f"{type(owner).__name__}'s backward produced {bad} (in its {op})", owner
        self._stop(f"{what} (output {k} of shape {y.shape}, {y.dtype})\n  inputs: "
                   f"{_shapes([(x.shape, x.dtype) for x in xs])}{note}", culprit,
                   "forward" if owner is None else "backward", frame,
                   tuple(outputs) if owner is None else ())

    def before_backward(self, fn: Any, grads: Sequence[Any]) -> None:
        self.differentiating.append(fn)
        found = _first_bad(grads) if self.check_nan else None
        if found is not None:  # every gradient made in backward was checked: a seed's
            k, bad = found
            self._stop(f"the gradient given to backward for output {k} of "
                       f"{type(fn).__name__} holds {bad}", fn, "backward", _frame(fn))

    def after_backward(self, fn: Any, grads: Sequence[Any]) -> None:
        if self.differentiating and self.differentiating[-1] is fn:
            self.differentiating.pop()
        found = _first_bad(grads) if self.check_nan else None
        if found is not None:
            k, bad = found
            inputs = [(shape, dtype) for _, _, shape, dtype in fn.edges]
            self._stop(f"{type(fn).__name__}'s backward produced {bad} in the gradient of "
                       f"input {k} (shape {np.shape(getattr(grads[k], '_data', grads[k]))})"
                       f"\n  inputs: {_shapes(inputs)}", fn, "backward", _frame(fn))

    def _stop(self, what: str, fn: Any, phase: str, frame: Any, outputs: tuple = ()) -> None:
        self.differentiating.clear()  # the backward, if one was running, stops here
        raise AnomalyError(f"detect_anomaly: {what}\n{_where(frame)}", function=fn,
                           phase=phase, frame=frame, outputs=outputs)


def _first_bad(values: Sequence[Any]) -> tuple[int, str] | None:
    """(index, 'nan' / 'inf' / 'nan and inf') of the first non-finite value, or None."""
    for k, v in enumerate(values):
        bad = _bad(v)
        if bad is not None:
            return k, bad
    return None


def _frame(fn: Any) -> Any:
    return getattr(fn, "anomaly_frame", None)


class detect_anomaly:
    """Check every forward output and every gradient for NaN and inf inside the block (as
    ``torch.autograd.detect_anomaly``); the first one raises an `AnomalyError`.

    ``check_nan=False`` only remembers where each op was created. Nesting is allowed; also
    usable as a decorator.

    >>> import numpy as np, autograd as ag
    >>> x = ag.Variable(np.array([1.0, 0.0]))
    >>> with ag.detect_anomaly():
    ...     y = ag.log(x)                                   # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    autograd.errors.AnomalyError: detect_anomaly: Log produced inf in forward (output 0 ...
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.hook = Anomaly(check_nan)

    def __enter__(self) -> None:
        hooks.active.append(self.hook)

    def __exit__(self, *exc: object) -> None:
        hooks.active.remove(self.hook)

    def __call__(self, fn: Any) -> Any:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.hook.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly(detect_anomaly):
    """Anomaly mode on or off inside the block: ``with set_detect_anomaly(debug):``; off
    suspends an enclosing ``detect_anomaly`` until the block ends."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(check_nan)
        self.mode = bool(mode)

    def __enter__(self) -> None:
        if self.mode:
            super().__enter__()
            return
        self.suspended = [h for h in hooks.active if isinstance(h, Anomaly)]
        for h in self.suspended:
            hooks.active.remove(h)

    def __exit__(self, *exc: object) -> None:
        if self.mode:
            super().__exit__(*exc)
            return
        hooks.active.extend(self.suspended)


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly``."""
    return any(isinstance(h, Anomaly) for h in hooks.active)
