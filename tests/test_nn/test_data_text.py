"""nn.data for the second book: PTB, the addition and date sets, the vocabulary and the BPTT
loader. The real files come from shared/data (or $ZEROGRAD_DATA); without them these tests
skip, unless CI is set: then they fail."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import ArgumentError, MissingFileError
from nn.data import PTB, Addition, BPTTLoader, Dates, DownloadError, Vocabulary

from ..datafiles import require

DATA = Path(os.environ.get("ZEROGRAD_DATA")
            or Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


def _need(*files: str) -> Path:
    return require(DATA, files, "set ZEROGRAD_DATA to shared/data")


def test_ptb_valid_and_test_share_a_vocabulary():
    root = _need("ptb/ptb.valid.txt", "ptb/ptb.test.txt")
    valid = PTB("valid", root=root, download=False)
    test = PTB("test", root=root, vocab=valid.vocab, download=False)
    assert (len(valid), len(test)) == (73_760, 82_430)  # words with <eos>, from the README
    assert len(valid.vocab) == 7_596 and test.vocab is valid.vocab  # 7,595 words + <eos>
    assert valid.ids.dtype == np.int64 and valid.ids.max() < len(valid.vocab)
    first = open(root / "ptb/ptb.valid.txt").readline().split()
    assert valid.vocab.decode(valid.ids[:len(first) + 1]) == first + ["<eos>"]
    assert valid.vocab.decode(valid.ids[:3]) == ["consumers", "may", "want"]
    lines = len(open(root / "ptb/ptb.valid.txt").readlines())
    assert (valid.ids == valid.vocab.word_to_id["<eos>"]).sum() == lines  # one id per word


def test_a_changed_or_missing_file_is_refused(tmp_path):
    root = _need("ptb/ptb.valid.txt")
    (tmp_path / "ptb").mkdir()
    text = (root / "ptb/ptb.valid.txt").read_text()
    (tmp_path / "ptb/ptb.valid.txt").write_text(text.replace("consumers", "consumer", 1))
    with pytest.raises(DownloadError, match=r"ptb.valid.txt is not the published"):
        PTB("valid", root=tmp_path, download=False)
    with pytest.raises(MissingFileError, match=r"ptb.test.txt not found in .*download=False"):
        PTB("test", root=tmp_path, download=False)
    (tmp_path / "ptb/ptb.train.txt").write_text("a b c\n")  # no checksum: its size is checked
    with pytest.raises(DownloadError, match="has 4 words and 4 distinct ones, not the "
                                            "published 929589 and 10000"):
        PTB("train", root=tmp_path, download=False)
    with pytest.raises(ArgumentError, match="split must be"):
        PTB("training", root=tmp_path)


@pytest.mark.parametrize("cls, shapes, vocab, first", [
    (Addition, ((7,), (5,)), 13, ("16+75  ", "_91  ")),
    (Dates, ((29,), (11,)), 59, ("september 27, 1994           ", "_1994-09-27")),
])
def test_the_books_sequence_sets(cls, shapes, vocab, first):
    root = _need(f"seq/{cls.filename}")
    ds = cls(root=root, download=False)
    x, t = ds.arrays
    assert (x.shape[1:], t.shape[1:]) == shapes and len(ds) == 50_000
    assert len(ds.vocab) == vocab  # the book's vocabulary sizes
    assert (ds.decode(x[0]), ds.decode(t[0])) == first
    train, test = ds.split()
    assert (len(train), len(test)) == (45_000, 5_000)
    order = np.random.RandomState(1984).permutation(50_000)  # the book's shuffle
    np.testing.assert_array_equal(train.arrays[0][0], x[order[0]])
    backwards = cls(root=root, reverse=True, download=False)
    np.testing.assert_array_equal(backwards.arrays[0], x[:, ::-1])


def test_a_malformed_sequence_file_is_refused(tmp_path):
    root = _need("seq/addition.txt")
    (tmp_path / "seq").mkdir()
    shutil.copy(root / "seq/addition.txt", tmp_path / "seq/addition.txt")
    with open(tmp_path / "seq/addition.txt", "a") as f:
        f.write("1+1 2\n")
    with pytest.raises(DownloadError, match="addition.txt is not the published"):
        Addition(root=tmp_path, download=False)


def test_vocabulary():
    v = Vocabulary(["a", "b", "a"])
    assert len(v) == 2 and "a" in v and v.encode(["b", "a"]).tolist() == [1, 0]
    with pytest.raises(ArgumentError, match="'c' is not in the vocabulary of 2 tokens"):
        v.encode(["c"])


@given(n=st.integers(2, 200), batch=st.integers(1, 6), seq=st.integers(1, 8))
def test_bptt_windows_continue_row_by_row(n, batch, seq):
    ids = np.arange(n) * 7 % 101
    if (n - 1) // batch < seq:
        with pytest.raises(ArgumentError, match="shorter than seq_len"):
            BPTTLoader(ids, batch, seq)
        return
    loader = BPTTLoader(ids, batch, seq)
    windows = list(loader)
    assert len(windows) == len(loader) == ((n - 1) // batch) // seq
    rows = np.concatenate([x for x, _ in windows], axis=1)
    targets = np.concatenate([t for _, t in windows], axis=1)
    row = (n - 1) // batch
    for i in range(batch):  # each row is one unbroken stretch of the stream
        start = i * row
        np.testing.assert_array_equal(rows[i], ids[start:start + rows.shape[1]])
        np.testing.assert_array_equal(targets[i], ids[start + 1:start + 1 + rows.shape[1]])
    assert all(x.shape == (batch, seq) for x, _ in windows)
