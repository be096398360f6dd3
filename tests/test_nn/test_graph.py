"""Pictures of the zoo models' graphs: parameter paths, module frames and folded layers, and
the ``zerograd graph`` command (real ``dot`` where the test needs a picture)."""
from __future__ import annotations

import collections
import os
import re
import time

import numpy as np
import pytest

import autograd as ag
from autograd.viz import gradcheck_report
from nn import cli, random, zoo
from nn.functional import cross_entropy

from ..dotgraph import parse_dot, svg_nodes


def step(model) -> ag.Variable:
    random.manual_seed(0)
    loss, _ = cli.step_loss(model, batch_size=2, seed=0)
    return loss


def test_simple_cnn_names_parameters_like_named_parameters() -> None:
    random.manual_seed(0)
    model = zoo.SimpleConvNet()
    dot = parse_dot(ag.to_dot(step(model)))
    for path, p in model.named_parameters():
        (node,) = dot.find(path)
        assert dot.label(node) == f"{path}\n{p.shape} float32"
        assert dot.where[node] == ("SimpleConvNet", path.split(".")[0])
    assert dot.where[dot.find("x")[0]] == ()
    (conv,) = [f for f in dot.functions() if dot.label(f).startswith("Convolution\n")]
    assert dot.where[conv] == ("SimpleConvNet", "conv")
    assert sorted(p[-1] for p in dot.clusters.values()) == sorted(
        ["SimpleConvNet", "conv", "relu1", "pool", "flatten", "fc1", "relu2", "fc2"])


def test_simple_cnn_with_module_labels_frames_by_class() -> None:
    model = zoo.SimpleConvNet()
    dot = parse_dot(ag.to_dot(step(model), module=model))
    assert sorted(p[-1] for p in dot.clusters.values()) == sorted(
        ["SimpleConvNet", "conv: Conv2d", "relu1: ReLU", "pool: MaxPool2d", "flatten: Flatten",
         "fc1: Linear", "relu2: ReLU", "fc2: Linear"])


def test_simple_cnn_collapsed_is_one_box_per_layer_in_a_chain() -> None:
    model = zoo.SimpleConvNet()
    dot = parse_dot(ag.to_dot(step(model), module=model, collapse=1))
    boxes = [dot.label(b).split("\n")[0] for b in dot.boxes()]
    assert boxes == ["conv: Conv2d", "relu1: ReLU", "pool: MaxPool2d", "flatten: Flatten",
                     "fc1: Linear", "relu2: ReLU", "fc2: Linear"]  # in forward order
    assert [dot.label(f).split("\n")[0] for f in dot.functions()] == ["SoftmaxCrossEntropy"]
    (conv,) = dot.find("conv: Conv2d")
    assert re.fullmatch(r"conv: Conv2d\n\d+ ops?\nweight \(30, 1, 5, 5\)\nbias \(30,\)",
                        dot.label(conv))
    node = dot.find("x")[0]
    shapes = []
    for _ in range(7):  # x -> box -> activation -> box ... : a chain with the shapes between
        (box,) = dot.out_of(node)
        (node,) = dot.out_of(box)
        shapes.append(dot.label(node))
    assert shapes == ["(2, 30, 24, 24) float32", "(2, 30, 24, 24) float32",
                      "(2, 30, 12, 12) float32", "(2, 4320) float32", "(2, 100) float32",
                      "(2, 100) float32", "(2, 10) float32"]


def test_deep_cnn_folds_to_two_boxes_or_to_its_layers() -> None:
    model = zoo.DeepConvNet()
    loss = step(model)
    began = time.perf_counter()
    expanded = parse_dot(ag.to_dot(loss, module=model))
    assert time.perf_counter() - began < 1.0
    ops = collections.Counter(expanded.label(f).split("\n")[0] for f in expanded.functions())
    assert ops == {"Convolution": 6, "Relu": 7, "MaxPoolTiles": 3, "Reshape": 1, "Affine": 2,
                   "Mul": 2, "SoftmaxCrossEntropy": 1}  # Mul: the two dropout masks
    top = parse_dot(ag.to_dot(loss, module=model, collapse=1))
    assert [top.label(b).split("\n")[0] for b in top.boxes()] == \
        ["features: Sequential", "classifier: Sequential"]
    values = sum(p.size for p in model.features.parameters())
    assert top.label(top.find("features: Sequential")[0]).split("\n")[2] == \
        f"12 parameters, {values:,} values"
    layers = parse_dot(ag.to_dot(loss, module=model, collapse=2))
    names = [layers.label(b).split("\n")[0] for b in layers.boxes()]
    assert len(names) == 21 and names[0] == "0: Conv2d" and names[-1] == "5: Dropout"
    assert sorted(p[-1] for p in layers.clusters.values()) == \
        ["DeepConvNet", "classifier: Sequential", "features: Sequential"]


