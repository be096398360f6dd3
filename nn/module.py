"""``Module`` and ``Parameter``: parameters and submodules registered on assignment, in order,
with ``state_dict`` and safe ``save``/``load`` (a NumPy .npz, written atomically, never
unpickled)."""
from __future__ import annotations

import json
import os
from collections import OrderedDict
from typing import Any, Callable, Iterator

import numpy as np

from autograd import (
    NotInitializedError, NotWrittenError, OpTypeError, Variable, ZerogradError, name_scope,
)
from autograd.devices import Device, as_array, device_of, is_device, to_device, to_numpy
from autograd.hooks import RemovableHandle
from autograd.parallel import one_blas_thread

from . import hooks

# the file functions Module.save and load use, importable from here as before
from .files import (  # noqa: F401
    METADATA, cast_floating, load_arrays, read_metadata, remove_stale_temporaries, save_arrays,
)


class Parameter(Variable):
    """A Variable that a Module registers as one of its parameters (always floating point).

    >>> import numpy as np
    >>> Parameter(np.zeros(2, dtype=np.float32))
    Parameter(variable([0., 0.], dtype=float32, requires_grad=True))
    """

    def __init__(self, data: Any, name: str | None = None, requires_grad: bool = True) -> None:
        arr = as_array(data.data if isinstance(data, Variable) else data)
        if arr.dtype.kind != "f":
            raise OpTypeError(f"Parameter: data must be floating point (got dtype {arr.dtype})")
        super().__init__(arr, name=name, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return f"Parameter({super().__repr__()})"


class StateDictError(ZerogradError, KeyError):
    """A state dict that does not fit the module: missing, unexpected or mis-shaped entries."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class Module:
    """Base class of every layer and model: subclass it, assign parameters and submodules as
    attributes in ``__init__``, and write ``forward``.

    >>> import numpy as np, nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(4, 8)
    ...         self.fc2 = nn.Linear(8, 2)
    ...     def forward(self, x):
    ...         return self.fc2(nn.functional.relu(self.fc1(x)))
    >>> model = TwoLayer()
    >>> [name for name, _ in model.named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    >>> model(np.ones((3, 4), dtype=np.float32)).shape
    (3, 2)
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)
        for registry in ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks",
                         "_backward_hooks"):
            object.__setattr__(self, registry, OrderedDict())
        object.__setattr__(self, "_forward_hooks_with_kwargs", set())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses write it. Call the module, not ``forward``."""
        raise NotWrittenError(f"{type(self).__name__}.forward is not written")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Tag every op recorded inside with this module's name, so a picture of the graph can
        # group it: a child is named by its attribute, the outermost module by its class.
        with name_scope(self.__dict__.get("_name") or type(self).__name__), one_blas_thread:
            if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or \
                    self._backward_pre_hooks:
                return hooks.call_with_hooks(self, args, kwargs)
            return self.forward(*args, **kwargs)

    def register_forward_pre_hook(self, hook: Any, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; if it returns something, that
        replaces the positional arguments (a tuple, or one value). With ``with_kwargs``,
        ``hook(module, args, kwargs)`` returns None or ``(args, kwargs)``. ``prepend`` puts it
        before the hooks already registered. Returns a handle with ``remove()``.
        """
        handle = hooks.add_hook(self._forward_pre_hooks, hook, prepend,
                                "register_forward_pre_hook")
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(self, hook: Any, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward (with ``with_kwargs``,
        ``hook(module, args, kwargs, output)``); if it returns something, that replaces the
        output. Returns a handle with ``remove()``.
        """
        handle = hooks.add_hook(self._forward_hooks, hook, prepend, "register_forward_hook")
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        return handle

    def register_full_backward_pre_hook(self, hook: Any, *,
                                        prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are
        known, before they flow into the module; returning a tuple replaces them."""
        return hooks.add_hook(self._backward_pre_hooks, hook, prepend,
                              "register_full_backward_pre_hook")

    def register_full_backward_hook(self, hook: Any, *,
                                    prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` once the gradients of the module's
        positional inputs are computed, as ``torch.nn.Module.register_full_backward_hook``.

        ``grad_input`` has one entry per positional argument (None for one that needs no
        gradient: a number, an array, or a Variable that does not require grad, where torch
        gives zeros for such a tensor) and ``grad_output`` one per output (zeros for an output
        the loss does not use, where torch gives None); they are Variables, as ``.grad`` is. Returning a tuple replaces
        ``grad_input``. If no input needs a gradient, the hook is called as soon as
        ``grad_output`` is known, with ``grad_input`` all None. Under ``create_graph`` the
        gradients are part of the graph. Parameters' gradients are not in ``grad_input``
        (hook the parameter itself with ``register_hook``).
        """
        return hooks.add_hook(self._backward_hooks, hook, prepend,
                              "register_full_backward_hook")

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise NotInitializedError(f"{type(self).__name__}: call super().__init__() before "
                                      f"assigning attributes (assigning {name!r})")
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
            if value.name is None:
                value.name = name
        elif isinstance(value, Module):
            self._modules[name] = value
            if "_name" not in value.__dict__:
                object.__setattr__(value, "_name", name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, array: np.ndarray) -> None:
        """Keep ``array`` (e.g. running statistics) in the state dict but not as a parameter."""
        self.__setattr__(name, array)
        self._buffers[name] = array

    def _set_buffer(self, name: str, array: np.ndarray) -> None:
        object.__setattr__(self, name, array)
        self._buffers[name] = array

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their attribute names, in assignment order."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """The direct submodules, in assignment order."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all below it, depth first, each once, with dotted paths."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            stack.extend(reversed([(f"{name}.{k}" if name else k, c)
                                   for k, c in m._modules.items()]))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, each once."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter once (shared ones under their first name), in definition order."""
        seen: set[int] = set()
        for path, m in self.named_modules(prefix):
            for k, p in m._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{path}.{k}" if path else k), p

    def parameters(self) -> Iterator[Parameter]:
        """Every parameter once, in definition order (what an optimizer takes)."""
        for _, p in self.named_parameters():
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """Every buffer (e.g. batch-norm running statistics) with its dotted path."""
        for path, m in self.named_modules(prefix):
            for k, b in m._buffers.items():
                yield (f"{path}.{k}" if path else k), b

    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch statistics) here and below."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Set evaluation mode: dropout off, batch norm uses its running statistics."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None."""
        for p in self.parameters():
            p.grad = None

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule, then on this one (as PyTorch), e.g. to initialise."""
        for m in reversed(list(self.modules())):
            fn(m)
        return self

    def to(self, target: Any) -> Module:
        """Move every parameter (with its gradient) and buffer to a device (``"cpu"``,
        ``"cuda"``, ``"cuda:1"``, an ``ag.Device``), in place, as PyTorch's ``Module.to``; or
        cast every parameter and floating buffer to a dtype (e.g. np.float64 for gradcheck).
        Create the optimizer after moving the model, as in PyTorch (its state is made where
        the parameters are).

        >>> import nn
        >>> model = nn.Linear(2, 3).to("cpu")
        >>> model.weight.device
        device(type='cpu')
        """
        if is_device(target):
            device = Device(target)
            for p in self.parameters():
                p.data = to_device(p.data, device)
                if p.grad is not None:
                    p.grad = Variable(to_device(p.grad.data, device), requires_grad=False)
            for m in self.modules():
                for k, b in list(m._buffers.items()):
                    m._set_buffer(k, to_device(b, device))
            return self
        dtype = np.dtype(target)
        for p in self.parameters():
            p.data = p.data.astype(dtype)
        for m in self.modules():
            for k, b in list(m._buffers.items()):
                if b.dtype.kind == "f":
                    m._set_buffer(k, b.astype(dtype))
        return self

    def half(self) -> Module:
        """``self.to(np.float16)``: compute in half precision (on a GPU; see
        ``optim.MasterWeights`` to train so, with float32 master weights)."""
        return self.to(np.float16)

    def float(self) -> Module:
        """``self.to(np.float32)``."""
        return self.to(np.float32)

    def cpu(self) -> Module:
        """``self.to("cpu")``."""
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Module:
        """``self.to(f"cuda:{index}")``; needs CuPy and a GPU."""
        return self.to(f"cuda:{index}")

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """NumPy copies of every parameter and buffer (in host memory, whatever the model's
        device), keyed by dotted path."""
        state: OrderedDict[str, np.ndarray] = OrderedDict()
        for name, p in self.named_parameters():
            state[name] = np.array(to_numpy(p.data))
        for name, b in self.named_buffers():
            state[name] = np.array(to_numpy(b))
        return state

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy ``state`` into the parameters and buffers.

        Raises:
            StateDictError: listing missing and unexpected keys (when ``strict``) and every
                entry whose shape differs, before anything is changed.
        """
        params = dict(self.named_parameters())
        buffers = {name: (m, k) for path, m in self.named_modules()
                   for k in m._buffers for name in [f"{path}.{k}" if path else k]}
        expected = set(params) | set(buffers)
        missing = sorted(expected - set(state))
        unexpected = sorted(set(state) - expected)
        problems = []
        if strict and missing:
            problems.append(f"missing keys: {', '.join(missing)}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {', '.join(unexpected)}")
        for name in sorted(expected & set(state)):
            want = params[name].shape if name in params else \
                buffers[name][0]._buffers[buffers[name][1]].shape
            got = tuple(getattr(state[name], "shape", None) or np.shape(state[name]))
            if got != want:
                problems.append(f"{name}: shape {got} in the state dict, {want} in the model")
        if problems:
            raise StateDictError(f"{type(self).__name__}.load_state_dict: " +
                                 "; ".join(problems))
        for name in expected & set(state):
            value = to_numpy(as_array(state[name]))  # copied onto each entry's own device
            if name in params:
                p = params[name]
                p.data = to_device(np.array(value, dtype=p.dtype), p.device)
            else:
                m, k = buffers[name]
                old = m._buffers[k]
                m._set_buffer(k, to_device(np.array(value, dtype=old.dtype), device_of(old)))

    def save(self, path: str | os.PathLike, metadata: dict[str, Any] | None = None,
             dtype: Any = None) -> None:
        """Write the state dict to ``path`` as a NumPy .npz, atomically (a temporary file in
        the same folder, then renamed), so a crash never leaves a half-written file.

        ``metadata`` (JSON-able: what the model is, how it was trained) goes into the file as
        JSON text, never pickled; ``read_metadata(path)`` gives it back. ``dtype`` (e.g.
        ``np.float16``, half the file of float32) stores the floating-point entries in that
        precision; ``load`` casts them back to the model's own dtype.

        >>> import os, tempfile, numpy as np, nn
        >>> model, folder = nn.Linear(100, 100), tempfile.mkdtemp()
        >>> model.save(os.path.join(folder, "w32.npz"))
        >>> model.save(os.path.join(folder, "w16.npz"), dtype=np.float16)
        >>> sizes = [os.path.getsize(os.path.join(folder, f)) for f in ("w32.npz", "w16.npz")]
        >>> round(sizes[1] / sizes[0], 1)  # the file's headers take the rest
        0.5
        >>> model.load(os.path.join(folder, "w16.npz")); model.weight.dtype
        dtype('float32')
        """
        arrays = self.state_dict()
        if dtype is not None:
            arrays = cast_floating(arrays, dtype, "save")
        if metadata is not None:
            arrays[METADATA] = np.array(json.dumps(metadata, sort_keys=True))
        save_arrays(path, arrays)

    def load(self, path: str | os.PathLike, strict: bool = True) -> None:
        """Read weights written by ``save``, or the model's part of a ``Trainer`` checkpoint;
        nothing is unpickled."""
        arrays = load_arrays(path)
        arrays.pop(METADATA, None)
        if "meta" in arrays:  # a Trainer checkpoint: its model entries are prefixed "model."
            arrays = OrderedDict((k[len("model."):], v) for k, v in arrays.items()
                                 if k.startswith("model."))
        try:
            self.load_state_dict(arrays, strict=strict)
        except StateDictError as err:
            raise StateDictError(f"load: {os.fspath(path)} does not fit this "
                                 f"{type(self).__name__}: {err}") from None

    def extra_repr(self) -> str:
        """What ``repr`` shows between the parentheses; layers override it."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ")
                 for name, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"
