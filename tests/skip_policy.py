"""The suite's skip policy, as pytest hooks (imported by ``tests/conftest.py``).

Only tests that need LibreOffice may skip, and only when ``soffice`` is missing (mark them with
``lo.requires_soffice``). With the environment variable ``CI`` set (``.ci/run`` sets it), any
other skip — or a LibreOffice skip on a machine that has ``soffice`` — is reported as a failure,
so a fresh clone in CI cannot pass while tests silently skip. Without ``CI`` skips stay skips.

    >>> skip_allowed("Skipped: LibreOffice (soffice) is not installed", soffice_missing=True)
    True
    >>> skip_allowed("LibreOffice (soffice) is not installed", soffice_missing=False)
    False
    >>> skip_allowed("the reference folder is not available", soffice_missing=True)
    False
"""

from __future__ import annotations

import os

import pytest

from lo import SOFFICE_MISSING, soffice_available

STRICT_SKIPS_ENV = "CI"
# The skip reasons CI accepts, and only on a machine without soffice: the marker's reason and
# the two older spellings of it still used by a few tests.
ALLOWED_SKIP_REASONS = (SOFFICE_MISSING, "LibreOffice is not installed",
                        "needs LibreOffice (soffice) and poppler-utils (pdftoppm)")


def skip_allowed(reason: str, soffice_missing: bool | None = None) -> bool:
    """True when a skip says LibreOffice is missing and it is (``Skipped: `` prefix tolerated)."""
    if soffice_missing is None:
        soffice_missing = not soffice_available()
    text = reason.removeprefix("Skipped: ").strip()
    return soffice_missing and text in ALLOWED_SKIP_REASONS


def strict_skips() -> bool:
    """``CI`` set to anything but empty, ``0``, ``false`` or ``no``."""
    return os.environ.get(STRICT_SKIPS_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _reason(longrepr) -> str:
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def _fail_unless_allowed(report) -> None:
    if not report.skipped or not strict_skips() or hasattr(report, "wasxfail"):
        return
    reason = _reason(report.longrepr)
    if skip_allowed(reason):
        return
    report.outcome = "failed"
    report.longrepr = (f"skipped ({reason}); with {STRICT_SKIPS_ENV} set only a test that needs "
                       f"LibreOffice may skip, and only when soffice is missing")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test (or its fixture) that skips for another reason fails in CI."""
    outcome = yield
    _fail_unless_allowed(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A module skipped at collection (``importorskip``, ``allow_module_level``) fails in CI."""
    outcome = yield
    _fail_unless_allowed(outcome.get_result())
