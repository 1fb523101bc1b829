"""The locator on hand-built grids shaped like national forms (one form, shifted, stacked, split
rows, inferred 一级, incomplete forms, sheets without forms)."""

from __future__ import annotations

import re
import time
from decimal import Decimal

from xltools.readers.grid import Grid
from xltools.readers.locate import locate_forms

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def grid_of(text: str, *, origin=(0, 0), numbers=True, sheet="Sheet1", pad_left=0) -> Grid:
    """Rows as ``a | b | c`` lines. ``<`` merges a cell with its left neighbour, ``^`` with the
    cell above; an empty cell is empty; plain numbers become Decimal unless ``numbers=False``."""
    rows, merged, follow = [], {}, {}
    for r, line in enumerate(l for l in text.strip("\n").split("\n")):
        row = [None] * pad_left
        for c, raw in enumerate(line.split("|"), start=pad_left):
            t = raw.strip()
            if t in ("<", "^"):
                ar, ac = (r, c - 1) if t == "<" else (r - 1, c)
                ar, ac = follow.get((ar, ac), (ar, ac))
                follow[(r, c)] = (ar, ac)
                rng = merged.setdefault((ar, ac), [ar, ac, ar, ac])
                rng[2], rng[3] = max(rng[2], r), max(rng[3], c)
                row.append(None)
                continue
            row.append(Decimal(t) if numbers and NUMBER.match(t) else (t.replace("\\n", "\n") or None))
        rows.append(row)
    return Grid("部门.xlsx", sheet, rows, origin=origin, merged=[tuple(v) for v in merged.values()])

FORM = """
项目支出绩效自评表 | < | < | < | < | < | < | < | <
（2020年度） | < | < | < | < | < | < | < | <
项目名称 | 访惠聚经费 | < | < | < | < | < | < | <
主管部门 | 昌吉州党委宣传部 | < | < | 实施单位 | 昌吉州党委宣传部 | < | < | <
项目资金       （万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | <
^ | 年度资金总额 | 1060.58 | 1060.58 | 805.51 | 10 | 76% | 7.6 | <
^ | 其中：当年财政拨款 | 825 | 825 | 569.93 | — |  | — | <
^ |       上年结转资金 | 235.58 | 235.58 | 235.58 | — |  | — | <
^ |   其他资金 |  |  |  | — |  | — | <
年度总体目标 | 预期目标 | < | < | < | 实际完成情况 | < | < | <
^ | 目标任务：不断完善基层文化阵地建设。\\n提高基层文化供给水平。 | < | < | < | 全年高标准打造示范性基层文化大院。 | < | < | <
绩 效 指 标 | 一级指标 | 二级指标 | 三级指标 | 年度 | 实际 | 分值 | 得分 | 偏差原因分析及改进措施
^ | ^ | ^ | ^ | 指标值 | 完成值 | ^ | ^ | ^
^ | 产出指标 | 数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 5 | 5 | /
^ | ^ | ^ | 建设志愿服务网上信息平台 | ≧1个 | 0 | 5 | 0 | 受疫情影响，此项工作暂缓
^ | ^ | 成本指标 | 成本概算（万元） | 13 | 13 | 40 | 40 | /
^ | 效益指标 | 经济效益指标 | / | / | / | / | / | /
^ | ^ | 社会效益指标 | 群众获得感 | 有一定增强 | 100% | 30 | 30 | /
^ | 满意度指标 | 服务对象满意度指标 | 群众满意度（%） | ≧80% | 82% | 10 | 10 | /
总分 | < | < | < | < | < | 100 | 87.6 |
"""


