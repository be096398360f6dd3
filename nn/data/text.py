"""Text for the second book: a vocabulary, the Penn Treebank as one stream of word ids, and the
toy sequence sets of chapters 7 and 8 (addition and dates) as fixed-width character ids.

Files are found as MNIST's are: ``<root>/ptb/`` and ``<root>/seq/``, the root being the
argument, else ``$ZEROGRAD_DATA``, else ``~/.cache/zerograd``; missing files are downloaded
(checked by MD5 where one is published).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import numpy as np

from autograd.errors import ArgumentError, MissingFileError

from .dataset import ArrayDataset
from .download import ENV_VAR, DownloadError, data_root, download as fetch, file_md5


class Vocabulary:
    """Words (or characters) and their ids, in order of first appearance, as the book's
    ``preprocess`` numbers them. ``add`` extends it; ``encode`` refuses unknown tokens.

    >>> v = Vocabulary("you say goodbye and i say hello .".split())
    >>> v.encode(["say", "hello"]).tolist(), len(v), v.decode([0, 1])
    ([1, 5], 7, ['you', 'say'])
    """

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        self.word_to_id: dict[str, int] = {}
        self.id_to_word: list[str] = []
        self.add(tokens)

    def add(self, tokens: Iterable[str]) -> Vocabulary:
        for w in tokens:
            if w not in self.word_to_id:
                self.word_to_id[w] = len(self.id_to_word)
                self.id_to_word.append(w)
        return self

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        ids = []
        for w in tokens:
            k = self.word_to_id.get(w)
            if k is None:
                raise ArgumentError(f"Vocabulary: {w!r} is not in the vocabulary of "
                                    f"{len(self)} tokens (add it first)")
            ids.append(k)
        return np.array(ids, dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.id_to_word[int(i)] for i in ids]

    def __len__(self) -> int:
        return len(self.id_to_word)

    def __contains__(self, word: str) -> bool:
        return word in self.word_to_id

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens)"


def _find(folder: Path, filename: str, mirrors: tuple[str, ...], md5: str | None,
          download: bool, name: str) -> Path:
    path = folder / filename
    if path.is_file():
        return path
    if not download:
        raise MissingFileError(f"{name}: {filename} not found in {folder}/ (and download=False);"
                               f" put it there, or pass root= (or set {ENV_VAR}) to a folder "
                               f"whose {folder.name}/ subfolder holds it")
    return fetch(filename, folder, mirrors, md5, name=name)


class PTB:
    """The Penn Treebank (Mikolov's preprocessed text, as the book's ``ptb.load_data``): one
    sentence a line, each line ending in ``<eos>``, rare words already ``<unk>``.

    Args:
        split: "train" (929,589 words with the ``<eos>``; downloaded when missing),
            "valid" (73,760) or "test" (82,430).
        root: the folder holding ``ptb/``.
        vocab: a `Vocabulary` to number the words with; it is extended with this split's new
            words, so ``PTB("test", vocab=valid.vocab)`` numbers both alike (the book's
            shared ``word_to_id``). None: a new one, from this split alone.
        download: fetch a missing file.

    Attributes:
        ids: ``(T,)`` int64, the whole split as one stream of word ids.
        vocab: the `Vocabulary`.

    Raises:
        MissingFileError, DownloadError: the file is missing and cannot be fetched.
        DownloadError: a file whose content is not the published one.
    """

    folder = "ptb"
    mirrors = ("https://raw.githubusercontent.com/tomsercu/lstm/master/data/",)
    md5s = {"ptb.valid.txt": "aa0affc06ff7c36e977d7cd49e3839bf",
            "ptb.test.txt": "8b80168b89c18661a38ef683c0dc3721",
            # No published checksum for the train file is at hand: its content is checked
            # instead, by its size in words and vocabulary (the book's figures).
            "ptb.train.txt": None}
    train_words, train_vocab = 929_589, 10_000

    def __init__(self, split: str = "train", root: str | os.PathLike[str] | None = None,
                 vocab: Vocabulary | None = None, download: bool = True) -> None:
        if split not in ("train", "valid", "test"):
            raise ArgumentError(f"PTB: split must be 'train', 'valid' or 'test', got {split!r}")
        self.split, self.root = split, data_root(root)
        filename = f"ptb.{split}.txt"
        path = _find(self.root / self.folder, filename, self.mirrors, self.md5s[filename],
                     download, "PTB")
        md5 = self.md5s[filename]
        if md5 is not None and file_md5(path) != md5:
            raise DownloadError(f"PTB: {path} is not the published {filename} (MD5 "
                                f"{file_md5(path)}, expected {md5}); delete it to download "
                                "it again")
        words = path.read_text(encoding="utf-8").replace("\n", " <eos> ").split()
        if split == "train" and (len(words), len(set(words))) != (self.train_words,
                                                                   self.train_vocab):
            raise DownloadError(f"PTB: {path} has {len(words)} words and {len(set(words))} "
                                f"distinct ones, not the published {self.train_words} and "
                                f"{self.train_vocab}; delete it to download it again")
        self.vocab = vocab if vocab is not None else Vocabulary()
        self.vocab.add(words)
        self.ids = self.vocab.encode(words)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"PTB({self.split}, {len(self)} words, {self.vocab})"


class _Seq(ArrayDataset):
    """A fixed-width question/answer file of the book (``seq/``): characters as ids."""

    filename = ""
    md5 = ""
    mirrors = ("https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/"
               "master/dataset/",)

    def __init__(self, root: str | os.PathLike[str] | None = None, reverse: bool = False,
                 download: bool = True) -> None:
        name = type(self).__name__
        self.root = data_root(root)
        path = _find(self.root / "seq", self.filename, self.mirrors, self.md5, download, name)
        if file_md5(path) != self.md5:
            raise DownloadError(f"{name}: {path} is not the published {self.filename} (MD5 "
                                f"{file_md5(path)}, expected {self.md5}); delete it to download "
                                "it again")
        questions, answers = [], []
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "_" not in line:
                raise DownloadError(f"{name}: line {k} of {path} has no '_' between the "
                                    f"question and the answer: {line!r}")
            q, a = line.split("_", 1)
            questions.append(q)
            answers.append("_" + a)
        widths = {len(q) for q in questions}, {len(a) for a in answers}
        if len(widths[0]) != 1 or len(widths[1]) != 1:
            raise DownloadError(f"{name}: {path} does not have one fixed width per column")
        self.vocab = Vocabulary()
        for q, a in zip(questions, answers):
            self.vocab.add(q)
            self.vocab.add(a)
        x = np.array([self.vocab.encode(q) for q in questions])
        t = np.array([self.vocab.encode(a) for a in answers])
        self.reversed = bool(reverse)
        super().__init__(x[:, ::-1].copy() if reverse else x, t)

    def split(self, test_fraction: float = 0.1, seed: int = 1984) -> tuple[ArrayDataset,
                                                                           ArrayDataset]:
        """(train, test), shuffled with ``seed`` as the book's ``sequence.load_data`` does
        (its seed 1984, its last 10% for test)."""
        order = np.random.RandomState(seed).permutation(len(self))
        cut = len(self) - int(len(self) * test_fraction)
        x, t = self.arrays
        return (ArrayDataset(x[order[:cut]], t[order[:cut]]),
                ArrayDataset(x[order[cut:]], t[order[cut:]]))

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.vocab.decode(ids))


class Addition(_Seq):
    """The book's addition problems (vol 2 ch. 7): 50,000 lines such as ``"16+75  _91  "``.

    ``x`` is the question ``(N, 7)`` and ``t`` the answer with its start mark ``_``
    ``(N, 5)``, both character ids of one shared `Vocabulary` (``vocab``). ``reverse``
    reverses the questions, the book's first trick.
    """

    filename = "addition.txt"
    md5 = "0be232e09ddbc99aa7c7f54b5081dbc0"


class Dates(_Seq):
    """The book's date formats (vol 2 ch. 8): 50,000 lines such as
    ``"september 27, 1994           _1994-09-27"``: ``x`` ``(N, 29)``, ``t`` ``(N, 11)``."""

    filename = "date.txt"
    md5 = "831a4a9fd17c969a1419bb4b86253987"
