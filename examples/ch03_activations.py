"""Chapter 3: activation functions, and why softmax subtracts the max.

Plots the step function, the sigmoid and ReLU, and their derivatives as autograd computes them
(the step has none worth having: it is flat wherever it is defined, which is why networks
trained by gradient descent use smooth or piecewise-linear activations). Then softmax on large
inputs: computed naively, exp overflows to inf and the result is inf / inf = nan; subtracting
the largest input first changes nothing mathematically (softmax(a) = softmax(a - c)) and keeps
every exp in [0, 1].

    python examples/ch03_activations.py [--quick] [--out DIR]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd as ag
from nn import functional as F

import _common

LARGE = np.array([1010.0, 1000.0, 990.0])  # the book's example of inputs that overflow exp


def derivative(f: Any, x: np.ndarray) -> np.ndarray:
    """f'(x) at every point of x, by backpropagation (f acts elementwise, so d sum f = f')."""
    v = ag.Variable(x)
    f(v).sum().backward()
    return v.grad.data


def naive_softmax(a: np.ndarray) -> np.ndarray:
    """exp(a) / sum(exp(a)), as written in the formula."""
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point here
        e = ag.exp(ag.Variable(a))
        return (e / e.sum()).data


def shifted_softmax(a: np.ndarray) -> np.ndarray:
    """The same with the max subtracted first: the largest exponent is exp(0) = 1."""
    e = ag.exp(ag.Variable(a) - a.max())
    return (e / e.sum()).data


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__).parse_args(argv)
    clock = _common.Stopwatch()
    x = np.linspace(-5.0, 5.0, 101 if args.quick else 1001)

    curves = {
        "step": (x > 0).astype(np.float64),
        "sigmoid": ag.sigmoid(ag.Variable(x)).data,
        "ReLU": F.relu(ag.Variable(x)).data,
    }
    # The step is a comparison, not a differentiable op: its derivative is 0 except at 0.
    grads = {"step": np.zeros_like(x), "sigmoid": derivative(ag.sigmoid, x),
             "ReLU": derivative(F.relu, x)}
    print(f"sigmoid'(0) = {grads['sigmoid'][np.argmin(abs(x))]:.4f} (the largest it gets: "
          f"1/4), sigmoid'(5) = {grads['sigmoid'][-1]:.4f}")
    print(f"ReLU' = {grads['ReLU'][x < 0].max():.0f} for x < 0 and "
          f"{grads['ReLU'][x > 0].min():.0f} for x > 0")

    naive = naive_softmax(LARGE)
    shifted = shifted_softmax(LARGE)
    library = F.softmax(LARGE).data
    print(f"exp overflows float64 above {np.log(np.finfo(np.float64).max):.2f} and float32 "
          f"above {np.log(np.finfo(np.float32).max):.2f}")
    print(f"softmax{tuple(LARGE.tolist())}:")
    print(f"  naive exp(a) / sum(exp(a)): {naive}")
    print(f"  exp(a - max) / sum:         {shifted} (sum {shifted.sum():.6f})")
    print(f"  nn.functional.softmax:      {library}")

    plt = _common.pyplot()
    fig, (ax_f, ax_g, ax_s) = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
    styles = {"step": "--", "sigmoid": "-", "ReLU": "-."}
    for name, y in curves.items():
        ax_f.plot(x, y, styles[name], label=name)
        ax_g.plot(x, grads[name], styles[name], label=name)
    ax_f.set(title="activations h(x)", xlabel="x", ylim=(-0.1, 1.6))
    ax_g.set(title="derivatives h'(x), by backward()", xlabel="x", ylim=(-0.1, 1.1))
    for ax in (ax_f, ax_g):
        ax.legend()
        ax.grid(alpha=0.3)
    pos = np.arange(len(LARGE))
    ax_s.bar(pos, shifted, 0.5, label="exp(a - max a) / sum")
    for i, p in enumerate(naive):  # nothing to draw for a nan: say so where its bar would be
        ax_s.text(i, shifted[i] * 3, f"{shifted[i]:.2g}\nnaive: {p}", ha="center",
                  va="bottom", fontsize=9)
    ax_s.set_yscale("log")
    ax_s.set(title=f"softmax of a = {LARGE.astype(int).tolist()}", xticks=pos,
             xticklabels=[f"a[{i}]" for i in pos], ylabel="probability (log scale)",
             ylim=(1e-10, 1e3))
    ax_s.legend(loc="upper right")
    figure = _common.save_figure(fig, args.out, "ch03_activations.png")
    return {"sigmoid_grad_max": float(grads["sigmoid"].max()), "relu_grad": grads["ReLU"],
            "x": x, "naive_softmax": naive, "shifted_softmax": shifted,
            "library_softmax": library, "figures": [figure], "seconds": clock.done()}


if __name__ == "__main__":
    main()
