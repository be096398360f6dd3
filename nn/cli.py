"""The ``zerograd`` command: train a zoo model, evaluate saved weights, draw a model's graph.

With no ``--dataset`` it trains an MLP on the generated spiral (no download at all) and draws
the decision boundary.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Sequence

import numpy as np

import autograd as ag
from autograd.viz import GraphvizError

from . import data, random, zoo
from .functional import cross_entropy
from .module import StateDictError, read_metadata
from .arguments import (DATASETS, IMAGE_DEFAULTS, OPTIMIZERS, SPIRAL_DEFAULTS,
                        build_parser, check_picture_format)
from .plots import plot_decision_boundary, plot_history
from .train import Trainer

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


def _split(train_set: Any, fraction: float, seed: int) -> tuple[Any, Any]:
    """A random ``fraction`` of the training samples held out for validation (None if 0), the
    same for the same seed (so a resumed run keeps its split)."""
    n_val = int(round(len(train_set) * fraction))
    if n_val == 0:
        return train_set, None
    if n_val >= len(train_set):
        raise SystemExit(f"zerograd: --val-split {fraction} leaves no training samples "
                         f"(of {len(train_set)})")
    order = np.random.default_rng(seed).permutation(len(train_set))
    return (data.Subset(train_set, np.sort(order[n_val:])),
            data.Subset(train_set, np.sort(order[:n_val])))


def _metadata(args: argparse.Namespace, settings: dict[str, Any], samples: int) -> dict:
    """What a weights file records of its model and training (``zerograd eval`` reads it)."""
    return {"zerograd": ag.__version__, "model": args.model, "dataset": args.dataset,
            "model_args": {"hidden": settings["hidden"]} if args.model == "mlp" else {},
            "training": {"epochs": settings["epochs"], "optimizer": settings["optimizer"],
                         "lr": settings["lr"], "batch_size": settings["batch_size"],
                         "seed": args.seed, "val_split": args.val_split,
                         "subset": args.subset, "train_samples": samples}}


def train(args: argparse.Namespace) -> float:
    settings = _settings(args)
    random.manual_seed(args.seed)
    out = args.out or os.path.join("runs", f"{args.model}-{args.dataset}")
    os.makedirs(out, exist_ok=True)
    full_train, test_set = _datasets(args)
    if args.subset:
        full_train = data.Subset(full_train, np.arange(min(args.subset, len(full_train))))
    train_set, val_set = _split(full_train, args.val_split, args.seed)
    model = _model(args, settings).to(args.device)  # before the optimizer makes its state
    optimizer = OPTIMIZERS[settings["optimizer"]](model.parameters(), lr=settings["lr"])
    loader = data.DataLoader(train_set, batch_size=settings["batch_size"], shuffle=True,
                             seed=args.seed).to(args.device)
    val_loader = None if val_set is None else \
        data.DataLoader(val_set, batch_size=1000).to(args.device)
    meta = _metadata(args, settings, len(train_set))
    trainer = Trainer(model, optimizer, checkpoint_dir=out, progress=args.progress,
                      metadata=meta)
    held = f", {len(val_set)} held out for validation" if val_set is not None else ""
    print(f"training {args.model} on {args.dataset} ({len(train_set)} samples{held}) for "
          f"{settings['epochs']} epochs with {settings['optimizer']} lr={settings['lr']} "
          f"batch={settings['batch_size']}", flush=True)
    began = time.perf_counter()
    history = trainer.fit(loader, settings["epochs"], val_loader, resume=args.resume)
    seconds = time.perf_counter() - began
    if trainer.interrupted is not None:
        _stopped(trainer.interrupted, out)
    model.save(os.path.join(out, "weights.npz"), metadata=meta, dtype=args.save_dtype)
    plot_history(history, os.path.join(out, "curve.png"), f"{args.model} on {args.dataset}")
    results = json.loads(history.to_json())
    if test_set is None:  # the spiral has no test set: the whole training set, once
        _, acc = trainer.evaluate(data.DataLoader(full_train, batch_size=1000).to(args.device))
        spiral = full_train.dataset if isinstance(full_train, data.Subset) else full_train
        plot_decision_boundary(model.cpu(), spiral.x, spiral.t,
                               os.path.join(out, "boundary.png"))
        results["final_train_acc"] = acc
        print(f"final training accuracy: {acc:.4f}")
    else:  # once, at the end, with the final weights
        loss, acc = trainer.evaluate(data.DataLoader(test_set, batch_size=1000).to(args.device))
        results["test_loss"], results["test_acc"] = loss, acc
        print(f"test accuracy: {acc:.4f} (loss {loss:.4f})")
    with open(os.path.join(out, "history.json"), "w") as f:
        json.dump(results, f)
    print(f"took {seconds:.1f} s; wrote {out}/weights.npz, curve.png"
          f"{', boundary.png' if test_set is None else ''}")
    return acc


def _stopped(epoch: int, out: str) -> None:
    """Ctrl-C during training: say what was kept and how to go on, and exit 130 (as a shell
    does for a command that SIGINT ended)."""
    last = os.path.join(out, "last.npz")
    if epoch > 1 and os.path.exists(last):
        kept = f"{last} holds epoch {epoch - 1}; continue with the same command plus --resume"
        command = " ".join(["zerograd"] + [a for a in sys.argv[1:] if a != "--resume"])
        kept += f":\n  {command} --resume"
    else:
        kept = "no epoch had finished, so there is nothing to resume"
    print(f"zerograd: interrupted in epoch {epoch}; {kept}", file=sys.stderr)
    raise SystemExit(130)


def evaluate(args: argparse.Namespace) -> float:
    meta = read_metadata(args.weights) or {}
    for name in ("model", "dataset"):
        recorded = meta.get(name)
        given = getattr(args, name)
        if given is None and recorded is None:
            raise SystemExit(f"zerograd: {args.weights} does not record its {name} (written "
                             f"by an older zerograd?): pass --{name}")
        if given is not None and recorded is not None and given != recorded:
            raise SystemExit(f"zerograd: {args.weights} holds a {meta['model']} trained on "
                             f"{meta['dataset']}, not --{name} {given}")
        setattr(args, name, given if given is not None else recorded)
    if args.hidden is None and "hidden" in meta.get("model_args", {}):
        args.hidden = meta["model_args"]["hidden"]
    settings = _settings(args)
    train_set, test_set = _datasets(args)
    model = _model(args, settings).to(args.device)
    model.load(args.weights)
    trainer = Trainer(model, optimizer=None, progress=False, verbose=False)
    loader = data.DataLoader(test_set if test_set is not None else train_set,
                             batch_size=args.batch_size or 1000).to(args.device)
    loss, acc = trainer.evaluate(loader)
    what = "test" if test_set is not None else "training"
    print(f"{args.model} on {args.dataset}: {what} accuracy {acc:.4f} (loss {loss:.4f})")
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
    if args.command == "graph":
        check_picture_format(parser, args)
    threads = getattr(args, "threads", None)
    if getattr(args, "device", "cpu") != "cpu":
        threads = 1  # zerograd's threads split NumPy work; on a GPU they would only get in the way
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
    except (ag.ArgumentError, StateDictError) as err:  # a weights file that cannot be used
        print(f"zerograd: {err}", file=sys.stderr)
        return 1
    except (ag.MissingDependencyError, ag.DeviceError) as err:  # --device cuda without CuPy
        print(f"zerograd: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
