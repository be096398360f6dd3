"""``to_dot``: a computation graph as Graphviz DOT text, built as plain strings (no Graphviz
needed, and fast: a 10,000-op chain takes a fraction of a second).

Variables are ellipses (orange; parameters amber, constants grey), Functions are boxes (light
blue; tinted and primed by derivative order when a backward recorded them), and a module folded
by ``collapse`` is one rounded box. Edges run in data-flow direction.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..core import Function, Variable
from ..errors import ArgumentError
from . import labels
from .graph import collect
from .layout import Layout, Scope
from .shading import Shades

if TYPE_CHECKING:
    from .check import GradcheckReport

HEADER = "digraph zerograd {\n"
ORDER_COLOURS = ("lightblue", "pink", "plum", "lightsalmon", "#c5e1a5", "#b3e5fc")
VARIABLE, PARAMETER, CONSTANT = "orange", "#ffe082", "lightgrey"
PASSED, FAILED, UNCHECKED = "palegreen", "#ff6b6b", "white"
MARKED = "#ff6b6b"
_RANKDIRS = ("TB", "LR", "BT", "RL")


def to_dot(*outputs: Variable, show_values: bool = False, show_grads: bool = False,
           show_generation: bool = False, hide_constants: bool = False,
           collapse: int | None = None, clusters: bool = True,
           names: Mapping[Any, Any] | None = None, module: Any = None,
           report: GradcheckReport | None = None, rankdir: str = "TB",
           title: str | None = None, mark: Sequence[Function] = (),
           shade: Mapping[str, float] | None = None, shade_label: str = "value") -> str:
    """The graph that computed ``outputs``, as DOT text for Graphviz.

    Nothing is computed or changed: the picture is read from ``creator``, ``edges`` and
    ``outputs`` links (a value the graph does not hold is drawn from its shape and dtype).
    A plain backward frees the graph's arrays but keeps this structure, so a graph can be
    drawn after it, with the leaves' new gradients (``show_grads``).

    Args:
        outputs: one or more Variables; every Function that led to them is drawn.
        show_values: add each Variable's value (small arrays) or its min/mean/max.
        show_grads: add the same summary of ``.grad`` where a Variable has one.
        show_generation: add the generation number that orders backward.
        hide_constants: leave out leaves that need no gradient and have no name (literals,
            masks, labels); give a Variable a name to keep it.
        collapse: fold every module this many levels below the outermost into one box (so 1
            draws each layer of a model as a box, 0 the whole model); None folds nothing.
        clusters: group the nodes of each module in a labelled frame.
        names: display names that win over all others, as ``{variable: "name"}`` or as
            ``dict(model.named_parameters())``.
        module: the model (anything with ``named_modules()`` and ``named_parameters()``):
            names its parameters and labels each frame with its class, e.g. ``conv: Conv2d``.
        report: a `GradcheckReport`; each Function is coloured green where its backward
            agrees with numerical differentiation and red where it does not.
        rankdir: layout direction, "TB" (top to bottom), "LR", "BT" or "RL".
        title: a caption for the picture.
        mark: Functions to draw in red with a thick border (an `AnomalyError` marks its op
            so); a folded module holding one is drawn red too.
        shade: a number per module path (as ``named_modules()`` names them; ``""`` for the
            outermost), e.g. ``GradientFlow.module_norms()``: each module's frame or folded
            box is filled by it, blue (smallest) to orange (largest) on a log scale, and
            labelled ``shade_label`` and the number.

    Returns:
        The DOT source, ``digraph zerograd { ... }``.

    >>> import autograd as ag
    >>> x, w = ag.Variable(2.0, name="x"), ag.Variable(3.0, name="w")
    >>> y = x * w + 1.0
    >>> print(to_dot(y))  # doctest: +ELLIPSIS
    digraph zerograd {
    ...
        f0 [label="Mul", shape=box, fillcolor="lightblue"];
        f1 [label="Add", shape=box, fillcolor="lightblue"];
        v0 -> f0;
        v1 -> f0;
        f0 -> v2;
        v2 -> f1;
        v3 -> f1;
        f1 -> v4;
    }
    """
    return HEADER + "".join(body_lines(outputs, show_values=show_values, show_grads=show_grads,
                                       show_generation=show_generation,
                                       hide_constants=hide_constants, collapse=collapse,
                                       clusters=clusters, names=names, module=module,
                                       report=report, rankdir=rankdir, title=title,
                                       mark=mark, shade=shade,
                                       shade_label=shade_label)) + "}\n"


def body_lines(outputs: Sequence[Variable], *, show_values: bool, show_grads: bool,
               show_generation: bool, hide_constants: bool, collapse: int | None,
               clusters: bool, names: Mapping[Any, Any] | None, module: Any,
               report: GradcheckReport | None, rankdir: str, title: str | None,
               mark: Sequence[Function] = (), shade: Mapping[str, float] | None = None,
               shade_label: str = "value") -> list[str]:
    """The statements inside ``digraph { }``, one per line (tab-indented, newline-ended)."""
    if rankdir not in _RANKDIRS:
        raise ArgumentError(f"to_dot: rankdir must be one of {_RANKDIRS} (got {rankdir!r})")
    graph = collect(list(outputs))
    marked = {id(f) for f in mark}
    shades = Shades(shade, shade_label)
    layout = Layout(graph, collapse=collapse, clusters=clusters, names=names, module=module,
                    hide_constants=hide_constants)
    members: dict[Scope, list[str]] = {}  # cluster -> its node statements
    ids: dict[int, str] = {}
    out_ids = {id(y) for y in graph.outputs}
    orders: set[int] = set()
    for i, v in enumerate(graph.variables):
        key = id(v)
        if key in layout.hidden:
            continue
        ids[key] = node = f"v{i}"
        text = _variable_label(v, layout.names.get(key), show_values, show_grads,
                               show_generation)
        fill = (CONSTANT if not v.requires_grad else
                PARAMETER if layout.is_param(v) else VARIABLE)
        extra = ", penwidth=2" if key in out_ids else ""
        members.setdefault(layout.place[key], []).append(
            f"{node} [label={labels.quote(text)}, fillcolor=\"{fill}\"{extra}];\n")
    boxes: dict[Scope, list[Function]] = {}
    edges: list[str] = []
    for i, f in enumerate(graph.functions):
        box = layout.box[id(f)]
        if box is not None:
            boxes.setdefault(box, []).append(f)
            continue
        node = f"f{i}"
        orders.add(f.order)
        text, fill, style = _function_label(f, show_generation, report)
        if id(f) in marked:
            fill, style = MARKED, ", penwidth=3, color=\"#b00020\""
        members.setdefault(layout.unit_scope(f), []).append(
            f"{node} [label={labels.quote(text)}, shape=box, fillcolor=\"{fill}\""
            f"{style}];\n")
        for x in graph.inputs[id(f)]:
            src = ids.get(id(x))
            if src is not None:
                edges.append(f"{src} -> {node};\n")
        for y in graph.results[id(f)]:
            dst = ids.get(id(y))
            if dst is not None:
                edges.append(f"{node} -> {dst};\n")
    # Boxes and frames in forward order: by the last generation inside each.
    rank: dict[Scope, int] = {}
    for f in graph.functions:
        scope = f.scope
        while scope and rank.get(scope, -1) < f.generation:
            rank[scope] = f.generation
            scope = scope[:-1]
    for k, (box, fs) in enumerate(sorted(boxes.items(), key=lambda item: rank[item[0]])):
        node = f"m{k}"
        text, fill = _box_label(box, fs, layout, report)
        path = layout.box_path(box)
        if shades.colour(path):
            fill, text = shades.colour(path), text + "\n" + shades.text(path)
        if any(id(f) in marked for f in fs):
            fill = MARKED
        members.setdefault(box[:-1] if clusters else (), []).append(
            f"{node} [label={labels.quote(text)}, shape=box, style=\"filled,rounded,bold\", "
            f"fillcolor=\"{fill}\"];\n")
        edges.extend(_box_edges(node, fs, layout, ids, graph))
    lines = _preamble(rankdir, _legend(title, orders, report, shades))
    lines.extend(_clustered(members, layout, rank, shades))
    lines.extend("\t" + e for e in edges)
    return lines


def _variable_label(v: Variable, name: str | None, show_values: bool, show_grads: bool,
                    show_generation: bool) -> str:
    parts = [name] if name else []
    parts.append(labels.shape(v))
    if show_values:
        parts.append("(not kept by the graph)" if v.data is None else labels.summary(v.data))
    if show_grads and v.grad is not None:
        parts.append("grad " + labels.summary(v.grad.data))
    if show_generation:
        parts.append(f"gen {v.generation}")
    return "\n".join(parts)


def _function_label(f: Function, show_generation: bool,
                    report: GradcheckReport | None) -> tuple[str, str, str]:
    parts = [type(f).__name__ + labels.primes(f.order)]
    parts.extend(labels.params_line(f.params))
    if show_generation:
        parts.append(f"gen {f.generation}")
    fill = ORDER_COLOURS[f.order % len(ORDER_COLOURS)]
    if report is not None:
        check = report.checks.get(id(f))
        fill = UNCHECKED if check is None or check.error is None else \
            PASSED if check.ok else FAILED
        if check is not None:
            parts.append(check.summary())
    return "\n".join(parts), fill, ""


def _box_label(box: Scope, fs: list[Function], layout: Layout,
               report: GradcheckReport | None) -> tuple[str, str]:
    parts = [layout.cluster_label(box), f"{len(fs)} op{'s' if len(fs) != 1 else ''}"]
    params = [v for v in layout.folded.get(box, []) if layout.is_param(v)]
    rank = {key: i for i, key in enumerate(layout.params)}  # the module's definition order
    params.sort(key=lambda p: rank.get(id(p), len(rank)))
    prefix = layout.box_path(box) + "." if len(box) > 1 else ""
    if len(params) <= 3:
        for p in params:
            name = layout.names.get(id(p), "")
            name = name[len(prefix):] if prefix and name.startswith(prefix) else name
            parts.append(f"{name} {tuple(p.shape)}".strip())
    else:
        parts.append(f"{len(params)} parameters, {sum(p.size for p in params):,} values")
    fill = "#d6eaf8"
    if report is not None:
        checks = [report.checks.get(id(f)) for f in fs]
        done = [c for c in checks if c is not None and c.error is not None]
        fill = UNCHECKED if not done else PASSED if all(c.ok for c in done) else FAILED
        bad = sum(1 for c in done if not c.ok)
        if done:
            parts.append(f"{bad} of {len(done)} backward{'s' if len(done) != 1 else ''} wrong")
    return "\n".join(parts), fill


def _box_edges(node: str, fs: list[Function], layout: Layout, ids: dict[int, str],
               graph: Any) -> list[str]:
    """One edge per distinct neighbour: inputs from outside the box in, results out."""
    inside = {id(f) for f in fs}
    ins: dict[str, None] = {}
    outs: dict[str, None] = {}
    for f in fs:
        for x in graph.inputs[id(f)]:
            src = ids.get(id(x))
            maker = layout.producer.get(id(x))
            if src is not None and (maker is None or id(maker) not in inside):
                ins[src] = None
        for y in graph.results[id(f)]:
            dst = ids.get(id(y))
            if dst is not None:
                outs[dst] = None
    return [f"{src} -> {node};\n" for src in ins] + [f"{node} -> {dst};\n" for dst in outs]


def _preamble(rankdir: str, legend: str | None) -> list[str]:
    lines = [f"\tgraph [rankdir={rankdir}, fontname=\"Helvetica\", fontsize=11, "
             "nodesep=0.25, ranksep=0.35];\n",
             "\tnode [fontname=\"Helvetica\", fontsize=10, style=filled, shape=ellipse, "
             "margin=\"0.08,0.03\", height=0.3];\n",
             "\tedge [arrowsize=0.6, color=\"#555555\"];\n"]
    if legend:
        lines.append(f"\tlabel=<{legend}>;\n\tlabelloc=b;\n")
    return lines


def _legend(title: str | None, orders: set[int], report: GradcheckReport | None,
            shades: Shades | None = None) -> str | None:
    """An HTML-like caption: the title, then a key to the colours in use."""
    cells: list[tuple[str, str]] = []
    if report is not None:
        cells = [(PASSED, "backward agrees with numerical"), (FAILED, "backward is wrong")]
        if any(c.error is None for c in report.checks.values()):
            cells.append((UNCHECKED, "not checked"))
    elif orders - {0}:
        cells = [(ORDER_COLOURS[k % len(ORDER_COLOURS)],
                  f"{labels.ordinal(k)}-order backward {labels.primes(k)}" if k else "forward")
                 for k in sorted(orders)]
    if shades:
        cells = shades.legend() + cells
    if title is None and not cells:
        return None
    rows = []
    if title is not None:
        rows.append(f"<tr><td colspan=\"{max(len(cells), 1)}\">{labels.html(title)}</td></tr>")
    if cells:
        rows.append("<tr>" + "".join(f"<td bgcolor=\"{c}\" border=\"1\">{labels.html(t)}</td>"
                                     for c, t in cells) + "</tr>")
    return "<table border=\"0\" cellspacing=\"4\">" + "".join(rows) + "</table>"


def _clustered(members: dict[Scope, list[str]], layout: Layout,
               rank: dict[Scope, int], shades: Shades | None = None) -> list[str]:
    """Node statements nested in ``subgraph cluster_N { }`` blocks, one per module, children
    inside parents and in order of ``rank`` (walked with an explicit stack)."""
    children: dict[Scope, list[Scope]] = {}
    for scope in list(members):
        while scope:
            parent = scope[:-1]
            kids = children.setdefault(parent, [])
            if scope in kids:
                break
            kids.append(scope)
            scope = parent
    lines: list[str] = []
    counter = 0
    stack: list[tuple[Scope, bool]] = [((), True)]
    while stack:
        scope, entering = stack.pop()
        indent = "\t" * (len(scope) + 1)
        if not entering:
            lines.append("\t" * len(scope) + "}\n")
            continue
        if scope:
            lines.append("\t" * len(scope) + f"subgraph cluster_{counter} {{\n")
            counter += 1
            label, style = layout.cluster_label(scope), "rounded"
            fill = shades.colour(layout.box_path(scope)) if shades else None
            if fill is not None:
                label += "\n" + shades.text(layout.box_path(scope))
                style = f"rounded,filled\"; fillcolor=\"{fill}"
            lines.append(f"{indent}label={labels.quote(label)}; "
                         f"style=\"{style}\"; color=\"#999999\"; fontcolor=\"#444444\"; "
                         "labeljust=l; labelloc=t;\n")
            stack.append((scope, False))
        lines.extend(indent + line for line in members.get(scope, ()))
        kids = sorted(children.get(scope, []), key=lambda k: rank.get(k, -1), reverse=True)
        stack.extend((kid, True) for kid in kids)
    return lines
