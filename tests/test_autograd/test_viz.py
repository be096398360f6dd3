"""Graph pictures: the DOT text of small known graphs read structurally (nodes, edges, labels,
clusters), derivative orders, per-op gradient checks, and rendering through the real ``dot``.

No ``nn`` here: modules are imitated with ``name_scope`` and a Variable subclass."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

import autograd as ag
from autograd import name_scope
from autograd import hooks
from autograd.viz import (
    GraphvizNotFoundError, gradcheck_report, render, to_digraph, to_dot,
)

from ..dotgraph import parse_dot, svg_nodes


class Parameter(ag.Variable):
    """Stands in for nn.Parameter: a Variable subclass with a name."""


def expression() -> tuple[ag.Variable, ...]:
    x = ag.Variable(np.array([1.0, 2.0]), name="x")
    w = ag.Variable(np.array([3.0, 4.0]), name="w")
    b = ag.Variable(1.0, name="b")
    return x, w, b, (x * w + b).sum()


def test_expression_has_six_variables_three_functions_eight_edges() -> None:
    x, w, b, y = expression()
    dot = parse_dot(to_dot(y))
    assert len(dot.variables()) == 6 and len(dot.functions()) == 3 and len(dot.edges) == 8
    (mul,), (add,), (total,) = dot.find("Mul"), dot.find("Add"), dot.find("Sum")
    (vx,), (vw,), (vb,) = dot.find("x"), dot.find("w"), dot.find("b")
    assert dot.label(vx) == "x\n(2,) float64" and dot.label(vb) == "b\n() float64"
    assert sorted(dot.into(mul)) == sorted([vx, vw])
    (product,) = dot.out_of(mul)
    assert dot.label(product) == "(2,) float64"
    assert sorted(dot.into(add)) == sorted([product, vb])
    (out,) = dot.out_of(total)
    assert dot.label(out) == "() float64" and dot.nodes[out]["penwidth"] == "2"
    assert dot.nodes[mul]["fillcolor"] == "lightblue" and dot.nodes[vx]["fillcolor"] == "orange"
    assert not dot.clusters  # no module, no frame


def test_diamond_draws_the_shared_input_once() -> None:
    x = ag.Variable(0.3, name="x")
    y = ag.sin(x) + ag.cos(x)
    dot = parse_dot(to_dot(y))
    assert len(dot.variables()) == 4 and len(dot.functions()) == 3 and len(dot.edges) == 7
    (vx,) = dot.find("x")
    assert sorted(dot.label(f) for f in dot.out_of(vx)) == ["Cos", "Sin"]


def test_an_input_used_twice_gets_an_edge_per_use() -> None:
    x = ag.Variable(3.0, name="x")
    dot = parse_dot(to_dot(x * x))
    (vx,), (mul,) = dot.find("x"), dot.find("Mul")
    assert dot.edges.count((vx, mul)) == 2


def test_several_outputs_are_all_drawn_and_marked() -> None:
    x = ag.Variable(1.0, name="x")
    a, b = ag.exp(x), ag.tanh(x)
    dot = parse_dot(to_dot(a, b))
    assert len(dot.functions()) == 2
    assert sum(1 for n in dot.variables() if dot.nodes[n].get("penwidth") == "2") == 2


def test_op_parameters_appear_under_the_op_name() -> None:
    x = ag.Variable(np.ones((2, 3)), name="x")
    dot = parse_dot(to_dot(x.sum(axis=1, keepdims=True).reshape(1, 2)))
    labels = sorted(dot.label(f) for f in dot.functions())
    assert labels == ["Reshape\nshape=(1, 2)", "Sum\naxis=1 keepdims=True"]


def test_values_gradients_and_generations_are_summarised_on_request() -> None:
    x = ag.Variable(np.array([1.0, 2.0]), name="x")
    big = ag.Variable(np.arange(10.0), name="big")
    y = (x * 2).sum() + big.sum()
    y.backward(retain_graph=True)
    dot = parse_dot(to_dot(y, show_values=True, show_grads=True, show_generation=True))
    (vx,), (vbig,) = dot.find("x"), dot.find("big")
    assert dot.label(vx) == "x\n(2,) float64\n[1, 2]\ngrad [2, 2]\ngen 0"
    assert dot.label(vbig) == \
        "big\n(10,) float64\nmin 0 mean 4.5 max 9\ngrad min 1 mean 1 max 1\ngen 0"
    (mul,) = dot.find("Mul")
    assert dot.label(mul) == "Mul\ngen 0"
    plain = parse_dot(to_dot(y))
    assert plain.label(plain.find("x")[0]) == "x\n(2,) float64"


def test_hide_constants_drops_unnamed_constants_but_keeps_named_ones() -> None:
    x = ag.Variable(2.0, name="x")
    scale = ag.Variable(np.array(3.0), name="scale", requires_grad=False)
    y = x * 2.0 + scale
    shown, hidden = parse_dot(to_dot(y)), parse_dot(to_dot(y, hide_constants=True))
    assert len(shown.variables()) == 5 and len(hidden.variables()) == 4
    (vscale,) = hidden.find("scale")
    assert hidden.nodes[vscale]["fillcolor"] == "lightgrey"
    assert len(hidden.edges) == len(shown.edges) - 1


def test_names_win_and_may_map_either_way() -> None:
    x, w, b, y = expression()
    dot = parse_dot(to_dot(y, names={w: "weight", id(b): "bias"}))
    assert dot.find("weight") and dot.find("bias") and not dot.find("w")
    dot = parse_dot(to_dot(y, names={"the_x": x}))
    assert dot.find("the_x")
    with pytest.raises(ag.OpTypeError, match="names must map"):
        to_dot(y, names={1.5: "nope"})


def test_names_and_titles_are_escaped() -> None:
    odd = 'a "quoted" \\ name\n{with} <html> & ;'
    x = ag.Variable(1.0, name=odd)
    text = to_dot(ag.exp(x), title="<b> & co")
    dot = parse_dot(text)
    (vx,) = [n for n in dot.variables() if dot.label(n).startswith("a ")]
    assert dot.label(vx) == odd + "\n() float64"
    assert "&lt;b&gt; &amp; co" in text


def test_the_package_reexports_to_dot_and_render() -> None:
    assert ag.to_dot is to_dot and ag.render is render and ag.viz.to_dot is to_dot


def test_to_dot_changes_nothing() -> None:
    x, w, b, y = expression()
    before = to_dot(y)
    assert to_dot(y) == before and x.grad is None
    y.backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])


def test_a_graph_is_drawn_whole_after_a_plain_backward() -> None:
    x = ag.Variable(2.0, name="x")
    y = ag.exp(ag.sin(x)) * 3
    before = to_dot(y)
    y.backward()  # frees the arrays, keeps the structure
    assert to_dot(y) == before
    dot = parse_dot(to_dot(y, show_grads=True))
    assert sorted(dot.label(f) for f in dot.functions()) == ["Exp", "Mul", "Sin"]
    (leaf,) = [v for v in dot.variables() if dot.label(v).startswith("x")]
    assert "grad" in dot.label(leaf)


def test_bad_arguments_are_refused_clearly() -> None:
    x = ag.Variable(1.0)
    with pytest.raises(ag.OpTypeError, match="to_dot: output 0 must be a Variable"):
        to_dot(np.ones(2))  # type: ignore[arg-type]
    with pytest.raises(ag.ShapeError, match="collapse must be None or an int >= 0"):
        to_dot(x * 2, collapse=-1)
    with pytest.raises(ValueError, match="rankdir must be one of"):
        to_dot(x * 2, rankdir="sideways")
    with pytest.raises(TypeError):
        to_dot(x * 2, show_value=True)  # type: ignore[call-arg]
    with pytest.raises(ag.OpTypeError, match="named_modules"):
        to_dot(x * 2, module=object())


def test_a_10000_op_chain_gives_dot_in_well_under_a_second() -> None:
    x = ag.Variable(np.ones(3), name="x")
    y = x
    for _ in range(10_000):
        y = -y
    began = time.perf_counter()
    text = to_dot(y)
    seconds = time.perf_counter() - began
    dot = parse_dot(text)
    assert len(dot.functions()) == 10_000 and len(dot.variables()) == 10_001
    assert len(dot.edges) == 20_000
    assert seconds < 1.0, f"to_dot took {seconds:.2f} s on a 10,000-op chain"


# Derivative orders: which backward recorded each Function.

def test_first_derivative_graph_is_marked_as_first_order() -> None:
    x = ag.Variable(2.0, name="x")
    y = x ** 3
    y.backward(create_graph=True)
    gx = x.grad
    assert y.creator.order == 0 and gx.creator.order == 1
    dot = parse_dot(to_dot(gx))
    (out,) = [n for n in dot.variables() if dot.nodes[n].get("penwidth") == "2"]
    assert dot.label(out).startswith("x.grad\n")
    marked = [f for f in dot.functions() if dot.label(f).split("\n")[0].endswith("\u2032")]
    assert marked and all(dot.nodes[f]["fillcolor"] == "pink" for f in marked)
    assert len(marked) == len(dot.functions())  # x ** 3 itself is not needed for 3 x ** 2
    assert "1st-order backward" in to_dot(gx)


def test_tanh_derivatives_carry_their_order() -> None:
    # The DeZero tanh pictures: each derivative of tanh, computed by backward on the last one.
    x = ag.Variable(1.0, name="x")
    y = ag.tanh(x)
    y.backward(create_graph=True)
    for n in range(2, 5):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
        dot = parse_dot(to_dot(x.grad))
        orders = {_order(dot.label(f)) for f in dot.functions()}
        assert max(orders) == n and x.grad.creator.order == n
        assert orders <= set(range(n + 1)) and 0 in orders  # tanh itself stays in the graph
    assert not hooks.active


def _order(label: str) -> int:
    """The derivative order marked after an op's name: Mul, Mul′, Mul″, Mul‴, Mul⁽⁴⁾, ..."""
    head = label.split("\n")[0]
    if head.endswith("\u207e"):
        digits = head[head.index("\u207d") + 1:-1]
        return int(digits.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))
    return {"\u2032": 1, "\u2033": 2, "\u2034": 3}.get(head[-1], 0)


