"""Chapter 6.3: Batch Normalization makes training fast and the initial weights matter less.

The same six-layer ReLU network (five hidden layers of 100) is trained on 1000 MNIST images
with and without a BatchNorm1d after each hidden Linear, starting from weights drawn with a
range of standard deviations. Without batch norm most scales learn slowly or not at all: the
signal dies away (small weights) or blows up (large ones). With it every layer's inputs are
re-centred and re-scaled per batch, and nearly every scale learns, faster.

    python examples/ch06_batch_norm.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn
import nn.zoo
import optim

import _common


def train(batch_norm: bool, std: float, data: _common.Mnist, epochs: int,
          seed: int) -> list[float]:
    """Training-set accuracy after each epoch (in eval mode, with the running statistics)."""
    rng = _common.seed_all(seed)  # same batches for both networks
    model = nn.zoo.MLP(784, (100,) * 5, 10, batch_norm=batch_norm)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, 0.0, std)
    opt = optim.SGD(model.parameters(), lr=0.01)
    n = len(data.x_train)
    accs = []
    # NOTE: without batch norm, weights of std 1 multiply the signal by about 7 per layer
    # and the float32 logits overflow: the loss turns inf/nan and accuracy stays at chance.
    # That failure is one of the things this figure shows, so its warnings are silenced.
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            for i in _common.batch_indices(n, 100, n // 100, rng):
                _common.train_step(model, opt, data.x_train[i], data.t_train[i])
            accs.append(_common.accuracy(model, data.x_train, data.t_train))
    return accs


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__, data="mnist").parse_args(argv)
    clock = _common.Stopwatch()
    data = _common.load_mnist(args.data_dir, n_train=200 if args.quick else 1000, n_test=0)
    stds = np.logspace(0, -4, 2 if args.quick else 16)
    epochs = 2 if args.quick else 20
    print(f"training accuracy after {epochs} epochs on {len(data.x_train)} MNIST images "
          f"(SGD lr=0.01, batch 100), by the std of the initial weights:")
    curves: dict[float, dict[str, list[float]]] = {}
    for std in _common.progress(stds, not args.no_progress, "weight scales"):
        curves[float(std)] = {"batch norm": train(True, std, data, epochs, args.seed),
                              "none": train(False, std, data, epochs, args.seed)}
        c = curves[float(std)]
        print(f"  std {std:8.2e}: with batch norm {c['batch norm'][-1]:.3f}, "
              f"without {c['none'][-1]:.3f}", flush=True)

    plt = _common.pyplot()
    cols = min(len(stds), 4)
    rows = -(-len(stds) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3 * cols + 1, 2.6 * rows + 0.6),
                             layout="constrained", sharex=True, sharey=True, squeeze=False)
    for ax, (std, c) in zip(axes.flat, curves.items()):
        epoch = np.arange(1, epochs + 1)
        ax.plot(epoch, c["batch norm"], "-", label="batch norm")
        ax.plot(epoch, c["none"], "--", label="none")
        ax.set(title=f"std {std:.2g}", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel("train accuracy")
    axes.flat[0].legend(loc="lower right")
    fig.suptitle("With and without batch normalization, by initial weight scale")
    figure = _common.save_figure(fig, args.out, "ch06_batch_norm.png")
    final = {std: {k: v[-1] for k, v in c.items()} for std, c in curves.items()}
    return {"final_train_acc": final, "figures": [figure], "seconds": clock.done()}


if __name__ == "__main__":
    main()
