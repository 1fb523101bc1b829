"""Row heights from wrapped text (xltools.writers.text_fit) and where the writers use them:
the form sheets, the 说明 sheet (its tables generated from the ribbon and the UDF module) and
the 问题清单 table. The printed result is checked in test_print_forms.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xltools.excel.marks import lay_out_table, table_widths
from xltools.excel.template import build as B
from xltools.excel.template import sheets as S
from xltools.excel.template.sources import ribbon_xml
from xltools.writers import text_fit as T
from xltools.writers.form_sheet import COLUMN_WIDTHS, MARGINS, write_form_sheet

ROOT = Path(__file__).resolve().parents[1]
WRAP = Alignment(wrap_text=True)
LONG = "组织开展返乡大学生活动次数及各项宣传教育活动的完成情况，按季度统计并报送"


def test_cjk_is_twice_as_wide_as_latin_and_grows_with_the_font():
    assert T.text_units("中文", 10) == pytest.approx(2 * T.text_units("ab", 10))
    assert T.text_units("中", 10) == pytest.approx(1.905, abs=0.01)  # ~2 units
    assert T.text_units("中", 16) > T.text_units("中", 10) * 1.5


def test_lines_follow_the_width_the_text_wraps_in():
    narrow, wide = T.line_count(LONG, 10, 10), T.line_count(LONG, 40, 10)
    assert narrow > wide >= 1
    assert T.line_count(LONG, 1000, 10) == 1
    assert T.line_count("一\n二\n三", 1000, 10) == 3
    # a Latin word is not split while it fits on a line of its own
    assert T.line_count("alpha beta gamma", T.text_units("alpha beta ", 10) + T.CELL_PADDING, 10) == 2


@pytest.mark.parametrize("text", [LONG, "满意度" * 15, "预算执行率（%）达到年度目标值" * 3])
def test_the_fast_estimate_never_gives_fewer_lines_for_chinese(text):
    for width in (8, 12, 20, 30):
        assert T.estimate_lines(text, width - T.CELL_PADDING, 10) >= T.line_count(text, width, 10)


def test_row_height_is_the_tallest_cell_and_at_least_the_minimum():
    one = T.row_height([("短", 10, 10)], minimum=18)
    assert one == 18
    tall = T.row_height([("短", 10, 10), (LONG, 10, 10)])
    assert tall == T.line_count(LONG, 10, 10) * T.line_height(10) + T.ROW_PADDING


def _sheet(widths):
    ws = Workbook().active
    for letter, w in widths.items():
        ws.column_dimensions[letter].width = w
    return ws


def test_fit_rows_uses_the_merged_width_and_leaves_empty_rows_alone():
    ws = _sheet({"A": 10, "B": 10, "C": 10})
    for r in (1, 2):
        ws.cell(r, 1, LONG).alignment = WRAP
        ws.cell(r, 1).font = Font(size=10)
    ws.merge_cells("A2:C2")
    ws.cell(3, 1, None)
    heights = T.fit_rows(ws, 1, 4)
    assert heights[1] > heights[2] > 15  # alone in 10 units vs across 30
    assert ws.row_dimensions[1].height == heights[1]
    assert 3 not in heights and ws.row_dimensions[3].height is None  # typed into later
    unwrapped = _sheet({"A": 10})
    unwrapped["A1"] = LONG  # spills sideways: no height
    assert T.fit_rows(unwrapped) == {}


def test_fit_rows_gives_a_cell_merged_down_the_room_it_lacks():
    ws = _sheet({"A": 6, "B": 30})
    ws["A1"] = LONG
    ws["A1"].alignment = WRAP
    ws.merge_cells("A1:A3")
    for r in (1, 2, 3):
        ws.cell(r, 2, "一行").alignment = WRAP
    heights = T.fit_rows(ws, minimum=15)
    need = T.row_height([(LONG, 6, 11)])
    assert sum(heights.values()) == pytest.approx(need, abs=0.25)
    one_line = T.row_height([("一行", 30, 11)])
    assert heights[1] == heights[2] == one_line < heights[3]


def test_fit_rows_keeps_a_taller_row_unless_told():
    ws = _sheet({"A": 40})
    ws["A1"] = "短"
    ws["A1"].alignment = WRAP
    ws.row_dimensions[1].height = 60
    assert T.fit_rows(ws)[1] == 60
    assert T.fit_rows(ws, keep_taller=False)[1] == T.row_height([("短", 40, 11)]) < 60


@pytest.fixture(scope="module")
def sample_forms():
    return B.sample_forms(B.default_sample_source(ROOT / "workbooks"))


def test_every_row_of_a_written_form_fits_its_text(sample_forms):
    for form in sample_forms:
        ws = Workbook().active
        where = write_form_sheet(ws, form, formulas="missing")
        first, last = where.indicator_rows
        for r in range(first, last + 1):
            for letter in "DEFI":
                text = ws[f"{letter}{r}"].value
                if isinstance(text, str) and text:
                    need = T.row_height([(text, COLUMN_WIDTHS[letter], 10)])
                    assert ws.row_dimensions[r].height >= need, (form.project_name, letter, r)
        goal = int(where.goal_expected[1:])
        text = ws[where.goal_expected].value or ""
        merged = sum(COLUMN_WIDTHS[c] for c in "BCDE")
        assert ws.row_dimensions[goal].height >= T.row_height([(text, merged, 10)])


def test_a_form_prints_as_the_national_form():
    ws = Workbook().active
    write_form_sheet(ws, None)
    ps = ws.page_setup
    assert (ps.orientation, int(ps.paperSize), ps.fitToWidth, ps.fitToHeight) == ("portrait", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_options.horizontalCentered
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_margins.top == pytest.approx(MARGINS["top"], abs=0.001)
    assert ws.page_margins.left == pytest.approx(28 / 25.4, abs=0.001)
    assert "&P" in ws.oddFooter.center.text


def _guide_texts(ws):
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_the_guide_lists_every_ribbon_button_and_every_udf():
    ws = Workbook().active
    S.write_guide(ws)
    texts = _guide_texts(ws)
    joined = "\n".join(texts)
    import re
    labels = re.findall(r'<button [^>]*label="([^"]+)"', ribbon_xml().decode("utf-8"))
    assert len(labels) >= 8
    for label in labels:
        assert any(t.startswith(label + "（") for t in texts), label
    from xltools.excel import udfs
    names = [n for n in dir(udfs) if n.startswith("XT_") and callable(getattr(udfs, n))]
    assert len(names) >= 7
    for name in names:
        assert any(t.startswith(name + "(") for t in texts), name
    assert "=XT_GRADE(87.6) → 良" in joined  # the example from the UDF module's docstring
    # every row is as tall as its wrapped text in the merged (A:B) or its own column
    merged = {rng.min_row for rng in ws.merged_cells.ranges}
    for row in ws.iter_rows(min_col=1, max_col=2):
        for cell in row:
            if isinstance(cell.value, str):
                width = sum(S.GUIDE_WIDTHS.values()) if cell.row in merged and cell.column == 1 \
                    else S.GUIDE_WIDTHS[cell.column_letter]
                need = T.row_height([(cell.value, width, cell.font.sz)])
                assert ws.row_dimensions[cell.row].height >= need, cell.value[:20]


def test_a_new_ribbon_button_appears_in_the_guide_without_editing_it(tmp_path):
    bridge = tmp_path / "vba_bridge"
    shutil.copytree(ROOT / "vba_bridge", bridge)
    xml = (bridge / "customUI14.xml").read_text(encoding="utf-8")
    xml = xml.replace('</group>', '<button id="xtNew" label="生成报告" onAction="XT_OnNew" '
                                  'supertip="根据自评表起草绩效自评报告。"/></group>', 1)
    (bridge / "customUI14.xml").write_text(xml, encoding="utf-8")
    ws = Workbook().active
    S.write_guide(ws, bridge=bridge)
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(max_col=2)]
    assert ("生成报告（表单）", "根据自评表起草绩效自评报告。") in rows


def test_the_issue_table_wraps_long_texts_and_prints_landscape():
    rows = [["严重程度", "代码", "说明", "位置"],
            ["错误", "MISSED_TARGET_FULL_SCORE", LONG * 3, "表1!H28"]]
    widths = table_widths(rows)
    assert widths[2] == 50.0 and 8 <= widths[0] < 20
    ws = Workbook().active
    for row in rows:
        ws.append(row)
    lay_out_table(ws, rows)
    assert ws.column_dimensions["C"].width == 50.0
    assert ws.row_dimensions[2].height >= T.row_height([(LONG * 3, 50.0, 11)])
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
