"""The frameworks a benchmark compares, and how a worker process loads each one.

The parent process only asks whether a framework is installed (``importlib.util.find_spec``,
which imports nothing); loading happens in the worker, so a framework's import-time side
effects stay in its own process.
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any, Callable

# Every worker gets the same values, set in its environment before NumPy or torch load.
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Framework:
    """One framework under test.

    Args:
        name: the key used on the command line and in the JSON.
        label: the name shown in the table.
        module: the top-level module that must be importable.
        loader: imports the module in a worker and applies the thread count.
        note: how it is measured, printed under the table.
        runs_as: the framework whose workload programs it runs (default: its own name); a
            second configuration of the same library runs the same programs.
    """

    name: str
    label: str
    module: str
    loader: Callable[[int], ModuleType]
    note: str = ""
    runs_as: str = ""

    def installed(self) -> bool:
        """True when the module can be found; nothing is imported."""
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False

    def load(self, threads: int) -> ModuleType:
        """Import the framework in this (worker) process, using ``threads`` threads."""
        return self.loader(threads)


def thread_settings(module: ModuleType) -> dict[str, Any]:
    """The thread settings a worker actually ran with, for the JSON."""
    info: dict[str, Any] = {var: os.environ.get(var) for var in THREAD_ENV_VARS}
    if module.__name__ == "torch":
        info["torch.get_num_threads"] = module.get_num_threads()
    if module.__name__ == "autograd":
        info["autograd.get_num_threads"] = module.get_num_threads()
    return info


def _load_numpy(threads: int) -> ModuleType:
    import numpy

    return numpy


def _load_zerograd(threads: int) -> ModuleType:
    autograd = _load_zerograd_as_imported(threads)
    autograd.set_num_threads(threads)
    autograd.keep_freed_memory()  # what the zerograd command and Trainer.fit switch on
    return autograd


def _load_zerograd_as_imported(threads: int) -> ModuleType:
    """zerograd as a script gets it that calls neither set_num_threads nor
    keep_freed_memory: its default threads (OMP_NUM_THREADS, which the bench sets), BLAS
    with the threads of the environment, lowered to one only while zerograd works."""
    import autograd

    # NOTE: PyPI's HIPS "autograd" has the same import name; make sure this is ours.
    if not hasattr(autograd, "Variable"):
        raise ImportError(f"'autograd' at {autograd.__file__} is not zerograd's")
    return autograd


def _load_torch(threads: int) -> ModuleType:
    import torch

    torch.set_num_threads(threads)
    return torch


def _load_dezero(threads: int) -> ModuleType:
    import numpy as np

    # DeZero 0.0.13 uses aliases NumPy 2 removed (``np.int`` is evaluated at import time);
    # restore only those that are missing, in this worker process alone.
    for alias, builtin in (("int", int), ("float", float), ("object", object), ("bool", bool)):
        if alias not in np.__dict__:
            setattr(np, alias, builtin)
    # It imports matplotlib.pyplot at load time; keep that from looking for a display.
    os.environ.setdefault("MPLBACKEND", "Agg")
    import dezero

    return dezero


FRAMEWORKS: dict[str, Framework] = {f.name: f for f in (
    Framework("numpy", "NumPy (floor)", "numpy", _load_numpy,
              "NumPy: the same chain on plain arrays, forward only: no graph, the floor."),
    Framework("zerograd", "zerograd", "autograd", _load_zerograd,
              "zerograd: imported from this checkout; set_num_threads(threads) and "
              "keep_freed_memory(), as the zerograd command does."),
    Framework("zerograd_default", "zerograd, as imported", "autograd",
              _load_zerograd_as_imported,
              "zerograd, as imported: the same programs without set_num_threads or "
              "keep_freed_memory, what a script of its own gets (BLAS keeps the environment's "
              "threads outside zerograd's calls).", runs_as="zerograd"),
    Framework("torch", "PyTorch (CPU)", "torch", _load_torch,
              "PyTorch: eager CPU tensors, torch.set_num_threads(threads)."),
    Framework("dezero", "DeZero (as shipped)", "dezero", _load_dezero,
              "DeZero: measured as shipped; only the NumPy aliases it needs under NumPy 2 "
              "(np.int, np.float, np.object, np.bool) are restored before import."),
)}


def on_device(device: str) -> dict[str, Framework]:
    """FRAMEWORKS as the tables name them for a run on ``device`` ("cpu" or "cuda")."""
    if device == "cpu":
        return FRAMEWORKS
    gpu = device.upper()
    return {**FRAMEWORKS,
            "torch": replace(FRAMEWORKS["torch"], label=f"PyTorch ({gpu})",
                             note=f"PyTorch: eager {gpu} tensors, synchronized after each "
                                  "timed call."),
            "zerograd": replace(FRAMEWORKS["zerograd"],
                                note=f"zerograd: imported from this checkout, on CuPy ({gpu}), "
                                     "synchronized after each timed call.")}


def runs_as(name: str) -> str:
    """The framework whose workload programs ``name`` runs."""
    framework = FRAMEWORKS.get(name)
    return (framework.runs_as or name) if framework else name


def version(module: ModuleType) -> str:
    """The module's ``__version__``, or '?' when it has none."""
    return str(getattr(module, "__version__", "?"))
