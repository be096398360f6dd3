"""autograd.parallel: chunks cover every row once, and the ops that split their work give the
same values and gradients on several threads as on one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import autograd as ag
from autograd import parallel
from nn import functional as F

RNG = np.random.default_rng(5)


@pytest.fixture
def threads(monkeypatch):
    """Split everything, however small, over 3 threads; back to the old count afterwards."""
    before = parallel.get_num_threads()
    monkeypatch.setattr(parallel, "MIN_ELEMENTS", 0)
    parallel.set_num_threads(3)
    yield
    parallel.set_num_threads(before)


@pytest.mark.parametrize("rows", [0, 1, 2, 3, 7, 100])
def test_chunks_cover_every_row_once(threads, rows):
    seen = np.zeros(rows, int)
    names = set()

    def work(i):
        seen[i] += 1
        names.add(threading.current_thread().name)

    parallel.chunked(work, rows, elements=10**9)
    assert (seen == 1).all()
    # the first chunk runs here, the others on the pool (whose threads may take several)
    assert "MainThread" in names
    assert any(n.startswith("zerograd") for n in names) == (rows > 1)


def test_small_jobs_stay_on_this_thread():
    calls = []
    parallel.chunked(calls.append, 100, elements=parallel.MIN_ELEMENTS - 1)
    assert calls == [...]


def test_arrays_split_by_their_rows_and_device_arrays_run_whole(threads, monkeypatch):
    import importlib

    from ..fakedevice import fake_device
    im2col = importlib.import_module("nn.functional.im2col")  # the module, not the function

    seen = np.zeros(7, int)
    parallel.chunked(lambda i: seen.__setitem__(i, seen[i] + 1), np.empty((7, 2)), 10**9)
    assert (seen == 1).all()
    calls = []
    parallel.chunked(calls.append, np.float64(1.0).reshape(()), 10**9)  # 0-d: one row
    assert calls in ([...], [slice(0, 1)])
    with fake_device():  # a GPU's module spreads each op itself; CuPy's device is per thread
        x = ag.Variable(np.ones((6, 1, 5, 5))).to("fake").data
        calls.clear()
        parallel.chunked(calls.append, x, 10**9)
        assert calls == [...]
        monkeypatch.setattr(im2col, "BLOCK_BYTES", 1)  # one sample per block on the CPU
        blocks = [b for b, _ in im2col.column_blocks(x, ..., (3, 3), (1, 1), (0, 0), (1, 1))]
        assert blocks == [slice(0, 6)]  # on a device, one block


def test_thread_count_is_checked():
    with pytest.raises(ValueError, match="set_num_threads: need at least 1 thread"):
        ag.set_num_threads(0)


def _run(fn, arrays):
    """Output and the gradient of every input for sum(out * cotangent)."""
    xs = [ag.Variable(a) for a in arrays]
    out = fn(*xs)
    (out * np.linspace(-1, 1, out.size).reshape(out.shape)).sum().backward()
    return [out.data] + [x.grad.data for x in xs]


CASES = {
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, padding=1),
               [(7, 3, 6, 5), (4, 3, 3, 3), (4,)]),
    "conv2d_stride2": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
                       [(7, 3, 6, 5), (4, 3, 3, 3), (4,)]),
    "im2col": (lambda x: F.im2col(x, 3, padding=(1, 2)), [(5, 2, 4, 4)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), [(7, 3, 6, 5)]),
    "relu": (F.relu, [(7, 3, 4)]),
    "linear": (F.linear, [(7, 5), (4, 5), (4,)]),
    "matmul_2d": (ag.matmul, [(7, 5), (5, 3)]),
    "matmul_batched": (ag.matmul, [(7, 2, 5), (7, 5, 3)]),
    "matmul_broadcast": (ag.matmul, [(7, 1, 2, 5), (7, 3, 5, 3)]),
}


@pytest.mark.parametrize("name", CASES)
def test_split_ops_match_one_thread(name, monkeypatch):
    fn, shapes = CASES[name]
    arrays = [RNG.standard_normal(s) for s in shapes]
    before = parallel.get_num_threads()
    try:
        parallel.set_num_threads(1)
        single = _run(fn, arrays)
        monkeypatch.setattr(parallel, "MIN_ELEMENTS", 0)
        parallel.set_num_threads(3)
        split = _run(fn, arrays)
    finally:
        parallel.set_num_threads(before)
    for a, b in zip(split, single):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


class FakeBlas:
    """A BLAS library's thread count, as (set, get) functions that log every set."""

    def __init__(self, threads: int) -> None:
        self.threads, self.calls = threads, []

    def set(self, n: int) -> None:
        self.threads = n
        self.calls.append(n)

    def get(self) -> int:
        return self.threads


