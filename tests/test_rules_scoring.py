"""Every scoring rule of the national pack, with literal form rows."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from formdsl import parse_form
from xltools.core.model import Cell, Indicator, Measure
from xltools.core.rulepack import load_rulepack
from xltools.core.scoring import (
    candidate_scores, execution, grade, score_indicator, score_measures, score_values,
)

NATIONAL = load_rulepack()
LINEAR = replace(NATIONAL, reverse_formula="linear")


def row(level2, target, actual, weight, score=None, pack=NATIONAL):
    ind = Indicator("产出指标", level2, "测试指标", Cell(target), Cell(actual), Cell(weight),
                    Cell(score))
    return score_indicator(ind, pack)


@pytest.mark.parametrize("target, actual, expected, met", [
    ("≥10次", "11次", "10", True),          # met → full
    ("≧85%", "80%", "9.41", False),          # 10 × 80 ÷ 85
    ("≧1个", "0", "0", False),               # actual 0 on a positive target
    ("大于等于90%以上", "90%", "10", True),
    ("≥95%", "0.95", "10", True),            # a fraction typed into an unformatted cell
])
def test_positive(target, actual, expected, met):
    ir = row("数量指标", target, actual, "10")
    assert (ir.score, ir.met, ir.rule) == (D(expected), met, "positive")


def test_reverse_ratio_and_linear():
    assert row("成本指标", "≤90万元", "120万元", "5").score == D("3.75")          # 5 × 90 ÷ 120
    assert row("成本指标", "≤90万元", "120万元", "5", pack=LINEAR).score == D("3.33")  # 5 × (1 − 30/90)
    assert row("成本指标", "≤90万元", "200万元", "5", pack=LINEAR).score == D("0.00")  # floored at 0
    met = row("成本指标", "≤90万元", "90", "5")
    assert (met.score, met.met, met.rule) == (D(5), True, "reverse_ratio")


def test_reverse_converts_yuan_and_wanyuan():
    assert row("成本指标", "≤1万元", "12000元", "6").score == D("5.00")


def test_equal_and_zero_target():
    assert row("质量指标", "=100%", "90%", "10").rule == "equal"
    assert row("质量指标", "=100%", "90%", "10").score == D("9.00")
    zero_ok = row("质量指标", "=0", "0", "4")
    zero_bad = row("质量指标", "=0", "2", "4")
    assert (zero_ok.score, zero_ok.met, zero_ok.rule) == (D(4), True, "zero")
    assert (zero_bad.score, zero_bad.met) == (D(0), False)


def test_strict_bounds_are_thresholds():
    assert row("质量指标", "小于0.9‰", "0.9‰", "5").score == D(0)
    assert row("质量指标", "小于0.9‰", "0.5‰", "5").rule == "strict_lt"
    assert row("质量指标", "小于0.9‰", "0.5‰", "5").score == D(5)
    assert row("数量指标", "＞100人", "101人", "5").rule == "strict_gt"


def test_deadline_met_missed_and_proportional():
    met = row("时效指标", "2023年12月", "2023年10月", "5")
    late = row("时效指标", "2020年12月底前", "2021年3月", "5")
    assert (met.score, met.met, met.rule) == (D(5), True, "deadline")
    assert (late.score, late.met) == (D(0), False)
    prop = row("时效指标", "2020年12月底前", "2021年3月", "5",
               pack=replace(NATIONAL, deadline_formula="proportional"))
    assert prop.score == D("3.77")  # 31 Dec → 31 Mar: 5 × (1 − 90/365)


@pytest.mark.parametrize("level2, target, actual, rule, met", [
    ("成本指标", "13", "13", "reverse_ratio", True),
    ("成本指标", "150万元", "160万元", "reverse_ratio", False),
    ("时效指标", "1年", "1年", "reverse_ratio", True),
    ("时效指标", "1年", "2年", "reverse_ratio", False),
    ("质量指标", "100%", "90%", "positive", False),
    ("数量指标", "8755", "8676", "positive", False),
    ("服务对象满意度指标", "95%", "96%", "positive", True),
])
def test_bare_values_default_by_level2(level2, target, actual, rule, met):
    ir = row(level2, target, actual, "10")
    assert (ir.rule, ir.met) == (rule, met)


@pytest.mark.parametrize("actual, reported, band, score", [
    ("95%", "15", ("12", "15"), "15"),            # 有一定增强 → 95 %: top band
    ("达成预期指标", "13", ("12", "15"), "13"),
    ("部分完成", "14", ("9", "12"), "11.99"),      # clamped below 80 %
    ("未完成", "12", ("0", "9"), "8.99"),
    ("70%", "10", ("9", "12"), "10"),
    ("50%", None, ("0", "9"), None),               # no reported score → no score
])
def test_qualitative_bands(actual, reported, band, score):
    ir = row("社会效益指标", "有一定增强", actual, "15", reported)
    assert ir.rule == "qualitative" and ir.met is None
    assert ir.band == (D(band[0]), D(band[1]))
    assert ir.score == (None if score is None else D(score))


def test_qualitative_equal_text_is_top_band_and_unknown_text_has_no_band():
    assert row("社会效益指标", "有效", "有效", "10", "9").band == (D(8), D(10))
    unknown = row("社会效益指标", "有一定增强", "见附件", "10", "9")
    assert unknown.band is None and unknown.score is None


@pytest.mark.parametrize("grade_text, score", [("优", "10"), ("良", "8"), ("中", "6"), ("低", "4"), ("差", "2")])
def test_five_grade(grade_text, score):
    ir = row("质量指标", "优良中低差", grade_text, "10")
    assert (ir.rule, ir.score) == ("five_grade", D(score))


def test_not_applicable_rows_carry_no_weight():
    ir = row("经济效益指标", "/", "/", "/")
    assert (ir.applicable, ir.weight, ir.score, ir.rule) == (False, None, None, "not_applicable")
    blank = row("数量指标", None, None, None)
    assert blank.applicable is False


def test_numeric_target_with_text_actual_is_not_comparable():
    ir = row("经济成本指标", "≤30万元", "完成", "90", "90")
    assert (ir.score, ir.rule, ir.applicable) == (None, "not_comparable", True)


@pytest.mark.parametrize("total, expected", [
    ("59.99", "差"), ("60", "中"), ("79.99", "中"), ("80", "良"), ("89.99", "良"), ("90", "优"), ("100", "优"),
])
def test_grades_half_open(total, expected):
    assert grade(D(total), NATIONAL) == expected


def test_budget_score_rounded_half_up():
    culture = parse_form("年度资金总额 | 1060.58 | 1060.58 | 805.51 | 10 | 76% | 7.6")
    assert execution(culture, NATIONAL).score == D("7.60")
    low = parse_form("年度资金总额 | 100 | 100 | 59 | 10 | 59% | 5.9")
    assert execution(low, NATIONAL).score == D("5.90")
    over = parse_form("年度资金总额 | 100 | 100 | 120 | 10 | 120% | 10")
    assert execution(over, NATIONAL).score == D(10)


def test_budget_rate_uses_budget_not_initial_budget():
    sichuan = parse_form("年度资金总额 | 0.00 | 3.36 | 3.36 | 10 | 100% | 10")
    f = execution(sichuan, NATIONAL)
    assert (f.execution_rate, f.score, f.reported_rate) == (D(1), D(10), D(1))


def test_budget_total_row_of_zeros_is_recomputed_from_subrows():
    form = parse_form("""
    年度资金总额 | 0 | 0 | 0 | 10 | 0 | 0
    其中：本年财政拨款 | 90 | 89.974 | 89.974 | | |
    """)
    f = execution(form, NATIONAL)
    assert (f.budget, f.execution_rate, f.score) == (D("89.974"), D(1), D(10))


def test_score_values_for_udfs():
    assert score_values("≧85%", "80%", 10) == (D("9.41"), False, "positive")
    assert score_values("13", 13, "4", "成本指标") == (D(4), True, "reverse_ratio")
    assert score_values("/", "/", "/")[2] == "not_applicable"


def test_candidate_scores_name_every_rule():
    ir = row("成本指标", "115.8", "68.43", "10", "5.9")
    cands = candidate_scores(ir, NATIONAL, execution_rate=D("0.5909"))
    assert cands["positive"] == D("5.91")
    assert cands["budget_proportional"] == D("5.91")
    assert cands["reverse_ratio"] == D(10) and cands["full"] == D(10) and cands["zero_score"] == D(0)


def test_platform_deviation_costs_two_points():
    pack = load_rulepack("platform_example")
    assert row("数量指标", "≥100场次", "160场次", "5", pack=pack).score == D(3)
    assert row("数量指标", "≥100场次", "120场次", "5", pack=pack).score == D(5)
    assert row("数量指标", "≥100场次", "160场次", "5").score == D(5)  # national: no deviation rule


def test_score_measures_accepts_measures_directly():
    t = Measure("number", "≥10次", ">=", D(10), "次")
    a = Measure("number", "5次", None, D(5), "次")
    assert score_measures(t, a, D(10), "数量指标", NATIONAL)[:3] == (D("5.00"), False, "positive")


def test_bare_zero_target_uses_the_zero_rule():
    from xltools.core.scoring import score_values

    # 粮食安全事件发生数 | 0起 | 2起 | 5  → the event happened: 0 points, not "≥ 0 met"
    assert score_values("0起", "2起", 5) == (D("0.00"), False, "zero")
    assert score_values("0起", "0起", 5)[1:] == (True, "zero")
    # an explicit ≥0 stays a (trivially met) positive target
    assert score_values("≥0", "2", 5)[1:] == (True, "positive")
