"""The 部门汇总 workbook: 汇总, 问题清单, 指标明细 and 图表, written with XlsxWriter.

Rows come from :mod:`xltools.writers.rows` (the same rows the pandas frames use). The workbook is
written in ``constant_memory`` mode (rows in order, flat memory at 10,000+ forms) into a
temporary file that replaces the output only when complete, and never over an input file.
:class:`SummaryWriter` writes each file's rows as they arrive from the pool (the consolidate
command), :func:`write_rows` / :func:`write_summary` from a finished list; both make the same
workbook. Pool workers may render 指标明细 rows to XML themselves (:func:`render_xml`).

How it prints (A4 landscape, one page wide, header rows repeated, page footer, wrapped texts
and the heights of their rows, one chart a page) is set by :mod:`.summary_print`.

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
import shutil
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Sequence

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.url import Url
from xlsxwriter.utility import _preserve_whitespace, _utf16_len
from xlsxwriter.xmlwriter import XMLwriter

from ..core.remember import remember
from ..pipeline import Report
from . import rows as R
from . import summary_print as P
from .atomic import OutputError, atomic_path, os_reason, refuse_inputs
from .sorted_spill import SortedSpill
from .text_fit import CELL_PADDING, estimate_lines
from .xlsx_speedups import FastDeflateWorkbook, speed_up, store_link

MAX_ROWS = 1_048_576  # Excel's sheet limit, header included
MAX_LINKS = 65_530  # Excel's hyperlinks per sheet
MAX_LINK_LEN = 2_000
CHART_MAX_PROJECTS = 200
ORANGE, RED, LIGHT_RED = "#F8CBAD", "#FF7C80", "#FDE9E9"
CONDITIONAL_FORMATS = ("orange", "red", "light_red")  # used by conditional formats only

__all__ = ["write_summary", "write_rows", "SummaryWriter", "OutputError", "pairs_of"]


def pairs_of(report: Report):
    """(file path, FormResult) for every form, and (file path, Finding) for every finding."""
    results = [(f.path, r) for f in report.files for r in f.results]
    findings = [(f.path, x) for f in report.files for x in f.findings]
    findings += [(f.path, x) for f in report.files for r in f.results for x in r.findings]
    findings += [(path or "", x) for x, path in report.batch_findings_with_paths]
    return results, findings


class _Sheet:
    """A worksheet with the formats of a table and a row cursor.

    Data rows go through :meth:`write_rows`, which writes each row's XML (:func:`render_row`)
    straight into the worksheet's ``constant_memory`` row file — the same bytes XlsxWriter's
    per-cell calls produce (``tests/test_perf_summary_rows.py`` compares the two), at a
    fraction of the cost. A row holding anything unusual (a rich-string look-alike, a very long
    text, a number that is not finite, a link Excel would refuse) is written cell by cell as
    before. The cell formats' XF numbers are fixed when the formats are made (``_formats``).
    """

    def __init__(self, wb, ws, columns: Sequence[R.Column], fmt: dict, out_dir: Path,
                 targets: dict[str, tuple[str, bool]] | None = None,
                 real_paths: dict[str, str] | None = None):
        self.wb, self.ws, self.columns, self.fmt, self.out_dir = wb, ws, columns, fmt, out_dir
        # the path on disk of an input whose name is not UTF-8, by the name shown (see
        # SummaryWriter._real_paths): its links must name the file's real bytes
        self.real_paths = real_paths or {}
        self.links = 0
        # link target per input file (shared by the sheets of one workbook)
        self._targets: dict[str, tuple[str, bool]] = {} if targets is None else targets
        widths = [P.width_of(ws.name, col.header, col.width) for col in columns]
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        # a link is not wrapped (LibreOffice draws a hyperlink on one line)
        self._rooms = tuple(round(w - CELL_PADDING, 2) if col.kind == "text" else 0.0
                            for w, col in zip(widths, columns))
        self.fast = _fast_capable(ws)
        if self.fast:
            speed_up(ws)  # the row copy and the links of XlsxWriter's close, the same bytes
        self._number_formats = [fmt.get(col.kind, fmt["int"]) for col in columns]
        self._number_kinds = [col.kind if col.kind in fmt else "int" for col in columns]
        self._xf: dict[str, str] = {}  # format name → its XF index, once XlsxWriter gave one
        self._letters = [_col(i) for i in range(len(columns))]
        self._spec: RowSpec | None = None

    # --- rows above the data, written last -----------------------------------------------

    deferred = False

    def defer_top(self) -> bool:
        """Send the data rows that follow to a side file, so that the rows above them (the
        汇总 title, which names the final count) can be written once every row is known; see
        :meth:`finish_top`. ``False`` when this XlsxWriter lacks what that needs (the caller
        then keeps the rows and writes them after the top)."""
        ws = self.ws
        if not _deferrable(ws):
            return False
        self._main_fh, self._side = ws.fh, tempfile.TemporaryFile(
            "w+", encoding="utf-8", dir=getattr(ws, "tmpdir", None))
        ws.fh = self._side
        self.deferred = True
        return True

    def finish_top(self, write_top: Callable[[], None], first: int) -> None:
        """Write rows ``0 … first - 1`` with ``write_top()``, then the deferred data rows after
        them, into the sheet's row file: the bytes XlsxWriter writes for rows in order."""
        ws = self.ws
        if ws.table:  # a data row still pending (written by the slow path)
            ws._write_single_row(ws.previous_row + 1)
        resume = ws.previous_row
        ws.fh, side = self._main_fh, self._side
        ws.previous_row = 0
        ws.table.clear()
        write_top()
        ws._write_single_row(first)  # the last top row
        side.seek(0)
        shutil.copyfileobj(side, ws.fh, 1 << 16)
        side.close()
        ws.previous_row = max(resume, first)
        self.deferred = False

    def header(self, row: int) -> None:
        for i, col in enumerate(self.columns):
            self.ws.write_string(row, i, col.header, self.fmt["header"])
        self.ws.set_row(row, 30)

    def write_rows(self, first: int, rows: Iterable[Sequence[R.Value]]) -> int:
        """Write ``rows`` at ``first``, ``first + 1``, …; returns how many were written."""
        if isinstance(rows, (tuple, list)) and rows and self.fast and \
                all(type(values) is str for values in rows) and self._emit_rendered(first, rows):
            return len(rows)
        count = 0
        for count, values in enumerate(rows, 1):
            row = first + count - 1
            if type(values) is str:  # rendered by a pool worker (see render_xml)
                if not (self.fast and self._emit_rendered(row, (values,))):
                    raise RuntimeError(f"第 {row + 1} 行无法写入预先生成的内容")
            elif not (self.fast and self._write_fast(row, values)):
                self.write_row(row, values)
        return count

    def write_rendered(self, row: int, rendered: "Rendered | None", values: Sequence[R.Value],
                       seq: int | None = None) -> None:
        """Write a row rendered earlier (:meth:`render`, :func:`render_row`) at ``row``, or
        ``values`` the usual way when it was not rendered or no longer fits (link limits)."""
        if not (self.fast and rendered is not None and self._emit(row, rendered, seq)):
            self.write_rows(row, (values,))

    def write_row(self, row: int, values: Sequence[R.Value]) -> None:
        ws, fmt = self.ws, self.fmt
        lines = self.lines(values)
        if lines > 1:
            ws.set_row_pixels(row, P.row_pixels(lines))
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

    def lines(self, values: Sequence[R.Value]) -> int:
        """Lines the tallest wrapped text of a row takes (what :func:`render_row` counts)."""
        rooms, lines = self.spec.rooms, 1
        for room, text in zip(rooms, values):
            if type(text) is str and room > 0 and len(text) * _WIDE_UNITS > room:
                lines = max(lines, _lines_of(text, room))
        return lines

    def _url(self, link: R.Link, pending: int = 0) -> str | None:
        """The hyperlink target of ``link``, or ``None`` when it is shown as plain text
        (``pending``: links of the row being built, not yet counted in ``self.links``)."""
        known = self._targets.get(link.path)
        if known is None:  # the form's row and its findings link to the same file
            real = self.real_paths.get(link.path)
            known = remember(self._targets, link.path, (
                escape_link_path(R.link_target(
                    link if real is None else R.Link(link.text, real), self.out_dir)),
                _suffix(link.path) not in R.WORD_SUFFIXES), R.FILES_REMEMBERED)
        target, cell_link = known
        url = "external:" + target
        if link.sheet and link.cell and cell_link:
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
        """XF index of ``fmt[name]`` (numbered when the formats were made, see ``_formats``)."""
        index = str(self.fmt[name]._get_xf_index())
        self._xf[name] = index
        return index

    @property
    def spec(self) -> "RowSpec":
        """What :func:`render_row` needs to know about this sheet's columns and formats."""
        if self._spec is None:
            self._spec = RowSpec(tuple(self._letters),
                                 tuple(self._xf_of(kind) for kind in self._number_kinds),
                                 self._xf_of("text"), self._xf_of("link"), self._rooms)
        return self._spec

    def render(self, values: Sequence[R.Value], seq_col: int = -1) -> "Rendered | None":
        """``values`` as XML (see :func:`render_row`), links included; ``None``: the slow path."""
        return render_row(values, self.spec, self._link_cell, seq_col)

    def _link_cell(self, ref: str, value: R.Link, pending: int):
        url = self._url(value, pending)
        spec = self._spec or self.spec
        if url is None:
            return _string_cell(ref, value.text, spec.text_xf), None
        link = _url_object(self.ws, url, value.text, pending)
        if link is None:
            return None
        return _string_cell(ref, value.text, spec.link_xf), link

    def _write_fast(self, row: int, values: Sequence[R.Value]) -> bool:
        """Write one data row as XML; ``False`` (nothing written) when it needs the slow path."""
        ws = self.ws
        if row >= ws.xls_rowmax or row in ws.row_info or row in ws.comments:
            return False
        if row > ws.previous_row:
            ws._write_single_row(row)  # what XlsxWriter does when a cell of a later row comes
        if row < ws.previous_row or ws.table:
            return False
        rendered = self.render(values)
        return rendered is not None and self._emit(row, rendered)

    def _emit_rendered(self, first: int, rows: Sequence[str]) -> bool:
        """:meth:`_emit` for consecutive rows rendered by :func:`render_xml` (no links, no new
        columns), in one write; ``False`` (nothing written) when one of them needs more."""
        ws = self.ws
        last = first + len(rows) - 1
        if ws.dim_colmin is None:  # no header row spans the columns yet
            return False
        if last >= ws.xls_rowmax or any(first <= r <= last for r in ws.row_info) or \
                any(first <= r <= last for r in ws.comments):
            return False
        if first > ws.previous_row:
            ws._write_single_row(first)
        if first < ws.previous_row or ws.table:
            return False
        filled = [row for row, xml in enumerate(rows, first) if xml]
        if not filled:
            return True
        ws.fh.write("".join([xml.replace(ROW, str(row)) for row, xml in
                             enumerate(rows, first + 1) if xml]))
        ws.previous_row = filled[-1] + 1
        if ws.dim_rowmin is None or filled[0] < ws.dim_rowmin:
            ws.dim_rowmin = filled[0]
        if ws.dim_rowmax is None or filled[-1] > ws.dim_rowmax:
            ws.dim_rowmax = filled[-1]
        return True

    def _emit(self, row: int, rendered: "Rendered", seq: int | None = None) -> bool:
        """Put a rendered row into the worksheet's row file at ``row`` (``seq`` fills the
        序号 placeholder); ``False`` (nothing written) when XlsxWriter must handle it."""
        ws = self.ws
        if row >= ws.xls_rowmax or row in ws.row_info or row in ws.comments:
            return False
        if row > ws.previous_row:
            ws._write_single_row(row)
        if row < ws.previous_row or ws.table:
            return False
        xml, first_col, last_col, links = rendered
        if links and (self.links + len(links) > MAX_LINKS or
                      ws.hlink_count + len(links) > 65530):
            return False  # rendered before the sheet's links were counted: now too many
        if links and type(links[0][1]) is tuple:  # (url, text) of a stored row: made now
            made = []
            for pending, (i, (url, text)) in enumerate(links):
                link = _url_object(ws, url, text, pending)
                if link is None:
                    return False
                made.append((i, link))
            links = made
        if not xml:
            return True  # XlsxWriter writes nothing for a row without cells either
        xml = xml.replace(ROW, str(row + 1))
        if seq is not None:
            xml = xml.replace(SEQ, str(seq))
        ws.fh.write(xml)
        for i, link in links:
            store_link(ws, row, i, link)  # on disk until the workbook closes
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


