"""What a picture shows and where: display names, module clusters, and the boxes that
``collapse`` folds a module into.

A Function's ``scope`` is the path of modules it ran in, the outermost first, e.g.
``("SimpleConvNet", "conv")``. Clusters follow scopes; a parameter is named by the scope of its
consumers without the outermost module, plus its own name (``conv.weight``), as in
``named_parameters()``.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..core import Function, Variable
from ..errors import OpTypeError, ShapeError
from .graph import Graph

Scope = tuple[str, ...]


def common_prefix(scopes: list[Scope]) -> Scope:
    """The longest scope that starts every one of ``scopes`` (``()`` for none).

    >>> common_prefix([("M", "a", "x"), ("M", "a"), ("M", "b")])
    ('M',)
    """
    if not scopes:
        return ()
    first = scopes[0]
    n = len(first)
    for s in scopes[1:]:
        n = min(n, len(s))
        for i in range(n):
            if s[i] != first[i]:
                n = i
                break
    return first[:n]


def explicit_names(names: Mapping[Any, Any] | None) -> dict[int, str]:
    """``names`` as ``{id(variable): name}``; it may map Variables (or ids) to names, or names
    to Variables, as ``dict(model.named_parameters())`` does."""
    result: dict[int, str] = {}
    for key, value in (names or {}).items():
        if isinstance(key, str) and isinstance(value, Variable):
            result[id(value)] = key
        elif isinstance(key, Variable):
            result[id(key)] = str(value)
        elif isinstance(key, int):
            result[key] = str(value)
        else:
            raise OpTypeError(f"to_dot: names must map Variables (or their ids) to names, or "
                              f"names to Variables (got a {type(key).__name__} key)")
    return result


class Layout:
    """Decides, for one graph, every node's label name, visibility, box and cluster.

    Args:
        graph: the collected graph.
        collapse: fold each module this many levels below the outermost into one box (0 folds
            the outermost modules themselves); None folds nothing.
        clusters: group nodes by module.
        names: display names that take precedence over everything else.
        module: an object with ``named_modules()`` and ``named_parameters()`` (an
            ``nn.Module``): parameter paths and class names for the cluster labels.
        hide_constants: leave out unnamed leaves that need no gradient.
    """

    def __init__(self, graph: Graph, *, collapse: int | None, clusters: bool,
                 names: Mapping[Any, Any] | None, module: Any, hide_constants: bool) -> None:
        if collapse is not None and (isinstance(collapse, bool) or not isinstance(collapse, int)
                                     or collapse < 0):
            raise ShapeError(f"to_dot: collapse must be None or an int >= 0 (got {collapse!r})")
        self.graph = graph
        self.collapse = collapse
        self.clusters = clusters
        self.params: dict[int, str] = {}
        self.types: dict[str, str] = {}
        self.root: str | None = None
        if module is not None:
            self._read_module(module)
        self.names = self._names(explicit_names(names))
        self.producer: dict[int, Function] = {}
        for f in graph.functions:
            for y in graph.results[id(f)]:
                self.producer[id(y)] = f
        self.box: dict[int, Scope | None] = {id(f): self._box_of(f) for f in graph.functions}
        self.hidden: set[int] = set()
        self.folded: dict[Scope, list[Variable]] = {}
        self.place: dict[int, Scope] = {}
        self._decide_variables(hide_constants)

    def _read_module(self, module: Any) -> None:
        try:
            modules = list(module.named_modules())
            params = list(module.named_parameters())
        except AttributeError as err:
            raise OpTypeError(f"to_dot: module must have named_modules() and "
                              f"named_parameters() (got {type(module).__name__})") from err
        self.types = {path: type(m).__name__ for path, m in modules}
        self.params = {id(p): path for path, p in params}
        self.root = getattr(module, "_name", None) or type(module).__name__

    def is_param(self, v: Variable) -> bool:
        """A leaf that a module owns: a Variable subclass (nn.Parameter) or one of ``module``'s."""
        return v.creator is None and v.requires_grad and (
            id(v) in self.params or (type(v) is not Variable and v.name is not None))

    def _names(self, explicit: dict[int, str]) -> dict[int, str]:
        consumers = self.graph.consumers
        names: dict[int, str] = {}
        for v in self.graph.variables:
            key = id(v)
            if key in explicit:
                names[key] = explicit[key]
            elif key in self.params:
                names[key] = self.params[key]
            elif v.name is not None and self.is_param(v):
                scope = common_prefix([f.scope for f in consumers.get(key, ())])
                names[key] = ".".join(scope[1:] + (v.name,))
            elif v.name is not None:
                names[key] = v.name
        for v in self.graph.variables:  # a gradient drawn beside its Variable: "x.grad"
            g = v.grad
            if g is not None and id(v) in names and id(g) not in names:
                names[id(g)] = names[id(v)] + ".grad"
        return names

    def _box_of(self, f: Function) -> Scope | None:
        depth = self.collapse
        if depth is None or len(f.scope) <= depth:
            return None
        return f.scope[:depth + 1]

    def unit_scope(self, f: Function) -> Scope:
        """The cluster a Function is drawn in: its scope, or its box's parent."""
        box = self.box[id(f)]
        if not self.clusters:
            return ()
        return f.scope if box is None else box[:-1]

    def _decide_variables(self, hide_constants: bool) -> None:
        outputs = {id(y) for y in self.graph.outputs}
        for v in self.graph.variables:
            key = id(v)
            users = self.graph.consumers.get(key, [])
            boxes = {self.box[id(f)] for f in users}
            maker = self.producer.get(key)
            own_box = None if maker is None else self.box[id(maker)]
            single = next(iter(boxes)) if len(boxes) == 1 else None
            if key not in outputs:
                if own_box is not None and users and single == own_box:
                    self.hidden.add(key)  # made and used inside one folded module
                    continue
                if maker is None and single is not None and (self.is_param(v)
                                                             or key not in self.names):
                    self.hidden.add(key)
                    self.folded.setdefault(single, []).append(v)
                    continue
                if (hide_constants and maker is None and not v.requires_grad
                        and key not in self.names):
                    self.hidden.add(key)
                    continue
            scopes = [self.unit_scope(f) for f in users]
            if maker is not None:
                scopes.append(self.unit_scope(maker))
            elif key in self.names and not self.is_param(v):
                scopes = []  # a named input (x) stays outside the modules it feeds
            self.place[key] = common_prefix(scopes)

    def cluster_label(self, scope: Scope) -> str:
        """``conv: Conv2d`` when the module's class is known, else the module's name."""
        name = scope[-1]
        if self.root is not None and scope[0] == self.root:
            kind = self.types.get(".".join(scope[1:]))
            if kind is not None and kind != name:
                return f"{name}: {kind}"
        return name

    def box_path(self, scope: Scope) -> str:
        """A module's dotted path without the outermost module (as in ``named_parameters``)."""
        return ".".join(scope[1:])
