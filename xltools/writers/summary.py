"""The 部门汇总 workbook: 汇总, 问题清单, 指标明细 and 图表, written with XlsxWriter.

Rows come from :mod:`xltools.writers.rows` (the same rows the pandas frames use). The workbook is
written in ``constant_memory`` mode (rows in order, flat memory at 10,000+ forms) into a
temporary file that replaces the output only when complete, and never over an input file.

Every text copied from a form is written with ``write_string``: a 三级指标 typed as
``=HYPERLINK("http://x","点击")`` stays that text and never becomes a formula.

Example::

    >>> report = check_files(["2020年自评表/"])                   # doctest: +SKIP
    >>> write_summary(report, "部门汇总.xlsx")                      # doctest: +SKIP
    PosixPath('部门汇总.xlsx')
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Iterable, Sequence

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.url import Url
from xlsxwriter.utility import _preserve_whitespace, _utf16_len
from xlsxwriter.xmlwriter import XMLwriter

from ..pipeline import Report
from . import rows as R
from .atomic import OutputError, atomic_path, refuse_inputs

MAX_ROWS = 1_048_576  # Excel's sheet limit, header included
MAX_LINKS = 65_530  # Excel's hyperlinks per sheet
MAX_LINK_LEN = 2_000
CHART_MAX_PROJECTS = 200
ORANGE, RED, LIGHT_RED = "#F8CBAD", "#FF7C80", "#FDE9E9"

__all__ = ["write_summary", "write_rows", "OutputError", "pairs_of"]


def pairs_of(report: Report):
    """(file path, FormResult) for every form, and (file path, Finding) for every finding."""
    results = [(f.path, r) for f in report.files for r in f.results]
    findings = [(f.path, x) for f in report.files for x in f.findings]
    findings += [(f.path, x) for f in report.files for r in f.results for x in r.findings]
    by_source = {r.form.source: f.path for f in report.files for r in f.results}
    findings += [(by_source.get(x.location, ""), x) for x in report.batch_findings]
    return results, findings


class _Sheet:
    """A worksheet with the formats of a table and a row cursor.

    Data rows go through :meth:`write_rows`, which writes each row's XML straight into the
    worksheet's ``constant_memory`` row file — the same bytes XlsxWriter's per-cell calls
    produce (``tests/test_perf_summary_rows.py`` compares the two), at a fraction of the cost.
    A row holding anything unusual (a rich-string look-alike, a very long text, a number that
    is not finite, a link Excel would refuse) is written cell by cell as before.
    """

    def __init__(self, wb, ws, columns: Sequence[R.Column], fmt: dict, out_dir: Path):
        self.wb, self.ws, self.columns, self.fmt, self.out_dir = wb, ws, columns, fmt, out_dir
        self.links = 0
        self._targets: dict[str, tuple[str, bool]] = {}
        for i, col in enumerate(columns):
            ws.set_column(i, i, col.width)
        self.fast = _fast_capable(ws)
        self._number_formats = [fmt.get(col.kind, fmt["int"]) for col in columns]
        self._number_kinds = [col.kind if col.kind in fmt else "int" for col in columns]
        self._xf: dict[str, str] = {}  # format name → its XF index, once XlsxWriter gave one
        self._letters = [_col(i) for i in range(len(columns))]

    def header(self, row: int) -> None:
        for i, col in enumerate(self.columns):
            self.ws.write_string(row, i, col.header, self.fmt["header"])
        self.ws.set_row(row, 30)

    def write_rows(self, first: int, rows: Iterable[Sequence[R.Value]]) -> int:
        """Write ``rows`` at ``first``, ``first + 1``, …; returns how many were written."""
        count = 0
        for count, values in enumerate(rows, 1):
            row = first + count - 1
            if not (self.fast and self._write_fast(row, values)):
                self.write_row(row, values)
        return count

    def write_row(self, row: int, values: Sequence[R.Value]) -> None:
        ws, fmt = self.ws, self.fmt
        for i, (col, value) in enumerate(zip(self.columns, values)):
            if value is None or value == "":
                continue
            if isinstance(value, R.Link):
                self._link(row, i, value)
            elif isinstance(value, str):
                ws.write_string(row, i, value, fmt["text"])
            elif isinstance(value, (Decimal, int)):
                ws.write_number(row, i, float(value), fmt.get(col.kind, fmt["int"]))
            else:  # anything else is shown as text, never interpreted
                ws.write_string(row, i, str(value), fmt["text"])

    def _url(self, link: R.Link, pending: int = 0) -> str | None:
        """The hyperlink target of ``link``, or ``None`` when it is shown as plain text
        (``pending``: links of the row being built, not yet counted in ``self.links``)."""
        known = self._targets.get(link.path)
        if known is None:  # the form's row and its findings link to the same file
            known = self._targets[link.path] = (
                R.link_target(link, self.out_dir),
                Path(link.path).suffix.lower() not in R.WORD_SUFFIXES)
        target, cell_link = known
        url = "external:" + target
        if link.sheet and link.cell and "#" not in target and cell_link:
            sheet = link.sheet.replace("'", "''")
            url += f"#'{sheet}'!{link.cell}"
        if self.links + pending >= MAX_LINKS or len(url) > MAX_LINK_LEN:
            return None
        return url

    def _link(self, row: int, col: int, link: R.Link) -> None:
        url = self._url(link)
        if url is None:
            self.ws.write_string(row, col, link.text, self.fmt["text"])
            return
        self.links += 1
        self.ws.write_url(row, col, url, self.fmt["link"], string=link.text,
                          tip=LINK_TIP)

    # --- the fast path ----------------------------------------------------------------------

    def _xf_of(self, name: str) -> str:
        """XF index of ``fmt[name]``, assigned now if it is the format's first use (XlsxWriter
        numbers formats in order of first use, so this is called where a cell is written)."""
        index = str(self.fmt[name]._get_xf_index())
        self._xf[name] = index
        return index

    def _write_fast(self, row: int, values: Sequence[R.Value]) -> bool:
        """Write one data row as XML; ``False`` (nothing written) when it needs the slow path."""
        ws = self.ws
        if row >= ws.xls_rowmax or row in ws.row_info or row in ws.comments:
            return False
        if row > ws.previous_row:
            ws._write_single_row(row)  # what XlsxWriter does when a cell of a later row comes
        if row < ws.previous_row or ws.table:
            return False
        cells: list[str] = []
        links: list[tuple[int, object]] = []
        first_col = last_col = -1
        r1 = str(row + 1)
        fmt, xf, letters = self.fmt, self._xf, self._letters
        for i, value in enumerate(values[:len(self.columns)]):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str and len(value) <= 16383 and not _SPECIAL.search(value):
                # the common case of _string_cell, inlined: this loop runs for every cell
                text_xf = xf.get("text") or self._xf_of("text")
                space = _PRESERVE if value[0].isspace() or value[-1].isspace() else ""
                cell = f'<c r="{letters[i]}{r1}" s="{text_xf}" t="inlineStr"><is><t{space}>' \
                       f"{value}</t></is></c>"
            elif kind is Decimal or kind is int:
                number = float(value)
                if number != number or number in (_INF, -_INF):
                    return False  # XlsxWriter's own error handling decides
                kind_name = self._number_kinds[i]
                cell = f'<c r="{letters[i]}{r1}" s="{xf.get(kind_name) or self._xf_of(kind_name)}">' \
                       f"<v>{number:.16G}</v></c>"
            elif isinstance(value, R.Link):
                ref = letters[i] + r1
                url = self._url(value, len(links))
                if url is None:
                    cell = _string_cell(ref, value.text, fmt["text"])
                else:
                    link = _url_object(ws, url, value.text, len(links))
                    if link is None:
                        return False
                    cell = _string_cell(ref, link.text, fmt["link"])
                    links.append((i, link))
            elif isinstance(value, str):
                cell = _string_cell(letters[i] + r1, value, fmt["text"])
            elif isinstance(value, (Decimal, int)):
                number = float(value)
                if number != number or number in (_INF, -_INF):
                    return False
                cell = f'<c r="{letters[i]}{r1}" s="{self._number_formats[i]._get_xf_index()}">' \
                       f"<v>{number:.16G}</v></c>"
            else:
                cell = _string_cell(letters[i] + r1, str(value), fmt["text"])
            if cell is None:
                return False
            cells.append(cell)
            if first_col < 0:
                first_col = i
            last_col = i
        if not cells:
            return True  # XlsxWriter writes nothing for a row without cells either
        ws.fh.write(f'<row r="{r1}">{"".join(cells)}</row>')
        for i, link in links:
            ws.hyperlinks[row][i] = link
        self.links += len(links)
        ws.hlink_count += len(links)
        ws.previous_row = row + 1
        if ws.dim_rowmin is None or row < ws.dim_rowmin:
            ws.dim_rowmin = row
        if ws.dim_rowmax is None or row > ws.dim_rowmax:
            ws.dim_rowmax = row
        if ws.dim_colmin is None or first_col < ws.dim_colmin:
            ws.dim_colmin = first_col
        if ws.dim_colmax is None or last_col > ws.dim_colmax:
            ws.dim_colmax = last_col
        return True


LINK_TIP = "打开源文件"
_INF = float("inf")
_PRESERVE = ' xml:space="preserve"'
# what XlsxWriter escapes in a string: control characters, _xHHHH_ look-alikes, & < >
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_FAST_ATTRS = ("constant_memory", "previous_row", "table", "row_info", "comments", "fh",
               "hyperlinks", "hlink_count", "dim_rowmin", "dim_rowmax", "dim_colmin",
               "dim_colmax", "xls_rowmax", "xls_strmax", "max_url_length", "_write_single_row",
               "_escape_control_characters", "_escape_data")


def _fast_capable(ws) -> bool:
    """The fast path needs XlsxWriter's constant_memory row file and its usual bookkeeping."""
    return bool(getattr(ws, "constant_memory", False)) and all(hasattr(ws, a) for a in _FAST_ATTRS)


