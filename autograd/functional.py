"""Derivatives of a whole function: ``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``vhp`` and
``hvp``, with ``torch.autograd.functional``'s signatures and results.

Each takes ``func`` (Variables in, a Variable or a tuple of Variables out) and ``inputs`` (a
Variable or array, or a tuple of them). The inputs are copied into fresh leaves, so nothing
of the caller's ``.grad`` changes. The results come back with the structure of the inputs and
outputs: a lone Variable where one was given, a tuple where a tuple was.

- ``create_graph=True`` keeps the results in the graph (differentiable again, also with
  respect to the caller's own inputs); otherwise they are constants.
- ``strict=True`` raises where an output does not depend on an input; otherwise that part of
  the result is zeros.

Everything is built on reverse mode (``autograd.grad``). ``jvp`` uses the double-vjp trick:
``u -> J^T u`` is linear in ``u``, so the vjp of that map with ``v`` is ``J v``.
"""
from __future__ import annotations

from typing import Any, Callable

from .conversion import as_variable
from .core import Variable
from .devices import get_array_module as _xp
from .engine import grad
from .errors import GraphError, ShapeError
from .mode import enable_grad
from .shape import stack

Func = Callable[..., Any]


def _as_tuple(x: Any, what: str, fn: str) -> tuple[bool, tuple[Variable, ...]]:
    """(was it a tuple, its Variables)."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    out = []
    for i, item in enumerate(items):
        v = as_variable(item)
        if v.dtype.kind != "f":
            raise GraphError(f"{fn}: {what} {i} has dtype {v.dtype}; only floating-point "
                             "Variables have derivatives")
        out.append(v)
    return is_tuple, tuple(out)


def _leaves(inputs: tuple[Variable, ...], create_graph: bool) -> tuple[Variable, ...]:
    """Fresh Variables to differentiate with respect to. Under ``create_graph`` an input that
    requires grad stays connected (an identity op on it), so the results depend on it."""
    return tuple(x + 0.0 if create_graph and x.requires_grad
                 else Variable(x.data, requires_grad=True) for x in inputs)


def _outputs(func: Func, leaves: tuple[Variable, ...], fn: str) -> tuple[bool, tuple]:
    out = func(*leaves)
    is_tuple = isinstance(out, (tuple, list))
    outs = tuple(out) if is_tuple else (out,)
    for i, o in enumerate(outs):
        if not isinstance(o, Variable):
            raise GraphError(f"{fn}: the function must return a Variable or a tuple of "
                             f"Variables; output {i} is a {type(o).__name__}")
    return is_tuple, outs


def _vectors(v: Any, like: tuple[Variable, ...], what: str, fn: str) -> tuple[Variable, ...]:
    """``v`` matched to ``like`` (the outputs for a vjp, the inputs for a jvp); None only where
    each of ``like`` has one element."""
    if v is None:
        if any(x.size != 1 for x in like):
            shapes = [x.shape for x in like]
            raise ShapeError(f"{fn}: v can be left out only when the {what} have one element "
                             f"each (got shapes {shapes}); pass v")
        return tuple(Variable(_xp(x).ones(x.shape, x.dtype), requires_grad=False) for x in like)
    items = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(items) != len(like):
        raise ShapeError(f"{fn}: v has {len(items)} entries for {len(like)} {what}")
    vs = []
    for i, (a, x) in enumerate(zip(items, like)):
        a = as_variable(a)
        if a.shape != x.shape:
            raise ShapeError(f"{fn}: v[{i}] has shape {a.shape}, but {what[:-1]} {i} has shape "
                             f"{x.shape}")
        vs.append(a if a.dtype == x.dtype else a.astype(x.dtype))
    return tuple(vs)


def _grads(outs: tuple, leaves: tuple, cotangents: tuple, create_graph: bool, strict: bool,
           fn: str, missing: str = "the output does not depend on input {j}"
           ) -> tuple[Variable, ...]:
    """d(sum_i cotangent_i . out_i)/d leaf_j for each j: zeros where no output depends on a
    leaf, or with ``strict`` the error ``missing`` says."""
    live = [(o, c) for o, c in zip(outs, cotangents) if o.requires_grad]
    found: tuple = (None,) * len(leaves)
    if live:
        found = grad([o for o, _ in live], list(leaves), [c for _, c in live],
                     retain_graph=True, create_graph=create_graph, allow_unused=True)
    result = []
    for j, (g, x) in enumerate(zip(found, leaves)):
        if g is None:
            if strict:
                raise GraphError(f"{fn}: {missing.format(j=j)}, which strict=True does not "
                                 "allow")
            g = Variable(_xp(x).zeros(x.shape, x.dtype), requires_grad=False)
        result.append(g)
    return tuple(result)


def _finish(values: tuple, create_graph: bool) -> tuple:
    return values if create_graph else tuple(v.detach() for v in values)


def _shaped(is_tuple: bool, values: tuple) -> Any:
    return values if is_tuple else values[0]


def vjp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Args:
        func: Variables -> a Variable or a tuple of Variables.
        inputs: a Variable (or array) or a tuple of them.
        v: one cotangent per output, each of its output's shape; may be left out when the
            output has one element.

    Returns:
        ``(func(*inputs), vjp)``; ``vjp`` has the inputs' structure and shapes.

    >>> import autograd as ag
    >>> from autograd.functional import vjp
    >>> vjp(lambda x: (x ** 2).sum(), ag.Variable([1.0, 2.0]))
    (variable(5.), variable([2., 4.]))
    """
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "input", "vjp")
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _outputs(func, leaves, "vjp")
        vs = _vectors(v, outs, "outputs", "vjp")
        g = _grads(outs, leaves, vs, create_graph, strict, "vjp")
    return _shaped(out_tuple, _finish(outs, create_graph)), _shaped(in_tuple,
                                                                    _finish(g, create_graph))


