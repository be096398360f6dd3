"""Chapter 6.1: SGD, Momentum, AdaGrad, RMSprop and Adam compared.

First on the book's bowl f(x, y) = x^2 / 20 + y^2 from (-7, 2): 20 times flatter along x than
along y, so plain SGD zig-zags across the steep direction while crawling along the flat one;
Momentum builds up speed along x, AdaGrad and RMSprop scale each coordinate's step by its own
gradient history, Adam does both. Then on MNIST: the training loss of a five-layer ReLU
network (four hidden layers of 100) under each optimizer, same batches, same initial weights.

    python examples/ch06_optimizers.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd as ag
import nn.zoo
import optim

import _common

START = (-7.0, 2.0)
# Learning rates for the bowl: the book's for SGD, Momentum, AdaGrad and Adam; for RMSprop
# (not in the book's figure) one that takes a path of comparable length.
BOWL_LR = {"SGD": 0.95, "Momentum": 0.1, "AdaGrad": 1.5, "RMSprop": 0.15, "Adam": 0.3}
# Learning rates for MNIST: the book's (0.01, and Adam's usual 0.001); RMSprop as Adam.
MNIST_LR = {"SGD": 0.01, "Momentum": 0.01, "AdaGrad": 0.01, "RMSprop": 0.001, "Adam": 0.001}
CLASSES = {"SGD": optim.SGD, "Momentum": optim.Momentum, "AdaGrad": optim.AdaGrad,
           "RMSprop": optim.RMSprop, "Adam": optim.Adam}


def bowl(p: Any) -> Any:
    """f(x, y) = x^2 / 20 + y^2 at the point p = (x, y)."""
    return p[0] ** 2 / 20 + p[1] ** 2


def bowl_path(name: str, steps: int) -> np.ndarray:
    """The points optimizer ``name`` visits from START: an array of shape (steps + 1, 2)."""
    p = ag.Variable(np.array(START))
    opt = CLASSES[name]([p], lr=BOWL_LR[name])
    path = [p.data.copy()]
    for _ in range(steps):
        opt.zero_grad()
        bowl(p).backward()
        opt.step()
        path.append(p.data.copy())
    return np.array(path)


def mnist_losses(name: str, data: _common.Mnist, steps: int, seed: int,
                 show_progress: bool) -> tuple[list[float], float]:
    """Training losses of each step and the final test accuracy under optimizer ``name``."""
    rng = _common.seed_all(seed)  # the same initial weights and batches for every optimizer
    model = nn.zoo.MLP(784, (100, 100, 100, 100), 10)
    opt = CLASSES[name](model.parameters(), lr=MNIST_LR[name])
    batches = _common.batch_indices(len(data.x_train), 128, steps, rng)
    losses = [_common.train_step(model, opt, data.x_train[i], data.t_train[i])
              for i in _common.progress(batches, show_progress, name, total=steps)]
    return losses, _common.accuracy(model, data.x_test, data.t_test)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__, data="mnist").parse_args(argv)
    clock = _common.Stopwatch()
    paths = {name: bowl_path(name, 30) for name in CLASSES}
    ends = {name: float(bowl(path[-1])) for name, path in paths.items()}
    print(f"the bowl x^2/20 + y^2 from {START} (f = {bowl(np.array(START)):.3f}), 30 steps:")
    for name, path in paths.items():
        print(f"  {name:8s} lr={BOWL_LR[name]:<5g} ends at ({path[-1][0]:+.3f}, "
              f"{path[-1][1]:+.3f}), f = {ends[name]:.4f}")

    steps = 30 if args.quick else 2000
    data = _common.load_mnist(args.data_dir, n_train=1000 if args.quick else None,
                              n_test=500 if args.quick else None)
    print(f"MNIST, 784-100-100-100-100-10 ReLU network, batch 128, {steps} steps "
          f"({len(data.x_train)} training images):")
    losses, test_acc = {}, {}
    for name in CLASSES:
        losses[name], test_acc[name] = mnist_losses(name, data, steps, args.seed,
                                                    not args.no_progress)
        last = float(np.mean(losses[name][-100:]))
        print(f"  {name:8s} lr={MNIST_LR[name]:<6g} mean loss of the last 100 steps "
              f"{last:.4f}, test accuracy {test_acc[name]:.4f}", flush=True)

    plt = _common.pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), layout="constrained")
    gx, gy = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 200))
    for ax, (name, path) in zip(axes.flat, paths.items()):
        ax.contour(gx, gy, bowl((gx, gy)), levels=np.geomspace(0.05, 20, 10), colors="lightgray")
        ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", ms=3, lw=1)
        ax.plot(0, 0, "k+", ms=10)
        ax.set(title=f"{name} (lr={BOWL_LR[name]:g})", xlim=(-10, 10), ylim=(-5, 5))
    ax = axes.flat[5]
    window = 1 if args.quick else 50
    for name, values in losses.items():
        ax.plot(_common.smooth(values, window), label=name)
    ax.set(title=f"MNIST training loss (running mean of {window})", xlabel="step",
           ylabel="loss", ylim=(0, 1.0 if not args.quick else None))
    ax.legend()
    ax.grid(alpha=0.3)
    figure = _common.save_figure(fig, args.out, "ch06_optimizers.png")
    return {"bowl_final_f": ends, "mnist_final_loss": {k: float(np.mean(v[-100:]))
                                                       for k, v in losses.items()},
            "test_acc": test_acc, "figures": [figure], "seconds": clock.done()}


if __name__ == "__main__":
    main()