ROW = "\x00"  # where a rendered row's number goes (escaped text never holds a raw \x00)
SEQ = "\x01"  # where the 序号 goes, in a row rendered before it was numbered


@dataclass(frozen=True)
class RowSpec:
    """A sheet's columns as :func:`render_row` needs them: column letters, the XF index of
    each column's number format, and the XF indexes of text and link cells. Small and
    picklable: pool workers render rows with it."""

    letters: tuple[str, ...]
    number_xf: tuple[str, ...]
    text_xf: str
    link_xf: str
    # per column, the width a text wraps in (less the padding), 0: no wrapping; a row whose
    # text wraps to more lines gets the height they need (see row_pixels)
    rooms: tuple[float, ...] = ()


def render_xml(values: Sequence[R.Value], spec: RowSpec) -> str | None:
    """The XML of a row without links (:func:`render_row`), for a sheet whose header row spans
    every column (so that the row cannot widen the sheet's dimensions): what pool workers send
    back for 指标明细 rows. ``None``: send the values.

    >>> spec = RowSpec(("A", "B"), ("4", "7"), "3", "8")
    >>> render_xml(("<r>富文本样子</r>", None), spec) is None
    True
    """
    rendered = render_row(values, spec)
    return None if rendered is None else rendered[0]


# (xml with ROW/SEQ placeholders, first column, last column, ((column, Url), …))
Rendered = tuple[str, int, int, tuple]


