"""nn.data without files: datasets, Subset/random_split, DataLoader, transforms and Spiral.

The MNIST files, the IDX reader and the download path are tested in test_data_mnist.py.
"""
import ast
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from nn.data import (
    ArrayDataset, Compose, DataLoader, Dataset, Flatten, Normalize, Spiral, Subset,
    TensorDataset, ToFloat, default_collate, random_split,
)


def make_dataset(n=10, **kwargs):
    """x[i] = [i, -i] (float), t[i] = i % 3: every sample says which index it is."""
    x = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(np.float64)
    return ArrayDataset(x, np.arange(n) % 3, **kwargs)


def epoch_indices(loader):
    """The sample indices of one epoch, batch by batch (read back from x[:, 0])."""
    return [x[:, 0].astype(int).tolist() for x, _ in loader]


class ListDataset(Dataset):
    """A Dataset with no array backing: only __getitem__ and __len__, like a user's own."""

    def __init__(self, n):
        self.n = n
        self.calls = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.calls += 1
        return np.array([i, -i], dtype=np.float64), i % 3


# ArrayDataset, Subset, random_split

def test_array_dataset_getitem_and_batch():
    ds = make_dataset(5)
    x, t = ds[3]
    assert x.tolist() == [3.0, -3.0] and t == 0
    assert ds[-1][0].tolist() == [4.0, -4.0]
    xb, tb = ds.get_batch(np.array([4, 0, 4]))
    assert xb[:, 0].tolist() == [4, 0, 4] and tb.tolist() == [1, 0, 1]
    assert TensorDataset is ArrayDataset


def test_array_dataset_batch_is_a_copy():
    ds = make_dataset(4)
    xb, _ = ds.get_batch(np.arange(4))
    xb[:] = 99
    assert ds.arrays[0][0, 0] == 0


@pytest.mark.parametrize("arrays, message", [
    ((), "expected at least one array"),
    ((np.zeros(3), np.zeros(4)), r"arrays have different lengths \(3, 4\)"),
    ((np.float64(1.0),), r"arrays need a first \(sample\) dimension"),
])
def test_array_dataset_bad_arrays(arrays, message):
    with pytest.raises(ValueError, match=f"ArrayDataset: {message}"):
        ArrayDataset(*arrays)


def test_array_dataset_bad_index():
    ds = make_dataset(5)
    with pytest.raises(IndexError, match="ArrayDataset: index 5 is out of range for 5 samples"):
        ds[5]
    with pytest.raises(IndexError, match="index -6 is out of range"):
        ds[-6]
    with pytest.raises(TypeError, match="indices must be integers, got float"):
        ds[1.0]
    with pytest.raises(IndexError, match="index 7 is out of range for 5 samples"):
        ds.get_batch(np.array([0, 7]))


def test_array_dataset_transforms_per_sample_match_per_batch():
    ds = make_dataset(6, transform=Compose([lambda x: x * 2, Flatten()]),
                      target_transform=lambda t: t + 10)
    xb, tb = ds.get_batch(np.arange(6))
    for i in range(6):
        x, t = ds[i]
        np.testing.assert_array_equal(x, xb[i])
        assert t == tb[i] == i % 3 + 10
    with pytest.raises(ValueError, match="target_transform needs a second"):
        ArrayDataset(np.zeros(3), target_transform=lambda t: t)


def test_subset_views_in_order_and_keeps_fast_path(monkeypatch):
    ds = make_dataset(10)
    sub = Subset(ds, [7, 2, 9])
    assert len(sub) == 3 and sub[1][0][0] == 2 and sub[-1][0][0] == 9
    monkeypatch.setattr(ArrayDataset, "__getitem__", _forbidden)
    xb, _ = sub.get_batch(np.array([2, 0]))
    assert xb[:, 0].tolist() == [9, 7]
    with pytest.raises(IndexError, match="Subset: index 10 is out of range for 10 samples"):
        Subset(ds, [0, 10])


