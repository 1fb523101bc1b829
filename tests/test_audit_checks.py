"""One test per audit check, each with the form rows that raise it (and rows that must not)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from formdsl import parse_form
from xltools.core import audit as A
from xltools.core.codes import CODES
from xltools.core.engine import evaluate
from xltools.core.model import Source
from xltools.core.rulepack import load_rulepack

NATIONAL = load_rulepack()
FUNDS = "年度资金总额 | 100 | 100 | 100 | 10 | 100% | 10\n"


def found(text, code, pack=NATIONAL, funds=FUNDS):
    result = evaluate(parse_form(funds + text), pack)
    return [f for f in result.findings if f.code == code]


def at(cell):
    return Source("test.xlsx", "表1", cell)


def test_every_raised_code_is_registered_and_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "findings.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in doc, code
    assert len(A.CHECKS) >= 30


def test_missed_target_full_score():
    [f] = found("满意度指标 | 服务对象满意度指标 | 群众满意度 | ≧85% | 80% | 10 | 10 | /", "MISSED_TARGET_FULL_SCORE")
    assert (f.severity, f.location, f.expected, f.reported) == ("error", at("G2"), "9.41", "10")
    assert f.indicator == "群众满意度" and "未完成指标值" in f.message
    assert not found("满意度指标 | 服务对象满意度指标 | 群众满意度 | ≧85% | 86% | 10 | 10 | /", "MISSED_TARGET_FULL_SCORE")


def test_score_outside_qualitative_band():
    [f] = found("效益指标 | 社会效益指标 | 影响力 | 进一步增强 | 部分完成 | 10 | 10 | 受疫情影响", "SCORE_OUTSIDE_BAND")
    assert f.expected == "6–8（不含8）" and f.location == at("G2")
    assert not found("效益指标 | 社会效益指标 | 影响力 | 进一步增强 | 部分完成 | 10 | 7 | 受疫情影响", "SCORE_OUTSIDE_BAND")
    assert found("效益指标 | 社会效益指标 | 影响力 | 有一定增强 | 95% | 15 | 11 | 略", "SCORE_OUTSIDE_BAND")


def test_score_mismatch_names_the_matching_rule():
    [f] = found("产出指标 | 成本指标 | 严格控制经费成本 | 115.8 | 68.43 | 10 | 5.9 | 款项未支付完",
                "SCORE_MISMATCH", funds="年度资金总额 | 115.8 | 115.8 | 68.43 | 10 | 59% | 5.9\n")
    assert "报告得分 5.9 与按“正向比例”、“分值×预算执行率”计算的得分一致" in f.message
    assert "本规则包按“成本上限（反向，指标值÷实际值）”计分得 10" in f.message
    [g] = found("产出指标 | 数量指标 | 全县参合人数 | 8755 | 8676 | 15 | 13 | 新增死亡人员", "SCORE_MISMATCH")
    assert "与任何已知计分规则都不一致" in g.message and g.expected == "14.86"


def test_score_above_weight():
    [f] = found("产出指标 | 数量指标 | 开展活动次数 | ≥3次 | 4次 | 5 | 6 | /", "SCORE_ABOVE_WEIGHT")
    assert (f.severity, f.expected, f.reported) == ("error", "≤5", "6")


def test_score_missing_only_when_other_rows_are_scored():
    text = "产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 5 | 5 | /\n | | 乙 | ≥3次 | 4次 | 5 |  | /"
    [f] = found(text, "SCORE_MISSING")
    assert f.indicator == "乙" and f.location == at("G3")
    assert not found("产出指标 | 数量指标 | 乙 | ≥3次 | 4次 | 5 |  | /", "SCORE_MISSING",
                     funds="年度资金总额 | 100 | 100 | 100 | 10 | 100% |\n")


def test_deduction_without_reason():
    [f] = found("效益指标 | 社会效益 | 是否解决看病难贵问题 | 95% | 95% | 30 | 27 |", "DEDUCTION_WITHOUT_REASON")
    assert f.location == at("H2") and "扣了 3 分" in f.message
    assert found("效益指标 | 社会效益 | 问题 | 95% | 95% | 30 | 27 | /", "DEDUCTION_WITHOUT_REASON")
    assert not found("效益指标 | 社会效益 | 问题 | 95% | 90% | 30 | 27 | 部分人员未覆盖", "DEDUCTION_WITHOUT_REASON")


def test_over_achievement_is_information():
    [f] = found("产出指标 | 数量指标 | 开展宣传文化活动次数 | ≥100场次 | 160场次 | 5 | 5 | /", "OVER_ACHIEVEMENT")
    assert f.severity == "info" and "1.6 倍" in f.message
    assert not found("产出指标 | 数量指标 | 次数 | ≥100场次 | 149场次 | 5 | 5 | /", "OVER_ACHIEVEMENT")
    assert not found("产出指标 | 成本指标 | 成本 | 100 | 30 | 5 | 5 | /", "OVER_ACHIEVEMENT")


def test_unit_mismatch():
    [f] = found("产出指标 | 数量指标 | 软件正版化安装 | ≧100家 | 115个 | 20 | 20 | /", "UNIT_MISMATCH")
    assert (f.expected, f.reported, f.location) == ("家", "个", at("E2"))
    assert not found("产出指标 | 成本指标 | 成本 | ≤1万元 | 9000元 | 5 | 5 | /", "UNIT_MISMATCH")


def test_unparsed_value_is_reported_not_guessed():
    [f] = found("产出指标 | 质量指标 | 完成率 | 12..5% | 100% | 5 | 5 | /", "VALUE_UNPARSED")
    assert f.location == at("D2") and "12..5%" in f.message


def test_actual_not_comparable():
    [f] = found("产出指标 | 经济成本指标 | 项目成本 | ≤30万元 | 完成 | 90 | 90 | /", "ACTUAL_NOT_COMPARABLE")
    assert "“完成”不是数值" in f.message and f.location == at("E2")


def test_qualitative_unclassified():
    [f] = found("效益指标 | 社会效益指标 | 获得感 | 有一定增强 | 见附件 | 15 | 15 | /", "QUALITATIVE_UNCLASSIFIED")
    assert "见附件" in f.message


def test_mixed_rules_in_one_level2():
    text = ("产出指标 | 成本指标 | 宣传文化工作成本概算 | 820.58万元 | 645.51万元 | 5 | 5 | /\n"
            " | | 全民志愿服务工作成本概算 | 90万元 | 10万元 | 5 | 3 | 受疫情影响")
    [f] = found(text, "MIXED_RULES")
    assert f.indicator == "全民志愿服务工作成本概算" and f.location == at("G3")
    consistent = ("产出指标 | 成本指标 | 甲 | 820.58万元 | 645.51万元 | 5 | 5 | /\n"
                  " | | 乙 | 90万元 | 10万元 | 5 | 5 | /")
    assert not found(consistent, "MIXED_RULES")


def test_suspicious_percent():
    [f] = found("满意度指标 | 服务对象满意度指标 | 市民满意度调查 | 290% | 100% | 10 | 10 | /", "SUSPICIOUS_PERCENT")
    assert f.location == at("D2") and f.reported == "290%"
    assert not found("产出指标 | 数量指标 | 增长 | ≥200% | 250% | 5 | 5 | /", "SUSPICIOUS_PERCENT")


def test_not_applicable_row_with_weight():
    [f] = found("效益指标 | 经济效益指标 | / | / | / | 5 | 5 | /", "NA_ROW_WEIGHTED")
    assert f.reported == "5"
    assert not found("效益指标 | 经济效益指标 | / | / | / | / | / | /", "NA_ROW_WEIGHTED")


def test_platform_deviation_only_under_platform_pack():
    text = "产出指标 | 数量指标 | 活动次数 | ≥100场次 | 160场次 | 5 | 5 | /"
    [f] = found(text, "INDICATOR_DEVIATION", pack=load_rulepack("platform_example"))
    assert f.expected == "3" and "60%" in f.message
    assert not found(text, "INDICATOR_DEVIATION")


def test_weights_not_100():
    [f] = found("产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 50 | 50 | /\n效益指标 | 社会效益指标 | 乙 | ≥1次 | 1次 | 30 | 30 | /",
                "WEIGHTS_NOT_100")
    assert (f.severity, f.expected, f.reported) == ("error", "100", "90")


def test_level1_nonstandard_weights_and_declared_weight():
    text = ("产出指标(50分) | 数量指标 | 甲 | ≥3次 | 4次 | 40 | 40 | /\n"
            "效益指标 | 社会效益指标 | 乙 | ≥1次 | 1次 | 40 | 40 | /\n"
            "满意度指标 | 服务对象满意度指标 | 丙 | ≥90% | 95% | 10 | 10 | /")
    [info] = found(text, "LEVEL1_WEIGHTS_NONSTANDARD")
    assert (info.severity, info.reported, info.expected) == ("info", "40/40/10/10", "50/30/10/10")
    [declared] = found(text, "LEVEL1_DECLARED_WEIGHT_MISMATCH")
    assert (declared.expected, declared.reported) == ("50", "40")


def test_level1_inferred():
    [f] = found(" | 数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 5 | 5 | /\n | 质量指标 | 完成率 | 100% | 100% | 5 | 5 | /",
                "LEVEL1_INFERRED")
    assert f.expected == "产出指标" and f.severity == "info"


def test_total_checks():
    rows = "产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 90 | 90 | /\n"
    assert not found(rows + "总分 | 100 | 100", "TOTAL_SUM_MISMATCH")
    [s] = found(rows + "总分 | 100 | 94", "TOTAL_SUM_MISMATCH")
    assert (s.expected, s.reported, s.location) == ("100", "94", at("C3"))
    assert found(rows + "总分 | 100 | 94", "TOTAL_MISMATCH")
    assert not found(rows + "总分 | 100 | 99.6", "TOTAL_SUM_MISMATCH")  # within 0.5
    [m] = found(rows + "总分 | 100 |", "TOTAL_MISSING")
    assert m.expected == "100"


def test_total_recomputed_differs_when_rows_are_misscored():
    rows = "产出指标 | 数量指标 | 甲 | ≥10次 | 5次 | 90 | 90 | 疫情\n总分 | 100 | 100"
    [f] = found(rows, "TOTAL_MISMATCH")
    assert (f.expected, f.reported) == ("55", "100")


def test_total_above_platform_cap():
    funds = "年度资金总额 | 100 | 100 | 59 | 10 | 59% | 5.9\n"
    rows = "产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 90 | 90 | 款项未支付\n总分 | 100 | 95.9"
    [f] = found(rows, "TOTAL_ABOVE_CAP", pack=load_rulepack("platform_example"), funds=funds)
    assert f.expected == "≤69"
    assert not found(rows, "TOTAL_ABOVE_CAP", funds=funds)


def test_grade_mismatch():
    rows = "产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 90 | 77.6 | 略\n"
    [f] = found(rows + "总分 | 100 | 87.6 | 优", "GRADE_MISMATCH")
    assert (f.expected, f.reported, f.location) == ("良", "优", at("D3"))
    assert not found(rows + "总分 | 100 | 87.6 | 良", "GRADE_MISMATCH")


def test_execution_rate_and_budget_score():
    [f] = found("", "BUDGET_SCORE_MISMATCH", funds="年度资金总额 | | 65.66 | 65.07 | 10 | 99% | 9\n")
    assert (f.expected, f.reported, f.location) == ("9.91", "9", at("G1"))
    assert not found("", "EXEC_RATE_MISMATCH", funds="年度资金总额 | | 65.66 | 65.07 | 10 | 99% | 9\n")
    [r] = found("", "EXEC_RATE_MISMATCH", funds="年度资金总额 | 100 | 100 | 80 | 10 | 90% | 8\n")
    assert (r.expected, r.reported, r.location) == ("80%", "90%", at("F1"))


def test_funds_missing():
    [f] = found("产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 90 | 90 | /", "FUNDS_MISSING",
                funds="年度资金总额 | | | 13 | 10 | 100% | 10\n")
    assert f.location == at("C1")


def test_funds_subrows_and_recompute():
    funds = "年度资金总额 | 1060.58 | 1060.58 | 805.51 | 10 | 76% | 7.6\n其中：当年财政拨款 | 825 | 825 | 569.93 | — | | —\n"
    budget, executed = found("", "FUNDS_SUBROWS_MISMATCH", funds=funds)
    assert (budget.expected, budget.reported, budget.location) == ("825", "1060.58", at("C1"))
    assert (executed.expected, executed.reported, executed.location) == ("569.93", "805.51", at("D1"))
    ok = funds + "上年结转资金 | 235.58 | 235.58 | 235.58 | — | | —\n"
    assert not found("", "FUNDS_SUBROWS_MISMATCH", funds=ok)
    zeros = "年度资金总额 | 0 | 0 | 0 | 10 | 0 | 0\n其中：本年财政拨款 | 90 | 89.974 | 89.974 | | |\n"
    [z] = found("", "FUNDS_TOTAL_RECOMPUTED", funds=zeros)
    assert "已按明细重算" in z.message and "89.974" in z.message
    assert found("", "BUDGET_SCORE_MISMATCH", funds=zeros)  # reported 0, recomputed 10


def test_low_execution_needs_a_reason():
    funds = "年度资金总额 | 100 | 100 | 70 | 10 | 70% | 7\n"
    [f] = found("产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 90 | 90 | /", "LOW_EXECUTION_NO_REASON", funds=funds)
    assert f.reported == "70%" and f.location == at("F1")
    assert not found("产出指标 | 成本指标 | 成本 | 100 | 70 | 90 | 63 | 按照合同约定，款项未支付完",
                     "LOW_EXECUTION_NO_REASON", funds=funds)
    assert not found("执行说明 | 项目延期\n产出指标 | 数量指标 | 甲 | ≥3次 | 4次 | 90 | 90 | /",
                     "LOW_EXECUTION_NO_REASON", funds=funds)


def test_money_in_yuan():
    [f] = found("", "MONEY_IN_YUAN", funds="项目资金（元）\n" + FUNDS)
    assert f.severity == "info"
    assert not found("", "MONEY_IN_YUAN")


def test_formula_without_cached_value():
    [f] = found("", "FORMULA_NOT_CALCULATED", funds="年度资金总额 | 100 | 100 | 80 | 10 | =? | 8\n")
    assert f.location == at("F1")


def test_findings_carry_project_and_sort_errors_first():
    form = parse_form("项目名称 | 文化强州专项资金\n" + FUNDS +
                      "满意度指标 | 服务对象满意度指标 | 群众满意度 | ≧85% | 80% | 10 | 10 | /\n"
                      "产出指标 | 数量指标 | 次数 | ≥100场次 | 160场次 | 5 | 5 | /\n总分 | 100 | 25")
    findings = evaluate(form).findings
    assert {f.project for f in findings} == {"文化强州专项资金"}
    assert findings[0].severity == "error" and findings[-1].severity == "info"
    assert D(25) == evaluate(form).reported_total


def test_formula_cache_ignores_display_only_subrow_rates():
    from dataclasses import replace as _replace

    from xltools.core.engine import evaluate
    from xltools.core.model import Cell, Source

    form = parse_form("""
项目名称 | 访惠聚经费
年度资金总额 | 13 | 13 | 13 | 10 | 100% | 10
其中：当年财政拨款 | 13 | 13 | 13 | — |  | —
产出指标 | 数量指标 | 活动次数 | ≥10次 | 11次 | 90 | 90 | /
总分 | 100 | 100
""")
    sub = form.funds_row("appropriation")
    uncached = Cell(None, Source("test.xlsx", "表1", "G3"), no_cached_value=True)
    form = _replace(form, funds=tuple(_replace(r, rate=uncached) if r is sub else r for r in form.funds))
    assert "FORMULA_NOT_CALCULATED" not in {f.code for f in evaluate(form).findings}
    total = form.funds_row("total")
    form = _replace(form, funds=tuple(_replace(r, rate=uncached) if r is total else r for r in form.funds))
    assert "FORMULA_NOT_CALCULATED" in {f.code for f in evaluate(form).findings}
