"""The plots people would rather look at than read: learning curves and decision boundaries,
written as PNG files (matplotlib, without a screen)."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd as ag

if TYPE_CHECKING:
    from .module import Module
    from .train import History


def plot_history(history: History, path: str | os.PathLike, title: str = "") -> None:
    """Learning curves (loss and accuracy per epoch) saved as a PNG."""
    plt = _pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    dots = len(history.epoch) <= 30  # markers only while they can be told apart
    for ax, train, running, val, what in (
            (ax_loss, history.train_loss, history.running_loss, history.val_loss, "loss"),
            (ax_acc, history.train_acc, history.running_acc, history.val_acc, "accuracy")):
        ax.plot(history.epoch, train, "o-" if dots else "-", label="train (evaluation mode)")
        if len(running) == len(history.epoch):  # absent in histories of older versions
            ax.plot(history.epoch, running, ":", color="grey", label="running, train mode")
        if any(v is not None for v in val):
            ax.plot(history.epoch, val, "s-" if dots else "-", label="validation")
        ax.set(xlabel="epoch", ylabel=what, title=what)
    from matplotlib.ticker import MaxNLocator
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_decision_boundary(model: Module, x: np.ndarray, t: np.ndarray,
                           path: str | os.PathLike, resolution: int = 300) -> None:
    """The class the model predicts over the plane, with the 2-D points on top, as a PNG."""
    plt = _pyplot()
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0))
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(x.dtype)
    model.eval()
    with ag.no_grad():
        pred = model(grid).data.argmax(axis=1).reshape(xx.shape)
    from matplotlib.colors import ListedColormap
    k = int(max(t.max(), pred.max())) + 1
    cmap = ListedColormap(plt.cm.tab10.colors[:k])  # the same colour per class in both layers
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.contourf(xx, yy, pred, alpha=0.3, levels=np.arange(k + 1) - 0.5, cmap=cmap)
    ax.scatter(x[:, 0], x[:, 1], c=t, s=12, cmap=cmap, vmin=-0.5, vmax=k - 0.5, edgecolors="k",
               linewidths=0.3)
    ax.set(title="decision boundary", xlabel="x0", ylabel="x1")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _pyplot() -> Any:
    import matplotlib
    matplotlib.use("Agg")  # files only: no display is needed or used
    import matplotlib.pyplot as plt
    return plt
