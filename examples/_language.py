"""What the language-model examples (vol 2 ch. 5 and 6) share: PTB cut into training, held-out
and test text, perplexity, the unigram baseline, and the truncated-BPTT training loop, on the
CPU or a GPU (``--device``).
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

import autograd as ag
import nn
import nn.data
import optim
from autograd.devices import to_numpy
from nn import functional as F

import _common


class Splits(NamedTuple):
    """Word ids: train on ``train``, pick the epoch on ``held``, score ``test`` once."""

    train: np.ndarray
    held: np.ndarray
    test: np.ndarray
    vocab: int


def ptb_splits(data_dir: str | None, quick: bool) -> Splits:
    """``ptb.train.txt`` is not at hand in this project: the first 90% of ``ptb.valid`` to
    train on, its last 10% to choose the epoch, ``ptb.test`` to score (2,000 words of each of
    the last two in a quick run)."""
    valid = nn.data.PTB("valid", root=data_dir)
    test = nn.data.PTB("test", root=data_dir, vocab=valid.vocab)
    cut = len(valid.ids) * 9 // 10
    train_ids, held_ids, test_ids = valid.ids[:cut], valid.ids[cut:], test.ids
    if quick:
        held_ids, test_ids = held_ids[:2000], test_ids[:2000]
    return Splits(train_ids, held_ids, test_ids, len(valid.vocab))


def detach(state: Any) -> Any:
    """The state's values without their graph (truncation): h, or a tuple (h, c)."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def perplexity(model: nn.Module, ids: np.ndarray, steps: int, batch: int = 10) -> float:
    """exp of the mean cross-entropy of predicting each next word of ``ids``, the windows on
    the model's device."""
    model.eval()
    total, count, state = 0.0, 0, None
    with ag.no_grad():
        for x, t in nn.data.BPTTLoader(ids, batch, steps).to(_common.device_of(model)):
            logits, state = model(x, state)
            # summed where the model is, in float64 as a Python float would: one copy back
            total = total + F.cross_entropy(logits.reshape(-1, logits.shape[-1]), t.reshape(-1),
                                            reduction="sum").data.astype(np.float64)
            count += t.size
    model.train()
    mean = float(to_numpy(total)) / count
    return math.exp(mean) if mean < 700 else math.inf  # a diverged model: no finite value


def unigram_perplexity(train: np.ndarray, test: np.ndarray, vocab: int) -> float:
    """The perplexity on ``test`` of word frequencies in ``train`` (add-one smoothed): what a
    model that ignores the words before scores."""
    counts = np.bincount(train, minlength=vocab) + 1.0
    return float(math.exp(-np.mean(np.log(counts[test] / counts.sum()))))


def train(make_model: Callable[[], nn.Module], data: Splits, epochs: int, lr: float,
          batch: int, steps: int, max_grad: float | None, seed: int, show_progress: bool,
          max_steps: int | None = None, device: str = "cpu") -> dict[str, Any]:
    """SGD by truncated BPTT over ``data.train`` (``batch`` rows of ``steps`` words, the state
    carried over detached), gradients clipped to ``max_grad`` (None: not clipped, but their
    norm still measured), on ``device``. Returns the model at its best epoch on ``data.held``
    (on ``device``), the raw gradient norm of each step, the mean training loss and the
    held-out perplexity of each epoch."""
    _common.seed_all(seed)
    model = make_model().to(device)  # the same initial weights anywhere: drawn on the host
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = nn.data.BPTTLoader(data.train, batch, steps).to(device)
    norms, epoch_loss, held, best = [], [], [], None
    for epoch in range(epochs):
        state, losses = None, []
        for k, (x, t) in enumerate(_common.progress(loader, show_progress,
                                                    f"epoch {epoch + 1}", total=len(loader))):
            if max_steps is not None and k >= max_steps:
                break
            logits, state = model(x, None if state is None else detach(state))
            loss = F.cross_entropy(logits.reshape(-1, data.vocab), t.reshape(-1))
            opt.zero_grad()
            loss.backward()
            norms.append(optim.clip_grad_norm_(model.parameters(),
                                               math.inf if max_grad is None else max_grad))
            opt.step()
            losses.append(loss.item())
        epoch_loss.append(float(np.mean(losses)) if losses else math.nan)
        held.append(perplexity(model, data.held, steps))
        if best is None or held[-1] < min(held[:-1]):
            best = model.state_dict()  # NumPy copies on the host
    model.load_state_dict(best)  # each copied back to where its parameter is
    return {"model": model, "norms": norms, "epoch_loss": epoch_loss, "held_ppl": held}


def print_epochs(run: dict[str, Any], note: str = "") -> None:
    """One line per epoch: training perplexity (the running mean over the epoch, ``note``
    after it) and held-out perplexity."""
    for e, (loss, h) in enumerate(zip(run["epoch_loss"], run["held_ppl"]), 1):
        print(f"  epoch {e:2d}: training perplexity {math.exp(min(loss, 700)):8.1f}{note}, "
              f"held-out {h:7.1f}")


def plot_perplexity(ax: Any, run: dict[str, Any], test_ppl: float, unigram_ppl: float,
                    name: str, note: str = "") -> None:
    """Training and held-out perplexity per epoch, with the test and unigram levels."""
    epochs = range(1, len(run["epoch_loss"]) + 1)
    ax.plot(epochs, np.exp(np.minimum(run["epoch_loss"], 700)), "o-",
            label=f"training{note}")
    ax.plot(epochs, run["held_ppl"], "s-", label="held out")
    ax.axhline(test_ppl, color="tab:green", label=f"test, {name}: {test_ppl:.0f}")
    ax.axhline(unigram_ppl, color="grey", linestyle=":", label=f"test, unigram: "
                                                               f"{unigram_ppl:.0f}")
    ax.set(title="perplexity", xlabel="epoch", yscale="log")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
