"""A Griffe extension for the API reference: docstring examples render as code.

The package's docstrings are plain text with ``>>>`` examples (run by pytest's
``--doctest-modules``). Markdown would read those lines as prose, so an output
such as ``['fc.weight', 'fc.bias']`` looks like a link reference. This extension,
loaded by mkdocstrings (see ``mkdocs.yml``), wraps every run of ``>>>`` lines and
their output in a ``pycon`` code fence, and escapes ``][`` in prose
(``out[i][j]``) for the same reason, and turns Sphinx roles (``:class:`Tensor```) into
code spans. The docstrings in the source stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_PROMPT = re.compile(r"^(\s*)>>> ?")
_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([^`]+)`")
_FENCE = re.compile(r"^\s*(```|~~~)")


def fence_examples(text: str) -> str:
    """Wrap each doctest example run (prompt lines and output, up to a blank line) in a fence."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            i += 1
            continue
        m = None if in_fence else _PROMPT.match(line)
        if m is None:
            out.append(line if in_fence else _escape_refs(line))
            i += 1
            continue
        indent = m.group(1)
        if out and out[-1].strip():
            out.append("")
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(lines[i])
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)


def _role(m: re.Match[str]) -> str:
    """``:class:`~pkg.mod.Name``` (a Sphinx role) -> ```Name```; without ``~`` the full name."""
    name = m.group(2)
    return f"`{name.rsplit('.', 1)[-1] if m.group(1) else name}`"


def _escape_refs(line: str) -> str:
    """``a[i][j]`` in prose is not a Markdown reference link; leave code spans alone.
    Sphinx roles become plain code spans."""
    line = _ROLE.sub(_role, line)
    parts = line.split("`")
    for k in range(0, len(parts), 2):  # even pieces are outside code spans
        parts[k] = parts[k].replace("][", "]\\[")
    return "`".join(parts)


class DoctestsAsCode(griffe.Extension):
    """Rewrite each loaded object's docstring with :func:`fence_examples`."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        doc = getattr(obj, "docstring", None)
        if doc is not None and (">>>" in doc.value or "][" in doc.value or ":`" in doc.value):
            doc.value = fence_examples(doc.value)
