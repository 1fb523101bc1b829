"""Shared test fixtures and the suite's skip policy.

The reference data the tests need (the seed forms and the real forms) is copied into
``tests/fixtures/reference`` with its provenance (``tests/fixtures/README.md``), so a fresh clone
runs every test; nothing here reads the shared reference folder. Every test writes its files to pytest's
``tmp_path``.

Skip policy (``tests/skip_policy.py``): only tests that need LibreOffice may skip, and only when
``soffice`` is missing; with the environment variable ``CI`` set, any other skip fails the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skip_policy import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401 (hooks)

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE = FIXTURES / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The copies of the reference material (``tests/fixtures/reference``)."""
    return REFERENCE


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return REFERENCE / "seed" / "000_1da36edc9b667a9e.txt"


@pytest.fixture(scope="session")
def real_forms_path() -> Path:
    return REFERENCE / "forms" / "real_forms.json"
