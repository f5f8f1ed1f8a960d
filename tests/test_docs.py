"""The documentation: every code block runs, and the site builds.

Each ``pycon``/``python`` fenced block of a page under ``docs/`` is a doctest
(``>>>`` examples with their output). Lines outside the code blocks are blanked
(not removed), so a failure reports the page's real line number. Blocks of a page
share one namespace, as a reader running the page top to bottom would.
"""

from __future__ import annotations

import doctest
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# the site's pages; the README's python blocks are run on their own below
PAGES = sorted(p for p in DOCS.rglob("*.md") if "site" not in p.relative_to(DOCS).parts)
FENCE = re.compile(r"^\s*```+\s*(\w*)")
DOCTEST_LANGS = {"pycon", "python", "py"}
# page -> the optional packages its examples import (skipped with a reason without them)
NEEDS = {"leaving.md": ("onnx", "onnxruntime", "torch")}


def code_only(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """The page with everything outside python code blocks blanked, and the blocks found.

    Returns ``(text, blocks)`` where blocks are ``(first line number, language, body)``.
    """
    out: list[str] = []
    blocks: list[tuple[int, str, str]] = []
    lang: str | None = None
    start, body = 0, []
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m and lang is None:
            lang, start, body = m.group(1).lower(), n + 1, []
            out.append("")
        elif m and lang is not None:
            blocks.append((start, lang, "\n".join(body)))
            lang = None
            out.append("")
        elif lang in DOCTEST_LANGS:
            out.append(line)
            body.append(line)
        else:
            if lang is not None:
                body.append(line)
            out.append("")
    return "\n".join(out) + "\n", blocks


def run_page(path: Path) -> doctest.TestResults:
    text, _ = code_only(path.read_text(encoding="utf-8"))
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"__name__": "__docs__"}, path.name, str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda s: sys.stdout.write(s))
    return runner.summarize(verbose=False)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_examples_run(page):
    for module in NEEDS.get(page.name, ()):
        pytest.importorskip(module, reason=f"{page.name} runs {module} (the [onnx] extra and PyTorch)")
    result = run_page(page)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {page}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_python_block_is_a_doctest(page):
    """A python block without ``>>>`` would never be run: the rule is every code block runs."""
    _, blocks = code_only(page.read_text(encoding="utf-8"))
    for line, lang, body in blocks:
        if lang in DOCTEST_LANGS:
            assert ">>>" in body, (
                f"{page.name}:{line}: a {lang} block with no >>> examples would not be tested"
            )


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    """The README's python blocks run as scripts, top to bottom."""
    page = DOCS.parent / "README.md"
    _, blocks = code_only(page.read_text(encoding="utf-8"))
    code = [body for _, lang, body in blocks if lang == "python"]
    assert code, "README.md should have a python example"
    monkeypatch.chdir(tmp_path)
    for body in code:
        exec(compile(body, str(page), "exec"), {"__name__": "__readme__"})


