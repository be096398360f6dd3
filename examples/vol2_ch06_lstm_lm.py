"""Volume 2, chapters 5 and 6: an LSTM language model on the Penn Treebank, by truncated
backpropagation through time.

The model (``nn.zoo.LanguageModel``: embedding 100, one LSTM layer of 100, a softmax over the
vocabulary, with the book's BetterRnnlm tricks: dropout 0.5 and the output layer tied to the
embedding) reads the text in 20 rows of 35 words (``nn.data.BPTTLoader``), carrying its state
from window to window, detached, so backward goes back 35 steps only. SGD with learning rate
20 and the gradients clipped to a joint norm of 0.25, as the book.

``ptb.train.txt`` is not at hand in this project, so the model learns from the first 90% of
``ptb.valid``, picks its best epoch on the last 10%, and is scored once on ``ptb.test``:
perplexity exp(mean cross-entropy), beside a unigram model's (word frequencies of the training
text, add-one smoothed). ``--torch`` runs the same recipe in PyTorch (when it is installed). A
first epoch without clipping shows why the book clips: the raw gradient norms of both runs are
plotted.

    python examples/vol2_ch06_lstm_lm.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                         [--torch]
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import autograd as ag
import nn
import nn.data
import nn.zoo
import optim
from nn import functional as F

import _common

BATCH, STEPS, LR, MAX_GRAD, DROPOUT = 20, 35, 20.0, 0.25, 0.5


def perplexity(model: nn.Module, ids: np.ndarray, batch: int = 10) -> float:
    """exp of the mean cross-entropy of predicting each next word of ``ids``."""
    model.eval()
    total, count, state = 0.0, 0, None
    with ag.no_grad():
        for x, t in nn.data.BPTTLoader(ids, batch, STEPS):
            logits, state = model(x, state)
            total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                           t.reshape(-1), reduction="sum").data)
            count += t.size
    model.train()
    mean = total / count
    return math.exp(mean) if mean < 700 else math.inf  # a diverged model: no finite value


def unigram_perplexity(train: np.ndarray, test: np.ndarray, vocab: int) -> float:
    counts = np.bincount(train, minlength=vocab) + 1.0
    return float(math.exp(-np.mean(np.log(counts[test] / counts.sum()))))


def train(train_ids: np.ndarray, held_ids: np.ndarray, vocab: int, epochs: int, clip: bool,
          seed: int, show_progress: bool, max_steps: int | None = None) -> dict[str, Any]:
    """The model at its best epoch on ``held_ids``, the raw gradient norm of each step, the
    mean training loss and the held-out perplexity of each epoch."""
    _common.seed_all(seed)
    model = nn.zoo.LanguageModel(vocab, 100, 100, dropout=DROPOUT, tie_weights=True)
    opt = optim.SGD(model.parameters(), lr=LR)
    loader = nn.data.BPTTLoader(train_ids, BATCH, STEPS)
    norms, epoch_loss, held, best = [], [], [], None
    for epoch in range(epochs):
        state, losses = None, []
        for k, (x, t) in enumerate(_common.progress(loader, show_progress,
                                                    f"epoch {epoch + 1}", total=len(loader))):
            if max_steps is not None and k >= max_steps:
                break
            if state is not None:
                state = tuple(s.detach() for s in state)  # truncate: keep the state only
            logits, state = model(x, state)
            loss = F.cross_entropy(logits.reshape(-1, vocab), t.reshape(-1))
            opt.zero_grad()
            loss.backward()
            norm = optim.clip_grad_norm_(model.parameters(), MAX_GRAD if clip else math.inf)
            norms.append(norm)
            opt.step()
            losses.append(float(loss.data))
        epoch_loss.append(float(np.mean(losses)) if losses else math.nan)
        held.append(perplexity(model, held_ids))
        if best is None or held[-1] < min(held[:-1]):
            best = model.state_dict()
    model.load_state_dict(best)
    return {"model": model, "norms": norms, "epoch_loss": epoch_loss, "held_ppl": held}


def torch_recipe(train_ids, held_ids, test_ids, vocab, epochs, seed, max_steps=None) -> float:
    """The same model, data order, optimiser and epoch choice in PyTorch; its test
    perplexity."""
    import torch
    torch.manual_seed(seed)

    class LM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(vocab, 100)
            torch.nn.init.normal_(self.embed.weight, 0.0, 0.01)
            self.drop = torch.nn.Dropout(DROPOUT)
            self.lstm = torch.nn.LSTM(100, 100, batch_first=True)
            self.out = torch.nn.Linear(100, vocab)
            torch.nn.init.zeros_(self.out.bias)
            self.out.weight = self.embed.weight  # tied, as nn.zoo.LanguageModel

        def forward(self, x, state=None):
            h, state = self.lstm(self.drop(self.embed(x)), state)
            return self.out(self.drop(h)), state

    def score(model, ids):
        model.eval()
        total, count, state = 0.0, 0, None
        with torch.no_grad():
            for x, t in nn.data.BPTTLoader(ids, 10, STEPS):
                logits, state = model(torch.tensor(x), state)
                total += float(torch.nn.functional.cross_entropy(
                    logits.reshape(-1, vocab), torch.tensor(t.reshape(-1)), reduction="sum"))
                count += t.size
        model.train()
        return math.exp(total / count)

    model = LM()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    held, best = [], None
    for _ in range(epochs):
        state = None
        for k, (x, t) in enumerate(nn.data.BPTTLoader(train_ids, BATCH, STEPS)):
            if max_steps is not None and k >= max_steps:
                break
            if state is not None:
                state = tuple(s.detach() for s in state)
            logits, state = model(torch.tensor(x), state)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab),
                                                     torch.tensor(t.reshape(-1)))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD)
            opt.step()
        held.append(score(model, held_ids))
        if best is None or held[-1] < min(held[:-1]):
            best = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best)
    return score(model, test_ids)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="ptb", epochs=15)
    parser.add_argument("--torch", action="store_true",
                        help="also run the same recipe in PyTorch (needs torch)")
    args = parser.parse_args(argv)
    clock = _common.Stopwatch()
    valid = nn.data.PTB("valid", root=args.data_dir)
    test = nn.data.PTB("test", root=args.data_dir, vocab=valid.vocab)
    vocab = len(valid.vocab)
    epochs, max_steps = (1, 8) if args.quick else (args.epochs, None)
    cut = len(valid.ids) * 9 // 10
    train_ids, held_ids = valid.ids[:cut], valid.ids[cut:]
    test_ids = test.ids[:2000] if args.quick else test.ids
    if args.quick:
        held_ids = held_ids[:2000]
    print(f"PTB: train on 90% of valid ({len(train_ids)} words), choose the epoch on its last "
          f"10% ({len(held_ids)}), score on test ({len(test_ids)}); vocabulary {vocab}; LSTM LM "
          f"100/100, dropout {DROPOUT}, tied weights, SGD lr {LR}, clip {MAX_GRAD}, batch "
          f"{BATCH} x {STEPS} steps, {epochs} epochs")
    run = train(train_ids, held_ids, vocab, epochs, True, args.seed, not args.no_progress,
                max_steps)
    ppl = perplexity(run["model"], test_ids)
    uni = unigram_perplexity(train_ids, test_ids, vocab)
    for e, (loss, h) in enumerate(zip(run["epoch_loss"], run["held_ppl"]), 1):
        print(f"  epoch {e:2d}: training perplexity {math.exp(loss):8.1f} (dropout on), "
              f"held-out {h:7.1f}")
    best = int(np.argmin(run["held_ppl"])) + 1
    print(f"test perplexity at the best held-out epoch ({best}): LSTM {ppl:.1f}, unigram "
          f"{uni:.1f}")
    raw = train(train_ids, held_ids, vocab, 1, False, args.seed, False,
                8 if args.quick else None)
    raw_norms, norms = raw["norms"], run["norms"][:len(raw["norms"])]
    raw_ppl = math.exp(min(raw["epoch_loss"][0], 700))
    print(f"without clipping, epoch 1: training perplexity "
          f"{f'{raw_ppl:.1f}' if raw_ppl < 1e6 else '> 1e6 (diverged)'}; largest gradient norm "
          f"{max(raw_norms):.3g} (with clipping, largest before clipping {max(norms):.3g})")
    epoch_loss = run["epoch_loss"]
    result: dict[str, Any] = {"test_ppl": ppl, "unigram_ppl": uni, "epoch_loss": epoch_loss,
                              "held_ppl": run["held_ppl"]}
    if args.torch:
        result["torch_test_ppl"] = torch_recipe(train_ids, held_ids, test_ids, vocab, epochs,
                                                args.seed, max_steps)
        print(f"the same recipe in PyTorch: test perplexity {result['torch_test_ppl']:.1f} "
              f"(zerograd / PyTorch = {ppl / result['torch_test_ppl']:.3f})")

    plt = _common.pyplot()
    fig, (ax_p, ax_g) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    ax_p.plot(range(1, len(epoch_loss) + 1), np.exp(epoch_loss), "o-",
              label="training (dropout on)")
    ax_p.plot(range(1, len(epoch_loss) + 1), run["held_ppl"], "s-", label="held out")
    ax_p.axhline(ppl, color="tab:green", label=f"test, LSTM: {ppl:.0f}")
    ax_p.axhline(uni, color="grey", linestyle=":", label=f"test, unigram: {uni:.0f}")
    ax_p.set(title="perplexity", xlabel="epoch", yscale="log")
    ax_p.legend()
    ax_g.plot(raw_norms, label="no clipping", alpha=0.8)
    ax_g.plot(norms, label="clipped to 0.25 (norm before clipping)", alpha=0.8)
    ax_g.axhline(MAX_GRAD, color="grey", linestyle=":")
    ax_g.set(title="gradient norm per step, first epoch", xlabel="step", yscale="log")
    ax_g.legend()
    for ax in (ax_p, ax_g):
        ax.grid(alpha=0.3, which="both")
    result["figures"] = [_common.save_figure(fig, args.out, "vol2_ch06_lstm_lm.png")]
    result["seconds"] = clock.done()
    return result


if __name__ == "__main__":
    main()
