"""Volume 2, chapter 4: word2vec with negative sampling, CBOW against skip-gram.

Both read ``ptb.valid`` (73,760 words; the book's ``ptb.train`` is not at hand here) with a
window of 5 and learn 100-dimensional vectors (``nn.word2vec``): CBOW predicts each word from
the mean of its 10 neighbours' vectors; skip-gram predicts each of the 10 neighbours from the
word's vector. Either scores the true word against 5 negatives drawn from the 0.75-power
unigram distribution (``UnigramSampler``), with binary cross-entropy. Adam (learning rate
0.001), batch 100, as the book. For the book's queries, the nearest words by cosine
similarity under each, and analogies (a : b = c : ?, the word nearest b - a + c).

``--device cuda`` trains both on the GPU through CuPy, as the book runs this chapter (vol 2
§1.5.2), from the same random draws as on the CPU (initial weights, negatives: NumPy's, on the
host), so only float rounding tells the runs apart. The ids stay NumPy arrays on the host,
where the negatives are drawn; each step copies the ids it looks up to the GPU.

    python examples/vol2_ch04_word2vec.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                          [--device DEVICE]
"""
from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np

import nn
import nn.data
import optim
from autograd.devices import to_numpy
from nn import word2vec as w2v

import _common
from vol2_ch02_count import QUERIES

WINDOW, HIDDEN, NEGATIVES, BATCH = 5, 100, 5, 100
# The book's analogies, where ptb.valid has their words (no "queen", one "child"), and a few of
# the same kinds: a verb's past tense, a noun's plural, a comparative.
ANALOGIES = (("take", "took", "go", "went"), ("buy", "bought", "sell", "sold"),
             ("rise", "rose", "fall", "fell"), ("stock", "stocks", "company", "companies"),
             ("car", "cars", "company", "companies"), ("good", "better", "bad", "worse"),
             ("he", "his", "she", "her"))


def train(model: nn.Module, contexts: np.ndarray, target: np.ndarray, epochs: int, seed: int,
          show_progress: bool, name: str) -> list[float]:
    """Adam on shuffled batches; the mean loss per predicted word of each epoch."""
    opt = optim.Adam(model.parameters(), lr=0.001)
    rng = np.random.default_rng(seed)
    # skip-gram's loss is summed over the context positions: one prediction per neighbour
    per_prediction = contexts.shape[1] if isinstance(model, w2v.SkipGram) else 1
    losses = []
    for epoch in range(epochs):
        began, order, total = time.perf_counter(), rng.permutation(len(target)), []
        for i in _common.progress(range(0, len(order), BATCH), show_progress,
                                  f"{name} epoch {epoch + 1}",
                                  total=(len(order) + BATCH - 1) // BATCH):
            b = order[i:i + BATCH]
            loss = model(contexts[b], target[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total.append(loss.item())
        losses.append(float(np.mean(total)) / per_prediction)
        print(f"  {name} epoch {epoch + 1}: loss {losses[-1]:.4f} "
              f"({time.perf_counter() - began:.1f} s)", flush=True)
    return losses


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="ptb", epochs=10, device=True)
    args = parser.parse_args(argv)
    device = _common.use_device(parser, args.device)
    clock = _common.Stopwatch()
    ptb = nn.data.PTB("valid", root=args.data_dir)
    ids, vocab = (ptb.ids[:5000], ptb.vocab) if args.quick else (ptb.ids, ptb.vocab)
    v = len(vocab)
    epochs = 1 if args.quick else args.epochs
    contexts, target = w2v.contexts_and_target(ids, window=WINDOW)
    print(f"ptb.valid: {len(ids)} words, vocabulary {v}; window {WINDOW}, hidden {HIDDEN}, "
          f"{NEGATIVES} negatives, Adam lr 0.001, batch {BATCH}, {epochs} epochs"
          + ("" if device == "cpu" else f", on {device}"))
    vectors, losses = {}, {}
    for name, cls in (("CBOW", w2v.CBOW), ("skip-gram", w2v.SkipGram)):
        _common.seed_all(args.seed)
        sampler = w2v.UnigramSampler(ids, 0.75, NEGATIVES, vocab_size=v, seed=args.seed)
        model = cls(v, HIDDEN, sampler).to(device)  # before Adam makes its state
        losses[name] = train(model, contexts, target, epochs, args.seed,
                             not args.no_progress, name)
        vectors[name] = to_numpy(model.word_vecs)

    nearest: dict[str, dict[str, list]] = {}
    for name, vecs in vectors.items():
        print(f"nearest words, {name}:")
        nearest[name] = {}
        for q in QUERIES:
            if q in vocab:
                nearest[name][q] = w2v.most_similar(q, vocab, vecs, top=5)
                print(f"  {q:8s} " + ", ".join(f"{w} {s:.2f}" for w, s in nearest[name][q]))
    analogies: dict[str, dict[str, list]] = {}
    for name, vecs in vectors.items():
        print(f"analogies, {name} (a : b = c : ?, the expected word, then the top 3):")
        analogies[name] = {}
        for a, b, c, expected in ANALOGIES:
            if all(w in vocab for w in (a, b, c, expected)):
                top = w2v.analogy(a, b, c, vocab, vecs, top=3)
                analogies[name][f"{a}:{b}={c}:{expected}"] = top
                hit = "hit " if top[0][0] == expected else "    "
                print(f"  {hit}{f'{a} : {b} = {c} : {expected}':38s} " +
                      ", ".join(f"{w} {s:.2f}" for w, s in top))

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for name, curve in losses.items():
        ax.plot(range(1, len(curve) + 1), curve, "o-", label=name)
    ax.set(title="word2vec with negative sampling on ptb.valid", xlabel="epoch",
           ylabel="loss per predicted word (1 + 5 logistic losses)")
    ax.legend()
    ax.grid(alpha=0.3)
    return {"losses": losses, "nearest": nearest, "analogies": analogies,
            "figures": [_common.save_figure(fig, args.out, "vol2_ch04_word2vec.png")],
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