def test_reads_every_part_of_a_national_form():
    forms, extra = locate_forms(grid_of(FORM))
    assert extra == []
    (form,) = forms
    assert form.layout == "national"
    assert str(form.source) == "部门.xlsx｜Sheet1!A1"
    assert form.project_name == "访惠聚经费"
    assert form.department.text == "昌吉州党委宣传部"
    assert form.implementing_unit.text == "昌吉州党委宣传部"
    assert form.year.text == "2020"
    total = form.funds_row("total")
    assert (total.initial_budget.value, total.budget.value, total.executed.value) == (
        Decimal("1060.58"), Decimal("1060.58"), Decimal("805.51"))
    assert (total.weight.value, total.rate.value, total.score.value) == (Decimal(10), "76%", Decimal("7.6"))
    assert total.rate.source.cell == "G6"
    assert form.funds_row("appropriation").executed.value == Decimal("569.93")
    assert form.funds_row("carryover").budget.value == Decimal("235.58")
    assert form.funds_row("other").budget.is_empty
    assert [r.kind for r in form.funds] == ["total", "appropriation", "carryover", "other"]
    assert form.goal_expected.text.startswith("目标任务：不断完善")
    assert "\n" in form.goal_expected.text
    assert form.goal_actual.text == "全年高标准打造示范性基层文化大院。"
    assert len(form.indicators) == 6
    first, second, cost, na, social, satisfaction = form.indicators
    assert (first.level1, first.level2, first.name) == ("产出指标", "数量指标", "开展全民志愿服务次数")
    assert (first.target.text, first.actual.text, first.weight.value, first.score.value) == (
        "≥3次", "4次", Decimal(5), Decimal(5))
    assert first.source.cell == "D14"
    assert second.deviation.text == "受疫情影响，此项工作暂缓"
    assert (cost.level1, cost.level2) == ("产出指标", "成本指标")
    assert na.name == "/" and na.target.text == "/"
    assert (social.level1, social.level2, social.target.text) == ("效益指标", "社会效益指标", "有一定增强")
    assert satisfaction.level1 == "满意度指标"
    assert form.reported_total.value == Decimal("87.6")
    assert form.reported_grade.is_empty
    assert not any(i.level1_inferred for i in form.indicators)
    assert form.read_findings == ()


def test_shifted_form_keeps_real_addresses():
    forms, _ = locate_forms(grid_of(FORM, origin=(5, 2)))
    (form,) = forms
    assert str(form.source) == "部门.xlsx｜Sheet1!C6"
    assert form.funds_row("total").budget.source.cell == "F11"
    assert form.reported_total.source.cell == "J25"


def test_form_padded_with_empty_columns_and_title_rows_is_found():
    text = "单位：万元\n\n" + FORM
    forms, _ = locate_forms(grid_of(text, pad_left=3))
    (form,) = forms
    assert form.project_name == "访惠聚经费"
    assert form.funds_row("total").executed.value == Decimal("805.51")
    assert form.indicators[0].source.cell == "G17"


def test_stacked_forms_are_split_at_each_title():
    second = FORM.replace("访惠聚经费", "文化强州专项资金").replace("87.6", "91.8")
    forms, _ = locate_forms(grid_of(FORM + "\n" + second.strip("\n")))
    assert [f.project_name for f in forms] == ["访惠聚经费", "文化强州专项资金"]
    assert [f.reported_total.value for f in forms] == [Decimal("87.6"), Decimal("91.8")]
    assert [len(f.indicators) for f in forms] == [6, 6]
    assert forms[1].source.cell == "A22"  # after one empty row


def test_stacked_forms_without_titles_split_at_project_name():
    body = "\n".join(FORM.strip("\n").split("\n")[2:])
    forms, _ = locate_forms(grid_of(body + "\n\n" + body.replace("访惠聚经费", "宣传片经费")))
    assert [f.project_name for f in forms] == ["访惠聚经费", "宣传片经费"]
    assert forms[1].year.is_empty
    assert forms[0].source.cell == "A1"


# 得分 spans the extra column, as in the seed's Word table: the split rows stay under the
# headers' span (cells right of that span are never read, see layouts/funds.py)
SPLIT_FUNDS = """
项目名称 | 新闻出版电影放映工作经费
项目资金（万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | <
^ | 年度资金总额 | 5 | 5 |  | 5 | 10 | 100% | 10
^ | 其中：当年财政拨款 | 5 | 5 |  | 5 | — |  | —
^ | 上年结转资金 |  |  |  | — |  | —
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
产出指标 | 数量指标 | 开展农家书屋改革试点数量 | ≥30个 | 30个 | 90 | 90 | /
总分 | 100 | 100
"""