def test_random_split_is_a_seeded_partition():
    ds = make_dataset(100)
    train, val = random_split(ds, [80, 20], seed=3)
    assert (len(train), len(val)) == (80, 20)
    together = np.concatenate([train.indices, val.indices])
    assert sorted(together.tolist()) == list(range(100))
    again, _ = random_split(ds, [80, 20], seed=3)
    np.testing.assert_array_equal(train.indices, again.indices)
    other, _ = random_split(ds, [80, 20], seed=4)
    assert not np.array_equal(train.indices, other.indices)
    from_gen, _ = random_split(ds, [80, 20], generator=np.random.default_rng(3))
    np.testing.assert_array_equal(train.indices, from_gen.indices)


def test_random_split_fractions():
    parts = random_split(make_dataset(10), [0.5, 0.3, 0.2], seed=0)
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(make_dataset(11), [0.5, 0.5], seed=0)
    assert [len(p) for p in parts] == [6, 5]


@pytest.mark.parametrize("lengths, message", [
    ([80, 10], r"lengths sum to 90 \(expected 100, the dataset's length\)"),
    ([110, -10], "lengths must be >= 0"),
    ([0.5, 0.4], "fractions must lie in"),
])
def test_random_split_bad_lengths(lengths, message):
    with pytest.raises(ValueError, match=f"random_split: {message}"):
        random_split(make_dataset(100), lengths, seed=0)


def test_random_split_seed_and_generator_conflict():
    with pytest.raises(ValueError, match="random_split: pass seed or generator, not both"):
        random_split(make_dataset(4), [2, 2], seed=0, generator=np.random.default_rng(0))


# DataLoader

@pytest.mark.parametrize("n, batch_size, drop_last, sizes", [
    (10, 3, False, [3, 3, 3, 1]),
    (10, 3, True, [3, 3, 3]),
    (9, 3, False, [3, 3, 3]),
    (9, 3, True, [3, 3, 3]),
    (2, 5, False, [2]),
    (2, 5, True, []),
    (0, 4, False, []),
])
def test_loader_batch_sizes_and_len(n, batch_size, drop_last, sizes):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert [len(x) for x, _ in batches] == sizes
    assert [len(t) for _, t in batches] == sizes
    assert len(loader) == len(sizes)


def test_loader_without_shuffle_keeps_order_and_types():
    loader = DataLoader(make_dataset(7), batch_size=3)
    assert epoch_indices(loader) == [[0, 1, 2], [3, 4, 5], [6]]
    x, t = next(iter(loader))
    assert type(x) is np.ndarray and x.shape == (3, 2) and x.dtype == np.float64
    assert type(t) is np.ndarray and t.dtype == np.int64


def test_loader_default_batch_size_is_one():
    batches = list(DataLoader(make_dataset(3)))
    assert len(batches) == 3 and batches[0][0].shape == (1, 2)


@given(n=st.integers(0, 40), batch_size=st.integers(1, 12), drop_last=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_loader_shuffle_visits_every_sample_once(n, batch_size, drop_last, seed):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, shuffle=True,
                        drop_last=drop_last, seed=seed)
    seen = [i for batch in epoch_indices(loader) for i in batch]
    if drop_last:
        assert len(seen) == n - n % batch_size and len(set(seen)) == len(seen)
    else:
        assert sorted(seen) == list(range(n))
    assert len(loader) == len(epoch_indices(loader))


def test_loader_shuffle_new_permutation_each_epoch():
    loader = DataLoader(make_dataset(50), batch_size=7, shuffle=True, seed=0)
    epochs = [sum(epoch_indices(loader), []) for _ in range(5)]
    assert all(sorted(e) == list(range(50)) for e in epochs)
    assert len({tuple(e) for e in epochs}) == 5
    assert epochs[0] != list(range(50))


def test_loader_seed_reproduces_the_sequence_of_epochs():
    def run(**kwargs):
        loader = DataLoader(make_dataset(30), batch_size=4, shuffle=True, **kwargs)
        return [epoch_indices(loader) for _ in range(3)]

    assert run(seed=123) == run(seed=123)
    assert run(seed=123) != run(seed=124)
    assert run(generator=np.random.default_rng(123)) == run(seed=123)