def render_row(values: Sequence[R.Value], spec: RowSpec, link_cell=None,
               seq_col: int = -1) -> Rendered | None:
    """One data row as the very XML XlsxWriter writes for it in constant_memory mode, with
    :data:`ROW` where the row number goes — the one place rows become XML (the main process
    and pool workers both use it). ``None`` when the row holds anything XlsxWriter must handle
    itself (a rich-string look-alike, a very long text, a number that is not finite, a link
    ``link_cell`` refuses or any link without ``link_cell``). ``seq_col``: that column holds
    the 序号, written as :data:`SEQ` (numbered when the rows' order is known).

    ``link_cell(ref, link, pending)`` → ``(cell xml, Url | None)`` or ``None``.

    >>> spec = RowSpec(("A", "B"), ("4", "7"), "3", "8")
    >>> render_row(("举办培训班次数", Decimal("9.50")), spec)[0].replace(ROW, "5")
    '<row r="5"><c r="A5" s="3" t="inlineStr"><is><t>举办培训班次数</t></is></c><c r="B5" s="7"><v>9.5</v></c></row>'
    """
    cells: list[str] = []
    links: list[tuple[int, object]] = []
    first_col = last_col = -1
    letters, number_xf, text_xf = spec.letters, spec.number_xf, spec.text_xf
    text_open, number_open = _openings(spec)
    search = _SPECIAL.search
    # one search over the row's texts instead of one per cell: joined by spaces, a match can
    # neither appear nor vanish across two texts (no pattern of _SPECIAL spans a space)
    clean = not search(" ".join([v for v in values if type(v) is str]))
    rooms, lines = spec.rooms, 1
    for i, value in enumerate(values[:len(letters)]):
        kind = type(value)  # dispatch on the exact type first: this loop runs for every cell
        if i == seq_col:
            cell = f'<c r="{letters[i]}{ROW}" s="{number_xf[i]}"><v>{SEQ}</v></c>'
        elif kind is str:
            if not value:
                continue
            if rooms and len(value) * _WIDE_UNITS > rooms[i] > 0:
                lines = max(lines, _lines_of(value, rooms[i]))
            if len(value) <= 16383 and (clean or not search(value)):
                # the common case of _string_cell, inlined
                if value[0].isspace() or value[-1].isspace():
                    cell = f'{text_open[i]}{_PRESERVE}>{value}</t></is></c>'
                else:
                    cell = f"{text_open[i]}>{value}</t></is></c>"
            else:
                cell = _string_cell(letters[i] + ROW, value, text_xf)
        elif value is None:
            continue
        else:
            if kind is Decimal or kind is int or isinstance(value, (Decimal, int)):
                number = float(value)
                if number != number or number in (_INF, -_INF):
                    return None  # XlsxWriter's own error handling decides
                cell = f"{number_open[i]}{number:.16G}</v></c>"
            elif isinstance(value, R.Link):
                if link_cell is None:
                    return None
                made = link_cell(letters[i] + ROW, value, len(links))
                if made is None:
                    return None
                cell, link = made
                if link is not None:
                    links.append((i, link))
            elif value == "":
                continue
            else:  # a str subclass, or anything else shown as text
                cell = _string_cell(letters[i] + ROW, value if isinstance(value, str)
                                    else str(value), text_xf)
        if cell is None:
            return None
        cells.append(cell)
        if first_col < 0:
            first_col = i
        last_col = i
    if not cells:
        return "", first_col, last_col, ()
    if lines > 1:  # as XlsxWriter writes a row given set_row_pixels(row, row_pixels(lines))
        points = f"{P.row_pixels(lines) * 0.75:.16g}"
        return (f'<row r="{ROW}" ht="{points}" customHeight="1">{"".join(cells)}</row>',
                first_col, last_col, tuple(links))
    return f'<row r="{ROW}">{"".join(cells)}</row>', first_col, last_col, tuple(links)


