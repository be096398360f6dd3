"""What a workload is: named cases, one program per framework, and how its samples are scaled.

A workload module builds a ``Workload`` and ``bench.workloads`` registers it; the worker calls
``measure`` for the framework it has loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

from bench.timing import Setup, summarize, time_repeats


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
        check: run once before timing; raises if the program computes the wrong thing.
    """

    setups: dict[str, Setup]
    check: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Workload:
    """A benchmark that every framework runs the same way.

    Args:
        name: the key used on the command line and in the JSON.
        title: one line for ``--list`` and the table heading.
        unit: the unit of the reported numbers, e.g. ``"us/op"``.
        scale: multiplies seconds per repeat into ``unit``.
        cases: the columns, in order.
        programs: framework name -> function building the ``Program`` from the loaded module.
        reference: the framework the ratios are taken to.
    """

    name: str
    title: str
    unit: str
    scale: float
    cases: tuple[Case, ...]
    programs: dict[str, Callable[[ModuleType], Program]] = field(default_factory=dict)
    reference: str = "torch"

    def measure(self, framework: str, module: ModuleType, repeats: int,
                warmup: int) -> dict[str, Any]:
        """Check and time every case the framework's program has; results by case key."""
        program = self.programs[framework](module)
        program.check()
        results: dict[str, Any] = {}
        for case in self.cases:
            setup = program.setups.get(case.key)
            if setup is None:
                continue
            wall, cpu, last = time_repeats(setup, repeats, warmup)
            results[case.key] = {**summarize(wall, self.scale), "dtype": last,
                                 "cpu": summarize(cpu, self.scale)}
        return results
