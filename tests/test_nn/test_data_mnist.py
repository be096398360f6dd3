"""nn.data on files: the IDX reader, MNIST/Fashion-MNIST on the real files, where the files are
looked for, and the download path against a fake local server (tests never touch the network).

The real files are looked for in ``shared/data`` beside the checkout, or in ``$ZEROGRAD_DATA``.
Without them these tests skip, unless ``CI`` is set: then they fail, so CI proves they ran.
"""
import functools
import gzip
import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import nn.data.download as download_module
from nn.data import (
    MNIST, Compose, DataLoader, DownloadError, FashionMNIST, Flatten, IDXError, Normalize,
    ToFloat, data_root, read_idx,
)
from nn.data.idx import IMAGES_MAGIC, LABELS_MAGIC

from ..datafiles import require

DATA = Path(os.environ.get("ZEROGRAD_DATA")
            or Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
# From shared/data/README.md: (count, per-class label counts, pixel mean, pixel std in [0, 1]).
EXPECTED = {
    (MNIST, True): (60000, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
                    0.1307, 0.3081),
    (MNIST, False): (10000, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
                     0.1325, 0.3105),
    (FashionMNIST, True): (60000, [6000] * 10, 0.2860, 0.3530),
    (FashionMNIST, False): (10000, [1000] * 10, 0.2868, 0.3524),
}


@pytest.fixture(scope="module")
def data_dir():
    """The folder with mnist/ and fashion-mnist/; skip without it (fail when CI is set)."""
    return require(DATA, [f"{sub}/{f}" for sub in ("mnist", "fashion-mnist") for f in FILES],
                   "set ZEROGRAD_DATA to a folder holding mnist/ and fashion-mnist/")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a URL fails the test, unless the test installs a fake server."""
    def refuse(request, timeout=None):
        raise AssertionError(f"a test tried to reach the network: {request.full_url}")
    monkeypatch.setattr(download_module, "urlopen", refuse)


@functools.lru_cache(maxsize=None)
def load(cls, train, root):
    return cls(root=root, train=train, download=False)


def idx_bytes(arr, magic=None):
    """An array as IDX bytes (uint8 unless the array says otherwise)."""
    codes = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}
    arr = np.asarray(arr)
    header = magic or (codes[arr.dtype.str[1:]] << 8 | arr.ndim)
    dims = b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header.to_bytes(4, "big") + dims + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write_fake_mnist(folder, n=5, split="train", gz=True):
    """A small MNIST-format dataset (n images, labels 0..9) in folder; returns the arrays."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
        data = idx_bytes(arr)
        path = folder / f"{split}-{kind}-ubyte"
        if gz:
            Path(f"{path}.gz").write_bytes(gzip.compress(data))
        else:
            path.write_bytes(data)
    return images, labels


# Real files

@pytest.mark.parametrize("cls, train", list(EXPECTED))
def test_real_files(data_dir, cls, train):
    n, counts, mean, std = EXPECTED[cls, train]
    ds = load(cls, train, data_dir)
    assert len(ds) == n
    assert ds.data.shape == (n, 1, 28, 28) and ds.data.dtype == np.uint8
    assert ds.targets.shape == (n,) and ds.targets.dtype == np.int64
    assert np.bincount(ds.targets, minlength=10).tolist() == counts
    # Mean and std from the pixel histogram: exact, and chunked so no 376 MB int64/float64 copy.
    hist = sum(np.bincount(c.ravel(), minlength=256) for c in np.array_split(ds.data, 20))
    values = np.arange(256) / 255.0
    got_mean = (hist * values).sum() / hist.sum()
    got_std = np.sqrt((hist * (values - got_mean) ** 2).sum() / hist.sum())
    assert got_mean == pytest.approx(mean, abs=5e-5)
    assert got_std == pytest.approx(std, abs=5e-5)
    x, t = ds[0]
    assert x.shape == (1, 28, 28) and x.dtype == np.uint8 and t.dtype == np.int64


def test_real_files_match_the_published_md5s(data_dir):
    for cls in (MNIST, FashionMNIST):
        folder = data_dir / cls.folder
        published = dict(line.split()[::-1] for line in (folder / "MD5SUMS").read_text()
                         .splitlines() if line.strip())
        assert cls.md5s == published
        for name, md5 in cls.md5s.items():
            assert download_module.file_md5(folder / name) == md5


def test_mnist_first_labels_and_repr(data_dir):
    assert load(MNIST, True, data_dir).targets[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]
    assert load(MNIST, False, data_dir).targets[:8].tolist() == [7, 2, 1, 0, 4, 1, 4, 9]
    assert load(FashionMNIST, True, data_dir).targets[:5].tolist() == [9, 0, 0, 3, 0]
    assert repr(load(MNIST, False, data_dir)).startswith("MNIST(test, 10000 samples")
    assert FashionMNIST.classes[9] == "Ankle boot"


def test_mnist_transforms_apply_per_batch(data_dir):
    raw = load(MNIST, False, data_dir)
    ds = MNIST(root=data_dir, train=False, download=False,
               transform=Compose([ToFloat(), Normalize(0.1307, 0.3081), Flatten()]),
               target_transform=lambda t: t * 10)
    assert ds.data.dtype == np.uint8  # stored raw; transforms run per batch
    x, t = ds.get_batch(np.array([0, 1]))
    assert x.shape == (2, 784) and x.dtype == np.float32
    expected = (raw.data[:2].reshape(2, 784) / 255.0 - 0.1307) / 0.3081
    np.testing.assert_allclose(x, expected, rtol=1e-5, atol=1e-5)
    assert t.tolist() == [70, 20]
    x0, t0 = ds[0]
    assert x0.shape == (784,) and t0 == 70


def test_mnist_loader_epoch_visits_every_image_once(data_dir, monkeypatch):
    ds = load(MNIST, True, data_dir)
    fetched = []
    get_batch = MNIST.get_batch

    def recording(self, indices):
        fetched.append(indices.copy())
        return get_batch(self, indices)

    monkeypatch.setattr(MNIST, "get_batch", recording)
    monkeypatch.setattr(MNIST, "__getitem__", lambda self, i: pytest.fail("per-sample path"))
    loader = DataLoader(ds, batch_size=100, shuffle=True, seed=0)
    assert len(loader) == 600
    labels = np.zeros(10, dtype=np.int64)
    for k, (x, t) in enumerate(loader):
        assert x.shape == (100, 1, 28, 28) and x.dtype == np.uint8 and t.dtype == np.int64
        if k % 100 == 0:
            np.testing.assert_array_equal(x, ds.data[fetched[k]])
        labels += np.bincount(t, minlength=10)
    assert np.array_equal(np.sort(np.concatenate(fetched)), np.arange(len(ds)))
    assert labels.tolist() == EXPECTED[MNIST, True][1]


# Where the files are looked for

def test_root_then_env_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("ZEROGRAD_DATA", str(tmp_path / "env"))
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data_root() == tmp_path / "env"
    monkeypatch.delenv("ZEROGRAD_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_root() == tmp_path / "xdg" / "zerograd"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_root() == tmp_path / "home" / ".cache" / "zerograd"


def test_env_var_points_at_the_data(data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("ZEROGRAD_DATA", str(data_dir))
    assert len(MNIST(train=False, download=False)) == 10000
    monkeypatch.setenv("ZEROGRAD_DATA", str(tmp_path))  # an explicit root wins over the env
    assert len(FashionMNIST(root=data_dir, train=False, download=False)) == 10000


def test_missing_files_without_download(monkeypatch, tmp_path):
    monkeypatch.delenv("ZEROGRAD_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    message = (r"MNIST: train-images-idx3-ubyte.gz not found in .*zerograd/mnist/ "
               r"\(and download=False\); put the four MNIST files there, .*ZEROGRAD_DATA")
    with pytest.raises(FileNotFoundError, match=message):
        MNIST(download=False)


def test_uncompressed_files_are_read_too(tmp_path):
    images, labels = write_fake_mnist(tmp_path / "mnist", n=7, split="t10k", gz=False)
    ds = MNIST(root=tmp_path, train=False, download=False)
    np.testing.assert_array_equal(ds.data[:, 0], images)
    np.testing.assert_array_equal(ds.targets, labels)


# The IDX reader and corrupt files

@pytest.mark.parametrize("arr", [
    np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
    np.array([-5, 7], dtype=np.int8),
    np.array([[1000, -2]], dtype=np.int16),
    np.array([70000, -1], dtype=np.int32),
    np.array([[1.5, -2.25]], dtype=np.float32),
    np.array([1e300], dtype=np.float64),
])
def test_read_idx_round_trip(tmp_path, arr):
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(arr))
    got = read_idx(path)
    np.testing.assert_array_equal(got, arr)
    assert got.dtype == arr.dtype and got.dtype.isnative and got.flags.writeable


def truncated_images_header(size=1000):
    """The first ``size`` bytes of a 60000-image file (random pixels, which gzip cannot shrink)."""
    pixels = np.random.default_rng(0).integers(0, 256, size, dtype=np.uint8).tobytes()
    return (idx_bytes(np.zeros((60000, 28, 28), np.uint8))[:16] + pixels)[:size]


@pytest.mark.parametrize("name, content, message", [
    ("train-images-idx3-ubyte.gz", gzip.compress(truncated_images_header()),
     r"MNIST: train-images-idx3-ubyte.gz is truncated: header says 60000 images of 28x28 "
     r"\(47040016 bytes\), file has 1000 bytes uncompressed$"),
    ("train-images-idx3-ubyte", truncated_images_header(),
     r"MNIST: train-images-idx3-ubyte is truncated: header says 60000 images of 28x28 "
     r"\(47040016 bytes\), file has 1000 bytes$"),
    ("train-images-idx3-ubyte.gz", gzip.compress(truncated_images_header(5000))[:2000],
     r"MNIST: train-images-idx3-ubyte.gz is truncated: header says 60000 images of 28x28 "
     r"\(47040016 bytes\), file has \d+ bytes uncompressed \(the gzip stream ends early\)"),
    ("train-images-idx3-ubyte", idx_bytes(np.zeros((2, 28, 28), np.uint8)) + b"xyz",
     r"train-images-idx3-ubyte has 3 bytes of trailing data: header says 2 images of 28x28 "
     r"\(1584 bytes\), file has 1587 bytes"),
    ("train-images-idx3-ubyte", idx_bytes(np.zeros(5, np.uint8)),
     r"MNIST: train-images-idx3-ubyte has bad magic number 2049 \(expected 2051, an IDX image "
     r"file; 2049 is an IDX label file\)"),
    ("train-images-idx3-ubyte", b"PK\x03\x04" + bytes(100),
     r"has bad magic number 1347093252 \(expected 2051, an IDX image file\)"),
    ("train-images-idx3-ubyte", b"",
     r"MNIST: train-images-idx3-ubyte is truncated: it has 0 bytes, too few for an IDX header"),
    ("train-images-idx3-ubyte", b"\x00\x00\x08\x03\x00\x00",
     r"is truncated: it has 6 bytes, too few for the 16-byte header of a 3-dimensional"),
    ("train-images-idx3-ubyte.gz", b"\x1f\x8b\x08\x00" + bytes(range(60)),
     r"MNIST: train-images-idx3-ubyte.gz is not a valid gzip file \("),
    ("train-images-idx3-ubyte", b"\x00\x00\x08\x03" + b"\xff" * 12,
     r"is truncated: header says 4294967295 images of 4294967295x4294967295 "
     r"\(79228162458924105385300197391 bytes\), file has 16 bytes$"),
], ids=["truncated gz", "truncated raw", "cut gzip stream", "trailing data", "label magic",
        "zip file", "empty", "short header", "bad gzip", "huge header"])
def test_corrupt_files_give_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IDXError, match=message):
        read_idx(path, magic=IMAGES_MAGIC, name="MNIST")


def test_not_an_idx_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello, world")
    with pytest.raises(IDXError, match=r"IDX: notes.txt has bad magic number .*not an IDX file"):
        read_idx(path)


def test_a_truncated_real_file(data_dir, tmp_path):
    cut = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    cut.parent.mkdir()
    cut.write_bytes((data_dir / "mnist" / cut.name).read_bytes()[:100_000])
    (cut.parent / "t10k-labels-idx1-ubyte.gz").write_bytes(
        (data_dir / "mnist" / "t10k-labels-idx1-ubyte.gz").read_bytes())
    with pytest.raises(IDXError, match=r"MNIST: t10k-images-idx3-ubyte.gz is truncated: header "
                                       r"says 10000 images of 28x28 \(7840016 bytes\)"):
        MNIST(root=tmp_path, train=False, download=False)


@pytest.mark.parametrize("fault, message", [
    ("labels", r"MNIST: train-images-idx3-ubyte.gz has 5 images but "
               r"train-labels-idx1-ubyte.gz has 4 labels"),
    ("label value", r"MNIST: train-labels-idx1-ubyte.gz has label 12 \(expected 0..9\)"),
    ("size", r"MNIST: train-images-idx3-ubyte.gz holds images of 32x32 \(expected 28x28\)"),
    ("swapped", r"MNIST: train-images-idx3-ubyte.gz has bad magic number 2049"),
])
def test_files_that_disagree(tmp_path, fault, message):
    folder = tmp_path / "mnist"
    write_fake_mnist(folder)
    images, labels = folder / FILES[0], folder / FILES[1]
    if fault == "labels":
        labels.write_bytes(gzip.compress(idx_bytes(np.zeros(4, np.uint8))))
    elif fault == "label value":
        labels.write_bytes(gzip.compress(idx_bytes(np.array([0, 1, 12, 3, 4], np.uint8))))
    elif fault == "size":
        images.write_bytes(gzip.compress(idx_bytes(np.zeros((5, 32, 32), np.uint8))))
    else:
        images.write_bytes(labels.read_bytes())
    with pytest.raises(IDXError, match=message):
        MNIST(root=tmp_path, download=False)


# Download, against a fake server

class FakeServer:
    """Stands in for urlopen: serves files from a local folder (through a file:// URL)."""

    def __init__(self, folder, down=(), tamper=False):
        self.folder, self.down, self.tamper = Path(folder), tuple(down), tamper
        self.requests = []

    def __call__(self, request, timeout=None):
        url = request.full_url
        self.requests.append(url)
        if url.startswith(self.down):
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
        path = self.folder / url.rsplit("/", 1)[1]
        if not path.is_file():
            raise urllib.error.HTTPError(url, 404, "Not Found", None, None)
        response = urllib.request.urlopen(path.as_uri())
        return TamperedResponse(response) if self.tamper else response


class TamperedResponse:
    """A response whose bytes get flipped on the way (a corrupted transfer)."""

    def __init__(self, response):
        self.response, self.headers = response, response.headers

    def read(self, n):
        return bytes(b ^ 0xFF for b in self.response.read(n))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.response.close()


def serve_fake_mnist(tmp_path, monkeypatch, **server_args):
    """Fake MNIST files on a fake server, their MD5s patched in; returns (server, arrays)."""
    served = tmp_path / "served"
    arrays = write_fake_mnist(served, n=9)
    md5s = {f: hashlib.md5((served / f).read_bytes()).hexdigest() for f in FILES[:2]}
    monkeypatch.setattr(MNIST, "md5s", md5s)
    server = FakeServer(served, **server_args)
    monkeypatch.setattr(download_module, "urlopen", server)
    return server, arrays


def test_download_good_checksum(tmp_path, monkeypatch):
    server, (images, labels) = serve_fake_mnist(tmp_path, monkeypatch)
    root = tmp_path / "root"
    ds = MNIST(root=root)
    np.testing.assert_array_equal(ds.data[:, 0], images)
    np.testing.assert_array_equal(ds.targets, labels)
    assert sorted(p.name for p in (root / "mnist").iterdir()) == sorted(FILES[:2])
    assert server.requests == [MNIST.mirrors[0] + f for f in FILES[:2]]
    MNIST(root=root)  # the files are there now: no second download
    assert len(server.requests) == 2


def test_download_is_atomic(tmp_path, monkeypatch):
    server, _ = serve_fake_mnist(tmp_path, monkeypatch)
    folder = tmp_path / "root" / "mnist"
    seen = []

    def watching(request, timeout=None):
        response = server(request, timeout)
        name = request.full_url.rsplit("/", 1)[1]
        read = response.read

        def read_and_look(n):
            seen.append(((folder / name).exists(), [p.name for p in folder.iterdir()]))
            return read(n)
        response.read = read_and_look
        return response

    monkeypatch.setattr(download_module, "urlopen", watching)
    MNIST(root=tmp_path / "root")
    assert seen and not any(exists for exists, _ in seen)  # never visible half-written
    assert all(any(n.endswith(".part") for n in names) for _, names in seen)
    assert not list(folder.glob("*.part")) and not list(folder.glob(".*"))


def test_download_real_files_with_the_published_md5s(data_dir, tmp_path, monkeypatch):
    server = FakeServer(data_dir / "mnist")
    monkeypatch.setattr(download_module, "urlopen", server)
    ds = MNIST(root=tmp_path, train=False)
    assert len(ds) == 10000 and ds.targets[:3].tolist() == [7, 2, 1]
    assert len(server.requests) == 2


def test_download_bad_checksum_leaves_nothing(tmp_path, monkeypatch):
    serve_fake_mnist(tmp_path, monkeypatch, tamper=True)
    with pytest.raises(DownloadError) as info:
        MNIST(root=tmp_path / "root")
    message = str(info.value)
    assert message.startswith("MNIST: could not download train-images-idx3-ubyte.gz from any")
    assert message.count("checksum mismatch") == len(MNIST.mirrors)
    assert all(m + FILES[0] in message for m in MNIST.mirrors)
    assert list((tmp_path / "root" / "mnist").iterdir()) == []


def test_download_falls_back_to_the_next_mirror(tmp_path, monkeypatch):
    server, _ = serve_fake_mnist(tmp_path, monkeypatch, down=MNIST.mirrors[:1])
    assert len(MNIST(root=tmp_path / "root")) == 9
    assert [u.rsplit("/", 1)[0] + "/" for u in server.requests] == [
        MNIST.mirrors[0], MNIST.mirrors[1], MNIST.mirrors[0], MNIST.mirrors[1]]


def test_offline_error_says_where_to_put_the_files(tmp_path, monkeypatch):
    serve_fake_mnist(tmp_path, monkeypatch, down=MNIST.mirrors)
    folder = tmp_path / "root" / "mnist"
    with pytest.raises(DownloadError, match=r"(?s)Temporary failure in name resolution.*"
                       r"If this machine is offline, copy train-images-idx3-ubyte.gz \(MD5 \w+\) "
                       rf"into {folder}/ by hand, or pass root= \(or set ZEROGRAD_DATA\)"):
        MNIST(root=tmp_path / "root")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("error", [ConnectionResetError("reset by peer"),
                                   http.client.IncompleteRead(b"abc", 1000)])
def test_interrupted_download_leaves_nothing(tmp_path, monkeypatch, error):
    server, _ = serve_fake_mnist(tmp_path, monkeypatch)

    def dropping(request, timeout=None):
        response = server(request, timeout)
        response.read = lambda n: (_ for _ in ()).throw(error)
        return response

    monkeypatch.setattr(download_module, "urlopen", dropping)
    with pytest.raises(DownloadError, match=re.escape(str(error))):
        MNIST(root=tmp_path / "root")
    assert list((tmp_path / "root" / "mnist").iterdir()) == []


def test_missing_labels_use_the_labels_md5(tmp_path, monkeypatch):
    server, _ = serve_fake_mnist(tmp_path, monkeypatch)
    write_fake_mnist(tmp_path / "root" / "mnist", n=9)
    (tmp_path / "root" / "mnist" / FILES[1]).unlink()
    assert len(MNIST(root=tmp_path / "root")) == 9
    assert server.requests == [MNIST.mirrors[0] + FILES[1]]


def test_labels_magic_constant():
    assert (IMAGES_MAGIC, LABELS_MAGIC) == (2051, 2049)