_WIDE_UNITS = P.WIDE_UNITS
_LINES: dict[tuple[str, float], int] = {}  # (text, room) → lines: names and targets recur on every form
LINES_REMEMBERED = 8192  # then forgotten all at once: a text naming one file recurs in that file only


def _lines_of(text: str, room: float) -> int:
    """``estimate_lines(text, room, P.FONT_SIZE)``, remembered (up to
    :data:`LINES_REMEMBERED` texts at a time, so that a worker or the writer reading 10,000
    files needs no more memory than one reading 1,000).

    >>> _lines_of("这是一段较长的说明文字，需要在窄列中换行显示。", 11.2)
    5
    """
    key = (text, room)
    lines = _LINES.get(key)
    if lines is None:
        lines = remember(_LINES, key, estimate_lines(text, room, P.FONT_SIZE), LINES_REMEMBERED)
    return lines
def _storable(rendered: Rendered | None) -> Rendered | None:
    """``rendered`` with each link as ``(url, text)`` instead of XlsxWriter's ``Url`` (which
    :meth:`_Sheet._emit` makes again when the row is written): what waits on disk is small,
    and the links' common parts stay shared."""
    if rendered is None or not rendered[3]:
        return rendered
    xml, first_col, last_col, links = rendered
    return xml, first_col, last_col, tuple((i, (link._original_url, link._text))
                                           for i, link in links)


