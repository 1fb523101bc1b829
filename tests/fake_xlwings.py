"""A fake of the part of xlwings' object model XlwingsPort uses, behaving as Excel does.

What it reproduces from Excel (and what a plain dict would get wrong):

- assigning a string to a General cell parses it the way Excel's value assignment does:
  ``"100%"`` → 1.0 (format ``0%``), ``"13"`` → 13.0, ``"12-31"`` → a date of the current year,
  ``"=A1"`` → a formula; a text-formatted cell (``NumberFormat = "@"``) keeps the string;
- numbers read back as floats (Excel has no int or Decimal);
- sheets are addressed by name (case-insensitive) or index, can be hidden, added, deleted;
- merged ranges: only the top-left cell holds a value; ``MergeArea`` of any cell is the area;
- ``Range.Find`` with ``SearchFormat`` (``FindFormat.MergeCells = True``) finds merged areas;
- every call that would cross the process boundary is counted in ``book.calls`` (by kind), so
  a test can see that a sheet is read in one range read, not cell by cell.

Build one from an openpyxl workbook: ``FakeBook.from_openpyxl(wb, "部门.xlsx")``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

from openpyxl.utils import column_index_from_string, get_column_letter

_A1 = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")
_COLS = re.compile(r"^\$?([A-Z]+):\$?([A-Z]+)$")
_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*%\s*$")
_NUMBER = re.compile(r"^\s*[-+]?(\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$")
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})[-/](\d{1,2})\s*$")
MAX_ROW, MAX_COL = 1048576, 16384


def parse_a1(address: str) -> tuple[int, int, int, int]:
    """'B3' / 'A1:C4' / 'A:E' → 1-based (r1, c1, r2, c2)."""
    address = address.upper().split("!")[-1]
    if _COLS.match(address):
        a, b = _COLS.match(address).groups()
        return 1, column_index_from_string(a), MAX_ROW, column_index_from_string(b)
    parts = address.split(":")
    (c1, r1), (c2, r2) = (_A1.match(parts[0]).groups(), _A1.match(parts[-1]).groups())
    return int(r1), column_index_from_string(c1), int(r2), column_index_from_string(c2)


def excel_input(value, number_format: str):
    """What Excel stores when ``value`` is assigned to a cell of ``number_format``."""
    if isinstance(value, bool) or value is None:
        return value, number_format
    if isinstance(value, (int, float, Decimal)):
        return float(value), number_format
    if isinstance(value, (dt.date, dt.datetime)):
        return value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day), \
            (number_format if number_format != "General" else "yyyy/m/d")
    text = str(value)
    if number_format == "@":
        return text, number_format
    if text.startswith("="):
        return text, number_format  # a formula (evaluated by Excel; kept as its text here)
    if _PERCENT.match(text):
        return float(Decimal(_PERCENT.match(text).group(1)) / 100), "0%" if number_format == "General" else number_format
    if _NUMBER.match(text):
        return float(text), number_format
    m = _MONTH_DAY.match(text)
    if m and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31:
        try:
            return dt.datetime(dt.date.today().year, int(m.group(1)), int(m.group(2))), "m-d"
        except ValueError:
            return text, number_format
    return text, number_format


class Api:
    """Stands in for ``.api`` (the COM object): attribute access is delegated to callables."""

    def __init__(self, owner, **members):
        self._owner = owner
        self.__dict__.update(members)


class FakeComment:
    def __init__(self, cell, text):
        self.cell, self._text = cell, text

    def Text(self):
        self.cell.sheet.book.calls["comment"] += 1
        return self._text

    def Delete(self):
        self.cell.sheet.book.calls["comment"] += 1
        self.cell.sheet.comments.pop((self.cell.row, self.cell.column), None)


class Font:
    def __init__(self, rng):
        self._rng = rng

    @property
    def bold(self):
        return self._rng.sheet.bold.get((self._rng.row, self._rng.column), False)

    @bold.setter
    def bold(self, value):
        self._rng.sheet.book.calls["format"] += 1
        for r, c in self._rng.cells():
            self._rng.sheet.bold[(r, c)] = value


class Options:
    def __init__(self, rng, ndim):
        self.rng, self.ndim = rng, ndim

    @property
    def value(self):
        return self.rng._read(ndim=self.ndim)

    @value.setter
    def value(self, data):
        self.rng._write(data)


class FakeRange:
    def __init__(self, sheet, r1, c1, r2=None, c2=None):
        self.sheet = sheet
        self.row, self.column = r1, c1
        self.last_row, self.last_column = (r2 or r1), (c2 or c1)

    # --- geometry -------------------------------------------------------------------------
    def cells(self):
        for r in range(self.row, self.last_row + 1):
            for c in range(self.column, self.last_column + 1):
                yield r, c

    @property
    def shape(self):
        return self.last_row - self.row + 1, self.last_column - self.column + 1

    @property
    def last_cell(self):
        return FakeRange(self.sheet, self.last_row, self.last_column)

    @property
    def address(self):
        a = f"${get_column_letter(self.column)}${self.row}"
        if (self.row, self.column) == (self.last_row, self.last_column):
            return a
        return a + f":${get_column_letter(self.last_column)}${self.last_row}"

    def __getitem__(self, key):
        r, c = key
        return FakeRange(self.sheet, self.row + r, self.column + c)

    def options(self, ndim=None, **_kw):
        return Options(self, ndim)

    # --- values -----------------------------------------------------------------------------
    def _read(self, ndim=None):
        self.sheet.book.calls["read"] += 1
        rows = [[self.sheet.shown(r, c) for c in range(self.column, self.last_column + 1)]
                for r in range(self.row, self.last_row + 1)]
        if ndim == 2:
            return rows
        if self.shape == (1, 1):
            return rows[0][0]
        if self.shape[0] == 1:
            return rows[0]
        if self.shape[1] == 1:
            return [row[0] for row in rows]
        return rows

    def _write(self, data):
        self.sheet.book.calls["write"] += 1
        if not isinstance(data, (list, tuple)):
            data = [[data] * self.shape[1]] * self.shape[0]
        elif data and not isinstance(data[0], (list, tuple)):
            data = [list(data)]
        for i, row in enumerate(data):
            for j, value in enumerate(row):
                self.sheet.set_cell(self.row + i, self.column + j, value)

    @property
    def value(self):
        return self._read()

    @value.setter
    def value(self, data):
        self._write(data)

    @property
    def number_format(self):
        self.sheet.book.calls["format"] += 1
        formats = {self.sheet.format_of(r, c) for r, c in self.cells()}
        return formats.pop() if len(formats) == 1 else None

    @number_format.setter
    def number_format(self, fmt):
        self.sheet.book.calls["format"] += 1
        if self.last_row == MAX_ROW:  # whole columns
            for c in range(self.column, self.last_column + 1):
                self.sheet.col_formats[c] = fmt
                for key in [k for k in self.sheet.formats if k[1] == c]:
                    del self.sheet.formats[key]
            return
        for rc in self.cells():
            self.sheet.formats[rc] = fmt

    @property
    def color(self):
        self.sheet.book.calls["format"] += 1
        return self.sheet.fills.get((self.row, self.column))

    @color.setter
    def color(self, rgb):
        self.sheet.book.calls["format"] += 1
        for rc in self.cells():
            if rgb is None:
                self.sheet.fills.pop(rc, None)
            else:
                self.sheet.fills[rc] = tuple(rgb)

    @property
    def font(self):
        return Font(self)

    @property
    def column_width(self):
        return self.sheet.widths.get(self.column)

    @column_width.setter
    def column_width(self, width):
        self.sheet.book.calls["format"] += 1
        self.sheet.widths[self.column] = width

    def merge(self):
        self.sheet.book.calls["format"] += 1
        self.sheet.merges.append((self.row, self.column, self.last_row, self.last_column))
        for r, c in self.cells():
            if (r, c) != (self.row, self.column):
                self.sheet.values.pop((r, c), None)

    @property
    def merge_area(self):
        self.sheet.book.calls["merge"] += 1
        area = self.sheet.merge_of(self.row, self.column)
        return FakeRange(self.sheet, *area) if area else FakeRange(self.sheet, self.row, self.column)

    # --- COM ---------------------------------------------------------------------------------
    @property
    def api(self):
        rng = self
        book = self.sheet.book

        class RangeApi:
            @property
            def MergeCells(self):
                book.calls["merge"] += 1
                flags = {rng.sheet.merge_of(r, c) is not None for r, c in rng.cells()}
                return flags.pop() if len(flags) == 1 else None

            @property
            def MergeArea(self):
                return rng.merge_area.api

            @property
            def Address(self):
                return rng.address

            @property
            def Row(self):
                return rng.row

            @property
            def Column(self):
                return rng.column

            @property
            def Comment(self):
                book.calls["comment"] += 1
                text = rng.sheet.comments.get((rng.row, rng.column))
                return None if text is None else FakeComment(rng, text)

            def AddComment(self, text):
                book.calls["comment"] += 1
                if (rng.row, rng.column) in rng.sheet.comments:
                    raise RuntimeError("the cell already has a comment")  # as Excel: 1004
                rng.sheet.comments[(rng.row, rng.column)] = text

            def Find(self, What="", After=None, SearchFormat=False, **_kw):
                """Merged areas in row order after ``After`` (wrapping), as Excel's Find with
                FindFormat.MergeCells = True; anything else is not needed by the port."""
                book.calls["find"] += 1
                if not (SearchFormat and book.app.api.FindFormat.MergeCells) or What != "":
                    raise NotImplementedError("the fake only finds merged cells")
                anchors = sorted((m[0], m[1]) for m in rng.sheet.merges
                                 if rng.row <= m[0] <= rng.last_row and rng.column <= m[1] <= rng.last_column)
                if not anchors:
                    return None
                after = (After.Row, After.Column) if After is not None else (rng.last_row, rng.last_column)
                later = [a for a in anchors if a > after]
                r, c = (later or anchors)[0]
                return FakeRange(rng.sheet, r, c).api

        return RangeApi()


class FakeSheet:
    def __init__(self, book, name):
        self.book, self._name = book, name
        self.values: dict[tuple[int, int], object] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.fills: dict[tuple[int, int], tuple] = {}
        self.comments: dict[tuple[int, int], str] = {}
        self.bold: dict[tuple[int, int], bool] = {}
        self.widths: dict[int, float] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.links: dict[tuple[int, int], str] = {}
        self.col_formats: dict[int, str] = {}
        self.visible = True

    def format_of(self, r, c):
        return self.formats.get((r, c), self.col_formats.get(c, "General"))

    def shown(self, r, c):
        """What Excel hands back: a formula's result (the fake computes none: empty)."""
        value = self.values.get((r, c))
        return None if isinstance(value, str) and value.startswith("=") else value

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    def set_cell(self, r, c, value):
        stored, fmt = excel_input(value, self.format_of(r, c))
        if stored is None or stored == "":
            self.values.pop((r, c), None)
        else:
            self.values[(r, c)] = stored
        if fmt != self.format_of(r, c):
            self.formats[(r, c)] = fmt

    def merge_of(self, r, c):
        for m in self.merges:
            if m[0] <= r <= m[2] and m[1] <= c <= m[3]:
                return m
        return None

    def max_row(self):
        return max([r for r, _ in self.values] + [m[2] for m in self.merges] + [0])

    def max_col(self):
        return max([c for _, c in self.values] + [m[3] for m in self.merges] + [0])

    # --- xlwings Sheet -------------------------------------------------------------------
    def range(self, first, second=None):
        self.book.calls["range"] += 1
        if isinstance(first, str):
            return FakeRange(self, *parse_a1(first))
        r2, c2 = second if second is not None else first
        return FakeRange(self, first[0], first[1], r2, c2)

    def cells(self, r, c):
        return FakeRange(self, r, c)

    @property
    def used_range(self):
        self.book.calls["range"] += 1
        return FakeRange(self, 1, 1, max(self.max_row(), 1), max(self.max_col(), 1))

    def clear(self):
        self.book.calls["write"] += 1
        self.values.clear(), self.formats.clear(), self.fills.clear(), self.bold.clear(), self.col_formats.clear()
        self.comments.clear(), self.merges.clear(), self.links.clear()

    def clear_contents(self):
        self.book.calls["write"] += 1
        self.values.clear()

    def delete(self):
        self.book.calls["sheet"] += 1
        self.book._sheets.remove(self)

    def activate(self):
        self.book.active_name = self.name

    def autofit(self, axis=None):
        self.book.calls["format"] += 1

    @property
    def api(self):
        sheet = self

        class Hyperlinks:
            @staticmethod
            def Add(Anchor, Address="", SubAddress="", TextToDisplay=""):
                sheet.book.calls["link"] += 1
                sheet.links[(Anchor.Row, Anchor.Column)] = SubAddress

        class SheetApi:
            pass

        api = SheetApi()
        api.Hyperlinks = Hyperlinks
        return api