def test_row_with_a_split_cell_is_realigned():
    (form,), _ = locate_forms(grid_of(SPLIT_FUNDS, numbers=False))
    total = form.funds_row("total")
    assert (total.initial_budget.text, total.budget.text, total.executed.text) == ("5", "5", "5")
    assert (total.weight.text, total.rate.text, total.score.text) == ("10", "100%", "10")
    assert total.executed.source.cell == "F3"
    approp = form.funds_row("appropriation")
    assert (approp.executed.text, approp.weight.text, approp.rate.text) == ("5", "—", "")
    realigned = [f for f in form.read_findings if f.code == "ROW_REALIGNED"]
    assert [f.location.cell for f in realigned] == ["B3", "B4"]
    assert all(f.severity == "info" for f in realigned)
    carry = form.funds_row("carryover")
    assert carry.weight.text == "—"
    assert form.reported_total.text == "100"


INFERRED = """
项目名称 | 文化强州专项资金
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
^ |  | 数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 5 | 5 | /
^ | ^ | ^ | 开展宣传文化活动次数 | ≥100场次 | 160场次 | 5 | 5 | /
^ | ^ | 经济成本指标 | 成本概算 | 150万元 | 150万元 | 5 | 5 | /
^ | 效益指标 | 社会效益指标 | 群众获得感 | 有一定增强 | 100% | 30 | 30 | /
^ | ^ | 可持续影响指标 | 文化氛围 | 进一步增强 | 100% | 10 | 10 | /
总分 | < | < | < | < | < | 55 | 55 | 优
"""


def test_empty_level1_is_inferred_from_level2_before_any_level1():
    (form,), _ = locate_forms(grid_of(INFERRED))
    levels = [(i.level1, i.level2, i.level1_inferred) for i in form.indicators]
    assert levels == [
        ("产出指标", "数量指标", True),
        ("产出指标", "数量指标", True),
        ("产出指标", "经济成本指标", True),
        ("效益指标", "社会效益指标", False),
        ("效益指标", "可持续影响指标", False),
    ]
    inferred = [f for f in form.read_findings if f.code == "LEVEL1_INFERRED"]
    assert len(inferred) == 1
    assert inferred[0].location.cell == "B3" and inferred[0].severity == "info"
    assert "产出指标" in inferred[0].message
    assert form.reported_total.value == Decimal(55)
    assert form.reported_grade.text == "优"
    assert form.funds == ()
    assert [f.code for f in form.read_findings].count("FORM_INCOMPLETE") == 1


def test_template_rows_are_kept_and_empty_rows_dropped():
    text = """
项目名称 | 示例项目
一级指标 | 二级指标 | 三级指标 | 指标值 | 完成值 | 分值 | 得分 | 偏差原因
产出指标(50分) | 数量指标 | 指标1:全县参合人数 | 8755 | 8676 | 15 | 13 | 新增死亡人员
^ | ^ | 指标2: |  |  |  |  |
^ | ^ | …… |  |  |  |  |
 |  |  |  |  |  |  |
效益指标（30分） | 社会效益 | 指标1：看病难问题 | 95% | 95% | 30 | 27 |
合计 |  |  |  |  | 45 | 40
"""
    (form,), _ = locate_forms(grid_of(text))
    names = [i.name for i in form.indicators]
    assert names == ["全县参合人数", "指标2:", "……", "看病难问题"]
    assert form.indicators[0].level1 == "产出指标" and form.indicators[0].level1_weight == Decimal(50)
    assert form.indicators[3].level1 == "效益指标" and form.indicators[3].level1_weight == Decimal(30)
    assert form.indicators[0].deviation.text == "新增死亡人员"
    assert form.reported_total.value == Decimal(40)


def test_grade_after_total_and_total_row_with_only_weight():
    text = """
项目名称 | 甲项目
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
产出指标 | 数量指标 | 培训人数 | ≥50人 | 60人 | 100 |  | /
总分 | < | < | < | < | 100 |  |
"""
    (form,), _ = locate_forms(grid_of(text))
    assert form.reported_total.is_empty  # the only number is the weight total


