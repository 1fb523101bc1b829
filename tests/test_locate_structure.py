"""Forms recognised from their structure (issue 11): shapes taken from the real forms of the
corpus (tests/corpus), written here as small literal grids."""

from __future__ import annotations

from decimal import Decimal as D

from xltools.core.engine import evaluate
from xltools.readers.grid import Grid, normalise_value
from xltools.readers.locate import locate_forms
from xltools.readers.trace import SheetTrace


def grid(text: str, merged=()) -> Grid:
    rows = [[normalise_value(c.strip()) if c.strip() else None for c in line.split("|")]
            for line in text.strip().splitlines()]
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    return Grid("结构.xlsx", "自评表", rows, merged=list(merged))


def codes(form):
    return [f.code for f in form.read_findings]


# 河北: label–value pairs in a row, 执行进度 written above its value; a 预算执行率 row in the
# indicator table; 指标分值 holding descriptions, the weight in 权重占比(%)
PAIRS = """
成安县民政局2020年度预算项目绩效自评表
一、基本情况 | 项目名称: | 高龄津贴 | | | | | | | | | |
二、预算执行情况 | 预算安排情况(调整后) | | 资金到位情况 | | 资金执行情况 | | 预算执行进度(%) | | | | |
 | 预算数 | 6.84 | 到位数 | 6.84 | 执行数 | 6.84 | 100 | | | | |
 | 其中:财政资金 | 6.84 | 其中:财政资金 | 6.84 | 其中:财政资金 | 6.84 | | | | | |
四、年度绩效指标完成情况 | 一级指标 | 二级指标 | 三级指标 | 指标分值 | 预期指标值 | | | 单项指标实际完成值 | 单项指标完成情况 | 自评得分 | |
 | | | | | 符号 | 值 | 单位 | | | 单项指标得分 | 权重占比(%) | 单项指标折算得分
 | 产出指标 | 质量指标 | 覆盖率 | 享受补贴人数占比 | >= | 98 | % | 100% | 完成 | 25 | 25 | 6.25
 | 效益指标 | 社会效益指标 | 发放率 | 补贴发放完成率 | >= | 75 | % | 100% | 完成 | 30 | 30 | 9
 | 预算执行率 | | 预算执行率 | | | | | | | 10 | 10 |
"""


def test_horizontal_funds_pairs_and_a_budget_row_in_the_indicator_table():
    merged = [(5, 0, 6, 0), (5, 5, 5, 7), (5, 10, 5, 12)]
    (form,), _ = locate_forms(grid(PAIRS, merged))
    total = form.funds_row("total")
    assert (total.budget.text, total.executed.text, total.rate.text) == ("6.84", "6.84", "100")
    assert total.budget.source.cell == "C4" and total.rate.source.cell == "H4"
    assert (total.weight.text, total.score.text) == ("10", "10")  # from the 预算执行率 row
    assert [i.name for i in form.indicators] == ["覆盖率", "发放率"]
    first = form.indicators[0]
    assert (first.target.text, first.weight.text, first.score.text) == (">=98%", "25", "25")
    assert form.project_name == "高龄津贴"


# 湖北: 预算执行 worth 20 points, said in the title and the 得分 header; the total row label
# ends with 资金总额; 年初目标值 (A) / 实际完成值 (B); no 分值 column
TWENTY = """
2021年度财政项目绩效自评表
单位名称:襄阳市中心医院 | | | | 填报日期:2022年3月18日 | |
项目名称 | | 东津院区建设补助 | | | |
主管部门 | | 襄阳市卫生健康委 | | 项目实施单位 | 襄阳市中心医院 |
预算执行情况 (万元) (20 分) | | | 预算数(A) | 执行数(B) | 执行率(B/A) | 得分(20分*执行率)
 | 年度财政 资金总额 | | 1000 | 900 | 90% | 18
年度绩效目标(80分) | 一级指标 | 二级指标 | 三级指标 | 年初目标值 (A) | 实际完成值 (B) | 得分
 | 产出 指标 | 数量指标 | 病床 | ≥800张 | 800张 | 40
 | 效益 指标 | 经济效益 | 医疗收入 | 5亿元 | 6.47亿元 | 40
"""


