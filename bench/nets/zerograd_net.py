"""The networks in zerograd: the model zoo's MLP, SimpleConvNet and DeepConvNet, as a user
would train them (``nn.zoo``, ``nn.functional.cross_entropy``, ``optim``)."""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from bench.nets.spec import NetSpec, OptimizerSpec, Trainer, dtype_label


def _model(nn: Any, net: NetSpec) -> Any:
    if net.name == "mlp":
        return nn.zoo.MLP(784, (100, 100), 10)
    if net.name == "simple_cnn":
        return nn.zoo.SimpleConvNet()
    if net.name == "deep_cnn":
        return nn.zoo.DeepConvNet()
    raise ValueError(f"bench.nets: zerograd has no model for {net.name!r}")


def build(ag: ModuleType, net: NetSpec, optimizer: OptimizerSpec,
          weights: list[np.ndarray], device: str = "cpu") -> Trainer:
    import nn
    import optim
    from nn import functional as F

    model = _model(nn, net)
    names = [name for name, _ in model.named_parameters()]
    if len(names) != len(weights):
        raise ValueError(f"bench.nets: zerograd's {net.name} has {len(names)} parameters, "
                         f"the spec {len(weights)}")
    model.load_state_dict(dict(zip(names, weights)))  # checks every shape
    model.to(device)
    if device != "cpu":
        ag.set_num_threads(1)  # zerograd's threads split NumPy work only
    params = list(model.parameters())
    # on a GPU each measured call waits for the work it queued, as PyTorch's does
    sync = (lambda: None) if device == "cpu" else lambda: ag.devices.synchronize(device)
    opt = (optim.SGD(params, lr=optimizer.lr) if optimizer.name == "sgd"
           else optim.Adam(params, lr=optimizer.lr))

    def grad_dtypes() -> str:
        return dtype_label(p.grad.dtype for p in params)

    def step(x: Any, t: Any) -> str:
        loss = F.cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sync()
        return grad_dtypes()

    def infer(x: Any) -> str:
        with ag.no_grad():
            y = model(x)
        sync()
        return str(y.dtype)

    def loss(x: Any, t: Any) -> float:
        with ag.no_grad():
            return float(F.cross_entropy(model(x), t).item())

    def set_training(mode: bool) -> None:
        model.train(mode)

    def convert(x: np.ndarray, t: np.ndarray) -> tuple[Any, Any]:
        return ag.devices.to_device(x, device), ag.devices.to_device(t, device)

    return Trainer(convert=convert, step=step, infer=infer, loss=loss,
                   set_training=set_training)
