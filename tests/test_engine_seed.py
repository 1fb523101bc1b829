"""End to end: the six real forms of the seed file, typed into the form notation, through the engine.

The seed text (a copy with its provenance: tests/fixtures/reference/seed/README.md) is one Word table per form: a line starting with a
tab is a cell, a line without one continues the cell above, an empty line ends a row.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from formdsl import form_from_rows
from xltools.core.engine import evaluate
from xltools.core.rulepack import load_rulepack


def seed_tables(text: str) -> list[list[list[str]]]:
    """Seed text → tables → rows → cell texts."""
    tables: list[list[list[str]]] = []
    row: list[str] = []
    for line in text.splitlines():
        if line.startswith("[bookmark"):
            continue
        if line.startswith("\t"):
            row.append(line[1:])
        elif line.strip() and row:
            row[-1] += "\n" + line
        elif not line.strip() and row:
            if row[0].strip() == "项目支出绩效自评表":
                tables.append([])
            if tables:
                tables[-1].append(row)
            row = []
    return tables


def notation_rows(table: list[list[str]]) -> list[list[str]]:
    """The table's rows in the form notation; rows the notation has no use for become ``[]``."""
    out: list[list[str]] = []
    for cells in table:
        cells = [c.strip() for c in cells]
        first = cells[0]
        if first == "项目名称":
            out.append(cells[:2])
        elif first == "主管部门":
            out.append(["主管部门", cells[1]])
            out.append(["实施单位", cells[3]] if len(cells) > 3 else [])
            continue
        elif first.startswith("项目资金"):
            out.append(["".join(first.split())])
        elif first == "总分":
            out.append(cells)
        elif not first and len(cells) > 2 and ("资金" in cells[1] or "拨款" in cells[1]):
            values = cells[2:]
            if len(values) == 7:  # the split cell of 新闻出版: 5 | 5 | (empty) | 5 | …
                values.pop(values.index("", 2) if "" in values[2:] else 2)
            out.append([cells[1], *values])
        elif not first and len(cells) == 9 and "一级指标" not in cells and "指标值" not in cells:
            out.append(cells[1:])
        else:
            out.append([])
        if first == "主管部门":
            continue
    return out


@pytest.fixture(scope="module")
def seed_forms(seed_path):
    tables = seed_tables(seed_path.read_text(encoding="utf-8"))
    return [form_from_rows(notation_rows(t), file="seed.docx", sheet=f"表{i}")
            for i, t in enumerate(tables, start=1)]


@pytest.fixture(scope="module")
def results(seed_forms):
    pack = load_rulepack()
    return {r.project: r for r in (evaluate(f, pack) for f in seed_forms)}


def codes(result, code):
    return [f for f in result.findings if f.code == code]


def test_six_forms_with_their_reported_totals(results):
    assert [r.reported_total for r in results.values()] == [
        Decimal(100), Decimal(100), Decimal("87.6"), Decimal(100), Decimal(100), Decimal("91.8")]


def test_reported_totals_add_up_everywhere(results):
    assert all(not codes(r, "TOTAL_SUM_MISMATCH") for r in results.values())


def test_clean_forms_recompute_to_100_and_grade_you(results):
    for name in ("访惠聚经费", "宣传片、纪录片创作经费", "新闻出版电影放映工作经费", "续费升级州直机关正版办公软件项目"):
        r = results[name]
        assert r.total == Decimal(100), name
        assert r.grade == "优"
        assert r.count("error") == 0 and r.count("warning") == 0, [f.message for f in r.findings]


def test_news_form_survives_the_split_funds_cell(results):
    f = results["新闻出版电影放映工作经费"].funds
    assert (f.budget, f.executed, f.execution_rate, f.score) == (Decimal(5), Decimal(5), Decimal(1), Decimal(10))


def test_culture_form_budget_and_mixed_cost_rules(results):
    r = results["文化强州专项资金"]
    assert r.funds.score == Decimal("7.60")
    assert not codes(r, "BUDGET_SCORE_MISMATCH")
    mixed = codes(r, "MIXED_RULES")
    assert len(mixed) == 1
    assert mixed[0].indicator == "全民志愿服务工作成本概算"
    assert "宣传文化工作成本概算" in mixed[0].message
    assert codes(r, "LEVEL1_INFERRED")[0].expected == "产出指标"
    assert r.grade == "良" and r.total == Decimal("89.60")


def test_level1_weight_deviations_are_information(results):
    reported = {name: [f.reported for f in codes(r, "LEVEL1_WEIGHTS_NONSTANDARD")] for name, r in results.items()}
    assert reported["文化强州专项资金"] == ["70/10/10/10"]
    assert reported["新闻出版电影放映工作经费"] == ["47/33/10/10"]
    assert reported["疫情防控宣传补助经费"] == ["55/25/10/10"]
    assert reported["访惠聚经费"] == []
    assert all(f.severity == "info" for r in results.values() for f in codes(r, "LEVEL1_WEIGHTS_NONSTANDARD"))
    assert all(not codes(r, "WEIGHTS_NOT_100") for r in results.values())


def test_epidemic_satisfaction_full_score_on_missed_target(results, seed_forms):
    r = results["疫情防控宣传补助经费"]
    [err] = codes(r, "MISSED_TARGET_FULL_SCORE")
    row = next(i for i in seed_forms[5].indicators if i.name == "群众对疫情防控宣传工作的满意度（%）")
    assert err.severity == "error"
    assert err.location == row.score.source and err.location.sheet == "表6"
    assert (err.expected, err.reported) == ("9.41", "10")


def test_epidemic_cost_row_matches_budget_proportional_rule(results):
    r = results["疫情防控宣传补助经费"]
    [mismatch] = [f for f in codes(r, "SCORE_MISMATCH") if f.indicator == "严格控制疫情防控宣传工作经费成本"]
    assert "分值×预算执行率" in mismatch.message and "正向比例" in mismatch.message
    assert (mismatch.expected, mismatch.reported) == ("10", "5.9")
    assert r.funds.score == Decimal("5.91") and not codes(r, "BUDGET_SCORE_MISMATCH")


def test_epidemic_under_platform_pack_is_capped(seed_forms):
    r = evaluate(seed_forms[5], load_rulepack("platform_example"))
    assert r.total == Decimal(69)
    assert codes(r, "TOTAL_ABOVE_CAP")[0].expected == "≤69"


def test_findings_are_sorted_errors_first(results):
    for r in results.values():
        ranks = [{"error": 0, "warning": 1, "info": 2}[f.severity] for f in r.findings]
        assert ranks == sorted(ranks)
        assert all(f.project == r.project for f in r.findings)