class FakeSheets:
    def __init__(self, book):
        self.book = book

    def __iter__(self):
        return iter(list(self.book._sheets))

    def __len__(self):
        return len(self.book._sheets)

    def __getitem__(self, key):
        self.book.calls["sheet"] += 1
        if isinstance(key, int):
            return self.book._sheets[key]
        for s in self.book._sheets:
            if s.name.lower() == str(key).lower():
                return s
        raise KeyError(key)

    def __contains__(self, name):
        return any(s.name.lower() == name.lower() for s in self.book._sheets)

    @property
    def active(self):
        return self[self.book.active_name] if self.book.active_name in self else self.book._sheets[0]

    def add(self, name=None, before=None, after=None):
        self.book.calls["sheet"] += 1
        if name in self:
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = FakeSheet(self.book, name or f"Sheet{len(self.book._sheets) + 1}")
        index = self.book._sheets.index(after) + 1 if after is not None else 0
        self.book._sheets.insert(index, sheet)
        self.book.active_name = sheet.name
        return sheet


class FakeApp:
    def __init__(self, book):
        self.book = book
        self.alerts: list[str] = []
        self.picks: list = []

        class FindFormat:
            MergeCells = False

            @classmethod
            def Clear(cls):
                cls.MergeCells = False

        app = self

        class Dialog:
            def __init__(self):
                self.answer = app.picks.pop(0) if app.picks else None

            def Show(self):
                return -1 if self.answer is not None else 0

            def SelectedItems(self, i):
                return str(self.answer)

        class AppApi:
            pass

        api = AppApi()
        api.FindFormat = FindFormat
        api.FileDialog = lambda kind: Dialog()
        api.GetOpenFilename = lambda *a, **k: str(app.picks.pop(0)) if app.picks and app.picks[0] else False
        self.api = api

    def alert(self, text, title=None, **_kw):
        self.alerts.append(text)


