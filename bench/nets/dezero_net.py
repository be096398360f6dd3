"""The networks in DeZero, as shipped: ``dezero.layers`` (L.Linear, L.Conv2d) and
``dezero.functions`` (relu, pooling, flatten, dropout, softmax_cross_entropy), trained with
``dezero.optimizers``. Its Linear keeps W as (in, out), so the spec's weight is transposed.

NOTE: DeZero's softmax_cross_entropy builds its one-hot targets in the labels' integer dtype,
so the logits' gradient comes out float64, and so does every gradient below it down to the
last max pooling, whose backward allocates in its input's dtype (float32 again). In the MLP
every gradient is float64. Its optimizers update the float32 parameters in place, which casts
the step back to float32. Measured as shipped, this extra precision is part of its time.
"""
from __future__ import annotations

import functools
from types import ModuleType
from typing import Any, Callable

import numpy as np

from bench.nets.spec import NetSpec, OptimizerSpec, Trainer, dtype_label


def build(dezero: ModuleType, net: NetSpec, optimizer: OptimizerSpec,
          weights: list[np.ndarray]) -> Trainer:
    F, L = dezero.functions, dezero.layers
    model = dezero.Model()
    ops: list[Callable[[Any], Any]] = []
    loaded = iter(weights)
    for i, layer in enumerate(net.layers):
        kind = layer[0]
        if kind in ("conv", "linear"):
            w, b = next(loaded), next(loaded)
            if kind == "conv":
                _, c, oc, k, pad = layer
                param_layer = L.Conv2d(oc, k, pad=pad, in_channels=c)
            else:
                _, n_in, n_out = layer
                param_layer = L.Linear(n_out, in_size=n_in)
                w = np.ascontiguousarray(w.T)
            if param_layer.W.shape != w.shape or param_layer.b.shape != b.shape:
                raise ValueError(f"bench.nets: DeZero layer {i} has W {param_layer.W.shape}, "
                                 f"the spec {w.shape}")
            param_layer.W.data, param_layer.b.data = w.copy(), b.copy()
            setattr(model, f"l{i}", param_layer)  # registers its parameters with the model
            ops.append(param_layer)
        elif kind == "relu":
            ops.append(F.relu)
        elif kind == "pool":
            # DeZero's stride defaults to 1, not to the kernel size.
            ops.append(functools.partial(F.pooling, kernel_size=layer[1], stride=layer[1]))
        elif kind == "flatten":
            ops.append(F.flatten)
        elif kind == "dropout":
            ops.append(functools.partial(F.dropout, dropout_ratio=layer[1]))
        else:
            raise ValueError(f"bench.nets: DeZero builder has no layer {kind!r}")
    params = [p for o in ops if isinstance(o, dezero.Layer) for p in (o.W, o.b)]
    opt = (dezero.optimizers.SGD(lr=optimizer.lr) if optimizer.name == "sgd"
           else dezero.optimizers.Adam(alpha=optimizer.lr)).setup(model)

    def forward(x: Any) -> Any:
        for op in ops:
            x = op(x)
        return x

    def grad_dtypes() -> str:
        return dtype_label(p.grad.dtype for p in params)

    def step(x: Any, t: Any) -> str:
        loss = F.softmax_cross_entropy(forward(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return grad_dtypes()

    def infer(x: Any) -> str:
        with dezero.no_grad(), dezero.test_mode():
            return str(forward(x).dtype)

    def loss(x: Any, t: Any) -> float:
        with dezero.no_grad(), dezero.test_mode():
            return float(F.softmax_cross_entropy(forward(x), t).data)

    def set_training(mode: bool) -> None:
        # DeZero's only switch for dropout is global; a worker runs one program at a time.
        dezero.Config.train = mode

    return Trainer(convert=lambda x, t: (x, t), step=step, infer=infer, loss=loss,
                   set_training=set_training)
