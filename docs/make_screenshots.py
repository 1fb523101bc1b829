"""Render the README pictures of the 部门汇总 workbook and the docs/excel.md pictures of the
printed forms (developer script, re-runnable).

    .venv/bin/python docs/make_screenshots.py   # docs/images/summary-*.png, print-*.png, excel-*.png

Summary steps: ``xltools consolidate workbooks/samples -o <tmp>/部门汇总.xlsx``; LibreOffice
(headless, private profile that recalculates every formula on load) prints the workbook to PDF
with its own page setup, exactly as a user's printer gets it; each printed page names its sheet
in the page header, so :func:`printed_sheets` tells the pages apart; the first page of each
sheet in ``SHEETS`` (for 图表, the page of the chart named in ``PAGE_TEXT``) is rasterised with
``pdftoppm`` as the whole page and, when Pillow is installed, reduced to a 128-colour palette so
each PNG stays under ``MAX_BYTES``. Without Pillow the page is written as rendered
(anti-aliasing is switched off if that is what it takes to stay under the limit).
:func:`make_print_screenshots` does the same for the template's 自评表 and a form of the sample
workbook (docs/excel.md, 打印效果).

Example: a workbook with the visible sheets 汇总, 问题清单, 指标明细, 图表 printed on one page
each; ``page_numbers(["汇总", "问题清单", "指标明细", "图表"], SHEETS)`` is
``{"汇总": 1, "问题清单": 2, "图表": 4}``.

Needs LibreOffice (``soffice``) and poppler-utils (``pdftoppm``, ``pdfinfo``); every subprocess
has a timeout. Nothing here is imported by the package.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"
OUT_DIR = ROOT / "docs" / "images"
SUMMARY_NAME = "部门汇总.xlsx"

# sheet name in the workbook -> picture file name (ASCII names are safer in a repository)
SHEETS = {
    "汇总": "summary-overview.png",
    "问题清单": "summary-findings.png",
    "图表": "summary-charts.png",
}
# for 图表, the page of the chart whose title starts so (the first page holds the grade counts)
PAGE_TEXT = {"图表": "各项目预算执行率"}
# docs/excel.md 打印效果: (workbook, the page's form title or project, picture)
PRINT_PICTURES = (("绩效自评模板.xlsm", "项目支出绩效自评表", "print-template.png"),
                  ("示例_昌吉州党委宣传部2020.xlsm", "文化强州专项资金", "print-sample.png"))
DPI = 80
PRINT_DPI = 110  # a portrait form page: small print, so a little sharper
MIN_DPI = 50
MAX_BYTES = 300_000
PALETTE_COLOURS = 128
MARGIN_PX = 6
TIMEOUT = 180

PDF_FILTER = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
RECALC_XCU = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    + "".join(f'<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
              f'<prop oor:name="{name}" oor:op="fuse"><value>0</value></prop></item>\n'
              for name in ("OOXMLRecalcMode", "ODFRecalcMode"))
    + "</oor:items>\n")


class ScreenshotError(RuntimeError):
    """A step failed; the message says which one (shown without a traceback)."""


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise ScreenshotError(f"{names[0]} is not installed")


def _run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, **kwargs)
    except subprocess.TimeoutExpired as exc:
        raise ScreenshotError(f"{what}: no answer after {TIMEOUT} s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or b"").decode(errors="replace")[-400:]
        raise ScreenshotError(f"{what} failed (exit {proc.returncode}): {tail}")
    return proc


def consolidate(samples: Path, target: Path) -> Path:
    """Run the CLI exactly as a user would (``xltools consolidate <folder> -o <file>``)."""
    _run([sys.executable, "-m", "xltools", "consolidate", str(samples), "-o", str(target)],
         "xltools consolidate", cwd=ROOT)
    if not target.is_file():
        raise ScreenshotError(f"xltools consolidate wrote no {target.name}")
    return target


def visible_sheets(workbook: Path) -> list[str]:
    """Sheet names in tab order, hidden sheets left out (LibreOffice prints no page for them)."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook, read_only=True)
    try:
        return [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    finally:
        wb.close()


def page_numbers(sheet_order: list[str], wanted: dict[str, str]) -> dict[str, int]:
    """1-based PDF page of every wanted sheet (one page per visible sheet, in tab order).

    >>> page_numbers(["汇总", "问题清单", "指标明细", "图表"], {"汇总": "a", "图表": "b"})
    {'汇总': 1, '图表': 4}
    """
    missing = [name for name in wanted if name not in sheet_order]
    if missing:
        raise ScreenshotError(f"the workbook has no sheet {', '.join(missing)} "
                              f"(sheets: {', '.join(sheet_order)})")
    return {name: sheet_order.index(name) + 1 for name in wanted}


def export_pdf(workbook: Path, work: Path, *, printed: bool = False) -> Path:
    """The workbook as a PDF through LibreOffice, with a private, recalculating profile: one
    page per sheet, or (``printed``) as printed with the workbook's own page setup."""
    soffice = _tool("soffice", "libreoffice")
    profile = (work / "lo-profile").resolve()
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    out = work / "pdf"
    out.mkdir(exist_ok=True)
    _run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
          "--nologo", "--nodefault", "--convert-to", "pdf" if printed else PDF_FILTER,
          "--outdir", str(out),
          str(workbook)], "LibreOffice PDF export", env={**os.environ, "HOME": str(profile)})
    pdf = out / f"{workbook.stem}.pdf"
    if not pdf.is_file():
        raise ScreenshotError("LibreOffice wrote no PDF")
    return pdf


