"""Volume 2, chapter 3: the simple CBOW, word vectors learned by predicting a word from its two
neighbours, on the book's corpus "You say goodbye and I say hello.".

``nn.word2vec.SimpleCBOW``: the mean of the two context words' input vectors (hidden 5), a
product with the output matrix, a full softmax over the 7 words, cross-entropy; trained by
``nn.train.Trainer`` with Adam (learning rate 0.001), batch 3, 1,000 epochs: the book's
settings. It prints the learned word vectors and what the model guesses between "you" and
"goodbye", and saves the loss curve.

Then why chapter 4 exists: the time of the forward and backward pass on a batch of 100 (window
5, hidden 100) as the vocabulary grows from 1,000 words to the book's 10,000 and 100,000 (random
word ids), full softmax against chapter 4's negative sampling (``nn.word2vec.CBOW``, 5
negatives).

    python examples/vol2_ch03_simple_cbow.py [--quick] [--out DIR] [--epochs N]
"""
from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import numpy as np

import autograd as ag
import nn.data
import optim
from nn import functional as F
from nn import word2vec as w2v
from nn.train import Trainer

import _common
from vol2_ch02_count import TOY, toy_words

VOCABULARIES = (1_000, 10_000, 100_000)


def step_seconds(loss_of: Callable[[], Any], steps: int) -> float:
    """Median seconds of the forward and backward pass of the loss ``loss_of()`` makes (the
    optimizer's update left out: with dense gradients it costs both models the same)."""
    times = []
    for _ in range(steps):
        began = time.perf_counter()
        loss_of().backward()
        times.append(time.perf_counter() - began)
    return float(np.median(times))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, epochs=1000)
    args = parser.parse_args(argv)
    clock = _common.Stopwatch()
    _common.seed_all(args.seed)
    words = toy_words()
    vocab = nn.data.Vocabulary(words)
    contexts, target = w2v.contexts_and_target(vocab.encode(words), window=1)
    epochs = 100 if args.quick else args.epochs
    model = w2v.SimpleCBOW(len(vocab), 5)
    loader = nn.data.DataLoader(nn.data.ArrayDataset(contexts, target), batch_size=3,
                                shuffle=True, seed=args.seed)
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=0.001), progress=False,
                      verbose=False)
    print(f"SimpleCBOW on {TOY!r}: {len(target)} (contexts, target) pairs, hidden 5, Adam "
          f"lr 0.001, batch 3, {epochs} epochs")
    history = trainer.fit(loader, epochs)
    for i in range(0, epochs, max(epochs // 10, 1)):
        print(f"  epoch {history.epoch[i]:4d}: loss {history.train_loss[i]:.4f}")
    print(f"  epoch {history.epoch[-1]:4d}: loss {history.train_loss[-1]:.4f}")
    print("word vectors (the input matrix's rows):")
    for w, v in zip(vocab.id_to_word, model.word_vecs):
        print(f"  {w:8s} " + " ".join(f"{x:6.2f}" for x in v))
    model.eval()
    with ag.no_grad():
        p = F.softmax(model(vocab.encode(["you", "goodbye"])[None]), axis=1).data[0]
    guess = {w: float(q) for w, q in zip(vocab.id_to_word, p)}
    print("between 'you' and 'goodbye': " + ", ".join(
        f"{w} {q:.3f}" for w, q in sorted(guess.items(), key=lambda kv: -kv[1])[:3]))

    rng = np.random.default_rng(args.seed)
    sizes = (1_000, 10_000) if args.quick else VOCABULARIES
    steps = 3 if args.quick else 20
    cost: dict[str, dict[int, float]] = {"full softmax": {}, "negative sampling": {}}
    print(f"forward + backward, batch 100, window 5, hidden 100 (median of {steps}), ms:")
    print(f"  {'vocabulary':>10s} {'full softmax':>13s} {'negative sampling':>18s}")
    for size in sizes:
        x, t = rng.integers(0, size, (100, 10)), rng.integers(0, size, 100)
        full = w2v.SimpleCBOW(size, 100)
        sampled = w2v.CBOW(size, 100, w2v.UnigramSampler(np.arange(size), 0.75, 5,
                                                          seed=args.seed))
        cost["full softmax"][size] = step_seconds(lambda: F.cross_entropy(full(x), t), steps)
        cost["negative sampling"][size] = step_seconds(lambda: sampled(x, t), steps)
        print(f"  {size:10,d} {cost['full softmax'][size] * 1e3:13.2f} "
              f"{cost['negative sampling'][size] * 1e3:18.2f}")

    plt = _common.pyplot()
    fig, (ax, ax_cost) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    ax.plot(history.epoch, history.train_loss)
    ax.axhline(np.log(len(vocab)), color="grey", linestyle=":", label="ln 7: a uniform guess")
    ax.set(title="SimpleCBOW on the book's corpus", xlabel="epoch",
           ylabel="cross-entropy (all 6 pairs)")
    ax.legend()
    for name, by_size in cost.items():
        ax_cost.plot(list(by_size), [v * 1e3 for v in by_size.values()], "o-", label=name)
    ax_cost.set(title="forward + backward, batch 100", xlabel="vocabulary", ylabel="ms",
                xscale="log", yscale="log")
    ax_cost.legend()
    for a in (ax, ax_cost):
        a.grid(alpha=0.3, which="both")
    return {"loss": history.train_loss, "guess": guess, "word_vecs": model.word_vecs.copy(),
            "step_seconds": cost,
            "figures": [_common.save_figure(fig, args.out, "vol2_ch03_simple_cbow.png")],
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
