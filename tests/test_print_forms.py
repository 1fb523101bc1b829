"""The form sheets we write, printed by LibreOffice: each is one page wide, and no text falls
outside its cell (``pdftotext -bbox`` word boxes against the cell grid, see tests/pdfgrid.py).

Two conversions, shared by the module: the committed sample workbook, and a copy of the
committed template after 导入Word (the sample department's .docx) and 校验 — it holds the
template's empty 自评表, the imported sheets, 问题清单, and one control sheet: an imported
sheet copied with its 年度总体目标 row shrunk to one line, which the check must catch.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lo import requires_soffice, to_pdf  # noqa: E402
from pdfgrid import misplaced_words, pdf_pages, place, sheet_grid  # noqa: E402

from xltools.excel import macros  # noqa: E402
from xltools.excel.port_openpyxl import OpenpyxlPort  # noqa: E402
from xltools.excel.template import build as B  # noqa: E402
from xltools.writers.form_sheet import TITLE  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
DOCX = WORKBOOKS / "samples" / "昌吉州党委宣传部2020_自评表.docx"
CONTROL = "控制_行高过小"

pytestmark = [requires_soffice,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")]


def _cell(ws, value, *, col=None, row=None):
    for line in ws.iter_rows():
        for c in line:
            if c.value == value and (col is None or c.column == col) and (row is None or c.row == row):
                return c
    raise AssertionError(f"{ws.title}: no cell {value!r}")


def _form_sheets(wb) -> list:
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws["A1"].value == TITLE]


def _imported_with_control(work: Path) -> Path:
    book = work / "模板_导入Word.xlsm"
    shutil.copyfile(WORKBOOKS / B.TEMPLATE_NAME, book)
    port = OpenpyxlPort(book, picks=[DOCX])
    assert macros.import_word(port).startswith("已从")
    macros.validate(port)
    port.save()
    wb = openpyxl.load_workbook(book, keep_vba=True)
    source = _form_sheets(wb)[1]  # the first imported sheet
    copy = wb.copy_worksheet(source)
    copy.title = CONTROL
    copy.print_title_rows = "1:1"
    goal = _cell(copy, "预期目标").row + 1
    assert len(str(copy.cell(goal, 2).value)) > 60, "the control needs a long goal text"
    copy.row_dimensions[goal].height = 15
    wb.save(book)
    return book


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """{name: (workbook path, openpyxl workbook, pages)} for the sample and the imported copy."""
    work = tmp_path_factory.mktemp("print-forms")
    sample = work / B.SAMPLE_NAME
    shutil.copyfile(WORKBOOKS / B.SAMPLE_NAME, sample)
    out = {}
    for name, book in (("sample", sample), ("imported", _imported_with_control(work))):
        pdf = to_pdf(book, work / name)
        out[name] = (book, openpyxl.load_workbook(book), pdf_pages(pdf))
    return out


def _form_pages(pages):
    return [i for i, p in enumerate(pages) if p.find(TITLE)]


def _check(ws, page) -> list[str]:
    grid = sheet_grid(ws)
    title, total = _cell(ws, TITLE, col=1), _cell(ws, "总分", col=1)
    label = _cell(ws, "项目名称", col=1)
    head = _cell(ws, "年初预算数").row
    at = place(grid, page, [("项目名称", label.row, 1), ("得分", head, 9)],
               [(TITLE, title.row, 1), ("总分", total.row, 1)])
    return misplaced_words(grid, page, at)


@pytest.mark.parametrize("name", ["sample", "imported"])
def test_every_form_sheet_prints_on_one_page_width(printed, name):
    _book, wb, pages = printed[name]
    forms = _form_sheets(wb)
    at = _form_pages(pages)
    assert len(at) == len(forms), f"{len(forms)} form sheets on {len(at)} pages"
    guide = at[0]  # the 说明 pages come first
    issues = [i for i, p in enumerate(pages) if "严重程度" in p.texts() and "位置" in p.texts()]
    assert guide + len(forms) + len(issues) == len(pages), "a sheet is printed more than a page wide"
    for ws, i in zip(forms, at):
        page = pages[i]
        assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_options.horizontalCentered and ws.print_title_rows
        words = page.words
        # centred: the table's left and right margins on the page differ by little
        left = min(w.x0 for w in words if w.text == "项目名称")
        assert left > 40 and page.width - max(w.x1 for w in words) > 40


def test_no_text_leaves_its_cell_in_the_sample(printed):
    _book, wb, pages = printed["sample"]
    problems = {ws.title: _check(ws, pages[i]) for ws, i in zip(_form_sheets(wb), _form_pages(pages))}
    assert problems and all(not p for p in problems.values()), problems


def test_no_text_leaves_its_cell_in_the_template_and_imported_sheets(printed):
    _book, wb, pages = printed["imported"]
    forms = _form_sheets(wb)
    names = [ws.title for ws in forms]
    assert names[0] == B.sheets.FORM_SHEET and len(names) >= 3
    problems = {ws.title: _check(ws, pages[i]) for ws, i in zip(forms, _form_pages(pages))}
    control = problems.pop(CONTROL)
    assert all(not p for p in problems.values()), problems
    # the control: the same sheet with one row too short for its text is caught
    goal = _cell(wb[CONTROL], "预期目标").row + 1
    assert any(re.search(rf"sticks out of [BF]{goal}\b", p) for p in control), control


def test_guide_paragraphs_print_whole(printed):
    _book, wb, pages = printed["sample"]
    guide = wb[B.sheets.GUIDE_SHEET]
    first_form = _form_pages(pages)[0]
    text = re.sub(r"\s+", "", "".join(w.text for p in pages[:first_form] for w in p.words))
    merged = {rng.min_row for rng in guide.merged_cells.ranges}
    paragraphs = [guide.cell(r, 1).value for r in sorted(merged) if guide.cell(r, 1).value]
    assert len(paragraphs) > 10
    for para in paragraphs:
        assert re.sub(r"\s+", "", para) in text, f"cut or missing on paper: {para[:30]}"
    for row in guide.iter_rows(min_col=1, max_col=1):  # the table's left column
        value = row[0].value
        if value and row[0].row not in merged:
            assert re.sub(r"\s+", "", value)[:8] in text
