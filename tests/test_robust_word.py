"""Word forms keep their title and year: the paragraphs above a table become leading rows of its
grid, while the table's own cells keep their addresses (table row 1 is A1)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import pytest

from fixtures.builders import load_seed, write_seed_docx
from xltools.core.engine import evaluate
from xltools.core.rulepack import load_rulepack
from xltools.readers.files import read_forms
from xltools.readers.locate import locate_forms
from xltools.readers.word import MAX_PREAMBLE, _W, document_tables, read_docx_grids, table_grid

SAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "samples" / "昌吉州党委宣传部2020_自评表.docx"
FILED_TOTALS = [Decimal(100), Decimal(100), Decimal("87.6"), Decimal(100), Decimal(100), Decimal("91.8")]


def tables_only(path: Path) -> list:
    """The forms as read from the tables alone (what the reader did before paragraphs counted)."""
    document = docx.Document(str(path))
    forms = []
    for n, (tbl, _) in enumerate(document_tables(document.element.body), start=1):
        found, _ = locate_forms(table_grid(tbl, path.name, f"表{n}"))
        forms.extend(found)
    return forms


def summary(form, pack):
    result = evaluate(form, pack)
    return (form.project_name, result.total, result.reported_total, result.grade,
            len(form.indicators), [(r.kind, r.budget.text, r.executed.text) for r in form.funds])


@pytest.fixture(scope="module")
def pack():
    return load_rulepack()


@pytest.fixture(scope="module")
def seed_docx(seed_path, tmp_path_factory):
    return write_seed_docx(load_seed(seed_path), tmp_path_factory.mktemp("word") / "自评表.docx")


@pytest.mark.parametrize("which", ["sample", "fixture"])
def test_seed_word_forms_have_their_year_and_unchanged_totals(which, seed_docx, pack):
    path = SAMPLE if which == "sample" else seed_docx
    forms = read_forms(path).forms
    assert len(forms) == 6
    assert [f.year.text for f in forms] == ["2020"] * 6
    assert [f.year.source.cell for f in forms] == ["A0"] * 6  # the paragraph right above
    assert [f.year.source.sheet for f in forms] == [f"表{n}" for n in range(1, 7)]
    assert [f.reported_total.value if isinstance(f.reported_total.value, Decimal)
            else Decimal(f.reported_total.text) for f in forms] == FILED_TOTALS
    assert [summary(f, pack) for f in forms] == [summary(f, pack) for f in tables_only(path)]
    # table cells keep their table addresses: 项目名称's value is B1 of the table
    assert all(f.project.source.cell == "B1" for f in forms)


def test_paragraphs_become_rows_above_the_table(tmp_path):
    d = docx.Document()
    d.add_paragraph("项目支出绩效自评表")
    d.add_paragraph("")
    d.add_paragraph("（2021年度）")
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).text = "项目名称"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "农村公路养护"
    t.cell(1, 0).text = "主管部门"
    t.cell(1, 1).text = "县交通运输局"
    path = tmp_path / "公路.docx"
    d.save(path)
    (g,) = read_docx_grids(path)
    assert g.rows[:2] == [["项目支出绩效自评表"], ["（2021年度）"]]  # the empty paragraph is dropped
    assert g.rows[2][:2] == ["项目名称", "农村公路养护"]
    assert g.origin == (-2, 0)
    assert [g.address(r, 0) for r in range(4)] == ["A-1", "A0", "A1", "A2"]
    assert g.merged == [(2, 1, 2, 2)]
    assert g.cell(2, 2).source.cell == "B1"  # the merged name cell, at its table address
    (form,), _ = locate_forms(g)
    assert form.project_name == "农村公路养护" and form.year.text == "2021"
    assert form.department.text == "县交通运输局" and form.department.source.cell == "B2"


def test_each_table_gets_only_the_paragraphs_since_the_previous_table(tmp_path):
    d = docx.Document()
    d.add_paragraph("（2019年度）")
    d.add_table(rows=1, cols=2).cell(0, 0).text = "项目名称"
    for k in range(MAX_PREAMBLE + 2):
        d.add_paragraph(f"说明第{k + 1}段")
    d.add_table(rows=1, cols=2).cell(0, 0).text = "第二张"
    d.add_paragraph("表格之后的段落")
    path = tmp_path / "两表.docx"
    d.save(path)
    first, second = read_docx_grids(path)
    assert first.rows == [["（2019年度）"], ["项目名称", None]]
    # only the last MAX_PREAMBLE paragraphs are kept
    assert [row[0] for row in second.rows[:-1]] == [f"说明第{k + 1}段" for k in range(2, MAX_PREAMBLE + 2)]
    assert second.origin == (-MAX_PREAMBLE, 0) and second.address(MAX_PREAMBLE, 0) == "A1"


def test_nested_tables_and_cell_paragraphs_are_not_preamble(tmp_path):
    d = docx.Document()
    d.add_paragraph("项目支出绩效自评表")
    outer = d.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "外表"
    cell = outer.cell(0, 1)
    cell.text = "单元格中的段落"
    cell.add_table(rows=1, cols=1).cell(0, 0).text = "内表"
    d.add_table(rows=1, cols=1)  # empty: keeps its number, no grid, swallows no paragraphs
    d.add_paragraph("（2020年度）")
    d.add_table(rows=1, cols=1)  # empty with a paragraph above: still no grid
    path = tmp_path / "嵌套.docx"
    d.save(path)
    grids = read_docx_grids(path)
    assert [g.sheet for g in grids] == ["表1", "表2"]
    assert grids[0].rows[0] == ["项目支出绩效自评表"] and grids[0].rows[1][0] == "外表"
    assert grids[1].rows == [["内表"]] and grids[1].origin == (0, 0)
    body = docx.Document(str(path)).element.body
    assert [len(pre) for _, pre in document_tables(body)] == [1, 0, 0, 1]
    assert all(t.tag == f"{_W}tbl" for t, _ in document_tables(body))


def test_stray_value_right_of_a_word_funds_row_keeps_the_seed_total(seed_path, tmp_path, pack):
    """The 复核得分 a reviewer types right of the split 年度资金总额 row changes nothing."""
    seed = [s for s in load_seed(seed_path) if s.project_name == "新闻出版电影放映工作经费"]
    path = write_seed_docx(seed, tmp_path / "新闻.docx")
    d = docx.Document(str(path))
    (table,) = d.tables
    row = next(r for r in table.rows if any("年度资金总额" in c.text for c in r.cells))
    from docx.oxml.table import CT_Tc
    tc = CT_Tc.new()
    row._tr.append(tc)
    from docx.table import _Cell
    _Cell(tc, table).text = "9"
    d.save(str(path))
    (form,) = read_forms(path).forms
    total = form.funds_row("total")
    assert (total.budget.text, total.executed.text, total.rate.text) == ("5", "5", "100%")
    assert evaluate(form, pack).total == Decimal(100)