def pdf_pages(pdf: Path) -> int:
    info = _run([_tool("pdfinfo"), str(pdf)], "pdfinfo").stdout.decode(errors="replace")
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise ScreenshotError("pdfinfo reports no page count")


def rasterise(pdf: Path, page: int, dpi: int, prefix: Path, *, antialias: bool = True) -> Path:
    cmd = [_tool("pdftoppm"), "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
           "-singlefile"]
    if not antialias:
        cmd += ["-aa", "no", "-aaVector", "no"]
    _run(cmd + [str(pdf), str(prefix)], "pdftoppm")
    png = prefix.with_name(prefix.name + ".png")
    if not png.is_file():
        raise ScreenshotError(f"pdftoppm wrote no picture of page {page}")
    return png


def page_words(pdf: Path) -> list[list[tuple[float, str]]]:
    """Per page, ``(top, text)`` of every word (``pdftotext -bbox``)."""
    import html
    import re

    out = _run([_tool("pdftotext"), "-bbox", str(pdf), "-"], "pdftotext").stdout.decode(
        "utf-8", errors="replace")
    word = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>(.*?)</word>')
    return [[(float(m.group(1)), html.unescape(m.group(2))) for m in word.finditer(chunk)]
            for chunk in out.split("<page ")[1:]]


def printed_sheets(pages: list[list[tuple[float, str]]]) -> list[str]:
    """The sheet of every printed page: the topmost word, its page header (``&A``).

    >>> printed_sheets([[(40.0, "问题说明"), (23.0, "问题清单")], [(24.0, "图表")]])
    ['问题清单', '图表']
    """
    return [min(words)[1] if words else "" for words in pages]


def first_pages(pages: list[list[tuple[float, str]]], wanted: dict[str, str],
                marks: dict[str, str] | None = None) -> dict[str, int]:
    """1-based page of every wanted sheet as printed: its first page, or its first page holding
    a word that starts with ``marks[sheet]``.

    >>> first_pages([[(23.0, "汇总")], [(23.0, "图表"), (50, "各等级项目数")],
    ...              [(23.0, "图表"), (50, "各项目预算执行率")]],
    ...             {"汇总": "a", "图表": "b"}, {"图表": "各项目"})
    {'汇总': 1, '图表': 3}
    """
    sheets = printed_sheets(pages)
    found = {}
    for name in wanted:
        mark = (marks or {}).get(name)
        for number, (sheet, words) in enumerate(zip(sheets, pages), 1):
            if sheet == name and (mark is None or any(t.startswith(mark) for _, t in words)):
                found[name] = number
                break
        else:
            raise ScreenshotError(f"no printed page of {name} (pages: {', '.join(sheets)})")
    return found


