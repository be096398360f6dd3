"""The engine's semantics: order, accumulation, higher order, dtypes, grad mode, graph freeing."""
from __future__ import annotations

import gc
import weakref
import tracemalloc

import numpy as np
import pytest
from numpy.polynomial import polynomial as P

import autograd as ag
from autograd import GraphError, OpTypeError, ShapeError, Variable


def test_broadcast_gradients_have_input_shape_and_dtype() -> None:
    a = Variable(np.ones((2, 1, 3), dtype=np.float32))
    b = Variable(np.ones((4, 1), dtype=np.float64))
    (a * b).sum().backward()
    assert a.grad.shape == (2, 1, 3) and a.grad.dtype == np.float32
    assert b.grad.shape == (4, 1) and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad.data, np.full((2, 1, 3), 4.0))
    np.testing.assert_array_equal(b.grad.data, np.full((4, 1), 6.0))


def test_chain_of_ten_thousand_ops() -> None:
    x = Variable(np.array(1.0))
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 10_000)


def test_same_input_twice_accumulates() -> None:
    x = Variable(3.0)
    (x + x).backward()
    assert x.grad.item() == 2.0


def test_shared_subgraph_accumulates() -> None:
    x = Variable(3.0)
    y = x * x
    z = y + y
    z.backward()
    assert x.grad.item() == 4 * 3.0


def test_diamond() -> None:
    x = Variable(2.0)
    a = ag.sin(x)
    b = ag.exp(x)
    y = a * b
    y.backward()
    assert x.grad.item() == pytest.approx(np.cos(2) * np.exp(2) + np.sin(2) * np.exp(2))


def test_gradients_never_alias() -> None:
    """Add.backward returns one object for both inputs; each .grad must still be its own."""
    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    (a + b).sum().backward()
    a.grad.data[...] = 100.0
    np.testing.assert_array_equal(b.grad.data, np.ones(3))
    x = Variable(np.ones((2, 3)))
    x.sum().backward()  # the gradient of a sum is a broadcast view: .grad must own its data
    assert x.grad.data.flags.writeable and x.grad.data.base is None


def test_backward_accumulates_across_calls_until_cleared() -> None:
    x = Variable(2.0)
    (x * x).backward()
    (x * x).backward()
    assert x.grad.item() == 8.0
    x.cleargrad()
    (x * x).backward()
    assert x.grad.item() == 4.0


def _tanh_derivative_polynomials(n: int) -> list[np.ndarray]:
    """d^k/dx^k tanh(x) = P_k(tanh(x)) with P_0 = t and P_{k+1} = P_k' * (1 - t^2)."""
    polys = [np.array([0.0, 1.0])]
    for _ in range(n):
        polys.append(P.polymul(P.polyder(polys[-1]), [1.0, 0.0, -1.0]))
    return polys


@pytest.mark.parametrize("x0", [-1.3, 0.0, 0.4, 2.0])
def test_nth_derivatives_of_tanh_and_sin_match_closed_forms(x0: float) -> None:
    n = 6
    polys = _tanh_derivative_polynomials(n)
    t = np.tanh(x0)
    sin_forms = [np.sin, np.cos, lambda v: -np.sin(v), lambda v: -np.cos(v)]
    for fn, expected in [(ag.tanh, lambda k: P.polyval(t, polys[k])),
                         (ag.sin, lambda k: sin_forms[k % 4](x0))]:
        x = Variable(np.array(x0))
        y = fn(x)
        for k in range(1, n + 1):
            x.cleargrad()
            y.backward(create_graph=True)
            y = x.grad
            assert y.item() == pytest.approx(expected(k), rel=1e-9, abs=1e-9), (fn, k)


def test_newton_method_with_second_derivatives_reaches_one() -> None:
    x = Variable(np.array(2.0))
    for _ in range(10):
        y = x ** 4 - 2 * x ** 2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        x.data = x.data - gx.data / x.grad.data
    assert x.item() == pytest.approx(1.0, abs=1e-12)


def test_grad_leaves_dot_grad_alone_and_goes_higher_order() -> None:
    x = Variable(np.array([0.5, -1.0]))
    x.grad = Variable(np.array([7.0, 7.0]))
    y = (x ** 3).sum()
    (gx,) = ag.grad(y, x, create_graph=True)
    np.testing.assert_allclose(gx.data, 3 * x.data ** 2)
    (ggx,) = ag.grad(gx.sum(), x)
    np.testing.assert_allclose(ggx.data, 6 * x.data)
    np.testing.assert_array_equal(x.grad.data, [7.0, 7.0])


def test_grad_with_respect_to_intermediate_and_unused() -> None:
    x = Variable(2.0)
    h = x * 3
    y = h * h
    unused = Variable(1.0)
    gh, gu = ag.grad(y, [h, unused], allow_unused=True)
    assert gh.item() == 2 * 6.0 and gu is None
    with pytest.raises(GraphError, match="input 1 .* was not used"):
        ag.grad((x * x), [x, unused])


