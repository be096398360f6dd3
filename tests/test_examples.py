"""Every script in examples/ runs in ``--quick`` mode, writes its PNGs and prints sane numbers.

The scripts are imported and their ``main`` called in this process, so NumPy, matplotlib and
MNIST are loaded once for all of them. Those that read MNIST are skipped when its files are
absent, except under CI (the ``CI`` environment variable), where that is a failure.
"""
from __future__ import annotations

import importlib
import math
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn.data

from .datafiles import require
from .fakedevice import cupy_importable, fake_device, traffic

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_"))
MNIST_SCRIPTS = {"ch06_optimizers", "ch06_weight_init", "ch06_gradient_flow", "ch06_batch_norm",
                 "ch06_overfitting", "ch06_hyperparameter_search", "ch07_simple_convnet",
                 "ch08_deep_convnet"}
MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _script(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(EXAMPLES))  # the scripts import their sibling _common
    return importlib.import_module(name)


# the scripts of volume 2 that read shared/data's text files
TEXT_SCRIPTS = {"vol2_ch02_count": ("ptb/ptb.valid.txt",),
                "vol2_ch04_word2vec": ("ptb/ptb.valid.txt",),
                "vol2_ch05_rnnlm": ("ptb/ptb.valid.txt", "ptb/ptb.test.txt"),
                "vol2_ch06_lstm_lm": ("ptb/ptb.valid.txt", "ptb/ptb.test.txt"),
                "vol2_ch07_seq2seq": ("seq/addition.txt",),
                "vol2_ch08_attention": ("seq/date.txt",)}
# the scripts of the chapters the book runs on a GPU (vol 2 §1.5.2): they take --device
DEVICE_SCRIPTS = {"vol2_ch04_word2vec", "vol2_ch05_rnnlm", "vol2_ch06_lstm_lm",
                  "vol2_ch07_seq2seq", "vol2_ch08_attention"}