def test_derivative_order_goes_up_through_grad_and_back_to_zero() -> None:
    x = ag.Variable(0.5)
    y = ag.sin(x)
    orders = []
    for _ in range(5):
        (y,) = ag.grad(y, x, create_graph=True)
        orders.append(y.creator.order)
    assert orders == [1, 2, 3, 4, 5] and not hooks.active
    z = y * 2  # forward code after a backward is order 0 again
    assert z.creator.order == 0
    assert "\u207d\u2075\u207e" in to_dot(y)  # Sin⁽⁵⁾-style marks from the 4th order on


def test_a_failing_backward_leaves_the_order_at_zero() -> None:
    class Broken(ag.Function):
        def forward(self, x):
            return x * 1.0

        def backward(self, grad):
            raise RuntimeError("deliberately broken")

    x = ag.Variable(1.0)
    with pytest.raises(RuntimeError, match="deliberately"):
        Broken()(ag.tanh(x)).backward(create_graph=True)
    assert not hooks.active and (x * 2).creator.order == 0


def test_without_create_graph_nothing_is_recorded_and_order_stays_zero() -> None:
    x = ag.Variable(2.0)
    (x ** 2).backward()
    assert x.grad.creator is None and not hooks.active


# Modules: clusters per name_scope, parameter paths, collapse.