def jvp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs`` (a directional
    derivative), by the double-vjp trick.

    Args:
        v: one tangent per input, each of its input's shape; may be left out when the input
            has one element.

    Returns:
        ``(func(*inputs), jvp)``; ``jvp`` has the outputs' structure and shapes.

    >>> import autograd as ag
    >>> from autograd.functional import jvp
    >>> jvp(lambda x: x ** 2, ag.Variable([1.0, 2.0]), v=ag.Variable([1.0, 0.0]))
    (variable([1., 4.]), variable([2., 0.]))
    """
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "input", "jvp")
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _outputs(func, leaves, "jvp")
        vs = _vectors(v, leaves, "inputs", "jvp")
        # u -> J^T u, recorded, with u free: its derivative along v is J v
        us = tuple(Variable(_xp(o).zeros(o.shape, o.dtype), requires_grad=True) for o in outs)
        gs = _grads(outs, leaves, us, True, strict, "jvp")
        out = _grads(gs, us, vs, create_graph, strict, "jvp",
                     missing="output {j} does not depend on the inputs")
    return (_shaped(out_tuple, _finish(outs, create_graph)),
            _shaped(out_tuple, _finish(out, create_graph)))


def jacobian(func: Func, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: one reverse pass per output element.

    Returns:
        For one input and one output, a Variable of shape ``out.shape + in.shape``. For a
        tuple of inputs or outputs, tuples: ``J[i][j]`` is output i against input j (one
        level of tuple where only one side is a tuple).

    ``vectorize`` is accepted for torch's signature and does nothing (each row is one
    backward); only ``strategy="reverse-mode"`` is offered.

    >>> import autograd as ag
    >>> from autograd.functional import jacobian
    >>> jacobian(lambda x: x ** 2, ag.Variable([1.0, 2.0]))
    variable([[2., 0.],
              [0., 4.]])
    """
    if strategy != "reverse-mode":
        raise GraphError(f"jacobian: strategy {strategy!r} is not offered; only "
                         "'reverse-mode'")
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "input", "jacobian")
        leaves = _leaves(xs, create_graph)
        out_tuple, outs = _outputs(func, leaves, "jacobian")
        table = []
        for i, o in enumerate(outs):
            rows: list[list[Variable]] = [[] for _ in leaves]
            for k in range(o.size):
                onehot = _xp(o).zeros(o.size, o.dtype)
                onehot[k] = 1
                cot = Variable(onehot.reshape(o.shape), requires_grad=False)
                gs = _grads((o,), leaves, (cot,), create_graph, strict, "jacobian")
                for j, g in enumerate(gs):
                    rows[j].append(g)
            block = tuple(stack(r).reshape(o.shape + leaves[j].shape) if r else
                          Variable(_xp(o).zeros(o.shape + leaves[j].shape, o.dtype),
                                   requires_grad=False)
                          for j, r in enumerate(rows))
            table.append(_finish(block, create_graph))
    if out_tuple and in_tuple:
        return tuple(table)
    if out_tuple:
        return tuple(row[0] for row in table)
    return table[0] if in_tuple else table[0][0]


