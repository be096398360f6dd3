"""The results as Markdown tables: readable in a terminal, and pasted as-is into the docs."""
from __future__ import annotations

from typing import Any

from bench.frameworks import FRAMEWORKS
from bench.workload import Workload

MISSING = "—"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return MISSING
    return f"{value / reference:.2f}×"


def _median(run: dict[str, Any], workload: str, case: str, clock: str) -> float | None:
    result = run.get("results", {}).get(workload, {}).get(case)
    if result is None:
        return None
    return result["median"] if clock == "wall" else result[clock]["median"]


def workload_table(workload: Workload, runs: dict[str, dict[str, Any]],
                   settings: dict[str, Any]) -> str:
    """One workload's table: a row per framework, a column per case (plus ratios), then notes.

    Args:
        workload: what was measured.
        runs: framework name -> what its worker reported (or why it did not run).
        settings: the ``repeats`` (in all), ``warmup``, ``threads`` and ``rounds`` used, and
            the ``clock`` to show: ``"wall"`` or ``"cpu"`` (this thread's CPU time).
    """
    ref_label = FRAMEWORKS[workload.reference].label
    clock = settings.get("clock", "wall")
    header = ["framework", "version"]
    for case in workload.cases:
        header.append(case.label)
        if case.compare:
            header.append(f"vs {ref_label}")
    lines = [
        f"{workload.name}: {workload.title}",
        f"{workload.unit}{' (CPU time)' if clock == 'cpu' else ''}, "
        f"median of {settings['repeats']} repeats"
        + (f" ({settings['rounds']} rounds)" if settings.get("rounds", 1) > 1 else "")
        + f" after {settings['warmup']} warm-up, {settings['threads']} threads",
        "",
        _row(header),
        _row(["---", "---"] + ["---:"] * (len(header) - 2)),
    ]
    reference = runs.get(workload.reference, {})
    notes: list[str] = []
    dtypes: dict[str, str] = {}
    for name, run in runs.items():
        if name not in workload.programs:
            continue
        framework = FRAMEWORKS[name]
        if run["status"] != "ok":
            lines.append(_row([framework.label, run["status"]]
                              + [""] * (len(header) - 2)))
            if "error" in run:
                notes.append(f"{framework.label} failed: {run['error']}")
            continue
        cells = [framework.label, run["version"]]
        for case in workload.cases:
            value = _median(run, workload.name, case.key, clock)
            cells.append(MISSING if value is None else f"{value:.2f}")
            if case.compare:
                cells.append(_ratio(value, _median(reference, workload.name, case.key, clock)))
        lines.append(_row(cells))
        if framework.note:
            notes.append(framework.note)
        results = run["results"][workload.name].values()
        dtypes[framework.label] = ", ".join(sorted({str(r["dtype"]).replace("torch.", "")
                                                    for r in results}))
    if reference.get("status") != "ok":
        notes.append(f"No ratios: {ref_label} was not measured "
                     f"({reference.get('status', 'not selected')}).")
    if len(set(dtypes.values())) > 1:
        notes.append("Result dtypes differ: "
                     + "; ".join(f"{label} {dtype}" for label, dtype in dtypes.items()) + ".")
    elif dtypes:
        notes.append(f"Every result is {next(iter(dtypes.values()))}.")
    if notes:
        lines.append("")
        lines.extend(f"- {note}" for note in notes)
    return "\n".join(lines)
