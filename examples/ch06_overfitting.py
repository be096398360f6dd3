"""Chapter 6.4: overfitting, and two ways to hold it back -- weight decay and dropout.

A seven-layer ReLU network (six hidden layers of 100) has far more weights than 300 training
images need: trained long enough it gets all 300 right while doing much worse on the test
set. Weight decay (an L2 penalty on the weights, here through the optimizer's
``weight_decay`` on the weight matrices only) and dropout (a random fifth of the hidden
units switched off at every step) both narrow the gap between training and test accuracy.

    python examples/ch06_overfitting.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn.zoo
import optim

import _common

WEIGHT_DECAY = 0.1
DROPOUT = 0.2


def train(kind: str, data: _common.Mnist, epochs: int, seed: int,
          show_progress: bool) -> dict[str, list[float]]:
    """Train and test accuracy after every epoch for ``kind``: "none", "weight decay" or
    "dropout"."""
    rng = _common.seed_all(seed)
    model = nn.zoo.MLP(784, (100,) * 6, 10, dropout=DROPOUT if kind == "dropout" else 0.0)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if not name.endswith("weight")]
    decay = WEIGHT_DECAY if kind == "weight decay" else 0.0
    # Two parameter groups: as in the book, the penalty is on the weights and not the biases.
    groups: list[dict[str, Any]] = [{"params": weights, "weight_decay": decay},
                                    {"params": biases}]
    opt = optim.SGD(groups, lr=0.01)
    n = len(data.x_train)
    history: dict[str, list[float]] = {"train": [], "test": []}
    for _ in _common.progress(range(epochs), show_progress, kind):
        for i in _common.batch_indices(n, 100, max(n // 100, 1), rng):
            _common.train_step(model, opt, data.x_train[i], data.t_train[i])
        history["train"].append(_common.accuracy(model, data.x_train, data.t_train))
        history["test"].append(_common.accuracy(model, data.x_test, data.t_test))
    return history


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__, data="mnist").parse_args(argv)
    clock = _common.Stopwatch()
    data = _common.load_mnist(args.data_dir, n_train=300, n_test=500 if args.quick else None)
    epochs = 5 if args.quick else 200
    print(f"784-100x6-10 ReLU network, {len(data.x_train)} training images, SGD lr=0.01, "
          f"batch 100, {epochs} epochs; accuracy at the end (train / test on "
          f"{len(data.x_test)}):")
    histories = {}
    for kind in ("none", "weight decay", "dropout"):
        histories[kind] = train(kind, data, epochs, args.seed, not args.no_progress)
        h = histories[kind]
        setting = {"none": "", "weight decay": f" {WEIGHT_DECAY}",
                   "dropout": f" p={DROPOUT}"}[kind]
        print(f"  {kind + setting:18s} train {h['train'][-1]:.4f}, test {h['test'][-1]:.4f}, "
              f"gap {h['train'][-1] - h['test'][-1]:.4f}", flush=True)

    plt = _common.pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained", sharey=True)
    epoch = np.arange(1, epochs + 1)
    for ax, (kind, h) in zip(axes, histories.items()):
        ax.plot(epoch, h["train"], label="train")
        ax.plot(epoch, h["test"], label="test")
        ax.set(title=kind, xlabel="epoch", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    axes[0].set_ylabel("accuracy")
    fig.suptitle(f"{len(data.x_train)} training images: no regularisation, weight decay "
                 f"{WEIGHT_DECAY}, dropout {DROPOUT}")
    figure = _common.save_figure(fig, args.out, "ch06_overfitting.png")
    final = {k: {"train": h["train"][-1], "test": h["test"][-1]} for k, h in histories.items()}
    return {"final": final, "figures": [figure], "seconds": clock.done()}


if __name__ == "__main__":
    main()
