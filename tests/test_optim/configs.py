"""One row per optimizer and option combination, shared by the tests that run them all: the
comparison with torch.optim, the state_dict round trips and the dtype checks."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

import autograd as ag
import optim


class Config(NamedTuple):
    id: str
    cls: type
    kwargs: dict[str, Any]
    torch_name: str  # the class in torch.optim
    torch_kwargs: dict[str, Any] | None = None  # when torch needs other arguments than ours


CONFIGS = [
    Config("sgd-defaults", optim.SGD, {}, "SGD"),
    Config("sgd", optim.SGD, dict(lr=0.1), "SGD"),
    Config("sgd-weight_decay", optim.SGD, dict(lr=0.1, weight_decay=0.1), "SGD"),
    Config("sgd-momentum", optim.SGD, dict(lr=0.1, momentum=0.9), "SGD"),
    Config("sgd-momentum-dampening", optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5),
           "SGD"),
    Config("sgd-nesterov", optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True), "SGD"),
    Config("sgd-nesterov-weight_decay", optim.SGD,
           dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01), "SGD"),
    Config("sgd-momentum-dampening-weight_decay", optim.SGD,
           dict(lr=0.05, momentum=0.5, dampening=0.1, weight_decay=0.2), "SGD"),
    Config("momentum-defaults", optim.Momentum, {}, "SGD", dict(lr=0.01, momentum=0.9)),
    Config("momentum-nesterov", optim.Momentum, dict(lr=0.1, nesterov=True), "SGD",
           dict(lr=0.1, momentum=0.9, nesterov=True)),
    Config("adagrad-defaults", optim.AdaGrad, {}, "Adagrad"),
    Config("adagrad", optim.AdaGrad, dict(lr=0.1), "Adagrad"),
    Config("adagrad-lr_decay", optim.AdaGrad, dict(lr=0.1, lr_decay=0.1), "Adagrad"),
    Config("adagrad-weight_decay-initial_accumulator_value-eps", optim.AdaGrad,
           dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6), "Adagrad"),
    Config("rmsprop-defaults", optim.RMSprop, {}, "RMSprop"),
    Config("rmsprop-alpha-weight_decay", optim.RMSprop,
           dict(lr=0.01, alpha=0.9, weight_decay=0.1), "RMSprop"),
    Config("rmsprop-momentum", optim.RMSprop, dict(lr=0.01, momentum=0.9), "RMSprop"),
    Config("rmsprop-centered", optim.RMSprop, dict(lr=0.01, centered=True), "RMSprop"),
    Config("rmsprop-centered-momentum-eps", optim.RMSprop,
           dict(lr=0.01, centered=True, momentum=0.5, eps=1e-4), "RMSprop"),
    Config("adam-defaults", optim.Adam, {}, "Adam"),
    Config("adam", optim.Adam, dict(lr=0.1), "Adam"),
    Config("adam-betas-eps", optim.Adam, dict(lr=0.1, betas=(0.5, 0.9), eps=1e-3), "Adam"),
    Config("adam-weight_decay", optim.Adam, dict(lr=0.1, weight_decay=0.1), "Adam"),
    Config("adam-amsgrad", optim.Adam, dict(lr=0.1, betas=(0.9, 0.5), amsgrad=True), "Adam"),
    Config("adam-amsgrad-weight_decay", optim.Adam,
           dict(lr=0.1, betas=(0.8, 0.6), amsgrad=True, weight_decay=0.05), "Adam"),
    Config("adamw-defaults", optim.AdamW, {}, "AdamW"),
    Config("adamw-weight_decay", optim.AdamW, dict(lr=0.1, weight_decay=0.5), "AdamW"),
    Config("adamw-no-weight_decay", optim.AdamW, dict(lr=0.1, weight_decay=0.0), "AdamW"),
    Config("adamw-amsgrad", optim.AdamW,
           dict(lr=0.1, betas=(0.9, 0.5), amsgrad=True, weight_decay=0.1), "AdamW"),
]
IDS = [c.id for c in CONFIGS]

SHAPES = [(3, 2), (4,), ()]  # a matrix, a vector and a 0-d parameter


def initial_values(seed: int = 0, dtype: Any = np.float64) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def gradients(steps: int, seed: int = 1, dtype: Any = np.float64) -> list[list]:
    """Random gradients for each step; the vector has none at step 2 (it must be skipped)."""
    rng = np.random.default_rng(seed)
    out = []
    for step in range(steps):
        grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        if step == 2:
            grads[1] = None
        out.append(grads)
    return out


def set_grads(params: list[ag.Variable], grads: list) -> None:
    for p, g in zip(params, grads):
        p.grad = None if g is None else ag.Variable(g)
