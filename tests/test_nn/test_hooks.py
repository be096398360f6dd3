"""Module hooks (forward pre-hooks, forward hooks, full backward hooks and pre-hooks): their
order, what they receive, what their return values replace, and the same against torch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

RNG = np.random.default_rng(0)


def test_forward_hooks_order_and_replacements():
    lin = nn.Linear(2, 3)
    calls = []
    lin.register_forward_pre_hook(lambda m, args: calls.append("pre"))
    lin.register_forward_pre_hook(lambda m, args: calls.append("first"), prepend=True)
    lin.register_forward_pre_hook(lambda m, args: args[0] * 0)  # one value: becomes (value,)
    lin.register_forward_hook(lambda m, args, out: calls.append(("fwd", float(args[0].sum()))))
    lin.register_forward_hook(lambda m, args, out: out * 0 + 7)
    y = lin(np.ones((4, 2), np.float32))
    assert calls == ["first", "pre", ("fwd", 0.0)]
    np.testing.assert_array_equal(y.data, np.full((4, 3), 7))


def test_forward_hooks_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, *, factor=1.0):
            return ag.as_variable(x) * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}),
                                with_kwargs=True)
    seen = []
    m.register_forward_hook(lambda mod, args, kwargs, out: seen.append(kwargs), with_kwargs=True)
    assert float(m(2.0).data) == 6.0
    assert seen == [{"factor": 3.0}]
    with pytest.raises(ag.OpTypeError, match="with_kwargs=True"):
        m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
        m(2.0)


def test_handles_remove_their_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    handles = [lin.register_forward_pre_hook(lambda m, a: calls.append(1)),
               lin.register_forward_hook(lambda m, a, o: calls.append(2)),
               lin.register_full_backward_hook(lambda m, gi, go: calls.append(3)),
               lin.register_full_backward_pre_hook(lambda m, go: calls.append(4))]
    lin(ag.Variable(np.ones((1, 2), np.float32))).sum().backward()
    assert calls == [1, 2, 4, 3]
    for h in handles:
        h.remove()
    calls.clear()
    lin(ag.Variable(np.ones((1, 2), np.float32))).sum().backward()
    assert calls == []
    assert not lin._forward_pre_hooks and not lin._backward_hooks


def test_full_backward_hook_sees_none_for_inputs_without_gradient():
    lin = nn.Linear(2, 1)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    lin(np.ones((3, 2), np.float32)).sum().backward()  # an array: no input gradient
    (gi, go), = seen
    assert gi == (None,) and go[0].shape == (3, 1)
    assert lin.weight.grad is not None  # parameters still get theirs


def test_backward_hook_errors_are_clear():
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(ag.GraphError, match="returned 2 values for grad_input, expected 1"):
        lin(ag.Variable(np.ones((1, 2), np.float32))).sum().backward()
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0].sum(),))
    with pytest.raises(ag.GraphError, match=r"grad_input\[0\] of shape \(\), expected \(1, 2\)"):
        lin(ag.Variable(np.ones((1, 2), np.float32))).sum().backward()
    with pytest.raises(ag.OpTypeError, match="must be callable"):
        lin.register_forward_hook(None)


def test_backward_hooks_run_under_create_graph():
    lin = nn.Linear(2, 1)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(gi[0].creator is not None))
    x = ag.Variable(np.ones((1, 2)))
    lin.to(np.float64)
    (gx,) = ag.grad((lin(x) ** 2).sum(), x, create_graph=True)
    assert seen == [True] and gx.creator is not None


def _build_pair(torch):
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).to(np.float64)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2)).double()
    with torch.no_grad():
        for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            q.copy_(torch.tensor(p.data))
    return ours, theirs


def _record(model, log, scale):
    def backward(name):
        def hook(m, gi, go):
            log.append((name, "bwd", [None if g is None else _np(g) for g in gi],
                        [None if g is None else _np(g) for g in go]))
            if name == "2":  # replace grad_input of the last layer
                return tuple(None if g is None else g * scale for g in gi)
        return hook

    def pre(name):
        def hook(m, go):
            log.append((name, "pre", [_np(g) for g in go]))
            if name == "0":
                return tuple(g * 0.5 for g in go)
        return hook

    for name, m in model.named_children():
        m.register_full_backward_hook(backward(name))
        m.register_full_backward_pre_hook(pre(name))
        m.register_forward_hook(lambda mod, args, out, name=name: log.append((name, "fwd")))


def _np(g):
    return g.detach().numpy().copy() if hasattr(g, "detach") else g.data.copy()


# torch's warnings: a full backward hook firing early (no input needs a gradient), and
# backward(create_graph=True) on parameters
@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("input_grad", [True, False])
def test_module_hooks_match_torch(torch, input_grad, create_graph):
    ours, theirs = _build_pair(torch)
    x = RNG.standard_normal((5, 3))
    logs = [], []
    _record(ours, logs[0], 3.0)
    _record(theirs, logs[1], 3.0)
    xo = ag.Variable(x, requires_grad=input_grad)
    xt = torch.tensor(x, requires_grad=input_grad)
    (ours(xo) ** 2).sum().backward(create_graph=create_graph)  # hooks run under both
    (theirs(xt) ** 2).sum().backward(create_graph=create_graph)
    assert [e[:2] for e in logs[0]] == [e[:2] for e in logs[1]]  # same calls, same order
    for a, b in zip(*logs):
        for ga, gb in zip(a[2:], b[2:]):
            for u, v in zip(ga, gb):
                assert (u is None) == (v is None)
                if u is not None:
                    np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-12)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, _np(q.grad), rtol=1e-12, atol=1e-12)
    if input_grad:
        np.testing.assert_allclose(xo.grad.data, _np(xt.grad), rtol=1e-12, atol=1e-12)


def test_several_inputs_and_outputs_match_torch(torch):
    class Ours(nn.Module):
        def forward(self, a, b, scale):
            return (a * b * scale).tanh(), a * 2

    class Theirs(torch.nn.Module):
        def forward(self, a, b, scale):
            return (a * b * scale).tanh(), a * 2

    seen = [], []
    a, b = RNG.standard_normal(3), RNG.standard_normal(3)
    ours, theirs = Ours(), Theirs()
    for m, log in zip((ours, theirs), seen):
        m.register_full_backward_hook(
            lambda mod, gi, go, log=log: log.append(([None if g is None else _np(g) for g in gi],
                                                     [None if g is None else _np(g)
                                                      for g in go])))
    va, vb = ag.Variable(a), ag.Variable(b, requires_grad=False)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b)
    ours(va, vb, 2.0)[0].sum().backward()
    theirs(ta, tb, 2.0)[0].sum().backward()
    (gi, go), (tgi, tgo) = seen[0][0], seen[1][0]
    np.testing.assert_allclose(gi[0], tgi[0], rtol=1e-12)
    np.testing.assert_allclose(go[0], tgo[0], rtol=1e-12)
    # The two documented differences: for b, which needs no gradient while a does, torch
    # gives zeros and zerograd None (as for the number); for the unused output, torch None
    # and zerograd zeros (the engine hands every output of an op a gradient).
    assert gi[1] is None and gi[2] is None and tgi[2] is None and not tgi[1].any()
    assert tgo[1] is None and not go[1].any()