def _string_cell(ref: str, text: str, cell_format) -> str | None:
    """``<c>`` of an inline string exactly as XlsxWriter writes it in constant_memory mode
    (control characters as ``_xHHHH_``, ``& < >`` escaped, ``xml:space`` for edge spaces)."""
    if len(text) > 16383:  # may need XlsxWriter's truncation to 32,767 UTF-16 units
        return None
    if _SPECIAL.search(text):
        text = XMLwriter._escape_control_characters(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            return None  # XlsxWriter would write it as a rich string
        space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    else:  # ^\s and \s$ of XlsxWriter's check are the first and last character here
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}" s="{cell_format._get_xf_index()}" t="inlineStr"><is><t{space}>' \
           f"{text}</t></is></c>"


def _url_object(ws, url: str, text: str, pending: int):
    """The ``Url`` XlsxWriter's ``write_url`` would store, or ``None`` where it would refuse."""
    target, _, anchor = url.partition("#")
    if _utf16_len(target) > ws.max_url_length or _utf16_len(anchor) > ws.max_url_length:
        return None
    if ws.hlink_count + pending + 1 > 65530:
        return None
    link = Url(url)
    link._text = text
    link.tip = LINK_TIP
    return link


def _formats(wb) -> dict:
    base = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}

    def f(**kw):
        return wb.add_format({**base, **kw})

    return {
        "title": f(bold=True, font_size=14),
        "header": f(bold=True, bg_color="#D9E1F2", border=1, text_wrap=True, align="center"),
        "text": f(),
        "int": f(num_format="0"),
        "money": f(num_format="#,##0.00"),
        "rate": f(num_format="0.00%"),
        "score": f(num_format="0.00"),
        "link": f(font_color="#0563C1", underline=1),
        "total_label": f(bold=True, top=1),
        "total_money": f(bold=True, top=1, num_format="#,##0.00"),
        "total_rate": f(bold=True, top=1, num_format="0.00%"),
        "total_score": f(bold=True, top=1, num_format="0.00"),
        "total_blank": f(top=1),
        "note": f(italic=True, font_color="#595959"),
        "orange": wb.add_format({"bg_color": ORANGE}),
        "red": wb.add_format({"bg_color": RED, "bold": True}),
        "light_red": wb.add_format({"bg_color": LIGHT_RED}),
    }