def test_float32_stays_float32_with_python_scalars() -> None:
    x = Variable(np.array([1.0, 2.0], dtype=np.float32))
    y = (2.5 * x + 1) / 3.0 - 0.5 ** x + x ** 2
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    z = Variable(np.array([1.0, 2.0]))
    assert (z * 2).dtype == np.float64


def test_integer_variables_have_no_gradient() -> None:
    i = Variable(np.array([1, 2, 3]))
    assert not i.requires_grad
    with pytest.raises(OpTypeError, match="only floating-point data can require gradients"):
        Variable(np.array([1, 2]), requires_grad=True)
    x = Variable(np.array([1.0, 2.0, 3.0]))
    y = (x * i).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 2.0, 3.0])
    with pytest.raises(GraphError, match="input 1 has no gradient: it holds integer data"):
        ag.grad(y, [x, i])
    with pytest.raises(GraphError, match="integer data"):
        i.sum().backward()


def test_mutating_saved_data_in_place_is_refused() -> None:
    x = Variable(np.array([1.0, 2.0, 3.0]))
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.data[...] = 0.0
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0, 6.0])
    x.data[...] = 0.0  # the graph is freed: the array is the user's again


def test_mutating_through_a_view_is_refused() -> None:
    base = np.arange(6.0)
    x = Variable(base)
    v = x.reshape(2, 3)
    y = (v * v).sum()
    with pytest.raises(ValueError, match="read-only"):
        base[0] = 5.0
    del y
    gc.collect()
    base[0] = 5.0  # the graph was dropped without backward: protection ends with it


def test_replacing_saved_data_is_detected_at_backward() -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = (x * x).sum()
    x.data = np.array([5.0, 5.0])
    with pytest.raises(GraphError, match=r"Mul: input 0 .*modified after the forward pass"):
        y.backward()


def test_ops_that_do_not_read_values_leave_inputs_writable() -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = (x + 1).sum()
    x.data[...] = 3.0  # Add's backward does not read x
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_second_backward_through_freed_graph() -> None:
    x = Variable(2.0)
    y = x * x
    y.backward()
    with pytest.raises(GraphError, match="backward through the graph a second time"):
        y.backward()
    x.cleargrad()
    z = x * x
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.item() == 8.0


def test_ops_that_kept_nothing_backward_again() -> None:
    # as PyTorch: only freed saved values stop a second backward. A batch moved to a device
    # once (ToDevice keeps no array) serves every step of a loop
    x = Variable(np.array([1.0, 2.0]))
    moved = x.to("cpu") + 1  # Add and the move keep nothing
    for step in range(1, 3):
        (moved * 3.0).sum().backward()  # a fresh Mul each step
        np.testing.assert_array_equal(x.grad.data, [3.0 * step] * 2)
    y = moved * moved  # Mul keeps its inputs: freed by the first backward
    y.sum().backward()
    with pytest.raises(GraphError, match="backward through the graph a second time"):
        y.sum().backward()
    z = x[None]  # GetItem frees its index, None here: released all the same
    z.sum().backward()
    with pytest.raises(GraphError, match="GetItem: trying to backward through the graph"):
        z.sum().backward()


def test_backward_needs_grad_for_non_scalar() -> None:
    x = Variable(np.ones(3))
    y = x * 2
    with pytest.raises(GraphError, match=r"only for scalar outputs .*shape \(3,\)"):
        y.backward()
    with pytest.raises(ShapeError, match=r"grad of shape \(2,\) does not match .*\(3,\)"):
        y.backward(np.ones(2))
    y.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0, 6.0])


def test_no_grad_records_nothing() -> None:
    x = Variable(1.0)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
        with ag.enable_grad():
            z = x * 2
    assert ag.is_grad_enabled()
    assert y.creator is None and not y.requires_grad
    assert z.creator is not None

    @ag.no_grad()
    def f(v: Variable) -> Variable:
        return v * 3

    assert f(x).creator is None and ag.is_grad_enabled()
    with pytest.raises(GraphError, match="does not require grad"):
        y.backward()


def test_non_leaf_grads_are_kept_only_on_request() -> None:
    x = Variable(2.0)
    h = x * 3
    k = x * 4
    k.retain_grad()
    (h * k).backward()
    assert h.grad is None and k.grad.item() == 6.0 and x.grad.item() == 2 * 3 * 4 * 2.0


def test_constants_need_no_gradient() -> None:
    x = Variable(np.ones(2))
    c = Variable(np.ones(2), requires_grad=False)
    (x * c * np.array([2.0, 3.0])).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad.data, [2.0, 3.0])


def test_comparisons_return_arrays() -> None:
    x = Variable(np.array([1.0, 2.0]))
    assert isinstance(x > 1.5, np.ndarray)
    np.testing.assert_array_equal(x == np.array([1.0, 0.0]), [True, False])
    assert {x: 1}[x] == 1  # still hashable by identity


def test_ndarray_on_the_left_defers_to_variable() -> None:
    x = Variable(np.array([1.0, 2.0]))
    y = np.array([3.0, 4.0]) - x
    assert isinstance(y, Variable)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, -1.0])


