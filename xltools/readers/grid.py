"""The one shape every source becomes: a rectangular grid of cells with provenance.

An Excel sheet (calamine or openpyxl), a Word table (python-docx) and an xlwings range all turn
into a :class:`Grid`; the form locator (``xltools.readers.locate``) only ever reads grids.

Coordinates are 0-based ``(row, col)`` inside the grid; ``origin`` is the sheet position of the
grid's top-left cell, so ``address(r, c)`` gives the real A1 address in the source.

    >>> g = Grid("a.xlsx", "Sheet1", [["项目名称", None, "访惠聚经费"]], origin=(4, 1))
    >>> g.address(0, 2)
    'D5'
    >>> g.text(0, 2)
    '访惠聚经费'
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.decimals import to_decimal
from ..core.model import Cell, Source, make_source

CellValue = str | Decimal | None


class LimitExceeded(Exception):
    """A reader's bound was reached (too many sheets or tables, tables nested too deep):
    ``reason`` says which in Chinese, for example ``工作表过多（5000 张，上限 1000 张）``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [_letters(i) for i in range(702)]  # A … ZZ, precomputed: addresses are hot


def column_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    if 0 <= col < 702:
        return _LETTERS[col]
    return _letters(col)


def a1(row: int, col: int) -> str:
    """0-based sheet coordinates → A1 address."""
    return (_LETTERS[col] if 0 <= col < 702 else _letters(col)) + str(row + 1)


def date_text(value: datetime.date | datetime.time) -> str:
    """A date cell as an accountant reads it (and the notation parser reads it as a date).

    Excel stores 完成时间 typed as ``2020/12/20`` as a date serial; readers hand it over as a
    ``datetime``::

        >>> date_text(datetime.datetime(2020, 12, 20)), date_text(datetime.date(2021, 3, 1))
        ('2020年12月20日', '2021年3月1日')
        >>> date_text(datetime.datetime(2020, 12, 20, 18, 5)), date_text(datetime.time(9, 30))
        ('2020年12月20日 18:05', '09:30')
    """
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    text = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, datetime.datetime) and (value.hour, value.minute, value.second) != (0, 0, 0):
        text += f" {value:%H:%M}"
    return text


