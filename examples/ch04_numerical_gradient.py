"""Chapter 4: the gradient, by numerical differentiation and by backpropagation, and gradient
descent on f(x0, x1) = x0^2 + x1^2.

A central difference (f(x + h) - f(x - h)) / 2h needs two evaluations of f per input
coordinate; backward() gets every coordinate of the gradient from one forward and one
backward pass. On a grid of points the two agree to rounding error. The arrows of -grad f
all point to the minimum, and following them with a good learning rate gets there; too large
a rate diverges, too small a rate barely moves.

    python examples/ch04_numerical_gradient.py [--quick] [--out DIR]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd as ag
import optim

import _common

START = (-3.0, 4.0)


def f(x: Any) -> Any:
    """x0^2 + x1^2 for each row of x (an (N, 2) array or Variable)."""
    return (x ** 2).sum(axis=1)


def central_difference(x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """(f(x + h e_i) - f(x - h e_i)) / 2h for each coordinate i, at every row of x."""
    grad = np.zeros_like(x)
    for i in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[i] = h
        grad[:, i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def backprop(x: np.ndarray) -> np.ndarray:
    """The same gradient from backward(): rows are independent, so d sum f / dx is each row's."""
    v = ag.Variable(x)
    f(v).sum().backward()
    return v.grad.data


def descend(lr: float, steps: int) -> np.ndarray:
    """The points that SGD visits from START: an array of shape (steps + 1, 2)."""
    x = ag.Variable(np.array([START]))
    opt = optim.SGD([x], lr=lr)
    path = [x.data[0].copy()]
    for _ in range(steps):
        opt.zero_grad()
        f(x).sum().backward()
        opt.step()
        path.append(x.data[0].copy())
    return np.array(path)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__).parse_args(argv)
    clock = _common.Stopwatch()
    g = np.arange(-2.0, 2.5, 0.5 if args.quick else 0.25)
    xx, yy = np.meshgrid(g, g)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)

    numerical = central_difference(points)
    analytic = backprop(points)
    exact = 2 * points
    diff = float(abs(numerical - analytic).max())
    print(f"gradient at {len(points)} grid points: max |central difference - backward()| = "
          f"{diff:.2e}; max |backward() - 2x| = {abs(analytic - exact).max():.2e}")
    at = np.array([[3.0, 4.0]])
    shown = {"central difference (h=1e-4)": central_difference(at)[0],
             "backward()": backprop(at)[0],
             "ag.numerical_grad": ag.numerical_grad(lambda v: f(v).sum(), at)[0][0]}
    for name, value in shown.items():
        print(f"  at (3, 4), {name:28s} {value[0]:.12f} {value[1]:.12f}")

    steps = 20 if args.quick else 100
    runs = {lr: descend(lr, steps) for lr in (0.1, 10.0, 1e-10)}
    finals = {lr: path[-1] for lr, path in runs.items()}
    for lr, end in finals.items():
        print(f"gradient descent from {START}, lr={lr:g}, {steps} steps: ends at "
              f"({end[0]:.4g}, {end[1]:.4g}), f = {f(end[None])[0]:.4g}")

    plt = _common.pyplot()
    fig, (ax_q, ax_d) = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
    ax_q.quiver(points[:, 0], points[:, 1], -analytic[:, 0], -analytic[:, 1],
                np.hypot(*analytic.T), angles="xy", cmap="viridis")
    ax_q.set(title="-grad f by backward(): towards the minimum", xlabel="x0", ylabel="x1")
    c = np.linspace(-4.5, 4.5, 200)
    cx, cy = np.meshgrid(c, c)
    ax_d.contour(cx, cy, cx ** 2 + cy ** 2, levels=[1, 4, 9, 16, 25], colors="lightgray")
    path = runs[0.1][:21]
    ax_d.plot(path[:, 0], path[:, 1], "o-", ms=4, label="lr=0.1 (first 20 steps)")
    ax_d.plot(*START, "k*", ms=12, label="start")
    ax_d.set(title="gradient descent on x0^2 + x1^2", xlabel="x0", ylabel="x1",
             xlim=(-4.5, 4.5), ylim=(-4.5, 4.5))
    ax_d.legend()
    for ax in (ax_q, ax_d):
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)
    figure = _common.save_figure(fig, args.out, "ch04_numerical_gradient.png")
    return {"max_diff": diff, "final_points": finals, "figures": [figure],
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
