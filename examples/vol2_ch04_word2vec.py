"""Volume 2, chapters 2 to 4: word vectors from counting and from predicting.

Both read ``ptb.valid`` (73,760 words; the book's ``ptb.train`` is not at hand here). Counted
(ch. 2): the co-occurrence matrix of a window of 2, its PPMI, and 100-dimensional vectors from
its SVD. Learned (ch. 4): CBOW with negative sampling (window 5, hidden 100, 5 negatives drawn
from the 0.75-power unigram distribution, Adam, batch 100). For a few query words, the nearest
words by cosine similarity under each; and a map of the frequent words on the SVD's first two
axes.

    python examples/vol2_ch04_word2vec.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn
import nn.data
import optim
from nn import word2vec as w2v

import _common

QUERIES = ("you", "year", "car", "toyota")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="ptb", epochs=10)
    args = parser.parse_args(argv)
    clock = _common.Stopwatch()
    ptb = nn.data.PTB("valid", root=args.data_dir)
    ids, vocab = (ptb.ids[:5000], ptb.vocab) if args.quick else (ptb.ids, ptb.vocab)
    v = len(vocab)
    print(f"ptb.valid: {len(ids)} words, vocabulary {v}")

    counted = w2v.svd_vectors(w2v.ppmi(w2v.co_occurrence(ids, v, window=2)), 100)
    _common.seed_all(args.seed)
    contexts, target = w2v.contexts_and_target(ids, window=5)
    sampler = w2v.UnigramSampler(ids, 0.75, 5, vocab_size=v, seed=args.seed)
    model = w2v.CBOW(v, 100, sampler)
    opt = optim.Adam(model.parameters(), lr=0.001)
    rng = np.random.default_rng(args.seed)
    epochs = 1 if args.quick else args.epochs
    losses = []
    for epoch in range(epochs):
        order, total = rng.permutation(len(target)), []
        for i in _common.progress(range(0, len(order), 100), not args.no_progress,
                                  f"epoch {epoch + 1}", total=(len(order) + 99) // 100):
            b = order[i:i + 100]
            loss = model(contexts[b], target[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total.append(float(loss.data))
        losses.append(float(np.mean(total)))
        print(f"  CBOW epoch {epoch + 1}: loss {losses[-1]:.4f}", flush=True)

    table = {}
    for name, vectors in (("PPMI + SVD", counted), ("CBOW", model.word_vecs)):
        print(f"nearest words, {name}:")
        table[name] = {}
        for q in QUERIES:
            if q in vocab:
                near = w2v.most_similar(q, vocab, vectors, top=5)
                table[name][q] = near
                print(f"  {q:8s} " + ", ".join(f"{w} {s:.2f}" for w, s in near))

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
    frequent = np.argsort(-np.bincount(ids, minlength=v))[10:70]  # past the function words
    xy = counted[frequent, :2]
    ax.scatter(xy[:, 0], xy[:, 1], s=8, color="tab:blue")
    for k, (x, y) in zip(frequent, xy):
        ax.annotate(vocab.id_to_word[k], (x, y), fontsize=7)
    ax.set(title="PPMI + SVD: the 11th to 70th most frequent words, first two axes")
    return {"losses": losses, "nearest": table, "seconds": clock.done(),
            "figures": [_common.save_figure(fig, args.out, "vol2_ch04_word2vec.png")]}


if __name__ == "__main__":
    main()