def normalise_value(value: object) -> CellValue:
    """Reader values → grid values: text stays text, numbers become Decimal, empties None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (datetime.date, datetime.time)):
        return date_text(value)
    number = to_decimal(value)
    if number is not None:
        return number
    text = str(value)
    return text if text.strip() else None


_cell_source = Cell.source  # the slot behind Cell.source (type: ignore[attr-defined])
_new = object.__new__
_set_value, _set_source = Cell.value.__set__, _cell_source.__set__  # type: ignore[attr-defined]
_set_format, _set_no_cache = Cell.number_format.__set__, Cell.no_cached_value.__set__  # type: ignore[attr-defined]


class GridCell(Cell):
    """A :class:`Cell` read from a :class:`Grid` whose :class:`Source` is made on first use.

    It is a ``Cell`` in every way that can be observed: ``source`` gives the same
    :class:`Source`, it equals and hashes like the ``Cell`` with the same fields, prints as
    one, and pickles (and copies) as a plain ``Cell``.

        >>> g = Grid("a.xlsx", "表1", [["项目名称", "访惠聚经费"]], origin=(3, 0))
        >>> cell = g.cell(0, 1)
        >>> cell == Cell("访惠聚经费", Source("a.xlsx", "表1", "B4"))
        True
        >>> cell.source
        Source(file='a.xlsx', sheet='表1', cell='B4')
    """

    __slots__ = ("_where", "_at")  # (file, sheet, origin) of the grid; the cell's (r, c)

    @property
    def source(self) -> Source | None:  # type: ignore[override]
        made = _cell_source.__get__(self)
        if made is None:
            where = self._where
            if where is not None:
                file, sheet, (r0, c0) = where
                r, c = self._at
                made = make_source(file, sheet, a1(r0 + r, c0 + c))
                _cell_source.__set__(self, made)
                _set_where(self, None)
        return made

    def _fields(self) -> tuple:
        return (self.value, self.source, self.number_format, self.no_cached_value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Cell):
            return self._fields() == (other.value, other.source, other.number_format,
                                      other.no_cached_value)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return repr(Cell(*self._fields()))

    def __reduce__(self):
        return Cell, self._fields()


_set_where, _set_at = GridCell._where.__set__, GridCell._at.__set__  # type: ignore[attr-defined]


@dataclass
class Grid:
    """A block of cells from one source.

    ``merged`` lists merged ranges as 0-based inclusive ``(r1, c1, r2, c2)`` in grid
    coordinates. ``formats`` maps ``(r, c)`` to an Excel number format where the reader knows it.
    ``no_cache`` holds the cells that contain a formula without a cached result.
    ``anchor`` maps a cell to the top-left cell of its merged range (built lazily).

    The locator asks for the same cells many times (label scans, spans, then the values), so
    ``width``, ``text`` and ``cell`` are computed once per cell and remembered; a grid is not
    changed once the locator reads it (set ``formats``/``no_cache`` before the first ``cell``).
    """

    file: str
    sheet: str
    rows: list[list[CellValue]]
    origin: tuple[int, int] = (0, 0)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    no_cache: set[tuple[int, int]] = field(default_factory=set)
    kind: str = "sheet"  # "sheet" or "word_table"
    _anchor: dict[tuple[int, int], tuple[int, int]] | None = field(default=None, repr=False)
    _width: int | None = field(default=None, repr=False, compare=False)
    _texts: dict[tuple[int, int], str] = field(default_factory=dict, repr=False, compare=False)
    _cells: dict[tuple[int, int], Cell] = field(default_factory=dict, repr=False, compare=False)
    _where: tuple[str, str, tuple[int, int]] | None = field(default=None, repr=False, compare=False)

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        if self._width is None:
            self._width = max((len(r) for r in self.rows), default=0)
        return self._width

    def columns(self, c1: int, c2: int) -> "Grid":
        """The columns ``c1 … c2 - 1`` as a grid of their own, every cell keeping its address
        (two forms side by side on one sheet are read one at a time).

        >>> g = Grid("a.xlsx", "表1", [["项目名称", "甲", "项目名称", "乙"]], origin=(4, 1))
        >>> right = g.columns(2, 4)
        >>> right.rows, right.address(0, 1)
        ([['项目名称', '乙']], 'E5')
        """
        def inside(key: tuple[int, int]) -> bool:
            return c1 <= key[1] < c2

        merged = [(r1, max(a, c1) - c1, r2, min(b, c2 - 1) - c1) for r1, a, r2, b in self.merged
                  if a < c2 and b >= c1]
        return Grid(self.file, self.sheet, [row[c1:c2] for row in self.rows],
                    origin=(self.origin[0], self.origin[1] + c1),
                    merged=[m for m in merged if m[2] > m[0] or m[3] > m[1]],
                    formats={(r, c - c1): f for (r, c), f in self.formats.items() if inside((r, c))},
                    no_cache={(r, c - c1) for r, c in self.no_cache if inside((r, c))},
                    kind=self.kind)

    def address(self, r: int, c: int) -> str:
        return a1(self.origin[0] + r, self.origin[1] + c)

    def source(self, r: int, c: int) -> Source:
        return make_source(self.file, self.sheet, self.address(r, c))

    def raw(self, r: int, c: int) -> CellValue:
        """The value stored at (r, c) itself; merged followers are empty."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    def _anchors(self) -> dict[tuple[int, int], tuple[int, int]]:
        table: dict[tuple[int, int], tuple[int, int]] = {}
        for r1, c1, r2, c2 in self.merged:
            top_left = (r1, c1)
            for rr in range(r1, r2 + 1):
                for cc in range(c1, c2 + 1):
                    table[(rr, cc)] = top_left
        self._anchor = table
        return table

    def anchor_table(self) -> dict[tuple[int, int], tuple[int, int]]:
        """``{cell: top-left cell}`` for every cell inside a merged range (others are absent):
        for loops over many cells, ``table.get(key, key)`` is :meth:`anchor` without a call.

        >>> Grid("a.xlsx", "表1", [["总分", None]], merged=[(0, 0, 0, 1)]).anchor_table()
        {(0, 0): (0, 0), (0, 1): (0, 0)}
        """
        table = self._anchor
        return table if table is not None else self._anchors()

    def anchor(self, r: int, c: int) -> tuple[int, int]:
        """Top-left cell of the merged range holding (r, c), or (r, c) itself."""
        table = self._anchor
        if table is None:
            table = self._anchors()
        key = (r, c)
        return table.get(key, key)

    def value(self, r: int, c: int) -> CellValue:
        """The value shown at (r, c): a merged range shows its top-left value everywhere."""
        return self.raw(*self.anchor(r, c))

    def _anchored(self, key: tuple[int, int]) -> tuple[tuple[int, int], CellValue]:
        """``(anchor of key, value stored at the anchor)``: the first look-up behind :meth:`text`
        and :meth:`cell` (their repeated look-ups are answered from their caches)."""
        table = self._anchor
        if table is None:
            table = self._anchors()
        akey = table.get(key, key)
        ar, ac = akey
        rows = self.rows
        return akey, (rows[ar][ac] if 0 <= ar < len(rows) and 0 <= ac < len(rows[ar]) else None)

    def text(self, r: int, c: int) -> str:
        key = (r, c)
        text = self._texts.get(key)
        if text is not None:
            return text
        akey, value = self._anchored(key)
        text = self._texts.get(akey)
        if text is None:
            if value is None:
                text = ""
            elif isinstance(value, Decimal):
                text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
            else:
                text = value.strip()
            self._texts[akey] = text
        self._texts[key] = text  # a merged follower is remembered too: the next look-up is one get
        return text

    def cell(self, r: int, c: int) -> Cell:
        """A :class:`Cell` with the value, number format and provenance of (r, c)'s anchor.

        The cell is a :class:`GridCell`: its :class:`Source` is made when first asked for (a
        form reads ≈ 130 cells and reports the place of a few).
        """
        key = (r, c)
        cells = self._cells
        cell = cells.get(key)
        if cell is not None:
            return cell
        table = self._anchor
        if table is None:
            table = self._anchors()
        akey = table.get(key, key)  # _anchored, inline: this runs for every cell a form reads
        cell = cells.get(akey)
        if cell is None:
            ar, ac = akey
            rows = self.rows
            value = rows[ar][ac] if 0 <= ar < len(rows) and 0 <= ac < len(rows[ar]) else None
            cell = _new(GridCell)
            _set_value(cell, value)
            _set_source(cell, None)
            _set_format(cell, self.formats.get(akey) if self.formats else None)
            _set_no_cache(cell, akey in self.no_cache if self.no_cache else False)
            where = self._where
            if where is None:
                where = self._where = (self.file, self.sheet, self.origin)
            _set_where(cell, where)
            _set_at(cell, akey)
            cells[akey] = cell
        cells[key] = cell
        return cell

    def first_filled(self, r: int, c1: int, c2: int) -> Cell:
        """The cell of the first column in ``c1..c2`` whose :meth:`text` is not empty, else the
        cell at ``(r, c1)`` (empty, but with its address)."""
        table = self._anchor
        if table is None:
            table = self._anchors()
        rows = self.rows
        height = len(rows)
        for c in range(c1, c2 + 1):
            key = (r, c)
            ar, ac = table.get(key, key)
            if 0 <= ar < height:
                row = rows[ar]
                if 0 <= ac < len(row):  # the test of :meth:`filled`, inline: this is hot
                    value = row[ac]
                    if value is not None and (not isinstance(value, str) or not value.isspace()
                                              and value != ""):
                        return self.cell(r, c)
        return self.cell(r, c1)

    def filled(self, r: int, c: int) -> bool:
        """``bool(self.text(r, c))`` without formatting a number: a number is never empty."""
        table = self._anchor
        if table is None:
            table = self._anchors()
        key = (r, c)
        ar, ac = table.get(key, key)
        rows = self.rows
        if 0 <= ar < len(rows) and 0 <= ac < len(rows[ar]):
            value = rows[ar][ac]
            return value is not None and (not isinstance(value, str) or not value.isspace()
                                          and value != "")
        return False

    def filled_or_uncached(self, r: int, c: int) -> bool:
        """:meth:`filled`, or the cell's anchor is a formula without a cached value.

        >>> g = Grid("a.xlsx", "表1", [["执行率", None]], no_cache={(0, 1)})
        >>> g.filled(0, 1), g.filled_or_uncached(0, 1)
        (False, True)
        """
        if self.filled(r, c):
            return True
        if not self.no_cache:
            return False
        return self.anchor(r, c) in self.no_cache


