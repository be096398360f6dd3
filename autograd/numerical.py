"""Numerical differentiation and the gradient checks built on it.

Everything here runs in float64: central differences with step ``eps`` have error O(eps**2)
from truncation and O(ulp / eps) from rounding, which at eps=1e-6 leaves about 1e-10 of noise
on well-scaled functions, far below the default tolerance ``atol=1e-5, rtol=1e-3``.
Non-scalar outputs are reduced to a scalar with a fixed random cotangent, so every element of
every output is checked at once.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .core import Variable, as_variable
from .engine import grad
from .errors import ZerogradError
from .mode import enable_grad, no_grad


class GradcheckError(ZerogradError, AssertionError):
    """Analytic and numerical gradients disagree; the message names the input and element.

    An ``AssertionError`` too, so a failed check reads as a failed test."""


def _prepare(inputs: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """float64 copies of the inputs; Variables requiring grad and float arrays are checked."""
    args: list[Any] = []
    checked: list[int] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Variable) and x.requires_grad:
            args.append(Variable(np.array(x.data, dtype=np.float64), name=x.name))
            checked.append(i)
        elif isinstance(x, np.ndarray) and x.dtype.kind == "f":
            args.append(Variable(np.array(x, dtype=np.float64)))
            checked.append(i)
        else:
            args.append(x)
    return args, checked


def _outputs(f: Callable[..., Any], args: Sequence[Any]) -> list[Variable]:
    ys = f(*args)
    return [as_variable(y) for y in (ys if isinstance(ys, (tuple, list)) else (ys,))]


def _cotangents(ys: Sequence[Variable], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(y.shape) for y in ys]


def _scalar(ys: Sequence[Variable], vs: Sequence[Any]) -> Variable:
    total: Any = 0.0
    for y, v in zip(ys, vs):
        total = total + (y.astype(np.float64) * v).sum()
    return as_variable(total)


def numerical_grad(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6,
                   grad_outputs: Sequence[Any] | None = None) -> list[np.ndarray]:
    """Central-difference gradients of ``f`` in float64, one array per checked input.

    Args:
        f: maps the inputs to a Variable (or a tuple of them).
        inputs: Variables that require grad and float arrays are differentiated (as float64
            copies); anything else is passed to ``f`` unchanged.
        eps: the step.
        grad_outputs: a cotangent per output; defaults to ones, i.e. d sum(f) / d input.

    >>> import numpy as np, autograd as ag
    >>> ag.numerical_grad(lambda x: (x ** 3).sum(), np.array([1.0, 2.0]))[0].round(6)
    array([ 3., 12.])
    """
    args, checked = _prepare(inputs)
    with no_grad():
        ys = _outputs(f, args)
    vs = list(grad_outputs) if grad_outputs is not None else [np.ones(y.shape) for y in ys]
    return _numeric(f, args, checked, vs, eps)


def _numeric(f: Callable[..., Any], args: list[Any], checked: list[int],
             vs: Sequence[Any], eps: float) -> list[np.ndarray]:
    def value() -> float:
        return float(_scalar(_outputs(f, args), vs).data)

    grads = []
    for i in checked:
        x = args[i]
        base = x.data
        g = np.zeros(base.shape)
        for j in np.ndindex(*base.shape):
            hi, lo = base.copy(), base.copy()
            hi[j] += eps
            lo[j] -= eps
            x.data = hi
            f_hi = value()
            x.data = lo
            f_lo = value()
            g[j] = (f_hi - f_lo) / (2 * eps)
        x.data = base
        grads.append(g)
    return grads


def _analytic(f: Callable[..., Any], args: list[Any], checked: list[int],
              vs: Sequence[Any], create_graph: bool) -> list[np.ndarray]:
    out = _scalar(_outputs(f, args), vs)
    if not out.requires_grad:
        return [np.zeros(args[i].shape) for i in checked]
    gs = grad(out, [args[i] for i in checked], allow_unused=True, create_graph=create_graph)
    result = []
    for i, g in zip(checked, gs):
        x = args[i]
        if g is None:
            result.append(np.zeros(x.shape))
            continue
        if g.shape != x.shape or g.dtype != x.dtype:
            raise GradcheckError(f"gradcheck: the gradient of input {i} has shape {g.shape} "
                                 f"and dtype {g.dtype}, expected {x.shape} and {x.dtype}")
        result.append(g.data)
    return result


def _compare(analytic: list[np.ndarray], numeric: list[np.ndarray], checked: list[int],
             args: list[Any], atol: float, rtol: float, what: str) -> None:
    for i, a, n in zip(checked, analytic, numeric):
        if a.size == 0:
            continue
        excess = np.abs(a - n) - (atol + rtol * np.abs(n))
        excess = np.where(np.isnan(excess), np.inf, excess)  # NaN on either side is a failure
        if (excess > 0).any():
            j = np.unravel_index(int(np.argmax(excess)), a.shape)
            name = f" ({args[i].name!r})" if getattr(args[i], "name", None) else ""
            raise GradcheckError(
                f"{what}: the gradient of input {i}{name} disagrees with numerical "
                f"differentiation at index {tuple(int(k) for k in j)}: analytic {float(a[j])!r} "
                f"vs numeric {float(n[j])!r} (tolerance atol={atol} + rtol={rtol} * |numeric|; "
                f"{int((excess > 0).sum())} of {a.size} elements differ)")


def gradcheck(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, seed: int = 0) -> bool:
    """Check the backward of ``f`` against central differences, in float64: both a plain
    backward (the ops' array kernels) and a ``create_graph=True`` one (their Variable
    ``backward``).

    Args:
        f: maps the inputs to a Variable (or a tuple of them); must be deterministic.
        inputs: Variables that require grad and float arrays are checked (as float64 copies);
            anything else is passed to ``f`` unchanged.
        eps: the finite-difference step.
        atol, rtol: an element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
        seed: seeds the random cotangent that reduces non-scalar outputs.

    Returns:
        True when every element agrees.

    Raises:
        GradcheckError: naming the input, the worst element's index and both values.

    >>> import numpy as np, autograd as ag
    >>> ag.gradcheck(lambda x: ag.tanh(x) * x, np.linspace(-1, 1, 5))
    True
    """
    return _check(f, inputs, eps, atol, rtol, seed, "gradcheck")


def _check(f: Callable[..., Any], inputs: Sequence[Any], eps: float, atol: float, rtol: float,
           seed: int, what: str) -> bool:
    args, checked = _prepare(inputs)
    with no_grad():
        vs = _cotangents(_outputs(f, args), seed)
    with no_grad():
        numeric = _numeric(f, args, checked, vs, eps)
    # A plain backward runs each op's array kernel (fast_backward) where it has one; with
    # create_graph=True, its Variable backward: both must agree with the numbers.
    _compare(_analytic(f, args, checked, vs, False), numeric, checked, args, atol, rtol, what)
    _compare(_analytic(f, args, checked, vs, True), numeric, checked, args, atol, rtol,
             f"{what} (create_graph=True, the Variable backward)")
    return True


def gradgradcheck(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, seed: int = 0) -> bool:
    """Check second derivatives: ``gradcheck`` applied to the backward of ``f``.

    The backward (run with ``create_graph=True``) is differentiated with respect to the
    inputs and to the cotangent it was given, so both halves of a double backward are checked.
    In a failure, inputs past the last of ``f``'s are those cotangents, one per output.

    >>> import numpy as np, autograd as ag
    >>> ag.gradgradcheck(lambda x: ag.sin(x) * x, np.linspace(-1, 1, 4))
    True
    """
    args, checked = _prepare(inputs)
    with no_grad():
        vs = _cotangents(_outputs(f, args), seed)
    n = len(args)

    def backward_of_f(*xs_and_vs: Any) -> tuple[Variable, ...]:
        xs, v = list(xs_and_vs[:n]), xs_and_vs[n:]
        with enable_grad():
            out = _scalar(_outputs(f, xs), v)
            if not out.requires_grad:
                return ()
            gs = grad(out, [xs[i] for i in checked], create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    # Inputs past the last of f's are the cotangents: "input i" in a failure counts them too.
    return _check(backward_of_f, [*args, *vs], eps, atol, rtol, seed + 1, "gradgradcheck")
