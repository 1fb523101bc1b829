"""Excel workbooks (.xlsx .xlsm .xls) → one :class:`Grid` per non-empty sheet.

:func:`read_excel_grids` uses python-calamine (≈ 0.5 ms per form): cached values, merged
ranges, no number formats. A formula whose result was never computed (a file written by a
library and never opened in Excel) reads as ``''`` in calamine, like an empty cell; for
.xlsx/.xlsm the sheet XML is scanned for ``<f>`` elements without a ``<v>`` value — only when
the sheet contains a formula at all — and those cells go into ``Grid.no_cache``.

:func:`read_excel_grids_openpyxl` is slower (≈ 40 ms per form) but also gives number formats
(``0%`` on a cell holding 0.76) for callers that need them.

Calamine reports merged ranges in sheet coordinates ``((r1, c1), (r2, c2))``; the grid starts
at ``sheet.start``, so ranges are shifted by the origin (a range reaching past the last
non-empty column keeps its extent; a part above or left of the grid is cut off)::

    sheet.start == (2, 2), merged ((2, 4), (2, 6))  →  Grid.merged [(0, 2, 0, 4)]
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

from .grid import CellValue, Grid, a1, normalise_value
from .zipdir import open_zip

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_FORMULA_PLAIN = re.compile(rb"<f\b")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b")
_TAG_END = frozenset((b" ", b"\t", b"\r", b"\n", b">", b"/"))
_BACK = 2048  # how far before a <f> its <c …> tag may start (the tag's attributes are short)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', re.S)
_SHEET_ALT = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"', re.S)
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"', re.S)
_REL_ALT = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"', re.S)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _unescape(name: bytes) -> str:
    import html

    return html.unescape(name.decode("utf-8", "replace"))


def sheet_xml_paths(zf) -> dict[str, str]:
    """Sheet name → member path of its XML (``xl/worksheets/sheet1.xml``).

    ``zf`` is a :class:`zipfile.ZipFile` or a :class:`~xltools.readers.zipdir.ZipDirectory` (anything whose
    ``read(member)`` returns bytes and raises ``KeyError`` for a missing member).
    """
    try:
        workbook = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets.update({rid: target for target, rid in _REL_ALT.findall(rels)})
    pairs = _SHEET.findall(workbook) or [(n, r) for r, n in _SHEET_ALT.findall(workbook)]
    paths: dict[str, str] = {}
    for name, rid in pairs:
        target = targets.get(rid)
        if not target:
            continue
        text = target.decode()
        path = text.lstrip("/") if text.startswith("/") else "xl/" + text
        paths[_unescape(name)] = path
    return paths


def formula_cells_without_value(xml: bytes) -> set[tuple[int, int]]:
    """0-based sheet coordinates of formula cells whose cached ``<v>`` is missing or empty.

    Only the cells holding a ``<f>`` are looked at: each formula is traced back to the start of
    its ``<c>`` element (a few bytes before it), so a sheet of thousands of cells and a handful
    of formulas costs a handful of small matches, not a pass over every cell.

    >>> formula_cells_without_value(b'<c r="D5"><f>C5*2</f><v></v></c><c r="E5"><f>1</f><v>1</v></c>')
    {(4, 3)}
    """
    plain = b":f" not in xml  # no namespace prefixes: literal searches are enough
    formulas = _FORMULA_PLAIN if plain else _FORMULA
    first = formulas.search(xml)
    if first is None:
        return set()
    found: set[tuple[int, int]] = set()
    done = 0  # end of the last cell looked at: further <f> inside it belong to it
    for m in formulas.finditer(xml, first.start()):
        pos = m.start()
        if pos < done:
            continue
        start = _cell_start(xml, pos, done, plain)
        if start is None:  # no <c …> close before it: unusual markup, the exhaustive way
            return _formula_cells_full_scan(xml)
        cell = _CELL.match(xml, start)
        if cell is None or cell.end() <= pos:
            continue  # not inside a cell (an <xm:f> of a data validation, …)
        done = cell.end()
        _check_formula_cell(cell.group(1), cell.group(2), found)
    return found


def _cell_start(xml: bytes, pos: int, floor: int, plain: bool = False) -> int | None:
    """Offset of the last ``<c`` tag opening before ``pos`` (not before ``floor``)."""
    lo = max(floor, pos - _BACK)
    if plain:
        end = pos
        while True:
            i = xml.rfind(b"<c", lo, end)
            if i < 0:
                return None
            if xml[i + 2:i + 3] in _TAG_END:
                return i
            end = i + 1
    start = None
    for m in _CELL_OPEN.finditer(xml, lo, pos):
        start = m.start()
    return start


def _check_formula_cell(attrs: bytes, body: bytes | None, found: set[tuple[int, int]]) -> None:
    if not body or not _FORMULA.search(body):
        return
    value = _VALUE.search(body)
    if value is not None and value.group(1).strip():
        return
    if b't="str"' in attrs and value is not None:
        return  # a formula whose cached result is the empty string
    ref = _REF.search(attrs)
    if ref:
        found.add((int(ref.group(2)) - 1, _col_index(ref.group(1))))


def _formula_cells_full_scan(xml: bytes) -> set[tuple[int, int]]:
    """Same result as :func:`formula_cells_without_value`, by matching every cell."""
    found: set[tuple[int, int]] = set()
    for attrs, body in _CELL.findall(xml):
        _check_formula_cell(attrs, body, found)
    return found


def _no_cache_by_sheet(path: Path, archive=None,
                       sheet_names: list[str] | None = None) -> dict[str, set[tuple[int, int]]]:
    """Formula cells without a cached value, per sheet name (.xlsx/.xlsm only).

    ``archive``: the zip already read and checked by the caller (a
    :class:`~xltools.readers.zipdir.ZipDirectory` or :class:`zipfile.ZipFile`); otherwise the
    file is opened here. ``sheet_names``: the workbook's sheets as the parser listed them.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    if archive is not None:
        return _scan_members(archive, sheet_names)
    try:
        with zipfile.ZipFile(path) as zf:
            return _scan_members(zf, sheet_names)
    except (zipfile.BadZipFile, OSError):
        return {}


