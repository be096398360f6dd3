"""The graph behind some Variables, collected without recursion: every Function that led to
them, every Variable those Functions read or wrote, and who consumes what."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from ..core import Function, Variable
from ..errors import OpTypeError


@dataclass(eq=False)
class Value:
    """A value the graph recorded but does not hold: an intermediate whose Variable is gone,
    or a constant input (the graph keeps only the edges to them). Shape and dtype only."""

    shape: tuple[int, ...]
    dtype: Any
    creator: Function | None = None
    requires_grad: bool = False
    generation: int = 0
    name: str | None = None
    grad: Any = None
    data: Any = None


@dataclass
class Graph:
    """Functions and Variables in a fixed order (Functions by generation, then as found).

    Attributes:
        outputs: the Variables the graph was collected from.
        functions: every Function reachable from them through their input edges.
        variables: the inputs and outputs of those Functions (a `Value` where the Variable is
            not held), and the outputs themselves.
        consumers: ``id(variable)`` -> the Functions reading it (once per input slot).
        inputs, results: ``id(function)`` -> the Variables (or Values) it read and made.
    """

    outputs: list[Variable]
    functions: list[Function] = field(default_factory=list)
    variables: list[Any] = field(default_factory=list)
    consumers: dict[int, list[Function]] = field(default_factory=dict)
    inputs: dict[int, list[Any]] = field(default_factory=dict)
    results: dict[int, list[Any]] = field(default_factory=dict)


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
        for node, _, _, _ in f.edges or ():
            if isinstance(node, Function) and id(node) not in found:
                stack.append(node)
    order = sorted(enumerate(found.values()), key=lambda p: (p[1].generation, p[0]))
    graph.functions = [f for _, f in order]
    made: dict[tuple[int, int], Any] = {}  # (id(f), k) -> output k of f, as drawn

    def value(f: Function, k: int, shape: tuple[int, ...] | None, dtype: Any) -> Any:
        """Output k of f: its Variable if alive, else one Value per output (the shape and
        dtype come from an edge that reads it, or from the output's own record)."""
        key = (id(f), k)
        if key not in made:
            y = f.outputs[k]()
            if y is None and shape is None:
                shape, dtype = f.output_meta[k] if f.output_meta else ((), None)
            made[key] = y if y is not None else Value(shape, dtype, f, True, f.generation + 1)
        return made[key]

    for f in graph.functions:  # consumers first, so gone outputs get their edge's shape
        for node, index, shape, dtype in f.edges or ():
            if isinstance(node, Function):
                value(node, index, shape, dtype)
    seen: set[int] = set()
    variables = graph.variables
    for f in graph.functions:
        read = graph.inputs[id(f)] = []
        for node, index, shape, dtype in f.edges or ():
            if isinstance(node, Function):
                x = value(node, index, shape, dtype)
            else:  # a leaf, or a constant: index is then its name
                x = node if node is not None else Value(shape, dtype, name=index)
            read.append(x)
            graph.consumers.setdefault(id(x), []).append(f)
            if id(x) not in seen:
                seen.add(id(x))
                variables.append(x)
        results = graph.results[id(f)] = [value(f, k, None, None)
                                          for k in range(len(f.outputs or ()))]
        for y in results:
            if id(y) not in seen:
                seen.add(id(y))
                variables.append(y)
    for y in outputs:
        if id(y) not in seen:
            seen.add(id(y))
            variables.append(y)
    return graph
