"""What a workload is: named cases, one program per framework, and how its samples are scaled.

A workload module builds a ``Workload`` and ``bench.workloads`` registers it; the worker calls
``measure`` for the framework it has loaded. A workload that measures something other than
time (``simple_cnn_memory``) overrides ``measure``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

from bench.frameworks import runs_as
from bench.timing import Setup, summarize, time_repeats


@dataclass(frozen=True)
class Settings:
    """What the command line asked every workload for.

    Args:
        repeats: timed repeats per case, after warm-up.
        warmup: untimed repeats before timing.
        threads: the thread count every framework was given.
        long: also run the long cases (``simple_cnn_memory``: memory over 1,000 steps).
        device: "cpu", or "cuda" for the workloads that run there (``Workload.devices``).
    """

    repeats: int
    warmup: int
    threads: int
    long: bool = False
    device: str = "cpu"


@dataclass(frozen=True)
class Case:
    """One measured quantity of a workload, a column of its table.

    Args:
        key: the name in the JSON.
        label: the column heading.
        compare: also show the ratio to the reference framework.
    """

    key: str
    label: str
    compare: bool = False


@dataclass(frozen=True)
class Program:
    """A workload written for one framework.

    Args:
        setups: case key -> setup; a framework may leave out cases (NumPy has no backward).
        check: run once before timing; raises if the program computes the wrong thing, and
            may return what it checked (e.g. the loss), which goes into the JSON.
    """

    setups: dict[str, Setup]
    check: Callable[[], dict[str, Any] | None] = lambda: None


@dataclass(frozen=True)
class Workload:
    """A benchmark that every framework runs the same way.

    Args:
        name: the key used on the command line and in the JSON.
        title: one line for ``--list`` and the table heading.
        unit: the unit of the reported numbers, e.g. ``"µs/op"``.
        scale: multiplies seconds per repeat into ``unit``.
        cases: the columns, in order.
        programs: framework name -> function building the ``Program`` from the loaded module.
        reference: the framework the ratios are taken to.
        result: what the dtype each case reports is of, for the table's notes.
        devices: where it can run; a program of a workload that runs off the CPU takes the
            device as a keyword (``make(module, device="cuda")``).
    """

    name: str
    title: str
    unit: str
    scale: float
    cases: tuple[Case, ...]
    programs: dict[str, Callable[[ModuleType], Program]] = field(default_factory=dict)
    reference: str = "torch"
    result: str = "result dtypes"
    devices: tuple[str, ...] = ("cpu",)

    def runs_on(self, framework: str) -> bool:
        """Whether this workload is written for ``framework`` (or the one it runs as)."""
        return runs_as(framework) in self.programs

    def describe(self, settings: dict[str, Any]) -> str:
        """How its numbers were taken, for the table: ``settings`` as ``bench.run`` made them
        (``repeats`` in all, ``rounds``, ``warmup``, ``threads``)."""
        rounds = settings.get("rounds", 1)
        return (f"median of {settings['repeats']} repeats"
                + (f" ({rounds} rounds)" if rounds > 1 else "")
                + f" after {settings['warmup']} warm-up, {threads(settings['threads'])}"
                + ("" if settings.get("device", "cpu") == "cpu" else
                   f", on {settings['device']} (zerograd on CuPy, PyTorch CUDA)"))

    def measure(self, framework: str, module: ModuleType,
                settings: Settings) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Check, then time every case the framework's program has.

        Returns the results by case key, and what the check reported (None if nothing).
        """
        make = self.programs[runs_as(framework)]
        program = make(module) if settings.device == "cpu" else \
            make(module, device=settings.device)
        checked = program.check()
        results: dict[str, Any] = {}
        for case in self.cases:
            setup = program.setups.get(case.key)
            if setup is None:
                continue
            wall, cpu, last = time_repeats(setup, settings.repeats, settings.warmup)
            results[case.key] = {**summarize(wall, self.scale), "dtype": last,
                                 "cpu": summarize(cpu, self.scale)}
        return results, checked


def threads(count: int) -> str:
    """'1 thread', '2 threads'."""
    return f"{count} thread" + ("" if count == 1 else "s")
