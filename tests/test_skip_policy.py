"""The skip policy (tests/skip_policy.py) run on small test files with pytester, and the
reference copies the suite reads instead of the shared reference folder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

import skip_policy
from lo import SOFFICE_MISSING

TESTS = Path(__file__).resolve().parent

CONFTEST = "from skip_policy import pytest_make_collect_report, pytest_runtest_makereport\n"
SAMPLE = f'''
import pytest

def test_passes():
    assert 1 + 1 == 2

@pytest.mark.skipif(True, reason="{SOFFICE_MISSING}")
def test_needs_libreoffice():
    pass

def test_needs_shared():
    pytest.skip("the reference folder is not available on this machine")

@pytest.fixture
def data():
    pytest.skip("no data")

def test_fixture_skips(data):
    pass

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False
'''


@pytest.fixture
def suite(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_sample=SAMPLE)
    return pytester


def test_without_ci_skips_stay_skips(suite, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    suite.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, skipped=3, xfailed=1)


def test_in_ci_only_a_libreoffice_skip_on_a_machine_without_soffice_passes(suite, monkeypatch):
    monkeypatch.setenv("CI", "1")
    monkeypatch.setattr(skip_policy, "soffice_available", lambda: False)
    result = suite.runpytest("-p", "no:cacheprovider")
    # the skip inside a fixture fails at setup: an error
    result.assert_outcomes(passed=1, skipped=1, failed=1, errors=1, xfailed=1)
    result.stdout.fnmatch_lines(["*test_needs_shared*", "*the reference folder is not available*only a test that "
                                 "needs LibreOffice may skip*"])
    assert result.ret != 0


def test_in_ci_a_libreoffice_skip_fails_where_soffice_is_installed(suite, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(skip_policy, "soffice_available", lambda: True)
    result = suite.runpytest("-p", "no:cacheprovider")
    # a skipif marker and a fixture skip at setup (errors); pytest.skip in the body fails
    result.assert_outcomes(passed=1, failed=1, errors=2, xfailed=1)
    result.stdout.fnmatch_lines(["ERROR*test_needs_libreoffice*LibreOffice (soffice) is not installed*"])


def test_in_ci_a_module_skipped_at_collection_fails(pytester, monkeypatch):
    monkeypatch.setenv("CI", "1")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_mod='import pytest\npytest.importorskip("no_such_module_xyz")\n'
                                 'def test_a():\n    pass\n')
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*no_such_module_xyz*"])
    assert result.parseoutcomes().get("skipped", 0) == 0


@pytest.mark.parametrize("reason, missing, allowed", [
    ("Skipped: LibreOffice (soffice) is not installed", True, True),
    ("LibreOffice is not installed", True, True),
    ("needs LibreOffice (soffice) and poppler-utils (pdftoppm)", True, True),
    ("LibreOffice (soffice) is not installed", False, False),
    ("the reference folder is not available on this machine", True, False),
    ("the run ended before the signal", True, False),
])
def test_skip_allowed(reason, missing, allowed):
    assert skip_policy.skip_allowed(reason, soffice_missing=missing) is allowed


def test_reference_copies_match_their_provenance_note():
    """Every file listed in tests/fixtures/README.md is there with the hash the note gives."""
    note = (TESTS / "fixtures" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(reference/[^`]+)` \| `([^`]+)` \| `([0-9a-f]{64})` \|", note, re.M)
    assert len(rows) == 3
    listed = set()
    for rel, source, digest in rows:
        path = TESTS / "fixtures" / rel
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, rel
        assert source.startswith("shared/") and Path(source).name == path.name
        listed.add(path)
    assert listed == {p for p in (TESTS / "fixtures" / "reference").rglob("*") if p.is_file()}


def test_no_test_reads_the_shared_folder(seed_path, real_forms_path):
    """The fixtures point into tests/fixtures, and nothing under tests/ builds a path to
    the shared reference folder (``/ "shared"``, a relative path into it) or reads its variable."""
    assert seed_path.is_relative_to(TESTS / "fixtures") and seed_path.is_file()
    assert real_forms_path.is_relative_to(TESTS / "fixtures") and real_forms_path.is_file()
    pattern = re.compile(r"""/\s*["']shared["']|["']\.\./shared/|XLTOOLS[_]SHARED""")
    offenders = [p.relative_to(TESTS).as_posix() for p in TESTS.rglob("*.py")
                 if p.name != Path(__file__).name and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_ci_run_turns_the_policy_on_before_running_the_tests():
    """.ci/run exports CI (and -rs, listing each skip's reason) before the README's test command."""
    lines = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    run = next(i for i, line in enumerate(lines) if "-m pytest" in line and not line.startswith("#"))
    exports = [line for line in lines[:run] if line.startswith("export ")]
    assert any(re.fullmatch(r'export CI="\$\{CI:-1\}"', line) for line in exports)
    assert any("PYTEST_ADDOPTS" in line and "-rs" in line for line in exports)
