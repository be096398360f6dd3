"""Grad mode, the one global switch that says whether operations record a graph, and
``name_scope``, which tags the Functions recorded inside it for pictures (through a hook).

Under ``no_grad()`` no graph is recorded at all: outputs have no creator and do not require grad.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from . import hooks

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    enabled = True


state = _State()


def is_grad_enabled() -> bool:
    """Return True when operations record a graph for backward."""
    return state.enabled


class _GradModeSwitch:
    """Context manager and decorator that sets grad mode and restores the previous one."""

    _mode: bool

    def __enter__(self) -> None:
        self._previous = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._previous

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = previous

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeSwitch):
    """Record no graph inside the block (or the decorated function).

    >>> import autograd as ag
    >>> x = ag.Variable(2.0)
    >>> with ag.no_grad():
    ...     y = x * 3
    >>> y.creator is None, y.requires_grad
    (True, False)
    """

    _mode = False


class enable_grad(_GradModeSwitch):
    """Record the graph again inside a ``no_grad`` block (or the decorated function)."""

    _mode = True


class set_grad_enabled(_GradModeSwitch):
    """Set grad mode to ``mode`` inside the block, e.g. ``with set_grad_enabled(training):``."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)


class name_scope:
    """Tag the Functions recorded inside the block with ``name`` (nested scopes make a path).

    ``nn.Module`` opens one per call, so each op knows the module it ran in, e.g.
    ``("features", "0")``; graph pictures group and fold nodes by it.

    >>> import autograd as ag
    >>> x = ag.Variable(1.0)
    >>> with ag.name_scope("block"), ag.name_scope("inner"):
    ...     y = x * 2
    >>> y.creator.scope
    ('block', 'inner')
    """

    def __init__(self, name: str) -> None:
        self.name = str(name)

    def __enter__(self) -> None:
        self._previous = _scopes.path
        if not self._previous:  # the outermost block installs the tagging hook
            hooks.active.append(_scopes)
        _scopes.path = self._previous + (self.name,)

    def __exit__(self, *exc: object) -> None:
        _scopes.path = self._previous
        if not self._previous:
            hooks.active.remove(_scopes)


_scopes = hooks.Scopes()
