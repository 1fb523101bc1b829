"""Real published forms (tests/fixtures/reference/forms/real_forms.json, copied from the shared reference): the audit raises their known inconsistencies."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from formdsl import form_from_rows
from xltools.core.engine import evaluate

FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")


def rows_of(real: dict) -> list[list[str]]:
    rows = [["项目名称", real["project_name"]]]
    for label, cells in real["funds"].items():
        if isinstance(cells, dict):
            rows.append([label, *[cells.get(k) or "" for k in FUND_COLUMNS]])
    for ind in real["indicators"]:
        rows.append([ind["level1"], ind["level2"], ind["level3"], ind["target"] or "", ind["actual"] or "",
                     ind["weight"] or "", ind["score"] or "", ind["deviation_note"] or ""])
    if real.get("total_score"):
        rows.append(["总分", "100", real["total_score"]])
    return rows


@pytest.fixture(scope="module")
def real(real_forms_path):
    forms = json.loads(real_forms_path.read_text(encoding="utf-8"))
    return {f["id"]: evaluate(form_from_rows(rows_of(f), file=f"{f['id']}.xlsx")) for f in forms if f["id"] in ("F01", "F06")}


def by_code(result, code):
    return [f for f in result.findings if f.code == code]


def test_f01_known_inconsistencies(real):
    r = real["F01"]
    [budget] = by_code(r, "BUDGET_SCORE_MISMATCH")                    # 99 % → 9
    assert (budget.expected, budget.reported) == ("9.91", "9")
    [count] = [f for f in by_code(r, "SCORE_MISMATCH") if "参合人数" in f.indicator]
    assert (count.expected, count.reported) == ("14.86", "13")        # 8676 ÷ 8755 × 15
    no_reason = {f.indicator for f in by_code(r, "DEDUCTION_WITHOUT_REASON")}
    assert no_reason == {"指标1:是否解决建档立卡人员看病难贵问题", "指标1:是否满意"}
    [total] = by_code(r, "TOTAL_SUM_MISMATCH")                        # 93 vs 94
    assert (total.expected, total.reported) == ("93", "94")
    assert not by_code(r, "LEVEL1_DECLARED_WEIGHT_MISMATCH")          # (50分)/(30分)/(10分) hold


def test_f06_zero_total_row_is_recomputed(real):
    r = real["F06"]
    assert r.funds.execution_rate == D(1) and r.funds.score == D(10)
    assert by_code(r, "FUNDS_TOTAL_RECOMPUTED")
    assert by_code(r, "BUDGET_SCORE_MISMATCH")[0].reported == "0"
    cost = next(ir for ir in r.indicators if ir.indicator.name == "项目总成本")   # ≤90万元 → 90: met
    assert (cost.met, cost.score) == (True, D(8))
    assert all(ir.band == (D("6.4"), D(8)) for ir in r.indicators if ir.indicator.name == "经费支出合规性")
