"""Where a printed sheet's texts landed: ``pdftotext -bbox`` word boxes against the cell grid.

A sheet printed by LibreOffice is the cell grid scaled and shifted onto the page. The grid is
known from the workbook (column widths, row heights, merged ranges); the scale and shift are
measured from four anchor texts whose cells are known (two columns apart, two rows apart).
Every other word must then lie inside the box of the cell it falls in, and be a piece of
that cell's text: a row too short for its wrapped text pushes lines into the rows above and
below (or out of the cell), and the check names the cell.

    >>> Word("项目", 10, 20, 30, 28).centre
    (20.0, 24.0)

Needs poppler-utils (``pdftotext``); used by the printing tests only.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 120
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_NUMBERISH = re.compile(r"^[-+]?[\d.,%％]*$|^[—/-]$")
TOLERANCE = 2.0  # points a word may stick out of its cell (anti-aliasing, font bearings)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]

    def texts(self) -> list[str]:
        return [w.text for w in self.words]

    def find(self, text: str) -> list[Word]:
        return [w for w in self.words if w.text == text]


def pdf_pages(pdf: str | Path) -> list[Page]:
    """Every page of ``pdf`` with its words (``pdftotext -bbox``)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise RuntimeError("pdftotext (poppler-utils) is not installed")
    out = subprocess.run([tool, "-bbox", str(pdf), "-"], capture_output=True, check=True,
                         timeout=TIMEOUT).stdout.decode("utf-8", errors="replace")
    pages = []
    for chunk in out.split("<page ")[1:]:
        size = _PAGE.match("<page " + chunk)
        words = [Word(html.unescape(m.group(5)), *(float(m.group(i)) for i in range(1, 5)))
                 for m in _WORD.finditer(chunk)]
        pages.append(Page(float(size.group(1)), float(size.group(2)), words))
    return pages


# -- the cell grid of an openpyxl sheet ------------------------------------------------------

DEFAULT_WIDTH = 8.43
DEFAULT_HEIGHT = 15.0


def column_pixels(width: float) -> int:
    """Excel's pixel width of a column ``width`` units wide (7 px per unit, 5 px padding)."""
    return int(width * 7 + 5 + 0.5) if width else 0


@dataclass
class SheetGrid:
    """Column left edges in pixels and row top edges in points, both 1-based with one extra
    entry for the right/bottom edge, and the merged ranges by anchor."""

    xs: list[float]
    ys: list[float]
    anchor_of: dict[tuple[int, int], tuple[int, int, int, int]]  # cell → (r1, c1, r2, c2)
    texts: dict[tuple[int, int], str]  # anchor → shown text ("" for formulas and numbers)

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        return self.anchor_of.get((row, col), (row, col, row, col))


def sheet_grid(ws, max_row: int | None = None, max_col: int | None = None) -> SheetGrid:
    from openpyxl.utils import get_column_letter

    max_row = max_row or ws.max_row
    max_col = max_col or ws.max_column
    xs = [0.0, 0.0]
    for c in range(1, max_col + 1):
        dim = ws.column_dimensions.get(get_column_letter(c))
        width = dim.width if dim is not None and dim.width else DEFAULT_WIDTH
        xs.append(xs[-1] + column_pixels(width))
    ys = [0.0, 0.0]
    for r in range(1, max_row + 1):
        dim = ws.row_dimensions.get(r)
        ys.append(ys[-1] + (dim.height if dim is not None and dim.height else DEFAULT_HEIGHT))
    anchor_of = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                anchor_of[(r, c)] = (rng.min_row, rng.min_col, rng.max_row, rng.max_col)
    texts = {}
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in row:
            v = cell.value
            if v is None:
                continue
            texts[(cell.row, cell.column)] = "" if not isinstance(v, str) or v.startswith("=") else v
    return SheetGrid(xs, ys, anchor_of, texts)


@dataclass
class Placement:
    """page = scale × grid + offset, per axis (x from pixels, y from points)."""

    ax: float
    bx: float
    ay: float
    by: float

    def x(self, px: float) -> float:
        return self.ax * px + self.bx

    def y(self, pt: float) -> float:
        return self.ay * pt + self.by


def _fit(g1: float, p1: float, g2: float, p2: float) -> tuple[float, float]:
    a = (p2 - p1) / (g2 - g1)
    return a, p1 - a * g1


def place(grid: SheetGrid, page: Page, x_anchors, y_anchors) -> Placement:
    """Measure scale and shift from anchors: ``x_anchors`` two ``(text, row, col)`` of cells whose
    text is centred horizontally; ``y_anchors`` two of cells centred vertically."""
    def centre_of(text, row, col):
        r1, c1, r2, c2 = grid.box(row, col)
        found = page.find(text)
        assert found, f"anchor {text!r} is not on the page"
        return (grid.xs[c1] + grid.xs[c2 + 1]) / 2, (grid.ys[r1] + grid.ys[r2 + 1]) / 2, found[0]

    (gx1, _, w1), (gx2, _, w2) = (centre_of(*a) for a in x_anchors)
    (_, gy1, v1), (_, gy2, v2) = (centre_of(*a) for a in y_anchors)
    ax, bx = _fit(gx1, w1.centre[0], gx2, w2.centre[0])
    ay, by = _fit(gy1, v1.centre[1], gy2, v2.centre[1])
    return Placement(ax, bx, ay, by)


def _locate(edges: list[float], value: float) -> int | None:
    for i in range(1, len(edges) - 1):
        if edges[i] <= value < edges[i + 1]:
            return i
    return None


def misplaced_words(grid: SheetGrid, page: Page, at: Placement, *,
                    tolerance: float = TOLERANCE) -> list[str]:
    """Words of ``page`` outside the box of the cell they fall in, or not a piece of its text.

    Words outside the grid's rows (the page footer) are left out."""
    xs = [at.x(x) for x in grid.xs]
    ys = [at.y(y) for y in grid.ys]
    problems = []
    for word in page.words:
        cx, cy = word.centre
        row, col = _locate(ys, cy), _locate(xs, cx)
        if row is None or col is None:
            if ys[1] - tolerance <= cy <= ys[-1] + tolerance and xs[1] <= cx <= xs[-1]:
                problems.append(f"{word.text!r} between cells at ({cx:.0f}, {cy:.0f})")
            continue
        r1, c1, r2, c2 = grid.box(row, col)
        left, right, top, bottom = xs[c1], xs[c2 + 1], ys[r1], ys[r2 + 1]
        where = f"{_letters(c1)}{r1}"
        if (word.x0 < left - tolerance or word.x1 > right + tolerance
                or word.y0 < top - tolerance or word.y1 > bottom + tolerance):
            problems.append(f"{word.text!r} sticks out of {where} "
                            f"(word {word.x0:.0f}–{word.x1:.0f} × {word.y0:.0f}–{word.y1:.0f}, "
                            f"cell {left:.0f}–{right:.0f} × {top:.0f}–{bottom:.0f})")
            continue
        text = grid.texts.get((r1, c1))
        if text is None:
            problems.append(f"{word.text!r} lies in {where}, which is empty")
        elif text and not _NUMBERISH.match(word.text) and \
                _squash(word.text) not in _squash(text):
            problems.append(f"{word.text!r} lies in {where}, whose text is {text[:30]!r}")
    return problems


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _letters(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)