@pytest.mark.parametrize("name", ["mlp", "simple-cnn", "deep-cnn"])
def test_every_op_of_the_zoo_models_has_a_right_backward(name: str) -> None:
    random.manual_seed(0)
    model = zoo.MODELS[name]()
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    report = gradcheck_report(lambda x: cross_entropy(model(x), np.array([3, 7])),
                              ag.Variable(x, name="x"))
    assert report.ok, str(report)
    assert sum(c.error is not None for c in report.checks.values()) > len(report.checks) / 2


def test_mlp_parameter_paths_and_names_mapping_agree() -> None:
    model = zoo.MLP(784, (100, 100), 10)
    loss = step(model)
    derived = parse_dot(ag.to_dot(loss))
    given = parse_dot(ag.to_dot(loss, names=dict(model.named_parameters())))
    for path, _ in model.named_parameters():
        assert len(derived.find(path)) == 1 and len(given.find(path)) == 1
    assert derived.nodes == given.nodes


def test_step_loss_is_the_training_loss() -> None:
    model = zoo.MLP(784, (10,), 10)
    loss, x = cli.step_loss(model, batch_size=3, seed=1)
    labels = np.random.default_rng(1)
    labels.standard_normal((3, 1, 28, 28))
    expected = cross_entropy(model(x.data), labels.integers(0, 10, size=3))
    np.testing.assert_allclose(loss.data, expected.data, rtol=1e-6)


def test_cli_graph_writes_dot_text_without_graphviz(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "graph.dot"
    assert cli.main(["graph", "--model", "simple-cnn", "-o", str(out), "--collapse", "1"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    dot = parse_dot(out.read_text())
    assert len(dot.boxes()) == 7 and os.listdir(tmp_path) == ["graph.dot"]


def test_cli_graph_without_dot_says_how_to_install(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert cli.main(["graph", "--model", "mlp", "-o", str(tmp_path / "g.svg")]) == 1
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and "g.dot" in err
    assert os.listdir(tmp_path) == ["g.dot"]


def test_cli_graph_renders_an_svg_of_the_simple_cnn(tmp_path, dot) -> None:
    out = tmp_path / "graph.svg"
    assert cli.main(["graph", "--model", "simple-cnn", "-o", str(out), "--collapse", "1"]) == 0
    drawn = svg_nodes(out.read_bytes())
    assert len(drawn) == 7 + 8 + 1 + 1  # 7 layers, x and 7 activations, loss op, loss
    assert os.listdir(tmp_path) == ["graph.svg"]


def test_cli_graph_shows_values_and_gradients(tmp_path, dot) -> None:
    out = tmp_path / "graph.svg"
    assert cli.main(["graph", "--model", "mlp", "-o", str(out), "--show-values",
                     "--show-grads", "--hide-constants"]) == 0
    text = out.read_text()
    assert "grad min" in text and "mean" in text
    assert out.read_bytes().lstrip().startswith(b"<?xml")


def test_cli_graph_refuses_bad_arguments(tmp_path) -> None:
    with pytest.raises(SystemExit, match="2"):  # usage errors: see test_cli_errors.py
        cli.main(["graph", "-o", str(tmp_path / "g.svg"), "--collapse", "-1"])
    with pytest.raises(SystemExit, match="2"):
        cli.main(["graph", "-o", str(tmp_path / "g.svg"), "--batch-size", "0"])
    with pytest.raises(SystemExit):
        cli.main(["graph", "--format", "gif"])
    assert not os.listdir(tmp_path)


def test_cli_help_lists_graph(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "graph" in capsys.readouterr().out
