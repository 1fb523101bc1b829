"""XlsxWriter's close, sped up (``writers.xlsx_speedups``), writes the very bytes it did.

Each workbook is written twice with XlsxWriter's own per-cell calls: once as XlsxWriter does it,
once with ``speed_up`` on its sheets and members deflated at level 1. Every part is compared
after unzipping (the deflated bytes differ by design, the XML must not).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from xltools.writers import xlsx_speedups as X

_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _fill(wb, sheets) -> None:
    for name, links in sheets:
        ws = wb.add_worksheet(name)
        if getattr(wb, "_speed", False):
            assert X.speed_up(ws)
        ws.write_string(0, 0, "位置")
        for row, url in enumerate(links, 1):
            ws.write_string(row, 0, f"第 {row} 行 & <文本>")
            ws.write_url(row, 1, url, string=f"链接 {row}", tip="打开源文件")
            ws.write_number(row, 2, row * 1.5)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: _DATES.sub(b"", z.read(n)) for n in z.namelist()}


def _both(tmp_path: Path, sheets) -> tuple[Path, Path]:
    plain, fast = tmp_path / "plain.xlsx", tmp_path / "fast.xlsx"
    wb = xlsxwriter.Workbook(str(plain), {"constant_memory": True})
    _fill(wb, sheets)
    wb.close()
    wb = X.FastDeflateWorkbook(str(fast), {"constant_memory": True})
    wb._speed = True
    _fill(wb, sheets)
    wb.close()
    return plain, fast


EXTERNAL = [
    "external:2020年自评表/自评表_001.xlsx#'项目001'!H28",
    "external:../上级 文件夹/100%完成.xlsx#'A&B <表>'!C3",
    "external:C:/Users/会计/表.xlsm#'它''s \"引号\"'!Z100",
    "external:2020年自评表/说明.docx",
    "https://example.com/a?b=1&c=<2>",
]


def test_external_links_and_rows_are_byte_identical(tmp_path):
    plain, fast = _both(tmp_path, [("问题清单", EXTERNAL * 3), ("空表", []),
                                   ("汇总", EXTERNAL[:2])])
    a, b = _parts(plain), _parts(fast)
    assert a.keys() == b.keys()
    assert [n for n in a if a[n] != b[n]] == []
    assert b"<hyperlinks>" in b["xl/worksheets/sheet1.xml"]
    assert b["xl/worksheets/_rels/sheet1.xml.rels"].count(b"/hyperlink") == 15
    with zipfile.ZipFile(fast) as z:  # deflated at level 1: stored smaller than the XML
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size < info.file_size
        assert z.testzip() is None


def test_a_sheet_with_an_internal_link_uses_xlsxwriters_own_writer(tmp_path, monkeypatch):
    calls = []
    original = X.write_hyperlinks_at_once

    def spy(ws, fallback):
        calls.append(ws.name)
        return original(ws, fallback)

    monkeypatch.setattr(X, "write_hyperlinks_at_once", spy)
    links = [EXTERNAL[0], "internal:'问题清单'!A1", EXTERNAL[1]]
    plain, fast = _both(tmp_path, [("问题清单", links)])
    a, b = _parts(plain), _parts(fast)
    assert [n for n in a if a[n] != b[n]] == []
    assert calls == ["问题清单"]  # asked, and handed the sheet back to XlsxWriter
    assert "location=\"'问题清单'!A1\"".encode() in b["xl/worksheets/sheet1.xml"]


def test_speed_up_declines_a_sheet_not_in_constant_memory_mode(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"))
    ws = wb.add_worksheet()
    assert X.speed_up(ws) is False
    assert "_write_hyperlinks" not in vars(ws)
    wb.close()


@pytest.mark.parametrize("rows", [0, 1, 3000])
def test_row_files_of_any_size_are_copied_whole(tmp_path, rows):
    plain, fast = _both(tmp_path, [("指标明细", [EXTERNAL[0]] * rows)])
    a, b = _parts(plain), _parts(fast)
    assert a["xl/worksheets/sheet1.xml"] == b["xl/worksheets/sheet1.xml"]
    assert b["xl/worksheets/sheet1.xml"].count(b"<row ") == rows + 1


def _written_twice(tmp_path: Path, fill) -> tuple[dict, dict, list]:
    """``fill(wb, speed)`` run on XlsxWriter's own workbook and on the sped-up one; the parts
    of both, and the sped-up sheets (to look at what they kept)."""
    plain, fast = tmp_path / "plain.xlsx", tmp_path / "fast.xlsx"
    wb = xlsxwriter.Workbook(str(plain), {"constant_memory": True})
    fill(wb, False)
    wb.close()
    wb = X.FastDeflateWorkbook(str(fast), {"constant_memory": True, "tmpdir": str(tmp_path)})
    sheets = fill(wb, True)
    wb.close()
    return _parts(plain), _parts(fast), sheets


def test_links_wait_on_disk_not_in_xlsxwriters_dict(tmp_path, monkeypatch):
    """Issue 9: a sped-up sheet keeps its links in a scratch file (LinkSpill) until close;
    XlsxWriter's dict stays empty, and the sheet and its relationships are the same bytes."""
    monkeypatch.setattr(X, "LINK_CHUNK", 7)  # several chunks on disk
    seen = {}

    def fill(wb, speed):
        ws = wb.add_worksheet("问题清单")
        if speed:
            assert X.speed_up(ws)
        for row in range(1, 60):
            ws.write_string(row, 0, f"第 {row} 行")
            ws.write_url(row, 1, EXTERNAL[row % 5], string=f"链接 {row}", tip="打开源文件")
            ws.write_url(row, 3, EXTERNAL[(row + 1) % 5], string="另一个")
        if speed:
            seen["dict"] = sum(len(v) for v in ws.hyperlinks.values())
            seen["spilled"] = len(ws._xt_links)
        return [ws]

    a, b, _ = _written_twice(tmp_path, fill)
    assert seen == {"dict": 0, "spilled": 118}
    assert [n for n in a if a[n] != b[n]] == []
    assert b["xl/worksheets/_rels/sheet1.xml.rels"].count(b'TargetMode="External"') == 118
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("links-", "rels-"))]


