"""Training: a small ``Trainer`` (epochs with a progress bar, evaluation, history, best
checkpoint and resume with the optimizer's state). The plots people look at are in
``nn.plots`` (and importable from here)."""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

import autograd as ag
from autograd import ArgumentError, OpTypeError, Variable
from optim import clip_grad_norm_
from optim.lr_scheduler import ReduceLROnPlateau

from . import functional as F
from . import random
from .plots import plot_decision_boundary, plot_history  # noqa: F401 - importable from here
from .module import (METADATA, Module, load_arrays, remove_stale_temporaries,
                     save_arrays)


@dataclass
class History:
    """Per-epoch figures (None where not measured) and seconds.

    ``train_loss`` and ``train_acc`` are measured after each epoch in evaluation mode on a
    fixed sample of the training data, as the book's Trainer does; ``running_loss`` and
    ``running_acc`` are the averages over the epoch's batches while training (train mode:
    dropout on, the weights still moving). ``val_*`` are measured on the validation data
    given to ``fit``. With ``Trainer(eval_every=k)``, ``step``, ``step_val_loss`` and
    ``step_val_acc`` hold the validation figures every k training steps too (a language
    model's perplexity is ``exp`` of its loss: ``perplexity``).
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    running_loss: list[float] = field(default_factory=list)
    running_acc: list[float] = field(default_factory=list)
    step: list[int] = field(default_factory=list)
    step_val_loss: list[float] = field(default_factory=list)
    step_val_acc: list[float] = field(default_factory=list)

    @property
    def perplexity(self) -> list[float | None]:
        """exp(val_loss) per epoch: a language model's perplexity on the validation data."""
        return [None if v is None else float(np.exp(v)) for v in self.val_loss]

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> History:
        return cls(**json.loads(text))


def accuracy(logits: Variable | np.ndarray, t: np.ndarray) -> float:
    """The fraction of rows whose largest logit is at the label."""
    data = logits.data if isinstance(logits, Variable) else logits
    return float((data.argmax(axis=1) == t).mean()) if len(t) else float("nan")


