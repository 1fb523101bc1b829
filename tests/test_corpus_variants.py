"""Variants of the real forms (tests/corpus/variants.py) read as well as the forms themselves.

Each variant (another header wording, line breaks and two-row headers, repeated or merged
labels, an offset, two forms on a sheet, amounts in 元, a footer) is written to .xlsx, read and
scored by xltools, and compared with the form's hand-written expectations transformed the same
way. The bar is the corpus's: found, ≥ 95 % exact, clear misses ``met=false``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS))

import coverage  # noqa: E402
import render  # noqa: E402
import variants  # noqa: E402

FORMS = [f for f in render.load_corpus() if coverage.scored(f)]


def test_variants_transform_layout_and_expectations():
    form = next(f for f in FORMS if f["id"].startswith("xinjiang-changji-3"))
    grid = render.place(form["layout"]["rows"])
    texts = {p.text for p in grid.cells.values()}
    # wording: 全年执行数 becomes another wording of the same column
    worded = {p.text for p in variants.wording(grid).cells.values()}
    assert "全年执行数" in texts and "全年执行数" not in worded and "全年执行数(B)" in worded
    # two-row header: 年度指标值-like headers split, one more row
    two = variants.two_row(grid)
    assert two.height == grid.height + 1
    # 元: amounts ×10000, 万元 declared as 元, expectations follow
    g, exp = variants.yuan(grid, form["expected"])
    assert "10605800" in {p.text for p in g.cells.values()}
    assert exp["money_unit"] == "元" and exp["funds"]["budget"] == "10605800"
    assert any("（元）" in p.text or "(元)" in p.text for p in g.cells.values())
    # repeated labels: 产出指标's block label written on each of its rows
    rep = variants.repeated(grid)
    assert sum(p.text == "效益指标" for p in rep.cells.values()) > 1
    # two forms on one sheet: both expected
    v = variants.make_variant(form, "two_forms", FORMS[0])
    assert len(v.expected) == 2 and v.grids[1][1] > grid.height


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    out = tmp_path_factory.mktemp("variants")
    by_kind: dict[str, coverage.Totals] = defaultdict(coverage.Totals)
    problems: dict[str, list[str]] = defaultdict(list)
    for v in variants.all_variants(FORMS):
        path = variants.write_variant(v, out)
        for fs in coverage.score_path(path, v.expected, v.form_id, v.province):
            by_kind[v.kind].add(fs)
            problems[v.kind] += [f"{v.id}: {p}" for p in fs.problems[:2]]
    return by_kind, problems


@pytest.mark.parametrize("kind", variants.KINDS)
def test_variant_reads_like_the_form(measured, kind):
    by_kind, problems = measured
    t = by_kind[kind]
    assert t.forms > 0, f"no {kind} variant was made"
    detail = "\n".join(problems[kind][:30])
    assert t.found == t.forms, f"{kind}: found {t.found}/{t.forms}\n{detail}"
    assert t.funds_exact >= Decimal("0.95") * t.funds, f"{kind}: funds {t.funds_exact}/{t.funds}\n{detail}"
    assert t.rows_exact >= Decimal("0.95") * (t.rows + t.rows_extra), \
        f"{kind}: rows {t.rows_exact}/{t.rows} (+{t.rows_extra})\n{detail}"
    assert t.totals_exact >= Decimal("0.95") * t.totals, f"{kind}: totals {t.totals_exact}/{t.totals}\n{detail}"
    assert t.misses_flagged == t.misses, f"{kind}: misses {t.misses_flagged}/{t.misses}\n{detail}"
