"""Excel layouts accountants really send, read as they read them.

Each case writes the made-up national form of the fixtures (budget 20, executed 15, four
indicators: 举办培训次数, 培训合格率, 群众知晓率, 参训人员满意度; reported total 95.5) and changes
it the way a province's template or a filer does: the indicator header merged down over its two
rows, other wordings for 实际完成值 and for 总分, ``总分：95.5`` and ``自评等级：良`` typed into
one cell, a list of projects on another sheet, a department-wide form beside the project forms.
"""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from fixtures.national import synthetic_form, write_national_xlsx
from xltools.core.engine import evaluate
from xltools.readers.files import read_forms

NAMES = ["举办培训次数（次）", "培训合格率", "群众知晓率", "参训人员满意度（%）"]
ACTUALS = ["12次", "90%", "100%", "90%"]


def _book(tmp_path):
    path = write_national_xlsx([synthetic_form()], tmp_path / "自评表.xlsx")
    return path, openpyxl.load_workbook(path)


def _find(ws, value):
    return next(c for row in ws.iter_rows() for c in row if c.value == value)


def _result(path):
    outcome = read_forms(path)
    assert len(outcome.forms) == 1, [f.code for f in outcome.findings]
    return evaluate(outcome.forms[0])


def _indicators_read(result):
    assert [i.name for i in result.form.indicators] == NAMES
    assert [i.actual.text for i in result.form.indicators] == ACTUALS
    assert result.reported_total == Decimal("95.5")


