"""A small reader for the DOT text ``autograd.viz.to_dot`` writes, so tests can count nodes and
edges and read labels instead of comparing strings."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

_NODE = re.compile(r"^\s*(\w+) \[(.*)\];$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+);$")
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<.*>|[^,\s]+)')
_CLUSTER = re.compile(r"^\s*subgraph (cluster_\d+) \{$")


@dataclass
class Dot:
    """Nodes (id -> attributes, with ``label`` unescaped), edges, and cluster paths."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    clusters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> label path
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)  # node -> its cluster path

    def label(self, node: str) -> str:
        return self.nodes[node]["label"]

    def functions(self) -> list[str]:
        """Function nodes (plain boxes), not Variables and not folded modules."""
        return [n for n, a in self.nodes.items() if a.get("shape") == "box"
                and "rounded" not in a.get("style", "")]

    def variables(self) -> list[str]:
        return [n for n, a in self.nodes.items() if a.get("shape") != "box"]

    def boxes(self) -> list[str]:
        """Modules folded by ``collapse``."""
        return [n for n, a in self.nodes.items() if "rounded" in a.get("style", "")]

    def find(self, first_line: str) -> list[str]:
        """Nodes whose label starts with the line ``first_line``."""
        return [n for n, a in self.nodes.items() if a["label"].split("\n")[0] == first_line]

    def into(self, node: str) -> list[str]:
        return [a for a, b in self.edges if b == node]

    def out_of(self, node: str) -> list[str]:
        return [b for a, b in self.edges if a == node]


def _unquote(value: str) -> str:
    if value.startswith('"'):
        body = value[1:-1]
        return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)
    return value


def parse_dot(text: str) -> Dot:
    """Read ``to_dot`` output: one statement a line, clusters as nested subgraphs."""
    lines = text.splitlines()
    assert lines[0] == "digraph zerograd {" and lines[-1] == "}", (lines[0], lines[-1])
    dot = Dot()
    path: list[str] = []
    opened: list[str] = []
    for line in lines[1:-1]:
        m = _CLUSTER.match(line)
        if m:
            opened.append(m.group(1))
            path.append("?")
            continue
        if line.strip() == "}":
            opened.pop()
            path.pop()
            continue
        if opened and line.strip().startswith("label=") and path[-1] == "?":
            path[-1] = _unquote(_ATTR.match(line.strip()).group(2))  # type: ignore[union-attr]
            dot.clusters[opened[-1]] = tuple(path)
            continue
        m = _EDGE.match(line)
        if m:
            dot.edges.append((m.group(1), m.group(2)))
            continue
        m = _NODE.match(line)
        if m and m.group(1) not in ("graph", "node", "edge"):
            attrs = {k: _unquote(v) for k, v in _ATTR.findall(m.group(2))}
            dot.nodes[m.group(1)] = attrs
            dot.where[m.group(1)] = tuple(path)
    assert not opened, "unclosed subgraph"
    return dot


def svg_nodes(svg: bytes | str) -> list[str]:
    """The ``<title>`` (node id) of every ``<g class="node">`` in an SVG drawn by dot."""
    root = ET.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    return [g.find("svg:title", ns).text or "" for g in root.iter("{http://www.w3.org/2000/svg}g")
            if g.get("class") == "node"]
