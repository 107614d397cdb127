"""Seeing backprop: the graph behind a Tensor as DOT text and pictures, and a narrated backward.

    to_dot(root, **options) -> str           DOT text; pure, needs no `dot` program (dot.py)
    draw_graph(root, **options) -> Drawing   a graphviz.Digraph (Jupyter shows it)
    render_graph(root, path, format=None)    one call to an .svg, .png, .jpeg, .pdf or .dot file
    explain(loss) -> BackwardTrace           runs backward; str() narrates it step by step
    find_renderer(), pipe(dot_text, format)  the renderer program, and running it (render.py)

`Tensor.draw(**options)` is `draw_graph(tensor, **options)`. Options: rankdir, show_data,
show_grad, max_values, max_nodes, module, legend, trace (see `to_dot`). Which operations a
module's cluster holds is decided by the rule in `viz.modules`.
"""

from .dot import to_dot
from .explain import BackwardTrace, Layer, Sent, Step, explain
from .render import (
    ENV_VAR,
    Drawing,
    Renderer,
    RendererNotFoundError,
    draw_graph,
    find_renderer,
    pipe,
    render_graph,
)

__all__ = [
    "to_dot", "draw_graph", "render_graph", "Drawing", "explain", "BackwardTrace", "Step",
    "Sent", "Layer", "find_renderer", "pipe", "Renderer", "RendererNotFoundError", "ENV_VAR",
]  # fmt: skip
