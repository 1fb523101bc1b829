"""Shared test fixtures.

``../shared`` (the seed forms and real forms) exists on development machines and in CI only; it is
read, never written. Every test writes its files to pytest's ``tmp_path``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("XLTOOLS_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not available on this machine")
    return SHARED


@pytest.fixture(scope="session")
def seed_path(shared_dir: Path) -> Path:
    return shared_dir / "seed" / "000_1da36edc9b667a9e.txt"


@pytest.fixture(scope="session")
def real_forms_path(shared_dir: Path) -> Path:
    return shared_dir / "forms" / "real_forms.json"
