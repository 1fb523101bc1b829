"""The fast paths of the readers give the same answers as the straightforward ones.

* ``excel.formula_cells_without_value`` traces each ``<f>`` back to its cell instead of matching
  every cell of the sheet: same set as ``excel._formula_cells_full_scan`` on any sheet XML;
* ``excel._cell_value`` = ``normalise_value(_whole(value))`` for everything calamine returns;
* ``Grid.text``/``Grid.cell``/``Grid.first_filled`` remember what they computed: the answers are
  those of ``Grid.raw``/``Grid.anchor`` on merged grids.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xltools.readers import excel as X
from xltools.readers.grid import Grid, a1, column_letter, normalise_value

# --- formula scan -------------------------------------------------------------------------------


def _cell_xml(ref: str, kind: str, prefix: str, sep: str) -> str:
    p = f"{prefix}:" if prefix else ""
    c, f, v = f"{p}c", f"{p}f", f"{p}v"
    return {
        "empty": f'<{c}{sep}r="{ref}" s="1"/>',
        "number": f'<{c} r="{ref}"><{v}>12.5</{v}></{c}>',
        "text": f'<{c} r="{ref}" t="inlineStr"><{p}is><{p}t>年度 &lt;f&gt;</{p}t></{p}is></{c}>',
        "cached": f'<{c}{sep}r="{ref}" s="3"><{f}>SUM(A1:A3)</{f}><{v}>6</{v}></{c}>',
        "no_value": f'<{c} r="{ref}"><{f}>E6/D6</{f}></{c}>',
        "empty_value": f'<{c} r="{ref}" s="2"><{f}>E6/D6</{f}><{v}></{v}></{c}>',
        "blank_value": f'<{c} r="{ref}"><{f}>1</{f}><{v}> </{v}></{c}>',
        "str_empty": f'<{c} r="{ref}" t="str"><{f}>""</{f}><{v}></{v}></{c}>',
        "shared_head": f'<{c} r="{ref}"><{f} t="shared" ref="A1:A9" si="0">B1*2</{f}></{c}>',
        "shared": f'<{c} r="{ref}"><{f} t="shared" si="0"/></{c}>',
        "shared_cached": f'<{c} r="{ref}"><{f} t="shared" si="0"/><{v}>4</{v}></{c}>',
    }[kind]


KINDS = ["empty", "number", "text", "cached", "no_value", "empty_value", "blank_value",
         "str_empty", "shared_head", "shared", "shared_cached"]


def _sheet_xml(cells: list[list[str]], prefix: str, sep: str, ext: bool) -> bytes:
    p = f"{prefix}:" if prefix else ""
    rows = []
    for r, kinds in enumerate(cells, 1):
        inner = "".join(_cell_xml(f"{column_letter(c)}{r}", k, prefix, sep) for c, k in enumerate(kinds))
        rows.append(f'<{p}row r="{r}">{inner}</{p}row>')
    tail = ""
    if ext:  # a data validation list in extLst: an <xm:f> outside every cell
        tail = ('<extLst><ext><x14:dataValidations><x14:dataValidation><x14:formula1>'
                "<xm:f>Sheet2!$A$1:$A$4</xm:f></x14:formula1></x14:dataValidation>"
                "</x14:dataValidations></ext></extLst>")
    xml = (f'<?xml version="1.0"?><{p}worksheet xmlns="x"><{p}cols><{p}col min="1"/></{p}cols>'
           f'<{p}sheetData>{"".join(rows)}</{p}sheetData>{tail}</{p}worksheet>')
    return xml.encode()


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.lists(st.sampled_from(KINDS), max_size=6), max_size=8),
       prefix=st.sampled_from(["", "x"]), sep=st.sampled_from([" ", "\n  "]), ext=st.booleans())
def test_formula_scan_equals_the_full_scan(cells, prefix, sep, ext):
    xml = _sheet_xml(cells, prefix, sep, ext)
    assert X.formula_cells_without_value(xml) == X._formula_cells_full_scan(xml)


def test_formula_scan_finds_the_cells_without_a_value():
    xml = _sheet_xml([["text", "cached", "no_value"], ["empty_value", "str_empty", "shared"],
                      ["number", "blank_value", "shared_cached"]], "", " ", True)
    assert X.formula_cells_without_value(xml) == {(0, 2), (1, 0), (1, 2), (2, 1)}
    assert X.formula_cells_without_value(_sheet_xml([["text", "cached"]], "x", " ", False)) == set()


def test_formula_scan_with_a_long_attribute_list_falls_back_to_the_full_scan():
    pad = " ".join(f'a{i}="{i}"' for i in range(400))  # the <c …> tag starts > 2 KB before <f>
    xml = f'<sheetData><row r="1"><c r="B1" {pad}><f>1+1</f></c></row></sheetData>'.encode()
    assert X.formula_cells_without_value(xml) == {(0, 1)}


# --- cell values --------------------------------------------------------------------------------


@given(st.one_of(st.text(max_size=6), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(-10**18, 10**18), st.booleans(), st.dates(),
                 st.sampled_from(["", " ", "\u3000", "\n", 0.0, -0.0, 1e15, 1e16, 2.5])))
def test_cell_value_equals_the_general_conversion(value):
    fast, general = X._cell_value(value), normalise_value(X._whole(value))
    assert type(fast) is type(general)
    assert fast == general or (fast != fast and general != general)


def test_cell_value_examples():
    assert X._cell_value(5.0) == Decimal(5) and str(X._cell_value(5.0)) == "5"
    assert str(X._cell_value(0.76)) == "0.76"
    assert X._cell_value("  ") is None and X._cell_value(" 访惠聚 ") == " 访惠聚 "
    assert X._cell_value(datetime.date(2020, 12, 31)) == "2020年12月31日"
    assert X._cell_value(datetime.datetime(2020, 12, 31)) == "2020年12月31日"


# --- grid ---------------------------------------------------------------------------------------

ROWS = [
    ["项目支出绩效自评表", None, None, None],
    ["项目名称", "访惠聚驻村工作经费", None, None],
    ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数"],
    [None, Decimal("1000.00"), Decimal("1E+3"), Decimal("760.50")],
    [None, "  ", Decimal("0.7600"), None],
]
MERGED = [(0, 0, 0, 3), (1, 1, 1, 3), (2, 0, 4, 0)]


def _grid() -> Grid:
    return Grid("a.xlsx", "项目001", [list(r) for r in ROWS], origin=(2, 1), merged=list(MERGED),
                no_cache={(4, 3)})


def _expected_text(grid: Grid, r: int, c: int) -> str:
    value = grid.raw(*grid.anchor(r, c))
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value.strip()


def test_remembered_text_and_cells_match_the_grid():
    grid = _grid()
    for _ in range(2):  # computed, then remembered
        for r in range(-1, grid.height + 1):
            for c in range(-1, grid.width + 1):
                assert grid.text(r, c) == _expected_text(grid, r, c)
                cell = grid.cell(r, c)
                ar, ac = grid.anchor(r, c)
                assert cell.value == grid.raw(ar, ac)
                assert cell.source.cell == a1(2 + ar, 1 + ac)
                assert cell.no_cached_value == ((ar, ac) == (4, 3))
    assert grid.text(0, 3) == "项目支出绩效自评表" and grid.cell(4, 0).source.cell == "B5"
    assert grid.text(3, 2) == "1000" and grid.text(4, 2) == "0.7600"
    assert grid.width == 4


def test_first_filled_skips_empty_and_blank_cells():
    grid = _grid()
    assert grid.first_filled(4, 1, 3).source.cell == "D7"  # "  " is empty, 0.7600 is not
    assert grid.first_filled(1, 2, 3).value == "访惠聚驻村工作经费"  # merged: the anchor's value
    empty = grid.first_filled(4, 3, 3)
    assert empty.value is None and empty.source.cell == "E7" and empty.no_cached_value


def test_column_letters_past_the_precomputed_range():
    assert [column_letter(c) for c in (0, 25, 26, 701, 702, 16383)] == \
        ["A", "Z", "AA", "ZZ", "AAA", "XFD"]
    assert a1(0, 702) == "AAA1"
