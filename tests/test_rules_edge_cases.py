"""Edge cases of the national rules (shared/docs/rules.md, notations.md) found by probing the
engine: each test quotes the rule it holds the engine to."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from formdsl import parse_form
from xltools.core.engine import evaluate
from xltools.core.notation import parse_measure
from xltools.core.rulepack import load_rulepack
from xltools.core.scoring import classify_band

NATIONAL = load_rulepack()
FUNDS = "年度资金总额 | 100 | 100 | 100 | 10 | 100% | 10\n"


def _evaluate(rows: str):
    return evaluate(parse_form(FUNDS + rows), NATIONAL)


def _codes(result) -> set[str]:
    return {f.code for f in result.findings}


def test_a_rate_or_count_on_a_timeliness_row_is_at_least():
    """rules.md: bare values are ≥ … "no later than" for 时效 durations and dates — 100% and
    12次 on a 时效指标 row are neither."""
    r = _evaluate("产出指标 | 时效指标 | 项目按时完成率 | 100% | 90% | 50 | 45 | 部分项目延期\n"
                  " | | 按月开展督查次数 | 12次 | 10次 | 40 | 33.33 | 两月未开展\n"
                  " | | 项目完成时间 | 2020年12月 | 2020年11月 | 0 | 0 | /")
    assert [(i.rule, i.met, i.score) for i in r.indicators[:2]] == [
        ("positive", False, D("45.00")), ("positive", False, D("33.33"))]
    assert r.indicators[2].rule == "deadline"  # a date there is still a deadline
    assert "SCORE_MISMATCH" not in _codes(r)


@pytest.mark.parametrize("actual, band", [
    ("未能完成", "未达成"), ("没有达成", "未达成"), ("不及时", "未达成"), ("效果不明显", "未达成"),
    ("不满意", "未达成"), ("未按期完成", "未达成"), ("未全部完成", "部分达成"),
    ("无差错", "达成"), ("零投诉", "达成"), ("未发生安全事故", "达成"),
    ("完成60%", "部分达成"), ("完成率95%", "达成"),
    ("完成", "达成"), ("不断提升", "达成"), ("基本完成", "部分达成"), ("未完成", "未达成"),
])
def test_negated_and_numeric_qualitative_actuals(actual, band):
    """rules.md: 达成/完成 … → top band; 部分… → middle; 未达成/未完成 → bottom. A negated top
    word (未能完成, 不及时) is not the top band; 无差错 is; 完成60% is banded by its value."""
    assert classify_band(parse_measure("按期完成"), parse_measure(actual), NATIONAL).name == band


def test_a_proportional_score_just_under_the_weight_is_not_full_marks():
    """rules.md: a full score on a missed target is an error — 9.96 of 10 is not full, and it is
    what the rule gives; a row weighing 0 has no marks to give."""
    r = _evaluate("产出指标 | 质量指标 | 验收合格率 | ≥100% | 99.6% | 10 | 9.96 | 个别项目返工\n"
                  " | 数量指标 | 备用指标 | ≥10次 | 5次 | 0 | 0 | 未开展")
    assert "MISSED_TARGET_FULL_SCORE" not in _codes(r)
    assert "MISSED_TARGET_FULL_SCORE" in _codes(_evaluate(
        "产出指标 | 质量指标 | 验收合格率 | ≥100% | 90% | 10 | 10 | /"))


def test_written_operators_that_differ_are_not_mixed_rules():
    """The MIXED_RULES concern is one kind of bare value scored both ways; ≥95% and ≤2% in one
    二级指标 say themselves how each row counts."""
    r = _evaluate("产出指标 | 质量指标 | 验收合格率 | ≥95% | 98% | 25 | 25 | /\n"
                  " | 质量指标 | 群众投诉率 | ≤2% | 1% | 25 | 25 | /")
    assert "MIXED_RULES" not in _codes(r)


def test_a_unitless_small_actual_against_a_ceiling_keeps_the_targets_unit():
    """notations.md: take the unit from the target; ≤2% against 0.1 is 0.1 %, met."""
    r = _evaluate("产出指标 | 质量指标 | 差错率 | ≤2% | 0.1 | 25 | 25 | /")
    assert (r.indicators[0].met, r.indicators[0].score) == (True, D("25"))


def test_date_targets_no_earlier_than_and_month_precision():
    """以后/起 is ≥ on a date; an actual known to the month meets a deadline in that month."""
    r = _evaluate("产出指标 | 时效指标 | 开工时间 | 2023年6月以后 | 2023年3月 | 20 | 0 | 提前开工\n"
                  " | | 完工时限 | 2023年12月15日 | 2023年12月 | 20 | 20 | /")
    assert [(i.met, i.score) for i in r.indicators] == [(False, D("0")), (True, D("20"))]
    assert {"SCORE_MISMATCH", "MISSED_TARGET_FULL_SCORE"}.isdisjoint(_codes(r))


def test_a_score_written_on_a_not_applicable_row_counts_in_the_sum_check():
    """rules.md: compare the reported total with the sum of the reported cells — all of them;
    the score on the "/" row is NA_ROW_WEIGHTED's finding, not a wrong sum."""
    r = _evaluate("产出指标 | 数量指标 | 举办培训次数 | ≥10次 | 12次 | 85 | 85 | /\n"
                  "效益指标 | 经济效益指标 | / | / | / | 5 | 5 | /\n"
                  "总分 | 100 | 100")
    assert "NA_ROW_WEIGHTED" in _codes(r) and "TOTAL_SUM_MISMATCH" not in _codes(r)
