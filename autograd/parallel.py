"""Large array work split over threads, along the first axis.

NumPy releases the GIL inside its loops (and BLAS calls), so chunks of one elementwise op,
copy or matrix product run on several cores at once: ``chunked`` splits the large ops of a
training step (im2col copies, activations, pooling, the matrix products of convolutions and
linear layers) into one chunk per thread.

zerograd uses ``default_threads()`` threads (``OMP_NUM_THREADS``, else every CPU the process
may run on) unless ``set_num_threads`` says otherwise. Importing it changes nothing in NumPy:
while zerograd works (``with one_blas_thread``: work split over its threads, a module's call,
backward), the BLAS library is lowered to one thread and put back after, so each chunk's
products run on its own core instead of BLAS's threads fighting ours for them (BLAS's idle
threads spin for ~0.1 s after each product). Products too small to hand to a thread (~60 µs)
but large enough to share (an MLP's) run on BLAS's threads, as long as zerograd's own threads
have been idle for ``BLAS_SPIN_S``, else on one.

``set_num_threads(n)`` makes zerograd use exactly n threads, as ``torch.set_num_threads``
does, and sets BLAS to one thread for good (raised for the mid-sized products above): then
the products that ops make with NumPy directly, outside ``chunked`` (a recurrent layer's
steps), run on one thread too instead of BLAS's spinning ones.
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


def default_threads() -> int:
    """The thread count to use when none is given: ``OMP_NUM_THREADS`` where that is set,
    else the number of CPUs this process may run on."""
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_threads = default_threads()
_pinned = False  # set_num_threads ran: BLAS at one thread for the whole process
_pool: ThreadPoolExecutor | None = None
# (set, get) thread-count functions of the BLAS libraries loaded, looked up on first need
_blas: list[tuple[Callable[[int], Any], Callable[[], int]]] | None = None
_lowered = 0  # how many calls have BLAS lowered to one thread now (default mode)
_restore: list[int] = []  # BLAS's thread counts before it was lowered
_lowering = threading.Lock()
# NOTE: OpenBLAS's threads spin for ~0.1 s after each product, holding their cores: BLAS gets
# threads for a mid-sized product only if zerograd's own threads were idle for this long
BLAS_SPIN_S = 0.2
_split_at = -BLAS_SPIN_S  # time.monotonic() of the last job chunked split over threads
_worker = threading.local()  # .busy in the pool's threads


def set_num_threads(n: int) -> bool:
    """Use ``n`` threads (the calling one included) for large array ops, and set the BLAS
    library to one thread for the whole process (zerograd splits its products itself).
    Returns whether the BLAS library was found and set (OpenBLAS or MKL, as loaded by NumPy,
    on Linux); if not, BLAS keeps its own threads."""
    global _threads, _pool, _pinned
    n = int(n)
    if n < 1:
        raise ArgumentError(f"set_num_threads: need at least 1 thread (got {n})")
    if n != _threads and _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None
    _threads = n
    _pinned = True
    for set_threads, _ in _blas_libraries():
        set_threads(1)
    return bool(_blas)


def get_num_threads() -> int:
    """The number of threads large array ops use."""
    return _threads


def _blas_libraries() -> list[tuple[Callable[[int], Any], Callable[[], int]]]:
    """(set, get) thread-count functions of the BLAS libraries loaded in this process (found
    once: NumPy loads its BLAS on import)."""
    global _blas
    if _blas is None:
        _blas = _find_blas()
    return _blas


def _find_blas() -> list[tuple[Callable[[int], Any], Callable[[], int]]]:
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as f:
            paths = {line.split()[-1] for line in f if ".so" in line}
    except OSError:  # not Linux
        return []
    found = []
    for path in sorted(paths):
        name = os.path.basename(path).lower()
        if "openblas" in name:
            pairs = [(p + "openblas_set_num_threads" + s, p + "openblas_get_num_threads" + s)
                     for p in ("scipy_", "") for s in ("64_", "")]
        elif name.startswith("libmkl_rt"):
            pairs = [("MKL_Set_Num_Threads", "MKL_Get_Max_Threads")]
        else:
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in pairs:
            set_threads, get_threads = getattr(lib, set_name, None), getattr(lib, get_name, None)
            if set_threads is not None and get_threads is not None:
                set_threads.argtypes, get_threads.restype = [ctypes.c_int], ctypes.c_int
                found.append((set_threads, get_threads))
                break
    return found


def _lower_blas() -> None:
    """BLAS to one thread until the matching ``_restore_blas``, unless set_num_threads has
    set it for good. Nested and concurrent calls restore once, when the last one ends."""
    global _lowered, _restore
    if _pinned:
        return
    with _lowering:
        if _lowered == 0:
            _restore = [get_threads() for _, get_threads in _blas_libraries()]
            for set_threads, _ in _blas_libraries():
                set_threads(1)
        _lowered += 1


def _restore_blas() -> None:
    global _lowered
    if _pinned:
        return
    with _lowering:
        _lowered -= 1
        if _lowered == 0:
            for (set_threads, _), n in zip(_blas_libraries(), _restore):
                set_threads(n)


class OneBlasThread:
    """``with one_blas_thread:`` BLAS at one thread inside, as it was after (reentrant, for
    any number of threads at once). ``Module.__call__`` and backward run inside it, so the
    products that ops make with NumPy directly (a recurrent layer's steps, a small linear
    layer) do not wake BLAS's threads, which would then spin on the cores zerograd's own
    threads are about to use."""

    def __enter__(self) -> None:
        _lower_blas()

    def __exit__(self, *exc: Any) -> None:
        _restore_blas()


one_blas_thread = OneBlasThread()


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul(a, b)`` for a 2-D or stacked ``a`` and a 2-D ``b`` (or the same stack),
    split over the rows (or the stack) of ``a``."""
    if _threads < 2 or type(a) is not np.ndarray or a.ndim < 2 or b.ndim < 2 or \
            (b.ndim > 2 and (b.ndim != a.ndim or b.shape[0] != a.shape[0])):
        return np.matmul(a, b)
    # NOTE: BLAS does ~50 multiply-adds in the time of one element of an elementwise op
    flops = a.size * b.shape[-1] // 64
    if flops < MIN_ELEMENTS:
        if flops < MIN_ELEMENTS // 16:
            return np.matmul(a, b)
        # too small to hand to our threads (an MLP's products): BLAS's threads, which answer
        # at once, while ours are idle; one thread while BLAS's would compete with ours
        if time.monotonic() - _split_at < BLAS_SPIN_S:
            with one_blas_thread:
                return np.matmul(a, b)
        if not (_pinned or _lowered):
            return np.matmul(a, b)  # BLAS has its own threads
        for set_threads, _ in _blas_libraries():
            set_threads(_threads)
        try:
            return np.matmul(a, b)
        finally:
            for set_threads, _ in _blas_libraries():
                set_threads(1)
    out = np.empty(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1]),
                   np.result_type(a, b))
    if b.ndim > 2:
        chunked(lambda i: np.matmul(a[i], b[i], out=out[i]), a, flops)
    else:
        chunked(lambda i: np.matmul(a[i], b, out=out[i]), a, flops)
    return out


