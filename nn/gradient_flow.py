"""Gradient flow: each parameter's gradient norm and update-to-weight ratio, step by step.

Two numbers per parameter tell whether a network is learning everywhere: the norm of its
gradient (vanishing toward the input means the lower layers barely learn; exploding means
the steps are too big) and the norm of the optimizer's update divided by the norm of the
weight (around 1e-3 is a healthy rule of thumb; much smaller, the layer is frozen).

>>> import numpy as np, nn, optim
>>> from nn import functional as F
>>> nn.manual_seed(0)
>>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
>>> opt = optim.SGD(model.parameters(), lr=0.1)
>>> flow = GradientFlow(model)
>>> x, t = np.ones((4, 2), np.float32), np.array([0, 1, 2, 0])
>>> for _ in range(3):
...     loss = F.cross_entropy(model(x), t)
...     opt.zero_grad()
...     loss.backward()
...     flow.step(opt)                 # records, then opt.step(), then records the update
>>> flow.steps, sorted(flow.grad_norm)
([1, 2, 3], ['0.bias', '0.weight', '2.bias', '2.weight'])
>>> sorted(flow.module_norms())
['', '0', '2']
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from autograd import ArgumentError, GraphError


class GradientFlow:
    """Records, every ``every`` steps, each parameter's gradient norm and update/weight ratio.

    Args:
        model: the Module whose ``named_parameters()`` are watched.
        every: record one step in this many (the others pass straight to the optimizer).

    Attributes:
        steps: the step numbers recorded (counting from 1, every step, recorded or not).
        grad_norm: ``{parameter name: [norm per recorded step]}``, the L2 norm of ``.grad``
            (NaN where a parameter got no gradient).
        update_ratio: ``{parameter name: [||new - old|| / ||old|| per recorded step]}``.
    """

    def __init__(self, model: Any, every: int = 1) -> None:
        if int(every) < 1:
            raise ArgumentError(f"GradientFlow: every must be at least 1, got {every!r}")
        self.model, self.every = model, int(every)
        self.names = [name for name, _ in model.named_parameters()]
        self.steps: list[int] = []
        self.grad_norm: dict[str, list[float]] = {name: [] for name in self.names}
        self.update_ratio: dict[str, list[float]] = {name: [] for name in self.names}
        self._count = 0

    def step(self, optimizer: Any) -> None:
        """``optimizer.step()``, with the gradients recorded before it and the updates after
        (on the steps that are recorded)."""
        self._count += 1
        if (self._count - 1) % self.every:
            optimizer.step()
            return
        params = dict(self.model.named_parameters())
        before = {}
        for name in self.names:
            p = params[name]
            self.grad_norm[name].append(_norm(p.grad.data) if p.grad is not None else np.nan)
            before[name] = p.data.copy()
        optimizer.step()
        for name in self.names:
            old = before[name]
            size = _norm(old)
            change = _norm(params[name].data - old)
            self.update_ratio[name].append(change / size if size > 0 else np.nan)
        self.steps.append(self._count)

    def module_norms(self, step: int = -1) -> dict[str, float]:
        """The gradient norm of each module at a recorded step (the last by default): the
        L2 norm of all the parameter gradients below it, keyed by module path as
        ``named_modules()`` gives it (``""`` is the whole model). A module's norm includes its
        children's, so the outer ones are always the largest; for a picture use
        ``layer_norms``."""
        if not self.steps:
            raise GraphError("GradientFlow.module_norms: no step recorded yet")
        totals: dict[str, float] = {}
        for name in self.names:
            value = self.grad_norm[name][step]
            if not np.isfinite(value):
                continue
            parts = name.split(".")[:-1]
            for k in range(len(parts) + 1):
                path = ".".join(parts[:k])
                totals[path] = totals.get(path, 0.0) + value * value
        return {path: float(np.sqrt(v)) for path, v in totals.items()}

    def layer_norms(self, step: int = -1) -> dict[str, float]:
        """As ``module_norms``, for the modules that hold parameters directly (the layers):
        ``ag.render(loss, path, module=model, shade=flow.layer_norms())`` colours each
        layer's frame by its gradient norm."""
        layers = {name.rsplit(".", 1)[0] if "." in name else "" for name in self.names}
        return {k: v for k, v in self.module_norms(step).items() if k in layers}

    def plot(self, path: str | os.PathLike, title: str = "") -> None:
        """Two panels as a PNG: each parameter's gradient norm and its update/weight ratio
        per step, on log scales, weights in colour from input (dark) to output (light);
        the ratio panel marks the 1e-3 rule of thumb."""
        from .plots import _pyplot
        plt = _pyplot()
        fig, (ax_g, ax_u) = plt.subplots(1, 2, figsize=(11, 4))
        weights = [n for n in self.names if not n.endswith("bias")]
        colours = plt.cm.viridis(np.linspace(0, 0.9, max(len(weights), 1)))
        for name, colour in zip(weights, colours):
            ax_g.plot(self.steps, self.grad_norm[name], color=colour, label=name)
            ax_u.plot(self.steps, self.update_ratio[name], color=colour, label=name)
        ax_u.axhline(1e-3, color="grey", linestyle=":", label="1e-3")
        for ax, what in ((ax_g, "gradient norm"), (ax_u, "update / weight")):
            ax.set(xlabel="step", ylabel=what, title=what, yscale="log")
            ax.grid(alpha=0.3, which="both")
        ax_u.legend(fontsize=8, loc="best")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)


def _norm(a: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))