def test_loader_fast_path_never_indexes_one_sample(monkeypatch):
    ds = make_dataset(20, transform=lambda x: x + 0.5)
    monkeypatch.setattr(ArrayDataset, "__getitem__", _forbidden)
    loader = DataLoader(ds, batch_size=6, shuffle=True, seed=1)
    seen = sorted(int(v) for x, _ in loader for v in x[:, 0])
    assert seen == list(range(20))


def test_loader_slow_path_for_plain_datasets():
    ds = ListDataset(7)
    batches = list(DataLoader(ds, batch_size=3))
    assert ds.calls == 7
    assert [x[:, 0].tolist() for x, _ in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert batches[0][1].tolist() == [0, 1, 2]
    pairs = [(np.full(2, i), i) for i in range(5)]  # a plain list works too
    x, t = next(iter(DataLoader(pairs, batch_size=5)))
    assert x.shape == (5, 2) and t.tolist() == [0, 1, 2, 3, 4]


def test_loader_custom_collate_gets_the_samples():
    got = []

    def collate(samples):
        got.append(samples)
        return len(samples)

    out = list(DataLoader(make_dataset(5), batch_size=2, collate_fn=collate))
    assert out == [2, 2, 1]
    assert got[0][1][0].tolist() == [1.0, -1.0]


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "4"])
def test_loader_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match=r"DataLoader: invalid batch_size .* \(must be a positive"):
        DataLoader(make_dataset(), batch_size=batch_size)


def test_loader_bad_generator_args():
    with pytest.raises(ValueError, match="DataLoader: pass seed or generator, not both"):
        DataLoader(make_dataset(), seed=0, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        DataLoader(make_dataset(), generator=np.random.RandomState(0))


def test_default_collate():
    x, t = default_collate([(np.zeros((2, 2)), 1), (np.ones((2, 2)), 2)])
    assert x.shape == (2, 2, 2) and t.tolist() == [1, 2]
    assert default_collate([1.5, 2.5]).tolist() == [1.5, 2.5]
    with pytest.raises(ValueError, match="default_collate: cannot collate an empty list"):
        default_collate([])
    with pytest.raises(ValueError, match=r"different shapes in field 0 \(\(2,\), \(3,\)\)"):
        default_collate([(np.zeros(2), 0), (np.zeros(3), 0)])
    with pytest.raises(ValueError, match="samples differ in structure"):
        default_collate([(np.zeros(2), 0), (np.zeros(2),)])


# Transforms

def test_to_float():
    x = np.array([[0, 1, 128, 255]], dtype=np.uint8)
    y = ToFloat()(x)
    assert y.dtype == np.float32 and y[0, 0] == 0.0 and y[0, 3] == 1.0
    np.testing.assert_allclose(y, x / 255.0, rtol=1e-7)
    assert ToFloat(np.float64)(x).dtype == np.float64
    with pytest.raises(TypeError, match="ToFloat: expected uint8 pixels, got dtype float32"):
        ToFloat()(y)
    with pytest.raises(TypeError, match="ToFloat: dtype must be floating-point"):
        ToFloat(np.int32)


def test_normalize_scalar_and_per_channel():
    x = np.random.default_rng(0).random((4, 3, 2, 2)).astype(np.float32)
    y = Normalize(0.5, 0.25)(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, (x - 0.5) / 0.25, rtol=1e-6, atol=1e-6)
    mean, std = [0.1, 0.2, 0.3], [1.0, 2.0, 4.0]
    y = Normalize(mean, std)(x)
    expected = (x - np.reshape(mean, (1, 3, 1, 1))) / np.reshape(std, (1, 3, 1, 1))
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)
    assert y.dtype == np.float32


@pytest.mark.parametrize("make, x, error, message", [
    (lambda: Normalize(0.0, 0.0), None, ValueError, "std must be > 0"),
    (lambda: Normalize([0, 0], [1, 1, 1]), None, ValueError,
     r"mean and std have different lengths \(2 vs 3\)"),
    (lambda: Normalize(0.5, 0.5), np.zeros((2, 3), np.uint8), TypeError,
     r"expected a floating-point input \(apply ToFloat first\), got dtype uint8"),
    (lambda: Normalize([0, 0], [1, 1]), np.zeros((2, 3, 4)), ValueError,
     r"expected input of shape \(N, 2, ...\), got \(2, 3, 4\)"),
])
def test_normalize_errors(make, x, error, message):
    with pytest.raises(error, match=f"Normalize: {message}"):
        make()(x)


