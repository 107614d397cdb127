"""Rendering DOT text to SVG, PNG, JPEG or PDF with a renderer program found at run time.

Renderers, in this order:

1. the program named by the environment variable `TINYGRAD_DS_DOT` (a path, or a program name
   looked up as below); when it is set, nothing else is tried;
2. Graphviz's own `dot` (Debian's `graphviz` package, Homebrew, conda, ...);
3. `graphviz-pure` from PyPI (a dependency of tinygrad_ds, so rendering works after a plain
   pip install): a static build of dot's command line that writes SVG, PNG and JPEG, not PDF.

Programs are looked up on PATH and in the running interpreter's scripts folder (an unactivated
virtual environment's `bin` is not on PATH): `dot` on PATH first, `graphviz-pure` in the
interpreter's folder first. The program reads DOT on stdin and writes the picture to stdout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from ..tensor import Tensor
from .dot import GRAPH_NAME, dot_text
from .graph import describe

__all__ = [
    "ENV_VAR", "FORMATS", "Renderer", "RendererNotFoundError", "find_renderer", "pipe",
    "Drawing", "draw_graph", "render_graph",
]  # fmt: skip

ENV_VAR = "TINYGRAD_DS_DOT"
PURE = "graphviz-pure"
FORMATS = ("svg", "png", "jpeg", "jpg", "pdf", "dot")
PURE_FORMATS = ("svg", "png", "jpeg", "jpg", "dot")
HOW_TO_INSTALL = (
    "install one: `pip install graphviz-pure` (SVG, PNG, JPEG), or Graphviz itself for every "
    "format including PDF (`apt-get install graphviz`, `brew install graphviz`, `conda install "
    f"graphviz`); or set {ENV_VAR}=/path/to/dot. to_dot() needs no renderer."
)


class RendererNotFoundError(RuntimeError):
    """No program that can render the requested format was found."""


@dataclass(frozen=True)
class Renderer:
    """A renderer program: its path and kind ("dot", "graphviz-pure" or "other")."""

    path: str
    kind: str

    def can(self, format: str) -> bool:
        return self.kind != PURE or format in PURE_FORMATS


def interpreter_dirs() -> list[str]:
    """The running interpreter's scripts folder and the folder of its executable."""
    dirs = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    return list(dict.fromkeys(d for d in dirs if d))


def find_renderer(format: str = "svg", program: str | None = None) -> Renderer:
    """The renderer to use for `format`: `program` (a name or path) if given, else the one named
    by TINYGRAD_DS_DOT, else `dot`, else `graphviz-pure` (see the module docstring)."""
    choice = program or os.environ.get(ENV_VAR, "").strip()
    path_dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    here = interpreter_dirs()
    if choice:
        found = _which(choice, path_dirs + here)
        where = f"{ENV_VAR}={choice}" if not program else repr(choice)
        if found is None:
            raise RendererNotFoundError(
                f"renderer {where} was not found on PATH or in {here}; {HOW_TO_INSTALL}"
            )
        r = Renderer(found, _kind(found))
        if not r.can(format):
            raise RendererNotFoundError(
                f"renderer {where} ({PURE}) cannot write {format!r}: it writes "
                f"{', '.join(PURE_FORMATS)}; for {format!r} install Graphviz's dot"
            )
        return r
    dot = _which("dot", path_dirs + here)
    if dot is not None:
        return Renderer(dot, "dot")
    pure = _which(PURE, here + path_dirs)
    if pure is not None:
        if format in PURE_FORMATS:
            return Renderer(pure, PURE)
        raise RendererNotFoundError(
            f"{format!r} needs Graphviz's dot, which was not found ({PURE} at {pure} writes "
            f"{', '.join(PURE_FORMATS)} only): `apt-get install graphviz`, `brew install "
            f"graphviz` or `conda install graphviz`, or set {ENV_VAR}=/path/to/dot"
        )
    raise RendererNotFoundError(
        f"no graph renderer found: looked for `dot` and `{PURE}` on PATH and in {here}; "
        + HOW_TO_INSTALL
    )


