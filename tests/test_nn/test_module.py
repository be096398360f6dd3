"""Module mechanics: registration order, modes, state_dict, atomic save and safe load, repr."""
from __future__ import annotations

import os

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import ArgumentError
from nn import StateDictError, zoo
from nn.files import load_arrays, read_metadata


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 3), nn.Dropout(0.5))

    def forward(self, x):
        return self.head(nn.functional.relu(self.bn(self.conv(x))))


def test_parameters_are_registered_in_definition_order() -> None:
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.1.weight",
                     "head.1.bias"]
    assert [n for n, _ in Net().named_buffers()] == ["bn.running_mean", "bn.running_var"]
    assert [n for n, _ in Net().named_modules()] == ["", "conv", "bn", "head", "head.0",
                                                     "head.1", "head.2"]


def test_shared_parameters_are_listed_once() -> None:
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(model.parameters())) == 2


def test_reassigning_replaces_and_plain_attributes_are_not_parameters() -> None:
    m = nn.Linear(2, 2)
    m.bias = None
    m.scale = ag.Variable(np.ones(1))  # a Variable, not a Parameter: not registered
    assert [n for n, _ in m.named_parameters()] == ["weight"]


def test_train_eval_flags_every_submodule() -> None:
    model = Net()
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_dropout_and_batch_norm_follow_the_mode() -> None:
    nn.manual_seed(0)
    model = Net()
    x = np.random.default_rng(0).standard_normal((4, 1, 6, 6)).astype(np.float32)
    model.eval()
    a, b = model(x).data, model(x).data
    np.testing.assert_array_equal(a, b)  # eval: deterministic
    model.train()
    before = model.bn.running_mean.copy()
    model(x)
    assert not np.array_equal(before, model.bn.running_mean)


def test_zero_grad_clears_every_parameter() -> None:
    model = Net()
    model(np.ones((2, 1, 6, 6), dtype=np.float32)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_round_trip_through_an_atomic_npz(tmp_path) -> None:
    nn.manual_seed(1)
    a = Net()
    a.train()
    a(np.random.default_rng(1).standard_normal((3, 1, 6, 6)).astype(np.float32))
    path = tmp_path / "weights.npz"
    a.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["weights.npz"]  # no temporary file left
    nn.manual_seed(2)
    b = Net()
    b.load(path)
    for (k, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(va, vb, err_msg=k)
    a.eval(), b.eval()
    x = np.ones((1, 1, 6, 6), dtype=np.float32)
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_state_dict_is_a_copy() -> None:
    m = nn.Linear(2, 2)
    state = m.state_dict()
    state["weight"][...] = 123.0
    assert not (m.weight.data == 123.0).any()


def test_load_state_dict_names_missing_unexpected_and_misshaped_keys() -> None:
    m = nn.Linear(3, 2)
    state = m.state_dict()
    del state["bias"]
    state["extra"] = np.zeros(1)
    state["weight"] = np.zeros((2, 4))
    with pytest.raises(StateDictError, match=r"missing keys: bias; unexpected keys: extra; "
                                             r"weight: shape \(2, 4\) in the state dict, "
                                             r"\(2, 3\) in the model"):
        m.load_state_dict(state)
    before = m.weight.data.copy()
    np.testing.assert_array_equal(m.weight.data, before)  # nothing changed
    m.load_state_dict({"weight": np.ones((2, 3))}, strict=False)
    assert m.weight.dtype == np.float32 and (m.weight.data == 1).all()


def test_load_never_unpickles(tmp_path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, weight=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="pickled"):
        nn.Linear(1, 1).load(path)


def test_float16_weights_halve_the_file_and_load_back_into_float32(tmp_path) -> None:
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(),
                          nn.Linear(4 * 4 * 4, 500))
    model(np.random.default_rng(0).standard_normal((2, 1, 6, 6)).astype(np.float32))
    model.save(tmp_path / "w32.npz")
    model.save(tmp_path / "w16.npz", metadata={"note": "half"}, dtype=np.float16)
    assert all(a.dtype == np.float16 for a in load_arrays(tmp_path / "w16.npz").values()
               if a.dtype.kind == "f")
    sizes = [(tmp_path / f).stat().st_size for f in ("w32.npz", "w16.npz")]
    assert 0.45 < sizes[1] / sizes[0] < 0.6
    copy = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 500))
    copy.load(tmp_path / "w16.npz")
    for (name, a), b in zip(model.state_dict().items(), copy.state_dict().values()):
        assert b.dtype == a.dtype, name  # float32 again, integer counters untouched
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-4)
    assert read_metadata(tmp_path / "w16.npz") == {"note": "half"}


def test_a_float16_save_refuses_what_float16_cannot_hold(tmp_path) -> None:
    m = nn.Linear(2, 2)
    m.weight.data[0, 0] = 1e5
    with pytest.raises(ArgumentError, match=r"save: weight hold values beyond the range of "
                                            r"float16 \(max 65504"):
        m.save(tmp_path / "w.npz", dtype=np.float16)
    with pytest.raises(ArgumentError, match="not int8"):
        m.save(tmp_path / "w.npz", dtype=np.int8)
    assert not list(tmp_path.iterdir())


def test_a_failed_save_leaves_the_old_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "weights.npz"
    m = nn.Linear(2, 2)
    m.save(path)
    good = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        m.save(path)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["weights.npz"]


def test_repr_prints_the_tree() -> None:
    text = repr(Net())
    assert text.splitlines()[0] == "Net("
    assert "(conv): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0))" in text
    assert "  (head): Sequential(\n    (0): Flatten()" in text


def test_apply_and_to_dtype() -> None:
    model = Net()
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and "Linear" in seen
    model.to(np.float64)
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model.bn.running_var.dtype == np.float64


def test_parameter_must_be_floating() -> None:
    with pytest.raises(TypeError, match="Parameter: data must be floating point"):
        nn.Parameter(np.arange(3))


def test_module_needs_super_init() -> None:
    class Forgot(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.ones(1))

    with pytest.raises(AttributeError, match="call super\\(\\).__init__\\(\\)"):
        Forgot()


@pytest.mark.parametrize("model, shape", [(zoo.MLP(), (2, 784)), (zoo.MLP(), (2, 1, 28, 28)),
                                          (zoo.SimpleConvNet(), (2, 1, 28, 28)),
                                          (zoo.DeepConvNet(), (2, 1, 28, 28))])
def test_zoo_models_give_logits(model, shape) -> None:
    out = model(np.zeros(shape, dtype=np.float32))
    assert out.shape == (2, 10) and out.dtype == np.float32


def test_zoo_parameter_counts_match_the_book() -> None:
    count = lambda m: sum(p.size for p in m.parameters())  # noqa: E731
    assert count(zoo.MLP(784, (100, 100), 10)) == 784 * 100 + 100 + 100 * 100 + 100 + 1010
    assert count(zoo.SimpleConvNet()) == 30 * 25 + 30 + 4320 * 100 + 100 + 1010
    assert [p.shape for p in zoo.DeepConvNet().parameters()][::2][:6] == [
        (16, 1, 3, 3), (16, 16, 3, 3), (32, 16, 3, 3), (32, 32, 3, 3), (64, 32, 3, 3),
        (64, 64, 3, 3)]