def test_code_only_keeps_line_numbers():
    text = "intro\n```pycon\n>>> 1 + 1\n2\n```\nafter\n```bash\nls\n```\n"
    blanked, blocks = code_only(text)
    assert blanked.splitlines()[2] == ">>> 1 + 1"
    assert blanked.splitlines()[6] == ""  # bash is not python
    assert blocks == [(3, "pycon", ">>> 1 + 1\n2"), (8, "bash", "ls")]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """The site, built once with ``mkdocs build --strict``; (return code, output, site dir)."""
    pytest.importorskip("mkdocs", reason="the docs build needs mkdocs (the [docs] extra)")
    pytest.importorskip("material", reason="the docs build needs mkdocs-material (the [docs] extra)")
    pytest.importorskip("mkdocstrings_handlers.python", reason="the docs build needs mkdocstrings[python]")
    pytest.importorskip("mkdocs_jupyter", reason="the notebooks need mkdocs-jupyter (the [docs] extra)")
    exe = shutil.which("mkdocs") or str(Path(sys.executable).with_name("mkdocs"))
    if not Path(exe).exists():
        pytest.skip("the mkdocs command is not installed")
    site = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [exe, "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr, site


def test_mkdocs_build_strict(built_site):
    """``mkdocs build --strict``: no broken links, no docstring the API pages cannot find."""
    returncode, output, site = built_site
    assert returncode == 0, output
    assert (site / "ops" / "index.html").exists()


API_BLOCK = re.compile(r"^::: ([\w.]+)\n((?:[ \t]+.*\n)*)", re.M)
MEMBERS = re.compile(r"members:\s*\[([^\]]*)\]")


def documented_objects() -> list[tuple[str, str]]:
    """(page, dotted name) for every object the pages under docs/api/ ask mkdocstrings for."""
    found = []
    for page in sorted((DOCS / "api").glob("*.md")):
        for m in API_BLOCK.finditer(page.read_text(encoding="utf-8")):
            members = MEMBERS.search(m.group(2))
            if members is None:
                found.append((page.name, m.group(1)))
            else:
                found += [(page.name, f"{m.group(1)}.{n.strip()}") for n in members.group(1).split(",")]
    return found


def test_every_documented_object_is_in_the_built_reference(built_site):
    """An object listed in docs/api/*.md that mkdocstrings silently left out (a name that
    resolves to something else, no docstring) is a missing page section: catch it."""
    returncode, output, site = built_site
    assert returncode == 0, output
    objects = documented_objects()
    assert ("viz.md", "tinygrad_np.viz.draw_graph") in objects
    missing = []
    for page, dotted in objects:
        html = (site / "api" / page[: -len(".md")] / "index.html").read_text(encoding="utf-8")
        if f'id="{dotted}"' not in html:
            missing.append(f"{page}: {dotted}")
    assert not missing, "documented but absent from the built API reference: " + ", ".join(missing)


OUTPUT_SPAN = re.compile(r'<span class="go">([^<]*)</span>')


def test_no_placeholder_output_in_built_pages(built_site):
    """Doctest output shown to readers is real output, never a ``...`` placeholder (a
    traceback's elided stack is marked up as a comment, not as output, and is fine)."""
    returncode, output, site = built_site
    assert returncode == 0, output
    bad = []
    for html in sorted(site.rglob("*.html")):
        for text in OUTPUT_SPAN.findall(html.read_text(encoding="utf-8")):
            if re.search(r"(^|\s|\[|\()\.\.\.(\s|$|,|\]|\))", text):
                bad.append(f"{html.relative_to(site)}: {text.strip()!r}")
    assert not bad, "placeholder output shown to readers:\n" + "\n".join(bad)


def test_api_reference_extension_fences_docstring_examples():
    """docs/griffe_doctests.py: docstring examples become pycon code, prose stays prose."""
    pytest.importorskip("griffe", reason="the API reference extension needs griffe (the [docs] extra)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("griffe_doctests", DOCS / "griffe_doctests.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    doc = (
        "Sum of rows, :class:`~tinygrad_np.tensor.Tensor`; out[i][j] = x.\n\n>>> f([1])\n['a', 'b']\n\nAfter."
    )
    assert mod.fence_examples(doc) == (
        "Sum of rows, `Tensor`; out[i]\\[j] = x.\n\n```pycon\n>>> f([1])\n['a', 'b']\n```\n\nAfter."
    )
    assert mod.fence_examples("```pycon\n>>> 1\n1\n```") == "```pycon\n>>> 1\n1\n```"  # already fenced


SOURCE_REF = re.compile(r"`((?:\w+/)*\w+)\.py:\s+([\w.]+)`")
# a bare `Class.member` (or `_Class.member`) in the prose: a pointer into the source too
CLASS_REF = re.compile(r"`(_?[A-Z]\w*)\.(\w+)`")


def _resolve(module: Any, dotted: str) -> str | None:
    """None if ``dotted`` names an object inside ``module``, else the first missing part."""
    obj = module
    for part in dotted.split("."):
        if not hasattr(obj, part):
            return part
        obj = getattr(obj, part)
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_source_references_exist(page):
    """Every `path/file.py: name` the docs point at is a real object of tinygrad_np."""
    import importlib

    for path, dotted in SOURCE_REF.findall(page.read_text(encoding="utf-8")):
        module = importlib.import_module("tinygrad_np." + path.replace("/", "."))
        missing = _resolve(module, dotted)
        assert missing is None, f"{page.name}: `{path}.py: {dotted}` does not exist (no {missing!r})"


def _classes_of_the_package() -> dict[str, list[type]]:
    import importlib
    import pkgutil

    import tinygrad_np

    classes: dict[str, list[type]] = {}
    for info in pkgutil.walk_packages(tinygrad_np.__path__, "tinygrad_np."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if isinstance(obj, type) and obj.__module__ == info.name:
                classes.setdefault(name, []).append(obj)
    return classes


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_class_member_pointers_exist(page):
    """A bare `_Pass.run` or `Function.apply` in the prose names a method that exists on
    the package's class of that name (pointers to renamed code, like `_Pass._call` after
    it became `_Pass._finish`, fail here)."""
    classes = _classes_of_the_package()
    for cls_name, member in CLASS_REF.findall(page.read_text(encoding="utf-8")):
        candidates = classes.get(cls_name)
        if candidates is None:
            continue  # not a class of ours (e.g. a PyTorch name)
        assert any(hasattr(c, member) for c in candidates), (
            f"{page.name}: `{cls_name}.{member}` does not exist ({cls_name} has no {member!r})"
        )
