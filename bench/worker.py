"""One worker process: load one framework, measure the workloads asked for, write JSON.

``bench.run`` starts one worker per framework, so no framework's import-time side effects
(DeZero's NumPy aliases, torch's thread pools) touch another's numbers. Not a public command:
``python -m bench`` is.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("--framework", required=True)
    parser.add_argument("--workloads", required=True, help="comma-separated workload names")
    parser.add_argument("--repeats", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--long", action="store_true", help="also run the long cases")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--out", required=True, help="where to write the JSON result")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure one framework; the JSON goes to ``--out`` so nothing a library prints can
    corrupt it."""
    args = _parse(argv)
    # NOTE: these only take effect before NumPy loads; bench.run also sets them in our
    # environment, this is for a worker started by hand.
    from bench.frameworks import THREAD_ENV_VARS

    for var in THREAD_ENV_VARS:
        os.environ[var] = str(args.threads)

    from bench.frameworks import FRAMEWORKS, thread_settings, version
    from bench.workload import Settings
    from bench.workloads import WORKLOADS

    framework = FRAMEWORKS[args.framework]
    module = framework.load(args.threads)
    report: dict[str, Any] = {
        "framework": framework.name,
        "version": version(module),
        "module_file": getattr(module, "__file__", None),
        "python": sys.version.split()[0],
        "threads": thread_settings(module),
        "results": {},
        "checks": {},
    }
    settings = Settings(repeats=args.repeats, warmup=args.warmup, threads=args.threads,
                        long=args.long, device=args.device)
    for name in args.workloads.split(","):
        results, checked = WORKLOADS[name].measure(framework.name, module, settings)
        report["results"][name] = results
        if checked is not None:
            report["checks"][name] = checked
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
