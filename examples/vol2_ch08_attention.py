"""Volume 2, chapter 8: attention learns to convert dates ("september 27, 1994" ->
"1994-09-27"), and shows where it looks.

``nn.seq2seq.AttentionSeq2Seq``: an LSTM encoder over the (reversed, as the book) question; at
each step of the answer the decoder's LSTM state scores every encoder state, and a softmax of
the scores weighs them into the context its output layer reads. Characters as vectors of 16,
hidden 256, the book's 10 epochs (Adam, lr 0.001, batch 128, gradients clipped at 5). The
figures: exact-match accuracy on the 5,000 held-out dates after each epoch, and the attention
weights of a few conversions as heatmaps (answer characters down, question characters across).
``--device cuda`` trains and scores the model on the GPU through CuPy.

    python examples/vol2_ch08_attention.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                           [--device DEVICE]
"""
from __future__ import annotations

from typing import Any, Sequence

import nn
import nn.data
import nn.seq2seq
from autograd.devices import to_numpy

import _common
from vol2_ch07_seq2seq import answers, fit


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="seq", epochs=10, device=True)
    args = parser.parse_args(argv)
    device = _common.use_device(parser, args.device)
    clock = _common.Stopwatch()
    epochs, max_steps = (1, 2) if args.quick else (args.epochs, None)
    data = nn.data.Dates(root=args.data_dir, reverse=True)
    train, test = data.split()
    if args.quick:
        test = nn.data.ArrayDataset(*(a[:200] for a in test.arrays))
    print(f"dates: 45,000 to learn from, {len(test)} to test; {epochs} epochs, Adam lr 0.001, "
          "batch 128, clip 5.0; characters as vectors of 16, hidden 256, questions reversed"
          + ("" if device == "cpu" else f", on {device}"))
    _common.seed_all(args.seed)
    model = nn.seq2seq.AttentionSeq2Seq(len(data.vocab), 16, 256).to(device)
    losses, accs = fit(model, train, test, epochs, args.seed, not args.no_progress, max_steps,
                       "attention")
    for e, (loss, acc) in enumerate(zip(losses, accs), 1):
        print(f"  epoch {e:2d}: loss {loss:.4f}, test exact match {acc:.4f}")
    x, t = test.arrays
    picks = x[:3]
    guess = answers(model, picks, int(t[0, 0]), t.shape[1] - 1)
    weights = to_numpy(model.attention)  # (3, answer length, question length)
    for q, g in zip(picks, guess):
        print(f"    {data.decode(q[::-1]).strip():30s} -> {data.decode(g)}")

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.plot(range(1, epochs + 1), accs, "o-")
    ax.set(title="attention seq2seq on dates: exact match, 5,000 held out", xlabel="epoch",
           ylabel="accuracy", ylim=(0, 1))
    ax.grid(alpha=0.3)
    figures = [_common.save_figure(fig, args.out, "vol2_ch08_attention.png")]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), layout="constrained")
    for ax, q, g, w in zip(axes, picks, guess, weights):
        question = list(data.decode(q[::-1]))  # back in reading order, as are the columns
        ax.imshow(w[:, ::-1], cmap="gray", aspect="auto", vmin=0, vmax=1)
        ax.set_xticks(range(len(question)), question, fontsize=7)
        ax.set_yticks(range(len(g)), list(data.decode(g)), fontsize=8)
        ax.set(xlabel="question", ylabel="answer")
    fig.suptitle("where the decoder looks: attention weights (white = 1)")
    figures.append(_common.save_figure(fig, args.out, "vol2_ch08_attention_map.png"))
    return {"acc": accs, "loss": losses, "figures": figures, "seconds": clock.done()}


if __name__ == "__main__":
    main()
