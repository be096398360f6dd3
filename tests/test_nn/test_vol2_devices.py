"""The second book's GPU chapters on another device (the fake one, tests/fakedevice.py): word2vec
with negative sampling, the LSTM language model fed by ``BPTTLoader.to``, and greedy seq2seq
generation give the CPU's numbers for a seed, and copy to and from the device only what they
say they do (``traffic``)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from autograd.devices import to_device, to_numpy
from nn import data, seq2seq, zoo
from nn import functional as F
from nn import word2vec as w2v

from ..fakedevice import FakeArray, cupy_importable, fake_device, traffic

# NOTE: the fake device computes with the same NumPy kernels on the same values, so its runs
# equal the CPU's; 1e-6 leaves float32 rounding room and still catches any wrong value
# (a sample, a label, a dropout mask or a state gone astray moves the losses by far more).
FAKE_RTOL = 1e-6


@pytest.fixture(scope="module")
def fake():
    with fake_device() as module:
        yield module


def _text(seed: int = 1, n: int = 400, vocab: int = 30) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, vocab, n)


def _train_word2vec(cls: type, device: str, steps: int = 4) -> tuple[list[float], np.ndarray]:
    """Losses of a few Adam steps of a word2vec model on ``device``, and its word vectors."""
    nn.manual_seed(0)
    ids = _text()
    contexts, target = w2v.contexts_and_target(ids, window=2)
    sampler = w2v.UnigramSampler(ids, 0.75, 5, vocab_size=30, seed=3)
    model = cls(30, 8, sampler).to(device)
    opt = optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for i in range(steps):
        batch = slice(20 * i, 20 * i + 20)  # NumPy ids, as the sampler reads them on the host
        loss = model(contexts[batch], target[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.device == device for p in model.parameters())
    assert ag.Variable(model.word_vecs).device == device
    return losses, to_numpy(model.word_vecs)


def check_word2vec(cls: type, device: str, rtol: float) -> None:
    """``cls`` trained on ``device`` gives the CPU's losses and word vectors (the negatives
    drawn on the host from the same seed)."""
    cpu_losses, cpu_vecs = _train_word2vec(cls, "cpu")
    losses, vecs = _train_word2vec(cls, device)
    np.testing.assert_allclose(losses, cpu_losses, rtol=rtol)
    np.testing.assert_allclose(vecs, cpu_vecs, rtol=10 * rtol, atol=rtol)
    assert cpu_losses[-1] < cpu_losses[0]  # it learned something to compare


@pytest.mark.parametrize("cls", [w2v.CBOW, w2v.SkipGram])
def test_word2vec_on_a_device_matches_the_cpu(fake, cls) -> None:
    check_word2vec(cls, "fake:0", FAKE_RTOL)


@pytest.mark.parametrize("cls, copies", [(w2v.CBOW, 2), (w2v.SkipGram, 1 + 4)])
def test_a_word2vec_step_copies_only_its_ids_to_the_device(fake, cls, copies) -> None:
    # CBOW: the contexts, then the targets with their negatives; skip-gram: the words, then
    # each of the 4 context positions with its negatives. Nothing comes back: no label,
    # sample or range check is read from the device.
    ids = _text()
    contexts, target = w2v.contexts_and_target(ids, window=2)
    model = cls(30, 8, w2v.UnigramSampler(ids, seed=0)).to("fake")
    opt = optim.Adam(model.parameters(), lr=0.05)
    for step in range(3):
        with traffic() as seen:
            loss = model(contexts[:20], target[:20])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if step:  # the first step also moves the numbers its ops meet to the device, once
            assert (seen.to_device, seen.to_host, seen.reads) == (copies, 0, 0), seen


def test_the_sampler_reads_targets_on_a_device_on_the_host(fake) -> None:
    ids = _text()
    host = w2v.UnigramSampler(ids, sample_size=4, seed=7).sample(ids[:50])
    moved = w2v.UnigramSampler(ids, sample_size=4, seed=7).sample(to_device(ids[:50], "fake"))
    assert type(moved) is np.ndarray
    np.testing.assert_array_equal(moved, host)


def test_simple_cbow_on_a_device_matches_the_cpu(fake) -> None:
    contexts, target = w2v.contexts_and_target(_text(), window=1)
    losses = {}
    for device in ("cpu", "fake"):
        nn.manual_seed(0)
        model = w2v.SimpleCBOW(30, 5).to(device)
        opt = optim.SGD(model.parameters(), lr=1.0)
        losses[device] = []
        for _ in range(3):
            loss = F.cross_entropy(model(contexts), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses[device].append(loss.item())
        assert type(model.word_vecs) is (np.ndarray if device == "cpu" else FakeArray)
    np.testing.assert_allclose(losses["fake"], losses["cpu"], rtol=FAKE_RTOL)
    assert losses["cpu"][-1] < losses["cpu"][0]


def test_word_queries_take_vectors_on_a_device(fake) -> None:
    vocab = data.Vocabulary("a b c d e".split())
    vectors = np.random.default_rng(0).standard_normal((5, 3))
    on_device = to_device(vectors, "fake")
    assert w2v.most_similar("a", vocab, on_device, top=3) == \
        w2v.most_similar("a", vocab, vectors, top=3)
    assert w2v.analogy("a", "b", "c", vocab, on_device, top=2) == \
        w2v.analogy("a", "b", "c", vocab, vectors, top=2)


def check_generate(device: str, rtol: float) -> None:
    """Greedy generation by each seq2seq model on ``device`` gives the CPU's ids and attention
    maps, on ``device``."""
    x = np.random.default_rng(0).integers(0, 12, (3, 5))
    on_device = type(to_device(np.zeros(1), device))
    for make in (lambda: seq2seq.Seq2Seq(12, 4, 8), lambda: seq2seq.Seq2Seq(12, 4, 8, True),
                 lambda: seq2seq.AttentionSeq2Seq(12, 4, 8)):
        nn.manual_seed(2)
        model = make()
        ids = model.generate(x, start_id=1, length=4)
        maps = getattr(model, "attention", None)
        model.to(device)
        got = model.generate(to_device(x, device), start_id=1, length=4)
        assert type(got) is on_device and ag.Variable(got).device == device
        assert got.shape == ids.shape == (3, 4) and got.dtype == ids.dtype
        np.testing.assert_array_equal(to_numpy(got), ids)
        if maps is not None:
            assert type(model.attention) is on_device and model.attention.shape == (3, 4, 5)
            np.testing.assert_allclose(to_numpy(model.attention), maps, rtol=rtol, atol=rtol)


def test_generation_on_a_device_matches_the_cpu(fake) -> None:
    check_generate("fake:0", FAKE_RTOL)


def test_bptt_loader_hands_out_windows_on_its_device(fake) -> None:
    ids = np.arange(41) % 7
    loader = data.BPTTLoader(ids, batch_size=2, seq_len=5)
    assert loader.to("fake") is loader and loader.device == "fake:0"
    with traffic() as seen:
        windows = list(loader)
    assert seen.to_device == 2 and seen.to_host == 0  # the rows of x and t, once an epoch
    assert len(windows) == len(loader) == 4
    for (x, t), (hx, ht) in zip(windows, data.BPTTLoader(ids, 2, 5)):
        assert type(x) is FakeArray and type(t) is FakeArray
        np.testing.assert_array_equal(to_numpy(x), hx)
        np.testing.assert_array_equal(to_numpy(t), ht)
    assert all(type(x) is np.ndarray for x, _ in loader.to("cpu"))


@pytest.mark.skipif(cupy_importable(), reason="CuPy is installed here")
def test_bptt_loader_to_cuda_without_cupy_says_so_at_once() -> None:
    with pytest.raises(ag.MissingDependencyError, match="needs CuPy"):
        data.BPTTLoader(np.arange(41), 2, 5).to("cuda")


def _train_language_model(device: str, steps: int = 4) -> tuple[list[float], list[float], dict]:
    """Losses and gradient norms of a few clipped SGD steps of the book's BetterRnnlm (small)
    on ``device``, fed by a BPTTLoader moved there; its final weights."""
    nn.manual_seed(0)
    model = zoo.LanguageModel(30, 8, 8, dropout=0.5, tie_weights=True).to(device)
    opt = optim.SGD(model.parameters(), lr=1.0)
    state, losses, norms = None, [], []
    for k, (x, t) in enumerate(data.BPTTLoader(_text(), 4, 5).to(device)):
        if k == steps:
            break
        logits, state = model(x, None if state is None else tuple(s.detach() for s in state))
        loss = F.cross_entropy(logits.reshape(-1, 30), t.reshape(-1))
        opt.zero_grad()
        loss.backward()
        norms.append(optim.clip_grad_norm_(model.parameters(), 0.25))
        opt.step()
        losses.append(loss.item())
        assert logits.device == device and all(s.device == device for s in state)
    return losses, norms, model.state_dict()


def check_language_model(device: str, rtol: float) -> None:
    """The language model on ``device`` gives the CPU's losses, norms and weights (the same
    dropout masks: drawn on the host)."""
    cpu_losses, cpu_norms, cpu_weights = _train_language_model("cpu")
    losses, norms, weights = _train_language_model(device)
    np.testing.assert_allclose(losses, cpu_losses, rtol=rtol)
    np.testing.assert_allclose(norms, cpu_norms, rtol=rtol)
    for name, w in cpu_weights.items():
        np.testing.assert_allclose(weights[name], w, rtol=10 * rtol, atol=rtol, err_msg=name)


def test_a_language_model_on_a_device_matches_the_cpu(fake) -> None:
    check_language_model("fake:0", FAKE_RTOL)


def test_clipping_reads_one_number_back_from_a_device(fake) -> None:
    params = [nn.Parameter(to_device(np.full(n, 2.0, np.float32), "fake")) for n in (1, 3, 4, 8)]
    for p in params:
        p.grad = ag.Variable(to_device(np.ones(p.shape, np.float32), "fake"))
    with traffic() as seen:
        total = optim.clip_grad_norm_(params, 1.0)
    assert type(total) is float and total == pytest.approx(4.0)  # sqrt(1 + 3 + 4 + 8)
    assert (seen.to_host, seen.reads) == (0, 1)  # the total, not one norm per gradient
    np.testing.assert_allclose(params[-1].grad.numpy(), np.full(8, 0.25), rtol=1e-5)


@pytest.mark.parametrize("cls", [w2v.CBOW, w2v.SkipGram])
def test_word2vec_takes_its_ids_on_the_device_too(fake, cls) -> None:
    # the same loss as from NumPy ids; what the sampler reads is copied back to the host
    ids = _text()
    contexts, target = w2v.contexts_and_target(ids, window=2)
    losses, copied_back = [], []
    for move in (lambda a: a, lambda a: to_device(a, "fake")):
        nn.manual_seed(0)
        model = cls(30, 8, w2v.UnigramSampler(ids, seed=5)).to("fake")
        with traffic() as seen:
            losses.append(model(move(contexts[:20]), move(target[:20])).item())
        copied_back.append(seen.to_host)
    assert losses[1] == pytest.approx(losses[0], rel=FAKE_RTOL)
    assert copied_back == [0, 1]  # CBOW's targets, or skip-gram's contexts, once
