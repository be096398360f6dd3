"""Chapter 6.5: random search for the learning rate and the weight decay, on a validation split.

Hyperparameters are chosen on data the network does not train on and that the final test
does not use either: here 20% of 500 MNIST training images, split off with
``nn.data.random_split``. Each trial draws the learning rate from 10^U(-6, -2) and the weight
decay from 10^U(-8, -4) -- uniform on a log scale, since only the order of magnitude matters
at first -- trains a seven-layer network briefly, and records its validation accuracy. The
good trials mark out a band of learning rates; a finer search would go on inside it.

    python examples/ch06_hyperparameter_search.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn.data
import nn.zoo
import optim

import _common


def trial(lr: float, weight_decay: float, split: tuple[np.ndarray, ...], epochs: int,
          seed: int) -> dict[str, list[float]]:
    """Train and validation accuracy after each epoch for one (lr, weight_decay)."""
    x_train, t_train, x_val, t_val = split
    rng = _common.seed_all(seed)
    model = nn.zoo.MLP(784, (100,) * 6, 10)
    opt = optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
    n = len(x_train)
    history: dict[str, list[float]] = {"train": [], "val": []}
    for _ in range(epochs):
        for i in _common.batch_indices(n, 100, n // 100, rng):
            _common.train_step(model, opt, x_train[i], t_train[i])
        history["train"].append(_common.accuracy(model, x_train, t_train))
        history["val"].append(_common.accuracy(model, x_val, t_val))
    return history


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__, data="mnist").parse_args(argv)
    clock = _common.Stopwatch()
    rng = _common.seed_all(args.seed)
    data = _common.load_mnist(args.data_dir, n_train=500, n_test=0)
    # The split is made once, so every trial is judged on the same 100 images.
    train, val = nn.data.random_split(nn.data.ArrayDataset(data.x_train, data.t_train),
                                      [0.8, 0.2], seed=args.seed)
    split = (*train.get_batch(np.arange(len(train))), *val.get_batch(np.arange(len(val))))
    trials = 3 if args.quick else 50
    epochs = 3 if args.quick else 50
    print(f"{trials} random trials, 784-100x6-10 ReLU network, SGD, batch 100, {epochs} "
          f"epochs on {len(train)} images, validated on {len(val)}:")
    results: list[dict[str, Any]] = []
    for _ in _common.progress(range(trials), not args.no_progress, "trials"):
        lr = float(10 ** rng.uniform(-6, -2))
        weight_decay = float(10 ** rng.uniform(-8, -4))
        history = trial(lr, weight_decay, split, epochs, args.seed)
        results.append({"lr": lr, "weight_decay": weight_decay, "val": history["val"][-1],
                        "history": history})
    results.sort(key=lambda r: -r["val"])
    print("the best five:")
    for r in results[:5]:
        print(f"  lr {r['lr']:.2e}, weight decay {r['weight_decay']:.2e}: validation accuracy "
              f"{r['val']:.2f}")
    good = [r["lr"] for r in results if r["val"] >= 0.8 * results[0]["val"]]
    print(f"trials within 80% of the best have lr in [{min(good):.1e}, {max(good):.1e}]")

    plt = _common.pyplot()
    fig, (ax_lr, ax_both, ax_best) = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
    lrs = np.array([r["lr"] for r in results])
    wds = np.array([r["weight_decay"] for r in results])
    vals = np.array([r["val"] for r in results])
    ax_lr.scatter(lrs, vals)
    ax_lr.set(xscale="log", xlabel="learning rate", ylabel="validation accuracy",
              title="validation accuracy by learning rate")
    points = ax_both.scatter(lrs, wds, c=vals, cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(points, ax=ax_both, label="validation accuracy")
    ax_both.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="weight decay",
                title="the trials")
    epoch = np.arange(1, epochs + 1)
    for k, r in enumerate(results[:5]):
        line, = ax_best.plot(epoch, r["history"]["val"], label=f"lr {r['lr']:.1e}")
        ax_best.plot(epoch, r["history"]["train"], "--", color=line.get_color(), lw=0.8)
    ax_best.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02),
                title="best five: validation (solid), train (dashed)")
    ax_best.legend(loc="lower right", fontsize=8)
    for ax in (ax_lr, ax_both, ax_best):
        ax.grid(alpha=0.3)
    figure = _common.save_figure(fig, args.out, "ch06_hyperparameter_search.png")
    best = {k: results[0][k] for k in ("lr", "weight_decay", "val")}
    return {"best": best, "trials": [{k: r[k] for k in ("lr", "weight_decay", "val")}
                                     for r in results],
            "figures": [figure], "seconds": clock.done()}


if __name__ == "__main__":
    main()
