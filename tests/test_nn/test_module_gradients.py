"""Every layer's gradients with respect to its inputs and its parameters, first and second
order, against numerical differentiation, through ``autograd.testing.module_gradient_test``
(Hypothesis draws the geometries and values); and what a failure says and draws."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd as ag
import nn
from autograd.testing import (
    DISTINCT, arrays, check_module_gradients, conv_geometry, module_gradient_test,
    pool_geometry, sequence_geometry, shapes,
)


def _with_input(geometry, domain=None):
    """(geometry, input array drawn to its input_shape)."""
    return geometry.flatmap(lambda g: st.tuples(
        st.just(g), arrays(g["input_shape"], *(() if domain is None else (domain,)))))


def _seeded(make):
    """A fresh module per case, its initial weights seeded by the case (repeatable)."""
    def build(seed, *rest):
        nn.manual_seed(seed)
        return make(*rest)
    build.__name__ = make.__name__
    return build


SEED = st.integers(0, 2 ** 16)


def linear(bias, x):
    return nn.Linear(x.shape[-1], 2, bias=bias), (x,)


test_linear = module_gradient_test(
    _seeded(linear), SEED, st.booleans(),
    arrays(shapes(min_dims=1, max_dims=3, min_side=1)))


def conv2d(bias, case):
    g, x = case
    return nn.Conv2d(g["c"], g["out_channels"], g["kernel"], g["stride"], g["padding"],
                     g["dilation"], bias=bias), (x,)


test_conv2d = module_gradient_test(_seeded(conv2d), SEED, st.booleans(),
                                   _with_input(conv_geometry()))


def max_pool2d(case):
    g, x = case
    return nn.MaxPool2d(g["kernel"], g["stride"], g["padding"]), (x,)


# distinct values: a tie in a window is a kink (tests/test_autograd/test_ties.py has its rule)
test_max_pool2d = module_gradient_test(max_pool2d, _with_input(pool_geometry(), DISTINCT))


def avg_pool2d(case):
    g, x = case
    return nn.AvgPool2d(g["kernel"], g["stride"], g["padding"]), (x,)


test_avg_pool2d = module_gradient_test(avg_pool2d, _with_input(pool_geometry()))


def batch_norm(training, shape, x, stats):
    layer = nn.BatchNorm2d(shape[1]) if len(shape) == 4 else nn.BatchNorm1d(shape[1])
    mean, var = stats
    layer.running_mean[...], layer.running_var[...] = mean[:shape[1]], var[:shape[1]]
    nn.init.normal_(layer.weight, 1.0, 0.5)
    nn.init.normal_(layer.bias, 0.0, 0.5)
    return layer.train(training), (x,)


_bn_shape = st.shared(st.sampled_from([(4, 2), (3, 2, 2, 2), (2, 3, 3, 1)]), key="bn")
# distinct values: a channel of equal values has zero variance, the pole of 1 / std
test_batch_norm = module_gradient_test(
    _seeded(batch_norm), SEED, st.booleans(), _bn_shape,
    _bn_shape.flatmap(lambda s: arrays(s, DISTINCT)),
    st.tuples(arrays((3,)), arrays((3,), "positive")))


def mlp(x):
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.Sigmoid(),
                         nn.Linear(4, 2)), (x,)


test_mlp = module_gradient_test(_seeded(mlp), SEED, arrays((2, 3)))


def small_convnet(case):
    """conv -> tanh -> max pool -> flatten -> linear: the shape of SimpleConvNet, smooth."""
    g, x = case
    conv = nn.Conv2d(g["c"], 2, g["kernel"], g["stride"], g["padding"], g["dilation"])
    oh, ow = g["output_hw"]
    return nn.Sequential(conv, nn.Tanh(), nn.Flatten(), nn.Linear(2 * oh * ow, 3)), (x,)


test_small_convnet = module_gradient_test(_seeded(small_convnet), SEED,
                                          _with_input(conv_geometry(), DISTINCT))


class _Logits(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids):
        return self.model(ids)[0]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_language_model(cell):
    """Embedding -> RNN, GRU or LSTM -> Linear (vol 2 ch. 5 and 6): one case each, the
    recurrent layers alone being drawn over their geometries above and in test_recurrent."""
    nn.manual_seed(0)
    model = nn.zoo.LanguageModel(5, 3, 3, cell=cell)
    nn.init.normal_(model.embed.weight)  # the book's 0.01 start makes every check trivial
    assert check_module_gradients(_Logits(model), np.array([[0, 3, 4], [2, 2, 1]]))
    with pytest.raises(ag.ArgumentError, match="unknown cell 'elman'"):
        nn.zoo.LanguageModel(5, cell="elman")


class Elman(nn.Module):
    """A tanh RNN written with Linear layers, unrolled over time (num_layers, bidirectional,
    batch_first as torch.nn.RNN): what sequence_geometry draws for."""

    def __init__(self, g):
        super().__init__()
        self.g = g
        directions = 2 if g["bidirectional"] else 1
        self.cells = nn.ModuleList()
        for layer in range(g["num_layers"]):
            size = g["input_size"] if layer == 0 else g["hidden_size"] * directions
            for _ in range(directions):
                self.cells.append(nn.Linear(size + g["hidden_size"], g["hidden_size"]))

    def forward(self, x, h0):
        g = self.g
        xs = [x[:, t] if g["batch_first"] else x[t] for t in range(g["T"])]
        directions = 2 if g["bidirectional"] else 1
        for layer in range(g["num_layers"]):
            outs = []
            for d in range(directions):
                cell, h = self.cells[layer * directions + d], h0[layer * directions + d]
                steps = []
                for xt in (xs if d == 0 else xs[::-1]):
                    h = ag.tanh(cell(ag.concatenate([xt, h], axis=1)))
                    steps.append(h)
                outs.append(steps if d == 0 else steps[::-1])
            xs = [ag.concatenate([o[t] for o in outs], axis=1) for t in range(g["T"])]
        return ag.stack(xs, axis=1 if g["batch_first"] else 0)


def elman(case):
    g, x, h0 = case
    return Elman(g), (x, h0)


test_elman_rnn = module_gradient_test(
    _seeded(elman), SEED,
    sequence_geometry(max_layers=2).flatmap(lambda g: st.tuples(
        st.just(g), arrays(g["input_shape"], "unit"), arrays(g["state_shape"], "unit"))))


class _HalfGradient(ag.Function):
    """x * w, whose backward forgets half of w's gradient: a bug to be found."""

    def forward(self, x, w):
        self.save_for_backward(x, w)
        return x * w

    def backward(self, grad):
        x, w = self.saved
        return grad * w, grad * x * 0.5


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.full(3, 2.0, np.float32))

    def forward(self, x):
        return ag.tanh(_HalfGradient()(x, self.scale))


def test_a_wrong_parameter_gradient_is_named_and_drawn(tmp_path, dot):
    module = Scaled()
    with pytest.raises(ag.GradcheckError) as info:
        check_module_gradients(module, np.ones((2, 3)), picture=tmp_path / "bad.svg")
    msg = str(info.value)
    assert msg.startswith("Scaled: gradcheck: the gradient of parameter 'scale' disagrees")
    assert f"here _HalfGradient): {tmp_path / 'bad.svg'}" in msg
    svg = (tmp_path / "bad.svg").read_text()
    assert "_HalfGradient" in svg and "#ff6b6b" in svg  # the wrong op, in red
    assert module.scale.dtype == np.float32 and module.scale.grad is None  # left as it was


def test_a_failing_property_test_draws_only_the_shrunk_case(tmp_path):
    test = module_gradient_test(lambda x: (Scaled(), (x,)), arrays((2, 3)),
                                picture_dir=tmp_path)
    with pytest.raises(ag.GradcheckError, match="parameter 'scale'"):
        test()
    pictures = list(tmp_path.iterdir())
    assert len(pictures) == 1 and pictures[0].name.startswith("test_module_gradients_of_")
