"""Chapter 6.2: the initial weights decide whether a deep network can learn.

Random inputs go through five layers of 100 units; the histograms show each layer's
activations. With sigmoid units, weights of std 1 push the activations to 0 and 1, where the
sigmoid is flat and gradients vanish; std 0.01 collapses them onto 0.5, so all units say the
same thing; Xavier (std sqrt(1 / n)) keeps them spread. With ReLU units, std 0.01 and Xavier
let the activations shrink layer after layer, He (std sqrt(2 / n)) keeps their scale. Then on
MNIST: a five-layer ReLU network trained with SGD from each initialisation.

    python examples/ch06_weight_init.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

import autograd as ag
import nn
import nn.zoo
import optim

import _common

WIDTH, DEPTH = 100, 5
INITS: dict[str, Callable[[nn.Parameter], Any]] = {
    "std 1": lambda w: nn.init.normal_(w, 0.0, 1.0),
    "std 0.01": lambda w: nn.init.normal_(w, 0.0, 0.01),
    # NOTE: for a square layer Xavier's sqrt(2 / (fan_in + fan_out)) is the book's sqrt(1 / n).
    "Xavier": nn.init.xavier_normal_,
    "He": nn.init.kaiming_normal_,
}
SETTINGS = [("sigmoid", "std 1"), ("sigmoid", "std 0.01"), ("sigmoid", "Xavier"),
            ("ReLU", "std 0.01"), ("ReLU", "Xavier"), ("ReLU", "He")]


def activations(x: np.ndarray, activation: str, init: str) -> list[np.ndarray]:
    """Each layer's output for the inputs x, through DEPTH fresh Linear layers."""
    act = nn.Sigmoid() if activation == "sigmoid" else nn.ReLU()
    outputs = []
    with ag.no_grad():
        h: Any = x
        for _ in range(DEPTH):
            layer = nn.Linear(WIDTH, WIDTH, bias=False, dtype=np.float64)
            INITS[init](layer.weight)
            h = act(layer(h))
            outputs.append(h.data)
    return outputs


def train_mnist(init: str, data: _common.Mnist, steps: int, seed: int,
                show_progress: bool) -> tuple[list[float], float]:
    """Training losses of a 784-100x4-10 ReLU network from ``init``, and its test accuracy."""
    rng = _common.seed_all(seed)
    model = nn.zoo.MLP(784, (100,) * 4, 10)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            INITS[init](module.weight)
    opt = optim.SGD(model.parameters(), lr=0.01)
    batches = _common.batch_indices(len(data.x_train), 128, steps, rng)
    losses = [_common.train_step(model, opt, data.x_train[i], data.t_train[i])
              for i in _common.progress(batches, show_progress, init, total=steps)]
    return losses, _common.accuracy(model, data.x_test, data.t_test)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__, data="mnist").parse_args(argv)
    clock = _common.Stopwatch()
    rng = _common.seed_all(args.seed)
    x = rng.standard_normal((200 if args.quick else 1000, WIDTH))
    acts = {s: activations(x, *s) for s in SETTINGS}
    stds = {f"{a}, {i}": [float(h.std()) for h in hs] for (a, i), hs in acts.items()}
    print(f"std of each layer's activations ({len(x)} random inputs, {DEPTH} layers of "
          f"{WIDTH}):")
    for name, values in stds.items():
        print(f"  {name:18s} " + " ".join(f"{v:9.2e}" for v in values))

    plt = _common.pyplot()
    fig, axes = plt.subplots(len(SETTINGS), DEPTH, figsize=(11, 10), layout="constrained",
                             sharey="row")
    for row, (setting, hs) in zip(axes, acts.items()):
        for j, (ax, h) in enumerate(zip(row, hs)):
            if setting[0] == "ReLU":
                # About half of a ReLU's outputs are exactly 0 whatever the weights; the
                # positive half is the part whose scale the initialisation decides.
                ax.hist(h[h > 0], bins=30, range=(0, 2.5), color="tab:orange")
            else:
                ax.hist(h.ravel(), bins=30, range=(0, 1), color="tab:blue")
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(f"{setting[0]}\n{setting[1]}")
            if setting == SETTINGS[0]:
                ax.set_title(f"layer {j + 1}")
    fig.suptitle("activations by initial weights (rows) and layer (columns); for ReLU the "
                 "positive outputs only")
    figures = [_common.save_figure(fig, args.out, "ch06_weight_init_activations.png")]

    steps = 30 if args.quick else 2000
    data = _common.load_mnist(args.data_dir, n_train=1000 if args.quick else None,
                              n_test=500 if args.quick else None)
    print(f"MNIST, 784-100x4-10 ReLU network, SGD lr=0.01, batch 128, {steps} steps:")
    losses, test_acc = {}, {}
    for init in ("std 0.01", "Xavier", "He"):
        losses[init], test_acc[init] = train_mnist(init, data, steps, args.seed,
                                                   not args.no_progress)
        print(f"  {init:8s} loss at step 1 {losses[init][0]:.4f}, mean of the last 100 steps "
              f"{np.mean(losses[init][-100:]):.4f}, test accuracy {test_acc[init]:.4f}",
              flush=True)
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    window = 1 if args.quick else 50
    for init, values in losses.items():
        ax.plot(_common.smooth(values, window), label=init)
    top = max(max(v) for v in losses.values())
    ax.set(title=f"MNIST training loss by initial weights (running mean of {window})",
           xlabel="step", ylabel="loss", ylim=(0, math.ceil(top)))
    ax.legend()
    ax.grid(alpha=0.3)
    figures.append(_common.save_figure(fig, args.out, "ch06_weight_init_mnist.png"))
    return {"activation_std": stds, "final_loss": {k: float(np.mean(v[-100:]))
                                                   for k, v in losses.items()},
            "test_acc": test_acc, "figures": figures, "seconds": clock.done()}


if __name__ == "__main__":
    main()
