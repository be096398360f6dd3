"""The "cuda" device against the CPU: every op of the op table, the nn layers, a short
SimpleConvNet training, and the second book's GPU chapters (word2vec, a language model,
seq2seq generation). Marked ``gpu``; they skip, saying why, without CuPy and a GPU (the
same checks run on every machine on the fake device: tests/test_*/test_devices.py).

Run them with ``pytest -m gpu tests``.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
import optim
from nn import zoo

from .test_autograd.op_table import Row
from .test_autograd.test_devices import ON_DEVICE, check_row
from .test_nn import test_devices as nn_devices
from .test_nn import test_vol2_devices as vol2
from .test_optim.test_mixed import _spiral_run

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def cuda() -> str:
    try:
        ag.devices.backend("cuda")
    except ag.MissingDependencyError as err:
        pytest.skip(str(err))
    return "cuda"


@pytest.mark.parametrize("row", ON_DEVICE, ids=[r.name for r in ON_DEVICE])
@settings(max_examples=5)
@given(data=st.data())
def test_every_op_on_the_gpu_matches_the_cpu(cuda, row: Row, data) -> None:
    # NOTE: float64 on both; the GPU sums in another order, so not to the last bit
    check_row(row, data.draw(row.args), "cuda:0", rtol=1e-9)


def test_layers_on_the_gpu_match_the_cpu(cuda) -> None:
    nn_devices.check_layers("cuda:0")


@pytest.mark.parametrize("name", ["mlp", "simple-cnn"])
def test_training_on_the_gpu_matches_the_cpu(cuda, name) -> None:
    nn_devices.check_training(name, "cuda:0", rtol=1e-4)


def test_weights_files_from_the_gpu_are_numpy(cuda, tmp_path) -> None:
    model = zoo.SimpleConvNet().cuda()
    model.save(tmp_path / "w.npz", dtype=np.float16)
    back = zoo.SimpleConvNet()
    back.load(tmp_path / "w.npz")
    np.testing.assert_allclose(back.conv.weight.data, model.conv.weight.numpy(), rtol=1e-3,
                               atol=1e-4)
    assert nn.Linear(2, 2).cuda().weight.device == "cuda:0"


@pytest.mark.parametrize("cls", [nn.word2vec.CBOW, nn.word2vec.SkipGram])
def test_word2vec_on_the_gpu_matches_the_cpu(cuda, cls) -> None:
    vol2.check_word2vec(cls, "cuda:0", rtol=1e-4)


def test_a_language_model_on_the_gpu_matches_the_cpu(cuda) -> None:
    vol2.check_language_model("cuda:0", rtol=1e-4)


def test_generation_on_the_gpu_matches_the_cpu(cuda) -> None:
    vol2.check_generate("cuda:0", rtol=1e-4)


def test_mixed_precision_on_the_gpu(cuda) -> None:
    # float16 compute on CuPy with float32 master weights learns the spiral as on the CPU
    nn.random.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 30), nn.ReLU(), nn.Linear(30, 3)).half().cuda()
    opt = optim.MasterWeights(optim.SGD(model.parameters(), lr=1.0), loss_scale=2.0 ** 10)
    losses = _spiral_run(model, opt, "cuda:0")
    assert losses[-1] < 0.6 * losses[0]
    assert all(p.device == "cuda:0" and p.dtype == np.float16 for p in model.parameters())
    assert all(m.device == "cuda:0" and m.dtype == np.float32 for m in opt.masters)


def test_a_float16_convnet_on_the_gpu_is_close_to_float32(cuda) -> None:
    # NOTE: float16 keeps ~3 decimal digits; through two layers and a mean, 2e-2 relative
    nn.random.manual_seed(0)
    model = zoo.SimpleConvNet().cuda()
    x = np.random.default_rng(0).standard_normal((8, 1, 28, 28)).astype(np.float32)
    t = np.arange(8) % 10
    full = nn.functional.cross_entropy(model(ag.Variable(x).cuda()), ag.Variable(t).cuda())
    model.half()
    half = nn.functional.cross_entropy(model(ag.Variable(x.astype(np.float16)).cuda()),
                                       ag.Variable(t).cuda())
    half.backward()
    assert half.dtype == np.float16
    np.testing.assert_allclose(float(half.item()), float(full.item()), rtol=2e-2)
    assert all(p.grad.dtype == np.float16 and np.isfinite(p.grad.numpy()).all()
               for p in model.parameters())