def _col(index: int) -> str:
    from ..readers.grid import column_letter

    return column_letter(index)


def _num(value: Decimal | None) -> float | str:
    return "" if value is None else float(value)


def _write_forms(sheet: _Sheet, rows: list[R.Row], totals: R.Totals) -> None:
    ws, fmt, C = sheet.ws, sheet.fmt, R.COL
    n = len(rows)
    ws.write_string(0, 0, f"部门汇总（共 {n} 个项目）", fmt["title"])
    ws.set_row(0, 24)
    sheet.header(1)
    first, last = 2, 1 + n  # 0-based data rows
    sheet.write_rows(first, rows)
    ncols = len(R.FORM_COLUMNS)
    ws.freeze_panes(2, 2)
    ws.autofilter(1, 0, max(last, 1), ncols - 1)

    t = last + 1  # totals row (0-based)
    for c in range(ncols):
        ws.write_blank(t, c, None, fmt["total_blank"])
    ws.write_string(t, C["项目名称"], "合计", fmt["total_label"])
    if n:
        def rng(name: str) -> str:
            letter = _col(C[name])
            return f"{letter}{first + 1}:{letter}{last + 1}"

        b, e = _col(C["全年预算数"]), _col(C["全年执行数"])
        ws.write_formula(t, C["全年预算数"], f"=SUM({rng('全年预算数')})", fmt["total_money"],
                         _num(totals.budget) if totals.budget is not None else 0)
        ws.write_formula(t, C["全年执行数"], f"=SUM({rng('全年执行数')})", fmt["total_money"],
                         _num(totals.executed) if totals.executed is not None else 0)
        ws.write_formula(t, C["执行率"], f'=IF({b}{t + 1}=0,"",{e}{t + 1}/{b}{t + 1})',
                         fmt["total_rate"], _num(totals.rate))
        for name in ("错误数", "警告数"):
            s = sum(int(r[C[name]] or 0) for r in rows)
            ws.write_formula(t, C[name], f"=SUM({rng(name)})", fmt["total_label"], s)

    # the block under the table
    r0 = t + 2
    # constant_memory: every cell of a row must be written before the next row is started
    ws.write_string(r0, C["项目名称"], "复核总分平均值", fmt["text"])
    if n and totals.mean_total is not None:
        ws.write_formula(r0, C["主管部门"], f"=AVERAGE({rng('复核总分')})", fmt["score"],
                         _num(totals.mean_total))
    ws.write_string(r0 + 1, C["项目名称"], "按全年预算数加权的复核总分平均值", fmt["text"])
    if n:
        if totals.weighted_total is not None:
            bud, tot = rng("全年预算数"), rng("复核总分")
            ws.write_formula(r0 + 1, C["主管部门"],
                             f'=SUMPRODUCT({bud},{tot})/SUMIFS({bud},{tot},"<>")',
                             fmt["score"], _num(totals.weighted_total))
    ws.write_string(r0 + 3, C["项目名称"], "等级", fmt["header"])
    ws.write_string(r0 + 3, C["主管部门"], "项目数", fmt["header"])
    grade_rng = f"{_col(C['等级'])}{first + 1}:{_col(C['等级'])}{max(last, first) + 1}"
    for i, (grade, count) in enumerate(totals.grades.items()):
        ws.write_string(r0 + 4 + i, C["项目名称"], grade, fmt["text"])
        ws.write_formula(r0 + 4 + i, C["主管部门"], f'=COUNTIF({grade_rng},"{grade}")',
                         fmt["int"], count)
    ws.write_string(r0 + 5 + len(totals.grades), C["项目名称"],
                    "说明：金额单位为万元；执行率 = 全年执行数 ÷ 全年预算数；复核总分由本工具按规则重算。",
                    fmt["note"])

    if n:
        rate = _col(C["执行率"])
        ws.conditional_format(first, C["执行率"], last, C["执行率"], {
            "type": "formula", "criteria": f'=AND(ISNUMBER({rate}{first + 1}),{rate}{first + 1}<0.9)',
            "format": fmt["orange"]})
        ws.conditional_format(first, C["等级"], last, C["等级"], {
            "type": "cell", "criteria": "==", "value": '"差"', "format": fmt["red"]})
        err = _col(C["错误数"])
        ws.conditional_format(first, 0, last, ncols - 1, {
            "type": "formula", "criteria": f"=${err}{first + 1}>0", "format": fmt["light_red"]})


