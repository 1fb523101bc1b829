"""LEVEL1_INFERRED is raised once: by the reader at the empty 一级 cell, or — for a form built
without the reader — by the audit at the 三级 cell."""

from __future__ import annotations

from dataclasses import replace

from formdsl import parse_form
from xltools.core.audit import check_level1_inferred
from xltools.core.engine import evaluate
from xltools.core.model import Finding, Source
from xltools.core.rulepack import load_rulepack
from xltools.readers.grid import Grid
from xltools.readers.locate import locate_forms

PACK = load_rulepack()
HEADER = ["项目名称", "文化强州专项资金", None, None, None, None, None, None]
FUNDS = [["项目资金", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", None],
         ["年度资金总额", "100", "100", "100", "10", "100%", "10", None]]
INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    [None, "数量指标", "开展全民志愿服务次数", "≥3次", "4次", "30", "30", "/"],
    [None, "质量指标", "活动完成率", "100%", "100%", "20", "20", "/"],
    ["效益指标", "社会效益指标", "群众获得感", "有一定增强", "有一定增强", "30", "30", "/"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", "10", "10", "/"],
    ["总分", None, None, None, None, "100", "100", "优"],
]


def inferred(findings):
    return [f for f in findings if f.code == "LEVEL1_INFERRED"]


def test_read_form_gets_one_finding_at_the_empty_level1_cell():
    grid = Grid("文化.xlsx", "文化强州专项资金", [HEADER] + FUNDS + INDICATORS)
    (form,), _ = locate_forms(grid)
    assert [i.level1_inferred for i in form.indicators] == [True, True, False, False]
    result = evaluate(form, PACK)
    [f] = inferred(result.findings)
    assert f.location == Source("文化.xlsx", "文化强州专项资金", "A5")  # the empty 一级 cell
    assert f.expected == "产出指标" and f.severity == "info"
    assert check_level1_inferred(result, PACK) == []


def test_form_built_without_the_reader_still_gets_it_from_the_audit():
    form = parse_form("年度资金总额 | 100 | 100 | 100 | 10 | 100% | 10\n"
                      " | 数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 45 | 45 | /\n"
                      " | 质量指标 | 活动完成率 | 100% | 100% | 45 | 45 | /")
    assert form.read_findings == ()
    [f] = inferred(evaluate(form, PACK).findings)
    assert f.expected == "产出指标" and f.location.cell == "C2"  # the first inferred 三级 cell


def test_audit_defers_to_a_read_finding_of_the_form():
    form = parse_form(" | 数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 90 | 90 | /")
    note = Finding("LEVEL1_INFERRED", "info", "一级指标为空，已按二级指标“数量指标”推断为“产出指标”。",
                   location=Source("test.xlsx", "表1", "A1"), expected="产出指标")
    result = evaluate(replace(form, read_findings=(note,)), PACK)
    assert inferred(result.findings) == [note]


def test_no_finding_when_nothing_was_inferred():
    form = parse_form("产出指标 | 数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 90 | 90 | /")
    assert inferred(evaluate(form, PACK).findings) == []
