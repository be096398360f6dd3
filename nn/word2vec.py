"""Word vectors, volume 2 chapters 2 to 4: counted (co-occurrence, PPMI, a truncated SVD) and
learned (the simple CBOW with a full softmax; CBOW and skip-gram with negative sampling), and
the queries both answer (``most_similar``, ``analogy``).

>>> import numpy as np
>>> from nn.data import Vocabulary
>>> vocab = Vocabulary("you say goodbye and i say hello .".split())
>>> ids = vocab.encode("you say goodbye and i say hello .".split())
>>> co_occurrence(ids, len(vocab))[1].tolist()      # "say": you, goodbye, i, hello
[1, 0, 1, 0, 1, 1, 0]
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import ArgumentError, Variable
from autograd.devices import array_module, to_numpy

from . import functional as F
from . import init
from .layers import Embedding, Linear
from .module import Module


def co_occurrence(ids: np.ndarray, vocab_size: int, window: int = 1) -> np.ndarray:
    """C[i, j]: how often word j appears within ``window`` words of word i. Shape (V, V)."""
    ids = np.asarray(ids)
    c = np.zeros((vocab_size, vocab_size), dtype=np.int64)
    for offset in range(1, window + 1):
        left, right = ids[:-offset], ids[offset:]
        np.add.at(c, (left, right), 1)
        np.add.at(c, (right, left), 1)
    return c


def ppmi(c: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Positive pointwise mutual information of a co-occurrence matrix: max(0, log2(C[i, j] N
    / (S_i S_j))), N the total count and S the row sums, as the book's ``ppmi``."""
    c = np.asarray(c, dtype=np.float64)
    n, s = c.sum(), c.sum(axis=0)
    with np.errstate(divide="ignore"):
        pmi = np.log2(c * n / (s[:, None] * s[None, :] + eps) + eps)
    return np.maximum(0.0, pmi)


def svd_vectors(m: np.ndarray, dim: int, exact: bool | None = None, seed: int = 0,
                n_iter: int = 5, oversample: int = 10) -> np.ndarray:
    """Dense word vectors of size ``dim`` from a (V, V) matrix such as the PPMI: the first
    ``dim`` left singular vectors.

    ``exact`` (the default for V up to 1,000) takes NumPy's full SVD, O(V^3): minutes for
    PTB's vocabulary. Otherwise a randomized truncated SVD (Halko, Martinsson and Tropp):
    an orthonormal basis of ``m`` times ``dim + oversample`` random vectors, sharpened by
    ``n_iter`` power iterations, then the exact SVD of the small projected matrix; O(V^2 dim).
    """
    m = np.asarray(m, dtype=np.float64)
    if exact is None:
        exact = m.shape[0] <= 1000
    if exact:
        return np.linalg.svd(m)[0][:, :dim]
    k = min(dim + oversample, min(m.shape))
    q = np.random.default_rng(seed).standard_normal((m.shape[1], k))
    q, _ = np.linalg.qr(m @ q)
    for _ in range(n_iter):  # each pass sharpens the top of the spectrum
        q, _ = np.linalg.qr(m.T @ q)
        q, _ = np.linalg.qr(m @ q)
    u_small = np.linalg.svd(q.T @ m, full_matrices=False)[0]
    return (q @ u_small)[:, :dim]


def _unit_rows(w: np.ndarray) -> np.ndarray:
    return w / (np.linalg.norm(w, axis=1, keepdims=True) + 1e-8)


def most_similar(query: str, vocab: Any, vectors: np.ndarray, top: int = 5) -> list:
    """The ``top`` words whose vectors are closest to ``query``'s by cosine similarity, as
    ``(word, similarity)``, the query itself left out. ``vectors`` (V, D) on any device,
    compared on the host (a model's ``word_vecs`` on a GPU are copied over)."""
    if query not in vocab:
        raise ArgumentError(f"most_similar: {query!r} is not in the vocabulary")
    unit = _unit_rows(np.asarray(to_numpy(vectors), dtype=np.float64))
    q = vocab.word_to_id[query]
    sims = unit @ unit[q]
    sims[q] = -np.inf
    best = np.argsort(-sims)[:top]
    return [(vocab.id_to_word[i], float(sims[i])) for i in best]


