"""Devices on a machine without a GPU: every op of the op table run on the fake device
(tests/fakedevice.py, arrays that refuse NumPy as CuPy's do) gives the CPU's values and
gradients; mixing devices is an error naming the op and both devices; "cuda" without CuPy
says how to install it."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import devices

from ..fakedevice import FakeArray, cupy_importable, fake_device
from .op_table import ROWS, Row


@pytest.fixture(scope="module")
def fake():
    with fake_device() as module:
        yield module


def _on(args: tuple, device: str) -> list:
    """The row's arguments on ``device``: float arrays as Variables, other arrays as arrays."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            a = devices.to_device(a, device)
            out.append(ag.Variable(a) if a.dtype.kind == "f" else a)
        elif isinstance(a, tuple):  # an index, given to GetItemGrad as GetItem.backward does
            out.append(tuple(devices.to_device(i, device) if isinstance(i, np.ndarray) else i
                             for i in a))
        else:
            out.append(a)
    return out


def _total(out) -> ag.Variable | float:
    """test_ops._total on the outputs' device: every float output weighted by fixed numbers."""
    total = 0.0
    for o in out if isinstance(out, tuple) else (out,):
        if isinstance(o, ag.Variable) and o.requires_grad:
            weights = np.linspace(0.5, 1.5, o.size).reshape(o.shape) if o.size else 1.0
            total = total + (o * devices.to_device(np.asarray(weights), o.device)).sum()
    return total


def _run(row: Row, args: tuple, device: str) -> tuple[list, list]:
    """Forward values and the gradients of _total, as NumPy arrays."""
    xs = _on(args, device)
    out = row.fn(*xs)
    outs = out if isinstance(out, tuple) else (out,)
    for o in outs:
        assert o.device == device, f"{row.name}: an output on {o.device}, not {device}"
    total = _total(out)
    if isinstance(total, ag.Variable) and total.requires_grad:
        total.backward()
    grads = []
    for x in xs:
        if isinstance(x, ag.Variable) and x.grad is not None:
            assert x.grad.device == device, f"{row.name}: a gradient on {x.grad.device}"
            grads.append(x.grad.numpy())
        else:
            grads.append(None)
    return [o.numpy() for o in outs], grads


# every row but the move to the CPU itself (test_to_moves_a_variable... covers it)
ON_DEVICE = [r for r in ROWS if r.op is not ag.ToDevice]


@pytest.mark.parametrize("row", ON_DEVICE, ids=[r.name for r in ON_DEVICE])
@settings(max_examples=5)
@given(data=st.data())
def test_every_op_computes_on_its_inputs_device(fake, row: Row, data) -> None:
    check_row(row, data.draw(row.args), "fake", rtol=1e-12)


def check_row(row: Row, args: tuple, device: str, rtol: float) -> None:
    """``row`` on ``device`` gives the CPU's values and gradients (to ``rtol``, in float64);
    each output and gradient on ``device``."""
    values, grads = _run(row, args, "cpu")
    got_values, got_grads = _run(row, args, device)
    for v, got in zip(values, got_values):
        np.testing.assert_allclose(got, v, rtol=rtol, atol=1e-12, err_msg=row.name)
    for g, got in zip(grads, got_grads):
        assert (g is None) == (got is None), row.name
        if g is not None:
            np.testing.assert_allclose(got, g, rtol=100 * rtol, atol=1e-12, err_msg=row.name)


def test_to_moves_a_variable_and_its_gradient_flows_back(fake) -> None:
    x = ag.Variable(np.array([1.0, 2.0, 3.0]))
    y = x.to("fake:1")
    assert type(y.data) is FakeArray and y.device == "fake:1" and y.device.index == 1
    assert repr(y).startswith("variable([1., 2., 3.], device='fake:1'")
    (y * y).sum().backward()
    assert x.device == "cpu" and type(x.grad.data) is np.ndarray
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0, 6.0])
    assert y.to("fake:1") is y and y.cpu().device == "cpu"
    np.testing.assert_array_equal(y.numpy(), [1.0, 2.0, 3.0])
    with pytest.raises(ag.OpTypeError, match="on fake:1 to a NumPy array implicitly"):
        np.asarray(y.detach())


def test_mixing_devices_names_the_op_and_both_devices(fake) -> None:
    a = ag.Variable(np.ones(3)).to("fake")
    b = ag.Variable(np.ones(3))
    with pytest.raises(ag.DeviceError, match=r"Add: inputs on different devices \(fake:0 and "
                                             r"cpu\)"):
        a + b
    with pytest.raises(ag.DeviceError, match=r"MatMul: .* \(cpu and fake:0\)"):
        ag.matmul(b.reshape(1, 3), a.reshape(3, 1))
    with pytest.raises(ag.DeviceError, match=r"Mul: .* \(fake:0 and fake:1\)"):
        a * a.to("fake:1")
    a.to("fake:0")
    with pytest.raises(ag.DeviceError, match=r"Concat: .* \(fake:0 and cpu\)"):
        ag.concatenate([a, b])
    with pytest.raises(ag.DeviceError, match=r"backward: grad on cpu for an output on fake:0"):
        (a * 2.0).backward(np.ones(3))
    # numbers and NumPy scalars go with any device, as in PyTorch
    assert (a * 2 + np.float64(1.0) - 0.5).device == "fake:0"


def test_get_array_module_and_device_objects(fake) -> None:
    x = ag.Variable(np.ones(2))
    assert ag.get_array_module(x) is np and ag.get_array_module(x.data) is np
    assert ag.get_array_module(x, x.to("fake")) is fake
    assert ag.Device("fake") == ag.Device("fake:0") == "fake:0" != "fake:1"
    assert str(ag.Device("cuda:2")) == "cuda:2" and ag.Device("cuda").index == 0
    assert {ag.Device("cpu"), ag.Device("cpu")} == {ag.Device("cpu")}
    with pytest.raises(ag.ArgumentError, match="unknown device type 'tpu'"):
        ag.Device("tpu")
    with pytest.raises(ag.ArgumentError, match="'cuda:x' is not a device"):
        ag.Device("cuda:x")


@pytest.mark.skipif(cupy_importable(), reason="CuPy is installed here")
def test_cuda_without_cupy_says_how_to_install_it() -> None:
    with pytest.raises(ag.MissingDependencyError, match=r"needs CuPy, which is not installed.*"
                                                        r"pip install 'zerograd\[gpu\]'"):
        ag.Variable(np.ones(2)).to("cuda")
    with pytest.raises(ag.MissingDependencyError, match="needs CuPy"):
        ag.Variable(np.ones(2)).cuda()


def test_jacobians_and_hessians_on_another_device(fake) -> None:
    x = ag.Variable(np.array([1.0, 2.0])).to("fake").detach()
    jacobian = ag.functional.jacobian(lambda v: v * v, x)
    hessian = ag.functional.hessian(lambda v: (v ** 3).sum(), x)
    assert jacobian.device == hessian.device == "fake:0"
    np.testing.assert_array_equal(jacobian.numpy(), [[2.0, 0.0], [0.0, 4.0]])
    np.testing.assert_array_equal(hessian.numpy(), [[6.0, 0.0], [0.0, 12.0]])
