"""Models, optimizers, weights files and data on another device, run on the fake device
(tests/fakedevice.py): the same numbers as on the CPU, NumPy in every file and state_dict."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from autograd import devices
from nn import cli, data, zoo
from nn.train import Trainer

from ..fakedevice import FakeArray, cupy_importable, fake_device, traffic


@pytest.fixture(scope="module")
def fake():
    with fake_device() as module:
        yield module


def _batch(seed: int = 0, n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, n)


def _train(model: nn.Module, device: str, steps: int = 3) -> list[float]:
    """Losses of a few Adam steps of ``model`` moved to ``device`` (batches moved too)."""
    model.to(device)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    x, t = _batch(n=16)
    loader = data.DataLoader(data.ArrayDataset(x, t), batch_size=8).to(device)
    losses = []
    for _ in range(steps):
        for xb, tb in loader:
            assert ag.Variable(xb).device == device
            loss = nn.functional.cross_entropy(model(xb), tb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses, opt


def check_training(name: str, device: str, rtol: float = 1e-5) -> None:
    """A few Adam steps of zoo model ``name`` on ``device`` give the CPU's losses and weights;
    the optimizer's state is on ``device``, its state_dict NumPy, loaded back onto ``device``."""
    nn.random.manual_seed(0)
    cpu_model = zoo.MODELS[name]()
    model = zoo.MODELS[name]()
    model.load_state_dict(cpu_model.state_dict())
    cpu_losses, _ = _train(cpu_model, "cpu")
    losses, opt = _train(model, device)
    np.testing.assert_allclose(losses, cpu_losses, rtol=rtol)
    on_device = type(devices.to_device(np.zeros(1), device))
    for (name_, p), q in zip(cpu_model.named_parameters(), model.parameters()):
        assert type(q.data) is on_device and q.device == device, name_
        np.testing.assert_allclose(q.numpy(), p.data, rtol=100 * rtol, atol=1e-6, err_msg=name_)
    arrays = [v for s in opt.state.values() for k, v in s.items() if k != "step"]
    assert arrays and all(type(v) is on_device for v in arrays)
    state = opt.state_dict()
    assert all(type(v) is np.ndarray for s in state["state"].values() for k, v in s.items()
               if k != "step")
    fresh = optim.Adam(model.parameters(), lr=1e-2)
    fresh.load_state_dict(state)
    assert all(type(v) is on_device for s in fresh.state.values() for k, v in s.items()
               if k != "step")


@pytest.mark.parametrize("name", ["mlp", "simple-cnn"])
def test_training_on_another_device_matches_the_cpu(fake, name) -> None:
    check_training(name, "fake:0")


def check_layers(device: str) -> None:
    """Conv, batch norm, pooling, dropout, linear, layer norm, LSTM and GRU on ``device``
    give the CPU's outputs and gradients, and keep their buffers there."""
    nn.random.manual_seed(1)
    layers = [
        (nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                       nn.MaxPool2d(2), nn.AvgPool2d(2), nn.Flatten(), nn.Dropout(0.3),
                       nn.Linear(3 * 7 * 7, 4), nn.LayerNorm(4)), _batch(2)[0]),
        (nn.LSTM(5, 6, num_layers=2), np.random.default_rng(3).standard_normal((4, 2, 5))
         .astype(np.float32)),
        (nn.GRU(5, 6), np.random.default_rng(4).standard_normal((4, 2, 5)).astype(np.float32)),
    ]
    for layer, x in layers:
        nn.random.manual_seed(5)
        expected = layer(x)
        expected = expected[0] if isinstance(expected, tuple) else expected
        (expected * expected).sum().backward()
        grads = [p.grad.data.copy() for p in layer.parameters()]
        layer.zero_grad()
        layer.to(device)
        nn.random.manual_seed(5)  # the same dropout mask: drawn by NumPy on every device
        got = layer(devices.to_device(x, device))
        got = got[0] if isinstance(got, tuple) else got
        assert got.device == device
        (got * got).sum().backward()
        np.testing.assert_allclose(got.numpy(), expected.data, rtol=1e-4, atol=1e-5)
        for p, g in zip(layer.parameters(), grads):
            assert p.grad.device == device
            np.testing.assert_allclose(p.grad.numpy(), g, rtol=1e-3, atol=1e-4)
        for _, b in layer.named_buffers():
            assert ag.Variable(b).device == device
        layer.to("cpu")
        assert all(type(p.data) is np.ndarray for p in layer.parameters())
        assert all(type(p.grad.data) is np.ndarray for p in layer.parameters())


