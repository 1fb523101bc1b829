"""The 部门汇总 workbook of the samples, printed by LibreOffice (one conversion for the module):
汇总 is one page wide and takes at most ⌈rows/25⌉ pages, every sheet repeats its header row,
and no chart is split across pages. Each printed page names its sheet at the top right (the
page header ``&A``), which is how pages are told apart here.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lo import requires_soffice, to_pdf  # noqa: E402
from pdfgrid import pdf_pages  # noqa: E402

from xltools.pipeline import check_files  # noqa: E402
from xltools.writers import summary_print as P  # noqa: E402
from xltools.writers.summary_workbook import write_summary  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"
SHEET_NAMES = ("汇总", "问题清单", "指标明细", "图表")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    work = tmp_path_factory.mktemp("print-summary")
    out = write_summary(check_files([SAMPLES]), work / "部门汇总.xlsx")
    return out


@pytest.fixture(scope="module")
def printed(summary, tmp_path_factory):
    """(openpyxl workbook, {sheet: [pages]}) of the printed summary."""
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils")
    pdf = to_pdf(summary, tmp_path_factory.mktemp("print-summary-pdf"))
    by_sheet: dict[str, list] = {}
    for page in pdf_pages(pdf):
        top = min(page.words, key=lambda w: w.y0)  # the page header: the sheet's name
        assert top.text in SHEET_NAMES and top.y0 < 60, f"page without its header: {top.text}"
        by_sheet.setdefault(top.text, []).append(page)
    return openpyxl.load_workbook(summary), by_sheet


@requires_soffice
def test_overview_is_one_page_wide_and_at_most_rows_over_25_pages(printed):
    wb, pages = printed
    ws = wb["汇总"]
    rows = sum(1 for r in range(3, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, (int, float)))
    assert rows == 17
    assert 1 <= len(pages["汇总"]) <= math.ceil(rows / 25)
    last_header = ws.cell(2, ws.max_column).value
    for page in pages["汇总"]:
        texts = page.texts()
        assert "序号" in texts and last_header in texts  # every column on the page
        assert any(t.startswith("第") for t in texts) and "部门汇总.xlsx" in texts  # the footer


@requires_soffice
def test_every_table_repeats_its_header_and_is_one_page_wide(printed):
    wb, pages = printed
    for name in ("问题清单", "指标明细"):
        ws = wb[name]
        first, last = ws.cell(1, 1).value, ws.cell(1, ws.max_column).value
        assert len(pages[name]) >= 2, name  # long enough to need the repeated header
        for n, page in enumerate(pages[name], 1):
            texts = page.texts()
            assert first in texts and last in texts, f"{name} page {n}: header or a column missing"


@requires_soffice
def test_no_chart_is_split_across_pages(printed, summary):
    wb, pages = printed
    with zipfile.ZipFile(summary) as z:
        charts = [n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
    chart_pages = pages["图表"]
    assert len(chart_pages) == len(charts) == 1 + len(P.chart_pages(17))
    projects = [ws_row[1].value for ws_row in wb["汇总"].iter_rows(min_row=3, max_row=19)]
    for page in chart_pages:  # one chart a page, whole: its title and its last label together
        titles = [t for t in page.texts() if t.startswith(("各等级项目数", "各项目预算执行率"))]
        assert len(titles) == 1, page.texts()
        text = _squash("".join(page.texts()))
        if titles[0].startswith("各等级项目数"):
            assert all(g in text for g in ("优", "良", "中", "差"))
        else:
            assert _squash(projects[-1]) in text and _squash(projects[0]) in text
            labels = [t for t in page.texts() if re.fullmatch(r"\d+%", t)]
            assert len(labels) >= len(projects)  # a data label per project (and the axis)


def test_every_sheet_has_a_landscape_a4_page_setup(summary):
    with zipfile.ZipFile(summary) as z:
        sheets = [z.read(n).decode() for n in sorted(z.namelist())
                  if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
        book = z.read("xl/workbook.xml").decode()
    assert len(sheets) == 4
    for xml in sheets:
        assert 'paperSize="9"' in xml and 'orientation="landscape"' in xml
        assert "第 &amp;P 页，共 &amp;N 页" in xml and "&amp;F" in xml
        assert 'fitToPage="1"' in xml and 'fitToHeight="0"' in xml  # one page wide
    assert book.count("_xlnm.Print_Titles") == 3  # 汇总, 问题清单, 指标明细
    assert "<rowBreaks" in sheets[-1]  # 图表: a page break before each execution-rate chart


def test_charts_fit_a_page_for_any_number_of_projects():
    assert P.chart_pages(0) == []
    assert P.chart_pages(20) == [(0, 20)]
    pages = P.chart_pages(200)
    assert len(pages) == 10 and pages[-1] == (180, 200)
    for first, end in pages:
        assert 0 < end - first <= P.CHART_PROJECTS_PER_PAGE
        assert P.chart_height(end - first) <= (P.PAGE_ROWS - 2) * P.ROW_PX


def test_each_execution_rate_chart_lies_between_two_page_breaks(tmp_path):
    for part in ("一", "二"):  # the samples twice over: 34 projects, two execution-rate charts
        shutil.copytree(SAMPLES, tmp_path / "收表" / part)
    out = write_summary(check_files([tmp_path / "收表"]), tmp_path / "部门汇总.xlsx")
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet4.xml").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', sheet)]
    spans = [(int(a), int(b)) for a, b in re.findall(
        r"<xdr:from><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>.*?"
        r"<xdr:to><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>",
        drawing, re.S)]
    assert breaks == [P.PAGE_ROWS * k for k in range(1, len(P.chart_pages(34)) + 1)] == [28, 56]
    assert len(spans) == 3
    pages = [0] + breaks + [10 ** 6]
    for top, bottom in spans:  # no break falls inside a chart
        assert not any(top < b <= bottom for b in breaks), (top, bottom, breaks)
        assert any(start <= top and bottom < end for start, end in zip(pages, pages[1:]))
