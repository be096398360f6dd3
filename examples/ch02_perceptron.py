"""Chapter 2: perceptrons as logic gates.

One perceptron -- one Linear unit followed by a step -- draws one straight line through the
plane, which is enough for AND, NAND and OR with weights set by hand. XOR is not linearly
separable: it takes two layers (XOR = AND(NAND, OR)). Then the same gates are learned by
gradient descent instead of set by hand: a single unit learns AND, NAND and OR but not XOR,
and a two-layer network learns XOR too.

    python examples/ch02_perceptron.py [--quick] [--out DIR]
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from matplotlib.colors import ListedColormap

import nn
import optim
from nn import functional as F

import _common

INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float64)  # rows: (x1, x2)
TRUTH = {"AND": [0, 0, 0, 1], "NAND": [1, 1, 1, 0], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
# Hand-picked (w1, w2, b): any line that puts the four points on the right sides will do.
HAND_SET = {"AND": (0.5, 0.5, -0.7), "NAND": (-0.5, -0.5, 0.7), "OR": (0.5, 0.5, -0.2)}


def linear_unit(w1: float, w2: float, b: float) -> nn.Linear:
    """A Linear(2, 1) with the given weights: the weighted sum of a perceptron."""
    unit = nn.Linear(2, 1, dtype=np.float64)
    unit.weight.data = np.array([[w1, w2]])
    unit.bias.data = np.array([b])
    return unit


Gate = Callable[[np.ndarray], np.ndarray]


def gate(model: nn.Module) -> Gate:
    """A perceptron: the step of the model's output, from (N, 2) inputs to (N,) in {0, 1}."""
    def f(x: np.ndarray) -> np.ndarray:
        return (model(x).data[:, 0] > 0).astype(np.float64)
    return f


def hand_set_gates() -> dict[str, Gate]:
    """AND, NAND and OR as single perceptrons; XOR as two layers of them."""
    gates = {name: gate(linear_unit(*wb)) for name, wb in HAND_SET.items()}

    def xor(x: np.ndarray) -> np.ndarray:
        # NAND and OR side by side are the first layer; AND of their outputs the second.
        return gates["AND"](np.stack([gates["NAND"](x), gates["OR"](x)], axis=1))
    gates["XOR"] = xor
    return gates


def learn(model: nn.Module, target: Sequence[int], steps: int, lr: float,
          adam: bool = False) -> float:
    """Fit ``model`` to one truth table by descending the binary cross-entropy; returns the
    final loss."""
    t = np.array(target, dtype=np.float64)[:, None]
    opt = (optim.Adam(model.parameters(), lr=lr) if adam
           else optim.SGD(model.parameters(), lr=lr))
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(model(INPUTS), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(F.binary_cross_entropy_with_logits(model(INPUTS), t).data)


def table(f: Gate) -> list[int]:
    return [int(v) for v in f(INPUTS)]


def draw(ax: Any, f: Gate, target: Sequence[int], title: str,
         lines: Sequence[tuple[float, float, float]] = ()) -> None:
    """The region a gate maps to 1 (shaded), the four inputs (filled = 1) and extra lines."""
    g = np.linspace(-0.5, 1.5, 201)
    xx, yy = np.meshgrid(g, g)
    zz = f(np.stack([xx.ravel(), yy.ravel()], axis=1)).reshape(xx.shape)
    # imshow, not contourf: a step function has no in-between levels to interpolate.
    ax.imshow(zz, extent=(-0.5, 1.5, -0.5, 1.5), origin="lower", vmin=0, vmax=1,
              cmap=ListedColormap(["white", "#9ecae1"]), interpolation="nearest")
    for (x1, x2), y in zip(INPUTS, target):
        ax.scatter(x1, x2, s=90, c="#08519c" if y else "white", edgecolors="#08519c", zorder=3)
    for w1, w2, b in lines:  # w1 x1 + w2 x2 + b = 0
        ax.plot(g, -(w1 * g + b) / w2, "--", color="gray", lw=1)
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), title=title, xticks=[0, 1], yticks=[0, 1])
    ax.set_aspect("equal")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__).parse_args(argv)
    clock = _common.Stopwatch()
    _common.seed_all(args.seed)
    steps = 150 if args.quick else 1000

    gates = hand_set_gates()
    hand = {name: table(f) for name, f in gates.items()}
    print("hand-set perceptrons, outputs for (0,0) (1,0) (0,1) (1,1):")
    for name, outputs in hand.items():
        layers = "2 layers" if name == "XOR" else "1 layer "
        print(f"  {name:4s} ({layers}): {outputs}  {'ok' if outputs == TRUTH[name] else 'WRONG'}")

    learned: dict[str, nn.Module] = {}
    losses: dict[str, float] = {}
    for name in ("AND", "NAND", "OR", "XOR"):
        learned[name] = nn.Linear(2, 1, dtype=np.float64)
        losses[name] = learn(learned[name], TRUTH[name], steps, lr=1.0)
    # Two layers of tanh units can bend the boundary around XOR's diagonal.
    learned["XOR 2 layers"] = nn.Sequential(nn.Linear(2, 4, dtype=np.float64), nn.Tanh(),
                                            nn.Linear(4, 1, dtype=np.float64))
    losses["XOR 2 layers"] = learn(learned["XOR 2 layers"], TRUTH["XOR"], steps, lr=0.1,
                                   adam=True)
    learned_fns = {name: gate(m) for name, m in learned.items()}
    learned_tables = {name: table(f) for name, f in learned_fns.items()}
    accuracy = {name: float(np.mean(np.array(out) == TRUTH[name.split()[0]]))
                for name, out in learned_tables.items()}
    print(f"learned by gradient descent ({steps} steps of binary cross-entropy):")
    for name, outputs in learned_tables.items():
        print(f"  {name:12s}: {outputs}  accuracy {accuracy[name]:.2f}, loss {losses[name]:.4f}")
    # NOTE: no line separates XOR, so the best single unit outputs 1/2 everywhere: its loss
    # tends to ln 2 and the sign of its (nearly zero) output, hence its table, is noise.
    print(f"  (ln 2 = {np.log(2):.4f}: the loss of answering 1/2 everywhere)")

    plt = _common.pyplot()
    fig, axes = plt.subplots(2, 5, figsize=(14, 6.4), layout="constrained")
    for ax, name in zip(axes[0], ("AND", "NAND", "OR")):
        draw(ax, gates[name], TRUTH[name], f"{name}, by hand", [HAND_SET[name]])
    draw(axes[0, 3], lambda x: np.zeros(len(x)), TRUTH["XOR"], "XOR: two lines needed",
         [HAND_SET["NAND"], HAND_SET["OR"]])
    draw(axes[0, 4], gates["XOR"], TRUTH["XOR"], "XOR = AND(NAND, OR)")
    for ax, name in zip(axes[1], learned):
        draw(ax, learned_fns[name], TRUTH[name.split()[0]],
             f"{name}: loss {losses[name]:.2f}")
    fig.suptitle("Perceptrons: set by hand (top), learned by gradient descent (bottom)")
    figure = _common.save_figure(fig, args.out, "ch02_perceptron.png")
    return {"hand_set": hand, "learned": learned_tables, "accuracy": accuracy, "loss": losses,
            "figures": [figure], "seconds": clock.done()}


if __name__ == "__main__":
    main()
