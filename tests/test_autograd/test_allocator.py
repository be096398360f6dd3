"""autograd.allocator: freed memory kept for reuse on glibc, and the switches around it."""
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
from autograd import allocator

glibc = pytest.mark.skipif(allocator._glibc() is None, reason="the C library is not glibc")
MIB = 2**20


FAULTS = """
import resource, sys, numpy as np, autograd
if sys.argv[1] == "keep":
    autograd.keep_freed_memory()
size = 64 * 2**20  # above glibc's largest dynamic mmap threshold (32 MiB): always mmap'd
np.ones(size // 8)  # once, so a kept heap has grown to this size already
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    np.ones(size // 8)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


def faults_per_array(malloc: str) -> float:
    """Minor page faults per allocate-touch-free of a 64 MiB array, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", FAULTS, malloc], capture_output=True,
                         text=True, check=True)
    return float(out.stdout)


@glibc
def test_kept_memory_is_reused_without_page_faults():
    kept, fresh = faults_per_array("keep"), faults_per_array("system")
    # 64 MiB is 16,384 pages, or 32 huge pages where transparent huge pages serve it all:
    # glibc's default maps them afresh every time, the kept heap has them mapped already
    assert kept < 5, kept
    assert fresh >= 30, fresh


@glibc
def test_switching_on_and_off():
    try:
        assert ag.keep_freed_memory(False) and not allocator.keeps_freed_memory()
        assert ag.keep_freed_memory(True) and allocator.keeps_freed_memory()
    finally:
        ag.keep_freed_memory(True)


@glibc
def test_release_hands_free_memory_back():
    ag.keep_freed_memory(True)
    np.ones(64 * MIB // 8)  # freed at once: now free memory at the top of the heap
    assert ag.release_freed_memory()


def test_importing_changes_nothing():
    code = ("import autograd.allocator as a, autograd, nn, optim; "
            "print(a.keeps_freed_memory())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@glibc
def test_the_command_and_the_trainer_switch_it_on(tmp_path):
    code = ("import autograd.allocator as a, nn.cli, sys; "
            "nn.cli.main(['train', '--epochs', '1', '--out', sys.argv[1]]); "
            "print(a.keeps_freed_memory())")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().endswith("True")
