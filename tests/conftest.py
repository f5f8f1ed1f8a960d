"""Shared test setup: the tests folder is importable (the op table lives in ``test_ops.py``), and
PyTorch is optional: parity modules take ``torch`` and the ``requires_torch`` mark from here.

Without PyTorch every parity test is still collected and skipped on its own (``requires_torch``), so
the summary counts each one, and the tests of those modules marked ``torch_free`` still run. ``torch`` is then a
stand-in whose attributes are itself, so module-level lines such as ``TF = torch.nn.functional`` load.
"""

import importlib.util
import os
import sys
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

HAVE_TORCH = importlib.util.find_spec("torch") is not None
requires_torch = pytest.mark.requires_torch  # a parity module's ``pytestmark``


def _have_dot_renderer() -> bool:
    from tinygrad_np.viz import renderer

    try:
        renderer.find_renderer()
        return True
    except renderer.RendererNotFoundError:
        return False


# the drawing tests that render SVG/PNG (the renderer is an optional install)
needs_renderer = pytest.mark.skipif(not _have_dot_renderer(), reason="no DOT renderer (graphviz-pure or dot)")
torch_free = pytest.mark.torch_free  # a test in such a module that runs without torch


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_torch: skipped (one by one) when PyTorch is not installed")
    config.addinivalue_line("markers", "torch_free: runs without PyTorch, even in a requires_torch module")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if (
        not HAVE_TORCH
        and item.get_closest_marker("requires_torch")
        and not item.get_closest_marker("torch_free")
    ):
        pytest.skip("PyTorch parity test: needs torch (pip install torch==2.13.0)")


class _NoTorch:
    """Stands in for the ``torch`` module when it is not installed (only ever used by skipped tests)."""

    def __getattr__(self, name: str) -> "_NoTorch":
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> "_NoTorch":
        return self

    def __repr__(self) -> str:
        return "<torch: not installed>"


def __getattr__(name: str) -> Any:
    """``from conftest import torch``: imported on first use, so torch-free test runs stay fast."""
    if name == "torch":
        if not HAVE_TORCH:
            return _NoTorch()
        import torch

        return torch
    raise AttributeError(name)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded NumPy generator, fresh for each test."""
    return np.random.default_rng(0)
