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

from dataclasses import dataclass, field
from decimal import Decimal

from ..core.decimals import to_decimal
from ..core.model import Cell, Source

CellValue = str | Decimal | None


def column_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based sheet coordinates → A1 address."""
    return f"{column_letter(col)}{row + 1}"


def normalise_value(value: object) -> CellValue:
    """Reader values → grid values: text stays text, numbers become Decimal, empties None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "是" if value else "否"
    number = to_decimal(value)
    if number is not None:
        return number
    text = str(value)
    return text if text.strip() else None


@dataclass
class Grid:
    """A block of cells from one source.

    ``merged`` lists merged ranges as 0-based inclusive ``(r1, c1, r2, c2)`` in grid
    coordinates. ``formats`` maps ``(r, c)`` to an Excel number format where the reader knows it.
    ``no_cache`` holds the cells that contain a formula without a cached result.
    ``anchor`` maps a cell to the top-left cell of its merged range (built lazily).
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

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def address(self, r: int, c: int) -> str:
        return a1(self.origin[0] + r, self.origin[1] + c)

    def source(self, r: int, c: int) -> Source:
        return Source(self.file, self.sheet, self.address(r, c))

    def raw(self, r: int, c: int) -> CellValue:
        """The value stored at (r, c) itself; merged followers are empty."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    def anchor(self, r: int, c: int) -> tuple[int, int]:
        """Top-left cell of the merged range holding (r, c), or (r, c) itself."""
        if self._anchor is None:
            table: dict[tuple[int, int], tuple[int, int]] = {}
            for r1, c1, r2, c2 in self.merged:
                for rr in range(r1, r2 + 1):
                    for cc in range(c1, c2 + 1):
                        table[(rr, cc)] = (r1, c1)
            self._anchor = table
        return self._anchor.get((r, c), (r, c))

    def value(self, r: int, c: int) -> CellValue:
        """The value shown at (r, c): a merged range shows its top-left value everywhere."""
        return self.raw(*self.anchor(r, c))

    def text(self, r: int, c: int) -> str:
        value = self.value(r, c)
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return value.strip()

    def cell(self, r: int, c: int) -> Cell:
        """A :class:`Cell` with the value, number format and provenance of (r, c)'s anchor."""
        ar, ac = self.anchor(r, c)
        return Cell(
            self.raw(ar, ac),
            source=self.source(ar, ac),
            number_format=self.formats.get((ar, ac)),
            no_cached_value=(ar, ac) in self.no_cache,
        )
