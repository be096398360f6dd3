"""Training end to end: the spiral through the CLI, exact resume from a checkpoint, and a short
real-MNIST run proving data, model, loss and optimizer work together."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from nn import cli, data, zoo
from nn.train import Trainer

SHARED = Path(os.environ.get("ZEROGRAD_DATA") or
              Path(__file__).resolve().parents[2].parent / "shared" / "data")


def test_spiral_cli_trains_to_97_percent_and_eval_reads_the_weights(tmp_path, capsys) -> None:
    assert cli.main(["train", "--no-progress", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    acc = float(printed.split("final training accuracy: ")[1].split()[0])
    assert acc >= 0.97, printed
    for name in ("weights.npz", "curve.png", "boundary.png", "history.json", "last.npz",
                 "best.npz"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "boundary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history["epoch"]) == 300 and history["train_loss"][-1] < history["train_loss"][0]
    assert cli.main(["eval", "--weights", str(tmp_path / "weights.npz")]) == 0
    assert f"mlp on spiral: training accuracy {acc:.4f}" in capsys.readouterr().out


def test_cli_help_lists_the_commands(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "train" in text and "eval" in text
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    assert "--optimizer" in capsys.readouterr().out


def test_cli_threads_option_sets_zerograd_threads(tmp_path, capsys) -> None:
    import autograd as ag

    before = ag.get_num_threads()
    try:
        assert cli.main(["train", "--no-progress", "--epochs", "1", "--threads", "3", "--out",
                         str(tmp_path)]) == 0
        assert ag.get_num_threads() == 3
    finally:
        ag.set_num_threads(before)
    with pytest.raises(SystemExit):
        cli.main(["train", "--threads", "0"])
    assert "--threads: must be at least 1 (got 0)" in capsys.readouterr().err


def test_cli_reports_missing_data_clearly(tmp_path, capsys, monkeypatch) -> None:
    import nn.data.download as download

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(download, "urlopen", offline, raising=False)
    code = cli.main(["train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--out",
                     str(tmp_path / "out"), "--no-progress"])
    assert code == 1
    assert "mnist" in capsys.readouterr().err.lower()


def _spiral_run(tmp_path: Path, epochs: int, resume: bool = False) -> tuple[nn.Module, Trainer]:
    nn.manual_seed(0)
    model = zoo.MLP(2, (16,), 3, dropout=0.1)
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    trainer = Trainer(model, opt, scheduler=sched, checkpoint_dir=tmp_path, progress=False,
                      verbose=False)
    loader = data.DataLoader(data.Spiral(), batch_size=30, shuffle=True, seed=0)
    trainer.fit(loader, epochs, resume=resume)
    return model, trainer


def test_resume_repeats_the_uninterrupted_run_exactly(tmp_path) -> None:
    full, _ = _spiral_run(tmp_path / "a", 6)
    _spiral_run(tmp_path / "b", 3)
    resumed, trainer = _spiral_run(tmp_path / "b", 6, resume=True)
    assert trainer.history.epoch == [1, 2, 3, 4, 5, 6]
    for (name, a), (_, b) in zip(full.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)
    assert (tmp_path / "b" / "best.npz").exists()


def test_short_real_mnist_run_reaches_95_percent() -> None:
    """A few hundred steps on a subset, evaluated on held-out test images."""
    if not (SHARED / "mnist").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the MNIST test: no data at {SHARED}")
        pytest.skip(f"MNIST files not found at {SHARED} (set ZEROGRAD_DATA)")
    nn.manual_seed(0)
    norm = data.Compose([data.ToFloat(), data.Normalize(0.1307, 0.3081)])
    train = data.Subset(data.MNIST(root=SHARED, train=True, transform=norm), np.arange(30000))
    test = data.Subset(data.MNIST(root=SHARED, train=False, transform=norm),
                       np.arange(5000, 10000))
    model = zoo.MLP(784, (100, 100), 10)
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=2e-3), progress=False,
                      verbose=False)
    trainer.fit(data.DataLoader(train, batch_size=100, shuffle=True, seed=0), epochs=1)
    _, acc = trainer.evaluate(data.DataLoader(test, batch_size=1000))
    assert acc >= 0.95, f"test accuracy {acc:.4f} after 300 steps"


def test_graphs_kept_for_drawing_stay_flat_in_memory():
    """A plain backward keeps each step's graph structure (for pictures) while ``loss`` is
    held; over thousands of steps that must not pile up: each graph goes with its loss."""
    import gc
    import tracemalloc

    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((32, 4)).astype(np.float32), rng.integers(0, 3, 32)

    def steps(n):
        for _ in range(n):
            loss = nn.functional.cross_entropy(model(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss

    steps(50)
    gc.collect()
    tracemalloc.start()
    try:
        loss = steps(200)
        first = tracemalloc.get_traced_memory()[0]
        del loss
        loss = steps(2000)
        last = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert loss.creator is not None and loss.creator.released  # drawable, arrays freed
    assert last - first < 64 * 1024, f"grew by {last - first} bytes over 2,000 steps"


def test_gradient_flow_records_norms_and_ratios(tmp_path):
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    opt = optim.SGD(model.parameters(), lr=0.1)
    flow = nn.GradientFlow(model, every=2)
    trainer = Trainer(model, opt, progress=False, verbose=False, gradient_flow=flow)
    loader = data.DataLoader(data.Spiral(), batch_size=30)
    trainer.fit(loader, epochs=2)
    assert flow.steps == list(range(1, 21, 2))  # 2 epochs of 10 batches, one in two
    w = dict(model.named_parameters())["2.weight"]
    # the last record: the norm of the gradient then, the update it made over the weight
    assert flow.grad_norm["2.weight"][-1] > 0 and 0 < flow.update_ratio["2.weight"][-1] < 1
    before = w.data.copy()
    x, t = next(iter(loader))
    trainer.train_step(x, t)  # step 21: recorded
    expected_grad = float(np.linalg.norm(w.grad.data.astype(np.float64)))
    np.testing.assert_allclose(flow.grad_norm["2.weight"][-1], expected_grad, rtol=1e-6)
    np.testing.assert_allclose(flow.update_ratio["2.weight"][-1],
                               np.linalg.norm(w.data - before) / np.linalg.norm(before),
                               rtol=1e-5)
    np.testing.assert_allclose(flow.update_ratio["2.weight"][-1] * np.linalg.norm(before),
                               0.1 * expected_grad, rtol=1e-4)  # SGD: the update is lr * grad
    norms = flow.module_norms()
    np.testing.assert_allclose(norms[""], np.sqrt(norms["0"] ** 2 + norms["2"] ** 2))
    assert set(flow.layer_norms()) == {"0", "2"}
    flow.plot(tmp_path / "flow.png")
    assert (tmp_path / "flow.png").read_bytes()[:4] == b"\x89PNG"


def test_gradient_flow_errors():
    with pytest.raises(ag.ArgumentError, match="every must be at least 1"):
        nn.GradientFlow(nn.Linear(2, 2), every=0)
    with pytest.raises(ag.GraphError, match="no step recorded"):
        nn.GradientFlow(nn.Linear(2, 2)).module_norms()


def test_trainer_clips_and_steps_a_plateau_scheduler():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    seen = []

    class Spy(optim.SGD):  # records the gradient norm the optimizer is given
        def step(self):
            seen.append(np.sqrt(sum(float((p.grad.data.astype(np.float64) ** 2).sum())
                                    for p in model.parameters())))
            super().step()

    opt = Spy(model.parameters(), lr=1.0)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0,
                                                   threshold=10.0)  # never good enough
    trainer = Trainer(model, opt, scheduler=plateau, max_grad=0.01, progress=False,
                      verbose=False)
    trainer.fit(data.DataLoader(data.Spiral(), batch_size=30), epochs=3)
    assert max(seen) <= 0.01 * (1 + 1e-5)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.125)  # halved after each epoch


def test_evaluation_every_n_steps_and_perplexity():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.5), progress=False,
                      verbose=False, eval_every=5)
    spiral = data.Spiral()
    history = trainer.fit(data.DataLoader(spiral, batch_size=30), 2,
                          val_loader=data.DataLoader(spiral, batch_size=300))
    assert history.step == [5, 10, 15, 20] and len(history.step_val_loss) == 4
    assert history.step_val_loss[-1] == pytest.approx(history.val_loss[-1])  # same weights
    assert history.perplexity == pytest.approx([float(np.exp(v)) for v in history.val_loss])
    assert model.training  # evaluation switched back to training mode
    with pytest.raises(ag.ArgumentError, match="eval_every must be at least 1"):
        Trainer(model, optim.SGD(model.parameters(), lr=0.5), eval_every=0)
