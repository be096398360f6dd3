"""Pictures of computation graphs: ``to_dot`` writes Graphviz DOT text, ``render`` draws it to
SVG, PNG or PDF, and ``gradcheck_report`` colours each op by whether its backward is right.

>>> import autograd as ag
>>> x = ag.Variable(0.5, name="x")
>>> dot = ag.viz.to_dot(ag.tanh(x) * x)
>>> dot.count("->"), dot.count("shape=box")
(5, 2)
"""
from .check import GradcheckReport, NodeCheck, check_function, gradcheck_report
from .dot import to_dot
from .picture import FORMATS, GraphvizError, GraphvizNotFoundError, render, to_digraph

__all__ = ["FORMATS", "GradcheckReport", "GraphvizError", "GraphvizNotFoundError", "NodeCheck",
           "check_function", "gradcheck_report", "render", "to_digraph", "to_dot"]