class JoinedGrid(Grid):
    """Two grids read as one, each keeping its own provenance.

    A Word form is sometimes split over two tables (a paragraph typed between the funds block and
    the 绩效指标 block): the locator reads the rows of both tables as one block, while every cell
    still names the table it sits in (``表1!B2`` for 项目名称, ``表2!D3`` for an indicator).

        >>> a = Grid("a.docx", "表1", [["项目名称", "访惠聚经费"]], kind="word_table")
        >>> b = Grid("a.docx", "表2", [["一级指标", "二级指标"]], kind="word_table")
        >>> g = JoinedGrid.of(a, b)
        >>> g.text(1, 0), str(g.cell(1, 0).source), str(g.cell(0, 1).source)
        ('一级指标', 'a.docx｜表2!A1', 'a.docx｜表1!B1')
    """

    _parts: tuple[Grid, Grid, int]

    @classmethod
    def of(cls, first: Grid, second: Grid) -> "JoinedGrid":
        split = len(first.rows)
        shifted = {(r + split, c): v for (r, c), v in second.formats.items()}
        grid = cls(first.file, f"{first.sheet}+{second.sheet}", first.rows + second.rows,
                   origin=first.origin,
                   merged=first.merged + [(r1 + split, c1, r2 + split, c2)
                                          for r1, c1, r2, c2 in second.merged],
                   formats={**first.formats, **shifted},
                   no_cache=set(first.no_cache) | {(r + split, c) for r, c in second.no_cache},
                   kind=first.kind)
        grid._parts = (first, second, split)
        return grid

    def source(self, r: int, c: int) -> Source:
        first, second, split = self._parts
        return second.source(r - split, c) if r >= split else first.source(r, c)

    def cell(self, r: int, c: int) -> Cell:
        first, second, split = self._parts
        return second.cell(r - split, c) if r >= split else first.cell(r, c)
