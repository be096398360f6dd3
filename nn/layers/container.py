"""Containers: ``Sequential`` (a chain of modules), ``ModuleList``, and ``Flatten``."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator

import autograd as ag
from autograd import OpTypeError, Variable

from ..module import Module


class _Listed(Module):
    """Indexing, length and iteration over the submodules, in order."""

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class Sequential(_Listed):
    """Modules applied one after another; built from modules or an OrderedDict of them.

    >>> import nn
    >>> nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=2, bias=True)
    )
    """

    def __init__(self, *modules: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                setattr(self, name, m)
        else:
            for i, m in enumerate(modules):
                if not isinstance(m, Module):
                    raise OpTypeError(f"Sequential: item {i} is a {type(m).__name__}, "
                                      "not a Module")
                setattr(self, str(i), m)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(_Listed):
    """A list of modules whose parameters are registered (a plain list hides them)."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise OpTypeError(f"ModuleList: can only hold Modules, got {type(module).__name__}")
        setattr(self, str(len(self._modules)), module)
        return self


class Flatten(Module):
    """Merge the axes from ``start_dim`` on. Shape: (N, *) -> (N, prod(*))."""

    def __init__(self, start_dim: int = 1) -> None:
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x: Any) -> Variable:
        return ag.flatten(x, self.start_dim)
