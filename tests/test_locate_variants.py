"""Layout variants seen in provincial forms, read by the one locator (literal grids)."""

from __future__ import annotations

from decimal import Decimal as D

from xltools.core.engine import evaluate
from xltools.readers.grid import Grid, normalise_value
from xltools.readers.locate import locate_forms


def grid(text: str) -> Grid:
    rows = [[normalise_value(c.strip()) if c.strip() else None for c in line.split("|")]
            for line in text.strip().splitlines()]
    return Grid("省级.xlsx", "自评表", rows)


LETTERED = """
2022年度项目支出绩效自评表
单位：万元
项目名称 | 城乡环境整治 | | | | | 项目编码 | 123 |
主管部门 | 某区城管局 | | | | | 实施单位 | 某区环卫所 |
项目资金 | | 年初预算数 | 全年预算数（A） | 全年执行数（B） | 分值 | 执行率（B/A） | 得分 |
 | 年度资金总额 | 200 | 200 | 150 | 10 | 75.00% | 7.5 |
 | 其中：财政拨款 | 200 | 200 | 150 | — | — | — |
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值（A） | 实际完成值（B） | 分值 | 得分 | 偏差原因分析及改进措施
 | 产出指标 (50分) | 数量指标 | 清运垃圾 | ≥1000吨 | 900吨 | 20 | 18 | 设备故障
 | | 质量指标 | 清运及时率 | ≥95% | 97% | 15 | 15 |
 | | 成本指标 | 每吨清运成本 | ≤200元 | 210元 | 15 | 14.29 | 油价上涨
 | 效益指标 (30分) | 社会效益指标 | 环境改善 | 明显改善 | 达成预期指标 | 30 | 30 |
 | 满意度指标 (10分) | 服务对象满意度指标 | 居民满意度 | ≥90% | 88% | 10 | 9.78 | 宣传不足
总  分 | | | | | | 100 | 94.57 |
自评等级 | 优 | | | | | | |
"""

SPLIT_TARGET = """
项目名称 | 乡村道路养护 | | | | | | | | |
主管部门 | 某县交通局 | | | | 实施单位 | 某县公路站 | | | |
项目资金（万元） | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | |
 | 年度资金总额 | 100 | 120 | 108 | 10 | 90% | 9 | |
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
 | 产出指标 | 数量指标 | 养护里程 | ≧ | 735 | 公里 | 700 | 20 | 19.05 | 天气原因
 | | 质量指标 | 验收合格率 | ═ | 100 | % | 100 | 15 | 15 |
 | | 时效指标 | 完工时间 | ≤ | 2023年12月 | | 2023年10月 | 10 | 10 |
 | | 成本指标 | 每公里养护成本 | ≤ | 1500 | 元 | 1600 | 5 | 4.69 | 材料涨价
 | 效益指标 | 社会效益指标 | 群众出行便利度 | 定性 | 明显提升 | | 明显提升 | 30 | 30 |
 | 满意度指标 | 服务对象满意度指标 | 群众满意度 | ≥ | 90 | % | 93 | 10 | 10 |
总分 | | | | | | | | 100 | 97.74 |
"""


def test_lettered_headers_weighted_labels_and_a_grade_row():
    forms, _ = locate_forms(grid(LETTERED))
    form = forms[0]
    assert (form.project.text, form.department.text, form.year.text) == ("城乡环境整治", "某区城管局", "2022")
    assert form.reported_total.text == "94.57" and form.reported_grade.text == "优"
    assert [i.level1_weight for i in form.indicators] == [D(50)] * 3 + [D(30), D(10)]
    result = evaluate(form)
    assert result.funds.execution_rate == D("0.75") and result.funds.score == D("7.50")
    assert result.total == D("94.57") and result.grade == "优"
    assert not [f for f in result.findings if f.severity == "error"]


def test_grade_row_inconsistent_with_the_total_is_an_error():
    forms, _ = locate_forms(grid(LETTERED.replace("自评等级 | 优", "自评等级 | 良")))
    result = evaluate(forms[0])
    assert any(f.code == "GRADE_MISMATCH" for f in result.findings)


def test_target_split_over_nature_value_and_unit_cells():
    forms, _ = locate_forms(grid(SPLIT_TARGET))
    result = evaluate(forms[0])
    rows = {ir.indicator.name: ir for ir in result.indicators}
    assert rows["养护里程"].indicator.target.text == "≧735公里"
    assert (rows["养护里程"].met, rows["养护里程"].score) == (False, D("19.05"))
    assert (rows["验收合格率"].rule, rows["验收合格率"].met) == ("equal", True)
    assert (rows["完工时间"].rule, rows["完工时间"].met) == ("deadline", True)
    assert (rows["每公里养护成本"].rule, rows["每公里养护成本"].score) == ("reverse_ratio", D("4.69"))
    assert rows["群众出行便利度"].rule == "qualitative"
    assert result.total == D("97.74") == result.reported_total


INLINE = """
项目支出绩效自评表
项目名称：城乡环境整治
主管部门：某区城管局 | | | 实施单位：某区环卫所 | 年度：2021
项目资金（万元） | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
 | 年度资金总额 | 200 | 200 | 190 | 10 | 95% | 9.5 |
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
 | 产出指标 | 数量指标 | 清运垃圾 | ≥1000吨 | 900吨 | 50 | 45 | 设备故障
 | 效益指标 | 社会效益指标 | 环境改善 | 明显改善 | 达成预期指标 | 30 | 30 |
 | 满意度指标 | 服务对象满意度指标 | 居民满意度：按问卷 | ≥90% | 88% | 10 | 9.78 | 宣传不足
总分 | | | | | | 100 | 94.28 |
"""


def test_labels_written_with_their_value_in_one_cell():
    forms, _ = locate_forms(grid(INLINE))
    form = forms[0]
    assert (form.project.text, form.department.text, form.implementing_unit.text, form.year.text) == (
        "城乡环境整治", "某区城管局", "某区环卫所", "2021")
    assert form.project.source.cell == "A2"
    # a colon inside an indicator name is not a header label
    assert form.indicators[-1].name == "居民满意度：按问卷"
    assert evaluate(form).total == D("94.28")
