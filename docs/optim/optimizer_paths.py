"""The figure of the book's chapter 6: the paths of SGD, Momentum, AdaGrad, RMSprop and Adam on
f(x, y) = x^2 / 20 + y^2 from (-7, 2), computed with zerograd's own optimizers.

Run it from the repository root to redraw ``docs/optim/optimizer_paths.png``::

    python docs/optim/optimizer_paths.py
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

import autograd as ag
import optim

START = (-7.0, 2.0)
STEPS = 30
# The book's learning rates (its ch06/optimizer_compare_naive.py) and, for RMSprop, which the
# book's figure leaves out, one whose first step (10 lr with alpha = 0.99) is as long as
# AdaGrad's.
OPTIMIZERS: dict[str, tuple[type[optim.Optimizer], dict[str, Any]]] = {
    "SGD": (optim.SGD, {"lr": 0.95}),
    "Momentum": (optim.Momentum, {"lr": 0.1}),
    "AdaGrad": (optim.AdaGrad, {"lr": 1.5}),
    "RMSprop": (optim.RMSprop, {"lr": 0.15}),
    "Adam": (optim.Adam, {"lr": 0.3}),
}
HERE = os.path.dirname(os.path.abspath(__file__))


def f(x: Any, y: Any) -> Any:
    """The bowl of the figure: 20 times flatter along x than along y; its minimum is (0, 0)."""
    return x ** 2 / 20 + y ** 2


def path(name: str, steps: int = STEPS) -> np.ndarray:
    """The points an optimizer visits from ``START``: an array of shape (steps + 1, 2).

    >>> p = path("SGD")
    >>> p.shape, p[0].tolist()
    ((31, 2), [-7.0, 2.0])
    >>> bool(f(*p[-1]) < f(*p[0]))
    True
    """
    cls, hyper = OPTIMIZERS[name]
    xy = ag.Variable(np.array(START))        # one Variable holds the point (x, y)
    optimizer = cls([xy], **hyper)
    points = [xy.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        f(xy[0], xy[1]).backward()
        optimizer.step()
        points.append(xy.data.copy())
    return np.array(points)


def draw(out: str) -> None:
    """One panel per optimizer over the contours of f, and the value of f per step."""
    import matplotlib
    matplotlib.use("Agg")  # a file only: no display is needed
    import matplotlib.pyplot as plt

    gx, gy = np.meshgrid(np.linspace(-10, 10, 401), np.linspace(-5, 5, 201))
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    values = {}
    for ax, name in zip(axes.flat, OPTIMIZERS):
        p = path(name)
        values[name] = f(p[:, 0], p[:, 1])
        ax.contour(gx, gy, f(gx, gy), levels=[0.25, 1, 2.5, 5, 10, 15, 20], colors="0.75",
                   linewidths=0.8)
        ax.plot(p[:, 0], p[:, 1], "o-", color="tab:red", markersize=3, linewidth=1)
        ax.plot(0, 0, "+", color="k", markersize=10)
        lr = OPTIMIZERS[name][1]["lr"]
        ax.set(xlim=(-10, 10), ylim=(-5, 5), xlabel="x", ylabel="y",
               title=f"{name} (lr={lr})")
    ax = axes.flat[-1]
    for name, v in values.items():
        ax.semilogy(v, "o-", markersize=2.5, linewidth=1, label=name)
    ax.set(xlabel="step", ylabel="f(x, y)", title=f"f along each path ({STEPS} steps)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.suptitle("f(x, y) = x²/20 + y² from (-7, 2)")
    fig.tight_layout()
    # No software version in the file, so the same code redraws the same bytes.
    fig.savefig(out, dpi=80, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    target = os.path.join(HERE, "optimizer_paths.png")
    draw(target)
    print(f"wrote {target}")