def analogy(a: str, b: str, c: str, vocab: Any, vectors: np.ndarray, top: int = 5) -> list:
    """``a`` is to ``b`` as ``c`` is to ...: the words closest to b - a + c (unit vectors),
    the three left out, as ``(word, similarity)``; ``vectors`` as for `most_similar`."""
    for w in (a, b, c):
        if w not in vocab:
            raise ArgumentError(f"analogy: {w!r} is not in the vocabulary")
    unit = _unit_rows(np.asarray(to_numpy(vectors), dtype=np.float64))
    ia, ib, ic = (vocab.word_to_id[w] for w in (a, b, c))
    q = unit[ib] - unit[ia] + unit[ic]
    sims = unit @ (q / (np.linalg.norm(q) + 1e-8))
    sims[[ia, ib, ic]] = -np.inf
    best = np.argsort(-sims)[:top]
    return [(vocab.id_to_word[i], float(sims[i])) for i in best]


def contexts_and_target(ids: np.ndarray, window: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """For every position with ``window`` words on both sides: its context ids (N, 2 window)
    and its word (N,), as the book's ``create_contexts_target``."""
    ids = np.asarray(ids)
    target = ids[window:len(ids) - window]
    offsets = [k for k in range(-window, window + 1) if k]
    contexts = np.stack([ids[window + k:len(ids) - window + k] for k in offsets], axis=1)
    return contexts, target


class UnigramSampler:
    """Negative samples drawn from the words' frequencies to the power 0.75 (so rare words are
    drawn a little more often than they occur), never the target itself. Drawn with
    replacement, as the book's GPU path does (its CPU path loops over rows without it): one
    vectorised draw, the few draws that hit their target drawn again.

    ``sample(target)`` gives ``(N, sample_size)`` ids for targets ``(N,)``. It draws on the
    host, with NumPy's generator, whatever the model's device: a seed draws the same negatives
    on every device. Targets on a GPU are copied to the host first; the ids are NumPy's.
    """

    def __init__(self, ids: np.ndarray, power: float = 0.75, sample_size: int = 5,
                 vocab_size: int | None = None, seed: int | None = None) -> None:
        counts = np.bincount(np.asarray(ids), minlength=vocab_size or 0).astype(np.float64)
        p = counts ** power
        self.p = p / p.sum()
        self.sample_size = int(sample_size)
        self.rng = np.random.default_rng(seed)

    def sample(self, target: np.ndarray) -> np.ndarray:
        target = to_numpy(target)
        if (self.p[target] >= 1.0).any():
            raise ArgumentError("UnigramSampler: a target is the only word with a nonzero "
                                "frequency; nothing else can be drawn")
        out = self.rng.choice(len(self.p), (len(target), self.sample_size), p=self.p)
        hit = out == target[:, None]
        while hit.any():
            out[hit] = self.rng.choice(len(self.p), int(hit.sum()), p=self.p)
            hit = out == target[:, None]
        return out.astype(np.int64)


class SimpleCBOW(Module):
    """The book's first CBOW (vol 2 ch. 3): the mean of the context words' input vectors, then
    a product with an output matrix into one score per word of the vocabulary; trained with
    cross-entropy over that full softmax (``F.cross_entropy(model(contexts), target)``, as
    the ``Trainer`` does by default). Its cost grows with the vocabulary: chapter 4's `CBOW`
    replaces the softmax with negative sampling.

    Both matrices start at 0.01 N(0, 1), as the book's. ``word_vecs`` are the input vectors.

    Shape:
        ``forward(contexts)``: (N, 2 window) ids -> (N, vocab_size) logits.

    >>> model = SimpleCBOW(7, 5)
    >>> model(np.array([[0, 2], [1, 3]])).shape
    (2, 7)
    """

    def __init__(self, vocab_size: int, hidden_size: int) -> None:
        super().__init__()
        self.in_embed = Embedding(vocab_size, hidden_size)
        self.out = Linear(hidden_size, vocab_size, bias=False)
        for w in (self.in_embed.weight, self.out.weight):
            init.normal_(w, 0.0, 0.01)

    def forward(self, contexts: Any) -> Variable:
        return self.out(self.in_embed(contexts).mean(axis=1))

    @property
    def word_vecs(self) -> Any:
        """The input vectors (V, hidden_size), on the model's device (``to_numpy`` for the
        host)."""
        return self.in_embed.weight.data


class _NegativeSampling(Module):
    """The loss of a hidden vector against its word (label 1) and sampled others (label 0):
    dot products with the output embeddings, then binary cross-entropy on the logits.

    The sampler draws on the host, so the targets are read there: keep them on the host
    (a target on a GPU costs a copy back each step). The one copy per step to the model's
    device is that of the looked-up ids, the targets with their negatives."""

    def __init__(self, vocab_size: int, hidden_size: int, sampler: UnigramSampler) -> None:
        super().__init__()
        self.out_embed = Embedding(vocab_size, hidden_size)
        init.normal_(self.out_embed.weight, 0.0, 0.01)  # the book's 0.01 N(0, 1)
        self.sampler = sampler

    def loss(self, h: Variable, target: Any) -> Variable:
        target = to_numpy(target)
        negatives = self.sampler.sample(target)  # (N, k)
        ids = np.concatenate([target[:, None], negatives], axis=1)  # (N, 1 + k)
        # the ids go to the embedding on the host: it checks their range there, then copies
        # them to the table's device (checked there, the range would be read back each step)
        scores = (self.out_embed(ids) * ag.expand_dims(h, 1)).sum(axis=2)  # embedding dot
        labels = array_module(scores.data).zeros(scores.shape, dtype=scores.dtype)
        labels[:, 0] = 1
        return F.binary_cross_entropy_with_logits(scores, labels, reduction="sum") / len(ids)


class CBOW(Module):
    """Continuous bag of words with negative sampling (vol 2 ch. 4): the mean of the context
    words' input vectors predicts the word between them. ``word_vecs`` are the input vectors.

    Shape: ``forward(contexts, target)``: (N, 2 window) and (N,) ids -> the scalar loss.

    On a device (``model.to("cuda")``), pass the ids as NumPy arrays: the embedding copies the
    contexts over, and the negative sampler reads the targets on the host (as it draws there).
    """

    def __init__(self, vocab_size: int, hidden_size: int, sampler: UnigramSampler) -> None:
        super().__init__()
        self.in_embed = Embedding(vocab_size, hidden_size)
        init.normal_(self.in_embed.weight, 0.0, 0.01)
        self.ns = _NegativeSampling(vocab_size, hidden_size, sampler)

    def forward(self, contexts: Any, target: Any) -> Variable:
        h = self.in_embed(contexts).mean(axis=1)
        return self.ns.loss(h, target)

    @property
    def word_vecs(self) -> Any:
        """The input vectors (V, hidden_size), on the model's device (``to_numpy`` for the
        host)."""
        return self.in_embed.weight.data


class SkipGram(CBOW):
    """Skip-gram with negative sampling: each word's input vector predicts every word of its
    context. Same shapes as `CBOW`; the loss is summed over the context positions. The
    contexts are what the sampler reads here: on the host best, as `CBOW`'s ids."""

    def forward(self, contexts: Any, target: Any) -> Variable:
        h = self.in_embed(target)
        contexts = to_numpy(contexts)  # read by the sampler, on the host
        total = None
        for k in range(contexts.shape[1]):
            part = self.ns.loss(h, contexts[:, k])
            total = part if total is None else total + part
        return total
