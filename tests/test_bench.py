"""The benchmark suite runs end to end: a tiny ``python -m bench`` prints its tables and writes
JSON that parses. Only NumPy and zerograd are asked for, so PyTorch and DeZero are not needed."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_bench_runs_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--frameworks", "numpy,zerograd",
         "--workloads", "per_op,mlp_train", "--repeats", "2", "--warmup", "1",
         "--threads", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| workload | case | unit |" in proc.stdout  # the summary table
    assert "| zerograd |" in proc.stdout
    assert "mlp_train: MLP 784-100-100-10" in proc.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    runs = document["frameworks"]
    assert runs["zerograd"]["status"] == "ok"
    step = runs["zerograd"]["results"]["mlp_train"]["step"]
    assert step["repeats"] == 2 and len(step["samples"]) == 2 and step["median"] > 0
    assert runs["zerograd"]["checks"]["mlp_train"]["rel_error"] <= 1e-4
    assert set(runs["numpy"]["results"]) == {"per_op"}  # NumPy has no training program
    assert document["machine"]["threads"] == 1


def test_bench_reports_zerograd_as_imported_too(tmp_path: Path) -> None:
    """The "as imported" row runs the same programs without set_num_threads."""
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--frameworks", "zerograd,zerograd_default",
         "--workloads", "mlp_train", "--repeats", "2", "--warmup", "1", "--threads", "2",
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| zerograd, as imported |" in proc.stdout
    runs = json.loads(out.read_text(encoding="utf-8"))["frameworks"]
    assert runs["zerograd"]["threads"]["autograd.get_num_threads"] == 2
    # its own threads come from OMP_NUM_THREADS, which the bench sets to --threads
    assert runs["zerograd_default"]["threads"]["autograd.get_num_threads"] == 2
    assert runs["zerograd_default"]["checks"]["mlp_train"]["rel_error"] <= 1e-4


def test_bench_lists_workloads() -> None:
    proc = subprocess.run([sys.executable, "-m", "bench", "--list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("per_op", "mlp_train", "mlp_infer", "simple_cnn_train", "simple_cnn_infer",
                 "deep_cnn_train", "deep_cnn_infer", "simple_cnn_memory"):
        assert name in proc.stdout


def test_wrapped_batch_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "bench.wrapped_batch", "--rounds", "1",
                           "--steps", "1"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for way in ("array", "Variable(x)", "Variable(x, requires_grad=False)"):
        assert f"  {way} " in proc.stdout


def test_lstm_lm_workload_checks_its_loss(tmp_path: Path) -> None:
    out = tmp_path / "lstm.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--frameworks", "zerograd", "--workloads",
         "lstm_lm_train", "--repeats", "1", "--warmup", "0", "--threads", "1", "--json",
         str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = json.loads(out.read_text(encoding="utf-8"))["frameworks"]["zerograd"]
    check = run["checks"]["lstm_lm_train"]
    assert check["rel_error"] <= 1e-4 and check["loss_after_step"] < check["loss"]
    assert run["results"]["lstm_lm_train"]["step"]["median"] > 0


def test_winograd_probe_matches_im2col() -> None:
    """The Winograd measurement (docs: Speed and memory) computes the same convolution."""
    proc = subprocess.run([sys.executable, "-m", "bench.winograd", "--rounds", "1",
                           "--batch", "2"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    layers = [line for line in proc.stdout.splitlines() if " pad " in line]
    assert len(layers) == 5
    for line in layers:  # float32 sums in another order: a few ulps of the largest output
        assert float(line.split()[-1]) < 1e-5, line


def test_gpu_workloads_build_on_another_device() -> None:
    """``--device cuda``'s programs, run on the fake device: the same check as on the CPU."""
    import autograd as ag
    from bench.workload import Settings
    from bench.workloads import WORKLOADS

    from .fakedevice import fake_device

    settings = Settings(repeats=1, warmup=0, threads=1)
    for name in ("mlp_train", "simple_cnn_infer"):
        workload = WORKLOADS[name]
        assert "cuda" in workload.devices
        on_cpu, checked_cpu = workload.measure("zerograd", ag, settings)
        with fake_device():
            on_fake, checked = workload.measure(
                "zerograd", ag, Settings(repeats=1, warmup=0, threads=1, device="fake"))
        assert set(on_fake) == set(on_cpu)
        assert abs(checked["loss_after_step"] - checked_cpu["loss_after_step"]) < 1e-5


def _gpu_here() -> bool:
    proc = subprocess.run([sys.executable, "-c", "import autograd as ag; "
                           "ag.devices.backend('cuda')"], cwd=ROOT, capture_output=True)
    return proc.returncode == 0


def test_bench_on_cuda_says_what_is_missing() -> None:
    if _gpu_here():
        pytest.skip("CuPy and a GPU are here: python -m bench --device cuda measures")
    proc = subprocess.run([sys.executable, "-m", "bench", "--device", "cuda", "--frameworks",
                           "zerograd", "--workloads", "mlp_train,per_op"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "zerograd: cannot use cuda" in proc.stderr and "pip install" in proc.stderr
    assert "nothing to measure on cuda" in proc.stderr


def test_tables_name_the_device_that_was_measured() -> None:
    from bench.report import summary_table, workload_table
    from bench.workloads import WORKLOADS

    workload = WORKLOADS["mlp_train"]
    runs = {name: {"status": "ok", "version": "1", "results": {
        "mlp_train": {"step": {"median": 1e-3, "cpu_median": 1e-3, "dtype": "float32"}}}}
        for name in ("zerograd", "torch")}
    for device, label in (("cpu", "PyTorch (CPU)"), ("cuda", "PyTorch (CUDA)")):
        settings = {"repeats": 2, "warmup": 1, "threads": 1, "rounds": 1, "device": device}
        tables = summary_table([workload], runs, settings) + workload_table(workload, runs,
                                                                             settings)
        assert f"| {label} |" in tables and f"× {label}" in tables
        assert ("CuPy" in tables) == (device == "cuda")
    assert "PyTorch (CPU)" not in tables
