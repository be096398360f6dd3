"""nn.word2vec: the book's co-occurrence and PPMI numbers, the SVD vectors, the sampler's
distribution, the simple CBOW's, CBOW's and skip-gram's gradients against numerical
differentiation, and that the CBOWs learn on the book's toy corpus."""
from __future__ import annotations

import numpy as np
import pytest

import nn
import optim
from autograd import ArgumentError
from autograd.testing import check_module_gradients
from nn import functional as F
from nn.data import Vocabulary
from nn.word2vec import (
    CBOW, SimpleCBOW, SkipGram, UnigramSampler, analogy, co_occurrence, contexts_and_target,
    most_similar, ppmi, svd_vectors,
)

TEXT = "you say goodbye and i say hello .".split()
VOCAB = Vocabulary(TEXT)
IDS = VOCAB.encode(TEXT)


def test_the_books_co_occurrence_and_ppmi():
    c = co_occurrence(IDS, len(VOCAB))
    np.testing.assert_array_equal(c, [[0, 1, 0, 0, 0, 0, 0], [1, 0, 1, 0, 1, 1, 0],
                                      [0, 1, 0, 1, 0, 0, 0], [0, 0, 1, 0, 1, 0, 0],
                                      [0, 1, 0, 1, 0, 0, 0], [0, 1, 0, 0, 0, 0, 1],
                                      [0, 0, 0, 0, 0, 1, 0]])
    w = ppmi(c)
    np.testing.assert_allclose(w[0], [0, 1.807, 0, 0, 0, 0, 0], atol=1e-3)  # the book's row
    np.testing.assert_allclose(w[5], [0, 0.807, 0, 0, 0, 0, 2.807], atol=1e-3)
    vectors = svd_vectors(w, 2)
    assert vectors.shape == (7, 2)
    words = [word for word, _ in most_similar("you", VOCAB, w, top=3)]
    assert "you" not in words and len(words) == 3
    with pytest.raises(ArgumentError, match="'cat' is not in the vocabulary"):
        most_similar("cat", VOCAB, w)


def test_analogy_on_constructed_vectors():
    vocab = Vocabulary(["man", "king", "woman", "queen", "apple"])
    v = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [5, -3, 2]], float)
    assert analogy("man", "king", "woman", vocab, v, top=1)[0][0] == "queen"


def test_contexts_and_target():
    contexts, target = contexts_and_target(IDS, window=1)
    assert contexts.tolist()[0] == [0, 2] and target.tolist()[0] == 1
    assert contexts.shape == (6, 2) and target.shape == (6,)


def test_unigram_sampler_follows_the_power_and_skips_the_target():
    ids = np.array([0] * 80 + [1] * 15 + [2] * 5)
    sampler = UnigramSampler(ids, power=0.75, sample_size=1, seed=0)
    expected = np.array([80, 15, 5]) ** 0.75
    np.testing.assert_allclose(sampler.p, expected / expected.sum())
    draws = sampler.sample(np.full(20_000, 2))[:, 0]
    assert not (draws == 2).any()
    share = (draws == 0).mean()  # p(0) / (p(0) + p(1)) with the target 2 left out
    assert share == pytest.approx(expected[0] / expected[:2].sum(), abs=0.01)


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_gradients_match_numerical(cls):
    class Fixed(UnigramSampler):  # the same negatives on every call: a deterministic loss
        def sample(self, target):
            return (np.asarray(target)[:, None] + np.arange(1, 3)) % 7

    nn.manual_seed(0)
    model = cls(7, 3, Fixed(IDS, sample_size=2))
    contexts, target = contexts_and_target(IDS, 1)
    nn.init.normal_(model.in_embed.weight)
    nn.init.normal_(model.ns.out_embed.weight)
    assert check_module_gradients(model, contexts, target)


def test_simple_cbow_gradients_match_numerical():
    nn.manual_seed(0)
    model = SimpleCBOW(7, 3)
    nn.init.normal_(model.in_embed.weight)  # away from the tiny start, where all is linear
    nn.init.normal_(model.out.weight)
    contexts, target = contexts_and_target(IDS, 1)

    class WithLoss(nn.Module):  # the full-softmax loss the book trains it with
        def __init__(self):
            super().__init__()
            self.cbow = model

        def forward(self, contexts):
            return F.cross_entropy(self.cbow(contexts), target)

    assert check_module_gradients(model, contexts)
    assert check_module_gradients(WithLoss(), contexts)


def test_simple_cbow_learns_the_toy_corpus():
    # the book's chapter 3 run: hidden 5, Adam; "you ? goodbye" should become "say"
    nn.manual_seed(0)
    model = SimpleCBOW(len(VOCAB), 5)
    opt = optim.Adam(model.parameters(), lr=0.05)
    contexts, target = contexts_and_target(IDS, 1)
    for _ in range(200):
        loss = F.cross_entropy(model(contexts), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.data) < 0.6  # ln 7 = 1.95 at the start; the corpus is ambiguous
    guess = model(VOCAB.encode(["you", "goodbye"])[None]).data.argmax()
    assert VOCAB.id_to_word[int(guess)] == "say"
    assert model.word_vecs.shape == (7, 5)


def test_cbow_learns_the_toy_corpus():
    nn.manual_seed(0)
    model = CBOW(len(VOCAB), 5, UnigramSampler(IDS, sample_size=2, seed=0))
    opt = optim.Adam(model.parameters(), lr=0.05)
    contexts, target = contexts_and_target(IDS, 1)
    losses = []
    for _ in range(300):
        loss = model(contexts, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    assert np.mean(losses[-20:]) < 0.5 * losses[0]
    assert model.word_vecs.shape == (7, 5)


def test_randomized_svd_finds_the_top_singular_vectors():
    rng = np.random.default_rng(0)
    u, _ = np.linalg.qr(rng.standard_normal((300, 300)))
    s = np.concatenate([np.array([50.0, 40, 30, 20, 10]), rng.uniform(0, 0.5, 295)])
    m = (u * s) @ u.T
    fast, exact = svd_vectors(m, 5, exact=False), svd_vectors(m, 5, exact=True)
    for k in range(5):  # the same directions, up to sign
        assert abs(abs(fast[:, k] @ exact[:, k]) - 1) < 1e-6