def chunked(work: Callable[[Any], None], rows: Any, elements: int) -> None:
    """Call ``work(index)`` so that the indices together cover the rows of the first axis
    once: ``work(...)`` alone when the job is small (``elements`` in all) or one thread is
    set, else ``work(slice(lo, hi))`` for one chunk per thread, run concurrently, with BLAS
    at one thread meanwhile. ``work`` must only write to its own rows.

    ``rows`` is the array whose first axis is split (a 0-d array is one row), or a count.
    Work on another device's arrays runs whole: its array module already spreads each op
    over the device, and CuPy's current device is per thread.
    """
    global _pool, _split_at
    if not isinstance(rows, (int, np.integer)):
        if type(rows) is not np.ndarray:
            work(...)
            return
        rows = len(rows) if rows.ndim else 1
    threads = min(_threads, int(rows))
    # NOTE: work split from inside a chunk runs there: a pool thread waiting on the pool could
    # wait for itself
    if threads < 2 or elements < MIN_ELEMENTS or getattr(_worker, "busy", False):
        work(...)
        return
    _split_at = time.monotonic()
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_threads - 1, thread_name_prefix="zerograd")
    bounds = [rows * k // threads for k in range(threads + 1)]
    _lower_blas()
    try:
        futures = [_pool.submit(_in_worker, work, slice(lo, hi))
                   for lo, hi in zip(bounds[1:-1], bounds[2:])]
        try:
            work(slice(bounds[0], bounds[1]))  # the first chunk on this thread
        finally:  # even if it failed: no thread may still be writing when the caller goes on
            for f in futures:
                f.exception()
    finally:
        _restore_blas()
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
