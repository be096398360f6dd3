"""The MNIST and Fashion-MNIST datasets: 28x28 grayscale images as uint8 ``(N, 1, 28, 28)`` and
labels 0..9 as int64, read from the four standard IDX files (downloaded when missing).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

import numpy as np

from autograd.errors import MissingFileError

from .dataset import ArrayDataset
from .download import ENV_VAR, data_root, download as fetch
from .idx import IMAGES_MAGIC, LABELS_MAGIC, IDXError, read_idx
from .transforms import Transform


class MNIST(ArrayDataset):
    """Handwritten digits: 60,000 training and 10,000 test images with their labels.

    The files are looked for in ``<root>/mnist/`` (gzipped or not), where ``root`` is the
    argument, else ``$ZEROGRAD_DATA``, else ``~/.cache/zerograd``. Missing files are
    downloaded when ``download`` is true, checked against the published MD5s.

    ``ds[i]`` is ``(image, label)`` with image ``(1, 28, 28)`` uint8 and label int64, unless
    transforms say otherwise. Transforms take whole batches (see ``nn.data.transforms``) and
    are applied lazily, per batch. That keeps the images in 47 MB of uint8 instead of 188 MB of
    float32. ``ToFloat`` plus ``Normalize`` on a batch of 100 costs tens of microseconds, a few
    tens of milliseconds per epoch. A transform can be swapped after loading, and a random one
    would be redrawn every epoch. To pay once instead, build
    ``ArrayDataset(transform(ds.data), ds.targets)``.

    Shape:
        ``data``: ``(N, 1, 28, 28)`` uint8; ``targets``: ``(N,)`` int64, N = 60000 or 10000.

    Args:
        root: folder holding the ``mnist/`` subfolder (default: ``$ZEROGRAD_DATA`` or the
            user cache).
        train: the 60,000 training images (else the 10,000 test images).
        download: fetch missing files from the public mirrors.
        transform: batch transform of the images, e.g. ``Compose([ToFloat(), Flatten()])``.
        target_transform: batch transform of the labels.

    Raises:
        FileNotFoundError: a file is missing and ``download`` is false.
        DownloadError: a file is missing and no mirror could deliver it.
        IDXError: a file is corrupt, truncated, of the wrong kind, or disagrees with its partner.
    """

    folder: ClassVar[str] = "mnist"
    mirrors: ClassVar[tuple[str, ...]] = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    )
    md5s: ClassVar[dict[str, str]] = {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    classes: ClassVar[list[str]] = [str(d) for d in range(10)]

    def __init__(self, root: str | os.PathLike[str] | None = None, train: bool = True,
                 download: bool = True, transform: Transform | None = None,
                 target_transform: Transform | None = None) -> None:
        name = type(self).__name__
        self.root = data_root(root)
        self.train = bool(train)
        split = "train" if self.train else "t10k"
        images_path = self._find(f"{split}-images-idx3-ubyte", download)
        labels_path = self._find(f"{split}-labels-idx1-ubyte", download)
        images = read_idx(images_path, magic=IMAGES_MAGIC, name=name)
        labels = read_idx(labels_path, magic=LABELS_MAGIC, name=name)
        if images.shape[1:] != (28, 28):
            raise IDXError(f"{name}: {images_path.name} holds images of "
                           f"{images.shape[1]}x{images.shape[2]} (expected 28x28)")
        if len(images) != len(labels):
            raise IDXError(f"{name}: {images_path.name} has {len(images)} images but "
                           f"{labels_path.name} has {len(labels)} labels")
        if len(labels) and labels.max() >= len(self.classes):
            raise IDXError(f"{name}: {labels_path.name} has label {int(labels.max())} "
                           f"(expected 0..{len(self.classes) - 1})")
        super().__init__(images.reshape(len(images), 1, 28, 28), labels.astype(np.int64),
                         transform=transform, target_transform=target_transform)

    @property
    def data(self) -> np.ndarray:
        """The images, ``(N, 1, 28, 28)`` uint8, before any transform."""
        return self.arrays[0]

    @property
    def targets(self) -> np.ndarray:
        """The labels, ``(N,)`` int64, before any target transform."""
        return self.arrays[1]

    def _find(self, base: str, download: bool) -> Path:
        """The file ``base.gz`` or ``base`` in the dataset folder, downloading it if allowed."""
        name = type(self).__name__
        folder = self.root / self.folder
        for candidate in (folder / f"{base}.gz", folder / base):
            if candidate.is_file():
                return candidate
        if not download:
            raise MissingFileError(
                f"{name}: {base}.gz not found in {folder}/ (and download=False); put the four "
                f"{name} files there, or pass root= (or set {ENV_VAR}) to a folder whose "
                f"{self.folder}/ subfolder holds them")
        return fetch(f"{base}.gz", folder, self.mirrors, self.md5s[f"{base}.gz"], name=name)

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}({split}, {len(self)} samples, root='{self.root}')"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's format and sizes, ten kinds of clothing instead of digits.

    Files are looked for in ``<root>/fashion-mnist/``; everything else is as in ``MNIST``.
    """

    folder: ClassVar[str] = "fashion-mnist"
    mirrors: ClassVar[tuple[str, ...]] = (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    )
    md5s: ClassVar[dict[str, str]] = {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    classes: ClassVar[list[str]] = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