def test_funds_in_yuan_are_converted_to_wan():
    text = """
项目名称 | 乙项目
项目资金（元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
^ | 年度资金总额 | 387664.62 | 400000 | 387664.62 | 10 | 96.92% | 9.69
^ | 其中：当年财政拨款 | 387664.62 | 400000 | 387664.62 | — |  | —
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
产出指标 | 成本指标 | 每人补助 | ≤8400元 | 8400元 | 90 | 90 | /
"""
    (form,), _ = locate_forms(grid_of(text))
    assert form.money_unit == "元"
    total = form.funds_row("total")
    assert total.initial_budget.value == Decimal("38.766462")
    assert total.budget.value == Decimal(40)
    assert total.weight.value == Decimal(10) and total.score.value == Decimal("9.69")
    assert total.budget.source.cell == "D3"
    unit_row = "单位：元\n" + text.replace("项目资金（元）", "项目资金")
    (form,), _ = locate_forms(grid_of(unit_row))
    assert form.money_unit == "元" and form.funds_row("total").budget.value == Decimal(40)


def test_form_without_indicator_header_is_returned_incomplete():
    text = """
项目支出绩效自评表
项目名称 | 丙项目
项目资金（万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
^ | 年度资金总额 | 10 | 10 | 8 | 10 | 80% | 8
"""
    forms, extra = locate_forms(grid_of(text))
    (form,) = forms
    assert extra == []
    assert form.funds_row("total").executed.value == Decimal(8)
    assert form.indicators == ()
    (incomplete,) = form.read_findings
    assert incomplete.code == "FORM_INCOMPLETE" and incomplete.severity == "error"
    assert "绩效指标表头" in incomplete.message and incomplete.location.cell == "A1"


def test_title_only_block_is_not_dropped():
    forms, _ = locate_forms(grid_of("项目支出绩效自评表\n（2021年度）"))
    (form,) = forms
    assert form.year.text == "2021"
    assert {f.code for f in form.read_findings} == {"FORM_INCOMPLETE"}
    assert "项目名称" in form.read_findings[0].message


def test_sheets_without_forms_yield_nothing():
    assert locate_forms(grid_of("姓名 | 金额\n张三 | 100")) == ([], [])
    assert locate_forms(Grid("a.xlsx", "空", [])) == ([], [])
    assert locate_forms(grid_of(FORM, sheet="填表说明")) == ([], [])


def test_cells_carry_formats_and_missing_cached_values():
    grid = grid_of(FORM)
    grid.rows[5][6] = Decimal("0.76")
    grid.formats[(5, 6)] = "0%"
    grid.no_cache.add((5, 7))
    grid.rows[5][7] = None
    (form,), _ = locate_forms(grid)
    total = form.funds_row("total")
    assert total.rate.text == "76%" and total.rate.is_percent_formatted
    assert total.score.no_cached_value and total.score.source.cell == "H6"


def test_locating_is_fast():
    grid = grid_of("\n".join([FORM.strip("\n")] * 20))
    start = time.perf_counter()
    forms, _ = locate_forms(grid)
    elapsed = time.perf_counter() - start
    assert len(forms) == 20
    assert elapsed / 20 < 0.005  # generous: about 1 ms per form on a quiet machine


def test_sichuan_funds_note_column_is_read_as_execution_note():
    text = """
部门预算项目支出绩效自评表
项目名称 | 丁项目
预算执行情况(10分) | 资金来源 | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因说明
^ | 总额 | 0.00 | 20 | 15 | 75.00% | 10 | 7.5 | 项目延期，部分资金未支付
^ | 其中:财政资金 | 0.00 | 20 | 15 | 75.00% | / | / |
绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析
^ | 产出指标 | 数量指标 | 培训人数 | ≥ | 50 | 人 | 45 | 90 | 81 | 疫情影响
合计 | < | < | < | < | < | < | < | 100 | 88.5 |
"""
    (form,), _ = locate_forms(grid_of(text))
    assert form.layout == "sichuan" and form.budget_weight_declared == Decimal(10)
    total = form.funds_row("total")
    assert (total.initial_budget.value, total.budget.value, total.executed.value) == (
        Decimal(0), Decimal(20), Decimal(15))
    assert total.rate.text == "75.00%" and total.weight.value == Decimal(10)
    assert form.execution_note.text == "项目延期，部分资金未支付"
    (ind,) = form.indicators
    assert ind.target.text == "≥50人" and ind.target.source.cell == "F7"
    assert (ind.actual.value, ind.weight.value, ind.score.value) == (Decimal(45), Decimal(90), Decimal(81))
    assert ind.deviation.text == "疫情影响"
    assert form.reported_total.value == Decimal("88.5")
    assert not any(f.code == "ROW_REALIGNED" for f in form.read_findings)
