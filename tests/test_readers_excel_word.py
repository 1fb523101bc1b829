"""excel.py and word.py: values, merged ranges, origins, missing cached values, Word merges."""

from __future__ import annotations

from decimal import Decimal

import docx
import openpyxl

from xltools.readers.excel import (formula_cells_without_value, read_excel_grids,
                                   read_excel_grids_openpyxl)
from xltools.readers.word import read_docx_grids


def _workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "访惠聚经费"
    ws["C3"] = "项目名称"
    ws["D3"] = "访惠聚经费"
    ws.merge_cells("D3:G3")
    ws["C5"] = 0.76
    ws["C5"].number_format = "0%"
    ws["D5"] = "=C5*10"
    ws["E5"] = 13
    ws["F5"] = "1,060.58"
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "年度资金总额"
    hidden.sheet_state = "hidden"
    wb.create_sheet("空表")
    wb.save(path)
    return path


def test_calamine_grid_values_merges_origin_and_missing_cache(tmp_path):
    grids = read_excel_grids(_workbook(tmp_path / "a.xlsx"))
    assert [g.sheet for g in grids] == ["访惠聚经费", "隐藏"]
    g = grids[0]
    assert g.origin == (2, 2) and g.file == "a.xlsx"
    assert g.rows[0][:2] == ["项目名称", "访惠聚经费"]
    assert g.merged == [(0, 1, 0, 4)]
    assert g.value(0, 3) == "访惠聚经费" and g.raw(0, 3) is None
    assert g.rows[2][0] == Decimal("0.76") and g.rows[2][2] == Decimal(13)
    assert g.rows[2][3] == "1,060.58"
    assert g.no_cache == {(2, 1)}
    cell = g.cell(2, 1)
    assert cell.no_cached_value and cell.source.cell == "D5"


def test_openpyxl_grid_has_number_formats(tmp_path):
    (g, _) = read_excel_grids_openpyxl(_workbook(tmp_path / "a.xlsx"))
    r, c = 5 - 1 - g.origin[0], 3 - 1 - g.origin[1]
    assert g.cell(r, c).text == "76%" and g.cell(r, c).source.cell == "C5"
    assert g.cell(r, c + 1).no_cached_value


def test_formula_scan_keeps_cached_results():
    xml = (b'<c r="A1"><f>1+1</f><v>2</v></c><c r="B2" t="str"><f>X</f><v></v></c>'
           b'<c r="AA10"><f>SUM(A1)</f></c><c r="C3"><v>5</v></c>')
    assert formula_cells_without_value(xml) == {(9, 26)}
    assert formula_cells_without_value(b'<c r="A1"><v>1</v></c>') == set()


def test_word_tables_spans_vertical_merges_and_nested(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).text = "项目名称"
    t.cell(0, 1).merge(t.cell(0, 3)).text = "访惠聚经费"
    t.cell(1, 0).merge(t.cell(3, 0)).text = "项目资金\n（万元）"
    t.cell(1, 1).text = "年初预算数"
    t.cell(2, 1).text = "13"
    t.cell(3, 3).add_table(rows=1, cols=2).cell(0, 1).text = "内表"
    d.add_table(rows=1, cols=1)  # an empty table keeps its number but yields no grid
    d.add_table(rows=1, cols=1).cell(0, 0).text = "第三张"
    path = tmp_path / "表.docx"
    d.save(path)
    grids = read_docx_grids(path)
    assert [g.sheet for g in grids] == ["表1", "表2", "表4"]
    g = grids[0]
    assert g.kind == "word_table"
    assert g.rows[0][:2] == ["项目名称", "访惠聚经费"]
    assert sorted(g.merged) == [(0, 1, 0, 3), (1, 0, 3, 0)]
    assert g.text(3, 0) == "项目资金\n（万元）" and g.raw(3, 0) is None
    assert g.rows[2][1] == "13" and g.cell(2, 1).source.cell == "B3"
    assert grids[1].rows == [[None, "内表"]]


def test_word_split_cell_keeps_true_grid_columns(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=2, cols=4)
    t.cell(0, 0).text = "年初预算数"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "全年执行数"
    t.cell(0, 3).text = "得分"
    for c, text in enumerate(["5", "", "5", "10"]):
        t.cell(1, c).text = text
    tr = t._tbl.tr_lst[1]
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement
    trPr = tr.get_or_add_trPr()
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    trPr.append(before)
    tr.remove(tr.tc_lst[0])
    path = tmp_path / "拆分.docx"
    d.save(path)
    (g,) = read_docx_grids(path)
    assert g.rows[0] == ["年初预算数", "全年执行数", None, "得分"]
    assert g.rows[1] == [None, None, "5", "10"]