def _write_findings(sheet: _Sheet, rows: list[R.Row]) -> None:
    ws = sheet.ws
    sheet.header(0)
    sheet.write_rows(1, rows)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(R.FINDING_COLUMNS) - 1)
    if rows:
        ws.conditional_format(1, 1, len(rows), 1, {
            "type": "cell", "criteria": "==", "value": '"错误"', "format": sheet.fmt["light_red"]})


def _write_indicators(sheets: list[_Sheet], rows: Iterable[R.Row], per_sheet: int) -> None:
    it = iter(rows)
    for sheet in sheets:
        sheet.header(0)
        sheet.ws.freeze_panes(1, 0)
        count = sheet.write_rows(1, islice(it, per_sheet))
        sheet.ws.autofilter(0, 0, max(count, 1), len(R.INDICATOR_COLUMNS) - 1)


def _write_charts(wb, ws, fmt, n_forms: int, totals: R.Totals) -> None:
    C = R.COL
    ws.set_column(0, 1, 10)
    ws.write_string(0, 0, "等级", fmt["header"])
    ws.write_string(0, 1, "项目数", fmt["header"])
    grades = list(totals.grades.items())
    for i, (grade, count) in enumerate(grades, 1):
        ws.write_string(i, 0, grade, fmt["text"])
        ws.write_number(i, 1, count, fmt["int"])

    column = wb.add_chart({"type": "column"})
    column.add_series({
        "name": "项目数",
        "categories": ["图表", 1, 0, len(grades), 0],
        "values": ["图表", 1, 1, len(grades), 1],
        "data_labels": {"value": True},
    })
    column.set_title({"name": "各等级项目数"})
    column.set_legend({"none": True})
    column.set_y_axis({"min": 0, "major_gridlines": {"visible": True}})
    ws.insert_chart(0, 3, column, {"x_scale": 1.2, "y_scale": 1.1})

    if n_forms:
        shown = min(n_forms, CHART_MAX_PROJECTS)
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({
            "name": "执行率",
            "categories": ["汇总", 2, C["项目名称"], 1 + shown, C["项目名称"]],
            "values": ["汇总", 2, C["执行率"], 1 + shown, C["执行率"]],
            "data_labels": {"value": True, "num_format": "0%"},
            "fill": {"color": "#5B9BD5"},
        })
        title = "各项目预算执行率"
        if shown < n_forms:
            title += f"（前 {shown} 个项目）"
        bar.set_title({"name": title})
        bar.set_legend({"none": True})
        bar.set_x_axis({"num_format": "0%", "min": 0})
        bar.set_y_axis({"reverse": True})
        height = min(max(320, 22 * shown + 80), 4000)
        bar.set_size({"width": 720, "height": height})
        ws.insert_chart(18, 3, bar)


