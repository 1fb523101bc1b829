"""How the 部门汇总 workbook looks on screen and on paper: column widths, wrapping and the page
setup of every sheet (XlsxWriter calls, made before any row is written).

Every sheet prints on A4 landscape, one page wide (as many pages down as it takes), centred,
with its header rows repeated on every page, the sheet's name at the top right and
``文件名 … 第 1 页，共 3 页`` at the bottom. Long texts wrap in columns of a sensible width
(the table's own widths are for the screen of a wide monitor; these keep 汇总 legible on
paper). The 图表 sheet puts one chart on a page: the grade chart on the first, then the
projects' execution rates :data:`CHART_PROJECTS_PER_PAGE` to a chart, each chart starting a
page, so that no chart is cut.

Example: the 汇总 columns fit a landscape page at about 85 %::

    >>> round(sum(width_of("汇总", h, 10) for h in ("序号", "项目名称", "来源")), 1)
    53
    >>> chart_pages(45)
    [(0, 20), (20, 40), (40, 45)]
"""

from __future__ import annotations

from .text_fit import EM_UNITS_PER_POINT, ROW_PADDING, line_height

PAPER_A4 = 9  # XlsxWriter's paper index
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.7, "bottom": 0.7}  # inches
HEADER = "&R&A"  # the sheet's name
FOOTER = "&L&F&R第 &P 页，共 &N 页"

# Column widths (in Excel units) where they differ from the table's own, by sheet.
WIDTHS: dict[str, dict[str, float]] = {
    "汇总": {"序号": 5, "项目名称": 22, "主管部门": 14, "实施单位": 14, "年度": 6, "全年预算数": 11,
           "全年执行数": 11, "执行率": 8, "预算执行得分": 8, "产出指标": 8, "效益指标": 8,
           "满意度指标": 8, "报告总分": 8, "复核总分": 8, "等级": 5, "错误数": 6, "警告数": 6,
           "来源": 26},
    "问题清单": {"序号": 5, "代码": 30, "项目": 20, "指标": 20, "问题说明": 60, "位置": 30},
    "指标明细": {"项目名称": 20, "三级指标": 24, "年度指标值": 12, "实际完成值": 12, "位置": 30},
}

FONT_SIZE = 10  # points, the workbook's cell font (see _formats)
WIDE_UNITS = FONT_SIZE * EM_UNITS_PER_POINT  # a CJK character, in column units


def row_pixels(lines: int) -> int:
    """The height of a data row whose tallest text wraps to ``lines`` lines, in pixels (what
    XlsxWriter's ``set_row_pixels`` takes).

    >>> row_pixels(2), row_pixels(3)
    (43, 61)
    """
    return int((lines * line_height(FONT_SIZE) + ROW_PADDING) * 4 / 3 + 0.5)


CHART_PROJECTS_PER_PAGE = 20
PAGE_ROWS = 28  # rows of 15 pt (20 px) that fit on one landscape page, with room to spare
ROW_PX = 20
CHART_WIDTH_PX = 720


def width_of(sheet: str, header: str, default: float) -> float:
    """The printed width of column ``header`` on ``sheet`` (``default``: the table's)."""
    name = "指标明细" if sheet.startswith("指标明细") else sheet
    return WIDTHS.get(name, {}).get(header, default)


def set_up_page(ws, *, header_rows: tuple[int, int] | None, fit: bool = True) -> None:
    """A4 landscape, one page wide, centred, ``header_rows`` (0-based, inclusive) repeated.

    ``fit=False`` prints at 100 % instead (the 图表 sheet, which is narrower than a page:
    Excel ignores manual page breaks on a sheet scaled to fit)."""
    ws.set_paper(PAPER_A4)
    ws.set_landscape()
    if fit:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(100)
    ws.center_horizontally()
    ws.set_margins(**MARGINS)
    ws.set_header(HEADER)
    ws.set_footer(FOOTER)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)


def chart_pages(n_projects: int) -> list[tuple[int, int]]:
    """``(first, end)`` project indices of each execution-rate chart, one chart a page."""
    per = CHART_PROJECTS_PER_PAGE
    return [(i, min(i + per, n_projects)) for i in range(0, n_projects, per)]


def chart_height(n_projects: int) -> int:
    """Pixels of an execution-rate chart of ``n_projects`` bars; never taller than a page.

    >>> chart_height(1), chart_height(20) <= (PAGE_ROWS - 2) * ROW_PX
    (200, True)
    """
    return max(200, 22 * n_projects + 80)
