"""A Word form split over two tables (a paragraph typed between them) is read as one form whose
cells keep their own table's addresses."""

from __future__ import annotations

from decimal import Decimal as D

import docx

from xltools.core.engine import evaluate
from xltools.readers.files import read_forms

HEAD = [
    ["项目名称", "乡村文化活动经费", "", "", "", "", ""],
    ["主管部门", "某县宣传部", "", "", "实施单位", "某县文化馆", ""],
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "20", "20", "19", "10", "95%", "9.5"],
]
TAIL = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    ["产出指标", "数量指标", "开展活动场次", "≥20场次", "22场次", "50", "50", "/"],
    ["效益指标", "社会效益指标", "群众参与度", "有一定提升", "达成预期指标", "30", "30", "/"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "92%", "10", "10", "/"],
    ["总分", "", "", "", "", "100", "99.5", ""],
]


def table(document, rows):
    t = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    return t


def write(path, *, second_title=False):
    document = docx.Document()
    document.add_paragraph("项目支出绩效自评表")
    document.add_paragraph("（2021年度）")
    table(document, HEAD)
    document.add_paragraph("二、绩效指标完成情况")
    table(document, ([["项目支出绩效自评表"]] if second_title else []) + TAIL)
    document.save(path)
    return path


def test_two_tables_are_one_form_with_true_addresses(tmp_path):
    outcome = read_forms(write(tmp_path / "拆表.docx"))
    assert len(outcome.forms) == 1
    form = outcome.forms[0]
    assert (form.project.text, form.year.text, form.reported_total.text) == ("乡村文化活动经费", "2021", "99.5")
    assert str(form.project.source) == "拆表.docx｜表1!B1"
    first = form.indicators[0]
    assert first.name == "开展活动场次" and str(first.source) == "拆表.docx｜表2!C2"
    assert str(form.reported_total.source) == "拆表.docx｜表2!G5"
    result = evaluate(form)
    assert result.total == D("99.5")
    assert not {f.code for f in result.findings} & {"FORM_INCOMPLETE", "NO_FORM"}


def test_a_second_table_that_starts_its_own_form_is_not_joined(tmp_path):
    outcome = read_forms(write(tmp_path / "两张表.docx", second_title=True))
    assert len(outcome.forms) == 2
    incomplete = [f for form in outcome.forms for f in form.read_findings if f.code == "FORM_INCOMPLETE"]
    assert len(incomplete) == 2  # the first lacks its indicators, the second its project name
