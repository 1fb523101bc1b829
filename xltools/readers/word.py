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

The document paragraphs standing between the previous table and a table (the title
``项目支出绩效自评表``, ``（2020年度）``, ``单位：万元``) belong to that table's form: the
last :data:`MAX_PREAMBLE` non-empty ones become one-cell rows above the table, so the locator
finds the title and the year exactly as on a sheet. The table keeps its own addresses (table
row 1 is ``A1``): the grid's ``origin`` is shifted up by the number of paragraph rows, so the
paragraph right above the table is row 0 (``A0``), the one above it ``A-1``, and so on. For the
seed document (two paragraphs, then the table)::

    grid.rows[:3] == [["项目支出绩效自评表"], ["（2020年度）"], ["项目名称", …]]
    grid.origin == (-2, 0);  grid.address(1, 0) == "A0";  grid.address(2, 0) == "A1"

Nested tables (inside a cell) get no paragraphs: the text around them is in the parent cell.
"""

from __future__ import annotations

from pathlib import Path

from .grid import CellValue, Grid, LimitExceeded, normalise_value

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


MAX_PREAMBLE = 8  # paragraphs kept above a table: title, year, 填报单位, 填表日期, unit line, spares


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_T, _TAB, _BR, _CR, _SYM = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}sym"
# never read: the second copy of a text box (mc:Fallback repeats mc:Choice), the source of a
# tracked move, and deleted text (w:delText is not w:t, but a whole deleted run may hold w:t)
_SKIP = frozenset({f"{_MC}Fallback", f"{_W}moveFrom", f"{_W}del"})
_WRAPPERS = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"})
# Symbol-font characters Word inserts for ≥ ≤ and friends (w:sym w:char="F0B3")
_SYMBOL_FONT = {0xA3: "≤", 0xB3: "≥", 0xB9: "≠", 0xBB: "≈", 0xB1: "±", 0xB4: "×", 0xB8: "÷",
                0xB0: "°", 0xAE: "→", 0xAC: "←", 0xA5: "∞"}


def _hidden(run) -> bool:
    """A run formatted as hidden text (``w:vanish``): template hints nobody sees printed."""
    props = run.find(f"{_W}rPr")
    if props is None:
        return False
    vanish = props.find(f"{_W}vanish")
    return vanish is not None and vanish.get(f"{_W}val", "true") not in ("0", "false", "off")


def _symbol(node) -> str:
    code = node.get(f"{_W}char", "")
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if value >= 0xF000:  # a private-use code of a symbol font
        return _SYMBOL_FONT.get(value - 0xF000, "") if "symbol" in node.get(
            f"{_W}font", "").lower() else ""
    return chr(value)


def _paragraph_text(p) -> str:
    """The text a reader sees in a paragraph: hidden runs, deleted and moved-away text and the
    duplicate copy of a text box left out; ``w:sym`` symbols (≥ ≤ from the Symbol font) in."""
    parts: list[str] = []
    stack = [p]
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _SYM:
            parts.append(_symbol(node))
        elif tag in _SKIP or (tag == f"{_W}r" and _hidden(node)):
            continue
        else:
            stack.extend(reversed(node))  # children, in document order
    return "".join(parts)


def _block_paragraphs(container):
    """The paragraphs directly in a cell (or the body), looking through content controls and
    custom XML wrappers; nested tables are not entered."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            yield child
        elif tag in _WRAPPERS:
            yield from _block_paragraphs(child)


def _children(parent, tag: str):
    """``parent``'s ``tag`` children, content controls and custom XML wrappers looked through
    (a repeating section around table rows, a content control around a cell)."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _cell_text(tc) -> str:
    """Text of the cell's own paragraphs (not of nested tables), joined with newlines."""
    return "\n".join(_paragraph_text(p) for p in _block_paragraphs(tc))


