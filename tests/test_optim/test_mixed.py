"""Mixed precision: a float16 model trained through float32 master weights and a dynamic
loss scale (optim.MasterWeights), on NumPy's float16; on the fake device too."""
from __future__ import annotations

import numpy as np
import pytest

import nn
import optim
from nn import functional as F

from ..fakedevice import FakeArray, fake_device


def _spiral_run(model: nn.Module, opt, device: str = "cpu", epochs: int = 30) -> list[float]:
    spiral = nn.data.Spiral()
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for x, t in nn.data.DataLoader(spiral, batch_size=30, shuffle=True, seed=epoch).to(
                device):
            x = x.astype(np.float16)
            loss = F.cross_entropy(model(x), t)
            opt.zero_grad()
            opt.scale(loss).backward()
            opt.step()
            total += float(loss.item())
        losses.append(total)
    return losses


def test_a_float16_model_learns_through_float32_master_weights() -> None:
    nn.random.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 30), nn.ReLU(), nn.Linear(30, 3)).half()
    opt = optim.MasterWeights(optim.SGD(model.parameters(), lr=1.0), loss_scale=2.0 ** 10)
    losses = _spiral_run(model, opt)
    assert losses[-1] < 0.6 * losses[0]
    assert all(p.dtype == np.float16 for p in model.parameters())
    assert all(m.dtype == np.float32 for m in opt.masters)
    for p, m in zip(model.parameters(), opt.masters):  # the parameters are the masters, rounded
        np.testing.assert_array_equal(p.data, m.data.astype(np.float16))
    # the masters keep what float16 rounds away: updates smaller than a float16 step add up
    assert any((m.data != p.data.astype(np.float32)).any()
               for p, m in zip(model.parameters(), opt.masters))


def test_an_overflowing_step_is_skipped_and_the_scale_halved() -> None:
    model = nn.Linear(2, 1).half()
    opt = optim.MasterWeights(optim.SGD(model.parameters(), lr=0.1), loss_scale=2.0 ** 20,
                              growth_interval=2)
    before = model.weight.data.copy()
    x = np.full((4, 2), 100, np.float16)
    loss = (model(x) ** 2).mean()
    opt.zero_grad()
    with np.errstate(over="ignore"):  # 2**20 times the gradient: beyond float16's 65504
        opt.scale(loss).backward()
    assert opt.step() is False and opt.skipped == 1 and opt.loss_scale == 2.0 ** 19
    np.testing.assert_array_equal(model.weight.data, before)
    opt.loss_scale = 1.0
    for _ in range(2):
        loss = (model(np.ones((4, 2), np.float16)) ** 2).mean()
        opt.zero_grad()
        opt.scale(loss).backward()
        assert opt.step() is True
    assert opt.loss_scale == 2.0  # two clean steps: doubled
    state = opt.state_dict()
    again = optim.MasterWeights(optim.SGD(nn.Linear(2, 1).half().parameters(), lr=0.1))
    again.load_state_dict(state)
    assert again.loss_scale == 2.0
    np.testing.assert_array_equal(again.masters[0].data, opt.masters[0].data)


def test_mixed_precision_on_another_device() -> None:
    with fake_device():
        nn.random.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 30), nn.ReLU(), nn.Linear(30, 3)).half().to("fake")
        opt = optim.MasterWeights(optim.Adam(model.parameters(), lr=0.05))
        losses = _spiral_run(model, opt, "fake", epochs=10)
        assert losses[-1] < losses[0]
        assert all(type(m.data) is FakeArray and m.dtype == np.float32 for m in opt.masters)
        assert all(type(p.data) is FakeArray and p.dtype == np.float16
                   for p in model.parameters())


def test_master_weights_refuses_what_is_not_an_optimizer() -> None:
    with pytest.raises(optim.OptimizerError, match="expected an optimizer, got list"):
        optim.MasterWeights([nn.Linear(1, 1).weight])
