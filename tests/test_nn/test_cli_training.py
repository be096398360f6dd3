"""Honest figures and self-describing weights: validation carved from the training data, the
test set used once, training figures in evaluation mode, weights that say what they are."""
from __future__ import annotations

import json

import numpy as np
import pytest

import optim
from nn import Dropout, Linear, ReLU, Sequential, cli, data, zoo
from nn.module import read_metadata
from nn.train import Trainer


def test_spiral_run_validates_on_held_out_points_and_its_weights_describe_themselves(
        tmp_path, capsys) -> None:
    assert cli.main(["train", "--epochs", "5", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "270 samples, 30 held out for validation" in printed
    assert "val loss" in printed and "running train-mode loss" in printed
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history["val_acc"]) == 5 and None not in history["val_acc"]
    assert len(history["running_loss"]) == 5 and "final_train_acc" in history
    meta = read_metadata(tmp_path / "weights.npz")
    assert meta["model"] == "mlp" and meta["dataset"] == "spiral"
    assert meta["model_args"] == {"hidden": "10"} and meta["training"]["epochs"] == 5
    assert read_metadata(tmp_path / "best.npz") == meta  # checkpoints describe themselves too
    # eval needs nothing but the file
    assert cli.main(["eval", "--weights", str(tmp_path / "weights.npz")]) == 0
    assert "mlp on spiral: training accuracy" in capsys.readouterr().out


def test_eval_refuses_a_model_the_file_does_not_hold(tmp_path, capsys) -> None:
    weights = tmp_path / "w.npz"
    zoo.MLP(2, (10,), 3).save(weights, metadata={"model": "mlp", "dataset": "spiral"})
    with pytest.raises(SystemExit, match="holds a mlp trained on spiral, not --model simple-cnn"):
        cli.main(["eval", "--weights", str(weights), "--model", "simple-cnn"])


def test_weights_without_metadata_ask_for_the_model(tmp_path) -> None:
    weights = tmp_path / "old.npz"
    zoo.MLP(2, (10,), 3).save(weights)
    assert read_metadata(weights) is None
    with pytest.raises(SystemExit, match="does not record its model .*: pass --model"):
        cli.main(["eval", "--weights", str(weights)])
    assert cli.main(["eval", "--weights", str(weights), "--model", "mlp", "--dataset",
                     "spiral", "--hidden", "10"]) == 0


def test_metadata_is_json_text_and_never_changes_the_weights(tmp_path) -> None:
    model = zoo.MLP(2, (4,), 3)
    model.save(tmp_path / "w.npz", metadata={"note": "hello", "n": [1, 2]})
    with np.load(tmp_path / "w.npz", allow_pickle=False) as f:
        assert f["__metadata__"].dtype.kind == "U"
    fresh = zoo.MLP(2, (4,), 3)
    fresh.load(tmp_path / "w.npz")
    for (k, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        np.testing.assert_array_equal(a, b)


def test_training_figures_are_measured_in_evaluation_mode_on_a_fixed_sample() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2)).astype(np.float32)
    t = (x[:, 0] > 0).astype(np.int64)
    model = Sequential(Linear(2, 16), ReLU(), Dropout(0.5), Linear(16, 2))
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.5), progress=False,
                      verbose=False, train_sample=100)
    loader = data.DataLoader(data.TensorDataset(x, t), batch_size=20, shuffle=True, seed=0)
    history = trainer.fit(loader, 3)
    sample = trainer._training_sample(loader)
    assert len(sample.dataset) == 100
    assert trainer.evaluate(sample) == (history.train_loss[-1], history.train_acc[-1])
    assert history.running_loss[-1] != history.train_loss[-1]  # dropout on, weights moving


def test_save_dtype_float16_writes_half_precision_weights_that_eval_reads(tmp_path,
                                                                          capsys) -> None:
    args = ["train", "--epochs", "3", "--hidden", "200", "--val-split", "0"]
    assert cli.main(args + ["--out", str(tmp_path / "a")]) == 0
    assert cli.main(args + ["--out", str(tmp_path / "b"), "--save-dtype", "float16"]) == 0
    full, half = (np.load(tmp_path / d / "weights.npz") for d in "ab")
    assert full["layers.1.weight"].dtype == np.float32 and half["layers.1.weight"].dtype == np.float16
    np.testing.assert_array_equal(half["layers.1.weight"], full["layers.1.weight"].astype(np.float16))
    capsys.readouterr()
    assert cli.main(["eval", "--weights", str(tmp_path / "b" / "weights.npz")]) == 0
    assert "mlp on spiral: training accuracy" in capsys.readouterr().out
