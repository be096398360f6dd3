"""The ``zerograd`` command: train a zoo model, evaluate saved weights, draw a model's graph.

With no ``--dataset`` it trains an MLP on the generated spiral (no download at all) and draws
the decision boundary.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, Sequence

import numpy as np

import autograd as ag
import optim
from autograd.viz import GraphvizError

from . import data, random, zoo
from .functional import cross_entropy
from .train import Trainer, plot_decision_boundary, plot_history

DATASETS = {"spiral": None, "mnist": data.MNIST, "fashion-mnist": data.FashionMNIST}
OPTIMIZERS = {"sgd": optim.SGD, "momentum": optim.Momentum, "adagrad": optim.AdaGrad,
              "rmsprop": optim.RMSprop, "adam": optim.Adam, "adamw": optim.AdamW}
# The book's settings for the spiral (vol 2, ch 1): SGD with lr 1, batch 30, 300 epochs.
SPIRAL_DEFAULTS = dict(epochs=300, optimizer="sgd", lr=1.0, batch_size=30, hidden="10")
IMAGE_DEFAULTS = dict(epochs=3, optimizer="adam", lr=1e-3, batch_size=100, hidden="100,100")


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Show a default only where the help text does not already say it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False) or "(default" in text:
            return text
        return super()._get_help_string(action) or text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zerograd", description="Train and evaluate the book's networks with zerograd.",
        formatter_class=_Help)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", choices=sorted(zoo.MODELS), default="mlp",
                       help="network from the model zoo")
        p.add_argument("--dataset", choices=sorted(DATASETS), default="spiral",
                       help="spiral is generated; the image sets are read from --data-dir "
                            "(downloaded if missing)")
        p.add_argument("--data-dir", default=None,
                       help="folder holding mnist/ and fashion-mnist/ (default: "
                            "$ZEROGRAD_DATA, else ~/.cache/zerograd)")
        p.add_argument("--hidden", default=None,
                       help="MLP hidden sizes, comma separated (default: 10 for the spiral, "
                            "100,100 for images)")
        p.add_argument("--batch-size", type=int, default=None,
                       help="batch size (default: training 30 for the spiral, 100 for images; "
                            "evaluation 1000)")
        p.add_argument("--threads", type=int, default=None,
                       help="threads for zerograd's array work, BLAS set to one per call "
                            "(default: $OMP_NUM_THREADS, else every CPU this process may use)")

    train = sub.add_parser("train", help="train a model and save its weights and curves",
                           formatter_class=_Help)
    common(train)
    train.add_argument("--epochs", type=int, default=None,
                       help="epochs (default: 300 for the spiral, 3 for images)")
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=None,
                       help="optimizer (default: sgd for the spiral, adam for images)")
    train.add_argument("--lr", type=float, default=None,
                       help="learning rate (default: 1.0 for the spiral, 1e-3 for images)")
    train.add_argument("--subset", type=int, default=None,
                       help="train on the first N training samples only")
    train.add_argument("--seed", type=int, default=0, help="seed for weights and shuffling")
    train.add_argument("--out", default=None,
                       help="output folder (default: runs/MODEL-DATASET)")
    train.add_argument("--resume", action="store_true",
                       help="continue from OUT/last.npz (weights, optimizer, epoch, random "
                            "state) as if never interrupted")
    train.add_argument("--no-progress", action="store_true", help="no progress bars")

    ev = sub.add_parser("eval", help="report the test accuracy of saved weights",
                        formatter_class=_Help)
    common(ev)
    ev.add_argument("--weights", required=True, help="an .npz written by `zerograd train`")

    graph = sub.add_parser("graph", help="draw the graph of one training step's loss",
                           formatter_class=_Help)
    graph.add_argument("--model", choices=sorted(zoo.MODELS), default="simple-cnn",
                       help="network from the model zoo (on 1x28x28 images)")
    graph.add_argument("-o", "--output", default="graph.svg", help="the picture to write")
    graph.add_argument("--format", choices=ag.viz.FORMATS, default=None,
                       help="picture format (default: the suffix of --output, else svg); "
                            "dot writes the DOT text itself and needs no Graphviz")
    graph.add_argument("--collapse", type=int, default=None, metavar="DEPTH",
                       help="fold each module DEPTH levels below the model into one box "
                            "(1: one box per layer)")
    graph.add_argument("--show-values", action="store_true",
                       help="add min/mean/max (or the value) of every Variable")
    graph.add_argument("--show-grads", action="store_true",
                       help="run backward first and add each gradient's summary")
    graph.add_argument("--hide-constants", action="store_true",
                       help="leave out unnamed constants (literals, masks)")
    graph.add_argument("--batch-size", type=int, default=2, help="images in the random batch")
    graph.add_argument("--seed", type=int, default=0, help="seed for weights and the batch")
    return parser


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    defaults = SPIRAL_DEFAULTS if args.dataset == "spiral" else IMAGE_DEFAULTS
    return {k: getattr(args, k, None) if getattr(args, k, None) is not None else v
            for k, v in defaults.items()}


def _datasets(args: argparse.Namespace) -> tuple[Any, Any]:
    if args.dataset == "spiral":
        return data.Spiral(), None
    cls = DATASETS[args.dataset]
    transform = data.ToFloat()
    train = cls(root=args.data_dir, train=True, transform=transform)
    test = cls(root=args.data_dir, train=False, transform=transform)
    return train, test


def _model(args: argparse.Namespace, settings: dict[str, Any]) -> Any:
    hidden = tuple(int(h) for h in str(settings["hidden"]).split(",") if h)
    if args.dataset == "spiral":
        if args.model != "mlp":
            raise SystemExit("zerograd: the spiral is 2-D points: only --model mlp fits it")
        return zoo.MLP(2, hidden, 3)
    if args.model == "mlp":
        return zoo.MLP(784, hidden, 10)
    return zoo.MODELS[args.model]()


def train(args: argparse.Namespace) -> float:
    settings = _settings(args)
    random.manual_seed(args.seed)
    out = args.out or os.path.join("runs", f"{args.model}-{args.dataset}")
    os.makedirs(out, exist_ok=True)
    train_set, test_set = _datasets(args)
    if args.subset:
        train_set = data.Subset(train_set, np.arange(min(args.subset, len(train_set))))
    model = _model(args, settings)
    optimizer = OPTIMIZERS[settings["optimizer"]](model.parameters(), lr=settings["lr"])
    loader = data.DataLoader(train_set, batch_size=settings["batch_size"], shuffle=True,
                             seed=args.seed)
    test_loader = None if test_set is None else data.DataLoader(test_set, batch_size=1000)
    trainer = Trainer(model, optimizer, checkpoint_dir=out, progress=not args.no_progress)
    print(f"training {args.model} on {args.dataset} ({len(train_set)} samples) for "
          f"{settings['epochs']} epochs with {settings['optimizer']} lr={settings['lr']} "
          f"batch={settings['batch_size']}", flush=True)
    began = time.perf_counter()
    history = trainer.fit(loader, settings["epochs"], test_loader, resume=args.resume)
    seconds = time.perf_counter() - began
    model.save(os.path.join(out, "weights.npz"))
    plot_history(history, os.path.join(out, "curve.png"), f"{args.model} on {args.dataset}")
    with open(os.path.join(out, "history.json"), "w") as f:
        f.write(history.to_json())
    if test_loader is None:
        _, acc = trainer.evaluate(data.DataLoader(train_set, batch_size=1000))
        spiral = train_set.dataset if isinstance(train_set, data.Subset) else train_set
        plot_decision_boundary(model, spiral.x, spiral.t, os.path.join(out, "boundary.png"))
        print(f"final training accuracy: {acc:.4f}")
    else:
        _, acc = trainer.evaluate(test_loader)
        print(f"final test accuracy: {acc:.4f}")
    print(f"took {seconds:.1f} s; wrote {out}/weights.npz, curve.png"
          f"{', boundary.png' if test_loader is None else ''}")
    return acc


def evaluate(args: argparse.Namespace) -> float:
    settings = _settings(args)
    train_set, test_set = _datasets(args)
    model = _model(args, settings)
    model.load(args.weights)
    trainer = Trainer(model, optimizer=None, progress=False, verbose=False)
    loader = data.DataLoader(test_set if test_set is not None else train_set,
                             batch_size=args.batch_size or 1000)
    loss, acc = trainer.evaluate(loader)
    what = "test" if test_set is not None else "training"
    print(f"{what} accuracy: {acc:.4f} (loss {loss:.4f})")
    return acc


def step_loss(model: Any, batch_size: int = 2, seed: int = 0) -> tuple[ag.Variable, ag.Variable]:
    """The cross-entropy loss of ``model`` on a random batch of 1x28x28 images, and the input.

    The input is a Variable named ``x`` that requires grad, so a picture shows it and the ops
    that read it (a training step needs no gradient for it; the loss is the same).

    Args:
        model: a zoo model (any module mapping (N, 1, 28, 28) images to (N, 10) logits).
        batch_size: N.
        seed: seeds the images and the labels.

    Returns:
        The loss (a scalar with the graph behind it) and the input ``x``.

    >>> from nn import zoo
    >>> loss, x = step_loss(zoo.MLP(784, (10,), 10))
    >>> loss.shape, x.shape, type(loss.creator).__name__
    ((), (2, 1, 28, 28), 'SoftmaxCrossEntropy')
    """
    rng = np.random.default_rng(seed)
    x = ag.Variable(rng.standard_normal((batch_size, 1, 28, 28)).astype(np.float32), name="x")
    labels = rng.integers(0, 10, size=batch_size)
    return cross_entropy(model(x), labels), x


def graph(args: argparse.Namespace) -> str:
    """``zerograd graph``: draw the graph of one training step's loss of a zoo model."""
    if args.batch_size < 1:
        raise SystemExit(f"zerograd graph: --batch-size must be at least 1 "
                         f"(got {args.batch_size})")
    if args.collapse is not None and args.collapse < 0:
        raise SystemExit(f"zerograd graph: --collapse must be >= 0 (got {args.collapse})")
    random.manual_seed(args.seed)
    model = zoo.MODELS[args.model]()
    loss, _ = step_loss(model, args.batch_size, args.seed)
    if args.show_grads:
        loss.backward(retain_graph=True)
    path = ag.render(loss, args.output, format=args.format, module=model,
                     collapse=args.collapse, show_values=args.show_values,
                     show_grads=args.show_grads, hide_constants=args.hide_constants,
                     title=f"{type(model).__name__}: one training step, batch of "
                           f"{args.batch_size}, loss {loss.item():.4f}")
    print(f"wrote {path}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    threads = getattr(args, "threads", None)
    if threads is not None and threads < 1:
        parser.error(f"--threads must be at least 1 (got {threads})")
    ag.set_num_threads(ag.parallel.default_threads() if threads is None else threads)
    ag.keep_freed_memory()  # a training step reuses its arrays' memory (docs/speed.rst)
    try:
        if args.command == "train":
            train(args)
        elif args.command == "graph":
            graph(args)
        else:
            evaluate(args)
    except GraphvizError as err:
        print(f"zerograd: {err}", file=sys.stderr)
        return 1
    except (data.DownloadError, data.IDXError, OSError) as err:
        print(f"zerograd: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
