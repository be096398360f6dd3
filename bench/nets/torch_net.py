"""The networks in PyTorch (CPU): ``torch.nn`` layers in a Sequential, ``F.cross_entropy``,
``torch.optim``; the spec's weights copied in (same layouts as zerograd's)."""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np

from bench.nets.spec import NetSpec, OptimizerSpec, Trainer, dtype_label


def _layers(torch: Any, net: NetSpec) -> list[Any]:
    tnn = torch.nn
    makers: dict[str, Callable[..., Any]] = {
        "conv": lambda c, oc, k, pad: tnn.Conv2d(c, oc, k, padding=pad),
        "relu": lambda: tnn.ReLU(),
        "pool": lambda k: tnn.MaxPool2d(k),
        "flatten": lambda: tnn.Flatten(),
        "linear": lambda n_in, n_out: tnn.Linear(n_in, n_out),
        "dropout": lambda p: tnn.Dropout(p),
    }
    return [makers[layer[0]](*layer[1:]) for layer in net.layers]


def build(torch: ModuleType, net: NetSpec, optimizer: OptimizerSpec,
          weights: list[np.ndarray], device: str = "cpu") -> Trainer:
    F = torch.nn.functional
    model = torch.nn.Sequential(*_layers(torch, net))
    params = list(model.parameters())
    if len(params) != len(weights):
        raise ValueError(f"bench.nets: PyTorch's {net.name} has {len(params)} parameters, "
                         f"the spec {len(weights)}")
    with torch.no_grad():
        for p, w in zip(params, weights):
            if tuple(p.shape) != w.shape:
                raise ValueError(f"bench.nets: PyTorch parameter of shape {tuple(p.shape)} "
                                 f"given a weight of shape {w.shape}")
            p.copy_(torch.from_numpy(w))
    model.to(device)
    sync = (lambda: None) if device == "cpu" else torch.cuda.synchronize
    opt = (torch.optim.SGD(params, lr=optimizer.lr) if optimizer.name == "sgd"
           else torch.optim.Adam(params, lr=optimizer.lr))

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
        with torch.no_grad():
            y = model(x)
        sync()
        return str(y.dtype)

    def loss(x: Any, t: Any) -> float:
        with torch.no_grad():
            return float(F.cross_entropy(model(x), t).item())

    def set_training(mode: bool) -> None:
        model.train(mode)

    return Trainer(convert=lambda x, t: (torch.from_numpy(x).to(device),
                                         torch.from_numpy(t).to(device)),
                   step=step, infer=infer, loss=loss, set_training=set_training)
