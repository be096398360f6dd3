"""Pictures from DOT text through the ``graphviz`` package, which runs Graphviz's ``dot``
program (an argument list, never a shell string). The package is imported on first use only.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Sequence

from ..core import Variable
from ..errors import ArgumentError, ZerogradError
from .dot import HEADER, to_dot

if TYPE_CHECKING:
    import graphviz

FORMATS = ("svg", "png", "pdf", "dot")
INSTALL_HINT = ("install Graphviz: apt-get install graphviz (Debian, Ubuntu), "
                "brew install graphviz (macOS), conda install graphviz (conda), or see "
                "https://graphviz.org/download/")


class GraphvizError(ZerogradError, RuntimeError):
    """Graphviz could not draw the graph."""


class GraphvizNotFoundError(GraphvizError):
    """The Graphviz ``dot`` program is not installed (the DOT text was saved instead)."""


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as err:  # pragma: no cover - a dependency in setup.cfg
        raise GraphvizError("the graphviz Python package is missing: pip install graphviz, "
                            "then " + INSTALL_HINT) from err
    return graphviz


def to_digraph(*outputs: Variable, **options: Any) -> graphviz.Digraph:
    """The same graph as `to_dot`, as a ``graphviz.Digraph``: Jupyter draws it inline.

    Takes the options of `to_dot`; rendering needs the ``dot`` program.

    >>> import autograd as ag
    >>> x = ag.Variable(1.0, name="x")
    >>> g = to_digraph(ag.tanh(x))
    >>> g.source == ag.to_dot(ag.tanh(x)), hasattr(g, "_repr_mimebundle_")
    (True, True)
    """
    source = to_dot(*outputs, **options)
    return _graphviz().Digraph("zerograd", body=[source[len(HEADER):-len("}\n")]])


def render(outputs: Variable | Sequence[Variable], path: str | os.PathLike,
           format: str | None = None, **options: Any) -> str:
    """Draw the graph of ``outputs`` into the file ``path`` and return the path.

    Only ``path`` is written (the picture comes back from ``dot`` through a pipe), except
    when ``dot`` is missing: then the DOT text goes to ``path`` with the suffix ``.dot`` and
    `GraphvizNotFoundError` says how to install Graphviz.

    Args:
        outputs: a Variable or a sequence of them.
        path: the file to write.
        format: "svg", "png", "pdf" or "dot" (the text itself, no Graphviz needed); defaults
            to the suffix of ``path`` when it is one of those, else "svg".
        options: as for `to_dot` (``collapse``, ``show_values``, ``module``, ...).

    Returns:
        ``path``, as a string.

    Raises:
        GraphvizNotFoundError: ``dot`` is not on PATH; the DOT file was written.
        GraphvizError: ``dot`` failed.

    >>> import os, tempfile, autograd as ag
    >>> x = ag.Variable(1.0, name="x")
    >>> path = os.path.join(tempfile.mkdtemp(), "tanh.dot")
    >>> render(ag.tanh(x), path) == path, open(path).read().startswith("digraph")
    (True, True)
    """
    path = os.fspath(path)
    if format is None:
        suffix = os.path.splitext(path)[1].lstrip(".").lower()
        format = suffix if suffix in FORMATS else "svg"
    if format not in FORMATS:
        raise ArgumentError(f"render: unsupported format {format!r} (expected one of {FORMATS})")
    ys = [outputs] if isinstance(outputs, Variable) else list(outputs)
    source = to_dot(*ys, **options)
    if format == "dot":
        _write(path, source.encode("utf-8"))
        return path
    graphviz = _graphviz()
    try:
        picture = graphviz.Source(source).pipe(format=format)
    except graphviz.ExecutableNotFound as err:
        dot_path = os.path.splitext(path)[0] + ".dot"
        _write(dot_path, source.encode("utf-8"))
        raise GraphvizNotFoundError(
            f"render: the Graphviz 'dot' program was not found on PATH, so {path} was not "
            f"drawn; the DOT text was written to {dot_path} instead. To draw pictures, "
            f"{INSTALL_HINT}") from err
    except graphviz.CalledProcessError as err:
        raise GraphvizError(f"render: dot failed to draw {path}: "
                            f"{(err.stderr or b'').decode(errors='replace').strip()}") from err
    _write(path, picture)
    return path


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
