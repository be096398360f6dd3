"""Peak memory added by a SimpleConvNet training step (SGD) at batch 100 and 500, and whether
memory stays flat over 1,000 steps (``--long``).

Every number comes from a fresh probe process (``bench.memory``): import the framework, build
the model, optimizer and batch, read the RSS, then train. "first step" is the peak RSS during
step 1 above that baseline, one-time costs included (lazy initialisation, allocator pools,
optimizer state); "step 7" is the peak during step 7, after 5 more steps, above the same
baseline: what training keeps needing. ``--long`` adds the RSS after step 10 and after step
1,000 of one run at batch 100: a graph or gradient that is never freed shows as growth.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.timing import summarize
from bench.workload import Case, Settings, Workload, threads

BATCH_SIZES = (100, 500)
MEASURED_STEP = 7
LONG_STEPS = 1000
LONG_AT = 10
# Peak RSS barely varies between runs; a few processes per case show that it does not.
MAX_PROCESSES = 3
MIB = 1 / 2**20
ROOT = Path(__file__).resolve().parents[2]


def _run_probe(framework: str, settings: Settings, batch: int, steps: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        out = Path(tmp) / "probe.json"
        command = [sys.executable, "-m", "bench.memory", "--framework", framework,
                   "--threads", str(settings.threads), "--batch", str(batch),
                   "--steps", str(steps), "--measured-step", str(MEASURED_STEP),
                   "--out", str(out)]
        # The worker's environment: the same thread variables and PYTHONPATH.
        proc = subprocess.run(command, cwd=ROOT, env=dict(os.environ), capture_output=True,
                              text=True)
        if proc.returncode != 0 or not out.exists():
            print(proc.stderr, file=sys.stderr)
            lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
            raise RuntimeError(f"simple_cnn_memory: the probe for {framework} at batch "
                               f"{batch} failed: {lines[-1]}")
        return json.loads(out.read_text(encoding="utf-8"))


def _result(values: list[int], probe: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**summarize([float(v) for v in values], MIB), "dtype": probe["dtype"],
            "method": probe["method"], **extra}


@dataclass(frozen=True)
class MemoryWorkload(Workload):
    """A workload whose samples are bytes measured by probe processes, not times.

    Args:
        frameworks: the frameworks ``bench.nets`` can build the network in.
    """

    frameworks: tuple[str, ...] = ()

    def runs_on(self, framework: str) -> bool:
        return framework in self.frameworks

    def describe(self, settings: dict[str, Any]) -> str:
        rounds = settings.get("rounds", 1)
        per_round = min(settings["repeats"] // rounds, MAX_PROCESSES)
        return (f"median over {per_round * rounds} probe processes per case"
                + (f" ({rounds} rounds)" if rounds > 1 else "")
                + f", {threads(settings['threads'])}")

    def measure(self, framework: str, module: ModuleType,
                settings: Settings) -> tuple[dict[str, Any], dict[str, Any] | None]:
        results: dict[str, Any] = {}
        processes = min(settings.repeats, MAX_PROCESSES)
        for batch in BATCH_SIZES:
            probes = [_run_probe(framework, settings, batch, MEASURED_STEP)
                      for _ in range(processes)]
            results[f"first_{batch}"] = _result([p["first_step_peak"] for p in probes],
                                                probes[-1])
            results[f"later_{batch}"] = _result([p["measured_step_peak"] for p in probes],
                                                probes[-1])
        if settings.long:
            probe = _run_probe(framework, settings, BATCH_SIZES[0], LONG_STEPS)
            after = probe["rss_after_step"]
            # Every 10th step is enough to see a trend, and keeps the JSON small.
            trace = [round(v * MIB, 2) for v in after[LONG_AT - 1::LONG_AT]]
            results[f"long_{LONG_AT}"] = _result([after[LONG_AT - 1]], probe)
            results[f"long_{LONG_STEPS}"] = _result([after[-1]], probe,
                                                    trace_every_10_steps_mib=trace)
        return results, None


WORKLOAD = MemoryWorkload(
    name="simple_cnn_memory",
    title="SimpleConvNet training step (SGD): peak RSS added, fresh process per case",
    unit="MiB",
    scale=MIB,
    cases=(
        *(c for batch in BATCH_SIZES for c in (
            Case(f"first_{batch}", f"first step, batch {batch}", compare=True),
            Case(f"later_{batch}", f"step {MEASURED_STEP}, batch {batch}", compare=True))),
        Case(f"long_{LONG_AT}", f"RSS added after step {LONG_AT}"),
        Case(f"long_{LONG_STEPS}", f"RSS added after step {LONG_STEPS:,}"),
    ),
    frameworks=("zerograd", "torch", "dezero"),
    result="gradient dtypes",
)
