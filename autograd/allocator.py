"""Keeping freed array memory for reuse, where the C library allows it (glibc on Linux).

A training step allocates the same large arrays every time (activations, im2col columns,
gradients), megabytes each. glibc's malloc serves a large request with a fresh ``mmap`` and
hands it back to the kernel on ``free``, so every step pays the kernel again to map and zero
each page on first touch: on a 2-core VM that is ~3,000 page faults, a third of a
SimpleConvNet step (see docs/benchmarks.rst). Caching allocators (PyTorch's on the GPU,
jemalloc, tcmalloc) keep freed blocks instead; ``keep_freed_memory`` asks glibc for the
same: large blocks come from the heap and freed memory stays there for the next step.

The price: the process's resident memory stays at its peak after a large computation ends
(the memory is reused by the next one, not returned). ``release_freed_memory()`` hands what
is free back to the operating system.

Importing zerograd changes nothing in the process: memory reuse is switched on by calling
``keep_freed_memory()``, as the ``zerograd`` command, ``nn.Trainer.fit`` and the benchmarks do.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys

# mallopt parameters, from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
# glibc's defaults, restored by keep_freed_memory(False)
_DEFAULT_TRIM_THRESHOLD = 128 * 1024
_DEFAULT_MMAP_MAX = 65536
# NOTE: the largest trim threshold mallopt takes is an int; "never trim" in practice.
_NEVER = 2**31 - 1

_libc = None
_kept = False


def _glibc():
    """The C library if it is glibc (has mallopt and malloc_trim), else None."""
    global _libc
    if _libc is None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            lib.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
            lib.malloc_trim.argtypes = [ctypes.c_size_t]
            _libc = lib
        except (OSError, AttributeError):  # musl and others: no mallopt
            _libc = False
    return _libc or None


def keep_freed_memory(enabled: bool = True) -> bool:
    """Serve large arrays from the heap and keep freed memory there for reuse (``True``), or
    go back to glibc's defaults (``False``). Returns whether the setting took effect: False
    where the C library is not glibc, and nothing changed."""
    global _kept
    libc = _glibc()
    if libc is None:
        return False
    mmap_max, trim = (0, _NEVER) if enabled else (_DEFAULT_MMAP_MAX, _DEFAULT_TRIM_THRESHOLD)
    ok = bool(libc.mallopt(_M_MMAP_MAX, mmap_max)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, trim))
    _kept = enabled and ok
    return ok


def keeps_freed_memory() -> bool:
    """Whether ``keep_freed_memory`` is in effect."""
    return _kept


def release_freed_memory() -> bool:
    """Return the free memory the heap holds to the operating system (glibc's
    ``malloc_trim(0)``); True if any was released."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