def write_summary(report: Report, out_path: str | Path, *, pack=None,
                  inputs: Iterable[str | Path] = (), rows_per_sheet: int = MAX_ROWS - 1) -> Path:
    """Write the 部门汇总 workbook of ``report`` to ``out_path`` (an .xlsx) and return the path.

    Raises :class:`OutputError` (a Chinese one-liner) when ``out_path`` is one of the report's
    files or of ``inputs``, is not an .xlsx name, or cannot be written. ``pack`` (a RulePack)
    names the grades counted under the table and charted (优 良 中 差 without one).
    """
    return write_rows([R.file_rows(f) for f in report.files], out_path, pack=pack,
                      inputs=inputs, rows_per_sheet=rows_per_sheet)


def _refuse_inputs(out: Path, inputs: Sequence[str]) -> None:
    """:func:`~xltools.writers.atomic.refuse_inputs` for thousands of inputs: the same verdict
    with one ``stat`` per distinct input instead of two ``resolve`` calls.

    An existing input is the output exactly when both are the same file (device and inode); an
    input that cannot be examined this way goes through ``refuse_inputs`` itself.
    """
    try:
        out_stat = os.stat(out)
    except (FileNotFoundError, NotADirectoryError):
        out_stat = None
    except OSError:  # cannot tell: the thorough way
        refuse_inputs(out, inputs)
        return
    unsure: list[str] = []
    for item in dict.fromkeys(inputs):
        try:
            st = os.stat(item)
        except OSError:
            unsure.append(item)  # missing or unreadable: let refuse_inputs decide
            continue
        if out_stat is None:
            continue  # an existing file is never a path that does not exist
        if (st.st_dev, st.st_ino) == (out_stat.st_dev, out_stat.st_ino):
            unsure.append(item)  # the same file: refuse_inputs raises its message
    refuse_inputs(out, unsure)