class Trainer:
    """Trains ``model`` with ``optimizer`` on batches of (x, t).

    Args:
        model: the Module to train.
        optimizer: an ``optim`` optimizer over the model's parameters.
        loss_fn: maps (logits, labels) to a scalar Variable; cross-entropy by default.
        scheduler: an optional learning-rate scheduler, stepped once per epoch; a
            ``ReduceLROnPlateau`` is stepped with the validation loss (the training loss
            without validation data).
        checkpoint_dir: a folder; after every epoch the model, optimizer, scheduler, epoch,
            history and random states go to ``last.npz`` there (atomically), and the epoch
            with the best validation accuracy so far (or the lowest training loss without
            validation data) also to ``best.npz``. ``fit(..., resume=True)`` continues from
            ``last.npz`` exactly as if never interrupted.
        progress: show tqdm progress bars; None (the default) shows them only when stderr is
            a terminal, so a log file gets plain epoch lines instead of redraws.
        verbose: print a summary line per epoch (every k-th epoch on long runs, so about 20
            lines in all).
        train_sample: how many training samples (a fixed random choice) ``train_loss`` and
            ``train_acc`` are measured on after each epoch, in evaluation mode. A train loader
            without a ``.dataset`` (a plain iterable of batches) gives the running figures.
        metadata: JSON-able facts about the model, written into every checkpoint as
            ``Module.save`` writes them (``nn.module.read_metadata`` reads them).
        gradient_flow: a `~nn.gradient_flow.GradientFlow` of the model; every training step
            then records each parameter's gradient norm and update/weight ratio in it.
        max_grad: clip the gradients to this joint norm before each step (vol 2's
            ``max_grad``, ``optim.clip_grad_norm_``); None for no clipping.
        eval_every: also evaluate on the validation data every this many training steps
            (into ``history.step``, ``step_val_loss``, ``step_val_acc``); None: per epoch
            only.

    During ``fit``, a first Ctrl-C stops training after the current step (a second one
    interrupts at once): ``fit`` returns, and ``interrupted`` holds the epoch it stopped in
    (None when training ran to the end). ``last.npz`` still holds the last finished epoch.
    """

    def __init__(self, model: Module, optimizer: Any,
                 loss_fn: Callable[[Variable, np.ndarray], Variable] = F.cross_entropy,
                 scheduler: Any = None, checkpoint_dir: str | os.PathLike | None = None,
                 progress: bool | None = None, verbose: bool = True,
                 train_sample: int = 1000, metadata: dict[str, Any] | None = None,
                 gradient_flow: Any = None, max_grad: float | None = None,
                 eval_every: int | None = None) -> None:
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        if progress is None:
            progress = sys.stderr.isatty()
        self.scheduler, self.progress, self.verbose = scheduler, progress, verbose
        self.checkpoint_dir = None if checkpoint_dir is None else os.fspath(checkpoint_dir)
        self.interrupted: int | None = None
        self.train_sample, self.metadata = train_sample, metadata
        self.gradient_flow, self.max_grad = gradient_flow, max_grad
        if eval_every is not None and int(eval_every) < 1:
            raise ArgumentError(f"Trainer: eval_every must be at least 1, got {eval_every!r}")
        self.eval_every, self._steps = eval_every, 0
        self._loader: Any = None
        self.history = History()
        self.best: float | None = None

    def train_step(self, x: np.ndarray, t: np.ndarray) -> tuple[float, float]:
        """One optimisation step on a batch; returns its loss and accuracy."""
        logits = self.model(x)
        loss = self.loss_fn(logits, t)
        self.optimizer.zero_grad()
        loss.backward()
        if self.max_grad is not None:
            clip_grad_norm_(self.model.parameters(), self.max_grad)
        if self.gradient_flow is not None:
            self.gradient_flow.step(self.optimizer)
        else:
            self.optimizer.step()
        return float(loss.data), accuracy(logits, t)

    def evaluate(self, loader: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
        """Mean loss and accuracy over ``loader``, in eval mode and without a graph."""
        was_training = self.model.training
        self.model.eval()
        # NOTE: summed where the model computes and read once at the end: on a GPU two reads
        # per batch would each wait for the queued work
        total_loss: Any = 0.0
        correct: Any = 0
        count = 0
        with ag.no_grad():
            for x, t in loader:
                logits = self.model(x)
                total_loss = total_loss + \
                    self.loss_fn(logits, t).data.astype(np.float64) * len(t)
                correct = correct + (logits.data.argmax(axis=1) == t).sum()
                count += len(t)
        self.model.train(was_training)
        if not count:
            return (float("nan"),) * 2
        return float(total_loss) / count, float(correct) / count

    def fit(self, train_loader: Any, epochs: int, val_loader: Any = None,
            resume: bool = False) -> History:
        """Train for ``epochs`` epochs (counting those a resumed checkpoint already did).

        Switches on ``autograd.keep_freed_memory()``: every step reuses the memory of the last
        one instead of mapping it afresh (see docs/speed.rst)."""
        ag.keep_freed_memory()
        start = 0
        self._loader = train_loader
        if resume and self.checkpoint_dir is not None:
            remove_stale_temporaries(self.checkpoint_dir)
            last = os.path.join(self.checkpoint_dir, "last.npz")
            if os.path.exists(last):
                start = self.load_checkpoint(last)
        # Short epochs (the spiral's 10 batches) get one bar over the epochs, long ones a bar
        # over each epoch's batches.
        per_epoch = self.progress and _length(train_loader) >= 20
        epoch_range = range(start + 1, epochs + 1)
        if self.progress and not per_epoch:
            epoch_range = _progress(epoch_range, True, "training", unit="epoch")
        self.interrupted = None
        sample = self._training_sample(train_loader)
        with _StopOnInterrupt() as stop:
            self._fit_epochs(train_loader, epochs, val_loader, epoch_range, per_epoch, stop,
                             sample)
        return self.history

    def _training_sample(self, train_loader: Any) -> Any:
        """A loader over a fixed random choice of ``train_sample`` training samples (all of
        them if there are fewer), the same every epoch and on resume."""
        from .data import DataLoader, Subset
        dataset = getattr(train_loader, "dataset", None)
        if dataset is None:  # a plain iterable of batches: the running figures stand in
            return None
        n = len(dataset)
        chosen = np.sort(np.random.default_rng(0).permutation(n)[:self.train_sample])
        return DataLoader(Subset(dataset, chosen), batch_size=1000).to(
            getattr(train_loader, "device", "cpu"))

    def _fit_epochs(self, train_loader: Any, epochs: int, val_loader: Any, epoch_range: Any,
                    per_epoch: bool, stop: _StopOnInterrupt, sample: Any) -> None:
        for epoch in epoch_range:
            began = time.perf_counter()
            self.model.train()
            losses, accs, sizes = [], [], []
            batches = _progress(train_loader, per_epoch, f"epoch {epoch}/{epochs}")
            for x, t in batches:
                if stop.requested:
                    self.interrupted = epoch
                    getattr(batches, "close", lambda: None)()
                    getattr(epoch_range, "close", lambda: None)()
                    return
                loss, acc = self.train_step(x, t)
                self._steps += 1
                if self.eval_every and val_loader is not None and \
                        self._steps % self.eval_every == 0:
                    step_loss, step_acc = self.evaluate(val_loader)
                    h = self.history
                    h.step.append(self._steps)
                    h.step_val_loss.append(step_loss)
                    h.step_val_acc.append(step_acc)
                losses.append(loss)
                accs.append(acc)
                sizes.append(len(t))
                if hasattr(batches, "set_postfix"):
                    batches.set_postfix(loss=f"{loss:.4f}", acc=f"{acc:.3f}", refresh=False)
            train_loss, train_acc = self.evaluate(sample) if sample is not None else (
                float(np.average(losses, weights=sizes)), float(np.average(accs, weights=sizes)))
            val_loss = val_acc = None
            if val_loader is not None:
                val_loss, val_acc = self.evaluate(val_loader)
            if isinstance(self.scheduler, ReduceLROnPlateau):
                self.scheduler.step(val_loss if val_loss is not None else train_loss)
            elif self.scheduler is not None:
                self.scheduler.step()
            h = self.history
            h.epoch.append(epoch)
            h.train_loss.append(train_loss)
            h.train_acc.append(train_acc)
            h.running_loss.append(float(np.average(losses, weights=sizes)))
            h.running_acc.append(float(np.average(accs, weights=sizes)))
            h.val_loss.append(val_loss)
            h.val_acc.append(val_acc)
            h.seconds.append(time.perf_counter() - began)
            if self.verbose and (epoch % max(1, epochs // 20) == 0 or epoch == epochs):
                shown = (f", val loss {val_loss:.4f} acc {val_acc:.4f}"
                         if val_acc is not None else "")
                line = (f"epoch {epoch}: train loss {train_loss:.4f} acc {train_acc:.4f}"
                        f"{shown} (running train-mode loss {h.running_loss[-1]:.4f}; "
                        f"{h.seconds[-1]:.1f} s)")
                # Through the bar when there is one, so the line does not cut through it.
                getattr(epoch_range, "write", print)(line)
            score = val_acc if val_acc is not None else -h.train_loss[-1]
            improved = self.best is None or score > self.best
            if improved:
                self.best = score
            if self.checkpoint_dir is not None:
                os.makedirs(self.checkpoint_dir, exist_ok=True)
                self.save_checkpoint(os.path.join(self.checkpoint_dir, "last.npz"), epoch)
                if improved:
                    self.save_checkpoint(os.path.join(self.checkpoint_dir, "best.npz"), epoch)

    def save_checkpoint(self, path: str | os.PathLike, epoch: int) -> None:
        """Model weights, optimizer state, epoch and history in one .npz, written atomically."""
        arrays: dict[str, np.ndarray] = {f"model.{k}": v for k, v in
                                         self.model.state_dict().items()}
        opt = self.optimizer.state_dict()
        for index, state in opt["state"].items():
            for name, value in state.items():
                arrays[f"optim.state.{index}.{name}"] = np.asarray(value)
        meta = {"epoch": epoch, "best": self.best, "param_groups": opt["param_groups"],
                "history": json.loads(self.history.to_json())}
        if self.scheduler is not None:
            meta["scheduler"] = self.scheduler.state_dict()
        # The random states make a resumed run repeat the uninterrupted one exactly.
        meta["rng"] = {"nn": random.generator().bit_generator.state}
        generator = getattr(self._loader, "generator", None)
        if isinstance(generator, np.random.Generator):
            meta["rng"]["loader"] = generator.bit_generator.state
        arrays["meta"] = np.array(json.dumps(meta, default=_jsonable))
        if self.metadata is not None:  # what the model is, so the checkpoint describes itself
            arrays[METADATA] = np.array(json.dumps(self.metadata, sort_keys=True))
        save_arrays(path, arrays)

    def load_checkpoint(self, path: str | os.PathLike) -> int:
        """Restore everything ``save_checkpoint`` wrote; returns the epoch it was taken at."""
        arrays = load_arrays(path)
        if "meta" not in arrays:
            raise ArgumentError(f"load_checkpoint: {os.fspath(path)} is not a Trainer checkpoint "
                                "(it has no 'meta' entry)")
        meta = json.loads(str(arrays["meta"]))
        self.model.load_state_dict({k[len("model."):]: v for k, v in arrays.items()
                                    if k.startswith("model.")})
        state: dict[int, dict[str, Any]] = {}
        for key, value in arrays.items():
            if key.startswith("optim.state."):
                index, name = key[len("optim.state."):].split(".", 1)
                state.setdefault(int(index), {})[name] = value
        self.optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
        if self.scheduler is not None and "scheduler" in meta:
            self.scheduler.load_state_dict(meta["scheduler"])
        self.history = History(**meta["history"])
        self.best = meta["best"]
        rng = meta.get("rng", {})
        if "nn" in rng:
            random.generator().bit_generator.state = rng["nn"]
        generator = getattr(self._loader, "generator", None)
        if "loader" in rng and isinstance(generator, np.random.Generator):
            generator.bit_generator.state = rng["loader"]
        return int(meta["epoch"])


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise OpTypeError(f"checkpoint: cannot store {type(value).__name__} in the metadata")


def _length(loader: Any) -> int:
    try:
        return len(loader)
    except TypeError:
        return 1 << 30  # unknown: assume long


class _StopOnInterrupt:
    """While training: the first Ctrl-C (SIGINT) asks to stop after the current step, a second
    one interrupts at once. Only the main thread can take the signal; elsewhere, nothing
    changes."""

    requested = False

    def __enter__(self) -> _StopOnInterrupt:
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._ask)
        return self

    def _ask(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _progress(items: Any, show: bool, desc: str, unit: str = "batch") -> Any:
    if not show:
        return items
    from tqdm.auto import tqdm
    return tqdm(items, desc=desc, leave=unit == "epoch", unit=unit)
