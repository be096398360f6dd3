"""Module hooks, as PyTorch's: code run before and after a module's forward, and with the
gradients of its inputs and outputs in backward.

``Module.__call__`` comes here only when the module has a hook, so a module without one pays
one test. The backward hooks work as torch's ``BackwardHook`` does: the module's inputs and
its outputs each pass through one ``GradientTap`` (an identity on all of them at once), whose
backward sees the gradients of all of them together. The output tap notes ``grad_output``;
the input tap, which backward reaches after the whole module, calls the hooks with
``grad_input`` and that ``grad_output``.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import autograd as ag
from autograd import Function, Variable
from autograd.errors import GraphError, OpTypeError
from autograd.hooks import RemovableHandle


class GradientTap(Function):
    """Identity on its inputs (x1, ..., xk) -> (x1, ..., xk); backward hands the gradients of
    the outputs to ``callback`` (a tuple, one per output), which returns the gradients to pass
    on, the same ones or replacements."""

    def __init__(self, callback: Callable[[tuple], tuple]) -> None:
        self.callback = callback

    def forward(self, *xs):
        return xs if len(xs) > 1 else xs[0]

    def backward(self, *grads):
        return tuple(self.callback(grads))


def add_hook(registry: OrderedDict, hook: Callable, prepend: bool, what: str) -> RemovableHandle:
    if not callable(hook):
        raise OpTypeError(f"{what}: the hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(registry)
    registry[handle.id] = hook
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle


def _needs_grad(v: Any) -> bool:
    return isinstance(v, Variable) and v.requires_grad and ag.is_grad_enabled()


class _BackwardHooks:
    """The backward hooks of one call of ``module``: taps its inputs and outputs."""

    def __init__(self, module: Any, n_args: int) -> None:
        self.module = module
        self.n_args = n_args
        self.input_positions: list[int] = []
        self.output_positions: list[int] = []
        self.n_outputs = 0
        self.grad_output: tuple | None = None

    def tap_inputs(self, args: tuple) -> tuple:
        self.input_positions = [i for i, a in enumerate(args) if _needs_grad(a)]
        return _tapped(args, self.input_positions, self._input_grads)

    def tap_outputs(self, result: Any) -> Any:
        outs = result if isinstance(result, tuple) else (result,)
        self.output_positions = [i for i, o in enumerate(outs) if _needs_grad(o)]
        self.n_outputs = len(outs)
        outs = _tapped(outs, self.output_positions, self._output_grads)
        return outs if isinstance(result, tuple) else outs[0]

    def _output_grads(self, grads: tuple) -> tuple:
        full: list = [None] * self.n_outputs
        for i, g in zip(self.output_positions, grads):
            full[i] = g
        grad_output = tuple(full)
        for hook in list(self.module._backward_pre_hooks.values()):
            new = hook(self.module, grad_output)
            if new is not None:
                grad_output = _checked(new, grad_output, hook, "grad_output")
        self.grad_output = grad_output
        if not self.input_positions:  # no input needs a gradient: call the hooks now
            self._call_hooks((None,) * self.n_args)
        return tuple(grad_output[i] for i in self.output_positions)

    def _input_grads(self, grads: tuple) -> tuple:
        full: list = [None] * self.n_args
        for i, g in zip(self.input_positions, grads):
            full[i] = g
        grad_input = self._call_hooks(tuple(full))
        return tuple(grad_input[i] for i in self.input_positions)

    def _call_hooks(self, grad_input: tuple) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            new = hook(self.module, grad_input, self.grad_output)
            if new is not None:
                grad_input = _checked(new, grad_input, hook, "grad_input")
        return grad_input


def _tapped(values: tuple, positions: list[int], callback: Callable) -> tuple:
    """``values`` with those at ``positions`` passed through one GradientTap(callback)."""
    if not positions:
        return values
    taps = GradientTap(callback)(*[values[i] for i in positions])
    out = list(values)
    for i, v in zip(positions, taps if isinstance(taps, tuple) else (taps,)):
        out[i] = v
    return tuple(out)


def _checked(new: Any, old: tuple, hook: Callable, what: str) -> tuple:
    """A hook's replacement for ``old`` (a tuple of gradients): the same length and shapes."""
    name = getattr(hook, "__qualname__", repr(hook))
    new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
    if len(new) != len(old):
        raise GraphError(f"backward hook {name!r} returned {len(new)} values for {what}, "
                         f"expected {len(old)} (one per entry, None where there is none)")
    out = []
    for k, (n, o) in enumerate(zip(new, old)):
        if n is not None and o is not None:
            n = ag.as_variable(n)
            if n.shape != o.shape:
                raise GraphError(f"backward hook {name!r} returned a {what}[{k}] of shape "
                                 f"{n.shape}, expected {o.shape}")
        out.append(n)
    return tuple(out)


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """``module(*args, **kwargs)`` with its hooks, in torch's order: forward pre-hooks,
    the input taps, forward, forward hooks, the output taps."""
    for hook_id, hook in list(module._forward_pre_hooks.items()):
        if hook_id in module._forward_hooks_with_kwargs:
            new = hook(module, args, kwargs)
            if new is not None:
                if not (isinstance(new, tuple) and len(new) == 2):
                    raise OpTypeError(f"forward pre-hook {hook!r} (with_kwargs=True) must "
                                      "return None or a tuple (args, kwargs)")
                args, kwargs = new
        else:
            new = hook(module, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
    backward = None
    if module._backward_hooks or module._backward_pre_hooks:
        backward = _BackwardHooks(module, len(args))
        args = backward.tap_inputs(args)
    result = module.forward(*args, **kwargs)
    for hook_id, hook in list(module._forward_hooks.items()):
        if hook_id in module._forward_hooks_with_kwargs:
            new = hook(module, args, kwargs, result)
        else:
            new = hook(module, args, result)
        if new is not None:
            result = new
    if backward is not None:
        result = backward.tap_outputs(result)
    return result
