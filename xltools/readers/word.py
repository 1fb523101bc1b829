"""Word documents (.docx) → one :class:`Grid` per table, nested tables included.

Tables are numbered in document order (``表1``, ``表2``…; a nested table gets the next number
after its parent). Cells are placed at their true grid columns, read straight from the XML
(``w:gridBefore``, ``w:gridSpan``, ``w:vMerge``), so a row with a split cell keeps its real
columns and the locator can realign it:

- a cell spanning 3 grid columns (``gridSpan=3``) at column 1 → value at column 1 and a merged
  range ``(r, 1, r, 3)``;
- a vertically merged cell (``vMerge=restart`` then ``continue`` below) → value in the restart
  row, a merged range down to the last continuation row;
- the paragraphs of a cell are joined with ``"\\n"``.

Word tables hold text only: numbers stay text (``"1060.58"``); the engine parses them.
"""

from __future__ import annotations

from pathlib import Path

from .grid import CellValue, Grid, normalise_value

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cell_text(tc) -> str:
    """Text of the cell's own paragraphs (not of nested tables), joined with newlines."""
    lines = []
    for p in tc.iterchildren(f"{_W}p"):
        parts = []
        for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
            tag = node.tag
            if tag == f"{_W}t":
                parts.append(node.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            else:
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def table_grid(tbl, file: str, sheet: str) -> Grid:
    """One ``w:tbl`` element → a :class:`Grid` in table-grid coordinates."""
    rows: list[list[CellValue]] = []
    merged: dict[tuple[int, int], list[int]] = {}
    open_vertical: dict[int, tuple[int, int]] = {}  # grid column → restart cell (row, col)
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        row: list[CellValue] = []
        col = tr.grid_before
        for tc in tr.iterchildren(f"{_W}tc"):
            span = max(1, tc.grid_span)
            vmerge = tc.vMerge
            while len(row) < col + span:
                row.append(None)
            if vmerge == "continue" and col in open_vertical:
                anchor = open_vertical[col]
                rng = merged[anchor]
                rng[2] = r
                rng[3] = max(rng[3], col + span - 1)
            else:
                row[col] = normalise_value(_cell_text(tc))
                if span > 1 or vmerge == "restart":
                    merged[(r, col)] = [r, col, r, col + span - 1]
                if vmerge == "restart":
                    open_vertical[col] = (r, col)
                else:
                    open_vertical.pop(col, None)
                    for c in range(col + 1, col + span):
                        open_vertical.pop(c, None)
            col += span
        rows.append(row)
    ranges = [tuple(v) for v in merged.values() if v[2] > v[0] or v[3] > v[1]]
    return Grid(file, sheet, rows, merged=ranges, kind="word_table")  # type: ignore[arg-type]


def read_docx_grids(path: str | Path, display_name: str | None = None) -> list[Grid]:
    """Every table of the document (nested ones too) as a grid named ``表N``."""
    import docx

    path = Path(path)
    with open(path, "rb") as fh:
        document = docx.Document(fh)
    name = display_name or path.name
    grids: list[Grid] = []
    for n, tbl in enumerate(document.element.body.iter(f"{_W}tbl"), start=1):
        grid = table_grid(tbl, name, f"表{n}")
        if any(v is not None for row in grid.rows for v in row):
            grids.append(grid)
    return grids
