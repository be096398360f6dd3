"""The results as Markdown tables: readable in a terminal, and pasted as-is into the docs.

``summary_table`` is one row per measured quantity with a column per framework;
``workload_table`` one table per workload, a row per framework, with its notes.
"""
from __future__ import annotations

from typing import Any

from bench.frameworks import Framework, on_device
from bench.workload import Case, Workload

MISSING = "—"
# The loss after one optimizer step has no NumPy reference; frameworks are compared with this
# one (float32 rounding in backward and the step moves it by ~1e-5 relative).
CHECK_REFERENCE = "zerograd"
AFTER_STEP_RTOL = 1e-3


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def number(value: float | None) -> str:
    """Three significant figures or so: 0.97, 18.1, 412."""
    if value is None:
        return MISSING
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def _ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return MISSING
    return f"{value / reference:.2f}×"


def _median(run: dict[str, Any], workload: str, case: str, clock: str) -> float | None:
    result = run.get("results", {}).get(workload, {}).get(case)
    if result is None:
        return None
    if clock != "wall" and clock in result:  # memory has no CPU time: show what there is
        return result[clock]["median"]
    return result["median"]


def _measured_cases(workload: Workload, runs: dict[str, dict[str, Any]]) -> list[Case]:
    """The cases some framework has a result for (the long ones only after --long)."""
    return [c for c in workload.cases
            if any(c.key in r.get("results", {}).get(workload.name, {}) for r in runs.values())]


def summary_table(workloads: list[Workload], runs: dict[str, dict[str, Any]],
                  settings: dict[str, Any], machine: dict[str, Any] | None = None) -> str:
    """Every measured quantity in one table: a row per workload and case, a column per
    framework with its median, and after each framework its ratio to the reference.

    Args:
        workloads: what was measured, in row order.
        runs: framework name -> what its worker reported (or why it did not run).
        settings: as for ``workload_table``.
        machine: ``bench.machine.machine_info``, for a line saying where it ran.
    """
    clock = settings.get("clock", "wall")
    frameworks = on_device(settings.get("device", "cpu"))
    reference = workloads[0].reference if workloads else "torch"
    ref_label = frameworks[reference].label
    ok = {name: run for name, run in runs.items() if run.get("status") == "ok"}
    with_ratio = [n for n in ok if n != reference and n != "numpy" and reference in ok]
    header = ["workload", "case", "unit"]
    for name in ok:
        header.append(frameworks[name].label)
        if name in with_ratio:
            header.append(f"× {ref_label}")
    how = {w.describe(settings) for w in workloads}
    lines = ["Summary: " + "; ".join(sorted(how, key=lambda d: not d.startswith("median of")))
             + ("; CPU time" if clock == "cpu" else ""),
             "", _row(header), _row(["---"] * 3 + ["---:"] * (len(header) - 3))]
    for workload in workloads:
        for case in _measured_cases(workload, ok):
            ref_value = _median(ok.get(reference, {}), workload.name, case.key, clock)
            cells = [workload.name, case.label, workload.unit]
            for name, run in ok.items():
                value = _median(run, workload.name, case.key, clock)
                cells.append(number(value))
                if name in with_ratio:
                    cells.append(_ratio(value, ref_value))
            lines.append(_row(cells))
    failed = [f"{frameworks[n].label}: {r['status']}" for n, r in runs.items() if n not in ok]
    if failed:
        lines += ["", "Not measured: " + "; ".join(failed) + "."]
    if machine:
        lines += ["", _machine_line(machine)]
    return "\n".join(lines)


def _machine_line(machine: dict[str, Any]) -> str:
    def load(values: list[float] | None) -> str:
        return "?" if not values else " / ".join(f"{v:.2f}" for v in values)

    core = machine.get("openblas_core")
    blas = "" if core is None else (
        f", NumPy's OpenBLAS using {core} kernels"
        + (f" (OPENBLAS_CORETYPE={machine['openblas_coretype_env']})"
           if machine.get("openblas_coretype_env") else ""))
    return (f"Machine: {machine['cpu_model']}, {machine['usable_cores']} usable cores{blas}, "
            f"Python {machine['python']}; load average (1 / 5 / 15 min) "
            f"{load(machine.get('load_average_before'))} before, "
            f"{load(machine.get('load_average'))} after.")