def test_numpy_ufuncs_record_the_graph() -> None:
    x = Variable(np.array([0.5, 1.0]))
    y = np.exp(x) * np.sin(x) + np.ones(2) / x
    assert isinstance(y, Variable)
    y.sum().backward()
    expected = np.exp(x.data) * (np.sin(x.data) + np.cos(x.data)) - 1 / x.data ** 2
    np.testing.assert_allclose(x.grad.data, expected)
    np.testing.assert_array_equal(np.array([1.0, 1.0]) < x, [False, False])


def test_variable_basics() -> None:
    x = Variable(np.arange(6.0).reshape(2, 3), name="x")
    assert (x.shape, x.ndim, x.size, x.dtype, len(x)) == ((2, 3), 2, 6, np.float64, 2)
    assert x.T.shape == (3, 2) and x.transpose(1, 0).shape == (3, 2)
    assert Variable(3.0).item() == 3.0
    assert repr(x).startswith("variable([[0., 1., 2.],") and "name='x'" in repr(x)
    d = x.detach()
    assert d.data is x.data and not d.requires_grad
    assert [row.shape for row in x] == [(3,), (3,)]


def test_a_function_instance_is_used_once() -> None:
    f = ag.Exp()
    f(Variable(1.0))
    with pytest.raises(GraphError, match="Exp: a Function instance is used once"):
        f(Variable(1.0))


def test_backward_returning_wrong_count_or_shape_is_named() -> None:
    class Bad(ag.Function):
        def forward(self, x):
            return x * 2

        def backward(self, grad):
            return grad, grad

    with pytest.raises(GraphError, match="Bad.backward returned 2 gradients for 1 inputs"):
        Bad()(Variable(np.ones(2))).sum().backward()

    class WrongShape(ag.Function):
        def forward(self, x):
            return x * 2

        def backward(self, grad):
            return Variable(np.ones(5))

    with pytest.raises(GraphError, match=r"WrongShape.backward returned a gradient of shape "
                                         r"\(5,\) for an input of shape \(2,\)"):
        WrongShape()(Variable(np.ones(2))).sum().backward()


def test_memory_is_flat_over_ten_thousand_steps_with_refcounting_alone() -> None:
    rng = np.random.default_rng(0)
    w = Variable(rng.standard_normal((8, 4)))
    b = Variable(np.zeros(4))
    x = rng.standard_normal((16, 8))

    def step() -> None:
        loss = (ag.tanh(x @ w + b) ** 2).mean()
        w.cleargrad()
        b.cleargrad()
        loss.backward()
        w.data = w.data - 0.01 * w.grad.data
        b.data = b.data - 0.01 * b.grad.data

    gc.collect()
    gc.disable()  # prove that reference counting alone frees every graph
    try:
        for _ in range(1000):  # warm-up: NumPy and CPython fill their caches and free lists
            step()
        objects = len(gc.get_objects())
        tracemalloc.start()
        for _ in range(1000):
            step()
        early, _ = tracemalloc.get_traced_memory()
        for _ in range(9000):
            step()
        late, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        grown = len(gc.get_objects()) - objects
    finally:
        gc.enable()
    # One leaked Variable per step would be ~1 MB over 9,000 steps; allocator noise is ~10 KB.
    assert late - early < 100_000, f"memory grew by {late - early} bytes over 9,000 steps"
    assert grown < 50, f"{grown} more live objects after 10,000 steps"


def test_backward_lets_go_of_activations_no_op_still_needs() -> None:
    """h = p1(x) feeds only p2, neither reads values in backward: once p2's backward has run,
    nothing keeps h (and its array) alive through p1's backward."""
    alive = {}

    class Probe(ag.Function):
        saves_inputs = False

        def forward(self, x):
            return x * 2

        def backward(self, grad):
            alive[self.tag] = self.watch() is not None
            return grad * 2

    x = Variable(np.ones(3))
    p1, p2 = Probe(), Probe()
    h = p1(x)
    h2 = p2(h)
    p1.tag, p1.watch = 1, weakref.ref(h)  # p1's output, p2's input
    p2.tag, p2.watch = 2, weakref.ref(h2)
    loss = h2.sum()
    del h, h2
    loss.backward()
    assert alive == {2: False, 1: False}
    np.testing.assert_array_equal(x.grad.data, [4.0, 4.0, 4.0])


def test_python_scalars_become_shared_read_only_constants() -> None:
    x = Variable(np.array([1.0, 2.0], np.float32))
    a, b = x * 0.5, x * 0.5
    const = a.creator.saved[0]  # Mul saved b (0.5) for x's gradient
    assert const is b.creator.saved[0] and const.dtype == np.float32
    with pytest.raises(ValueError, match="read-only"):
        const.data[...] = 3.0
    with pytest.raises(GraphError, match="shared constant 0.5 .* cannot be replaced"):
        const.data = np.array(3.0, np.float32)
    np.testing.assert_array_equal((x * 0.5).data, [0.5, 1.0])
    assert (x * -0.0).creator.saved[0] is not (x * 0.0).creator.saved[0]  # signed zeros