def test_budget_execution_worth_twenty_points_and_no_weight_column():
    (form,), _ = locate_forms(grid(TWENTY))
    total = form.funds_row("total")
    assert (total.budget.text, total.executed.text, total.weight.text, total.score.text) == \
        ("1000", "900", "20", "18")
    assert form.department.text == "襄阳市卫生健康委"  # 主管部门, not 单位名称
    result = evaluate(form)
    assert result.funds.weight == 20 and result.funds.score == 18
    assert [i.target.text for i in form.indicators] == ["≥800张", "5亿元"]
    found = [f.code for f in result.findings]
    assert "WEIGHTS_NOT_WRITTEN" in found and "WEIGHTS_NOT_100" not in found


# 海南: 计划投资额 | 570 | 实际到位资金 | 398.88 | 实际使用情况 | 395.86 and a 分值 column
# after each level; no 项目名称 cell (the title names the project)
LEVEL_WEIGHTS = """
服务贸易项目绩效自评表
项目实施单位 | 省商务厅服务处 | | | 主管部门 | 省商务厅 |
计划投资额(万元) | 570 | 实际到位资金(万元) | 398.88 | 实际使用情况(万元) | 395.86 |
一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分
项目决策 | 40 | 项目目标 | 40 | 目标内容 | 40 | 38
项目绩效 | 60 | 项目产出 | 60 | 产出数量 | 60 | 55
"""


def test_a_weight_column_after_each_level_and_the_name_from_the_title():
    (form,), _ = locate_forms(grid(LEVEL_WEIGHTS))
    assert form.project_name == "服务贸易项目"
    total = form.funds_row("total")
    assert (total.budget.text, total.executed.text) == ("570", "395.86")
    first = form.indicators[0]
    assert (first.level1, first.level1_weight, first.name, first.weight.text, first.score.text) == \
        ("项目决策", D(40), "目标内容", "40", "38")
    result = evaluate(form)
    assert result.funds.weight is None  # budget execution not scored: 40 + 60 = 100
    assert result.total == D(93)


# the seed's 新闻出版 row: one cell more than the header, the first 5 under the label's merge
SHIFTED = """
项目名称 | | 新闻出版电影放映工作经费 | | | | | |
项目资金（万元） | | | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
 | 年度资金总额 | 5 | 5 | | 5 | 10 | 100% | 10
 | 其中：当年财政拨款 | 5 | 5 | | 5 | — | | —
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | |
产出指标 | 数量指标 | 试点数量 | ≥30个 | 30个 | 90 | 90 | |
"""


def test_a_row_longer_than_its_header_is_read_where_the_arithmetic_agrees():
    (form,), _ = locate_forms(grid(SHIFTED, [(1, 1, 1, 2)]))
    total = form.funds_row("total")
    assert (total.initial_budget.text, total.budget.text, total.executed.text) == ("5", "5", "5")
    assert (total.weight.text, total.rate.text, total.score.text) == ("10", "100%", "10")
    assert total.budget.source.cell == "D3" and total.executed.source.cell == "F3"
    approp = form.funds_row("appropriation")
    assert (approp.budget.text, approp.executed.text) == ("5", "5")  # aligned like the total
    shifted = [f for f in form.read_findings if f.code == "FUNDS_ROW_SHIFTED"]
    assert [f.location.cell for f in shifted] == ["B3", "B4"]


# rows that are not indicators; 一级指标 merged down over the data rows (Word); the 总分 row
# after 其他需要说明事项; weights written in the labels
NOT_INDICATORS = """
项目支出绩效自评表
项目名称 | 饮水安全 | | | | |
项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
年度资金总额 | 100 | 100 | 100 | 10 | 100% | 10
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分
 | 数量指标 15 分 | 新建水厂 | 2座 | 2座 | 15 | 15
 | | 其中：县城水厂 | 1座 | 1座 | |
 | 质量指标(75分) | 水质达标率 | ≥95% | 90% | 75 | 70
其他需要说明事项 | 无 | | | | |
总分 | | | | | 100 | 95
附件 | 照片 | | | | |
"""


def test_rows_that_are_not_indicators_never_become_indicators():
    trace = SheetTrace("自评表")
    (form,), _ = locate_forms(grid(NOT_INDICATORS, [(4, 0, 7, 0)]), trace)
    assert [i.name for i in form.indicators] == ["新建水厂", "水质达标率"]
    assert [i.level2 for i in form.indicators] == ["数量指标", "质量指标"]
    assert all(i.level1 != "一级指标" for i in form.indicators)
    assert form.reported_total.text == "95" and form.reported_total.source.cell == "G10"
    reasons = [s.reason for s in trace.forms[0].skipped]
    assert any("其中" in r for r in reasons) and any("表尾" in r for r in reasons)