@pytest.mark.parametrize("upper", [("年度指标值", "实际完成值"), ("年度\n指标值", "实际\n完成值")])
def test_indicator_header_merged_down_over_two_rows(tmp_path, upper):
    path, wb = _book(tmp_path)
    ws = wb.active
    year, actual = _find(ws, "年度"), _find(ws, "实际")
    year.value, actual.value = upper
    for c in (year, actual):
        ws.cell(c.row + 1, c.column).value = None
    wb.save(path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for cell in list(ws[_find(ws, "一级指标").row]):  # every header cell merged down one row
        below = ws.cell(cell.row + 1, cell.column)
        if cell.value and not below.value and not any(
                cell.coordinate in r for r in ws.merged_cells.ranges):
            ws.merge_cells(start_row=cell.row, start_column=cell.column,
                           end_row=cell.row + 1, end_column=cell.column)
    wb.save(path)
    _indicators_read(_result(path))


@pytest.mark.parametrize("wording", ["全年实际值", "实际值", "年度实际完成值"])
def test_other_wordings_of_the_actual_column(tmp_path, wording):
    path, wb = _book(tmp_path)
    ws = wb.active
    actual = _find(ws, "实际")
    actual.value = wording
    ws.cell(actual.row + 1, actual.column).value = None
    wb.save(path)
    _indicators_read(_result(path))


@pytest.mark.parametrize("label", ["自评总分", "总得分", "得分合计"])
def test_other_wordings_of_the_total_row(tmp_path, label):
    path, wb = _book(tmp_path)
    _find(wb.active, "总分").value = label
    wb.save(path)
    result = _result(path)
    _indicators_read(result)
    assert "WEIGHTS_NOT_100" not in {f.code for f in result.findings}


def test_total_and_grade_typed_into_one_cell_each(tmp_path):
    path, wb = _book(tmp_path)
    ws = wb.active
    label = _find(ws, "总分")
    for rng in [r for r in ws.merged_cells.ranges if r.min_row <= label.row + 1 <= r.max_row + 1]:
        ws.unmerge_cells(str(rng))
    for c in range(label.column + 1, label.column + 9):
        ws.cell(label.row, c).value = None
    label.value = "总分：95.5"
    ws.cell(label.row + 1, label.column).value = "自评等级：良"
    wb.save(path)
    result = _result(path)
    _indicators_read(result)
    assert result.form.reported_grade.text == "良"
    assert result.form.reported_total.source.cell == label.coordinate
    mismatch = [f for f in result.findings if f.code == "GRADE_MISMATCH"]
    assert len(mismatch) == 1  # 95.5 recomputed is 优, the form says 良


def test_a_list_of_projects_on_another_sheet_is_not_a_form(tmp_path):
    path, wb = _book(tmp_path)
    ws = wb.create_sheet("项目清单")
    ws.append(["序号", "项目名称", "项目编码", "主管部门", "全年预算数", "全年执行数"])
    for i in range(1, 301):
        ws.append([i, f"项目{i}（虚构）", f"XM{i:04d}", "示例局（虚构）", 10, 9])
    wb.save(path)
    outcome = read_forms(path)
    assert [f.project_name for f in outcome.forms] == ["示例项目（虚构）"]
    assert outcome.findings == []


def test_a_department_wide_form_is_read_as_such(tmp_path):
    """部门整体支出绩效自评表 sits beside the project forms in some workbooks: it is not a
    project, but it is a form to check (issue 11: such forms must be found). It is read under
    its department's name, with ``layout="department_wide"`` and a DEPARTMENT_WIDE_FORM
    finding, so that it can be told apart from the projects."""
    path, wb = _book(tmp_path)
    ws = wb.create_sheet("部门整体")
    ws.append(["部门整体支出绩效自评表"])
    ws.append(["（2020年度）"])
    ws.append(["部门（单位）名称", "示例局（虚构）"])
    ws.append(["年度资金总额", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["", 500, 520, 500, 10, "96%", 9.6])
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    ws.append(["产出指标", "数量指标", "完成重点工作数", "≥10项", "12项", 50, 50])
    wb.save(path)
    outcome = read_forms(path)
    assert [f.project_name for f in outcome.forms] == ["示例项目（虚构）", "示例局（虚构）"]
    project, department = outcome.forms
    assert project.layout != "department_wide" and department.layout == "department_wide"
    assert [f.code for f in department.read_findings] == ["DEPARTMENT_WIDE_FORM"]
    assert department.funds_row("total").budget.text == "520"


@pytest.mark.parametrize("text, op, value, unit", [
    ("≥95%（含）", ">=", 95, "%"),
    ("≥10次（全年累计）", ">=", 10, "次"),
    ("100%（含）", None, 100, "%"),
    ("≥90%(以上)", ">=", 90, "%"),
    ("20（万元）", None, 20, "万元"),
])
def test_a_bracketed_remark_after_a_value_is_not_its_unit(text, op, value, unit):
    from xltools.core.notation import parse_measure

    m = parse_measure(text)
    assert (m.kind, m.op, m.value, m.unit, m.text) == ("number", op, value, unit, text)


@pytest.mark.parametrize("header, year_line", [
    ("项目资金（单位：元）", "（2020年度）"),
    ("项目资金（元）", "（2020年度）"),
    ("项目资金", "（2020年度）（单位：元）"),
])
def test_money_in_yuan_declared_in_brackets(tmp_path, header, year_line):
    path, wb = _book(tmp_path)
    ws = wb.active
    _find(ws, "项目资金（万元）").value = header
    _find(ws, "（2020年度）").value = year_line
    funds = _find(ws, "年度资金总额")
    for c in range(funds.column + 1, funds.column + 4):  # 年初预算数, 全年预算数, 全年执行数
        for r in (funds.row, funds.row + 1):
            cell = ws.cell(r, c)
            if isinstance(cell.value, (int, float)):
                cell.value = cell.value * 10000
            elif isinstance(cell.value, str) and cell.value.replace(".", "").isdigit():
                cell.value = str(int(float(cell.value) * 10000))
    wb.save(path)
    result = _result(path)
    assert (result.funds.budget, result.funds.executed) == (20, 15)
    assert "MONEY_IN_YUAN" in {f.code for f in result.findings}


def test_amount_written_with_wan(tmp_path):
    path, wb = _book(tmp_path)
    ws = wb.active
    funds = _find(ws, "年度资金总额")
    ws.cell(funds.row, funds.column + 3).value = "15万"
    wb.save(path)
    assert _result(path).funds.executed == 15


def test_a_form_without_a_total_row_ends_at_its_footer(tmp_path):
    path, wb = _book(tmp_path)
    ws = wb.active
    label = _find(ws, "总分")
    for rng in [r for r in ws.merged_cells.ranges if r.min_row == label.row]:
        ws.unmerge_cells(str(rng))
    for c in range(1, 12):
        ws.cell(label.row, c).value = None
    ws.cell(label.row, 2).value = "填表人：张三（虚构）"
    ws.cell(label.row + 1, 2).value = "联系电话：0994-0000000"
    wb.save(path)
    result = _result(path)
    assert [i.name for i in result.form.indicators] == NAMES
    assert {f.code for f in result.findings} >= {"TOTAL_MISSING"}


def test_two_forms_side_by_side_on_one_sheet(tmp_path):
    """A second form placed to the right of the first (columns K…) is read too, with its own
    addresses, instead of disappearing."""
    path, wb = _book(tmp_path)
    ws = wb.active
    other = openpyxl.load_workbook(write_national_xlsx(
        [synthetic_form("另一个项目（虚构）", budget="50", executed="40")], tmp_path / "乙.xlsx")).active
    for row in other.iter_rows():
        for cell in row:
            if cell.value is not None and not isinstance(cell, openpyxl.cell.cell.MergedCell):
                ws.cell(cell.row, cell.column + 10).value = cell.value
    for rng in other.merged_cells.ranges:
        ws.merge_cells(start_row=rng.min_row, start_column=rng.min_col + 10,
                       end_row=rng.max_row, end_column=rng.max_col + 10)
    wb.save(path)
    forms = read_forms(path).forms
    assert [f.project_name for f in forms] == ["示例项目（虚构）", "另一个项目（虚构）"]
    results = [evaluate(f) for f in forms]
    assert [(r.funds.budget, r.funds.executed) for r in results] == [(20, 15), (50, 40)]
    assert [i.name for i in forms[1].indicators] == NAMES
    assert forms[1].project.source.cell == "L3"


def test_one_weight_and_score_merged_over_two_indicator_rows(tmp_path):
    """分值 30 and 得分 30 typed once for 群众知晓率 and 参训人员满意度 (cells merged down over
    both rows): counted once, so the weights still add up to 100 and the scores to 95.5."""
    path, wb = _book(tmp_path)
    ws = wb.active
    first = _find(ws, "群众知晓率")
    header = _find(ws, "一级指标").row
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    for name in ("分值", "得分"):
        col = cols[name]
        ws.cell(first.row, col).value = 30
        ws.cell(first.row + 1, col).value = None
        ws.merge_cells(start_row=first.row, start_column=col, end_row=first.row + 1, end_column=col)
    wb.save(path)
    result = _result(path)
    assert [i.name for i in result.form.indicators] == NAMES
    assert [ir.weight for ir in result.indicators] == [40, 20, 30, None]
    codes = {f.code for f in result.findings}
    assert {"WEIGHTS_NOT_100", "TOTAL_SUM_MISMATCH"}.isdisjoint(codes), codes


def test_grouped_indicator_header(tmp_path):
    """``绩效指标`` over 一级/二级/三级指标 in the second header row, while 年度指标值, 实际完成值,
    分值 and 得分 are typed once in the first row (not merged down)."""
    path, wb = _book(tmp_path)
    ws = wb.active
    top = _find(ws, "一级指标")
    r, c = top.row, top.column  # 一级指标 at (r, c); the data rows start at r + 2
    for rng in [x for x in ws.merged_cells.ranges if x.min_row <= r + 1 and x.max_row >= r]:
        ws.unmerge_cells(str(rng))
    labels = ["年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    for k in range(9):
        ws.cell(r, c + k).value = ws.cell(r + 1, c + k).value = None
    ws.cell(r, c).value = "绩效指标"
    ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + 2)
    for k, text in enumerate(["一级指标", "二级指标", "三级指标"]):
        ws.cell(r + 1, c + k).value = text
    for k, text in enumerate(labels):
        ws.cell(r, c + 3 + k).value = text
    wb.save(path)
    _indicators_read(_result(path))
