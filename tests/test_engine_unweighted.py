"""County forms without 分值/得分 columns: every target is judged, nothing is added up."""

from __future__ import annotations

from decimal import Decimal as D

from xltools.core.engine import evaluate
from xltools.readers.grid import Grid, normalise_value
from xltools.readers.locate import locate_forms


def grid(text: str) -> Grid:
    rows = [[normalise_value(c.strip()) if c.strip() else None for c in line.split("|")]
            for line in text.strip().splitlines()]
    return Grid("县级.xlsx", "自评表", rows)


FORM = """
项目支出绩效自评表
项目名称 | 农村饮水安全 | | | |
主管部门 | 某县水利局 | | 实施单位 | 某县水利局 |
项目资金（万元） | | 年初预算数 | 全年预算数 | 全年执行数 | 执行率
 | 年度资金总额 | 50 | 52 | 39 | 75%
 | 其中：财政拨款 | 50 | 52 | 39 |
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值
 | 产出指标 | 数量指标 | 指标1:新建水厂 | 2座 | 1座
 | | | 指标2: | |
 | 效益指标 | 社会效益指标 | 指标1:受益人口 | ≥5000人 | 5200人
 | 满意度指标 | 服务对象满意度指标 | 指标1:群众满意度 | ≥90% | 95%
"""


def test_targets_are_judged_but_no_score_total_or_grade():
    forms, _ = locate_forms(grid(FORM))
    result = evaluate(forms[0])
    rows = [ir for ir in result.indicators if ir.applicable]
    assert [(ir.indicator.name, ir.met, ir.score) for ir in rows] == [
        ("新建水厂", False, None), ("受益人口", True, None), ("群众满意度", True, None)]
    assert result.funds.execution_rate == D("0.75") and result.funds.score is None
    assert (result.total, result.grade, result.weights) == (None, None, {})
    codes = {f.code for f in result.findings}
    assert "FORM_UNWEIGHTED" in codes
    assert not codes & {"WEIGHTS_NOT_100", "LEVEL1_WEIGHTS_NONSTANDARD", "TOTAL_MISSING"}


def test_a_form_with_weights_is_not_unweighted():
    weighted = FORM.replace("| 年度指标值 | 实际完成值", "| 年度指标值 | 实际完成值 | 分值 | 得分").replace(
        "| ≥90% | 95%", "| ≥90% | 95% | 10 | 10")
    forms, _ = locate_forms(grid(weighted))
    result = evaluate(forms[0])
    assert "FORM_UNWEIGHTED" not in {f.code for f in result.findings}
    assert result.total is not None


def test_a_blank_template_form_is_not_checked():
    blank = """
项目支出绩效自评表
项目名称 | | | |
项目资金（万元） | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
 | 年度资金总额 | | | | 10 | | 
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分
 | 产出指标 | 数量指标 | | | | |
 | 效益指标 | 社会效益指标 | | | | |
总分 | | | | | | 100 |
"""
    forms, _ = locate_forms(grid(blank))
    result = evaluate(forms[0])
    assert [f.code for f in result.findings] == ["FORM_BLANK"]
    assert result.total is None and result.grade is None
