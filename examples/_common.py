"""What every example script shares: its command line, MNIST as float arrays, a loop of random
mini-batches, accuracy and figure saving. Kept small so each script reads on its own.
"""
from __future__ import annotations

import argparse
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

import numpy as np

import autograd as ag
import nn
import nn.data
from nn import functional as F
from nn.arguments import add_device_option

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
DPI = 80  # small PNGs (the docs commit them) that still read well on screen


def make_parser(doc: str | None, data: str | None = None, epochs: int | None = None,
                device: bool = False) -> argparse.ArgumentParser:
    """The options every example takes: ``--quick``, ``--out``, ``--seed``, ``--no-progress``;
    for the ones that read data files, ``--data-dir``; for the ones that train for a number
    of epochs, ``--epochs``; for the ones that run on a GPU, ``--device`` (see `use_device`).

    Args:
        doc: the script's module docstring, shown by ``--help``.
        data: the data set's folder (``"mnist"``, ``"ptb"``, ``"seq"``): add ``--data-dir``.
        epochs: the default number of epochs: add ``--epochs``.
        device: add the ``zerograd`` command's ``--device``.
    """
    # Raw: --help shows the module docstring with its line breaks.
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run of a few seconds: tiny data, few steps (the test "
                             "suite runs every example this way; its numbers mean little)")
    parser.add_argument("--out", default=str(DEFAULT_OUT),
                        help="folder for the PNG figure(s) (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the weights, the batches and any random data "
                             "(default: %(default)s)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    if data is not None:
        parser.add_argument("--data-dir", default=None,
                            help=f"folder holding {data}/ (default: $ZEROGRAD_DATA, else "
                                 "~/.cache/zerograd; the files are downloaded if missing)")
    if epochs is not None:
        parser.add_argument("--epochs", type=int, default=epochs,
                            help="epochs of training (default: %(default)s)")
    if device:
        add_device_option(parser)
    return parser


def use_device(parser: argparse.ArgumentParser, device: str) -> str:
    """``device`` (the parsed ``--device``) made ready, as the ``zerograd`` command does: a
    device that cannot be had ("cuda" without CuPy) ends the script with the reason on one
    line and exit status 1; off the CPU, zerograd's own threads are set to one (they split
    NumPy work only)."""
    kind = ag.Device(device).type
    if kind != "cpu":
        try:
            ag.devices.backend(kind)
        except ag.MissingDependencyError as err:
            parser.exit(1, f"{parser.prog}: {err}\n")
        ag.set_num_threads(1)
    return device


def device_of(model: nn.Module) -> ag.Device:
    """Where ``model``'s parameters are."""
    return next(iter(model.parameters())).device


def seed_all(seed: int) -> np.random.Generator:
    """Seed ``nn``'s generator (initialisers, dropout) and return a generator for the script."""
    nn.manual_seed(seed)
    return np.random.default_rng(seed)


class Mnist(NamedTuple):
    """MNIST as float32 arrays in [0, 1]: images ``(N, 784)`` or ``(N, 1, 28, 28)``."""

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray


@lru_cache(maxsize=2)
def _mnist_uint8(root: str, train: bool) -> tuple[np.ndarray, np.ndarray]:
    # Cached: the test suite runs several examples in one process, and decompressing the
    # training images is the slowest part of a quick run.
    ds = nn.data.MNIST(root=root, train=train)
    return ds.data, ds.targets


def load_mnist(data_dir: str | None, n_train: int | None = None, n_test: int | None = None,
               flatten: bool = True) -> Mnist:
    """The first ``n_train`` training and ``n_test`` test images (all if None) as floats.

    MNIST's files are already in random order, so the first N are a fair sample.
    """
    root = str(nn.data.data_root(data_dir))
    xs, ts = [], []
    for train, n in ((True, n_train), (False, n_test)):
        images, labels = _mnist_uint8(root, train)
        images, labels = images[:n], labels[:n]
        x = images.astype(np.float32) / 255.0
        xs.append(x.reshape(len(x), 28 * 28) if flatten else x)
        ts.append(labels)
    return Mnist(xs[0], ts[0], xs[1], ts[1])


def batch_indices(n: int, batch_size: int, steps: int,
                  rng: np.random.Generator) -> Iterator[np.ndarray]:
    """``steps`` mini-batches of indices into ``n`` samples, each epoch a new permutation.

    The last incomplete batch of an epoch is dropped, so every batch has ``batch_size`` rows.
    """
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_indices: batch_size {batch_size} does not fit {n} samples")
    done = 0
    while done < steps:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            if done == steps:
                return
            yield order[start:start + batch_size]
            done += 1


def progress(iterable: Iterable[Any], enabled: bool, desc: str,
             total: int | None = None) -> Iterable[Any]:
    """A tqdm bar over ``iterable`` when ``enabled`` (on stderr, so stdout keeps the numbers)."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=desc, total=total, leave=False)


def train_step(model: nn.Module, optimizer: Any, x: np.ndarray, t: np.ndarray) -> float:
    """One step of cross-entropy descent on a batch; returns the loss before the step."""
    loss = F.cross_entropy(model(x), t)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return float(loss.data)


def predict(model: nn.Module, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The predicted class of every row of ``x``, in eval mode and without recording a graph."""
    was_training = model.training
    model.eval()
    with ag.no_grad():
        out = [model(x[i:i + batch_size]).data.argmax(axis=1)
               for i in range(0, len(x), batch_size)]
    model.train(was_training)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def accuracy(model: nn.Module, x: np.ndarray, t: np.ndarray, batch_size: int = 1000) -> float:
    """The fraction of ``x`` that ``model`` classifies as ``t``."""
    return float((predict(model, x, batch_size) == t).mean())


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """A running mean over ``window`` points (shorter at the start), to read noisy loss curves."""
    v = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(v) == 0:
        return v
    c = np.cumsum(np.insert(v, 0, 0.0))
    lo = np.maximum(np.arange(1, len(v) + 1) - window, 0)
    return (c[1:] - c[lo]) / (np.arange(1, len(v) + 1) - lo)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend: the examples only write files."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig: Any, out: str | os.PathLike[str], name: str) -> Path:
    """Save ``fig`` as ``out/name`` (creating the folder), close it and say where it went."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    fig.savefig(path, dpi=DPI)
    pyplot().close(fig)
    print(f"figure: {path}")
    return path


class Stopwatch:
    """Seconds since it was made; ``done()`` prints the total as the script's last line."""

    def __init__(self) -> None:
        self.began = time.perf_counter()

    def done(self) -> float:
        took = time.perf_counter() - self.began
        print(f"took {took:.1f} s")
        return took
