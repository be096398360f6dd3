"""The benchmark command line: one worker process per framework, then one table per workload.

Usable as ``python -m bench`` or ``python bench/run.py`` from the repository root.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if not __package__:
    # Run as a script: import bench from the checkout, not from this folder's loose modules.
    sys.path[0] = str(ROOT)

from bench.frameworks import FRAMEWORKS, THREAD_ENV_VARS, Framework  # noqa: E402
from bench.machine import machine_info  # noqa: E402
from bench.report import summary_table, workload_table  # noqa: E402
from bench.timing import summarize  # noqa: E402
from bench.workload import Workload  # noqa: E402
from bench.workloads import WORKLOADS  # noqa: E402

# Below this many repeats a median is too noisy to compare frameworks by.
MIN_REPEATS = 50


def _csv(choices: dict[str, Any]) -> Any:
    """An argparse type for a comma-separated subset of ``choices``."""
    def parse(text: str) -> list[str]:
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown name(s) {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(choices)}")
        return names

    return parse


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 (got {value})")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m bench`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark zerograd against PyTorch (CPU) and DeZero. Each framework runs "
                    "in its own process, all with the same thread count; frameworks that are "
                    "not installed are reported as such and skipped.",
        epilog="Workloads: " + "; ".join(f"{w.name}: {w.title}" for w in WORKLOADS.values())
               + ". Example: python -m bench --threads 2 --repeats 100 --json results.json",
    )
    parser.add_argument("--workloads", type=_csv(WORKLOADS), default=list(WORKLOADS),
                        metavar="NAMES",
                        help=f"comma-separated workloads to run (default: all: "
                             f"{','.join(WORKLOADS)})")
    parser.add_argument("--frameworks", type=_csv(FRAMEWORKS), default=list(FRAMEWORKS),
                        metavar="NAMES",
                        help=f"comma-separated frameworks (default: all: {','.join(FRAMEWORKS)})")
    parser.add_argument("--threads", type=_positive, default=2,
                        help="threads for every framework: sets " + ", ".join(THREAD_ENV_VARS)
                             + " and torch.set_num_threads (default: 2)")
    parser.add_argument("--repeats", type=_positive, default=100,
                        help=f"timed repeats per case, after warm-up; the median is reported "
                             f"(default: 100; fewer than {MIN_REPEATS} only for a quick look). "
                             f"simple_cnn_memory starts min(repeats, 3) probe processes per "
                             f"case instead")
    parser.add_argument("--rounds", type=_positive, default=1,
                        help="run every framework's worker this many times, taking turns, and "
                             "pool the samples: slow drift in other load on the machine then "
                             "hits every framework alike (default: 1)")
    parser.add_argument("--warmup", type=_non_negative, default=5,
                        help="untimed repeats before timing (default: 5)")
    parser.add_argument("--long", action="store_true",
                        help="also run the long cases: simple_cnn_memory trains 1,000 steps "
                             "and reports memory after step 10 and after step 1,000")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="what the table shows: wall-clock time, or the measuring "
                             "thread's CPU time, which leaves out time other processes held "
                             "the core (the JSON has both; default: wall)")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write every sample and the machine info to PATH")
    parser.add_argument("--timeout", type=_positive, default=1800, metavar="SECONDS",
                        help="give up on a framework's worker after this long (default: 1800)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="where zerograd and PyTorch compute: cuda compares zerograd on "
                             "CuPy with PyTorch CUDA on the workloads that run there (the "
                             "training and inference ones; default: cpu)")
    parser.add_argument("--list", action="store_true",
                        help="list workloads and frameworks (installed or not) and exit")
    return parser


def _worker_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for var in THREAD_ENV_VARS:
        env[var] = str(threads)
    # Workers import bench and autograd from this checkout, whatever the current directory.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_framework(framework: Framework, workloads: list[Workload],
                  args: argparse.Namespace) -> dict[str, Any]:
    """Measure ``workloads`` on ``framework`` in a fresh process; what its worker reported."""
    if not framework.installed():
        return {"status": "not installed"}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench.worker", "--framework", framework.name,
                   "--workloads", ",".join(w.name for w in workloads),
                   "--repeats", str(args.repeats), "--warmup", str(args.warmup),
                   "--threads", str(args.threads), "--out", str(out)]
        if args.long:
            command.append("--long")
        if args.device != "cpu":
            command += ["--device", args.device]
        try:
            proc = subprocess.run(command, env=_worker_env(args.threads), cwd=ROOT,
                                  capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return {"status": "error", "error": f"timed out after {args.timeout} s"}
        if proc.returncode != 0 or not out.exists():
            lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
            print(proc.stderr, file=sys.stderr)
            return {"status": "error", "error": lines[-1]}
        report = json.loads(out.read_text(encoding="utf-8"))
    return {"status": "ok", **report}


def merge_rounds(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One framework's worker reports from several rounds as one, samples pooled."""
    first = reports[0]
    if first["status"] != "ok" or len(reports) == 1:
        return first
    failed = [r for r in reports if r["status"] != "ok"]
    if failed:
        return failed[0]
    merged = {**first, "results": {}}
    for workload, cases in first["results"].items():
        merged["results"][workload] = {}
        for key, result in cases.items():
            per_round = [r["results"][workload][key] for r in reports]
            pooled = {**result,  # what is not a statistic (dtype, method) from round 1
                      **summarize([v for r in per_round for v in r["samples"]], 1.0),
                      # Far-apart round medians say the machine's load changed during the run.
                      "round_medians": [r["median"] for r in per_round]}
            if "cpu" in result:
                pooled["cpu"] = summarize([v for r in per_round for v in r["cpu"]["samples"]],
                                          1.0)
            merged["results"][workload][key] = pooled
    return merged


