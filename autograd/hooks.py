"""The engine's hook points: code that watches Functions being recorded in forward and run in
backward, without the engine or the ops knowing what it is for.

A hook is an object with any of three methods; the engine calls them only while the hook is
installed, so with none installed the hot paths pay one test of an empty list:

- ``recorded(fn, xs)``: ``fn`` was just recorded from the input Variables ``xs`` (its edges,
  outputs and saved values are set; the graph itself does not keep ``xs``);
- ``before_backward(fn, grads)``: ``fn``'s gradient is about to be computed from ``grads``,
  the gradients of its outputs;
- ``after_backward(fn, grads)``: it was; ``grads`` are the gradients of its inputs.

Two hooks ship with autograd, both for pictures of the graph: ``name_scope`` tags the
Functions recorded inside it with the module path (``fn.scope``), and a ``create_graph``
backward tags what it records with its derivative order (``fn.order``). Tensor hooks and an
anomaly mode are meant to plug in here too.
"""
from __future__ import annotations

from typing import Any, Sequence

# The installed hooks, in installation order. Read by Function.__call__ and engine.run.
active: list[Any] = []


class installed:
    """Install ``hook`` inside the block (a context manager), e.g. ``with installed(h):``."""

    def __init__(self, hook: Any) -> None:
        self.hook = hook

    def __enter__(self) -> Any:
        active.append(self.hook)
        return self.hook

    def __exit__(self, *exc: object) -> None:
        active.remove(self.hook)


def recorded(fn: Any, xs: Sequence[Any]) -> None:
    for hook in active:
        if hasattr(hook, "recorded"):
            hook.recorded(fn, xs)


def before_backward(fn: Any, grads: Sequence[Any]) -> None:
    for hook in active:
        if hasattr(hook, "before_backward"):
            hook.before_backward(fn, grads)


def after_backward(fn: Any, grads: Sequence[Any]) -> None:
    for hook in active:
        if hasattr(hook, "after_backward"):
            hook.after_backward(fn, grads)


class Scopes:
    """Tags each recorded Function with the path of the ``name_scope`` blocks around it."""

    def __init__(self) -> None:
        self.path: tuple[str, ...] = ()

    def recorded(self, fn: Any, xs: Sequence[Any]) -> None:
        fn.scope = self.path


class DerivativeOrders:
    """Tags what a ``create_graph`` backward records with its derivative order: one above the
    Function being differentiated, and at least that of the gradients coming in (a derivative
    of a derivative is one order higher)."""

    def __init__(self) -> None:
        self.order = 0

    def before_backward(self, fn: Any, grads: Sequence[Any]) -> None:
        order = fn.order + 1
        for g in grads:
            if g is not None and g.creator is not None and g.creator.order > order:
                order = g.creator.order
        self.order = order

    def recorded(self, fn: Any, xs: Sequence[Any]) -> None:
        if self.order:
            fn.order = self.order
