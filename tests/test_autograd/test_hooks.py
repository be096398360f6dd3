"""Variable.register_hook: when a hook runs, what it sees, what its return value does, and that
all of it is what torch.Tensor.register_hook does."""
from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import hooks


def test_a_leaf_hook_sees_the_whole_gradient_once_and_can_replace_it():
    x = ag.Variable(np.array([1.0, 2.0]))
    seen = []
    x.register_hook(lambda g: seen.append(g.data.copy()))
    x.register_hook(lambda g: g * 10)
    (x * 2 + x * 3).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [5, 5])
    np.testing.assert_array_equal(x.grad.data, [50, 50])


def test_hooks_chain_in_registration_order():
    x = ag.Variable(1.0)
    m = x * 2
    order = []
    m.register_hook(lambda g: order.append(("first", float(g.data))) or g + 1)
    m.register_hook(lambda g: order.append(("second", float(g.data))))  # None: keep it
    m.register_hook(lambda g: g * 10)
    (m * 3).backward()
    assert order == [("first", 3.0), ("second", 4.0)]
    assert float(x.grad.data) == 80.0  # (3 + 1) * 10, through m = 2x


def test_a_non_leaf_hook_changes_what_flows_on_and_what_retain_grad_keeps():
    x = ag.Variable(np.array([1.0, 2.0]))
    m = x * 2
    m.retain_grad()
    m.register_hook(lambda g: g * 10)
    (m * m).sum().backward()
    np.testing.assert_array_equal(m.grad.data, [40, 80])  # after the hook, as in PyTorch
    np.testing.assert_array_equal(x.grad.data, [80, 160])


def test_hooks_run_in_grad_and_under_create_graph():
    x = ag.Variable(np.array([1.0, 2.0]))
    x.register_hook(lambda g: g * 10)
    (g,) = ag.grad((x * x).sum(), x)
    np.testing.assert_array_equal(g.data, [20, 40])
    assert x.grad is None

    y = ag.Variable(3.0)
    y.register_hook(lambda g: g * y)  # a hook written with ops: part of the graph too
    (gy,) = ag.grad(y * y, y, create_graph=True)  # 2y * y = 2y^2
    assert float(gy.data) == 18.0 and gy.creator is not None
    (ggy,) = ag.grad(gy, y)  # d(2y^2)/dy = 4y = 12, and the hook runs again: 12 * y
    assert float(ggy.data) == 36.0  # as torch gives


def test_remove_and_the_handle_as_a_context_manager():
    x = ag.Variable(2.0)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    handle.remove()  # a second time does nothing
    (x * x).backward()
    assert float(x.grad.data) == 4.0
    x.cleargrad()
    with x.register_hook(lambda g: g * 0):
        (x * x).backward(retain_graph=True)
    assert float(x.grad.data) == 0.0
    (x * x).backward()
    assert float(x.grad.data) == 4.0


def test_hook_errors_are_clear():
    with pytest.raises(ag.GraphError, match="does not require grad"):
        ag.Variable(1.0, requires_grad=False).register_hook(lambda g: g)
    with pytest.raises(ag.OpTypeError, match="must be callable"):
        ag.Variable(1.0).register_hook(3)
    x = ag.Variable(np.ones(3))
    x.register_hook(lambda g: g.sum())
    with pytest.raises(ag.ShapeError, match=r"shape \(3,\).*returned a gradient of shape \(\)"):
        (x * 2).sum().backward()


def test_a_hook_goes_with_its_variable():
    before = len(hooks.tensor_hooks)
    for _ in range(100):
        x = ag.Variable(np.ones(2))
        (x * 2).register_hook(lambda g: g)
        x.register_hook(lambda g: g)
    del x
    gc.collect()
    assert len(hooks.tensor_hooks) == before


def test_no_hook_no_entry():
    x = ag.Variable(1.0)
    (x * 2).backward()
    assert id(x) not in hooks.tensor_hooks


def _scaled_graph(lib, x, scales, create_graph):
    """x -> a = x * x -> b = sin(a) + a -> y = sum(b * x); hooks scale the gradients of x, a
    and b by the drawn factors. Returns the gradient of x (and its own gradient)."""
    a = x * x
    b = lib["sin"](a) + a
    for v, s in zip((x, a, b), scales):
        v.register_hook(lambda g, s=s: g * s)
    y = (b * x).sum()
    (g,) = lib["grad"](y, x, create_graph)
    (gg,) = lib["grad"](g.sum(), x, False) if create_graph else (None,)
    return g, gg


@given(values=st.lists(st.floats(-2, 2), min_size=1, max_size=4),
       scales=st.tuples(*[st.floats(-2, 2)] * 3), create_graph=st.booleans())
def test_hooks_match_torch(torch, values, scales, create_graph):
    ours = {"sin": ag.sin,
            "grad": lambda y, x, c: ag.grad(y, x, create_graph=c)}
    theirs = {"sin": torch.sin,
              "grad": lambda y, x, c: torch.autograd.grad(y, x, create_graph=c)}
    x = ag.Variable(np.array(values))
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    g, gg = _scaled_graph(ours, x, scales, create_graph)
    tg, tgg = _scaled_graph(theirs, t, scales, create_graph)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-12, atol=1e-12)
    if create_graph:
        np.testing.assert_allclose(gg.data, tgg.numpy(), rtol=1e-12, atol=1e-12)