# 湖南: a flat list without 一级/二级 columns, no 分值/得分 anywhere
FLAT = """
衡山县县级专项资金绩效目标自评表
专项资金名称 | 储备粮管理 | | | |
项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 执行率
合计 | 80 | 80 | 80 | 100%
指标名称 | 计量单位 | 指标性质 | 年初指标值 | 全年完成值
储备到位率 | % | ≥ | 100 | 100
库存数量真实率 | % | ≥ | 100 | 95
"""


def test_a_flat_list_of_an_unscored_form():
    (form,), _ = locate_forms(grid(FLAT))
    assert form.project_name == "储备粮管理"
    assert [(i.name, i.target.text, i.actual.text) for i in form.indicators] == [
        ("储备到位率", "≥100%", "100"), ("库存数量真实率", "≥100%", "95")]
    result = evaluate(form)
    assert [ir.met for ir in result.indicators] == [True, False]
    found = [f.code for f in result.findings]
    assert "FORM_UNWEIGHTED" in found and "WEIGHTS_NOT_100" not in found


def test_totals_written_away_from_the_table():
    text = """
    城乡环境整治项目绩效自评表 | | | | 项目总得分 99分 |
    项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    年度资金总额 | 100 | 100 | 100 | 10 | 100% | 10
    一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分
    产出指标 | 数量指标 | 清运垃圾 | ≥1000吨 | 1000吨 | 90 | 89
    """
    (form,), _ = locate_forms(grid(text))
    assert form.project_name == "城乡环境整治项目"
    assert form.reported_total.value == D(99) and form.reported_total.source.cell == "E1"
    own_line = text.replace("| | | | 项目总得分 99分 |", "") + "自评总分: 95\n"
    (form,), _ = locate_forms(grid(own_line))
    assert form.reported_total.value == D(95)


def test_the_initial_budget_alone_is_the_budget():
    """北京: 年初预算数(A) | 全年执行数(B) | 分值(10分) | 执行率(B/A) | 得分 — no 全年预算数."""
    text = """
    项目名称 | 道路保洁外包经费 | | | | | |
    项目资金 | 年度资金总额: | | 年初预算数(A) | 全年执行数(B) | 分值(10分) | 执行率(B/A) | 得分
     | 年度资金总额: | | 310.2 | 154.74 | 10 | 50% | 5
    一级指标 | 二级指标 | 三级指标 | 年度指标值(A) | 全年实际值(B) | 分值 | 得分 |
    产出指标 | 数量指标 | 保洁面积 | 100万平方米 | 100万平方米 | 90 | 90 |
    """
    (form,), _ = locate_forms(grid(text))
    total = form.funds_row("total")
    assert (total.budget.text, total.executed.text) == ("310.2", "154.74")
    assert evaluate(form).funds.execution_rate == D("0.4988")


def test_stacked_forms_split_where_the_structure_says():
    """The lower half of a form above the next form's title; a title without 项目名称 followed by a
    whole form whose 项目名称 comes after a numbered footer (附件1)."""
    text = """
    绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分
     | 产出指标 | 经济成本指标 | 成本控制数 | ≤30万元 | 完成 | 90 | 90
    合计 | | | | | | 100 | 100
    服务贸易项目绩效自评表 | | | | | | |
    计划投资额 | 570 | 实际使用情况 | 395.86 | | | |
    一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
    项目决策 | 项目目标 | 目标内容 | 完成 | 完成 | 100 | 96 |
    附件1 | | | | | | |
    项目名称: 教师培训专项经费 | | | | | | |
    项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    年度资金总额 | 60 | 60 | 60 | 10 | 100% | 10
    一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
    产出指标 | 数量指标 | 培训人数 | ≥300人 | 320人 | 90 | 90 |
    """
    forms, _ = locate_forms(grid(text))
    assert [f.project_name for f in forms] == ["", "服务贸易项目", "教师培训专项经费"]
    assert [[i.name for i in f.indicators] for f in forms] == [["成本控制数"], ["目标内容"], ["培训人数"]]
    assert forms[0].reported_total.text == "100"
