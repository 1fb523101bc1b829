"""Row heights that fit wrapped text, computed the way a spreadsheet lays the text out.

openpyxl cannot autofit, a written row left without a height is not reliably autofitted when
the file is opened, and merged cells are never autofitted. So every form sheet we write sets
its row heights from its texts: the text's length, the width it wraps in (the column's, or the
sum of the merged columns') and the font size.

Widths are in Excel's column-width units (one unit ≈ the width of a ``0`` in the default 11 pt
font, 7 px). At ``size`` points a CJK character (and a full-width sign) is one em, about
``size × 0.19`` units — 2 units at 10.5 pt; a Latin letter or digit is half that. Lines break
between any two CJK characters and at spaces between Latin words (a Latin word longer than a
line is broken where it must be)::

    >>> round(text_units("项目名称", 10), 2)
    7.62
    >>> text_units("ab12", 10) == text_units("项目", 10)
    True
    >>> line_count("这是一段较长的说明文字，需要在窄列中换行显示。", width=12, size=10)
    5
    >>> line_count("第一行\\n第二行", width=40, size=10)
    2
    >>> row_height([("这是一段较长的说明文字，需要在窄列中换行显示。", 12, 10)])
    74.0
    >>> row_height([("短", 12, 10)], minimum=18)
    18.0

:func:`fit_rows` applies this to an openpyxl worksheet: each row gets the height its tallest
wrapped cell needs (a cell merged across columns wraps in the merged width); a cell merged
down several rows adds to the last of them what the rows together still lack.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

__all__ = ["text_units", "line_count", "estimate_lines", "line_height", "row_height", "fit_rows",
           "CELL_PADDING"]

EM_UNITS_PER_POINT = 96 / 72 / 7  # a 1-point em in column units: 1.333 px per pt, 7 px per unit
CELL_PADDING = 0.8  # units lost to the cell's inner margins and the grid line
LINE_SPACING = 1.4  # a line of CJK text is about 1.4 em tall (Song/Noto CJK with leading)
ROW_PADDING = 4.0  # points above and below the text block


def _char_ems(ch: str) -> float:
    if ch == "\t":
        return 2.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if unicodedata.combining(ch):
        return 0.0
    return 0.5


def text_units(text: str, size: float = 11) -> float:
    """The width of ``text`` on one line, in column-width units."""
    return sum(_char_ems(ch) for ch in text) * size * EM_UNITS_PER_POINT


def _tokens(line: str) -> Iterable[str]:
    """CJK characters one by one; Latin words together with the space after them."""
    word = ""
    for ch in line:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            if word:
                yield word
                word = ""
            yield ch
        else:
            word += ch
            if ch == " ":
                yield word
                word = ""
    if word:
        yield word


def _wrapped_lines(line: str, room: float, size: float) -> int:
    lines, used = 1, 0.0
    for token in _tokens(line):
        need = text_units(token.rstrip(" "), size)
        if used + need <= room:
            used += text_units(token, size)
            continue
        if used > 0:  # the token starts a new line
            lines += 1
            used = 0.0
        while need > room:  # a word wider than the line is cut where it must be
            lines += 1
            need -= room
        used = need + text_units(token, size) - text_units(token.rstrip(" "), size)
    return lines


def line_count(text: str, width: float, size: float = 11) -> int:
    """How many lines ``text`` takes when wrapped in a cell ``width`` units wide."""
    room = max(width - CELL_PADDING, text_units("中", size))
    return sum(_wrapped_lines(line, room, size) for line in str(text).split("\n"))


def estimate_lines(text: str, room: float, size: float = 11) -> int:
    """:func:`line_count` for long tables, at the cost of two ``len`` calls: a character that
    takes more than one byte in UTF-8 counts as wide, lines are filled to the last unit (a
    line broken before a Latin word can make it one too few) and a text with line breaks is counted exactly. ``room`` is the width less the padding.

    >>> estimate_lines("这是一段较长的说明文字，需要在窄列中换行显示。", 12 - CELL_PADDING, 10)
    5
    >>> estimate_lines("short", 10, 10)
    1
    """
    if "\n" in text:
        return line_count(text, room + CELL_PADDING, size)
    n = len(text)
    wide = (len(text.encode("utf-8")) - n) // 2
    em = size * EM_UNITS_PER_POINT
    per_line = max(1, int(room / em))  # whole wide characters on a line, as line_count fills it
    return max(1, math.ceil((wide + (n - wide) * 0.5) / per_line))


def line_height(size: float = 11) -> float:
    """The height of one line of text in points."""
    return size * LINE_SPACING


def row_height(cells: Iterable[tuple[str, float, float]], minimum: float = 15.0) -> float:
    """Points a row needs for its wrapped ``(text, width, font size)`` cells, at least ``minimum``.

    Rounded up to a quarter point (what Excel stores)."""
    need = minimum
    for text, width, size in cells:
        if text is None or str(text) == "":
            continue
        lines = line_count(str(text), width, size)
        need = max(need, lines * line_height(size) + ROW_PADDING)
    return math.ceil(need * 4) / 4


# -- openpyxl ----------------------------------------------------------------------------------

DEFAULT_COLUMN_WIDTH = 8.43  # Excel's default column width, in units
DEFAULT_FONT_SIZE = 11.0
DEFAULT_ROW_HEIGHT = 15.0  # points: a row the file gives no height


def _shown_text(cell) -> str | None:
    value = cell.value
    if value is None:
        return None
    if isinstance(value, str):
        if value.startswith("="):
            return None  # a formula: its result is a short number
        return value
    return str(value)


def fit_rows(ws, first: int = 1, last: int | None = None, *, minimum: float = 15.0,
             keep_taller: bool = True) -> dict[int, float]:
    """Set the height of rows ``first … last`` of an openpyxl sheet from their wrapped texts.

    Only cells with ``wrap_text`` count (an unwrapped text spills sideways instead). Returns the
    heights set, by 1-based row. With ``keep_taller`` a row already taller than it needs (a
    title row, a row for handwriting) keeps its height. A row without text or height is left
    alone (the spreadsheet grows it when text is typed in), unless a cell merged down over it
    needs the room.
    """
    from openpyxl.utils import get_column_letter

    last = ws.max_row if last is None else last

    def width_of(c1: int, c2: int) -> float:
        total = 0.0
        for c in range(c1, c2 + 1):
            dim = ws.column_dimensions.get(get_column_letter(c))
            total += dim.width if dim is not None and dim.width else DEFAULT_COLUMN_WIDTH
        return total

    spans: dict[tuple[int, int], tuple[int, int]] = {}  # anchor → (last row, last column)
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_row, rng.max_col)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))

    single: dict[int, list[tuple[str, float, float]]] = {}
    tall: list[tuple[int, int, str, float, float]] = []
    for row in ws.iter_rows(min_row=first, max_row=last):
        for cell in row:
            if (cell.row, cell.column) in covered or not cell.alignment.wrap_text:
                continue
            text = _shown_text(cell)
            if not text:
                continue
            end_row, end_col = spans.get((cell.row, cell.column), (cell.row, cell.column))
            size = float(cell.font.sz or DEFAULT_FONT_SIZE) if cell.font is not None else DEFAULT_FONT_SIZE
            item = (text, width_of(cell.column, end_col), size)
            if end_row == cell.row:
                single.setdefault(cell.row, []).append(item)
            else:
                tall.append((cell.row, min(end_row, last), *item))

    heights: dict[int, float] = {}
    untouched: set[int] = set()  # no text and no height: left to the spreadsheet (it autofits
    for r in range(first, last + 1):  # such a row as the user types into it)
        current = ws.row_dimensions[r].height if r in ws.row_dimensions else None
        if r not in single and current is None:
            heights[r] = DEFAULT_ROW_HEIGHT
            untouched.add(r)
            continue
        need = row_height(single.get(r, ()), minimum)
        if keep_taller and current is not None and current > need:
            need = current
        heights[r] = need
    for top, bottom, text, width, size in tall:
        need = row_height([(text, width, size)], minimum)
        have = sum(heights[r] for r in range(top, bottom + 1))
        if need > have:
            heights[bottom] = math.ceil((heights[bottom] + need - have) * 4) / 4
            untouched.discard(bottom)
    for r in untouched:
        del heights[r]
    for r, h in heights.items():
        ws.row_dimensions[r].height = h
    return heights
