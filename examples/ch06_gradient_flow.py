"""Chapter 6.2 seen from the gradients: why sigmoid with small initial weights cannot learn.

Two 784-100x4-10 networks train on MNIST with SGD: sigmoid units with weights of std 0.01,
and ReLU units with He's initialisation. ``nn.GradientFlow`` records every layer's gradient
norm and update/weight ratio at each step. With sigmoid and std 0.01, each layer passes back
at most 0.25 (the sigmoid's largest slope) times its tiny weights, so the gradient shrinks by
orders of magnitude toward the input and the first layers barely move; with ReLU and He the
norms stay within one order of magnitude from layer to layer. The figures: the norms per layer
over training, the norms by depth at the end, and the sigmoid network's graph with each
layer's frame coloured by its gradient norm.

    python examples/ch06_gradient_flow.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

import shutil
from typing import Any, Sequence

import numpy as np

import autograd as ag
import nn
import nn.zoo
import optim
from nn import functional as F

import _common

SETTINGS = {"sigmoid, std 0.01": ("sigmoid", lambda w: nn.init.normal_(w, 0.0, 0.01)),
            "ReLU, He": ("relu", nn.init.kaiming_normal_)}


def train(setting: str, data: _common.Mnist, steps: int, seed: int,
          show_progress: bool) -> tuple[nn.GradientFlow, list[float], Any, nn.Module]:
    """A run of ``steps`` SGD steps: the flow it recorded, the losses, the last loss (its
    graph, freed of arrays, still drawable) and the model."""
    activation, init = SETTINGS[setting]
    rng = _common.seed_all(seed)
    model = nn.zoo.MLP(784, (100,) * 4, 10, activation=activation)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            init(module.weight)
    opt = optim.SGD(model.parameters(), lr=0.1)
    flow = nn.GradientFlow(model)
    losses, loss = [], None
    for i in _common.progress(_common.batch_indices(len(data.x_train), 100, steps, rng),
                              show_progress, setting, total=steps):
        loss = F.cross_entropy(model(data.x_train[i]), data.t_train[i])
        opt.zero_grad()
        loss.backward()
        flow.step(opt)
        losses.append(float(loss.data))
    return flow, losses, loss, model


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = _common.make_parser(__doc__, data="mnist").parse_args(argv)
    clock = _common.Stopwatch()
    steps = 20 if args.quick else 1000
    data = _common.load_mnist(args.data_dir, n_train=1000 if args.quick else None,
                              n_test=500 if args.quick else None)
    runs = {s: train(s, data, steps, args.seed, not args.no_progress) for s in SETTINGS}

    print(f"MNIST, 784-100x4-10, SGD lr=0.1, batch 100, {steps} steps; gradient norm of each "
          "layer's weight (input first), mean over the last 10% of the steps:")
    depth_norms: dict[str, list[float]] = {}
    for setting, (flow, losses, _, model) in runs.items():
        weights = [n for n in flow.names if n.endswith("weight")]
        tail = max(1, len(flow.steps) // 10)
        depth_norms[setting] = [float(np.mean(flow.grad_norm[n][-tail:])) for n in weights]
        ratios = [float(np.mean(flow.update_ratio[n][-tail:])) for n in weights]
        print(f"  {setting:18s} " + " ".join(f"{v:9.2e}" for v in depth_norms[setting]))
        print(f"  {'update / weight':18s} " + " ".join(f"{v:9.2e}" for v in ratios))
        print(f"  {'':18s} loss: first {losses[0]:.3f}, last 10% {np.mean(losses[-tail:]):.3f}"
              f", test accuracy {_common.accuracy(model, data.x_test, data.t_test):.4f}")

    plt = _common.pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained", sharey=True)
    for ax, (setting, (flow, _, _, _)) in zip(axes[:2], runs.items()):
        weights = [n for n in flow.names if n.endswith("weight")]
        colours = plt.cm.viridis(np.linspace(0, 0.9, len(weights)))
        for k, (name, colour) in enumerate(zip(weights, colours)):
            ax.plot(flow.steps, flow.grad_norm[name], color=colour, label=f"layer {k + 1}")
        ax.set(title=f"{setting}: gradient norm per layer", xlabel="step", yscale="log")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    for setting, norms in depth_norms.items():
        axes[2].plot(range(1, len(norms) + 1), norms, "o-", label=setting)
    axes[2].set(title="gradient norm by depth, end of training", xlabel="layer (1 = input)",
                yscale="log", xticks=range(1, 6))
    axes[2].grid(alpha=0.3, which="both")
    axes[2].legend()
    figures = [_common.save_figure(fig, args.out, "ch06_gradient_flow.png")]
    graphs = []
    if shutil.which("dot"):
        for setting, (flow, _, loss, model) in runs.items():
            name = "ch06_gradient_flow_" + ("sigmoid" if "sigmoid" in setting else "relu")
            graphs.append(ag.render(loss, f"{args.out}/{name}.svg", module=model, collapse=2,
                                    shade=flow.layer_norms(), shade_label="grad norm",
                                    hide_constants=True, title=setting))
    return {"depth_norms": depth_norms, "figures": figures, "graphs": graphs,
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