def test_a_link_written_twice_or_out_of_row_order_is_kept_as_xlsxwriter_keeps_it(tmp_path):
    """The same cell linked twice keeps the second link; a link to a row above the last one
    (the summary's title, written after its data rows) sends the sheet back to XlsxWriter's own
    writer with every spilled link restored: the same bytes either way."""
    def fill(wb, speed):
        ws = wb.add_worksheet("汇总")
        if speed:
            X.speed_up(ws)
        for row in range(2, 8):
            ws.write_url(row, 1, EXTERNAL[row % 5], string=f"第 {row} 个")
        ws.write_url(7, 1, EXTERNAL[0], string="改过的链接")  # the same cell again
        ws2 = wb.add_worksheet("问题清单")
        if speed:
            X.speed_up(ws2)
        for row in range(3, 6):
            ws2.write_url(row, 0, EXTERNAL[row % 5])
        ws2._write_single_row(6)  # what the summary does for its title rows: the data rows
        ws2.previous_row = 0  # are out, then back to the top of the sheet
        ws2.write_url(1, 0, EXTERNAL[4], string="标题里的链接")
        return [ws, ws2]

    a, b, sheets = _written_twice(tmp_path, fill)
    assert [n for n in a if a[n] != b[n]] == []
    assert b["xl/worksheets/_rels/sheet1.xml.rels"].count(b"/hyperlink") == 6
    assert b'location="' in b["xl/worksheets/sheet2.xml"]
    assert b["xl/worksheets/sheet2.xml"].index(b'ref="A2"') < \
        b["xl/worksheets/sheet2.xml"].index(b'ref="A4"')  # sorted again by row


def test_a_sheet_with_links_and_a_picture_numbers_its_relationships_as_xlsxwriter(tmp_path):
    """Links first (rId1 …), then the drawing: the spilled relationships and XlsxWriter's own
    are the same part."""
    from PIL import Image

    picture = tmp_path / "图.png"
    Image.new("RGB", (4, 4), "red").save(picture)

    def fill(wb, speed):
        ws = wb.add_worksheet("汇总")
        if speed:
            X.speed_up(ws)
        ws.insert_image(0, 5, str(picture))
        for row in range(1, 20):
            ws.write_url(row, 0, EXTERNAL[row % 5], string=f"第 {row} 个")
        return [ws]

    a, b, _ = _written_twice(tmp_path, fill)
    assert [n for n in a if a[n] != b[n]] == []
    rels = b["xl/worksheets/_rels/sheet1.xml.rels"].decode()
    assert rels.count("/hyperlink") == 19 and 'Id="rId20"' in rels and "/drawing" in rels
