"""The options of the ``zerograd`` command: its parser, and the checks that turn a bad value
into a usage error (exit code 2) naming the option, before anything runs."""
from __future__ import annotations

import argparse
import os
from typing import Any

import numpy as np

import autograd as ag
import optim

from . import data, zoo

DATASETS = {"spiral": None, "mnist": data.MNIST, "fashion-mnist": data.FashionMNIST}
OPTIMIZERS = {"sgd": optim.SGD, "momentum": optim.Momentum, "adagrad": optim.AdaGrad,
              "rmsprop": optim.RMSprop, "adam": optim.Adam, "adamw": optim.AdamW}
# The book's settings for the spiral (vol 2, ch 1): SGD with lr 1, batch 30, 300 epochs.
SPIRAL_DEFAULTS = dict(epochs=300, optimizer="sgd", lr=1.0, batch_size=30, hidden="10")
IMAGE_DEFAULTS = dict(epochs=3, optimizer="adam", lr=1e-3, batch_size=100, hidden="100,100")


def _at_least(minimum: int) -> Any:
    """An argparse type: an integer >= ``minimum``, or a usage error saying so."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {value})")
        return value
    parse.__name__ = f"integer >= {minimum}"  # what argparse names in its messages
    return parse


def _number(fits: Any, expected: str) -> Any:
    """An argparse type: a number for which ``fits(value)`` holds, described as ``expected``
    in the usage error otherwise."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not fits(value):
            raise argparse.ArgumentTypeError(f"must be {expected} (got {text})")
        return value
    parse.__name__ = expected
    return parse


_learning_rate = _number(lambda v: np.isfinite(v) and v > 0, "a finite number > 0")
_fraction = _number(lambda v: 0 <= v < 1, "at least 0 and below 1")


def _hidden(text: str) -> str:
    """An argparse type: comma-separated positive layer sizes, e.g. 100,100."""
    sizes = [s.strip() for s in text.split(",")]
    if not all(s.isdigit() and int(s) > 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"expected positive sizes separated by commas, "
                                         f"e.g. 100,100 (got {text!r})")
    return ",".join(sizes)


def _device(text: str) -> str:
    """An argparse type: a device name, "cpu", "cuda" or "cuda:N"."""
    try:
        return str(ag.Device(text))
    except ag.ArgumentError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("device: ")) from None


def add_device_option(parser: argparse.ArgumentParser) -> None:
    """``--device``, where to compute: "cpu" (the default), "cuda" or "cuda:N"; a name that is
    no device is a usage error. The ``zerograd`` command's, and the examples' that run on a
    GPU. Whether CuPy is there is found when the device is first used."""
    parser.add_argument("--device", type=_device, default="cpu",
                        help="where to compute: cpu, cuda or cuda:N (cuda needs CuPy: "
                             "pip install 'zerograd[gpu]')")


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

    def common(p: argparse.ArgumentParser, recorded: bool = False) -> None:
        where = " (default: what the weights file records)" if recorded else ""
        p.add_argument("--model", choices=sorted(zoo.MODELS), default=None if recorded else "mlp",
                       help="network from the model zoo" + where)
        p.add_argument("--dataset", choices=sorted(DATASETS),
                       default=None if recorded else "spiral",
                       help="spiral is generated; the image sets are read from --data-dir "
                            "(downloaded if missing)" + where)
        p.add_argument("--data-dir", default=None,
                       help="folder holding mnist/ and fashion-mnist/ (default: "
                            "$ZEROGRAD_DATA, else ~/.cache/zerograd)")
        p.add_argument("--hidden", type=_hidden, default=None,
                       help="MLP hidden sizes, comma separated (default: 10 for the spiral, "
                            "100,100 for images)")
        p.add_argument("--batch-size", type=_at_least(1), default=None,
                       help="batch size (default: training 30 for the spiral, 100 for images; "
                            "evaluation 1000)")
        add_device_option(p)
        p.add_argument("--threads", type=_at_least(1), default=None,
                       help="threads for zerograd's array work, BLAS set to one per call "
                            "(default: $OMP_NUM_THREADS, else every CPU this process may use)")

    train = sub.add_parser("train", help="train a model and save its weights and curves",
                           formatter_class=_Help)
    common(train)
    train.add_argument("--epochs", type=_at_least(1), default=None,
                       help="epochs (default: 300 for the spiral, 3 for images)")
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=None,
                       help="optimizer (default: sgd for the spiral, adam for images)")
    train.add_argument("--lr", type=_learning_rate, default=None,
                       help="learning rate (default: 1.0 for the spiral, 1e-3 for images)")
    train.add_argument("--subset", type=_at_least(1), default=None,
                       help="train on the first N training samples only")
    train.add_argument("--val-split", type=_fraction, default=0.1,
                       help="fraction of the training data held out for validation, which "
                            "picks best.npz (0: none; the test set is used once, at the end)")
    train.add_argument("--seed", type=_at_least(0), default=0,
                       help="seed for weights and shuffling")
    train.add_argument("--out", default=None,
                       help="output folder (default: runs/MODEL-DATASET)")
    train.add_argument("--resume", action="store_true",
                       help="continue from OUT/last.npz (weights, optimizer, epoch, random "
                            "state) as if never interrupted")
    train.add_argument("--save-dtype", choices=("float32", "float16"), default="float32",
                       help="precision of the floats in OUT/weights.npz (float16: half the "
                            "file; it loads back into a float32 model)")
    train.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bars (default: only when stderr is a terminal; "
                            "otherwise plain epoch lines)")

    ev = sub.add_parser("eval", help="report the test accuracy of saved weights",
                        formatter_class=_Help)
    common(ev, recorded=True)
    ev.add_argument("--weights", required=True, help="an .npz written by `zerograd train`")

    graph = sub.add_parser("graph", help="draw the graph of one training step's loss",
                           formatter_class=_Help)
    graph.add_argument("--model", choices=sorted(zoo.MODELS), default="simple-cnn",
                       help="network from the model zoo (on 1x28x28 images)")
    graph.add_argument("-o", "--output", default="graph.svg", help="the picture to write")
    graph.add_argument("--format", choices=ag.viz.FORMATS, default=None,
                       help="picture format (default: the suffix of --output, else svg); "
                            "dot writes the DOT text itself and needs no Graphviz")
    graph.add_argument("--collapse", type=_at_least(0), default=None, metavar="DEPTH",
                       help="fold each module DEPTH levels below the model into one box "
                            "(1: one box per layer)")
    graph.add_argument("--show-values", action="store_true",
                       help="add min/mean/max (or the value) of every Variable")
    graph.add_argument("--show-grads", action="store_true",
                       help="run backward first and add each gradient's summary")
    graph.add_argument("--hide-constants", action="store_true",
                       help="leave out unnamed constants (literals, masks)")
    graph.add_argument("--batch-size", type=_at_least(1), default=2,
                       help="images in the random batch")
    graph.add_argument("--seed", type=_at_least(0), default=0,
                       help="seed for weights and the batch")
    return parser


def check_picture_format(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The picture's suffix names its format (svg, png, pdf, dot); refuse any other, or one
    that contradicts --format, rather than write one format under another's name."""
    suffix = os.path.splitext(args.output)[1].lower().lstrip(".")
    if suffix and suffix not in ag.viz.FORMATS:
        parser.error(f"graph: cannot write a .{suffix} picture (-o {args.output}); use a "
                     f"name ending in {', '.join('.' + f for f in ag.viz.FORMATS)}")
    if suffix and args.format is not None and args.format != suffix:
        parser.error(f"graph: -o {args.output} names a .{suffix} file but --format is "
                     f"{args.format}")