_OPENINGS: dict[RowSpec, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _openings(spec: RowSpec) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Per column, the start of a text cell (up to ``<t``) and of a number cell (up to
    ``<v>``) as :func:`render_row` writes them, made once per spec.

    >>> _openings(RowSpec(("A",), ("4",), "3", "8"))[1][0].replace(ROW, "5")
    '<c r="A5" s="4"><v>'
    """
    made = _OPENINGS.get(spec)
    if made is None:
        made = (tuple(f'<c r="{letter}{ROW}" s="{spec.text_xf}" t="inlineStr"><is><t'
                      for letter in spec.letters),
                tuple(f'<c r="{letter}{ROW}" s="{xf}"><v>'
                      for letter, xf in zip(spec.letters, spec.number_xf)))
        if len(_OPENINGS) < 64:
            _OPENINGS[spec] = made
    return made


LINK_TIP = "打开源文件"
_INF = float("inf")
_PRESERVE = ' xml:space="preserve"'
# what XlsxWriter escapes in a string: control characters, _xHHHH_ look-alikes, & < >
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_FAST_ATTRS = ("constant_memory", "previous_row", "table", "row_info", "comments", "fh",
               "hyperlinks", "hlink_count", "dim_rowmin", "dim_rowmax", "dim_colmin",
               "dim_colmax", "xls_rowmax", "xls_strmax", "max_url_length", "_write_single_row",
               "_escape_control_characters", "_escape_data")


def _deferrable(ws) -> bool:
    """:meth:`_Sheet.defer_top` needs XlsxWriter's constant_memory row file and pending row."""
    return bool(getattr(ws, "constant_memory", False)) and all(
        hasattr(ws, a) for a in ("fh", "previous_row", "table", "_write_single_row"))


def _fast_capable(ws) -> bool:
    """The fast path needs XlsxWriter's constant_memory row file and its usual bookkeeping."""
    return bool(getattr(ws, "constant_memory", False)) and all(hasattr(ws, a) for a in _FAST_ATTRS)


def _string_cell(ref: str, text: str, xf: str) -> str | None:
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
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t{space}>' \
           f"{text}</t></is></c>"


_LINK_ESCAPES = (("%", "%25"), ("#", "%23"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"),
                 ("[", "%5b"), ("]", "%5d"), ("^", "%5e"), ("`", "%60"), ("{", "%7b"),
                 ("}", "%7d"))


def escape_link_path(path: str) -> str:
    """A file path as the URL part of a hyperlink, percent-escaped the way XlsxWriter escapes
    it, ``%`` and ``#`` included: XlsxWriter would cut ``项目#2.xlsx`` at the ``#`` and leave a
    name that looks escaped already (``增长12%2020年.xlsx``) as it is, so both links would miss.

    >>> escape_link_path("收表/项目#2 终稿.xlsx"), escape_link_path("增长12%2020年.xlsx")
    ('收表/项目%232%20终稿.xlsx', '增长12%252020年.xlsx')

    A name whose bytes are not UTF-8 (kept by Python as surrogates, ``os.fsdecode``) is linked
    by those bytes (``os.fsencode``), percent-escaped: the file's real name, not a decoding.

    >>> escape_link_path("收表/" + os.fsdecode("河北".encode("gbk") + b".xlsx"))
    '收表/%BA%D3%B1%B1.xlsx'
    """
    if path.isalnum():
        return path
    for char, code in _LINK_ESCAPES:
        if char in path:
            path = path.replace(char, code)
    if not path.isascii() and _SURROGATE.search(path):  # such a name's bytes, escaped
        path = "/".join("".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in os.fsencode(part))
                        if _SURROGATE.search(part) else part for part in path.split("/"))
    return path


_SURROGATE = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8 (os.fsdecode)


def _suffix(path: str) -> str:
    """``Path(path).suffix.lower()`` without a ``Path`` (see :func:`~.rows.file_name`)."""
    name = R.file_name(path)
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _url_object(ws, url: str, text: str, pending: int):
    """The ``Url`` XlsxWriter's ``write_url`` would store, or ``None`` where it would refuse."""
    target, _, anchor = url.partition("#")
    limit = ws.max_url_length
    # a text of n characters is at most 2n UTF-16 units: count them only for long texts
    if (2 * len(target) > limit and _utf16_len(target) > limit) or \
            (2 * len(anchor) > limit and _utf16_len(anchor) > limit):
        return None
    if ws.hlink_count + pending + 1 > 65530:
        return None
    base = _URL_BASES.get(target)
    if base is None:
        base = remember(_URL_BASES, target, Url(target), R.FILES_REMEMBERED)
    # what Url(url) makes, without parsing and escaping the file part again (the tip is
    # short: no length check needed)
    link = _new(Url)
    link.__dict__ = {**base.__dict__, "_original_url": url,
                     "_anchor": anchor.replace("/", "\\") if "/" in anchor else anchor,
                     "_text": text, "_tip": LINK_TIP}
    return link


# Parsed Url per link target (``external:file`` without the ``#cell`` part): a form's
# findings all link into the same file, each to another cell.
_URL_BASES: dict[str, Url] = {}
_new = object.__new__


def _formats(wb) -> dict:
    base = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}

    def f(**kw):
        return wb.add_format({**base, **kw})

    formats = {
        "title": f(bold=True, font_size=14),
        "header": f(bold=True, bg_color="#D9E1F2", border=1, text_wrap=True, align="center"),
        "text": f(text_wrap=True),
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
    # Number the cell formats now, in this order, instead of at their first use: the numbers
    # then do not depend on the order in which rows of different sheets arrive.
    for name, cell_format in formats.items():
        if name not in CONDITIONAL_FORMATS:
            cell_format._get_xf_index()
    return formats


def _col(index: int) -> str:
    from ..readers.grid import column_letter

    return column_letter(index)


def _num(value: Decimal | None) -> float | str:
    return "" if value is None else float(value)


def _finish_forms(sheet: _Sheet, rows: list[R.Row], totals: R.Totals,
                  outside: dict[str, int] | None = None,
                  errors: tuple[int, int] | None = None) -> None:
    """The 汇总 sheet around its data rows: title and header above them (the data rows were
    written as they came when the sheet is ``deferred``, else they are written here), then
    the totals, the block under the table and the conditional formats. ``outside``: the
    findings counted in no project's row (files that could not be read or held no form, the
    same project filed twice), said under the table so that the counts add up. ``rows`` may be
    empty when the sheet is ``deferred`` (``totals`` and ``errors``, the 错误数 and 警告数
    sums, say what they hold)."""
    ws, fmt, C = sheet.ws, sheet.fmt, R.COL
    n = totals.count
    first, last = 2, 1 + n  # 0-based data rows

    def top() -> None:
        ws.write_string(0, 0, f"部门汇总（共 {n} 个项目）", fmt["title"])
        ws.set_row(0, 24)
        sheet.header(1)

    if sheet.deferred:
        sheet.finish_top(top, first)
    else:
        top()
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
        for i, name in enumerate(("错误数", "警告数")):
            s = errors[i] if errors is not None else sum(int(r[C[name]] or 0) for r in rows)
            ws.write_formula(t, C[name], f"=SUM({rng(name)})", fmt["total_label"], s)

    # the block under the table
    r0 = t + 2
    # constant_memory: every cell of a row must be written before the next row is started
    for r, label in ((r0, "复核总分平均值"), (r0 + 1, "按全年预算数加权的复核总分平均值")):
        lines = sheet.lines([None] * C["项目名称"] + [label])
        if lines > 1:
            ws.set_row_pixels(r, P.row_pixels(lines))
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
    line = outside_note(outside or {})
    if line:
        ws.write_string(r0 + 6 + len(totals.grades), C["项目名称"], line, fmt["note"])

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


def outside_note(outside: dict[str, int]) -> str:
    """The line under the 汇总 table for findings that belong to no project's row.

    >>> outside_note({"error": 2, "warning": 1, "info": 0})
    '另有不属于任何项目行的问题：错误 2 条、警告 1 条（无法读取的文件、未找到自评表、同一项目重复填报等），见“问题清单”。'
    >>> outside_note({"error": 0, "warning": 0})
    ''
    """
    parts = [f"{name} {outside[key]} 条" for key, name in (("error", "错误"), ("warning", "警告"))
             if outside.get(key)]
    if not parts:
        return ""
    return (f"另有不属于任何项目行的问题：{'、'.join(parts)}"
            "（无法读取的文件、未找到自评表、同一项目重复填报等），见“问题清单”。")


def _write_findings(sheet: _Sheet, rows: Iterable[tuple[R.Row, "Rendered | None"]],
                    count: int) -> None:
    """问题清单: the ``count`` ``rows`` are ``(values, rendered)`` in their final order,
    numbered here."""
    ws = sheet.ws
    sheet.header(0)
    for i, (values, rendered) in enumerate(rows, 1):
        sheet.write_rendered(i, rendered, (i, *values[1:]), seq=i)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(count, 1), len(R.FINDING_COLUMNS) - 1)
    if count:
        ws.conditional_format(1, 1, count, 1, {
            "type": "cell", "criteria": "==", "value": '"错误"', "format": sheet.fmt["light_red"]})


