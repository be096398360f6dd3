"""The graph behind some Variables, collected without recursion: every Function that led to
them, every Variable those Functions read or wrote, and who consumes what."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..core import Function, Variable
from ..errors import OpTypeError


@dataclass
class Graph:
    """Functions and Variables in a fixed order (Functions by generation, then as found).

    Attributes:
        outputs: the Variables the graph was collected from.
        functions: every Function reachable from them through ``creator`` and ``inputs``.
        variables: the inputs and live outputs of those Functions, and the outputs themselves.
        consumers: ``id(variable)`` -> the Functions reading it (once per input slot).
    """

    outputs: list[Variable]
    functions: list[Function] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    consumers: dict[int, list[Function]] = field(default_factory=dict)


def collect(outputs: Sequence[Variable], op: str = "to_dot") -> Graph:
    """Walk back from ``outputs`` (an explicit stack, so a 10,000-op chain is fine).

    >>> import autograd as ag
    >>> x = ag.Variable(2.0, name="x")
    >>> g = collect([ag.sin(x) * x])
    >>> [type(f).__name__ for f in g.functions], len(g.variables)
    (['Sin', 'Mul'], 3)
    """
    for i, y in enumerate(outputs):
        if not isinstance(y, Variable):
            raise OpTypeError(f"{op}: output {i} must be a Variable, got {type(y).__name__}")
    graph = Graph(list(outputs))
    found: dict[int, Function] = {}
    stack = [y.creator for y in outputs if y.creator is not None]
    while stack:
        f = stack.pop()
        if id(f) in found:
            continue
        found[id(f)] = f
        for x in f.inputs or ():
            if x.creator is not None and id(x.creator) not in found:
                stack.append(x.creator)
    order = sorted(enumerate(found.values()), key=lambda p: (p[1].generation, p[0]))
    graph.functions = [f for _, f in order]
    seen: set[int] = set()
    variables = graph.variables
    consumers = graph.consumers
    for f in graph.functions:
        for x in f.inputs or ():
            consumers.setdefault(id(x), []).append(f)
            if id(x) not in seen:
                seen.add(id(x))
                variables.append(x)
        for ref in f.outputs or ():
            made = ref()
            if made is not None and id(made) not in seen:
                seen.add(id(made))
                variables.append(made)
    for y in outputs:
        if id(y) not in seen:
            seen.add(id(y))
            variables.append(y)
    return graph
