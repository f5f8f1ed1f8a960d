"""Turning DOT text into SVG/PNG/PDF with a ``dot``-compatible program that we run ourselves.

The renderer is looked up in this order:

1. the program named by the environment variable ``TINYGRAD_NP_DOT``;
2. ``dot`` (Graphviz) on ``PATH``;
3. ``graphviz-pure`` (the PyPI wheel tinygrad-np depends on) in the running environment's
   scripts folder (``sysconfig.get_path('scripts')``, then the folder of ``sys.executable``), so
   an unactivated virtualenv or a Jupyter kernel finds it too.

The DOT text goes to the program on stdin and the picture comes back on stdout. The Python
``graphviz`` package is only used for the object ``draw_graph`` returns, never to find ``dot``.

A rendering that takes longer than ``timeout`` seconds (keyword of :func:`render`, ``pipe`` and
``render``; default from the environment variable ``TINYGRAD_NP_DOT_TIMEOUT``, else 120) is
stopped and raises :class:`RenderTimeoutError`. A PNG whose drawing would exceed
``MAX_PNG_PIXELS`` at Graphviz's 96 dpi is drawn at a lower resolution (with a warning): the
time a renderer needs for PNG grows with the pixel count, and a graph of a few thousand nodes
can lay out to over a gigapixel.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path
from typing import Any

ENV_VAR = "TINYGRAD_NP_DOT"
TIMEOUT_ENV_VAR = "TINYGRAD_NP_DOT_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
FORMATS = ("svg", "png", "pdf")
MAX_PNG_PIXELS = 25_000_000  # about 5000 x 5000
_PNG_CHECK_NODES = 150  # smaller drawings cannot reach MAX_PNG_PIXELS: no size check


class RendererNotFoundError(RuntimeError):
    """No program that can render DOT was found."""


class RenderTimeoutError(RuntimeError):
    """The DOT renderer ran longer than the timeout."""


def render_timeout(timeout: float | None = None) -> float:
    """``timeout`` if given, else ``TINYGRAD_NP_DOT_TIMEOUT`` from the environment, else 120 s."""
    source = "timeout"
    if timeout is None:
        env = os.environ.get(TIMEOUT_ENV_VAR)
        if not env:
            return DEFAULT_TIMEOUT
        source = f"the environment variable {TIMEOUT_ENV_VAR}"
        try:
            timeout = float(env)
        except ValueError:
            raise ValueError(
                f"render: {source}={env!r} is not a number of seconds; set it to e.g. 300, or unset it"
            ) from None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"render: {source} must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def _scripts_dirs() -> list[Path]:
    dirs = []
    with contextlib.suppress(KeyError, TypeError):
        dirs.append(Path(sysconfig.get_path("scripts")))
    dirs.append(Path(sys.executable).parent)
    return dirs


def find_renderer() -> str:
    """Path of the DOT renderer to use; raises :class:`RendererNotFoundError` naming the ways
    to get one when there is none."""
    env = os.environ.get(ENV_VAR)
    if env:
        found = shutil.which(env)
        if found is None:
            raise RendererNotFoundError(
                f"{ENV_VAR}={env!r} does not name an executable program; set it to the path of "
                "Graphviz's `dot` or of `graphviz-pure`, or unset it"
            )
        return found
    dot = shutil.which("dot")
    if dot:
        return dot
    names = ("graphviz-pure.exe", "graphviz-pure") if os.name == "nt" else ("graphviz-pure",)
    for folder in _scripts_dirs():
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which("graphviz-pure")
    if found:
        return found
    raise RendererNotFoundError(
        "no Graphviz renderer found to draw the graph (the DOT source is still available as "
        "`.source`). Get one in any of these ways: (1) set the environment variable "
        f"{ENV_VAR} to a dot-compatible program; (2) install Graphviz so that `dot` is on PATH "
        "(e.g. `apt-get install graphviz`, `brew install graphviz`); (3) `pip install graphviz-pure` "
        "into the environment that runs Python."
    )


def render(source: str, format: str = "svg", timeout: float | None = None) -> bytes:
    """Render DOT ``source`` to ``format`` ('svg', 'png' or 'pdf') and return the bytes.

    Raises :class:`RenderTimeoutError` after ``timeout`` seconds (see :func:`render_timeout`)."""
    fmt = format.lower()
    if fmt not in FORMATS:
        raise ValueError(f"render: unknown format {format!r}; use one of {', '.join(FORMATS)}")
    seconds = render_timeout(timeout)
    program = find_renderer()
    if fmt == "pdf" and Path(program).name.startswith("graphviz-pure"):
        raise ValueError(
            f"render: the renderer {program} (graphviz-pure) writes SVG and PNG but not PDF; install "
            f"Graphviz's `dot` (or point {ENV_VAR} at it) for PDF, or render to 'svg'"
        )
    extra: list[str] = []
    if fmt == "png" and source.count("\n") > _PNG_CHECK_NODES:
        extra = _png_resolution(program, source, seconds)
    return _run(program, [f"-T{fmt}", *extra], source, seconds)


def _run(program: str, args: list[str], source: str, seconds: float) -> bytes:
    try:
        proc = subprocess.run(
            [program, *args], input=source.encode("utf-8"), capture_output=True, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        nodes = sum(1 for ln in source.splitlines() if ln.startswith("\t") and "->" not in ln)
        raise RenderTimeoutError(
            f"render: {program} {' '.join(args)} did not finish within {seconds:g} s (a drawing of "
            f"about {nodes} nodes). Draw less: draw_graph(loss, params=model, collapse='modules') "
            "folds each submodule into one box (build the graph inside viz.trace_modules(model) "
            "for exact boxes), or draw an intermediate tensor instead of the loss; or allow more "
            f"time: timeout=... or the environment variable {TIMEOUT_ENV_VAR}"
        ) from None
    except OSError as e:
        raise RendererNotFoundError(f"render: could not run the DOT renderer {program}: {e}") from e
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"render: {program} {' '.join(args)} failed (exit code {proc.returncode}): {err}")
    return proc.stdout


def _png_resolution(program: str, source: str, seconds: float) -> list[str]:
    """``['-Gdpi=N']`` lowering the resolution of a PNG that would exceed MAX_PNG_PIXELS."""
    svg = _run(program, ["-Tsvg"], source, seconds)
    found = re.search(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg[:2000])
    if found is None:
        return []
    w_in, h_in = float(found.group(1)) / 72, float(found.group(2)) / 72
    pixels = w_in * h_in * 96 * 96
    if pixels <= MAX_PNG_PIXELS:
        return []
    dpi = max(1, int(96 * (MAX_PNG_PIXELS / pixels) ** 0.5))
    warnings.warn(
        f"render: this drawing is {w_in * 96:.0f} x {h_in * 96:.0f} pixels at 96 dpi; the PNG is drawn "
        f"at {dpi} dpi to stay under {MAX_PNG_PIXELS:,} pixels. Render to 'svg' for full size, or "
        "fold it with draw_graph(..., params=model, collapse='modules')",
        stacklevel=4,
    )
    return [f"-Gdpi={dpi}"]


class Renderable:
    """Rendering methods shared by the Digraph subclass and the no-``graphviz`` fallback.

    ``pipe(format)`` returns the picture's bytes; ``render(filename, format=...)`` writes the DOT
    source to ``filename`` and the picture to ``filename.format`` (as ``graphviz`` does), or only
    the picture to ``outfile`` (format from its suffix); Jupyter shows the drawing as inline SVG.
    Both take ``timeout=`` seconds (see :func:`render_timeout`).
    """

    source: str
    format: Any = "svg"

    def pipe(
        self,
        format: str | None = None,
        *args: Any,
        encoding: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        data = render(self.source, format or getattr(self, "format", None) or "svg", timeout)
        return data.decode(encoding) if encoding else data

    def render(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *args: Any,
        outfile: str | os.PathLike[str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> str:
        if outfile is not None:
            out = Path(outfile)
            fmt = format or out.suffix.lstrip(".") or "svg"
        else:
            if filename is None:
                filename = getattr(self, "filename", None) or "graph.gv"
            src = Path(directory or "") / filename
            fmt = format or getattr(self, "format", None) or "svg"
            out = Path(f"{src}.{fmt}")
            if not cleanup:
                src.parent.mkdir(parents=True, exist_ok=True)
                src.write_text(self.source, encoding="utf-8")
        data = render(self.source, fmt, timeout)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        return str(out)

    def svg(self) -> str:
        """The drawing as SVG text."""
        return render(self.source, "svg").decode("utf-8")

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, str]:
        return {"image/svg+xml": self.svg()}

    def _repr_image_svg_xml(self) -> str:
        return self.svg()

    def _repr_image_png(self) -> bytes:
        return render(self.source, "png")


class DotSource(Renderable):
    """What ``draw_graph`` returns when the Python ``graphviz`` package is not installed."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.format = "svg"

    def __str__(self) -> str:
        return self.source


_drawing_class: Any = None


def make_drawing(name: str, body: list[str]) -> Any:
    """A ``graphviz.Digraph`` (subclass with our renderer) holding ``body``; a
    :class:`DotSource` if the ``graphviz`` package is missing."""
    global _drawing_class
    if _drawing_class is None:
        try:
            import graphviz
        except ImportError:
            _drawing_class = False
        else:

            class GraphDrawing(Renderable, graphviz.Digraph):
                """A ``graphviz.Digraph`` rendered by tinygrad_np's own renderer lookup."""

            _drawing_class = GraphDrawing
    if _drawing_class is False:
        return DotSource(f"digraph {name} {{\n" + "".join(body) + "}\n")
    return _drawing_class(name=name, body=body, format="svg")