def two_layer() -> tuple[dict[str, Parameter], ag.Variable, ag.Variable]:
    """TwoLayer(fc1: Linear 3->4, tanh, fc2: Linear 4->2) on x, and a loss outside it."""
    rng = np.random.default_rng(0)
    params = {"fc1.weight": Parameter(rng.standard_normal((4, 3)), name="weight"),
              "fc1.bias": Parameter(np.zeros(4), name="bias"),
              "fc2.weight": Parameter(rng.standard_normal((2, 4)), name="weight"),
              "fc2.bias": Parameter(np.zeros(2), name="bias")}
    x = ag.Variable(rng.standard_normal((5, 3)), name="x", requires_grad=False)
    with name_scope("TwoLayer"):
        with name_scope("fc1"):
            h = x @ params["fc1.weight"].T + params["fc1.bias"]
        h = ag.tanh(h)
        with name_scope("fc2"):
            out = h @ params["fc2.weight"].T + params["fc2.bias"]
    return params, x, (out ** 2).mean()


def test_two_layer_module_is_framed_per_module_and_names_parameters_by_path() -> None:
    _, x, loss = two_layer()
    dot = parse_dot(to_dot(loss))
    assert sorted(dot.clusters.values()) == [("TwoLayer",), ("TwoLayer", "fc1"),
                                             ("TwoLayer", "fc2")]
    for path in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        (node,) = dot.find(path)
        assert dot.where[node] == ("TwoLayer", path.split(".")[0])
        assert dot.nodes[node]["fillcolor"] == "#ffe082"
    (tanh,) = dot.find("Tanh")
    assert dot.where[tanh] == ("TwoLayer",)
    (vx,) = dot.find("x")
    assert dot.where[vx] == ()  # the input is not inside the module it feeds
    assert all(dot.where[f] == () for f in dot.find("Pow") + dot.find("Mul"))
    flat = parse_dot(to_dot(loss, clusters=False))
    assert not flat.clusters and len(flat.nodes) == len(dot.nodes)