def shrink(png_bytes: bytes, *, crop: bool = True) -> bytes | None:
    """Crop the white border (keeping a small margin; ``crop=False``: the whole page, as
    printed) and reduce to a palette; ``None`` without Pillow. Raises when the page is blank
    (e.g. a chart sheet that rendered empty)."""
    try:
        from PIL import Image, ImageChops
    except ImportError:
        return None
    image = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box is None:
        raise ScreenshotError("the rendered page is blank")
    left, top, right, bottom = box
    box = (max(left - MARGIN_PX, 0), max(top - MARGIN_PX, 0),
           min(right + MARGIN_PX, image.width), min(bottom + MARGIN_PX, image.height))
    if not crop:
        box = (0, 0, image.width, image.height)
    small = image.crop(box).quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def picture(pdf: Path, page: int, work: Path, dpi: int, *, crop: bool = True) -> bytes:
    """The smallest acceptable rendering of one page: ``dpi`` first, then lower, then (without
    Pillow) without anti-aliasing."""
    attempts = [(d, True) for d in range(dpi, MIN_DPI - 1, -10)] + [(dpi, False)]
    data = b""
    for n, (d, antialias) in enumerate(attempts):
        raw = rasterise(pdf, page, d, work / f"page{page}-{n}", antialias=antialias).read_bytes()
        data = shrink(raw, crop=crop) or raw
        if len(data) <= MAX_BYTES:
            return data
    raise ScreenshotError(f"page {page} stays above {MAX_BYTES} bytes ({len(data)})")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk.

    >>> png_size(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\0\\0\\0\\rIHDR" + struct.pack(">II", 640, 480))
    (640, 480)
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def make_screenshots(samples: Path = SAMPLES, out_dir: Path = OUT_DIR, *,
                     dpi: int = DPI) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xltools-shots-") as tmp:
        work = Path(tmp)
        workbook = consolidate(samples, work / SUMMARY_NAME)
        pdf = export_pdf(workbook, work, printed=True)
        pages = first_pages(page_words(pdf), SHEETS, PAGE_TEXT)
        written = []
        for sheet, name in SHEETS.items():
            target = out_dir / name
            target.write_bytes(picture(pdf, pages[sheet], work, dpi, crop=False))
            written.append(target)
    return written


def make_print_screenshots(out_dir: Path = OUT_DIR, *, dpi: int = PRINT_DPI) -> list[Path]:
    """docs/images/print-*.png: a page of the template and of the sample workbook as printed
    (A4 portrait, whole page), the page found by the text in ``PRINT_PICTURES``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="xltools-shots-") as tmp:
        work = Path(tmp)
        for book, text, name in PRINT_PICTURES:
            copy = work / book
            shutil.copyfile(ROOT / "workbooks" / book, copy)
            pdf = export_pdf(copy, work / copy.stem, printed=True)
            pages = page_words(pdf)
            number = next((n for n, words in enumerate(pages, 1)
                           if any(t == text for _, t in words)
                           and any(t == "项目支出绩效自评表" for _, t in words)), None)
            if number is None:
                raise ScreenshotError(f"no printed form page with {text} in {book}")
            target = out_dir / name
            target.write_bytes(picture(pdf, number, work, dpi, crop=False))
            written.append(target)
    return written


EXCEL_SAMPLE = ROOT / "workbooks" / "示例_昌吉州党委宣传部2020.xlsm"
# the sample sheet shown after 重算 + 校验, and its picture (docs/excel.md)
EXCEL_PICTURE = ("疫情防控宣传补助经费", "excel-validate.png")


def validated_sample(work: Path) -> Path:
    """A copy of the sample workbook after the ribbon's 重算 and 校验, run through the same
    openpyxl port the tests drive (what Excel shows after clicking the two buttons)."""
    from xltools.excel import macros
    from xltools.excel.port_openpyxl import OpenpyxlPort

    copy = work / "示例.xlsm"
    shutil.copyfile(EXCEL_SAMPLE, copy)
    port = OpenpyxlPort(str(copy))
    macros.recalculate(port)
    macros.validate(port)
    port.save()
    return copy


def make_excel_screenshot(out_dir: Path = OUT_DIR, *, dpi: int = DPI) -> Path:
    """docs/images/excel-validate.png: one form sheet of the sample with our marks and column."""
    import openpyxl

    sheet, name = EXCEL_PICTURE
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xltools-shots-") as tmp:
        work = Path(tmp)
        workbook = validated_sample(work)
        every = openpyxl.load_workbook(workbook, read_only=True).sheetnames
        visible = visible_sheets(workbook)
        pdf = export_pdf(workbook, work)
        # LibreOffice exports hidden sheets too on some versions: accept either page count
        order = every if pdf_pages(pdf) == len(every) else visible
        if pdf_pages(pdf) != len(order):
            raise ScreenshotError(f"unexpected page count {pdf_pages(pdf)} for {len(order)} sheets")
        target = out_dir / name
        target.write_bytes(picture(pdf, page_numbers(order, {sheet: name})[sheet], work, dpi))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="folder of input forms")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the PNGs")
    parser.add_argument("--dpi", type=int, default=DPI)
    args = parser.parse_args(argv)
    try:
        written = make_screenshots(args.samples, args.out, dpi=args.dpi)
        written += make_print_screenshots(args.out)
        written.append(make_excel_screenshot(args.out, dpi=args.dpi))
    except (ScreenshotError, OSError) as exc:
        print(f"make_screenshots: {exc}", file=sys.stderr)
        return 1
    for path in written:
        data = path.read_bytes()
        width, height = png_size(data)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{width}x{height}, {len(data) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