class FakeBook:
    def __init__(self, name="Book1.xlsx", fullname=""):
        self.name, self.fullname = name, fullname
        self._sheets: list[FakeSheet] = []
        self.active_name = ""
        self.calls: Counter = Counter()
        self.app = FakeApp(self)
        self.saved = 0

    @property
    def sheets(self):
        return FakeSheets(self)

    def save(self, path=None):
        self.saved += 1

    @classmethod
    def from_openpyxl(cls, wb, name: str, fullname: str = "", cached=None) -> "FakeBook":
        """The workbook as Excel would hold it after opening: ``cached`` (the same file loaded
        ``data_only``) gives formula results, as Excel shows them."""
        book = cls(name, fullname)
        for ws in wb.worksheets:
            data = cached[ws.title] if cached is not None else None
            sheet = FakeSheet(book, ws.title)
            sheet.visible = ws.sheet_state == "visible"
            for row in ws.iter_rows():
                for cell in row:
                    if cell.number_format and cell.number_format != "General":
                        sheet.formats[(cell.row, cell.column)] = cell.number_format
                    v = cell.value
                    if isinstance(v, str) and v.startswith("=") and data is not None:
                        v = data.cell(cell.row, cell.column).value
                    if v is not None:
                        sheet.values[(cell.row, cell.column)] = float(v) if isinstance(v, (int, Decimal)) \
                            and not isinstance(v, bool) else v
                    if cell.fill is not None and cell.fill.fill_type == "solid":
                        rgb = cell.fill.fgColor.rgb
                        if isinstance(rgb, str) and len(rgb) == 8:
                            sheet.fills[(cell.row, cell.column)] = tuple(int(rgb[i:i + 2], 16) for i in (2, 4, 6))
                    if cell.comment is not None:
                        sheet.comments[(cell.row, cell.column)] = cell.comment.text
            sheet.merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
            book._sheets.append(sheet)
        book.active_name = wb.active.title if wb.active is not None else book._sheets[0].name
        book.calls.clear()
        return book