def hessian(func: Func, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of ``func`` (one-element output) at ``inputs``: the Jacobian of its
    gradient.

    Returns:
        For one input, a Variable of shape ``in.shape + in.shape``; for a tuple of inputs,
        ``H[i][j]``, the block of inputs i and j.

    >>> import autograd as ag
    >>> from autograd.functional import hessian
    >>> hessian(lambda x: (x ** 3).sum(), ag.Variable([1.0, 2.0]))
    variable([[ 6.,  0.],
              [ 0., 12.]])
    """
    in_tuple, xs = _as_tuple(inputs, "input", "hessian")

    def gradient(*leaves: Variable) -> tuple[Variable, ...]:
        _, outs = _outputs(func, leaves, "hessian")
        if len(outs) != 1 or outs[0].size != 1:
            raise ShapeError(f"hessian: the function must return one Variable with one "
                             f"element, got shapes {[o.shape for o in outs]}")
        ones = (Variable(_xp(outs[0]).ones(outs[0].shape, outs[0].dtype),
                         requires_grad=False),)
        return _grads(outs, leaves, ones, True, strict, "hessian")

    result = jacobian(gradient, xs, create_graph=create_graph, strict=strict,
                      strategy=outer_jacobian_strategy)
    return result if in_tuple else result[0][0]


def vhp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``v^T H``, with H the Hessian of ``func`` (one-element output) at ``inputs``.

    Returns:
        ``(func(*inputs), vhp)``; ``vhp`` has the inputs' structure and shapes.
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Func, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``H v``, with H the Hessian of ``func`` (one-element output) at ``inputs``; the same
    as ``vhp`` for a twice continuously differentiable ``func`` (H is then symmetric).

    Returns:
        ``(func(*inputs), hvp)``; ``hvp`` has the inputs' structure and shapes.

    >>> import autograd as ag
    >>> from autograd.functional import hvp
    >>> hvp(lambda x: (x ** 3).sum(), ag.Variable([1.0, 2.0]), v=ag.Variable([1.0, 1.0]))
    (variable(9.), variable([ 6., 12.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func: Func, inputs: Any, v: Any, create_graph: bool, strict: bool,
                     fn: str) -> tuple[Any, Any]:
    """vhp: the vjp of the gradient with v. hvp: the jvp of the gradient along v, by the
    double-vjp trick (one more reverse pass), so it stays right for a non-symmetric H."""
    with enable_grad():
        in_tuple, xs = _as_tuple(inputs, "input", fn)
        leaves = _leaves(xs, create_graph)
        _, outs = _outputs(func, leaves, fn)
        if len(outs) != 1 or outs[0].size != 1:
            raise ShapeError(f"{fn}: the function must return one Variable with one element, "
                             f"got shapes {[o.shape for o in outs]}")
        vs = _vectors(v, leaves, "inputs", fn)
        ones = (Variable(_xp(outs[0]).ones(outs[0].shape, outs[0].dtype),
                         requires_grad=False),)
        gs = _grads(outs, leaves, ones, True, strict, fn)
        if fn == "vhp":
            result = _grads(gs, leaves, vs, create_graph, strict, fn)
        else:
            us = tuple(Variable(_xp(x).zeros(x.shape, x.dtype), requires_grad=True)
                       for x in leaves)
            back = _grads(gs, leaves, us, True, strict, fn)  # u -> H^T u, linear in u
            result = _grads(back, us, vs, create_graph, strict, fn)
    return _finish(outs, create_graph)[0], _shaped(in_tuple, _finish(result, create_graph))
