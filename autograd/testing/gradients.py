"""Gradient tests in one line: ``gradient_test`` for a function, ``module_gradient_test`` for a
module (its inputs *and* its parameters, first and second order). A failing module check draws
the shrunk failing case with ``gradcheck_report``'s colours (the wrong backward in red) and
says where the picture is.
"""
from __future__ import annotations

import copy
import os
import re
import tempfile
from typing import Any, Callable, Sequence

import numpy as np

from ..numerical import GradcheckError, gradcheck, gradgradcheck
from .strategies import Args, st  # first: it says what to install if Hypothesis is missing

from hypothesis import given  # noqa: E402


def gradient_test(fn: Callable[..., Any], *strategies: st.SearchStrategy[Any],
                  gradgrad: bool = True, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3) -> Callable[..., None]:
    """A Hypothesis test that checks the gradients of ``fn`` on drawn inputs.

    Each strategy draws one argument of ``fn``; one that draws an ``Args`` tuple (such as
    ``broadcastable_arrays``) gives several.
    Assign the result to a name starting with ``test_`` and pytest runs it.

    Args:
        fn: maps the drawn arrays (as Variables) to a Variable or a tuple of them.
        strategies: one per argument, e.g. ``arrays(domain="positive")``.
        gradgrad: also check second derivatives with ``gradgradcheck``.
        eps, atol, rtol: passed to ``gradcheck``.

    >>> import autograd as ag
    >>> from autograd.testing import arrays, gradient_test
    >>> test_tanh = gradient_test(ag.tanh, arrays())   # pytest collects and runs it
    """
    @given(st.tuples(*strategies))
    def test(drawn: tuple) -> None:
        args = [a for d in drawn for a in (d if isinstance(d, Args) else (d,))]
        gradcheck(fn, *args, eps=eps, atol=atol, rtol=rtol)
        if gradgrad:
            gradgradcheck(fn, *args, eps=eps, atol=atol, rtol=rtol)

    test.__name__ = f"test_gradients_of_{getattr(fn, '__name__', 'fn')}"
    test.__qualname__ = test.__name__
    return test


def check_module_gradients(module: Any, *inputs: Any, gradgrad: bool = True,
                           eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                           picture: str | os.PathLike | bool | None = None) -> bool:
    """Check ``module``'s gradients with respect to its float inputs and every parameter, by
    ``gradcheck`` (and ``gradgradcheck``), on a float64 copy of the module.

    The module itself is left as it was. Inputs that are integer arrays (labels, indices) or
    not arrays (a tuple of states, say) are passed as they are, and not differentiated; nested
    outputs (``(output, (h, c))``) are all checked. The module must be deterministic: check a module with
    dropout in ``eval()`` mode.

    Args:
        module: anything with ``named_parameters()``, ``named_modules()`` and a call (an
            ``nn.Module``).
        inputs: the arguments of the call.
        picture: where a failure draws the graph with ``gradcheck_report``'s colours (SVG;
            ``.dot`` text where Graphviz is missing); default a file in the temporary folder;
            False for no picture.

    Returns:
        True.

    Raises:
        GradcheckError: a gradient disagrees with numerical differentiation; the message
            says which input or parameter, and where the picture is.

    >>> import numpy as np, nn
    >>> from autograd.testing import check_module_gradients
    >>> check_module_gradients(nn.Linear(3, 2), np.ones((4, 3)))
    True
    """
    m = copy.deepcopy(module)
    if hasattr(m, "to"):
        m.to(np.float64)
    owners = dict(m.named_modules())
    names = [name for name, _ in m.named_parameters()]
    places = [(owners[name.rpartition(".")[0]], name.rpartition(".")[2]) for name in names]
    values = [p.data for _, p in m.named_parameters()]
    n = len(inputs)

    def call(*args: Any) -> Any:
        originals = [getattr(owner, attr) for owner, attr in places]
        try:  # the drawn values in the parameters' places, for this call only
            for (owner, attr), v in zip(places, args[n:]):
                object.__setattr__(owner, attr, v)
            return _flatten(m(*args[:n]))
        finally:
            for (owner, attr), v in zip(places, originals):
                object.__setattr__(owner, attr, v)

    args = list(inputs) + values
    try:
        gradcheck(call, *args, eps=eps, atol=atol, rtol=rtol)
        if gradgrad:
            gradgradcheck(call, *args, eps=eps, atol=atol, rtol=rtol)
    except GradcheckError as err:
        message = f"{type(module).__name__}: {_name_parameters(str(err), n, names)}"
        if picture is not False:
            message += "\n" + _draw(call, args, m, picture, type(module).__name__, eps, atol,
                                    rtol)
        raise GradcheckError(message) from None
    return True