def measure_all(frameworks: list[str], workloads: list[Workload],
                args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Each framework's worker, ``args.rounds`` times taking turns; reports by framework."""
    reports: dict[str, list[dict[str, Any]]] = {}
    for round_no in range(1, args.rounds + 1):
        for name in frameworks:
            todo = [w for w in workloads if w.runs_on(name) and args.device in w.devices]
            done = reports.setdefault(name, [])
            if not todo or any(r["status"] != "ok" for r in done):
                continue  # not installed or failed: once is enough
            started = time.perf_counter()
            report = run_framework(FRAMEWORKS[name], todo, args)
            report["load_average"] = _load_average()  # other work on the machine meanwhile
            done.append(report)
            status = report["status"] + (": " + report["error"] if "error" in report else "")
            print(f"[{round_no}/{args.rounds}] {name}: {status} "
                  f"({time.perf_counter() - started:.0f} s, load average "
                  f"{_load_text(report['load_average'])})", file=sys.stderr, flush=True)
    merged = {}
    for name, done in reports.items():
        if done:
            merged[name] = merge_rounds(done)
            merged[name]["load_averages"] = [r["load_average"] for r in done]
    return merged


# Asked in a child process, so the parent imports neither CuPy nor torch.
_GPU_PROBES = {
    "zerograd": "import autograd as ag; ag.devices.backend('cuda')",
    "torch": "import sys, torch; sys.exit(0 if torch.cuda.is_available() else "
             "'PyTorch finds no CUDA GPU (torch.cuda.is_available() is False)')",
}


def gpu_frameworks(frameworks: list[str], device: str) -> list[str]:
    """The ``frameworks`` that can compute on ``device``; says on stderr why each other one
    cannot (not written for it, CuPy missing, no GPU)."""
    usable = []
    for name in frameworks:
        probe = _GPU_PROBES.get(name)
        if probe is None:
            print(f"{FRAMEWORKS[name].label}: not measured on {device} (CPU only)",
                  file=sys.stderr)
            continue
        if not FRAMEWORKS[name].installed():
            print(f"{FRAMEWORKS[name].label}: not installed", file=sys.stderr)
            continue
        proc = subprocess.run([sys.executable, "-c", probe], env=_worker_env(1), cwd=ROOT,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            why = (proc.stderr.strip().splitlines() or ["exit status " + str(proc.returncode)])
            print(f"{FRAMEWORKS[name].label}: cannot use {device}: {why[-1]}", file=sys.stderr)
            continue
        usable.append(name)
    return usable


def _load_average() -> list[float] | None:
    return [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None


def _load_text(load: list[float] | None) -> str:
    return "unknown" if load is None else " / ".join(f"{v:.2f}" for v in load)


def _list() -> None:
    print("workloads:")
    for w in WORKLOADS.values():
        print(f"  {w.name:17} {w.title} "
              f"({', '.join(f for f in FRAMEWORKS if w.runs_on(f))})")
    print("frameworks:")
    for f in FRAMEWORKS.values():
        print(f"  {f.name:17} {f.label}: "
              f"{'installed' if f.installed() else 'not installed'}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; 0 unless an installed framework failed."""
    args = build_parser().parse_args(argv)
    if args.list:
        _list()
        return 0
    if args.repeats < MIN_REPEATS:
        print(f"note: {args.repeats} repeats (< {MIN_REPEATS}): medians will be noisy",
              file=sys.stderr)
    workloads = [WORKLOADS[name] for name in args.workloads]
    frameworks = [name for name in FRAMEWORKS if name in args.frameworks]  # table order
    if args.device != "cpu":
        workloads = [w for w in workloads if args.device in w.devices]
        frameworks = gpu_frameworks(frameworks, args.device)
        if not workloads or not frameworks:
            print(f"nothing to measure on {args.device}: "
                  + ("no GPU workload was asked for" if not workloads else
                     "neither zerograd (CuPy) nor PyTorch can use a GPU here"), file=sys.stderr)
            return 1
    load_before = _load_average()
    runs = measure_all(frameworks, workloads, args)

    settings = {"repeats": args.repeats * args.rounds, "warmup": args.warmup,
                "threads": args.threads, "rounds": args.rounds, "clock": args.clock,
                "long": args.long, "device": args.device}
    machine = machine_info(ROOT, args.threads)
    machine["load_average_before"] = load_before
    tables = [summary_table(workloads, runs, settings, machine)]
    tables += [workload_table(w, runs, settings) for w in workloads]
    print("\n\n".join(tables))
    if args.json is not None:
        document = {"settings": {**settings, "workloads": args.workloads,
                                 "command": " ".join([Path(sys.executable).name, "-m", "bench",
                                                      *(argv if argv is not None
                                                        else sys.argv[1:])])},
                    "machine": machine,
                    "frameworks": runs}
        args.json.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 1 if any(run["status"] == "error" for run in runs.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