def test_layers_on_another_device_match_the_cpu(fake) -> None:
    check_layers("fake:0")


def test_weights_files_are_numpy_from_any_device_and_load_onto_the_models_device(
        fake, tmp_path) -> None:
    model = zoo.SimpleConvNet().to("fake")
    model.save(tmp_path / "w.npz")
    model.save(tmp_path / "w16.npz", dtype=np.float16)
    with np.load(tmp_path / "w.npz") as f:
        assert f["conv.weight"].dtype == np.float32
    assert all(type(a) is np.ndarray for a in model.state_dict().values())
    on_fake, on_cpu = zoo.SimpleConvNet().to("fake"), zoo.SimpleConvNet()
    on_fake.load(tmp_path / "w16.npz")
    on_cpu.load(tmp_path / "w.npz")
    assert type(on_fake.conv.weight.data) is FakeArray
    assert on_fake.conv.weight.dtype == np.float32
    np.testing.assert_allclose(on_fake.conv.weight.numpy(), on_cpu.conv.weight.data,
                               rtol=1e-3, atol=1e-4)
    on_cpu.load_state_dict(on_fake.state_dict())  # a state dict crosses devices too


def test_an_optimizer_step_refuses_a_gradient_on_another_device(fake) -> None:
    p = nn.Parameter(np.ones(2, dtype=np.float32))
    p.grad = ag.Variable(np.ones(2, dtype=np.float32)).to("fake")
    with pytest.raises(ag.DeviceError, match="SGD: the gradient of parameter 0 of group 0 is on "
                                             "fake:0, the parameter on cpu"):
        optim.SGD([p], lr=0.1).step()


def test_module_to_tells_devices_from_dtypes(fake) -> None:
    model = nn.Linear(2, 2)
    assert model.to(np.float64).weight.dtype == np.float64
    assert model.to("float32").weight.dtype == np.float32
    assert model.to(ag.Device("fake:0")).weight.device == "fake:0"
    assert model.cpu().weight.device == "cpu"


@pytest.mark.skipif(cupy_importable(), reason="CuPy is installed here")
def test_cuda_without_cupy_says_how_to_install_it(capsys) -> None:
    with pytest.raises(ag.MissingDependencyError, match=r"pip install 'zerograd\[gpu\]'"):
        nn.Linear(2, 2).cuda()
    with pytest.raises(ag.MissingDependencyError, match="needs CuPy"):
        data.DataLoader([1, 2], batch_size=1).to("cuda")
    assert cli.main(["train", "--epochs", "1", "--device", "cuda"]) == 1
    err = capsys.readouterr().err
    assert "zerograd: device 'cuda' needs CuPy" in err and "pip install" in err


def test_evaluate_on_a_device_reads_back_once(fake) -> None:
    """Trainer.evaluate sums the loss and the hits on the device: two numbers read back after
    the loader, not two per batch; cross_entropy checks the labels there (two flags copied
    back per batch, the labels not sent back again); the figures are the CPU's."""
    nn.random.manual_seed(0)
    model = zoo.MODELS["mlp"]()
    x, t = _batch(0, 40)
    on_cpu = Trainer(model, optim.SGD(model.parameters(), lr=0.1), progress=False)
    loader = data.DataLoader(data.ArrayDataset(x, t), batch_size=8)
    expected = on_cpu.evaluate(loader)
    model.to("fake")
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), progress=False)
    with traffic() as seen:
        got = trainer.evaluate(loader.to("fake"))
    # 5 batches: x and t copied once each, the labels' flags back once each, 2 sums read
    assert (seen.to_device, seen.to_host, seen.reads) == (10, 5, 2), seen
    np.testing.assert_allclose(got, expected, rtol=1e-6)
