"""Chapter 5: backpropagation on the computation graph of buying apples (and oranges).

Two apples at 100 each with 10% tax cost 220. Going forward, each node computes its value;
going backward, each node passes on the gradient it received times its local derivative, so
the gradient of the price reaches every input: d price / d apple = 2.2 (one more yen per
apple costs 2.2 more in total), d price / d apple count = 110, d price / d tax = 200. zerograd
records the same graph as the book's picture while the code runs; ``autograd.viz.render``
draws it with each value and gradient on its node. The numbers are checked against numerical
differentiation.

Drawing needs Graphviz's ``dot`` program; without it the DOT text is saved instead.

    python examples/ch05_apple_graph.py [--quick] [--out DIR]
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

import autograd as ag
from autograd.viz import GraphvizNotFoundError

import _common


APPLES = {"apple": 100.0, "apple count": 2.0, "tax": 1.1}
APPLES_AND_ORANGES = {"apple": 100.0, "apple count": 2.0, "orange": 150.0,
                      "orange count": 3.0, "tax": 1.1}
Nodes = dict[str, ag.Variable]


def intermediate(v: ag.Variable, name: str) -> ag.Variable:
    """Name a computed node and keep its gradient, so the picture can show both."""
    v.name = name
    v.retain_grad()
    return v


def apples(x: Nodes) -> tuple[ag.Variable, Nodes]:
    """price = apple * count * tax, the first graph of the chapter; returns the price and the
    computed nodes."""
    apple_price = intermediate(x["apple"] * x["apple count"], "apple price")
    return intermediate(apple_price * x["tax"], "price"), {"apple price": apple_price}


def apples_and_oranges(x: Nodes) -> tuple[ag.Variable, Nodes]:
    """price = (apple * apple count + orange * orange count) * tax."""
    apple_price = intermediate(x["apple"] * x["apple count"], "apple price")
    orange_price = intermediate(x["orange"] * x["orange count"], "orange price")
    total = intermediate(apple_price + orange_price, "before tax")
    price = intermediate(total * x["tax"], "price")
    return price, {"apple price": apple_price, "orange price": orange_price, "before tax": total}


def numerical(build: Callable[[Nodes], tuple[ag.Variable, Nodes]],
              values: dict[str, float]) -> dict[str, float]:
    """d price / d input for every input, by ``ag.numerical_grad`` (central differences)."""
    names = list(values)
    grads = ag.numerical_grad(lambda *xs: build(dict(zip(names, xs)))[0],
                              *(np.array(values[k]) for k in names))
    return {k: float(g) for k, g in zip(names, grads)}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__).parse_args(argv)
    clock = _common.Stopwatch()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"figures": []}
    graphs = {"apples": (apples, APPLES),
              "apples and oranges": (apples_and_oranges, APPLES_AND_ORANGES)}
    for key, (build, values) in graphs.items():
        leaves = {k: ag.Variable(np.float64(v), name=k) for k, v in values.items()}
        price, computed = build(leaves)
        price.backward(retain_graph=True)  # keep the graph: it is drawn afterwards
        grads = {k: float(v.grad.data) for k, v in {**leaves, **computed}.items()}
        check = numerical(build, values)
        print(f"{key}: price = {float(price.data):g}")
        for k, g in grads.items():
            shown = f" (numerical {check[k]:.6g})" if k in check else ""
            print(f"  d price / d {k:13s} = {g:g}{shown}")
        path = out / f"ch05_{key.replace(' ', '_')}_graph.png"
        try:
            ag.viz.render(price, path, format="png", show_values=True, show_grads=True,
                          rankdir="LR", title=f"{key}: value and gradient of each node")
            print(f"figure: {path}")
            results["figures"].append(path)
        except GraphvizNotFoundError as err:  # the DOT text was written beside it
            print(f"no picture: {err}")
        results[key] = {"price": float(price.data), "grads": grads, "numerical": check}
    results["seconds"] = clock.done()
    return results


if __name__ == "__main__":
    main()
