"""The corpus of real forms (tests/corpus): its data is sound, and xltools reads it (issue 11).

The reading thresholds are the issue's done criteria: every corpus form found, at least 95 % of
funds, indicator rows and totals exact, every clear miss ``met=false``. The expectations were
written by hand from each published form (see tests/corpus/README.md).
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS))

import coverage  # noqa: E402
import render  # noqa: E402

FORMS = render.load_corpus()
SCORED = [f for f in FORMS if coverage.scored(f)]


def _texts(form: dict) -> list[str]:
    return [p.text for p in render.place(form["layout"]["rows"]).cells.values()]


# --- the data ------------------------------------------------------------------------------------

# Issue 11 asks for 40 forms from 15 provinces. The published pages the search index holds gave
# 41 forms from 12 (tests/corpus/README.md says what was searched and rejected), so the province
# target is not met yet; these floors are what the corpus holds now, and it may only grow.
FORMS_FLOOR, PROVINCES_FLOOR, PROVINCES_TARGET = 40, 12, 15


def test_corpus_size_and_spread():
    provinces = {f["province"] for f in FORMS}
    assert len(FORMS) >= FORMS_FLOOR, f"{len(FORMS)} forms in the corpus, {FORMS_FLOOR} wanted"
    assert len(provinces) >= PROVINCES_FLOOR, (
        f"{len(provinces)} provinces ({sorted(provinces)}); at least {PROVINCES_FLOOR}, "
        f"{PROVINCES_TARGET} wanted")


@pytest.mark.parametrize("form", FORMS, ids=[f["id"] for f in FORMS])
def test_form_has_source_and_hand_written_expectations(form):
    src = form["source"]
    assert re.match(r"(https?://|\.\./shared/)", src["url"]), src["url"]
    assert src["title"].strip()
    assert form["province"].strip()
    assert form["layout"]["rows"], "no layout"
    exp = form["expected"]
    for key in ("project", "department", "year", "funds", "indicators", "total", "misses"):
        assert key in exp, key
    if form.get("readable", True) and not form.get("fragment"):
        assert exp["project"] and exp["indicators"], "a whole form names its project and rows"
    names = [row["name"] for row in exp["indicators"]]
    for row in exp["indicators"]:
        assert set(row) >= {"level1", "level2", "name", "target", "actual", "weight", "score"}
    assert set(exp["misses"]) <= set(names), "a miss must be one of the indicator rows"
    if exp["funds"]:
        assert "budget" in exp["funds"] and "executed" in exp["funds"]


def _squash(text) -> str:
    return re.sub(r"\s+", "", str(text or ""))


@pytest.mark.parametrize("form", FORMS, ids=[f["id"] for f in FORMS])
def test_expectations_are_in_the_layout(form):
    """Every expected string was transcribed: it is a cell of the layout (or split targets joined)."""
    cells = {_squash(t) for t in _texts(form)}
    joined = "".join(_squash(t) for t in _texts(form))
    exp = form["expected"]
    if exp["project"]:
        assert any(_squash(exp["project"]) in c for c in cells), exp["project"]
    for row in exp["indicators"]:
        assert _squash(row["name"]) in cells, row["name"]
        for key in ("target", "actual", "weight", "score"):
            value = _squash(row.get(key))
            if value:
                assert value in cells or value in joined, (row["name"], key, row[key])
    for key in ("budget", "executed", "weight", "score", "rate"):
        value = _squash((exp["funds"] or {}).get(key))
        if value:
            assert value in cells, (key, value)
    if exp["total"]:  # a cell of its own, or written with its label (自评总分: 95)
        total = _squash(exp["total"])
        assert total in cells or any(total in c and "总分" in c for c in cells), exp["total"]


def test_render_keeps_texts_and_merges(tmp_path):
    import docx
    from openpyxl import load_workbook

    form = next(f for f in FORMS if f.get("published_as") == "docx")
    grid = render.place(form["layout"]["rows"])
    xlsx, docx_path = render.render_form(form, tmp_path, 4)
    ws = load_workbook(xlsx).active
    merged = {str(m) for m in ws.merged_cells.ranges}
    from openpyxl.utils import get_column_letter as col

    for r1, c1, r2, c2 in grid.merges:
        assert f"{col(c1 + 1)}{r1 + 1}:{col(c2 + 1)}{r2 + 1}" in merged
    for (r, c), cell in grid.cells.items():
        value = ws.cell(row=r + 1, column=c + 1).value
        if cell.text:
            assert str(value) == cell.text or Decimal(str(value)) == Decimal(cell.text)
    table = docx.Document(docx_path).tables[0]
    assert len(table.rows) == grid.height and len(table.columns) == grid.width
    for (r, c), cell in grid.cells.items():
        assert table.cell(r, c).text == cell.text


# --- reading it ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def measured():
    return coverage.measure()


def _detail(scores, attr_ok) -> str:
    return "\n".join(f"{fs.file}: {'; '.join(fs.problems[:4])}" for fs in scores if not attr_ok(fs))[:6000]


def test_every_corpus_form_is_found(measured):
    scores, _, overall = measured
    assert overall.found == overall.forms, _detail(scores, lambda fs: fs.found)


def test_funds_exact(measured):
    scores, _, overall = measured
    assert overall.funds_exact >= Decimal("0.95") * overall.funds, \
        f"{overall.funds_exact}/{overall.funds}\n" + _detail(scores, lambda fs: fs.funds_exact or not fs.funds_expected)


def test_indicator_rows_exact(measured):
    scores, _, overall = measured
    assert overall.rows_exact >= Decimal("0.95") * (overall.rows + overall.rows_extra), \
        f"{overall.rows_exact}/{overall.rows} (+{overall.rows_extra} read that are not indicators)\n" + \
        _detail(scores, lambda fs: fs.rows_exact == fs.rows_expected and not fs.rows_extra)


def test_totals_exact(measured):
    scores, _, overall = measured
    assert overall.totals_exact >= Decimal("0.95") * overall.totals, \
        f"{overall.totals_exact}/{overall.totals}\n" + _detail(scores, lambda fs: fs.total_exact or not fs.total_expected)


def test_every_clear_miss_is_flagged(measured):
    scores, _, overall = measured
    assert overall.misses_flagged == overall.misses, \
        _detail(scores, lambda fs: fs.misses_flagged == fs.misses)
