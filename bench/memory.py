"""Peak memory of training steps, read from the operating system: one probe process per case.

Memory is the process's resident set size (RSS): what NumPy, PyTorch's allocator and the
Python heap hold in RAM alike, so one number is fair across frameworks (tracemalloc would see
NumPy's arrays but not PyTorch's). The peak comes from the kernel's high-water mark
(``VmHWM``), which Linux lets a process reset (write 5 to ``/proc/self/clear_refs``), so the
peak of one step is measured alone. Without that (not Linux), ``ru_maxrss`` is used: the peak
since the process started, which can only overstate a step's peak.

``python -m bench.memory`` is the probe that ``simple_cnn_memory`` starts; not a public command.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
from typing import Any

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss() -> int:
    """This process's resident set size now, in bytes."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except OSError:  # not Linux: the peak is the best there is
        return peak_rss()


def reset_peak() -> bool:
    """Reset the kernel's peak RSS to the current RSS; False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss() -> int:
    """The peak resident set size in bytes: since the last ``reset_peak``, where it worked."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS reports bytes, Linux kB


def probe(framework: str, threads: int, batch_size: int, steps: int,
          measured_step: int) -> dict[str, Any]:
    """Train SimpleConvNet for ``steps`` steps in this (fresh) process; the memory it added.

    Returns, in bytes above the RSS before the first step (framework imported, model,
    optimizer and batch built): the peak during step 1, the peak during step
    ``measured_step``, and the RSS after every step.
    """
    from bench import nets
    from bench.frameworks import FRAMEWORKS
    from bench.nets import NETS, OptimizerSpec
    from bench.training import DATA_SEED, WEIGHT_SEED

    module = FRAMEWORKS[framework].load(threads)
    trainer = nets.build(framework, module, NETS["simple_cnn"], OptimizerSpec("sgd", 0.01),
                         WEIGHT_SEED)
    (x, t), = NETS["simple_cnn"].batches(batch_size, 1, DATA_SEED)
    x, t = trainer.convert(x, t)
    gc.collect()
    base = current_rss()
    resettable = True
    peaks: dict[int, int] = {}
    after: list[int] = []
    dtype = ""
    for step in range(1, steps + 1):
        if step in (1, measured_step):
            resettable = reset_peak() and resettable
        dtype = trainer.step(x, t)
        if step in (1, measured_step):
            peaks[step] = peak_rss() - base
        after.append(current_rss() - base)
    return {"first_step_peak": peaks[1], "measured_step_peak": peaks.get(measured_step),
            "rss_after_step": after, "baseline_rss": base, "dtype": dtype,
            "method": "VmHWM, reset before the step" if resettable
                      else "ru_maxrss (peak since start)"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--framework", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--measured-step", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    result = probe(args.framework, args.threads, args.batch, args.steps, args.measured_step)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
