"""The Optimizer base: parameter groups, per-parameter state, ``zero_grad``, ``step`` and a
state_dict of plain NumPy arrays and numbers. Each optimizer adds only its update rule.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Union

import numpy as np

from autograd import Variable, enable_grad
from autograd.devices import as_array, device_of, is_array, to_device, to_numpy
from autograd.errors import DeviceError, NotWrittenError, OpTypeError

from .checks import OptimizerError

Params = Union[Iterable[Variable], Iterable[dict[str, Any]]]


class Optimizer:
    """Base of all optimizers, with PyTorch's ``torch.optim.Optimizer`` interface.

    ``params`` is an iterable of Variables, or of parameter-group dicts such as
    ``{"params": [w, b], "lr": 0.01}``; a group's entries override the optimizer's defaults.
    The order of the parameters is their index in ``state_dict()``, so it must be fixed (a
    list or a generator, not a set); a single Variable counts as a list of one.

    Subclasses pass their hyperparameters as ``defaults``, normalise and check a group in
    ``_check_group`` and write ``_update``: the new value of one parameter, computed on arrays
    from its value, its gradient and its state. ``step`` calls it for every parameter that
    has a gradient, in the parameter's dtype, and never records a graph.

    Attributes:
        param_groups: a list of dicts, each with ``"params"`` (a list of Variables) and the
            hyperparameters of that group.
        state: for each parameter that has been stepped, a dict of arrays and counts.
        defaults: the hyperparameters given to the constructor.
    """

    _state_keys: tuple[str, ...] = ()  # every entry ``_update`` may keep in a parameter's state

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._check_group(self.defaults, "")
        self.param_groups: list[dict[str, Any]] = []
        # NOTE: Variable hashes by identity, so a dict keyed by parameters is safe even though
        # ``==`` on Variables compares values.
        self.state: dict[Variable, dict[str, Any]] = {}
        for group in self._as_groups(params):
            self.add_param_group(group)

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        """Check the hyperparameters of ``group`` and store them as Python scalars, in place."""
        raise NotWrittenError(f"{type(self).__name__}._check_group is not written")

    def _update(self, value: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> np.ndarray:
        """The new value of one parameter; ``state`` (a dict, empty at first) is updated."""
        raise NotWrittenError(f"{type(self).__name__}._update is not written")

    def _as_groups(self, params: Any) -> list[dict[str, Any]]:
        name = type(self).__name__
        items = _as_list(name, params, "params")
        if not items:
            raise OptimizerError(f"{name}: got an empty parameter list")
        dicts = [isinstance(x, dict) for x in items]
        if all(dicts):
            return items
        if any(dicts):
            raise OpTypeError(f"{name}: params mixes Variables and parameter-group dicts; "
                              "give either a list of Variables or a list of dicts")
        return [{"params": items}]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, e.g. layers to unfreeze while fine-tuning.

        Args:
            param_group: a dict with ``"params"`` (Variables) and optionally hyperparameters;
                those left out take the optimizer's defaults.

        Raises:
            OpTypeError: a parameter is not a Variable.
            OptimizerError: the group is empty, a parameter does not require grad, is not a
                leaf or is already in a group, or a hyperparameter is invalid.
        """
        name = type(self).__name__
        index = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise OpTypeError(f"{name}: a parameter group must be a dict, "
                              f"got {type(param_group).__name__}")
        if "params" not in param_group:
            raise OptimizerError(f"{name}: parameter group {index} has no 'params' entry")
        params = _as_list(name, param_group["params"], f"the params of group {index}")
        if not params:
            raise OptimizerError(f"{name}: parameter group {index} is empty")
        seen = {id(p): g for g, group in enumerate(self.param_groups) for p in group["params"]}
        for i, p in enumerate(params):
            at = f"parameter {i} of group {index}"
            if not isinstance(p, Variable):
                raise OpTypeError(f"{name}: {at} is a {type(p).__name__}, not a Variable")
            if not p.requires_grad:
                raise OptimizerError(f"{name}: {at} does not require grad (shape {p.shape}, "
                                     f"dtype {p.dtype}); only Variables with "
                                     "requires_grad=True can be optimized")
            if not p.is_leaf:
                raise OptimizerError(f"{name}: {at} is not a leaf (it was computed by "
                                     f"{type(p.creator).__name__}); optimize the Variables "
                                     "it was computed from")
            if id(p) in seen:
                other = seen[id(p)]
                place = "earlier in the same group" if other == index else f"in group {other}"
                raise OptimizerError(f"{name}: {at} is already {place} (a parameter may appear "
                                     "only once)")
            seen[id(p)] = index
        group = dict(self.defaults)
        group.update((k, v) for k, v in param_group.items() if k != "params")
        self._check_group(group, f" in parameter group {index}")
        group["params"] = params
        self.param_groups.append(group)

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to None (the next backward starts afresh)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; those whose ``.grad`` is None are skipped.

        Args:
            closure: optional; recomputes the loss (with backward) and returns it.

        Returns:
            What ``closure`` returned, or None.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        name = type(self).__name__
        for g, group in enumerate(self.param_groups):
            for i, p in enumerate(group["params"]):
                if p.grad is None:
                    continue
                grad = p.grad.data
                if grad.shape != p.shape:
                    raise OptimizerError(f"{name}: the gradient of parameter {i} of group {g} "
                                         f"has shape {grad.shape}, the parameter {p.shape}")
                if grad.dtype != p.dtype:
                    grad = grad.astype(p.dtype)
                if type(grad) is not type(p.data):
                    raise DeviceError(f"{name}: the gradient of parameter {i} of group {g} is "
                                      f"on {device_of(grad)}, the parameter on {p.device}")
                new = self._update(p.data, grad, self.state.setdefault(p, {}), group)
                p.data = new if new.dtype == p.dtype else new.astype(p.dtype)
        return loss

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data: NumPy arrays (copies in host memory, whatever
        the parameters' device), numbers, bools and lists.

        Returns:
            ``{"state": {index: {name: array or count}}, "param_groups": [group, ...]}``,
            where a parameter's index is its position counting through all groups in order,
            and each group holds its hyperparameters and ``"params"``, a list of indices.
        """
        index = {id(p): i for i, p in enumerate(self._params())}
        groups = []
        for group in self.param_groups:
            saved = {k: v for k, v in group.items() if k != "params"}
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {index[id(p)]: {k: np.array(to_numpy(v)) if is_array(v) else v
                                for k, v in s.items()}
                 for p, s in self.state.items() if s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the hyperparameters and state saved by ``state_dict``.

        The optimizer must have the same number of groups, each with the same number of
        parameters, and each saved array must have its parameter's shape. Arrays are copied
        and cast to the parameter's dtype, on its device; 0-d arrays (as ``np.load`` returns
        numbers) are read as numbers. Nothing changes unless the whole state_dict is valid.

        Raises:
            OptimizerError: the state_dict does not fit this optimizer.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise OptimizerError(f"{name}: a state_dict needs the keys 'param_groups' and "
                                 f"'state' (got {got})")
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise OptimizerError(f"{name}: the state_dict has {len(saved_groups)} parameter "
                                 f"groups, the optimizer {len(self.param_groups)}")
        by_index: dict[int, Variable] = {}
        new_groups = []
        for g, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise OptimizerError(f"{name}: parameter group {g} of the state_dict has no "
                                     "'params' entry")
            indices = [int(i) for i in np.ravel(saved["params"])]
            if len(indices) != len(group["params"]):
                raise OptimizerError(
                    f"{name}: parameter group {g} has {len(indices)} parameters in the "
                    f"state_dict, {len(group['params'])} in the optimizer")
            by_index.update(zip(indices, group["params"]))
            # initial_lr is a scheduler's bookkeeping, kept in the group as in PyTorch.
            unknown = sorted(set(saved) - set(self.defaults) - set(group) -
                             {"params", "initial_lr"})
            if unknown:  # e.g. Adam's betas offered to SGD: the state is another optimizer's
                raise OptimizerError(f"{name}: parameter group {g} of the state_dict has "
                                     f"hyperparameters {name} does not have: "
                                     f"{', '.join(unknown)}")
            new = dict(self.defaults)
            new.update((k, v) for k, v in saved.items() if k != "params")
            self._check_group(new, f" in parameter group {g} of the state_dict")
            new["params"] = group["params"]
            new_groups.append(new)
        new_state = {}
        for key, entry in state_dict["state"].items():
            i = int(key)
            if i not in by_index:
                raise OptimizerError(f"{name}: the state_dict has state for parameter {i}, "
                                     "which none of its parameter groups lists")
            new_state[by_index[i]] = self._load_state(by_index[i], i, entry)
        for group, new in zip(self.param_groups, new_groups):
            group.clear()
            group.update(new)
        self.state = new_state

    def _load_state(self, p: Variable, i: int, entry: dict[str, Any]) -> dict[str, Any]:
        name = type(self).__name__
        state: dict[str, Any] = {}
        for key, value in entry.items():
            if key not in self._state_keys:
                raise OptimizerError(f"{name}: unexpected state {key!r} for parameter {i} "
                                     f"(expected some of {', '.join(self._state_keys)})")
            if key == "step":
                state[key] = int(to_numpy(as_array(value)))
                continue
            arr = to_numpy(as_array(value))
            if arr.shape != p.shape:
                raise OptimizerError(f"{name}: state {key!r} of parameter {i} has shape "
                                     f"{arr.shape}, the parameter {p.shape}")
            state[key] = to_device(np.array(arr, dtype=p.dtype), p.device)
        return state

    def _params(self) -> list[Variable]:
        return [p for group in self.param_groups for p in group["params"]]

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        for i, group in enumerate(self.param_groups):
            hyper = ", ".join(f"{k}={v!r}" for k, v in group.items() if k != "params")
            lines.append(f"    group {i}: {len(group['params'])} parameters, {hyper}")
        return "\n".join(lines) + "\n)"


def _as_list(owner: str, params: Any, what: str) -> list[Any]:
    """``params`` as a list, refusing what has no fixed order or is one Variable alone."""
    if isinstance(params, Variable):
        return [params]
    if isinstance(params, (set, frozenset, dict)):
        kind = "a set" if isinstance(params, (set, frozenset)) else "a dict"
        raise OpTypeError(f"{owner}: {what} must be an iterable with a fixed order (a list or "
                          f"a generator of Variables or of group dicts), got {kind}")
    try:
        return list(params)
    except TypeError:
        raise OpTypeError(f"{owner}: {what} must be an iterable of Variables or of "
                          f"parameter-group dicts, got {type(params).__name__}") from None