def test_collapse_folds_each_module_into_one_box() -> None:
    _, x, loss = two_layer()
    dot = parse_dot(to_dot(loss, collapse=1))
    boxes = {dot.label(m).split("\n")[0]: m for m in dot.boxes()}
    assert sorted(boxes) == ["fc1", "fc2"]
    assert dot.label(boxes["fc1"]) == "fc1\n3 ops\nweight (4, 3)\nbias (4,)"
    assert not any(dot.find(p) for p in ("fc1.weight", "fc2.bias"))  # folded into the boxes
    (vx,), (tanh,) = dot.find("x"), dot.find("Tanh")
    assert dot.out_of(vx) == [boxes["fc1"]]
    (h,) = dot.out_of(boxes["fc1"])
    assert dot.out_of(h) == [tanh] and dot.label(h) == "(5, 4) float64"
    assert dot.into(boxes["fc2"]) == dot.out_of(tanh)
    assert sorted(dot.label(f).split("\n")[0] for f in dot.functions()) == \
        ["Mul", "Pow", "Sum", "Tanh"]  # the loss outside the model, and the tanh between
    whole = parse_dot(to_dot(loss, collapse=0))
    (box,) = whole.boxes()
    assert whole.label(box) == "TwoLayer\n7 ops\n4 parameters, 26 values"
    assert len(whole.variables()) == 6 and whole.into(box) == whole.find("x")


def test_module_gives_class_names_and_parameter_paths() -> None:
    params, _, loss = two_layer()

    class Fake:
        """Duck-types nn.Module: named_modules() and named_parameters()."""

        def named_modules(self):
            return [("", self), ("fc1", Linear()), ("fc2", Linear())]

        def named_parameters(self):
            return list(params.items())

    class Linear:
        pass

    Fake.__name__ = "TwoLayer"
    dot = parse_dot(to_dot(loss, module=Fake()))
    assert sorted(dot.clusters.values()) == [("TwoLayer",), ("TwoLayer", "fc1: Linear"),
                                             ("TwoLayer", "fc2: Linear")]
    folded = parse_dot(to_dot(loss, module=Fake(), collapse=1))
    labels = sorted(folded.label(box) for box in folded.boxes())
    assert labels == ["fc1: Linear\n3 ops\nweight (4, 3)\nbias (4,)",
                      "fc2: Linear\n3 ops\nweight (2, 4)\nbias (2,)"]


# Per-op gradient checks on the picture.