def _run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         *options: str) -> dict[str, Any]:
    if name in MNIST_SCRIPTS:
        require(nn.data.data_root(), [f"mnist/{f}.gz" for f in MNIST_FILES],
                "set ZEROGRAD_DATA to a folder whose mnist/ holds the four files")
    if name in TEXT_SCRIPTS:
        require(nn.data.data_root(), TEXT_SCRIPTS[name], "set ZEROGRAD_DATA to shared/data")
    result = _script(name, monkeypatch).main(["--quick", "--out", str(tmp_path), *options])
    for figure in result["figures"]:
        path = Path(figure)
        assert path.parent == tmp_path
        assert path.read_bytes()[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert result["seconds"] > 0
    return result


def test_every_script_is_checked() -> None:
    assert set(SCRIPTS) == set(CHECKS), "add a check for each new example to CHECKS"


@pytest.mark.parametrize("name", SCRIPTS)
def test_help_describes_the_options(name: str, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _script(name, monkeypatch).main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--quick", "--out", "--seed"):
        assert option in text
    assert ("--data-dir" in text) == (name in MNIST_SCRIPTS or name in TEXT_SCRIPTS)
    assert ("--device" in text) == (name in DEVICE_SCRIPTS)


def check_ch02_perceptron(r: dict[str, Any]) -> None:
    truth = {"AND": [0, 0, 0, 1], "NAND": [1, 1, 1, 0], "OR": [0, 1, 1, 1],
             "XOR": [0, 1, 1, 0]}
    assert r["hand_set"] == truth
    for gate in ("AND", "NAND", "OR"):
        assert r["learned"][gate] == truth[gate]
    assert r["learned"]["XOR 2 layers"] == truth["XOR"]
    assert r["loss"]["XOR"] > 0.6  # one unit cannot do better than ln 2 on XOR


def check_ch03_activations(r: dict[str, Any]) -> None:
    assert np.isnan(r["naive_softmax"]).all()
    assert np.isfinite(r["shifted_softmax"]).all()
    assert r["shifted_softmax"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(r["shifted_softmax"], r["library_softmax"], rtol=1e-12)
    assert r["sigmoid_grad_max"] == pytest.approx(0.25)
    np.testing.assert_array_equal(r["relu_grad"], (r["x"] > 0).astype(float))


def check_ch04_numerical_gradient(r: dict[str, Any]) -> None:
    assert r["max_diff"] < 1e-6
    ends = r["final_points"]
    assert np.linalg.norm(ends[0.1]) < 0.1           # converges
    assert np.linalg.norm(ends[10.0]) > 1e3          # diverges
    np.testing.assert_allclose(ends[1e-10], [-3.0, 4.0], atol=1e-6)  # does not move


def check_ch05_apple_graph(r: dict[str, Any]) -> None:
    book = {"apples": (220, {"apple": 2.2, "apple count": 110, "tax": 200}),
            "apples and oranges": (715, {"apple": 2.2, "apple count": 110, "orange": 3.3,
                                         "orange count": 165, "tax": 650})}
    for key, (price, grads) in book.items():
        assert r[key]["price"] == pytest.approx(price)
        for name, g in grads.items():
            assert r[key]["grads"][name] == pytest.approx(g)
            assert r[key]["numerical"][name] == pytest.approx(g, rel=1e-6)
    if shutil.which("dot") or os.environ.get("CI"):
        assert len(r["figures"]) == 2


def check_ch06_optimizers(r: dict[str, Any]) -> None:
    start = (-7.0) ** 2 / 20 + 2.0 ** 2
    assert all(f < start / 10 for f in r["bowl_final_f"].values())
    assert all(math.isfinite(v) and v < 2.5 for v in r["mnist_final_loss"].values())
    assert all(0 <= a <= 1 for a in r["test_acc"].values())


def check_ch06_weight_init(r: dict[str, Any]) -> None:
    std = r["activation_std"]
    assert std["ReLU, std 0.01"][-1] < 1e-3 < 0.3 < std["ReLU, He"][-1]  # vanishes vs kept
    assert std["sigmoid, std 0.01"][-1] < 0.05   # all units near 0.5
    assert std["sigmoid, std 1"][-1] > 0.3       # saturated at 0 and 1
    assert all(math.isfinite(v) for v in r["final_loss"].values())


def check_ch06_gradient_flow(r: dict[str, Any]) -> None:
    sigmoid, relu = r["depth_norms"]["sigmoid, std 0.01"], r["depth_norms"]["ReLU, He"]
    assert sigmoid[0] < 1e-4 * sigmoid[-1]  # vanishes toward the input, orders of magnitude
    assert max(relu) < 10 * min(relu)       # within one order of magnitude
    if shutil.which("dot") or os.environ.get("CI"):
        assert len(r["graphs"]) == 2 and all(open(g).read(4) in ("<?xm", "<svg")
                                             for g in r["graphs"])


def check_ch06_batch_norm(r: dict[str, Any]) -> None:
    assert len(r["final_train_acc"]) == 2
    for accs in r["final_train_acc"].values():
        assert set(accs) == {"batch norm", "none"}
        assert all(0 <= a <= 1 for a in accs.values())


def check_ch06_overfitting(r: dict[str, Any]) -> None:
    assert set(r["final"]) == {"none", "weight decay", "dropout"}
    assert all(0 <= a <= 1 for f in r["final"].values() for a in f.values())


def check_ch06_hyperparameter_search(r: dict[str, Any]) -> None:
    vals = [t["val"] for t in r["trials"]]
    assert vals == sorted(vals, reverse=True) and r["best"]["val"] == vals[0]
    for t in r["trials"]:
        assert 1e-6 <= t["lr"] <= 1e-2 and 1e-8 <= t["weight_decay"] <= 1e-4


def check_ch07_simple_convnet(r: dict[str, Any]) -> None:
    assert r["test_acc"] > 0.3  # 5 steps of Adam already beat chance (0.1) by far


def check_ch08_deep_convnet(r: dict[str, Any]) -> None:
    assert 0 <= r["test_acc"] <= 1
    assert r["misclassified"] == round((1 - r["test_acc"]) * r["tested"])
    assert all(math.isfinite(v) for v in r["train_loss"])


def check_vol2_ch06_lstm_lm(r: dict[str, Any]) -> None:
    # 8 steps learn little, but the numbers are perplexities: finite, above 1, and the
    # untrained-ish model no better than a uniform guess over 7,596 words by much
    assert 1 < r["unigram_ppl"] < 7596 and 1 < r["test_ppl"] < 2 * 7596
    assert all(math.isfinite(v) for v in r["epoch_loss"])


def check_vol2_ch02_count(r: dict[str, Any]) -> None:
    # the book's numbers for "You say goodbye and I say hello."
    assert r["co_occurrence"][1].tolist() == [1, 0, 1, 0, 1, 1, 0]
    np.testing.assert_allclose(r["ppmi"][0], [0, 1.807, 0, 0, 0, 0, 0], atol=1e-3)
    assert [w for w, _ in r["toy_nearest"][:3]] == ["goodbye", "i", "hello"]
    assert r["toy_nearest"][0][1] == pytest.approx(2 ** -0.5)
    _check_nearest(r["nearest"])


def _check_nearest(table: dict[str, list]) -> None:
    assert table
    for query, near in table.items():
        assert len(near) == 5 and query not in [w for w, _ in near]
        assert all(-1 - 1e-9 <= s <= 1 + 1e-9 for _, s in near)


def check_vol2_ch03_simple_cbow(r: dict[str, Any]) -> None:
    assert r["loss"][0] == pytest.approx(math.log(7), abs=0.01)  # 0.01 N(0, 1) start: uniform
    assert r["loss"][-1] < r["loss"][0] - 0.1                     # 100 epochs: learning
    assert sum(r["guess"].values()) == pytest.approx(1.0, abs=1e-5)
    assert r["word_vecs"].shape == (7, 5)
    for by_size in r["step_seconds"].values():
        assert set(by_size) == {1_000, 10_000} and all(s > 0 for s in by_size.values())


def check_vol2_ch04_word2vec(r: dict[str, Any]) -> None:
    assert set(r["nearest"]) == set(r["analogies"]) == set(r["losses"]) == {"CBOW",
                                                                            "skip-gram"}
    for table in r["nearest"].values():
        _check_nearest(table)
    for table in r["analogies"].values():
        assert len(table) >= 5 and all(len(top) == 3 for top in table.values())
    # one epoch on 5,000 words: near ln 2 per logistic loss times 6, and finite
    assert all(math.isfinite(v) and v < 6 * math.log(2) for c in r["losses"].values()
               for v in c)


def check_vol2_ch05_rnnlm(r: dict[str, Any]) -> None:
    # 8 steps: perplexities, finite, above 1, and not worse than a uniform guess by much
    assert 1 < r["unigram_ppl"] < 7596 and 1 < r["test_ppl"] < 2 * 7596
    assert len(r["held_ppl"]) == 2 and all(math.isfinite(v) for v in r["epoch_loss"])


def check_vol2_ch07_seq2seq(r: dict[str, Any]) -> None:
    assert set(r["results"]) == {"baseline", "reversed", "reversed + peeky"}
    for run in r["results"].values():  # a few steps: numbers, not yet learning
        assert len(run["acc"]) == 2 and all(0 <= a <= 1 for a in run["acc"])
        assert all(math.isfinite(v) for v in run["loss"])


def check_vol2_ch08_attention(r: dict[str, Any]) -> None:
    assert len(r["acc"]) == 1 and 0 <= r["acc"][0] <= 1 and math.isfinite(r["loss"][0])
    assert len(r["figures"]) == 2


def check_vol2_ch01_spiral(r: dict[str, Any]) -> None:
    assert r["train_acc"] > 0.8
    assert len(r["figures"]) == 2


CHECKS = {name[len("check_"):]: f for name, f in globals().items() if name.startswith("check_")}


@pytest.mark.parametrize("name", SCRIPTS)
def test_quick_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CHECKS[name](_run(name, tmp_path, monkeypatch))


def _same_numbers(got: Any, expected: Any, where: str = "result") -> None:
    """``got`` has ``expected``'s structure, words and numbers (floats to 1e-6: the fake device
    runs the CPU's NumPy kernels, so its runs equal the CPU's)."""
    if isinstance(expected, dict):
        assert set(got) == set(expected), where
        for key in expected:
            _same_numbers(got[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple, np.ndarray)):
        assert len(got) == len(expected), where
        for i, (g, e) in enumerate(zip(got, expected)):
            _same_numbers(g, e, f"{where}[{i}]")
    elif isinstance(expected, (float, np.floating)):
        assert type(got) is type(expected) and got == pytest.approx(expected, rel=1e-6), where
    else:
        assert got == expected, where


@pytest.mark.parametrize("name", sorted(DEVICE_SCRIPTS))
def test_quick_run_on_a_device_gives_the_cpus_numbers(name: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cpu = _run(name, tmp_path / "cpu", monkeypatch)
    threads = ag.get_num_threads()
    ag.set_num_threads(2)
    try:
        with fake_device(), traffic() as seen:
            on_device = _run(name, tmp_path / "fake", monkeypatch, "--device", "fake")
        assert ag.get_num_threads() == 1  # as the zerograd command does off the CPU
        # it ran there: the weights went over, the scores came back
        assert seen.to_device > 0 and seen.to_host > 0, seen
    finally:
        ag.set_num_threads(threads)
    CHECKS[name](on_device)
    for key in ("figures", "seconds"):
        del cpu[key], on_device[key]
    _same_numbers(on_device, cpu)


@pytest.mark.skipif(cupy_importable(), reason="CuPy is installed here")
@pytest.mark.parametrize("name", sorted(DEVICE_SCRIPTS))
def test_device_cuda_without_cupy_says_how_to_install_it(
        name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _script(name, monkeypatch).main(["--quick", "--device", "cuda"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # before anything runs
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "device 'cuda' needs CuPy" in lines[0], captured.err
    assert "pip install 'zerograd[gpu]'" in lines[0] and "Traceback" not in captured.err
