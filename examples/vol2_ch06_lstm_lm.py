"""Volume 2, chapter 6: an LSTM language model on the Penn Treebank, by truncated
backpropagation through time (chapter 5's plain RNN model: vol2_ch05_rnnlm.py).

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

``--device cuda`` trains and scores the model on the GPU through CuPy, as the book runs this
chapter (vol 2 §1.5.2), from the same random draws as on the CPU (initial weights, dropout's
masks: NumPy's, on the host), so only float rounding tells the runs apart; PyTorch's run
stays on the CPU.

    python examples/vol2_ch06_lstm_lm.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                         [--torch] [--device DEVICE]
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import nn
import nn.data
import nn.zoo

import _common
import _language

BATCH, STEPS, LR, MAX_GRAD, DROPOUT = 20, 35, 20.0, 0.25, 0.5


def lstm_lm(vocab: int) -> nn.Module:
    return nn.zoo.LanguageModel(vocab, 100, 100, dropout=DROPOUT, tie_weights=True)


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
    parser = _common.make_parser(__doc__, data="ptb", epochs=15, device=True)
    parser.add_argument("--torch", action="store_true",
                        help="also run the same recipe in PyTorch (needs torch)")
    args = parser.parse_args(argv)
    device = _common.use_device(parser, args.device)
    clock = _common.Stopwatch()
    data = _language.ptb_splits(args.data_dir, args.quick)
    vocab = data.vocab
    epochs, max_steps = (1, 8) if args.quick else (args.epochs, None)
    print(f"PTB: train on 90% of valid ({len(data.train)} words), choose the epoch on its last "
          f"10% ({len(data.held)}), score on test ({len(data.test)}); vocabulary {vocab}; LSTM "
          f"LM 100/100, dropout {DROPOUT}, tied weights, SGD lr {LR}, clip {MAX_GRAD}, batch "
          f"{BATCH} x {STEPS} steps, {epochs} epochs"
          + ("" if device == "cpu" else f", on {device}"))
    recipe = dict(lr=LR, batch=BATCH, steps=STEPS, seed=args.seed, device=device)
    run = _language.train(lambda: lstm_lm(vocab), data, epochs, max_grad=MAX_GRAD,
                          show_progress=not args.no_progress, max_steps=max_steps, **recipe)
    ppl = _language.perplexity(run["model"], data.test, STEPS)
    uni = _language.unigram_perplexity(data.train, data.test, vocab)
    _language.print_epochs(run, " (dropout on)")
    best = int(np.argmin(run["held_ppl"])) + 1
    print(f"test perplexity at the best held-out epoch ({best}): LSTM {ppl:.1f}, unigram "
          f"{uni:.1f}")
    raw = _language.train(lambda: lstm_lm(vocab), data, 1, max_grad=None, show_progress=False,
                          max_steps=8 if args.quick else None, **recipe)
    raw_norms, norms = raw["norms"], run["norms"][:len(raw["norms"])]
    raw_ppl = math.exp(min(raw["epoch_loss"][0], 700))
    print(f"without clipping, epoch 1: training perplexity "
          f"{f'{raw_ppl:.1f}' if raw_ppl < 1e6 else '> 1e6 (diverged)'}; largest gradient norm "
          f"{max(raw_norms):.3g} (with clipping, largest before clipping {max(norms):.3g})")
    result: dict[str, Any] = {"test_ppl": ppl, "unigram_ppl": uni,
                              "epoch_loss": run["epoch_loss"], "held_ppl": run["held_ppl"]}
    if args.torch:
        result["torch_test_ppl"] = torch_recipe(data.train, data.held, data.test, vocab,
                                                epochs, args.seed, max_steps)
        print(f"the same recipe in PyTorch: test perplexity {result['torch_test_ppl']:.1f} "
              f"(zerograd / PyTorch = {ppl / result['torch_test_ppl']:.3f})")

    plt = _common.pyplot()
    fig, (ax_p, ax_g) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    _language.plot_perplexity(ax_p, run, ppl, uni, "LSTM", " (dropout on)")
    ax_g.plot(raw_norms, label="no clipping", alpha=0.8)
    ax_g.plot(norms, label="clipped to 0.25 (norm before clipping)", alpha=0.8)
    ax_g.axhline(MAX_GRAD, color="grey", linestyle=":")
    ax_g.set(title="gradient norm per step, first epoch", xlabel="step", yscale="log")
    ax_g.legend()
    ax_g.grid(alpha=0.3, which="both")
    result["figures"] = [_common.save_figure(fig, args.out, "vol2_ch06_lstm_lm.png")]
    result["seconds"] = clock.done()
    return result


if __name__ == "__main__":
    main()
