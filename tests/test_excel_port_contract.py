"""One contract for both workbook ports: the openpyxl port (tests, CLI) and the xlwings port
(Excel) on a fake of xlwings' object model that behaves as Excel does (tests/fake_xlwings.py).

Every test runs once per port on a copy of the committed sample department's workbook
(workbooks/samples/, six forms); the ``both`` tests compare the two ports' results.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xltools.excel import macros
from xltools.excel.marks import LEDGER_SHEET
from xltools.excel.port_openpyxl import OpenpyxlPort
from xltools.excel.port_xlwings import XlwingsPort

sys.path.insert(0, str(Path(__file__).parent))
from fake_xlwings import FakeBook, excel_input  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "workbooks" / "samples"
XLSX = SAMPLES / "昌吉州党委宣传部2020_自评表.xlsx"
DOCX = SAMPLES / "昌吉州党委宣传部2020_自评表.docx"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XLTOOLS_CONFIG", str(tmp_path / "none" / "xltools.conf"))


def make_port(kind: str, folder: Path, picks=()):
    copy = folder / XLSX.name
    shutil.copy(XLSX, copy)
    if kind == "openpyxl":
        return OpenpyxlPort(copy, picks=list(picks))
    book = FakeBook.from_openpyxl(openpyxl.load_workbook(copy), copy.name, str(copy),
                                  cached=openpyxl.load_workbook(copy, data_only=True))
    book.app.picks = list(picks)
    return XlwingsPort(book)


@pytest.fixture(params=["openpyxl", "xlwings"])
def port(request, tmp_path):
    return make_port(request.param, tmp_path, picks=[DOCX])


@pytest.fixture
def both(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    return make_port("openpyxl", tmp_path / "a", [DOCX]), make_port("xlwings", tmp_path / "b", [DOCX])


PLAIN_FILLS = ("rgb:", "<fill><patternFill/></fill>")  # "no fill" as each port records it


def grids(port) -> dict:
    """Every sheet as the engine sees it: values, merged areas, number formats."""
    out = {}
    for name in port.sheet_names():
        g = port.read_grid(name)
        rows = tuple(tuple(row) for row in g.rows)
        while rows and all(v is None for v in rows[-1]):
            rows = rows[:-1]
        width = max((max((i + 1 for i, v in enumerate(r) if v is not None), default=0) for r in rows), default=0)
        out[name] = (tuple(r[:width] for r in rows), tuple(sorted(g.merged)),
                     tuple(sorted((k, v) for k, v in g.formats.items() if v != "@")))
    return out


def decorations(port) -> dict:
    """Fills and comments of every cell of every form sheet (through the port's own primitives)."""
    out = {}
    for name in macros.form_sheets(port):
        g = port.read_grid(name)
        for r in range(g.height):
            for c in range(g.width):
                address = f"{openpyxl.utils.get_column_letter(c + 1)}{r + 1}"
                look = (port._get_fill(name, address), port._get_comment(name, address))
                if look[1] is not None or look[0] not in PLAIN_FILLS:
                    out[(name, address)] = look
    return out


# --------------------------------------------------------------------------------------------
# the fake behaves as Excel


def test_fake_parses_assigned_text_as_excel_does():
    book = FakeBook("b.xlsx")
    sheet = book.sheets.add("表")
    for address, text in (("A1", "100%"), ("A2", "13"), ("A3", "12-31"), ("A4", "≥95%"), ("A5", "=A2*2")):
        sheet.range(address).value = text
    assert sheet.range("A1").value == 1.0 and sheet.range("A1").number_format == "0%"
    assert sheet.range("A2").value == 13.0 and isinstance(sheet.range("A2").value, float)
    assert sheet.range("A3").value == dt.datetime(dt.date.today().year, 12, 31)
    assert sheet.range("A4").value == "≥95%" and sheet.values[(5, 1)] == "=A2*2"  # a formula, computed by Excel
    sheet.range("B1:B3").number_format = "@"
    sheet.range("B1").value, sheet.range("B2").value = "100%", "12-31"
    assert sheet.range("B1").value == "100%" and sheet.range("B2").value == "12-31"
    sheet.range("C1").value = 7
    assert sheet.range("C1").value == 7.0 and isinstance(sheet.range("C1").value, float)
    assert excel_input(Decimal("9.41"), "General") == (9.41, "General")


def test_fake_sheets_by_name_hidden_and_counted():
    book = FakeBook("b.xlsx")
    first = book.sheets.add("问题清单")
    second = book.sheets.add("Data", after=first)
    second.visible = False
    assert book.sheets["data"] is second and not book.sheets["DATA"].visible
    assert [s.name for s in book.sheets] == ["问题清单", "Data"]
    with pytest.raises(ValueError):
        book.sheets.add("Data")
    book.calls.clear()
    first.range("A1:B2").options(ndim=2).value
    assert book.calls["read"] == 1


# --------------------------------------------------------------------------------------------
# the contract, per port


def test_reading_a_sheet_is_one_range_read(port):
    sheet = macros.form_sheets(port)[0]
    grid_cells = None
    if isinstance(port, XlwingsPort):
        port.book.calls.clear()
    grid = port.read_grid(sheet)
    grid_cells = sum(1 for r in range(grid.height) for c in range(grid.width) if grid.raw(r, c) is not None)
    assert grid.merged and grid_cells > 40
    if isinstance(port, XlwingsPort):
        calls = port.book.calls
        assert calls["read"] == 1  # the values: one range read
        assert calls["find"] == len(grid.merged) + 1  # a call per merged area, not per cell
        assert sum(calls.values()) < grid_cells  # nothing else per cell


def test_validate_then_clear_marks_leaves_the_workbook_as_it_was(port):
    before, looks = grids(port), decorations(port)
    text = macros.validate(port)
    assert text.startswith("校验完成：6 张自评表"), text
    assert macros.ISSUES_SHEET in port.sheet_names() and LEDGER_SHEET in port.sheet_names()
    assert decorations(port) != looks
    assert macros.clear_marks(port).startswith("已清除")
    assert LEDGER_SHEET not in port.sheet_names()  # no hidden sheet left behind
    assert macros.ISSUES_SHEET not in port.sheet_names()
    assert grids(port) == before
    assert decorations(port) == looks


def test_recalculate_then_clear_marks(port):
    before, looks = grids(port), decorations(port)
    assert macros.recalculate(port).startswith("重算完成：6 张自评表")
    assert macros.recalculate(port).startswith("重算完成：6 张自评表")  # again: ours may be rewritten
    macros.clear_marks(port)
    assert grids(port) == before and decorations(port) == looks
    assert port.sheet_names() == list(before)


def test_import_word_keeps_text_as_text(port):
    text = macros.import_word(port)
    assert text.startswith(f"已从 {DOCX.name} 导入 6 张自评表"), text
    new = [s for s in port.sheet_names() if s.endswith("(2)")]
    assert len(new) == 6
    percents = []
    for sheet in new:
        g = port.read_grid(sheet)
        for r in range(g.height):
            for c in range(g.width):
                v = g.raw(r, c)
                if isinstance(v, str) and (v.rstrip().endswith("%") or "-" in v):
                    percents.append(v)
                assert not isinstance(v, (dt.date, dt.datetime))
    assert any(v.endswith("%") for v in percents)  # "80%" read back as the text the filer wrote


# --------------------------------------------------------------------------------------------
# the two ports agree


def test_both_ports_read_the_same_workbook(both):
    a, b = both
    assert grids(a) == grids(b)


def test_both_ports_write_the_same_results(both):
    a, b = both
    assert macros.validate(a) == macros.validate(b)
    ga, gb = grids(a), grids(b)
    assert sorted(ga) == sorted(gb)  # the hidden ledger may sit elsewhere in the tab order
    ga.pop(LEDGER_SHEET), gb.pop(LEDGER_SHEET)  # fills are recorded in each library's own terms
    assert ga == gb  # 复核得分 and 问题清单 alike (text stays text in Excel too)
    assert macros.clear_marks(a) == macros.clear_marks(b)
    assert grids(a) == grids(b)


def test_both_ports_import_word_the_same(both):
    a, b = both
    assert macros.import_word(a) == macros.import_word(b)
    ga, gb = grids(a), grids(b)
    assert list(ga) == list(gb)
    for name in ga:
        assert ga[name][0] == gb[name][0], name  # values
        assert ga[name][1] == gb[name][1], name  # merged areas
    assert macros.recalculate(a) == macros.recalculate(b)  # the imported forms score alike
