"""What the numbers were measured on: CPU, cores, Python, package versions and the checkout."""
from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

# Distribution names whose versions go into the JSON (read from metadata, nothing imported).
PACKAGES = ("numpy", "torch", "dezero", "zerograd", "matplotlib")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def openblas_core() -> str | None:
    """The kernels NumPy's OpenBLAS picked for this CPU, as OpenBLAS itself reports them when
    it loads (``OPENBLAS_VERBOSE=2``), in a separate process; None if it is not OpenBLAS.

    NOTE: ``OPENBLAS_CORETYPE`` in the environment overrides OpenBLAS's own choice (the
    benchmark machine sets Haswell, AVX2, on an AVX-512 CPU); see docs/speed.rst.
    """
    try:
        out = subprocess.run([sys.executable, "-c", "import numpy"], capture_output=True,
                             text=True, timeout=60,
                             env={**os.environ, "OPENBLAS_VERBOSE": "2"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in (out.stdout + out.stderr).splitlines():
        if line.startswith("Core:"):
            return line.split(":", 1)[1].strip()
    return None


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def checkout(root: Path) -> dict[str, Any]:
    """The commit measured, and whether the working tree had changes to it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"),
                "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def machine_info(root: Path, threads: int) -> dict[str, Any]:
    """Everything the JSON records about where and how it ran."""
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "threads": threads,
        "openblas_core": openblas_core(),
        "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
        # Other processes' load when the run ended: a busy machine explains noisy numbers.
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "packages": package_versions(),
        "checkout": checkout(root),
    }