def write_rows(files: Sequence[R.FileRows], out_path: str | Path, *, pack=None,
               inputs: Iterable[str | Path] = (), rows_per_sheet: int = MAX_ROWS - 1) -> Path:
    """:func:`write_summary` from rows already built per file (by pool workers)."""
    out = Path(out_path)
    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"汇总文件名必须以 .xlsx 结尾：{out.name}")
    _refuse_inputs(out, [f.path for f in files if f.path] + [str(p) for p in inputs])
    form_rows, finding_rows, indicator_rows = R.merge_rows(files)
    totals = R.totals(form_rows, R.grade_names(pack))
    n_indicators = sum(len(f.indicators) for f in files)
    n_detail = max(1, -(-n_indicators // rows_per_sheet))
    out_dir = out.parent.resolve()

    with atomic_path(out) as tmp:
        wb = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_numbers": False, "strings_to_urls": False})
        try:
            wb.set_properties({"title": "部门汇总", "comments": "由 xltools 生成"})
            fmt = _formats(wb)
            forms = _Sheet(wb, wb.add_worksheet("汇总"), R.FORM_COLUMNS, fmt, out_dir)
            problems = _Sheet(wb, wb.add_worksheet("问题清单"), R.FINDING_COLUMNS, fmt, out_dir)
            details = [
                _Sheet(wb, wb.add_worksheet("指标明细" if i == 0 else f"指标明细{i + 1}"),
                       R.INDICATOR_COLUMNS, fmt, out_dir)
                for i in range(n_detail)
            ]
            charts = wb.add_worksheet("图表")
            _write_forms(forms, form_rows, totals)
            _write_findings(problems, finding_rows)
            _write_indicators(details, indicator_rows, rows_per_sheet)
            _write_charts(wb, charts, fmt, len(form_rows), totals)
            forms.ws.activate()
        finally:
            try:
                wb.close()
            except XlsxWriterException as exc:
                raise OutputError(f"无法写入汇总文件 {out.name}：{exc}") from exc
    return out