def _check_notes(workload: Workload, runs: dict[str, dict[str, Any]],
                 frameworks: dict[str, Framework]) -> list[str]:
    checks = {name: run["checks"][workload.name] for name, run in runs.items()
              if run.get("status") == "ok" and workload.name in run.get("checks", {})}
    if not checks:
        return []
    worst = max(c["rel_error"] for c in checks.values())
    notes = [f"Loss check before timing (same weights and batch, dropout off): every "
             f"framework's loss is within {worst:.1e} (relative) of a NumPy float64 forward "
             f"pass ({next(iter(checks.values()))['reference_loss']:.6f})."]
    base = checks.get(CHECK_REFERENCE)
    if base is not None and len(checks) > 1:
        diffs = {name: abs(c["loss_after_step"] - base["loss_after_step"])
                 / abs(base["loss_after_step"])
                 for name, c in checks.items() if name != CHECK_REFERENCE}
        far = {n: d for n, d in diffs.items() if d > AFTER_STEP_RTOL}
        text = "; ".join(f"{frameworks[n].label} {d:.1e}" for n, d in diffs.items())
        notes.append(f"After one optimizer step the loss differs from "
                     f"{frameworks[CHECK_REFERENCE].label}'s by: {text} (relative)"
                     + (f": more than {AFTER_STEP_RTOL:g}, so backward or the optimizer "
                        "differs — do not compare these rows." if far else "."))
    return notes


def workload_table(workload: Workload, runs: dict[str, dict[str, Any]],
                   settings: dict[str, Any]) -> str:
    """One workload's table: a row per framework, a column per case (plus ratios), then notes.

    Args:
        workload: what was measured.
        runs: framework name -> what its worker reported (or why it did not run).
        settings: the ``repeats`` (in all), ``warmup``, ``threads`` and ``rounds`` used, and
            the ``clock`` to show: ``"wall"`` or ``"cpu"`` (this thread's CPU time).
    """
    frameworks = on_device(settings.get("device", "cpu"))
    ref_label = frameworks[workload.reference].label
    clock = settings.get("clock", "wall")
    cases = _measured_cases(workload, runs)
    header = ["framework", "version"]
    for case in cases:
        header.append(case.label)
        if case.compare:
            header.append(f"vs {ref_label}")
    lines = [
        f"{workload.name}: {workload.title}",
        f"{workload.unit}{' (CPU time)' if clock == 'cpu' else ''}, "
        f"{workload.describe(settings)}",
        "",
        _row(header),
        _row(["---", "---"] + ["---:"] * (len(header) - 2)),
    ]
    reference = runs.get(workload.reference, {})
    notes: list[str] = []
    dtypes: dict[str, str] = {}
    for name, run in runs.items():
        if not workload.runs_on(name):
            continue
        framework = frameworks[name]
        if run["status"] != "ok":
            lines.append(_row([framework.label, run["status"]]
                              + [""] * (len(header) - 2)))
            if "error" in run:
                notes.append(f"{framework.label} failed: {run['error']}")
            continue
        cells = [framework.label, run["version"]]
        for case in cases:
            value = _median(run, workload.name, case.key, clock)
            cells.append(number(value))
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
    notes.extend(_check_notes(workload, runs, frameworks))
    if len(set(dtypes.values())) > 1:
        notes.append(f"{workload.result.capitalize()} differ: "
                     + "; ".join(f"{label} {dtype}" for label, dtype in dtypes.items()) + ".")
    elif dtypes:
        notes.append(f"{workload.result.capitalize()}: {next(iter(dtypes.values()))} "
                     "for every framework.")
    if notes:
        lines.append("")
        lines.extend(f"- {note}" for note in notes)
    return "\n".join(lines)
