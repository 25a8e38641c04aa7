"""Shared fixtures: the repository root, and PyTorch as an oracle where it is installed."""

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def torch():
    """PyTorch in float64, or a skip with the reason (``make test`` installs torch==2.13.0)."""
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here: pip install torch==2.13.0")
    torch.set_default_dtype(torch.float64)
    return torch
