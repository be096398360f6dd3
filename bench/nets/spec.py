"""The three networks as lists of layers, their weights and data from one seed, and a NumPy
float64 forward pass that every framework's loss is checked against before timing.

Weights are in zerograd's (and PyTorch's) layouts: Linear (out, in), Conv2d (OC, C, KH, KW);
a builder converts them where a framework differs (DeZero's Linear keeps W as (in, out)).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# A layer is a tuple: ("conv", C, OC, K, padding), ("relu",), ("pool", 2), ("flatten",),
# ("linear", in_features, out_features) or ("dropout", p). Pools are 2x2 with stride 2.
Layer = tuple[Any, ...]


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer by name ("sgd" or "adam") and learning rate, with PyTorch's defaults for
    the rest (SGD without momentum; Adam betas (0.9, 0.999), eps 1e-8)."""

    name: str
    lr: float

    def __str__(self) -> str:
        return f"{'SGD' if self.name == 'sgd' else 'Adam'} lr {self.lr:g}"


@dataclass(frozen=True)
class NetSpec:
    """A network, its input and how its weights and data are made.

    Args:
        name: the key the builders know it by ("mlp", "simple_cnn", "deep_cnn").
        title: a short description for tables.
        layers: the layers in order.
        input_shape: the shape of one sample, e.g. (1, 28, 28) or (784,).
    """

    name: str
    title: str
    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...]
    classes: int = 10

    def weights(self, seed: int) -> list[np.ndarray]:
        """Weight and bias of every conv and linear layer, in order, float32: He-normal
        weights (std sqrt(2 / fan_in)) and small random biases, so loading a bias wrongly
        shows in the loss check."""
        rng = np.random.default_rng(seed)
        out: list[np.ndarray] = []
        for layer in self.layers:
            shape: tuple[int, ...]
            if layer[0] == "conv":
                _, c, oc, k, _ = layer
                shape, fan_in = (oc, c, k, k), c * k * k
            elif layer[0] == "linear":
                _, fan_in, n_out = layer
                shape = (n_out, fan_in)
            else:
                continue
            weight = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
            out.append(weight.astype(np.float32))
            out.append((rng.standard_normal(shape[0]) * 0.01).astype(np.float32))
        return out

    def batches(self, batch_size: int, count: int,
                seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """``count`` batches of float32 inputs in [0, 1) (like scaled MNIST pixels) and int64
        labels in [0, classes)."""
        rng = np.random.default_rng(seed)
        return [(rng.random((batch_size, *self.input_shape), dtype=np.float32),
                 rng.integers(0, self.classes, batch_size, dtype=np.int64))
                for _ in range(count)]

    @property
    def has_dropout(self) -> bool:
        return any(layer[0] == "dropout" for layer in self.layers)


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, padding: int) -> np.ndarray:
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(xp, w.shape[2:], axis=(2, 3))  # (N, C, OH, OW, KH, KW)
    y = np.tensordot(windows, w, axes=((1, 4, 5), (1, 2, 3)))    # (N, OH, OW, OC)
    return y.transpose(0, 3, 1, 2) + b[:, None, None]


def _pool(x: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    if h % 2 or w % 2:
        raise ValueError(f"reference: 2x2 pooling needs even sizes, got {x.shape}")
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def reference_loss(net: NetSpec, weights: list[np.ndarray], x: np.ndarray,
                   t: np.ndarray) -> float:
    """Mean cross-entropy of ``net`` on (x, t) in float64, dropout off: the value every
    framework's loss must match."""
    params = iter([w.astype(np.float64) for w in weights])
    y = x.astype(np.float64)
    ops: dict[str, Callable[..., np.ndarray]] = {
        "conv": lambda y, _c, _oc, _k, pad: _conv(y, next(params), next(params), pad),
        "relu": lambda y: np.maximum(y, 0.0),
        "pool": lambda y, _k: _pool(y),
        "flatten": lambda y: y.reshape(len(y), -1),
        "linear": lambda y, _i, _o: y @ next(params).T + next(params),
        "dropout": lambda y, _p: y,
    }
    for layer in net.layers:
        y = ops[layer[0]](y, *layer[1:])
    top = y.max(axis=1, keepdims=True)
    lse = np.log(np.exp(y - top).sum(axis=1)) + top[:, 0]
    return float((lse - y[np.arange(len(t)), t]).mean())


def dtype_label(dtypes: Any) -> str:
    """The distinct dtypes of some gradients, as the tables show them: "float32+float64".
    Takes the dtype objects (a set, so ``str()`` runs once per kind, not per parameter)."""
    return "+".join(sorted(str(d).replace("torch.", "") for d in set(dtypes)))


@dataclass
class Trainer:
    """One framework's network, optimizer and loss, as the workloads use them.

    Args:
        convert: NumPy (x, t) -> the framework's inputs (done outside the clock).
        step: one training step on converted (x, t): forward, loss, zero_grad, backward,
            optimizer step. Returns the dtypes of the parameters' gradients (joined by "+"),
            so a framework that computes gradients in another precision shows in the table.
        infer: the forward pass on converted x without recording a graph; returns the
            output's dtype.
        loss: the loss on converted (x, t) as a float, without recording a graph.
        set_training: dropout on (True) or off (False).
    """

    convert: Callable[[np.ndarray, np.ndarray], tuple[Any, Any]]
    step: Callable[[Any, Any], str]
    infer: Callable[[Any], str]
    loss: Callable[[Any, Any], float]
    set_training: Callable[[bool], None]


def _conv_block(c: int, oc: int, padding: int = 1) -> tuple[Layer, ...]:
    return (("conv", c, oc, 3, padding), ("relu",))


NETS: dict[str, NetSpec] = {n.name: n for n in (
    NetSpec("mlp", "MLP 784-100-100-10",
            (("linear", 784, 100), ("relu",), ("linear", 100, 100), ("relu",),
             ("linear", 100, 10)),
            (784,)),
    NetSpec("simple_cnn", "SimpleConvNet (conv 30@5x5, pool, 100, 10)",
            (("conv", 1, 30, 5, 0), ("relu",), ("pool", 2), ("flatten",),
             ("linear", 30 * 12 * 12, 100), ("relu",), ("linear", 100, 10)),
            (1, 28, 28)),
    # The book's chapter 8 network; the fourth convolution pads by 2 (16x16 -> 8x8 pooled).
    NetSpec("deep_cnn", "DeepConvNet (book ch. 8: 6 conv 3x3, 3 pools, 50, 10, dropout)",
            (*_conv_block(1, 16), *_conv_block(16, 16), ("pool", 2),
             *_conv_block(16, 32), *_conv_block(32, 32, padding=2), ("pool", 2),
             *_conv_block(32, 64), *_conv_block(64, 64), ("pool", 2),
             ("flatten",), ("linear", 64 * 4 * 4, 50), ("relu",), ("dropout", 0.5),
             ("linear", 50, 10), ("dropout", 0.5)),
            (1, 28, 28)),
)}