def _which(name: str, dirs: Sequence[str]) -> str | None:
    if os.path.dirname(name):  # a path, not a name to look up
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    return shutil.which(name, path=os.pathsep.join(dirs)) if dirs else None


def _kind(path: str) -> str:
    stem = os.path.basename(path).lower().removesuffix(".exe")
    return PURE if stem.startswith(PURE) else "dot" if stem == "dot" else "other"


def pipe(
    source: str,
    format: str = "svg",
    *,
    program: str | None = None,
    engine: str = "dot",
    timeout: float | None = None,
) -> bytes:
    """Render DOT `source` to `format` and return the bytes ('dot' returns the source itself)."""
    if format == "dot":
        return source.encode("utf-8")
    r = find_renderer(format, program)
    cmd = [r.path, f"-T{format}"] + ([f"-K{engine}"] if engine != "dot" else [])
    proc = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}): {err}")
    return proc.stdout


def render_graph(
    root: Tensor | Sequence[Tensor],
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    program: str | None = None,
    **options: Any,
) -> Path:
    """Write the graph behind `root` to `path` as 'svg', 'png', 'jpeg', 'pdf' or 'dot' (by
    default from the file's suffix) and return the path. `options` go to `to_dot`."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"render_graph: path must be a file name (str or Path), got {describe(path)}"
        )
    if format is not None and not isinstance(format, str):
        raise TypeError(f"render_graph: format must be a str or None, got {describe(format)}")
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "svg").lower()
    if fmt not in FORMATS:
        raise ValueError(f"render_graph: format must be one of {FORMATS}, got {fmt!r}")
    if path.is_dir():
        raise IsADirectoryError(
            f"render_graph: path {str(path)!r} is a folder; give a file name, such as "
            f"{str(path / ('graph.' + fmt))!r}"
        )
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if folder is not None and not folder.is_dir():
        raise NotADirectoryError(
            f"render_graph: cannot write {str(path)!r}: {str(folder)!r} is a file, not a folder"
        )
    data = pipe(dot_text("render_graph", root, options), fmt, program=program)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


class Drawing(graphviz.Digraph):
    """A `graphviz.Digraph` that renders with the renderer `find_renderer` picks, so that
    `graphviz-pure` works too (graphviz's own code only runs a `dot` on PATH). It displays
    inline in Jupyter; `.pipe(format='png')`, `.render('graph', format='svg')` and `.source`
    work as for any Digraph."""

    @property
    def _pipe_lines(self) -> Any:
        return _pipe_lines

    @property
    def _pipe_lines_string(self) -> Any:
        return _pipe_lines_string

    @property
    def _render(self) -> Any:
        return _render_file


def draw_graph(root: Tensor | Sequence[Tensor], **options: Any) -> Drawing:
    """The graph behind `root` as a `graphviz.Digraph` (a `Drawing`); options as `to_dot`."""
    lines = dot_text("draw_graph", root, options).splitlines(keepends=True)
    return Drawing(name=GRAPH_NAME, body=lines[1:-1])


# -- graphviz's rendering hooks, pointed at `pipe` ------------------------------------------


def _pipe_lines(engine: str, format: str, input_lines: Any, **_: Any) -> bytes:
    return pipe("".join(input_lines), format, engine=engine)


def _pipe_lines_string(
    engine: str, format: str, input_lines: Any, *, encoding: str = "utf-8", **_: Any
) -> str:
    return pipe("".join(input_lines), format, engine=engine).decode(encoding)


def _render_file(
    engine: str,
    format: str | None = None,
    filepath: Any = None,
    *_: Any,
    outfile: Any = None,
    raise_if_result_exists: bool = False,
    **__: Any,
) -> str:
    if outfile is not None:
        outfile = Path(outfile)
        format = format or outfile.suffix.lstrip(".")
        filepath = Path(filepath) if filepath is not None else outfile.with_suffix(".gv")
    else:
        filepath = Path(filepath)
        outfile = Path(f"{filepath}.{format}")
    if raise_if_result_exists and outfile.exists():
        raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
    outfile.write_bytes(pipe(filepath.read_text(encoding="utf-8"), format, engine=engine))
    return os.fspath(outfile)