def module_gradient_test(build: Callable[..., tuple[Any, Sequence[Any]]],
                         *strategies: st.SearchStrategy[Any], gradgrad: bool = True,
                         eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                         picture_dir: str | os.PathLike | None = None) -> Callable[..., None]:
    """A Hypothesis test of a module's input and parameter gradients on drawn cases.

    ``build(*drawn)`` makes the module and its inputs from what the strategies drew (a
    geometry and arrays, say) and returns ``(module, inputs)``. Each case goes through
    ``check_module_gradients``; the failing case Hypothesis shrinks to is drawn into
    ``picture_dir`` (default: the temporary folder) and the error says where.

    >>> import nn
    >>> from hypothesis import strategies as st
    >>> from autograd.testing import arrays, module_gradient_test
    >>> test_linear = module_gradient_test(
    ...     lambda i, x: (nn.Linear(i, 2), (x,)),
    ...     st.shared(st.integers(1, 3), key="i"),
    ...     st.shared(st.integers(1, 3), key="i").flatmap(lambda i: arrays((2, i))))
    >>> test_linear()
    """
    @given(st.tuples(*strategies))
    def test(drawn: tuple) -> None:
        module, inputs = build(*drawn)
        picture: Any = False  # while shrinking: no picture for the cases on the way
        if _is_final():
            folder = picture_dir if picture_dir is not None else tempfile.gettempdir()
            picture = os.path.join(folder, f"{test.__name__}.svg")
        check_module_gradients(module, *inputs, gradgrad=gradgrad, eps=eps, atol=atol,
                               rtol=rtol, picture=picture)

    test.__name__ = f"test_module_gradients_of_{getattr(build, '__name__', 'module')}"
    test.__qualname__ = test.__name__
    return test


def _flatten(out: Any) -> Any:
    """A module's output as one Variable or a flat tuple of them (an LSTM returns
    ``(output, (h, c))``)."""
    if not isinstance(out, (tuple, list)):
        return out
    flat: list = []
    for item in out:
        item = _flatten(item)
        flat.extend(item if isinstance(item, tuple) else (item,))
    return tuple(flat)


def _is_final() -> bool:
    """True in the run Hypothesis makes of the shrunk failing case (and outside Hypothesis)."""
    try:
        from hypothesis.control import current_build_context
        return bool(current_build_context().is_final)
    except Exception:  # no build context (called directly) or another Hypothesis
        return True


def _draw(call: Callable, args: list, module: Any, picture: Any, name: str, eps: float,
          atol: float, rtol: float) -> str:
    """The failing case drawn with gradcheck colours; a line saying where (or why not)."""
    from ..viz import GraphvizNotFoundError, gradcheck_report, render
    path = os.fspath(picture) if picture is not None else os.path.join(
        tempfile.gettempdir(), f"zerograd-{name}-gradcheck.svg")
    report = gradcheck_report(call, *args, eps=eps, atol=atol, rtol=rtol)
    try:
        render(report.outputs, path, report=report, module=module)
    except GraphvizNotFoundError:
        return f"the graph, each op checked (red: wrong), as DOT text: " \
               f"{os.path.splitext(path)[0]}.dot (install Graphviz to draw it)"
    blamed = ", ".join(c.op for c in report.failures) or "no single op (check the module)"
    return f"the graph, each op checked (red: wrong; here {blamed}): {path}"


def _name_parameters(message: str, n_inputs: int, names: list[str]) -> str:
    """gradcheck's 'input k' as the parameter's name where k is one (past the module's own
    inputs; gradgradcheck's cotangents come after the parameters and keep their number)."""
    def name(match: re.Match) -> str:
        k = int(match.group(1)) - n_inputs
        return f"parameter {names[k]!r}" if 0 <= k < len(names) else match.group(0)
    return re.sub(r"input (\d+)", name, message)
