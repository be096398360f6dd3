"""The ``zerograd`` command on bad command lines: a usage error (exit 2) in one line that names
the flag, never a traceback, and nothing written."""
from __future__ import annotations

import subprocess
import sys

import pytest

from nn import cli

BAD = [
    (["train", "--epochs", "0"], "--epochs: must be at least 1 (got 0)"),
    (["train", "--epochs", "-1"], "--epochs: must be at least 1 (got -1)"),
    (["train", "--epochs", "ten"], "--epochs: expected an integer, got 'ten'"),
    (["train", "--subset", "0"], "--subset: must be at least 1 (got 0)"),
    (["train", "--subset", "-5"], "--subset: must be at least 1 (got -5)"),
    (["train", "--hidden", "abc"], "--hidden: expected positive sizes separated by commas"),
    (["train", "--hidden", "0"], "--hidden: expected positive sizes"),
    (["train", "--hidden", "10,,5"], "--hidden: expected positive sizes"),
    (["train", "--lr", "0"], "--lr: must be a finite number > 0 (got 0)"),
    (["train", "--lr", "-0.1"], "--lr: must be a finite number > 0 (got -0.1)"),
    (["train", "--lr", "nan"], "--lr: must be a finite number > 0 (got nan)"),
    (["train", "--lr", "inf"], "--lr: must be a finite number > 0 (got inf)"),
    (["train", "--lr", "fast"], "--lr: expected a number, got 'fast'"),
    (["train", "--batch-size", "0"], "--batch-size: must be at least 1 (got 0)"),
    (["train", "--threads", "0"], "--threads: must be at least 1 (got 0)"),
    (["train", "--seed", "-1"], "--seed: must be at least 0 (got -1)"),
    (["train", "--optimizer", "lbfgs"], "--optimizer: invalid choice: 'lbfgs'"),
    (["eval", "--weights", "w.npz", "--batch-size", "0"], "--batch-size: must be at least 1"),
    (["graph", "-o", "g.jpg"], "graph: cannot write a .jpg picture (-o g.jpg)"),
    (["graph", "-o", "g.svg", "--format", "png"], "names a .svg file but --format is png"),
    (["graph", "--collapse", "-1"], "--collapse: must be at least 0 (got -1)"),
    (["graph", "--batch-size", "0"], "--batch-size: must be at least 1 (got 0)"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_command_line_is_a_usage_error(argv, message, tmp_path, capsys,
                                           monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv + (["--out", str(tmp_path / "out")] if argv[0] == "train" else []))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("zerograd") and "error: " in last and message in last, err
    assert not (tmp_path / "out").exists() and list(tmp_path.iterdir()) == []


def test_a_bad_command_line_prints_no_traceback_from_the_real_command(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "nn.cli", "train", "--subset", "-5"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].endswith("must be at least 1 (got -5)")


def test_good_values_pass_the_checks() -> None:
    args = cli.build_parser().parse_args(["train", "--epochs", "2", "--hidden", "20, 10",
                                          "--lr", "1e-3", "--subset", "5", "--seed", "0"])
    assert (args.epochs, args.hidden, args.lr, args.subset) == (2, "20,10", 1e-3, 5)


def test_progress_bars_follow_the_terminal(monkeypatch) -> None:
    from nn.train import Trainer
    parse = cli.build_parser().parse_args
    assert parse(["train"]).progress is None
    assert parse(["train", "--no-progress"]).progress is False
    assert parse(["train", "--progress"]).progress is True
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert Trainer(None, None).progress is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert Trainer(None, None).progress is True
    assert Trainer(None, None, progress=False).progress is False


def test_saves_follow_the_umask_and_clear_what_a_killed_save_left(tmp_path) -> None:
    import os
    import numpy as np
    from nn.module import load_arrays, save_arrays
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".weights.npz.tmp-{dead}-abc123.npz"  # a save killed mid-write
    stale.write_bytes(b"PK\x03\x04 half a zip")
    alive = tmp_path / f".weights.npz.tmp-{os.getppid()}-def456.npz"  # a save still running
    alive.write_bytes(b"")
    old = os.umask(0o027)
    try:
        save_arrays(tmp_path / "weights.npz", {"w": np.ones(3)})
    finally:
        os.umask(old)
    assert (os.stat(tmp_path / "weights.npz").st_mode & 0o777) == 0o640
    assert not stale.exists() and alive.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "weights.npz"]
    np.testing.assert_array_equal(load_arrays(tmp_path / "weights.npz")["w"], np.ones(3))


def _damaged(tmp_path, how: str):
    """A weights file of the spiral MLP, damaged as ``how`` says."""
    import numpy as np
    from nn import zoo
    good = tmp_path / "good.npz"
    meta = {"model": "mlp", "dataset": "spiral", "model_args": {"hidden": "10"}}
    zoo.MLP(2, (10,), 3).save(good, metadata=meta)
    raw = good.read_bytes()
    path = tmp_path / f"{how}.npz"
    if how == "empty":
        path.write_bytes(b"")
    elif how == "not-a-zip":
        path.write_text("weights, honestly\n")
    elif how == "truncated":
        path.write_bytes(raw[:len(raw) // 2])
    elif how == "bit-flipped":
        data = bytearray(raw)
        data[len(data) // 3] ^= 0xFF  # inside an array's stored bytes: its CRC fails
        path.write_bytes(bytes(data))
    elif how == "wrong-arrays":
        zoo.MLP(2, (7,), 3).save(path, metadata=meta)
    elif how == "pickled":
        np.savez(path, w=np.array([{"a": 1}], dtype=object))
    return path


DAMAGE = {
    "missing": "no file at",
    "empty": "is empty",
    "not-a-zip": "is not an .npz weights file",
    "truncated": "is damaged",
    "bit-flipped": "is damaged",
    "wrong-arrays": "does not fit this MLP",
    "pickled": "holds pickled objects",
}


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_damaged_weights_give_one_line_naming_the_file(how, tmp_path, capsys) -> None:
    path = tmp_path / "missing.npz" if how == "missing" else _damaged(tmp_path, how)
    assert cli.main(["eval", "--weights", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("zerograd: ") and str(path) in err and DAMAGE[how] in err, err


def test_ctrl_c_stops_after_the_step_and_says_how_to_resume(tmp_path, capsys,
                                                             monkeypatch) -> None:
    import os
    import signal
    from nn.train import Trainer
    step = Trainer.train_step
    calls = []

    def interrupting_step(self, x, t):
        calls.append(1)
        if len(calls) == 25:  # in epoch 3 of the spiral's 10-batch epochs
            os.kill(os.getpid(), signal.SIGINT)
        return step(self, x, t)

    handler = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(Trainer, "train_step", interrupting_step)
    monkeypatch.setattr(sys, "argv", ["zerograd", "train", "--out", str(tmp_path)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--out", str(tmp_path)])
    assert exit_info.value.code == 130 and len(calls) == 25  # the step finished, no more
    err = capsys.readouterr().err
    assert "Traceback" not in err and "interrupted in epoch 3" in err
    assert f"zerograd train --out {tmp_path} --resume" in err
    assert signal.getsignal(signal.SIGINT) is handler  # put back
    assert cli.main(["train", "--out", str(tmp_path), "--epochs", "4", "--resume"]) == 0


def test_layers_compute_in_their_dtype_whatever_the_batch() -> None:
    import numpy as np
    import autograd as ag
    from nn import Conv2d, Linear
    layer = Linear(3, 2)
    for batch in (np.ones((4, 3), np.int64), np.ones((4, 3)), [[1, 2, 3]], np.ones((4, 3), bool)):
        assert layer(batch).dtype == np.float32
    x = ag.Variable(np.ones((4, 3)))  # float64, requires grad: cast differentiably
    layer(x).sum().backward()
    assert x.grad.dtype == np.float64 and layer.weight.grad.dtype == np.float32
    assert Conv2d(1, 2, 3)(np.ones((1, 1, 5, 5), np.uint8)).dtype == np.float32


@pytest.mark.parametrize("reduction, expected", [("mean", "nan"), ("sum", "0.0")])
def test_an_empty_batch_has_a_documented_loss_and_an_empty_gradient(reduction, expected):
    import numpy as np
    import autograd as ag
    from nn.functional import cross_entropy, cross_entropy_composed
    for loss_fn in (cross_entropy, cross_entropy_composed):
        x = ag.Variable(np.zeros((0, 3)))
        loss = loss_fn(x, np.zeros(0, np.int64), reduction=reduction)
        assert str(float(loss.data)) == expected
        loss.backward()
        assert x.grad.shape == (0, 3)
