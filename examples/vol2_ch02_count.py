"""Volume 2, chapter 2: word vectors by counting.

First the book's one-sentence corpus, "You say goodbye and I say hello.": its co-occurrence
matrix (window 1), the cosine similarities of its rows, the PPMI, and the words on the first
two axes of the PPMI's SVD (``nn.word2vec``: ``co_occurrence``, ``ppmi``, ``svd_vectors``,
``most_similar``). Then the same on ``ptb.valid`` (73,760 words; the book's ``ptb.train`` is
not at hand here): window 2, 100-dimensional vectors from a randomized truncated SVD, the
nearest words to the book's queries, and a map of the frequent words on the first two axes.

    python examples/vol2_ch02_count.py [--quick] [--out DIR] [--data-dir DIR]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nn.data
from nn import word2vec as w2v

import _common

TOY = "You say goodbye and I say hello."
QUERIES = ("you", "year", "car", "toyota")  # the book's


def toy_words() -> list[str]:
    """The book's ``preprocess``: lower case, the full stop a word of its own."""
    return TOY.lower().replace(".", " .").split()


def print_nearest(vocab: Any, vectors: np.ndarray, queries: Sequence[str],
                  top: int = 5) -> dict[str, list]:
    table = {}
    for q in queries:
        if q in vocab:
            table[q] = w2v.most_similar(q, vocab, vectors, top=top)
            print(f"  {q:8s} " + ", ".join(f"{w} {s:.3f}" for w, s in table[q]))
    return table


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = _common.make_parser(__doc__, data="ptb")
    args = parser.parse_args(argv)
    clock = _common.Stopwatch()
    words = toy_words()
    vocab = nn.data.Vocabulary(words)
    c = w2v.co_occurrence(vocab.encode(words), len(vocab), window=1)
    print(f"corpus: {TOY!r}; vocabulary {vocab.id_to_word}")
    print("co-occurrence matrix (window 1):")
    for w, row in zip(vocab.id_to_word, c):
        print(f"  {w:8s} {row.tolist()}")
    print("nearest to 'you' by the cosine of the counts:")
    toy_near = print_nearest(vocab, c, ["you"], top=5)["you"]
    m = w2v.ppmi(c)
    print("PPMI:")
    for w, row in zip(vocab.id_to_word, m):
        print(f"  {w:8s} " + " ".join(f"{v:5.3f}" for v in row))
    toy_xy = w2v.svd_vectors(m, 2)

    ptb = nn.data.PTB("valid", root=args.data_dir)
    ptb_vocab, ids = ptb.vocab, ptb.ids
    if args.quick:  # 5,000 words, numbered afresh: a matrix of their 1,500 words, not 6,022
        text = ptb_vocab.decode(ids[:5000])
        ptb_vocab = nn.data.Vocabulary(text)
        ids = ptb_vocab.encode(text)
    size = len(ptb_vocab)
    print(f"ptb.valid: {len(ids)} words, vocabulary {size}; window 2, 100-dimensional SVD")
    counted = w2v.svd_vectors(w2v.ppmi(w2v.co_occurrence(ids, size, window=2)), 100,
                              seed=args.seed)
    print("nearest words, PPMI + SVD:")
    table = print_nearest(ptb_vocab, counted, QUERIES)

    plt = _common.pyplot()
    fig, (ax_toy, ax_ptb) = plt.subplots(1, 2, figsize=(12, 5.5), layout="constrained",
                                         width_ratios=(1, 1.6))
    ax_toy.scatter(toy_xy[:, 0], toy_xy[:, 1], color="tab:blue")
    points: dict[tuple, list[str]] = {}  # words with equal PPMI rows fall on one point
    for w, xy in zip(vocab.id_to_word, toy_xy):
        points.setdefault(tuple(np.round(xy, 6)), []).append(w)
    for xy, ws in points.items():
        ax_toy.annotate(", ".join(ws), xy, xytext=(4, 4), textcoords="offset points")
    ax_toy.set(title="the book's sentence: PPMI + SVD, first two axes")
    frequent = np.argsort(-np.bincount(ids, minlength=size))[10:70]  # past the function words
    xy = counted[frequent, :2]
    ax_ptb.scatter(xy[:, 0], xy[:, 1], s=8, color="tab:blue")
    for k, (x, y) in zip(frequent, xy):
        ax_ptb.annotate(ptb_vocab.id_to_word[k], (x, y), fontsize=7)
    ax_ptb.set(title="ptb.valid: the 11th to 70th most frequent words, first two axes")
    return {"co_occurrence": c, "ppmi": m, "toy_nearest": toy_near, "nearest": table,
            "figures": [_common.save_figure(fig, args.out, "vol2_ch02_count.png")],
            "seconds": clock.done()}


if __name__ == "__main__":
    main()