class BrokenSquare(ag.Function):
    """x * x with a wrong backward (the factor 2 is missing)."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad):
        x, = self.saved
        return grad * x


def test_gradcheck_report_finds_the_broken_op_and_colours_it() -> None:
    x = ag.Variable(np.linspace(-1, 1, 4), name="x")
    w = ag.Variable(np.array([0.5, -0.3, 0.2, 0.9]), name="w")
    report = gradcheck_report(lambda x, w: ag.tanh(BrokenSquare()(x * w)).sum(), x, w)
    assert not report.ok and [c.op for c in report.failures] == ["BrokenSquare"]
    assert "BrokenSquare     WRONG" in str(report)
    dot = parse_dot(to_dot(*report.outputs, report=report))
    (broken,) = dot.find("BrokenSquare")
    assert dot.nodes[broken]["fillcolor"] == "#ff6b6b"
    assert dot.label(broken) == "BrokenSquare\nerr 5.0e-01"  # half the true gradient
    good = [f for f in dot.functions() if f != broken]
    assert len(good) == 3 and all(dot.nodes[f]["fillcolor"] == "palegreen" for f in good)
    assert dot.find("x") and dot.find("w")
    with pytest.raises(ag.GradcheckError):
        ag.gradcheck(lambda x: BrokenSquare()(x).sum(), np.ones(3))


def test_gradcheck_report_passes_correct_ops_and_skips_what_it_cannot_check() -> None:
    x = np.linspace(0.1, 0.9, 6).reshape(2, 3)
    t = np.array([1.0, 2.0, 3.0])
    report = gradcheck_report(lambda x: (ag.exp(x) / (x.sum(axis=0) + t)).max(axis=1), x)
    assert report.ok, str(report)
    assert all(c.error is not None and c.error < 1e-6 for c in report.checks.values())


def test_gradcheck_report_skips_kinks_and_low_precision_outputs() -> None:
    x = np.array([-1.0, 0.0, 2.0])  # maximum(x, 0) has no derivative at 0
    report = gradcheck_report(lambda x: ag.maximum(x, 0.0).astype(np.float32).sum(), x)
    reasons = {c.op: c.reason for c in report.checks.values()}
    assert reasons == {"Maximum": "not differentiable here", "Cast": "float32 output",
                       "Sum": ""}
    assert report.ok
    dot = parse_dot(to_dot(*report.outputs, report=report))
    (maximum,) = dot.find("Maximum")
    assert dot.nodes[maximum]["fillcolor"] == "white"
    assert dot.label(maximum) == "Maximum\n(not differentiable here)"
    assert "not checked" in to_dot(*report.outputs, report=report)


def test_collapsed_boxes_show_the_worst_check_inside() -> None:
    def f(x: ag.Variable) -> ag.Variable:
        with name_scope("Model"), name_scope("bad"):
            h = BrokenSquare()(ag.sin(x))
        with name_scope("Model"), name_scope("good"):
            h = ag.exp(h)
        return h.sum()

    report = gradcheck_report(f, np.linspace(0, 1, 3))
    dot = parse_dot(to_dot(*report.outputs, report=report, collapse=1))
    colours = {dot.label(b).split("\n")[0]: dot.nodes[b]["fillcolor"] for b in dot.boxes()}
    assert colours == {"bad": "#ff6b6b", "good": "palegreen"}
    assert "1 of 2 backwards wrong" in dot.label(dot.find("bad")[0])


# Rendering through Graphviz.

def test_render_writes_an_svg_whose_nodes_match_the_dot(tmp_path, dot) -> None:
    _, x, loss = two_layer()
    x.name = 'odd "name" \\ with {braces} <and> & more'
    path = tmp_path / "graph.svg"
    assert render(loss, path, title="<two> & layers") == str(path)
    assert os.listdir(tmp_path) == ["graph.svg"]  # nothing else is written
    drawn = svg_nodes(path.read_bytes())
    parsed = parse_dot(to_dot(loss))
    assert sorted(drawn) == sorted(parsed.nodes)
    assert len(drawn) == len(parsed.variables()) + len(parsed.functions())


def test_render_png_and_pdf_and_the_format_from_the_suffix(tmp_path, dot) -> None:
    x, w, b, y = expression()
    render(y, tmp_path / "a.png")
    render([y], tmp_path / "b.pdf", collapse=0)
    render(y, tmp_path / "c.out", format="png")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "b.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "c.out").read_bytes()[:4] == b"\x89PNG"
    assert sorted(os.listdir(tmp_path)) == ["a.png", "b.pdf", "c.out"]


def test_to_digraph_is_the_same_graph_and_shows_inline_in_jupyter(dot) -> None:
    x, w, b, y = expression()
    g = to_digraph(y, show_values=True)
    assert g.source == to_dot(y, show_values=True)
    bundle = g._repr_mimebundle_()
    assert len(svg_nodes(bundle["image/svg+xml"])) == 9


def test_render_dot_format_needs_no_graphviz(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    x, w, b, y = expression()
    render(y, tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == to_dot(y)


def test_without_dot_the_dot_text_is_written_and_the_error_says_how_to_install(
        tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere on PATH
    x, w, b, y = expression()
    with pytest.raises(GraphvizNotFoundError) as caught:
        render(y, tmp_path / "graph.svg")
    message = str(caught.value)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz",
                 "graph.dot"):
        assert hint in message
    assert os.listdir(tmp_path) == ["graph.dot"]
    assert (tmp_path / "graph.dot").read_text() == to_dot(y)
    assert isinstance(caught.value, ag.ZerogradError)


def test_render_refuses_an_unknown_format(tmp_path) -> None:
    x, w, b, y = expression()
    with pytest.raises(ValueError, match="unsupported format 'gif'"):
        render(y, tmp_path / "g.gif", format="gif")
    assert not os.listdir(tmp_path)


def test_shade_colours_module_frames_on_a_log_scale() -> None:
    x = ag.Variable(np.ones(2), name="x")
    with ag.name_scope("Net"):
        with ag.name_scope("a"):
            h = x * 2
        with ag.name_scope("b"):
            y = (h * 3).sum()
    text = to_dot(y, shade={"a": 1e-6, "b": 1.0}, shade_label="norm")
    frames = [line for line in text.splitlines() if "label=" in line and "style=" in line]
    a = next(f for f in frames if '"a' in f)
    b = next(f for f in frames if '"b' in f)
    assert "norm 1e-06" in a and "fillcolor=\"#91bfdb\"" in a  # smallest: blue
    assert "norm 1" in b and "fillcolor=\"#fc8d59\"" in b      # largest: orange
    assert "norm 1e-06" in text.split("label=<")[1]            # and in the caption
    with pytest.raises(ag.ArgumentError, match="module paths"):
        to_dot(y, shade={1: 2.0})
