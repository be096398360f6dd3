"""Draw the pictures of the graph gallery (docs/gallery.rst) into docs/_static/gallery/.

Run from the repository root after changing how graphs are drawn, and commit the SVGs:
``python docs/make_gallery.py``. It uses only the public API and needs Graphviz's ``dot``.
Each function below is shown on the gallery page as the code that drew its picture.
"""
from __future__ import annotations

import os
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
if ROOT not in sys.path:  # the packages of this checkout, as docs/conf.py does
    sys.path.insert(0, ROOT)

import autograd as ag  # noqa: E402
from autograd.viz import gradcheck_report  # noqa: E402
from nn import random, zoo  # noqa: E402
from nn.cli import step_loss  # noqa: E402

OUT = os.path.join(ROOT, "docs", "_static", "gallery")


def expression(out: str) -> None:
    x = ag.Variable(np.array([1.0, 2.0]), name="x")
    w = ag.Variable(np.array([3.0, -1.0]), name="w")
    b = ag.Variable(0.5, name="b")
    y = (x * w + b).sum()
    y.backward()  # frees the arrays, keeps the structure: drawable with the gradients
    ag.render(y, os.path.join(out, "expression.svg"), show_values=True, show_grads=True)


def mlp(out: str) -> None:
    random.manual_seed(0)
    model = zoo.MLP(784, (100, 100), 10)
    loss, _ = step_loss(model, batch_size=2)
    ag.render(loss, os.path.join(out, "mlp.svg"), module=model, hide_constants=True)


def simple_cnn(out: str) -> None:
    random.manual_seed(0)
    model = zoo.SimpleConvNet()
    loss, _ = step_loss(model, batch_size=2)
    ag.render(loss, os.path.join(out, "simple_cnn.svg"), module=model)
    ag.render(loss, os.path.join(out, "simple_cnn_collapsed.svg"), module=model, collapse=1)


def deep_cnn(out: str) -> None:
    random.manual_seed(0)
    model = zoo.DeepConvNet()
    loss, _ = step_loss(model, batch_size=2)
    ag.render(loss, os.path.join(out, "deep_cnn_collapsed.svg"), module=model, collapse=2)


def tanh_derivatives(out: str) -> None:
    # The DeZero book's pictures: backward on the last derivative, over and over.
    x = ag.Variable(1.0, name="x")
    y = ag.tanh(x)
    y.backward(create_graph=True)
    for n in range(2, 4):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
        x.grad.name = f"gx{n}"
        ag.render(x.grad, os.path.join(out, f"tanh_{n}.svg"),
                  title=f"the {['', '1st', '2nd', '3rd'][n]} derivative of tanh")


class BrokenSquare(ag.Function):
    """x ** 2 with a deliberately wrong backward: the factor 2 is missing."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad):
        x, = self.saved
        return grad * x


def gradcheck_broken(out: str) -> None:
    rng = np.random.default_rng(0)
    x = ag.Variable(rng.standard_normal((3, 4)), name="x")
    w = ag.Variable(rng.standard_normal((4, 2)), name="w")
    b = ag.Variable(np.zeros(2), name="b")

    def f(x, w, b):
        h = ag.tanh(x @ w + b)
        return (BrokenSquare()(h) + ag.exp(h)).mean()

    report = gradcheck_report(f, x, w, b)
    print(report)
    ag.render(report.outputs, os.path.join(out, "gradcheck_broken.svg"), report=report)


class HalfGradient(ag.Function):
    """x * w whose backward forgets half of w's gradient."""

    def forward(self, x, w):
        self.save_for_backward(x, w)
        return x * w

    def backward(self, grad):
        x, w = self.saved
        return grad * w, grad * x * 0.5


def module_gradcheck(out: str) -> None:
    import nn
    from autograd.testing import check_module_gradients

    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(np.full(3, 2.0, np.float32))

        def forward(self, x):
            return ag.tanh(HalfGradient()(x, self.scale))

    try:
        check_module_gradients(Scaled(), np.ones((2, 3)),
                               picture=os.path.join(out, "module_gradcheck.svg"))
    except ag.GradcheckError as err:
        print(err)


def anomaly(out: str) -> None:
    import nn
    random.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = np.ones((5, 3), np.float32)
    with ag.detect_anomaly():
        try:
            loss = ag.sqrt(nn.functional.relu(model(x))).mean()  # sqrt's slope at 0 is inf
            loss.backward()
        except ag.AnomalyError as err:
            err.render(os.path.join(out, "anomaly.svg"), module=model)
            return
    raise AssertionError("the example found no anomaly")


def unrolled_lstm(out: str) -> None:
    import nn
    random.manual_seed(0)
    model = nn.zoo.LanguageModel(vocab_size=12, embedding_dim=4, hidden_size=4)
    model.lstm.unroll = True                 # each step its own ops, not one fused LSTMLayer
    ids = np.arange(8).reshape(2, 4) % 12
    _, state = model(ids[:, :2])             # the first window
    state = tuple(s.detach() for s in state)  # truncated: the state, not its graph
    state[0].name, state[1].name = "h (detached)", "c (detached)"
    logits, _ = model(ids[:, 2:], state)      # the second window, drawn
    loss = nn.functional.cross_entropy(logits.reshape(-1, 12), ids[:, 2:].reshape(-1))
    loss.backward()
    ag.render(loss, os.path.join(out, "unrolled_lstm.svg"), module=model, hide_constants=True)
    ag.render(loss, os.path.join(out, "unrolled_lstm_collapsed.svg"), module=model, collapse=3,
              hide_constants=True)


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    for draw in (expression, mlp, simple_cnn, deep_cnn, tanh_derivatives, gradcheck_broken,
                 anomaly, module_gradcheck, unrolled_lstm):
        draw(OUT)
    print(f"wrote {', '.join(sorted(os.listdir(OUT)))} in {OUT}")


if __name__ == "__main__":
    main()