@pytest.mark.parametrize("pinned", [True, False])
def test_mid_sized_products_get_blas_threads_only_while_ours_are_idle(monkeypatch, pinned):
    # pinned: set_num_threads set BLAS to one thread; else BLAS keeps its own two
    blas = FakeBlas(1 if pinned else 2)
    monkeypatch.setattr(parallel, "_blas", [(blas.set, blas.get)])
    monkeypatch.setattr(parallel, "_pinned", pinned)
    monkeypatch.setattr(parallel, "_threads", 2)
    a, b = np.ones((100, 784), np.float32), np.ones((784, 100), np.float32)  # 7.8M mul-adds
    monkeypatch.setattr(parallel, "_split_at", -1e9)  # our threads idle for ages
    np.testing.assert_array_equal(parallel.matmul(a, b), a @ b)
    # BLAS threads for the product (already there if not pinned), as before after it
    assert blas.calls == ([2, 1] if pinned else [])
    blas.calls.clear()
    parallel.chunked(lambda i: None, 10, elements=parallel.MIN_ELEMENTS)  # ours just ran
    assert blas.calls == ([] if pinned else [1, 2])  # one BLAS thread while ours work
    blas.calls.clear()
    np.testing.assert_array_equal(parallel.matmul(a, b), a @ b)
    # BLAS's spinning threads would now compete with ours: one thread
    assert blas.calls == ([] if pinned else [1, 2])
    blas.calls.clear()
    small = np.ones((10, 10), np.float32)
    monkeypatch.setattr(parallel, "_split_at", -1e9)
    parallel.matmul(small, small)
    assert blas.calls == []  # too small to be worth any threads
    assert blas.threads == (1 if pinned else 2)


def test_blas_is_lowered_once_for_nested_and_concurrent_splits(monkeypatch):
    blas = FakeBlas(4)
    monkeypatch.setattr(parallel, "_blas", [(blas.set, blas.get)])
    monkeypatch.setattr(parallel, "_pinned", False)
    monkeypatch.setattr(parallel, "_threads", 3)
    monkeypatch.setattr(parallel, "_pool", None)
    seen = []
    parallel.chunked(lambda i: seen.append(blas.get()), 6, elements=10**9)
    assert seen == [1, 1, 1] and blas.calls == [1, 4]
    blas.calls.clear()

    def outer(i):
        parallel._lower_blas()  # as a split inside another split does
        try:
            seen.append(blas.get())
        finally:
            parallel._restore_blas()

    parallel.chunked(outer, 6, elements=10**9)
    assert blas.calls == [1, 4] and blas.threads == 4


def test_module_calls_and_backward_run_with_one_blas_thread_and_put_it_back(monkeypatch):
    import nn
    blas = FakeBlas(4)
    monkeypatch.setattr(parallel, "_blas", [(blas.set, blas.get)])
    monkeypatch.setattr(parallel, "_pinned", False)
    seen = {}

    class Probe(ag.Function):
        def forward(self, x):
            seen["forward"] = blas.get()
            return x * 2

        def backward(self, grad):
            seen["backward"] = blas.get()
            return grad * 2

    class Net(nn.Module):
        def forward(self, x):
            seen["module"] = blas.get()
            return Probe()(x)

    x = ag.Variable(np.ones(3), requires_grad=True)
    y = Net()(x)
    assert blas.threads == 4  # between calls, BLAS is as the user left it
    y.sum().backward()
    assert seen == {"module": 1, "forward": 1, "backward": 1} and blas.threads == 4

    class Failing(nn.Module):
        def forward(self, x):
            raise ValueError("inside forward")

    with pytest.raises(ValueError, match="inside forward"):
        Failing()(x)
    assert blas.threads == 4 and parallel._lowered == 0


@pytest.mark.parametrize("failing", [0, 2])
def test_a_failing_chunk_raises_after_every_chunk_finished(threads, failing):
    finished = []

    def work(i):
        if i.start // 4 == failing:
            raise ValueError(f"chunk {failing}")
        finished.append(i.start)

    with pytest.raises(ValueError, match=f"chunk {failing}"):
        parallel.chunked(work, 12, elements=10**9)
    assert sorted(finished) == sorted({0, 4, 8} - {4 * failing})


def test_work_split_inside_a_chunk_runs_there(threads):
    seen = np.zeros((6, 4), int)

    def outer(i):
        rows = range(6)[i]
        for r in rows:  # each chunk splits its own row again
            parallel.chunked(lambda j, r=r: seen.__setitem__((r, j), seen[r, j] + 1), 4,
                             elements=10**9)

    parallel.chunked(outer, 6, elements=10**9)  # would hang if a pool thread waited on itself
    assert (seen == 1).all()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_gets_a_working_pool(threads):
    parallel.chunked(lambda i: None, 6, elements=10**9)  # the parent's pool exists now
    pid = os.fork()
    if pid == 0:  # the child: split work must still finish (the parent's threads are gone)
        try:
            seen = np.zeros(6, int)
            parallel.chunked(lambda i: seen.__setitem__(i, seen[i] + 1), 6, elements=10**9)
            os._exit(0 if (seen == 1).all() else 1)
        finally:
            os._exit(2)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("chunked work in a forked child did not finish (a pool without threads)")


def test_importing_zerograd_leaves_blas_alone_and_uses_the_default_threads():
    code = ("import autograd, autograd.parallel as p; "
            "print(autograd.get_num_threads(), p._blas, p._pinned)")
    env = {**os.environ, "OMP_NUM_THREADS": "3"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["3", "None", "False"]
    code = "import autograd.parallel as p; print(p.default_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "3"


def test_without_set_num_threads_blas_is_one_thread_only_while_work_is_split():
    code = ("import numpy, autograd.parallel as p\n"
            "counts = lambda: [get() for _, get in p._blas_libraries()]\n"
            "before, seen = counts(), []\n"
            "p.chunked(lambda i: seen.append(counts()), 4, elements=10**9)\n"
            "print(before, seen, counts())")
    env = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    if out.stdout.startswith("[]"):
        pytest.skip("no OpenBLAS or MKL found in this NumPy")
    assert out.stdout.strip() == "[2] [[1], [1]] [2]"