def _only_sheet(zf, sheet_names: list[str] | None) -> dict[str, str] | None:
    """``{name: member}`` when the workbook has one sheet and the zip one worksheet part (the
    usual form file): then workbook.xml and its relationships need not be read."""
    if not sheet_names or len(sheet_names) != 1:
        return None
    parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
             and n.count("/") == 2]
    return {sheet_names[0]: parts[0]} if len(parts) == 1 else None


def _scan_members(zf, sheet_names: list[str] | None = None) -> dict[str, set[tuple[int, int]]]:
    """The scan of :func:`_no_cache_by_sheet` over anything with ``read(member) -> bytes``
    (the sheets :func:`_sheet_parts` finds, each read by :func:`_member`, as the reader does)."""
    result: dict[str, set[tuple[int, int]]] = {}
    for name, member in _sheet_parts(zf, sheet_names).items():
        xml = _member(zf, member)
        cells = formula_cells_without_value(xml) if xml is not None else None
        if cells:
            result[name] = cells
    return result


def _whole(value: object) -> object:
    """calamine returns every number as float: 5.0 → 5 so that it reads back as Decimal('5')."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _cell_value(value: object) -> CellValue:
    """``normalise_value(_whole(value))`` with the common cases (text, float) first."""
    kind = type(value)
    if kind is str:
        return value if value and not value.isspace() else None  # type: ignore[return-value]
    if kind is float:
        if value.is_integer() and abs(value) < 1e15:  # type: ignore[union-attr]
            return Decimal(int(value))  # type: ignore[arg-type]
        if value - value == 0.0:  # finite: what to_decimal does (repr keeps 0.76 as 0.76)
            return Decimal(repr(value))
    return normalise_value(_whole(value))


def _make_grid(file: str, sheet: str, values: list[list[object]], start: tuple[int, int],
               merged_abs, no_cache_abs: set[tuple[int, int]]) -> Grid | None:
    # text and empty cells (most of a form) are converted inline, without a call per cell
    rows: list[list[CellValue]] = [
        [(v if v and not v.isspace() else None) if type(v) is str else _cell_value(v) for v in row]
        for row in values]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not any(v is not None for row in rows for v in row):
        return None
    r0, c0 = start
    height = len(rows)
    width = max(len(r) for r in rows)
    merged = []
    for (r1, c1), (r2, c2) in merged_abs or ():
        r1, c1, r2, c2 = r1 - r0, c1 - c0, r2 - r0, c2 - c0
        if r2 < 0 or c2 < 0 or r1 >= height or c1 >= width:
            continue
        merged.append((max(r1, 0), max(c1, 0), r2, c2))
    no_cache = {(r - r0, c - c0) for r, c in no_cache_abs if r >= r0 and c >= c0}
    return Grid(file, sheet, rows, origin=(r0, c0), merged=merged, no_cache=no_cache)


MAX_SHEET_CELLS = 4_000_000  # rows × columns of a sheet's used range read at most


def read_excel_grids(path: str | Path, display_name: str | None = None, *,
                     data: bytes | None = None, archive=None,
                     max_cells: int = MAX_SHEET_CELLS,
                     skipped: list[tuple[str, str]] | None = None) -> list[Grid]:
    """One :class:`Grid` per non-empty sheet (hidden sheets too), in workbook order.

    Raises the library's exception for unreadable files; ``files.read_forms`` turns those
    into a :class:`~xltools.readers.files.ReadError` with a Chinese reason. ``data`` (the
    file's bytes) and ``archive`` (its checked zip directory) let ``files.read_grids`` hand over
    what it already read; without them the file is read here.

    A sheet whose used range would hold more than ``max_cells`` cells (one stray character in
    XFD1048576 makes it 17 billion: python-calamine would try to allocate them all and abort
    the process) is not read; ``(sheet, used range)`` is appended to ``skipped``.
    """
    path = Path(path)
    return _read_calamine(path, display_name or path.name, data, archive, max_cells,
                          skipped if skipped is not None else [])


def _read_calamine(path: Path, name: str, data: bytes | None, archive, max_cells: int,
                   skipped: list[tuple[str, str]]) -> list[Grid]:
    import python_calamine

    grids: list[Grid] = []
    # from the bytes, not the path: calamine then goes by the content (an .xls saved under an
    # .xlsx name is read as what it is), where from_path would go by the extension
    raw = data if data is not None else path.read_bytes()
    opened = None
    if archive is None and (data is not None or path.suffix.lower() in (".xlsx", ".xlsm")):
        try:
            archive = opened = open_zip(raw)  # the same bytes: the file is read once
        except (zipfile.BadZipFile, OSError, ValueError, struct.error):
            archive = None  # calamine reads it, or reports why not
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
    try:
        names = workbook.sheet_names
        parts = _sheet_parts(archive, names) if archive is not None else {}
        for sheet_name in names:
            xml = _member(archive, parts.get(sheet_name)) if archive is not None else None
            if xml is not None:
                extent = used_range(xml)
                if extent is not None and extent[0] * extent[1] > max_cells:
                    skipped.append((sheet_name, extent[2]))
                    continue
            try:
                sheet = workbook.get_sheet_by_name(sheet_name)
            except Exception:  # noqa: BLE001 - a chart or dialog sheet: nothing to read
                continue
            start = sheet.start
            if start is None:
                continue
            values = sheet.to_python(skip_empty_area=True)
            no_cache: set[tuple[int, int]] = set()
            if xml is not None and any("" in row for row in values):
                no_cache = formula_cells_without_value(xml)
            grid = _make_grid(name, sheet_name, values, tuple(start), sheet.merged_cell_ranges,
                              no_cache)
            if grid is not None:
                grids.append(grid)
    finally:
        workbook.close()
        if opened is not None:
            opened.close()
    return grids


def _sheet_parts(zf, sheet_names: list[str]) -> dict[str, str]:
    """Sheet name → its XML member, or ``{}`` when the zip cannot tell."""
    try:
        return _only_sheet(zf, sheet_names) or sheet_xml_paths(zf)
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError, KeyError, ValueError):
        return {}


def _member(zf, member: str | None) -> bytes | None:
    if member is None:
        return None
    try:
        return zf.read(member)
    except (KeyError, zipfile.BadZipFile, OSError, zlib.error, EOFError, ValueError,
            RuntimeError):
        return None


_ROW_TAG_END = frozenset(b" \t\r\n>/")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*>\s*<(?:\w+:)?(?:v|is|f)\b')
MAX_COLUMNS = 16384


def used_range(xml: bytes) -> tuple[int, int, str] | None:
    """``(rows, columns, "A1:XFD1048576")`` spanned by the cells holding something, as far as
    needed to know the sheet is small: a sheet whose last row is low enough that even 16,384
    columns stay small costs one backwards search; only a sheet with rows far down is scanned
    cell by cell. ``None`` when the sheet has no rows.

    >>> used_range(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="30"><c r="I30"><v>2</v></c></row>')[:2]
    (30, 16384)
    >>> used_range(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row>')
    (1048576, 16384, 'A1:XFD1048576')
    """
    last = _last_row(xml)
    if last is None:
        return None
    if last * MAX_COLUMNS <= MAX_SHEET_CELLS:
        return last, MAX_COLUMNS, f"A1:XFD{last}"
    r1 = c1 = None
    r2 = c2 = 0
    for m in _VALUE_CELL.finditer(xml):
        col, row = _col_index(m.group(1)), int(m.group(2)) - 1
        r1 = row if r1 is None or row < r1 else r1
        c1 = col if c1 is None or col < c1 else c1
        r2, c2 = max(r2, row), max(c2, col)
    if r1 is None:
        return last, MAX_COLUMNS, f"A1:XFD{last}"  # rows without addressed cells: assume wide
    return r2 - r1 + 1, c2 - c1 + 1, f"{a1(r1, c1)}:{a1(r2, c2)}"


def _last_row(xml: bytes) -> int | None:
    """The number of the sheet's last ``<row>`` (its ``r``, or the count of rows without)."""
    end = len(xml)
    while True:
        i = xml.rfind(b"row", 0, end)
        if i < 1:
            return None
        before, after = xml[i - 1:i], xml[i + 3:i + 4]
        if after and after[0] in _ROW_TAG_END and (before == b"<" or (
                before == b":" and xml.rfind(b"<", 0, i) > xml.rfind(b">", 0, i))):
            close = xml.find(b">", i)
            m = _ROW_NUMBER.search(xml, i, close if close > 0 else end)
            if m:
                return int(m.group(1))
            return xml.count(b"<row") + xml.count(b":row ") + xml.count(b":row>")
        end = i


def read_excel_grids_openpyxl(path: str | Path, display_name: str | None = None) -> list[Grid]:
    """Like :func:`read_excel_grids` (.xlsx/.xlsm) but with number formats in ``Grid.formats``.

    Formula cells are read twice (values and formulas); a formula without a cached value goes
    into ``Grid.no_cache``.
    """
    import openpyxl

    path = Path(path)
    name = display_name or path.name
    with open(path, "rb") as fh:
        values_wb = openpyxl.load_workbook(fh, data_only=True)
    no_cache = _no_cache_by_sheet(path)
    grids: list[Grid] = []
    for ws in values_wb.worksheets:
        if ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None:
            continue
        r0, c0 = ws.min_row - 1, ws.min_column - 1
        rows: list[list[object]] = []
        formats: dict[tuple[int, int], str] = {}
        for r, row in enumerate(ws.iter_rows(min_row=ws.min_row, min_col=ws.min_column)):
            out = []
            for c, cell in enumerate(row):
                out.append(cell.value)
                fmt = getattr(cell, "number_format", None)
                if fmt and fmt != "General" and cell.value is not None:
                    formats[(r, c)] = fmt
            rows.append(out)
        merged_abs = [((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
                      for m in ws.merged_cells.ranges]
        grid = _make_grid(name, ws.title, rows, (r0, c0), merged_abs, no_cache.get(ws.title, set()))
        if grid is not None:
            grid.formats = {k: v for k, v in formats.items() if k[0] < grid.height}
            grids.append(grid)
    return grids