def test_flatten_and_compose():
    x = np.arange(2 * 1 * 3 * 3, dtype=np.uint8).reshape(2, 1, 3, 3)
    assert Flatten()(x).shape == (2, 9)
    assert Flatten(start_dim=2)(x).shape == (2, 1, 9)
    with pytest.raises(ValueError, match=r"Flatten: input of shape \(2,\) has no axis 1"):
        Flatten()(np.zeros(2))
    f = Compose([ToFloat(), Normalize(0.5, 0.5), Flatten()])
    y = f(x)
    assert y.shape == (2, 9) and y.dtype == np.float32
    np.testing.assert_allclose(y, (x.reshape(2, 9) / 255.0 - 0.5) / 0.5, rtol=1e-6)
    with pytest.raises(TypeError, match="Compose: every transform must be callable"):
        Compose([ToFloat(), 3])


# Spiral

def test_spiral_shapes_and_labels():
    ds = Spiral()
    assert len(ds) == 300 and ds.x.shape == (300, 2) and ds.t.shape == (300,)
    assert ds.x.dtype == np.float32 and ds.t.dtype == np.int64
    assert np.bincount(ds.t).tolist() == [100, 100, 100]
    assert np.all(np.hypot(ds.x[:, 0], ds.x[:, 1]) < 1.0)
    assert not np.array_equal(ds.t[:100], np.zeros(100))  # shuffled, not arm after arm
    ds = Spiral(n_per_class=7, n_classes=5, seed=0)
    assert ds.x.shape == (35, 2) and np.bincount(ds.t).tolist() == [7] * 5


def test_spiral_points_lie_on_their_arm():
    ds = Spiral(n_per_class=50, seed=0)
    radius = np.hypot(ds.x[:, 0], ds.x[:, 1]).astype(np.float64)
    theta = np.arctan2(ds.x[:, 0], ds.x[:, 1])
    noise = theta - (4.0 * ds.t + 4.0 * radius)
    wrapped = (noise + np.pi) % (2 * np.pi) - np.pi
    keep = radius > 0  # the angle of the centre point is undefined
    assert np.all(np.abs(wrapped[keep]) < 1.2)  # 0.2 * N(0, 1) stays within 6 sigma
    assert 0.1 < np.std(wrapped[keep]) < 0.3


def test_spiral_is_deterministic_with_a_seed():
    a, b, c = Spiral(seed=7), Spiral(seed=7), Spiral(seed=8)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.t, b.t)
    assert not np.array_equal(a.x, c.x)
    np.testing.assert_array_equal(Spiral().x, Spiral().x)


@pytest.mark.parametrize("kwargs", [{"n_per_class": 0}, {"n_classes": -1}, {"n_classes": 2.0}])
def test_spiral_bad_args(kwargs):
    with pytest.raises(ValueError, match="Spiral: invalid n_"):
        Spiral(**kwargs)


def test_spiral_through_a_loader():
    loader = DataLoader(Spiral(seed=0), batch_size=30, shuffle=True, seed=0)
    batches = list(loader)
    assert len(batches) == 10 and batches[0][0].shape == (30, 2)


# Structure

def test_nn_data_does_not_import_autograd():
    """nn.data hands out plain NumPy arrays: none of its modules may import autograd, except
    ``autograd.errors`` (which imports nothing) so its errors are ZerogradErrors too, and
    ``autograd.devices`` (which imports only NumPy and the errors) for ``DataLoader.to``."""
    package = Path(__file__).resolve().parents[2] / "nn" / "data"
    sources = sorted(package.glob("*.py"))
    assert sources
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                if name in ("autograd.errors", "autograd.devices"):
                    continue
                root = name.split(".")[0]
                assert root not in ("autograd", "optim"), f"{path.name} imports {name}"
                assert root != "nn" or name.startswith("nn.data"), f"{path.name} imports {name}"


def _forbidden(self, index):
    raise AssertionError("the per-sample __getitem__ was called on the fast path")
