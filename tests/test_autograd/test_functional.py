"""autograd.functional against numerical derivatives (float64, central differences) and
against torch.autograd.functional: values, result structure, create_graph and strict."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import functional as AF
from autograd.testing import arrays

EPS = 1e-6
# Central differences in float64 on values and weights of size <= 3: truncation ~eps^2 * f''',
# rounding ~1e-16 / eps; 1e-6 absolute and relative is well above both.
TOL = dict(rtol=1e-6, atol=1e-6)


def f_pair(lib):
    """(x (n,), y (m,)) -> (tanh(x) * sum(y^2), x . x * sin(y)): every block non-zero."""
    def f(x, y):
        return lib.tanh(x) * (y * y).sum(), (x * x).sum() * lib.sin(y)
    return f


def f_scalar(lib):
    """(x (n,), y (m,)) -> one number, with mixed second derivatives."""
    def f(x, y):
        return (lib.tanh(x) ** 2).sum() * lib.sin(y).sum() + (x ** 3).sum()
    return f


def _numeric_jacobian(f, xs):
    """d out_i / d x_j by central differences: table[i][j] of shape out_i.shape + x_j.shape."""
    outs = f(*xs)
    table = [[np.zeros(np.shape(o) + x.shape) for x in xs] for o in outs]
    for j, x in enumerate(xs):
        for k in np.ndindex(x.shape):
            up, down = [a.copy() for a in xs], [a.copy() for a in xs]
            up[j][k] += EPS
            down[j][k] -= EPS
            for i, (a, b) in enumerate(zip(f(*up), f(*down))):
                table[i][j][(...,) + k] = (np.asarray(a) - np.asarray(b)) / (2 * EPS)
    return table


class _NP:
    tanh, sin = staticmethod(np.tanh), staticmethod(np.sin)


def _np_pair(x, y):
    return f_pair(_NP)(x, y)


def _np_grad(x, y):
    """The exact gradient of f_scalar in NumPy (for the numerical Hessian)."""
    t = np.tanh(x)
    gx = 2 * t * (1 - t * t) * np.sin(y).sum() + 3 * x * x
    gy = (t * t).sum() * np.cos(y)
    return gx, gy


vectors = st.integers(1, 3).flatmap(lambda n: arrays((n,)))


@given(x=vectors, y=vectors)
def test_jacobian_vjp_and_jvp_match_numerical(x, y):
    numeric = _numeric_jacobian(_np_pair, [x, y])
    J = AF.jacobian(f_pair(ag), (ag.Variable(x), ag.Variable(y)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(J[i][j].data, numeric[i][j], **TOL)
    u, v = (np.linspace(-1, 1, x.size), np.linspace(0.5, 1.5, y.size)), (x[::-1], y * 2)
    _, vj = AF.vjp(f_pair(ag), (ag.Variable(x), ag.Variable(y)), v=u)
    for j in range(2):
        np.testing.assert_allclose(vj[j].data, sum(np.tensordot(u[i], numeric[i][j], 1)
                                                   for i in range(2)), **TOL)
    _, jv = AF.jvp(f_pair(ag), (ag.Variable(x), ag.Variable(y)), v=v)
    for i in range(2):
        np.testing.assert_allclose(jv[i].data, sum(numeric[i][j] @ v[j] for j in range(2)),
                                   **TOL)


@given(x=vectors, y=vectors)
def test_hessian_hvp_and_vhp_match_numerical(x, y):
    numeric = _numeric_jacobian(_np_grad, [x, y])  # the Jacobian of the exact gradient
    H = AF.hessian(f_scalar(ag), (ag.Variable(x), ag.Variable(y)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(H[i][j].data, numeric[i][j], **TOL)
    v = (np.linspace(-1, 1, x.size), np.linspace(0.5, 1.5, y.size))
    value, hv = AF.hvp(f_scalar(ag), (ag.Variable(x), ag.Variable(y)), v=v)
    _, vh = AF.vhp(f_scalar(ag), (ag.Variable(x), ag.Variable(y)), v=v)
    for i in range(2):
        expected = sum(numeric[i][j] @ v[j] for j in range(2))
        np.testing.assert_allclose(hv[i].data, expected, **TOL)
        np.testing.assert_allclose(vh[i].data, expected, **TOL)  # H is symmetric
    assert value.shape == ()


def test_structure_follows_the_arguments():
    x = ag.Variable(np.ones(3))
    assert AF.jacobian(lambda a: a * 2, x).shape == (3, 3)
    assert [j.shape for j in AF.jacobian(lambda a: (a * 2, a.sum()), x)] == [(3, 3), (3,)]
    assert [j.shape for j in AF.jacobian(lambda a, b: a * b, (x, x))] == [(3, 3), (3, 3)]
    assert AF.hessian(lambda a: (a ** 3).sum(), x).shape == (3, 3)
    out, g = AF.vjp(lambda a: (a ** 2).sum(), x)
    assert out.shape == () and g.shape == (3,)
    assert isinstance(AF.vjp(lambda a, b: a * b, (x, x), v=np.ones(3))[1], tuple)


def test_inputs_and_their_grads_are_left_alone():
    x = ag.Variable(np.array([1.0, 2.0]))
    AF.jacobian(lambda a: a ** 2, x)
    AF.hvp(lambda a: (a ** 3).sum(), x, v=np.ones(2))
    assert x.grad is None
    assert AF.vjp(lambda a: a ** 2, x, v=np.ones(2))[1].creator is None  # constants


def test_create_graph_keeps_the_results_differentiable():
    x = ag.Variable(np.array([1.0, 2.0]))
    _, g = AF.vjp(lambda a: (a ** 3).sum(), x, create_graph=True)  # 3x^2
    g.sum().backward()  # d/dx sum(3x^2) = 6x, with respect to the caller's own x
    np.testing.assert_allclose(x.grad.data, [6.0, 12.0])
    x.cleargrad()
    _, jv = AF.jvp(lambda a: a ** 3, x, v=np.ones(2), create_graph=True)  # 3x^2
    jv.sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 12.0])


def test_strict_and_independent_outputs():
    x, y = ag.Variable(np.ones(2)), ag.Variable(np.ones(3))
    J = AF.jacobian(lambda a, b: a * 2, (x, y))
    assert not J[1].data.any() and J[1].shape == (2, 3)
    with pytest.raises(ag.GraphError, match="does not depend on input 1.*strict=True"):
        AF.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(ag.GraphError, match="strict=True"):
        AF.jvp(lambda a: ag.Variable(np.ones(2), requires_grad=False), x, v=np.ones(2),
               strict=True)
    _, jv = AF.jvp(lambda a: ag.Variable(np.ones(2), requires_grad=False), x, v=np.ones(2))
    assert not jv.data.any()


def test_errors_name_the_function_and_the_shapes():
    x = ag.Variable(np.ones(3))
    with pytest.raises(ag.ShapeError, match=r"vjp: v can be left out only.*\[\(3,\)\]"):
        AF.vjp(lambda a: a * 2, x)
    with pytest.raises(ag.ShapeError, match=r"jvp: v\[0\] has shape \(2,\), but input 0 has "
                                            r"shape \(3,\)"):
        AF.jvp(lambda a: a * 2, x, v=np.ones(2))
    with pytest.raises(ag.ShapeError, match="hessian: the function must return one Variable "
                                            "with one element"):
        AF.hessian(lambda a: a * 2, x)
    with pytest.raises(ag.GraphError, match="only floating-point"):
        AF.jacobian(lambda a: a, np.arange(3))
    with pytest.raises(ag.GraphError, match="must return a Variable"):
        AF.jacobian(lambda a: 3.0, x)


class _Torch:
    def __init__(self, torch):
        self.tanh, self.sin = torch.tanh, torch.sin


@given(x=vectors, y=vectors, create_graph=st.booleans())
def test_against_torch(torch, x, y, create_graph):
    TF = torch.autograd.functional
    ours_in = (ag.Variable(x), ag.Variable(y))
    theirs_in = (torch.tensor(x), torch.tensor(y))
    u = (np.linspace(-1, 1, x.size), np.linspace(0.5, 1.5, y.size))
    tu = tuple(torch.tensor(a) for a in u)
    kw = dict(create_graph=create_graph)

    def same(a, b):
        if isinstance(a, tuple):
            assert isinstance(b, tuple) and len(a) == len(b)
            for p, q in zip(a, b):
                same(p, q)
            return
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-12)
        assert (a.creator is not None) == (b.grad_fn is not None) or not create_graph

    fo, ft = f_pair(ag), f_pair(_Torch(torch))
    so, st_ = f_scalar(ag), f_scalar(_Torch(torch))
    same(AF.jacobian(fo, ours_in, **kw), TF.jacobian(ft, theirs_in, **kw))
    same(AF.vjp(fo, ours_in, v=u, **kw), TF.vjp(ft, theirs_in, v=tu, **kw))
    same(AF.jvp(fo, ours_in, v=u, **kw), TF.jvp(ft, theirs_in, v=tu, **kw))
    same(AF.hessian(so, ours_in, **kw), TF.hessian(st_, theirs_in, **kw))
    same(AF.hvp(so, ours_in, v=u, **kw), TF.hvp(st_, theirs_in, v=tu, **kw))
    same(AF.vhp(so, ours_in, v=u, **kw), TF.vhp(st_, theirs_in, v=tu, **kw))
