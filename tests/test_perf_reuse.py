"""Work done once and handed on gives the answers of doing it again.

* ``files.read_grids`` hands the bytes and zip directory it checked to the Excel reader;
  ``zipdir.ZipDirectory`` reads members like ``ZipFile.read`` (and falls back to it for
  anything unusual, a bad CRC included);
* ``indicators._cell``/``_text`` and ``funds._row_values``/``_realign`` take short cuts for
  one-column spans and rows with no surplus cells: same cells as the general code;
* ``scoring.comparable``/``totals_from_subrows`` and ``audit._scored_rows`` remember their
  last answers by identity: forms asked in turn each get their own;
* ``scoring.keywords_pattern`` finds a keyword exactly when ``any(k in text …)`` does.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from xltools.core import audit as A
from xltools.core import scoring as S
from xltools.core.model import Cell, Form, FormResult, FundsResult, FundsRow, Indicator, Source
from xltools.core.notation import UNIT_INCOMPARABLE, align_units, parse_measure
from xltools.core.rulepack import load_rulepack
from xltools.readers import excel as X
from xltools.readers import files as F
from xltools.readers import zipdir as ZD
from xltools.readers.grid import Grid
from xltools.readers.layouts import funds as FU
from xltools.readers.layouts import indicators as IN
from xltools.readers.layouts.common import row_anchors

# --- one open, one parse of the zip ------------------------------------------------------------


def _form_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append(["项目名称", "访惠聚驻村工作经费"])
    ws.append(["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["年度资金总额", 100, 100, 80, 10, "=D3/C3", "=E3*F3"])
    ws.append(["其中：当年财政拨款", 100, 100, 80, None, None, None])
    wb.save(path)
    return path


def _with_bad_crc(src: Path, dst: Path, member: str) -> Path:
    """A copy of ``src`` whose central directory states a wrong CRC-32 for ``member``."""
    data = bytearray(src.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + name_len].decode() == member:
            data[pos + 16] ^= 0x01  # the entry's CRC-32 starts at offset 16
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert pos >= 0
    dst.write_bytes(bytes(data))
    return dst


def test_zip_directory_reads_like_zipfile(tmp_path):
    path = _form_workbook(tmp_path / "a.xlsx")
    data = path.read_bytes()
    zd = ZD.parse_directory(data)
    assert zd is not None  # a plain zip: no zipfile needed
    zf = zipfile.ZipFile(path)
    assert zd.namelist() == zf.namelist()
    for info, member in zip(zf.infolist(), zd.infolist()):
        assert (member.filename, member.file_size, member.compress_size, member.CRC,
                member.flag_bits, member.compress_type, member.header_offset) == (
            info.filename, info.file_size, info.compress_size, info.CRC, info.flag_bits,
            info.compress_type, info.header_offset)
    for name in zf.namelist():
        assert zd.read(name) == zf.read(name)
    with pytest.raises(KeyError):
        zd.read("xl/worksheets/sheet9.xml")


def test_zip_directory_reads_stored_members_and_leaves_the_unusual_to_zipfile():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook>年度</workbook>")
    data = raw.getvalue()
    assert ZD.parse_directory(data).read("xl/workbook.xml") == "<workbook>年度</workbook>".encode()
    # bytes before the zip (a self-extractor, a mail header): zipfile knows how to cope
    prefixed = b"junk" * 10 + data
    assert ZD.parse_directory(prefixed) is None
    assert isinstance(ZD.open_zip(prefixed), zipfile.ZipFile)
    assert ZD.open_zip(prefixed).read("xl/workbook.xml") == "<workbook>年度</workbook>".encode()
    with pytest.raises(zipfile.BadZipFile):
        ZD.open_zip(data[:-30])  # the directory cut off


def test_a_bad_crc_goes_through_zipfile_and_the_scan_gives_up_like_before(tmp_path):
    good = _form_workbook(tmp_path / "good.xlsx")
    bad = _with_bad_crc(good, tmp_path / "bad.xlsx", "xl/worksheets/sheet1.xml")
    zd = ZD.open_zip(bad.read_bytes())
    with pytest.raises(zipfile.BadZipFile):
        zd.read("xl/worksheets/sheet1.xml")
    assert X._no_cache_by_sheet(bad, zd) == X._no_cache_by_sheet(bad) == {}


def test_handing_over_the_checked_zip_reads_the_same_grids(tmp_path):
    path = _form_workbook(tmp_path / "a.xlsx")
    alone = X.read_excel_grids(path)
    kind, data, archive = F._open_checked(path, F.Limits(), path.name)
    handed = X.read_excel_grids(path, data=data, archive=archive)
    assert kind == "excel" and data == path.read_bytes()
    assert isinstance(archive, ZD.ZipDirectory)
    assert handed == alone
    assert handed[0].no_cache == {(2, 5), (2, 6)}  # 执行率 and 得分: formulas never calculated
    assert F.read_grids(path) == alone
    # one sheet: found without reading workbook.xml; the same answer as reading it
    assert X._scan_members(archive, ["自评表"]) == X._scan_members(archive) == {"自评表": {(2, 5), (2, 6)}}


def test_check_file_still_reports_bad_files(tmp_path):
    text = tmp_path / "文本.xlsx"
    text.write_text("项目名称\t访惠聚经费", encoding="utf-8")
    with pytest.raises(F.ReadError, match="文件内容与扩展名不符"):
        F.check_file(text)
    half = tmp_path / "截断.xlsx"
    half.write_bytes(_form_workbook(tmp_path / "whole.xlsx").read_bytes()[:900])
    with pytest.raises(F.ReadError, match="压缩包结构无效"):
        F.read_grids(half)
    assert F.check_file(tmp_path / "whole.xlsx") == "excel"


# --- locator short cuts -------------------------------------------------------------------------

_VALUES = st.sampled_from([None, "", "  ", "产出指标", " 数量指标 ", "≥95%", Decimal("5"), Decimal("0.76")])


@st.composite
def _grids(draw):
    height, width = draw(st.integers(1, 4)), draw(st.integers(2, 7))
    rows = [[draw(_VALUES) for _ in range(width)] for _ in range(height)]
    merged = []
    if draw(st.booleans()):
        r, c = draw(st.integers(0, height - 1)), draw(st.integers(0, width - 2))
        merged.append((r, c, r, draw(st.integers(c + 1, width - 1))))
    no_cache = {(draw(st.integers(0, height - 1)), draw(st.integers(0, width - 1)))} \
        if draw(st.booleans()) else set()
    return Grid("a.xlsx", "表1", rows, merged=merged, no_cache=no_cache)


@settings(max_examples=150, deadline=None)
@given(_grids(), st.data())
def test_indicator_cells_and_texts_match_first_filled(grid, data):
    r = data.draw(st.integers(0, grid.height - 1))
    c1 = data.draw(st.integers(0, grid.width - 1))
    c2 = data.draw(st.integers(c1, grid.width - 1))
    fresh = Grid(grid.file, grid.sheet, grid.rows, merged=grid.merged, no_cache=grid.no_cache)
    assert IN._cell(grid, r, (c1, c2)) == fresh.first_filled(r, c1, c2)
    assert IN._text(grid, r, (c1, c2)) == fresh.first_filled(r, c1, c2).text
    assert IN._text(grid, r, None) == "" and IN._cell(grid, r, None).is_empty


def _realign_reference(grid, r, start, stop, spans):
    """``funds._realign`` as first written (every cell tested before counting)."""
    filled = [c for c in row_anchors(grid, r, start, stop - 1) if FU._filled(grid, r, c)]
    if not filled:
        return None
    cols = row_anchors(grid, r, start, filled[-1])
    surplus = len(cols) - len(spans)
    if surplus <= 0:
        return None
    trailing = sum(1 for n, _, _ in spans if n in FU.TRAILING_FIELDS)
    head = len(cols) - trailing
    for i in range(head - 1, -1, -1):
        if surplus == 0:
            break
        if not FU._filled(grid, r, cols[i]):
            del cols[i]
            surplus -= 1
    if surplus:
        return None
    return {name: grid.cell(r, c) for (name, _, _), c in zip(spans, cols) if name != "arrived"}


@settings(max_examples=150, deadline=None)
@given(_grids(), st.data())
def test_realign_matches_the_reference(grid, data):
    n = data.draw(st.integers(1, grid.width - 1))
    names = ["budget", "executed", "weight", "rate", "score", "initial_budget"][:n]
    spans = [(name, i + 1, i + 1) for i, name in enumerate(names)]
    r = data.draw(st.integers(0, grid.height - 1))
    assert FU._realign(grid, r, 1, grid.width, spans) == _realign_reference(grid, r, 1, grid.width, spans)


def test_funds_row_with_a_stray_empty_cell_is_still_realigned():
    rows = [["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["年度资金总额", Decimal("5"), Decimal("5"), None, Decimal("5"), Decimal("10"),
             Decimal("1"), Decimal("10")]]
    grid = Grid("a.xlsx", "表1", rows)
    spans = [("initial_budget", 1, 1), ("budget", 2, 2), ("executed", 3, 3), ("weight", 4, 4),
             ("rate", 5, 5), ("score", 6, 6)]
    realigned = FU._realign(grid, 1, 1, 8, spans)
    assert {k: v.value for k, v in realigned.items()} == {
        "initial_budget": Decimal("5"), "budget": Decimal("5"), "executed": Decimal("5"),
        "weight": Decimal("10"), "rate": Decimal("1"), "score": Decimal("10")}
    assert realigned["executed"].source.cell == "E2"


# --- remembered answers in scoring and audit --------------------------------------------------


@pytest.mark.parametrize("target,actual", [
    ("≥100家", "115个"), ("90万元", "100000元"), ("≥95%", "96"), ("≥95%", "3次"), ("≤30万元", "28万元"),
])
def test_comparable_answers_like_align_units(target, actual):
    t, a = parse_measure(target), parse_measure(actual)
    tt, aa, note = align_units(t, a)
    expected = None if note and UNIT_INCOMPARABLE in note else (tt.value * tt.scale, aa.value * aa.scale)
    for _ in range(2):  # the second answer comes from the memory
        assert S.comparable(t, a) == expected


def test_comparable_of_new_measures_is_not_an_old_answer():
    answers = []
    for i in range(1, 600):  # more pairs than the memory keeps, ids are reused as measures die
        pair = S.comparable(parse_measure(f"≥{i}次"), parse_measure(f"{i + 1}次"))
        answers.append(pair)
    assert answers == [(Decimal(i), Decimal(i + 1)) for i in range(1, 600)]


def _form(budget: str, executed: str, sub_budget: str) -> Form:
    src = Source("a.xlsx", "表1", "A1")
    rows = (FundsRow("total", "年度资金总额", budget=Cell(Decimal(budget)), executed=Cell(Decimal(executed))),
            FundsRow("appropriation", "当年财政拨款", budget=Cell(Decimal(sub_budget)),
                     executed=Cell(Decimal(executed))))
    return Form(src, "national", funds=rows)


def test_subrow_totals_of_forms_asked_in_turn():
    a, b = _form("100", "80", "90"), _form("50", "40", "50")
    assert S.totals_from_subrows(a) == (Decimal("90"), Decimal("80"))
    assert S.totals_from_subrows(b) == (Decimal("50"), Decimal("40"))
    assert S.totals_from_subrows(a) == (Decimal("90"), Decimal("80"))
    assert S.totals_from_subrows(Form(Source("b.xlsx", "表1", "A1"), "national")) == (None, None)


def _result(weights: list[str]) -> FormResult:
    pack = load_rulepack()
    inds = tuple(S.score_indicator(Indicator("产出指标", "数量指标", f"指标{i}", Cell("≥3次"), Cell("4次"),
                                             Cell(Decimal(w)), Cell(Decimal(w))), pack)
                 for i, w in enumerate(weights))
    return FormResult(Form(Source("a.xlsx", "表1", "A1"), "national"),
                      FundsResult(None, None, None, None, None, None, None), inds)


def test_scored_rows_of_results_asked_in_turn():
    one, two = _result(["5"]), _result(["5", "10"])
    assert len(A._scored_rows(one)) == 1
    assert len(A._scored_rows(two)) == 2
    assert [ir.weight for ir in A._scored_rows(one)] == [Decimal("5")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="资金支付.*+?()[]|\\^$款项", max_size=3), max_size=4),
       st.text(alphabet="资金支付.*+?()[]|\\^$款项未完", max_size=8))
def test_keywords_pattern_finds_what_any_in_finds(keywords, text):
    pattern = S.keywords_pattern(tuple(keywords))
    found = pattern is not None and pattern.search(text) is not None
    assert found == any(k in text for k in keywords)


def test_low_execution_explanation_is_found_by_keyword():
    pack = load_rulepack()
    keyword = pack.explanation_keywords[0]
    assert S.keywords_pattern(tuple(pack.explanation_keywords)).search(f"因{keyword}延后") is not None


# --- cells whose source is made on first use ----------------------------------------------------


def test_a_grid_cell_is_a_cell_in_every_observable_way():
    import copy
    import pickle

    from xltools.readers.grid import GridCell

    grid = Grid("a.xlsx", "表1", [["项目名称", "访惠聚经费"], [Decimal("5"), None]],
                origin=(3, 2), merged=[(1, 0, 1, 1)], formats={(1, 0): "0%"}, no_cache={(1, 0)})
    plain = Cell(Decimal("5"), Source("a.xlsx", "表1", "C5"), "0%", True)
    lazy = grid.cell(1, 1)  # a merged follower: the anchor's cell
    assert isinstance(lazy, GridCell) and lazy is grid.cell(1, 0)
    assert lazy == plain and plain == lazy and not (lazy != plain)
    assert hash(lazy) == hash(plain) and {lazy: 1}[plain] == 1
    assert repr(lazy) == repr(plain)
    for twin in (pickle.loads(pickle.dumps(lazy)), copy.copy(lazy), copy.deepcopy(lazy)):
        assert type(twin) is Cell and twin == plain
    assert lazy.source is lazy.source  # made once
    assert grid.cell(0, 1) != plain and grid.cell(0, 1).text == "访惠聚经费"
    with pytest.raises(AttributeError):
        lazy.value = "x"  # still frozen
