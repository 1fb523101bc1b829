"""The engine: subtotals, weights, totals, reader findings, and no traceback on odd content."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings, strategies as st

from formdsl import parse_form
from xltools.core.engine import evaluate
from xltools.core.model import Cell, Finding, Form, Source
from xltools.core.rulepack import load_rulepack

FORM = """
项目名称 | 访惠聚经费
年度资金总额 | 13 | 13 | 13 | 10 | 100% | 10
产出指标 | 数量指标 | 组织开展返乡大学生活动次数（次） | ≥10次 | 11次 | 30 | 30 | /
 | 成本指标 | 成本概算（万元） | 13 | 13 | 20 | 20 | /
效益指标 | 经济效益指标 | / | / | / | / | / | /
 | 可持续影响指标 | 加强基层文化教育 | 有一定增强 | 100% | 30 | 28 | 覆盖面仍需扩大
满意度指标 | 服务对象满意度指标 | 满意度（%） | ≧80% | 85% | 10 | 10 | /
总分 | 100 | 98 | 优
"""


def test_subtotals_weights_total_and_grade():
    r = evaluate(parse_form(FORM))
    assert r.weights == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10), "预算执行": D(10)}
    assert r.subtotals == {"产出指标": D(50), "效益指标": D(28), "满意度指标": D(10), "预算执行": D(10)}
    assert r.reported_subtotals["效益指标"] == D(28)
    assert (r.total, r.reported_total, r.grade) == (D(98), D(98), "优")
    assert [f.code for f in r.findings if f.severity != "info"] == []


def test_qualitative_row_without_score_counts_nothing_and_is_reported():
    r = evaluate(parse_form(FORM.replace("| 30 | 28 |", "| 30 |  |")))
    assert r.total == D(70)
    assert [f.indicator for f in r.findings if f.code == "SCORE_MISSING"] == ["加强基层文化教育"]


def test_reader_findings_are_kept_and_sorted():
    form = parse_form(FORM)
    note = Finding("FORM_SHIFTED", "error", "第 5 行错位", project="访惠聚经费", location=Source("a.xlsx", "表1", "A5"))
    form = Form(**{**{k: getattr(form, k) for k in Form.__dataclass_fields__}, "read_findings": (note,)})
    r = evaluate(form)
    assert r.findings[0] == note


def test_platform_pack_caps_the_total():
    low = FORM.replace("年度资金总额 | 13 | 13 | 13 | 10 | 100% | 10", "年度资金总额 | 100 | 100 | 75 | 10 | 75% | 7.5")
    assert evaluate(parse_form(low)).total == D("95.5")
    assert evaluate(parse_form(low), load_rulepack("platform_example")).total == D(89)


def test_empty_form_gives_findings_not_errors():
    r = evaluate(Form(Source("a.xlsx", "表1", "A1"), "national"))
    assert r.total is None and r.grade is None
    assert [f.code for f in r.findings] == ["FORM_BLANK"]  # nothing filled in: not checked
    named = evaluate(Form(Source("a.xlsx", "表1", "A1"), "national", project=Cell("访惠聚经费")))
    assert named.total is None and named.grade is None
    assert [f.code for f in named.findings] == ["FUNDS_MISSING"]


cell_text = st.one_of(st.sampled_from(["", "/", "—", "≥", "%", "100%", "≧85%", "1e999", "NaN", "-5", "0",
                                       "2020年13月", "优", "12..5", "∞", "=?", "(50分)"]),
                      st.text(max_size=6))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cell_text.map(lambda s: s.replace("|", "").replace("\n", "")), min_size=4, max_size=8),
                min_size=1, max_size=5))
def test_never_raises_on_odd_content(rows):
    text = "年度资金总额 | 0 | x | -3 | 10 | 1e999 | abc\n" + "\n".join(
        " | ".join(["产出指标(50分)", *r]) for r in rows) + "\n总分 | 100 | abc | 优"
    r = evaluate(parse_form(text))
    assert all(f.code != "CHECK_FAILED" and f.code != "SCORING_FAILED" for f in r.findings), \
        [f.message for f in r.findings if f.code in ("CHECK_FAILED", "SCORING_FAILED")]
