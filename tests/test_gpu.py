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
from nn import zoo

from .test_autograd.op_table import Row
from .test_autograd.test_devices import ON_DEVICE, check_row
from .test_nn import test_devices as nn_devices
from .test_nn import test_vol2_devices as vol2

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
