"""Volume 2, chapter 7: seq2seq learns addition from examples ("16+75" -> "91"), and two tricks
make it learn far faster.

An LSTM encoder reads the question character by character, an LSTM decoder writes the answer
from the encoder's last state (``nn.seq2seq.Seq2Seq``: characters as vectors of 16, hidden
128). Three runs of the book's 25 epochs (Adam, lr 0.001, batch 128, gradients clipped at 5):
the baseline; the question *reversed* (the first digits of the answer then sit close to the
digits they depend on); reversed and *peeky* (the encoder's state fed to every decoder step).
The figure: exact-match accuracy on the 5,000 held-out questions after each epoch.
``--device cuda`` trains and scores the models on the GPU through CuPy.

    python examples/vol2_ch07_seq2seq.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                         [--device DEVICE]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn
import nn.data
import nn.seq2seq
import optim
from autograd.devices import to_device, to_numpy
from nn import functional as F

import _common

VARIANTS = {"baseline": dict(reverse=False, peeky=False),
            "reversed": dict(reverse=True, peeky=False),
            "reversed + peeky": dict(reverse=True, peeky=True)}
BATCH, MAX_GRAD = 128, 5.0


def answers(model: Any, x: np.ndarray, start_id: int, length: int) -> np.ndarray:
    """``model.generate`` on the model's device, the ids back on the host."""
    return to_numpy(model.generate(to_device(x, _common.device_of(model)), start_id, length))


def exact_match(model: Any, x: np.ndarray, t: np.ndarray) -> float:
    """The fraction of questions whose whole answer (after the start mark) is right."""
    model.eval()
    guess = np.concatenate([answers(model, x[i:i + 1000], int(t[0, 0]), t.shape[1] - 1)
                            for i in range(0, len(x), 1000)])
    model.train()
    return float((guess == t[:, 1:]).all(axis=1).mean())


def fit(model: Any, train: Any, test: Any, epochs: int, seed: int, show_progress: bool,
        max_steps: int | None = None, label: str = "") -> tuple[list[float], list[float]]:
    """Teacher-forced training on the model's device (each batch copied there); the loss and
    the held-out exact match of each epoch."""
    device = _common.device_of(model)
    opt = optim.Adam(model.parameters(), lr=0.001)
    (x, t), (xt, tt) = train.arrays, test.arrays
    rng = np.random.default_rng(seed)
    losses, accs = [], []
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        steps = range(0, len(x), BATCH) if max_steps is None else \
            range(0, min(len(x), max_steps * BATCH), BATCH)
        total = []
        for i in _common.progress(steps, show_progress, f"{label} {epoch + 1}",
                                  total=len(steps)):
            b = order[i:i + BATCH]
            xb, tb = to_device(x[b], device), to_device(t[b], device)
            logits = model(xb, tb[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tb[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            optim.clip_grad_norm_(model.parameters(), MAX_GRAD)
            opt.step()
            total.append(float(loss.data))
        losses.append(float(np.mean(total)))
        accs.append(exact_match(model, xt, tt))
    return losses, accs


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="seq", epochs=25, device=True)
    args = parser.parse_args(argv)
    device = _common.use_device(parser, args.device)
    clock = _common.Stopwatch()
    epochs, max_steps = (2, 5) if args.quick else (args.epochs, None)
    print(f"addition: 45,000 questions to learn from, 5,000 to test; {epochs} epochs, Adam "
          f"lr 0.001, batch {BATCH}, clip {MAX_GRAD}; characters as vectors of 16, hidden 128"
          + ("" if device == "cpu" else f", on {device}"))
    results: dict[str, Any] = {}
    for name, options in VARIANTS.items():
        data = nn.data.Addition(root=args.data_dir, reverse=options["reverse"])
        train, test = data.split()
        if args.quick:
            test = nn.data.ArrayDataset(*(a[:500] for a in test.arrays))
        _common.seed_all(args.seed)
        model = nn.seq2seq.Seq2Seq(len(data.vocab), 16, 128, peeky=options["peeky"]).to(device)
        losses, accs = fit(model, train, test, epochs, args.seed, not args.no_progress,
                           max_steps, name)
        results[name] = {"loss": losses, "acc": accs}
        print(f"  {name:17s} accuracy by epoch: "
              + " ".join(f"{a:.3f}" for a in accs[:: max(1, epochs // 10)])
              + f" ... final {accs[-1]:.4f}", flush=True)
        x, t = test.arrays
        guess = answers(model, x[:3], int(t[0, 0]), t.shape[1] - 1)
        for q, g in zip(x[:3], guess):
            question = data.decode(q[::-1] if options["reverse"] else q).strip()
            print(f"      {question} = {data.decode(g).strip()}")

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for name, r in results.items():
        ax.plot(range(1, epochs + 1), r["acc"], "o-" if epochs <= 30 else "-", label=name)
    ax.set(title="seq2seq on addition: exact match on 5,000 held-out questions",
           xlabel="epoch", ylabel="accuracy", ylim=(0, 1))
    ax.grid(alpha=0.3)
    ax.legend()
    return {"results": results, "seconds": clock.done(),
            "figures": [_common.save_figure(fig, args.out, "vol2_ch07_seq2seq.png")]}


if __name__ == "__main__":
    main()