def _write_charts(wb, ws, fmt, n_forms: int, totals: R.Totals) -> None:
    """图表: the grade counts and their chart on the first page, then the projects' execution
    rates, :data:`~xltools.writers.summary_print.CHART_PROJECTS_PER_PAGE` to a chart, each on
    a page of its own (a page break before each), so that no chart is cut when printed."""
    C = R.COL
    ws.set_column(0, 1, 10)
    P.set_up_page(ws, header_rows=None)
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
    column.set_size({"width": P.CHART_WIDTH_PX, "height": 360})
    ws.insert_chart(0, 3, column)

    shown = min(n_forms, CHART_MAX_PROJECTS)
    pages = P.chart_pages(shown)
    breaks = []
    for page, (first, end) in enumerate(pages, 1):
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({
            "name": "执行率",
            "categories": ["汇总", 2 + first, C["项目名称"], 1 + end, C["项目名称"]],
            "values": ["汇总", 2 + first, C["执行率"], 1 + end, C["执行率"]],
            "data_labels": {"value": True, "num_format": "0%"},
            "fill": {"color": "#5B9BD5"},
        })
        title = "各项目预算执行率"
        if len(pages) > 1:
            title += f"（第 {first + 1}–{end} 个项目）"
        elif shown < n_forms:
            title += f"（前 {shown} 个项目）"
        bar.set_title({"name": title})
        bar.set_legend({"none": True})
        bar.set_x_axis({"num_format": "0%", "min": 0})
        bar.set_y_axis({"reverse": True})
        bar.set_size({"width": P.CHART_WIDTH_PX, "height": P.chart_height(end - first)})
        row = page * P.PAGE_ROWS
        breaks.append(row)
        ws.insert_chart(row + 1, 3, bar)  # a row below the break: no edge on the page before
    if breaks:
        ws.set_h_pagebreaks(breaks)


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


def write_rows(files: Iterable[R.FileRows], out_path: str | Path, *, pack=None,
               inputs: Iterable[str | Path] = (), rows_per_sheet: int = MAX_ROWS - 1) -> Path:
    """:func:`write_summary` from rows already built per file (by pool workers)."""
    files = list(files)
    inputs = [f.path for f in files if f.path] + [str(p) for p in inputs]
    with SummaryWriter(out_path, pack=pack, inputs=inputs, rows_per_sheet=rows_per_sheet) as w:
        for f in files:
            w.add(f)
    return w.out


