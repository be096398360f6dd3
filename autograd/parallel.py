"""Large array work split over threads, along the first axis.

NumPy releases the GIL inside its loops (and BLAS calls), so chunks of one elementwise op,
copy or matrix product run on several cores at once: ``chunked`` splits the large ops of a
training step (im2col copies, activations, pooling, the matrix products of convolutions and
linear layers) into one chunk per thread.

Until ``set_num_threads`` is called, zerograd's own work runs on the calling thread and the
BLAS library is left as it is: importing zerograd changes nothing in NumPy. (Splitting work
while BLAS keeps its own threads measured slower than either alone: BLAS's idle threads spin.)
``set_num_threads(n)`` makes zerograd use exactly n threads, as ``torch.set_num_threads``
does: n of its own, and BLAS set to one
thread, since zerograd then splits its large matrix products itself. That is faster on small
batched products (one thread each, no hand-offs) and keeps BLAS's idle threads, which spin
for ~0.1 s after each product, from competing with the next elementwise op for the cores.
Products too small to hand to a thread (~60 µs) but large enough to share (an MLP's) get n
BLAS threads for the call, when zerograd's own threads have been idle for ``BLAS_SPIN_S``.
NOTE: BLAS is process-wide, so NumPy code outside zerograd then multiplies on one thread too.
"""
from __future__ import annotations

import ctypes
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np

from .errors import ArgumentError

# NOTE: handing chunks to threads and waiting for them costs ~60 µs on a 2-core VM (thread
# wake-ups); below ~500,000 elements (~0.5 ms of elementwise work) that eats the gain
MIN_ELEMENTS = 1 << 19

_threads = 1
_pool: ThreadPoolExecutor | None = None
_blas: list[Callable[[int], Any]] = []  # BLAS's set-thread-count, once set_num_threads ran
# NOTE: OpenBLAS's threads spin for ~0.1 s after each product, holding their cores: BLAS gets
# threads for a mid-sized product only if zerograd's own threads were idle for this long
BLAS_SPIN_S = 0.2
_split_at = -BLAS_SPIN_S  # time.monotonic() of the last job chunked split over threads
_worker = threading.local()  # .busy in the pool's threads


def set_num_threads(n: int) -> bool:
    """Use ``n`` threads (the calling one included) for large array ops, and one BLAS
    thread per call. Returns whether the BLAS library was found and set (OpenBLAS or MKL,
    as loaded by NumPy, on Linux); if not, BLAS keeps its own threads."""
    global _threads, _pool
    n = int(n)
    if n < 1:
        raise ArgumentError(f"set_num_threads: need at least 1 thread (got {n})")
    if n != _threads and _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None
    _threads = n
    _blas[:] = _blas_thread_setters()
    for setter in _blas:
        setter(1)
    return bool(_blas)


def get_num_threads() -> int:
    """The number of threads large array ops use."""
    return _threads


def _blas_thread_setters() -> list[Callable[[int], Any]]:
    """The set-thread-count functions of the BLAS libraries loaded in this process."""
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as f:
            paths = {line.split()[-1] for line in f if ".so" in line}
    except OSError:  # not Linux
        return []
    setters = []
    for path in sorted(paths):
        name = os.path.basename(path).lower()
        if "openblas" in name:
            symbols = [p + "openblas_set_num_threads" + s
                       for p in ("scipy_", "") for s in ("64_", "")]
        elif name.startswith("libmkl_rt"):
            symbols = ["MKL_Set_Num_Threads"]
        else:
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in symbols:
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.argtypes = [ctypes.c_int]
                setters.append(fn)
                break
    return setters


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul(a, b)`` for a 2-D or stacked ``a`` and a 2-D ``b`` (or the same stack),
    split over the rows (or the stack) of ``a``."""
    if _threads < 2 or type(a) is not np.ndarray or a.ndim < 2 or b.ndim < 2 or \
            (b.ndim > 2 and (b.ndim != a.ndim or b.shape[0] != a.shape[0])):
        return np.matmul(a, b)
    # NOTE: BLAS does ~50 multiply-adds in the time of one element of an elementwise op
    flops = a.size * b.shape[-1] // 64
    if flops < MIN_ELEMENTS:
        if flops < MIN_ELEMENTS // 16 or not _blas or \
                time.monotonic() - _split_at < BLAS_SPIN_S:
            return np.matmul(a, b)
        # too small to hand to our threads (an MLP's products): BLAS's threads, which answer
        # at once, while ours are idle
        for setter in _blas:
            setter(_threads)
        try:
            return np.matmul(a, b)
        finally:
            for setter in _blas:
                setter(1)
    out = np.empty(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1]),
                   np.result_type(a, b))
    if b.ndim > 2:
        chunked(lambda i: np.matmul(a[i], b[i], out=out[i]), a.shape[0], flops)
    else:
        chunked(lambda i: np.matmul(a[i], b, out=out[i]), a.shape[0], flops)
    return out


def chunked(work: Callable[[Any], None], rows: int, elements: int) -> None:
    """Call ``work(index)`` so that the indices together cover ``rows`` rows of the first axis
    once: ``work(...)`` alone when the job is small (``elements`` in all) or one thread is
    set, else ``work(slice(lo, hi))`` for one chunk per thread, run concurrently. ``work``
    must only write to its own rows."""
    global _pool, _split_at
    threads = min(_threads, rows)
    # NOTE: work split from inside a chunk runs there: a pool thread waiting on the pool could
    # wait for itself
    if threads < 2 or elements < MIN_ELEMENTS or getattr(_worker, "busy", False):
        work(...)
        return
    _split_at = time.monotonic()
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_threads - 1, thread_name_prefix="zerograd")
    bounds = [rows * k // threads for k in range(threads + 1)]
    futures = [_pool.submit(_in_worker, work, slice(lo, hi))
               for lo, hi in zip(bounds[1:-1], bounds[2:])]
    try:
        work(slice(bounds[0], bounds[1]))  # the first chunk on this thread
    finally:  # even if it failed: no thread may still be writing when the caller goes on
        for f in futures:
            f.exception()
    for f in futures:
        f.result()


def _in_worker(work: Callable[[Any], None], rows: slice) -> None:
    _worker.busy = True
    work(rows)


def _forget_pool() -> None:
    """In a forked child: the pool's threads were not copied, so start a new pool if needed."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def default_threads() -> int:
    """The thread count to ask for when none is given: ``OMP_NUM_THREADS`` where that is set,
    else the number of CPUs this process may run on."""
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1

