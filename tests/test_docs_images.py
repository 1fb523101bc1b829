"""The README pictures of the 部门汇总 workbook (docs/images/*.png) and the script that makes them
(docs/make_screenshots.py)."""

from __future__ import annotations

import importlib.util
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from lo import soffice_available

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
PICTURES = {"汇总": "summary-overview.png", "问题清单": "summary-findings.png",
            "图表": "summary-charts.png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 300_000
MIN_BYTES = 10_000  # a blank page of this size compresses to a couple of KB


def _script():
    spec = importlib.util.spec_from_file_location("make_screenshots",
                                                  ROOT / "docs" / "make_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _chunks(data: bytes):
    """(type, payload, crc_ok) of every chunk after the signature."""
    at = len(PNG_SIGNATURE)
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        payload = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        yield kind, payload, zlib.crc32(kind + payload) == crc
        at += 12 + length


def _check_png(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    chunks = list(_chunks(data))
    assert all(ok for _, _, ok in chunks), f"{path.name} has a damaged chunk"
    kinds = [kind for kind, _, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert MIN_BYTES < len(data) < MAX_BYTES, f"{path.name}: {len(data)} bytes"
    return width, height


@pytest.mark.parametrize("sheet", list(PICTURES))
def test_committed_picture_is_a_legible_png(sheet):
    path = IMAGES / PICTURES[sheet]
    assert path.is_file(), f"missing {path.relative_to(ROOT)}: run docs/make_screenshots.py"
    width, height = _check_png(path)
    assert width > 400 and height > 150


def test_script_names_the_same_pictures():
    assert _script().SHEETS == PICTURES


def test_png_size_reads_the_header_and_rejects_other_files():
    script = _script()
    data = (IMAGES / PICTURES["图表"]).read_bytes()
    width, height = script.png_size(data)
    assert (width, height) == struct.unpack(">II", data[16:24])
    with pytest.raises(ValueError):
        script.png_size(b"GIF89a" + b"\0" * 30)


def test_page_numbers_follow_tab_order_and_name_a_missing_sheet():
    script = _script()
    order = ["汇总", "问题清单", "指标明细", "图表"]
    assert script.page_numbers(order, PICTURES) == {"汇总": 1, "问题清单": 2, "图表": 4}
    with pytest.raises(script.ScreenshotError, match="图表"):
        script.page_numbers(["汇总", "问题清单", "指标明细"], PICTURES)


@pytest.mark.skipif(not soffice_available() or shutil.which("pdftoppm") is None,
                    reason="needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
def test_script_renders_one_picture_per_sheet_from_the_samples(tmp_path):
    script = _script()
    written = script.make_screenshots(out_dir=tmp_path)
    assert [p.name for p in written] == list(PICTURES.values())
    for path in written:
        width, height = _check_png(path)
        assert width > 400 and height > 150


def test_committed_excel_picture_is_a_legible_png():
    sheet, name = _script().EXCEL_PICTURE
    width, height = _check_png(IMAGES / name)
    assert width > 400 and height > 150


@pytest.mark.skipif(not soffice_available() or shutil.which("pdftoppm") is None,
                    reason="needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
def test_script_renders_the_validated_sample_sheet(tmp_path):
    import openpyxl

    script = _script()
    work = tmp_path / "work"
    work.mkdir()
    validated = script.validated_sample(work)
    wb = openpyxl.load_workbook(validated)
    sheet = script.EXCEL_PICTURE[0]
    assert "问题清单" in wb.sheetnames
    assert any(c.value == "复核得分" for row in wb[sheet].iter_rows() for c in row)
    path = script.make_excel_screenshot(tmp_path / "png")
    width, height = _check_png(path)
    assert width > 400 and height > 150


def test_committed_print_pictures_are_legible_pngs_named_in_docs():
    script = _script()
    excel_md = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    for _book, _text, name in script.PRINT_PICTURES:
        width, height = _check_png(IMAGES / name)
        assert height > width > 400  # a whole A4 portrait page
        assert f"images/{name}" in excel_md


def test_printed_pages_are_told_apart_by_their_header():
    script = _script()
    pages = [[(23.0, "汇总")], [(23.0, "问题清单")], [(23.0, "问题清单")],
             [(24.0, "图表"), (60.0, "各等级项目数")], [(24.0, "图表"), (60.0, "各项目预算执行率")]]
    assert script.first_pages(pages, PICTURES, script.PAGE_TEXT) == {"汇总": 1, "问题清单": 2, "图表": 5}
    with pytest.raises(script.ScreenshotError, match="图表"):
        script.first_pages(pages[:3], PICTURES)