def _real_paths(inputs: Sequence[str]) -> dict[str, str]:
    """The inputs whose names are not UTF-8, by the name the reports show for them
    (:func:`~xltools.readers.files.displayable`, what a file's rows carry as its path)."""
    odd = [p for p in inputs if not p.isascii() and _SURROGATE.search(p)]
    if not odd:
        return {}
    from ..readers.files import displayable

    return {displayable(p): p for p in odd}


class _Discard(Exception):
    """Raised into :func:`atomic_path` to drop the temporary file."""


class SummaryWriter:
    """The 部门汇总 workbook, written while the files' rows arrive (in input order).

    Each :meth:`add` writes the file's 汇总 rows and 指标明细 rows at once (one more 指标明细
    sheet whenever one is full); what needs every file stays for the end (:meth:`close`): the
    findings across files (the same project filed twice, added to :attr:`files` as one more
    form-less share), the 汇总 title with the count, the totals and the line under them for
    findings that belong to no project's row, the sorted 问题清单 and 图表. The workbook is the
    one :func:`write_rows` wrote from the whole list. Leaving the ``with`` block normally
    writes the file (atomically); an exception or :meth:`discard` leaves no file behind.

    Memory stays flat however many files come: of each file the writer keeps counters
    (:attr:`counts`, :attr:`form_count`, the running 合计), its failure if any
    (:attr:`failed`) and its forms' batch keys (a few hundred bytes each); the 问题清单 rows
    wait in sorted runs on disk (:class:`~xltools.writers.sorted_spill.SortedSpill`). The
    numbered 汇总 rows are kept in :attr:`form_rows` only with ``keep_form_rows=True``.

    Example::

        >>> with SummaryWriter("部门汇总.xlsx", inputs=paths) as w:      # doctest: +SKIP
        ...     for rows in iter_files(paths, R.file_rows):
        ...         w.add(rows)
        >>> w.file_count, w.form_count, w.failed                         # doctest: +SKIP
        (2000, 2000, [])
    """

    def __init__(self, out_path: str | Path, *, pack=None, inputs: Iterable[str | Path] = (),
                 rows_per_sheet: int = MAX_ROWS - 1, keep_form_rows: bool = False):
        out = Path(out_path)
        if out.suffix.lower() != ".xlsx":
            raise OutputError(f"汇总文件名必须以 .xlsx 结尾：{out.name}")
        inputs = [str(p) for p in inputs]
        _refuse_inputs(out, inputs)
        self._real_paths = _real_paths(inputs)
        self.out, self.pack = out, pack
        self.rows_per_sheet = max(1, int(rows_per_sheet))
        # what is kept of each file is a few counters and its batch keys: memory stays flat
        self.file_count = 0
        self.form_count = 0
        self.counts = {"error": 0, "warning": 0, "info": 0}  # findings of every file, by severity
        self.failed: list[tuple[str, str]] = []  # (path, reason) of the files that failed
        self._totals = R.RunningTotals()  # the 合计 row, accumulated as rows arrive
        self._keep_form_rows = keep_form_rows
        # numbered 汇总 rows, kept only when asked (``--json``) or when they cannot be written
        # as they arrive (see _Sheet.defer_top)
        self.form_rows: list[R.Row] = []
        self._closed = False
        self._targets: dict[str, tuple[str, bool]] = {}
        self._stack = ExitStack()
        tmp = self._stack.enter_context(atomic_path(out))
        try:
            self.out_dir = out.parent.resolve()
            # XlsxWriter's row files in a folder of our own, removed however the run ends
            # (an interrupted close would otherwise leave them in the system's temp folder)
            scratch = tempfile.mkdtemp(prefix="xltools-")
            self._stack.callback(shutil.rmtree, scratch, ignore_errors=True)
            # the 问题清单 rows, sorted at the end: in runs on disk beyond a few thousand
            self._findings = SortedSpill(scratch)
            # every form's batch key (the same project filed twice), sorted on disk too
            self._batch = R.BatchKeys(scratch)
            self.wb = FastDeflateWorkbook(tmp, {
                "constant_memory": True, "strings_to_formulas": False,
                "strings_to_numbers": False, "strings_to_urls": False, "tmpdir": scratch})
            self.wb.set_properties({"title": "部门汇总", "comments": "由 xltools 生成"})
            self.fmt = _formats(self.wb)
            self.forms = self._sheet("汇总", R.FORM_COLUMNS)
            P.set_up_page(self.forms.ws, header_rows=(1, 1))
            if not self.forms.defer_top():
                self._keep_form_rows = True  # written after the title, in close
            self.problems = self._sheet("问题清单", R.FINDING_COLUMNS)
            P.set_up_page(self.problems.ws, header_rows=(0, 0))
            self.details: list[_Sheet] = []
            self._detail_count = 0  # data rows on the last 指标明细 sheet
            self._new_detail()
        except BaseException:
            self._abandon(*sys.exc_info())
            raise

    def __enter__(self) -> "SummaryWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._closed:
            return False
        if exc_type is None:
            self.close()
        else:
            self._abandon(exc_type, exc, tb)
        return False

    def _sheet(self, name: str, columns: Sequence[R.Column]) -> _Sheet:
        return _Sheet(self.wb, self.wb.add_worksheet(name), columns, self.fmt, self.out_dir,
                      self._targets, self._real_paths)

    def _new_detail(self) -> None:
        n = len(self.details)
        sheet = self._sheet("指标明细" if n == 0 else f"指标明细{n + 1}", R.INDICATOR_COLUMNS)
        sheet.header(0)
        sheet.ws.freeze_panes(1, 0)
        P.set_up_page(sheet.ws, header_rows=(0, 0))
        self.details.append(sheet)
        self._detail_count = 0

    def detail_renderer(self) -> Callable[[R.Row], str | None] | None:
        """A picklable function that renders a 指标明细 row exactly as this writer would
        (for :func:`~xltools.writers.rows.file_rows` in pool workers); ``None`` when this
        XlsxWriter needs every cell written through its own calls."""
        sheet = self.details[0]
        return partial(render_xml, spec=sheet.spec) if sheet.fast else None

    def _end_detail(self) -> None:
        self.details[-1].ws.autofilter(0, 0, max(self._detail_count, 1),
                                       len(R.INDICATOR_COLUMNS) - 1)

    def add(self, f: R.FileRows) -> None:
        """Write one file's rows (files must come in input order)."""
        if f.forms:
            start = self.form_count  # 序号 start + 1 …, sheet rows 2 + start …
            numbered = [(start + i, *row[1:]) for i, row in enumerate(f.forms, 1)]
            if self.forms.deferred:
                self.forms.write_rows(2 + start, numbered)
            if self._keep_form_rows:
                self.form_rows.extend(numbered)
            for row in numbered:
                self._totals.add(row)
            self.form_count += len(numbered)
        render = self.problems.render if self.problems.fast else None
        for key, row in f.findings:  # rendered now, numbered and written in order at the end
            self._findings.add(key, (row, _storable(render(row, seq_col=0)) if render else None))
        rows = f.indicators
        while rows:
            room = self.rows_per_sheet - self._detail_count
            if room <= 0:
                self._end_detail()
                self._new_detail()
                room = self.rows_per_sheet
            part = rows[:room]
            self._detail_count += self.details[-1].write_rows(1 + self._detail_count, part)
            rows = rows[len(part):]
        for severity, n in f.counts.items():
            self.counts[severity] = self.counts.get(severity, 0) + n
        if f.path:  # not the batch findings' share
            self.file_count += 1
            if f.error is not None:
                self.failed.append((f.path, f.error))
            self._batch.add(f)

    def _add_batch_findings(self) -> None:
        """The batch findings (:func:`~xltools.writers.rows.batch_rows`), one by one into the
        sorted 问题清单 rows and the counts, as one more form-less share of the summary."""
        render = self.problems.render if self.problems.fast else None
        for x, path, first in self._batch.findings():
            row = R.finding_rows([(path, x)])[0]
            # after the files' own findings of the same key, keys in the order first seen
            self._findings.add((*x.sort_key(), first),
                               (row, _storable(render(row, seq_col=0)) if render else None))
            self.counts[x.severity] = self.counts.get(x.severity, 0) + 1

    def _outside_counts(self) -> dict[str, int]:
        """Findings counted in no 汇总 row: every file's and the batch's, less the rows' own."""
        in_rows = {"error": self._totals.errors, "warning": self._totals.warnings}
        return {k: self.counts.get(k, 0) - v for k, v in in_rows.items()}

    def close(self) -> Path:
        """Write what needs every file, close the workbook and move it over the output."""
        if self._closed:
            return self.out
        try:
            try:
                self._add_batch_findings()  # the same project filed in several places
                totals = self._totals.totals(R.grade_names(self.pack))
                _finish_forms(self.forms, self.form_rows, totals, self._outside_counts(),
                              errors=(self._totals.errors, self._totals.warnings))
                _write_findings(self.problems, self._findings.items(), len(self._findings))
                self._end_detail()
                _write_charts(self.wb, self.wb.add_worksheet("图表"), self.fmt,
                              self.form_count, totals)
                self.forms.ws.activate()
            finally:
                try:
                    self.wb.close()
                except XlsxWriterException as exc:
                    cause = exc.__cause__ or exc.__context__
                    why = os_reason(cause) if isinstance(cause, OSError) else str(exc)
                    raise OutputError(f"无法写入汇总文件 {self.out.name}：{why}。") from exc
        except BaseException:
            self._closed = True
            self._stack.__exit__(*sys.exc_info())
            raise
        self._closed = True
        self._stack.close()  # the temporary file replaces the output
        return self.out

    def discard(self) -> None:
        """Stop without writing anything (the output stays as it was)."""
        if not self._closed:
            self._abandon(_Discard, _Discard(), None)

    def _abandon(self, exc_type, exc, tb) -> None:
        self._closed = True
        wb = getattr(self, "wb", None)
        if wb is not None and not getattr(wb, "fileclosed", True):
            try:  # removes XlsxWriter's own temporary files
                wb.close()
            except Exception:
                pass
        try:
            self._stack.__exit__(exc_type, exc, tb)  # removes the temporary output
        except _Discard:
            pass
