"""Volume 2, chapter 5: a plain RNN language model on the Penn Treebank, by truncated
backpropagation through time.

The book's SimpleRnnlm: ``nn.zoo.LanguageModel(cell="rnn")``, an embedding of 100, one tanh
RNN layer of 100 (``nn.RNN``; no LSTM, no dropout), a softmax over the vocabulary. It reads the
text in 10 rows of 5 words (``nn.data.BPTTLoader``), carrying its hidden state from window to
window, detached, so backward goes back 5 steps only; plain SGD with learning rate 0.1, no
clipping: the book's chapter 5 settings.

``ptb.train.txt`` is not at hand in this project, so, as the chapter 6 script, the model learns
from the first 90% of ``ptb.valid``, picks its best epoch on the last 10%, and is scored once
on ``ptb.test``: perplexity exp(mean cross-entropy), beside a unigram model's (word
frequencies of the training text, add-one smoothed). ``--device cuda`` trains and scores it on
the GPU through CuPy (vol 2 §1.5.2), from the same initial weights as on the CPU (drawn on the
host), so only float rounding tells the runs apart.

    python examples/vol2_ch05_rnnlm.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                       [--device DEVICE]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn
import nn.zoo

import _common
import _language

BATCH, STEPS, LR = 10, 5, 0.1


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="ptb", epochs=10, device=True)
    args = parser.parse_args(argv)
    device = _common.use_device(parser, args.device)
    clock = _common.Stopwatch()
    data = _language.ptb_splits(args.data_dir, args.quick)
    epochs, max_steps = (2, 4) if args.quick else (args.epochs, None)
    print(f"PTB: train on 90% of valid ({len(data.train)} words), choose the epoch on its last "
          f"10% ({len(data.held)}), score on test ({len(data.test)}); vocabulary {data.vocab}; "
          f"RNN LM 100/100 (tanh), SGD lr {LR}, no clipping, batch {BATCH} x {STEPS} steps, "
          f"{epochs} epochs" + ("" if device == "cpu" else f", on {device}"))
    run = _language.train(lambda: nn.zoo.LanguageModel(data.vocab, 100, 100, cell="rnn"),
                          data, epochs, lr=LR, batch=BATCH, steps=STEPS, max_grad=None,
                          seed=args.seed, show_progress=not args.no_progress,
                          max_steps=max_steps, device=device)
    ppl = _language.perplexity(run["model"], data.test, STEPS)
    uni = _language.unigram_perplexity(data.train, data.test, data.vocab)
    _language.print_epochs(run)
    best = int(np.argmin(run["held_ppl"])) + 1
    print(f"test perplexity at the best held-out epoch ({best}): RNN {ppl:.1f}, unigram "
          f"{uni:.1f}")

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    _language.plot_perplexity(ax, run, ppl, uni, "RNN")
    ax.set_title("plain RNN language model: perplexity")
    return {"test_ppl": ppl, "unigram_ppl": uni, "epoch_loss": run["epoch_loss"],
            "held_ppl": run["held_ppl"],
            "figures": [_common.save_figure(fig, args.out, "vol2_ch05_rnnlm.png")],
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
