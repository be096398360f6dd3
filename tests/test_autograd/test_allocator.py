"""autograd.allocator: freed memory kept for reuse on glibc, and the switches around it."""
import os
import resource
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
from autograd import allocator

glibc = pytest.mark.skipif(allocator._glibc() is None, reason="the C library is not glibc")
MIB = 2**20


def faults_of_fresh_arrays(count: int = 10, size: int = 16 * MIB) -> float:
    """Minor page faults per allocate-touch-free of a ``size``-byte array."""
    np.ones(size // 8)  # once, so a kept heap has grown to this size already
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(count):
        np.ones(size // 8)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / count


@glibc
def test_kept_memory_is_reused_without_page_faults():
    assert ag.keep_freed_memory(True) and allocator.keeps_freed_memory()
    try:
        kept = faults_of_fresh_arrays()
        assert ag.keep_freed_memory(False) and not allocator.keeps_freed_memory()
        fresh = faults_of_fresh_arrays()
    finally:
        ag.keep_freed_memory(True)
    # 16 MiB is 4,096 pages (fewer where transparent huge pages serve part of it): glibc's
    # default maps them afresh every time, the kept heap has them mapped already
    assert kept < 50, kept
    assert fresh > 200, fresh


@glibc
def test_release_hands_free_memory_back():
    ag.keep_freed_memory(True)
    np.ones(64 * MIB // 8)  # freed at once: now free memory at the top of the heap
    assert ag.release_freed_memory()


@pytest.mark.parametrize("value, kept", [("system", False), ("keep", True), ("", True)])
def test_environment_chooses_at_import(value, kept):
    env = {**os.environ, "ZEROGRAD_MALLOC": value}
    code = "import autograd.allocator as a, autograd; print(a.keeps_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    expected = kept and allocator._glibc() is not None
    assert out.stdout.strip() == str(expected)


def test_unknown_environment_value_warns_and_keeps_default():
    env = {**os.environ, "ZEROGRAD_MALLOC": "jemalloc"}
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", "import autograd"],
                         env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "ZEROGRAD_MALLOC must be 'keep' or 'system'" in out.stderr