def table_grid(tbl, file: str, sheet: str, preamble: list[str] | None = None) -> Grid:
    """One ``w:tbl`` element → a :class:`Grid` in table-grid coordinates.

    ``preamble`` texts become one-cell rows above the table (see the module doc).
    """
    rows: list[list[CellValue]] = []
    merged: dict[tuple[int, int], list[int]] = {}
    open_vertical: dict[int, tuple[int, int]] = {}  # grid column → restart cell (row, col)
    for r, tr in enumerate(_children(tbl, f"{_W}tr")):
        row: list[CellValue] = []
        col = tr.grid_before
        for tc in _children(tr, f"{_W}tc"):
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
    lead = [[text] for text in (preamble or [])]
    if lead:
        k = len(lead)
        rows = lead + rows  # type: ignore[operator]
        ranges = [(r1 + k, c1, r2 + k, c2) for r1, c1, r2, c2 in ranges]
    return Grid(file, sheet, rows, origin=(-len(lead), 0), merged=ranges,  # type: ignore[arg-type]
                kind="word_table")


def _in_table(element) -> bool:
    return next(element.iterancestors(f"{_W}tbl"), None) is not None


def _in_duplicate(element) -> bool:
    """Inside the second copy of a text box (``mc:Fallback``) or a deleted or moved-away part."""
    return next(element.iterancestors(*_SKIP), None) is not None


def document_tables(body) -> list[tuple[object, list[str]]]:
    """``[(w:tbl, preamble)]`` in document order, nested tables included (with no preamble).

    A table's preamble is the last :data:`MAX_PREAMBLE` non-empty body paragraphs since the
    previous table, stripped (paragraphs inside content controls count, those in cells not).
    """
    tables: list[tuple[object, list[str]]] = []
    pending: list[str] = []
    for element in body.iter(f"{_W}p", f"{_W}tbl"):
        if _in_duplicate(element):
            continue
        if element.tag == f"{_W}tbl":
            if _in_table(element):
                tables.append((element, []))
            else:
                tables.append((element, pending[-MAX_PREAMBLE:]))
                pending = []
        elif not _in_table(element):
            text = _paragraph_text(element).strip()
            if text:
                pending.append(text)
    return tables


MAX_TABLES = 2000
MAX_DEPTH = 8
MAX_CELL_CHARS = 32_767


def read_docx_grids(path: str | Path, display_name: str | None = None, *,
                    max_tables: int = MAX_TABLES, max_depth: int = MAX_DEPTH,
                    max_chars: int = MAX_CELL_CHARS, skipped: list | None = None) -> list[Grid]:
    """Every table of the document (nested ones too) as a grid named ``表N``, each with the
    paragraphs above it as leading rows (see the module doc). An empty table keeps its number
    but yields no grid.

    Bounds: more than ``max_tables`` tables raise
    :class:`~xltools.readers.grid.LimitExceeded`; a table nested deeper than ``max_depth``
    tables is not read, and a cell text longer than ``max_chars`` is cut — each appended to
    ``skipped`` as a :class:`~xltools.readers.excel.Skipped`."""
    import docx

    from .excel import Skipped

    path = Path(path)
    with open(path, "rb") as fh:
        document = docx.Document(fh)
    name = display_name or path.name
    skipped = skipped if skipped is not None else []
    tables = document_tables(document.element.body)
    if len(tables) > max_tables:
        raise LimitExceeded(f"文档中的表格过多（{len(tables)} 张，上限 {max_tables} 张）")
    grids: list[Grid] = []
    for n, (tbl, preamble) in enumerate(tables, start=1):
        if not preamble and _depth(tbl) > max_depth:
            skipped.append(Skipped("SHEET_UNREADABLE", f"表{n}",
                                   f"表格嵌套过深（超过 {max_depth} 层）"))
            continue
        grid = table_grid(tbl, name, f"表{n}", preamble)
        if any(v is not None for row in grid.rows[len(preamble):] for v in row):
            _cut_long_texts(grid, max_chars, skipped)
            grids.append(grid)
    return grids


def _depth(tbl) -> int:
    """How many tables hold this one (0 for a table in the body)."""
    return sum(1 for _ in tbl.iterancestors(f"{_W}tbl"))


def _cut_long_texts(grid: Grid, max_chars: int, skipped: list) -> None:
    from .excel import Skipped

    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row):
            if type(value) is str and len(value) > max_chars:
                row[c] = value[:max_chars]
                skipped.append(Skipped("CELL_TEXT_TOO_LONG", grid.sheet, str(len(value)),
                                       grid.address(r, c)))
