"""Shared test setup: the tests folder is importable (the op table lives in ``test_ops.py``)."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded NumPy generator, fresh for each test."""
    return np.random.default_rng(0)
