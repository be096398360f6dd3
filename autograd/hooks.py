"""The engine's hook points: code that watches Functions being recorded in forward and run in
backward, without the engine or the ops knowing what it is for.

A hook is an object with any of four methods; the engine calls them only while the hook is
installed, so with none installed the hot paths pay one test of an empty list:

- ``recorded(fn, xs)``: ``fn`` was just recorded from the input Variables ``xs`` (its edges,
  outputs and saved values are set; the graph itself does not keep ``xs``);
- ``computed(fn, xs, outputs)``: ``fn`` just ran, recorded or not (under ``no_grad``, or on
  constants), and made the Variables ``outputs``;
- ``before_backward(fn, grads)``: ``fn``'s gradient is about to be computed from ``grads``,
  the gradients of its outputs;
- ``after_backward(fn, grads)``: it was; ``grads`` are the gradients of its inputs.

Two hooks ship with autograd, both for pictures of the graph: ``name_scope`` tags the
Functions recorded inside it with the module path (``fn.scope``), and a ``create_graph``
backward tags what it records with its derivative order (``fn.order``). ``detect_anomaly``
(``autograd.anomaly``) is a third.

Tensor hooks (``Variable.register_hook``) live here too, in ``tensor_hooks``, keyed by the
Variable's id: the engine looks a gradient up there only while the table is not empty, so
Variables themselves carry nothing for them.
"""
from __future__ import annotations

import itertools
import weakref
from typing import Any, Callable, Sequence

from .errors import ShapeError

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


def called(fn: Any, xs: Sequence[Any], outputs: Sequence[Any]) -> None:
    """Function.__call__'s one hook point: ``recorded`` if it was, then ``computed``."""
    for hook in list(active):
        if fn.requires_grad and hasattr(hook, "recorded"):
            hook.recorded(fn, xs)
        if hasattr(hook, "computed"):
            hook.computed(fn, xs, outputs)


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


class RemovableHandle:
    """What every ``register_*hook`` returns: ``remove()`` takes the hook out again (a second
    call does nothing). Also a context manager that removes the hook at the end of the block.
    """

    _ids = itertools.count()

    def __init__(self, registry: dict) -> None:
        self._registry = registry
        self.id = next(self._ids)

    def remove(self) -> None:
        self._registry.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


# id(variable) -> (weak reference to it, {handle id: hook}); an entry goes with its Variable.
tensor_hooks: dict[int, tuple[weakref.ref, dict[int, Callable]]] = {}


def register_tensor_hook(v: Any, hook: Callable) -> RemovableHandle:
    """``hook(grad)`` runs each time a gradient for ``v`` is computed (see
    ``Variable.register_hook``)."""
    key = id(v)
    entry = tensor_hooks.get(key)
    if entry is None:
        # the table is bound now: at interpreter exit the module's globals may be gone
        entry = tensor_hooks[key] = (
            weakref.ref(v, lambda _, table=tensor_hooks: table.pop(key, None)), {})
    handle = RemovableHandle(entry[1])
    entry[1][handle.id] = hook
    return handle


def run_tensor_hooks(v: Any, grad: Any) -> Any:
    """``grad`` passed through ``v``'s hooks in registration order; each may replace it."""
    from .conversion import as_variable  # NOTE: conversion imports core, which imports us

    for hook in list(tensor_hooks[id(v)][1].values()):
        new = hook(grad)
        if new is None:
            continue
        new = as_variable(new)
        if new.shape != grad.shape:
            raise ShapeError(f"hook {getattr(hook, '__qualname__', hook)!r} registered on a "
                             f"Variable of shape {grad.shape}: it returned a gradient of shape "
                             f"{new.shape}; a hook may change a gradient's values, not its "
                             "shape")
        grad = new if new.dtype == grad.dtype else new.astype(grad.dtype)
    return grad
