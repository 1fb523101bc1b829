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
import posixpath
import re
import struct
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

from typing import NamedTuple

from .grid import CellValue, Grid, LimitExceeded, a1, normalise_value
from .zipdir import MemberSizeMismatch, open_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_FORMULA_PLAIN = re.compile(rb"<f\b")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b")
_TAG_END = frozenset((b" ", b"\t", b"\r", b"\n", b">", b"/"))
_BACK = 2048  # how far before a <f> its <c …> tag may start (the tag's attributes are short)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


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
    targets = {}
    for tag in _REL_TAG.findall(rels):
        attrs = _attributes(tag)
        if "Id" in attrs and "Target" in attrs:
            targets[attrs["Id"]] = attrs["Target"]
    paths: dict[str, str] = {}
    for tag in _SHEET_TAG.findall(workbook):
        attrs = _attributes(tag)
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        target = targets.get(rid) if rid is not None else None
        if not target or "name" not in attrs:
            continue
        text = target.decode("utf-8", "replace")
        path = text.lstrip("/") if text.startswith("/") else "xl/" + text
        paths[_unescape(attrs["name"])] = posixpath.normpath(path)
    return paths


_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s([^>]*)>")
_REL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s([^>]*)>")
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attributes(tag: bytes) -> dict[str, bytes]:
    """The attributes of one tag in any valid spelling (either quote, spaces around ``=``)."""
    return {k.decode("ascii", "replace"): a if a or not b else b for k, a, b in _ATTR.findall(tag)}


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
    """``{name: member}`` when the workbook has one sheet and the zip one worksheet part and no
    XML part of an unknown kind that could be the sheet instead (the usual form file): then
    workbook.xml and its relationships need not be read."""
    if not sheet_names or len(sheet_names) != 1:
        return None
    parts = []
    for n in zf.namelist():
        if n.startswith("xl/worksheets/") and n.endswith(".xml") and n.count("/") == 2:
            parts.append(n)
        elif n.endswith(".xml") and not n.startswith(_NOT_SHEETS) and \
                n.rsplit("/", 1)[-1] not in _NOT_SHEET_NAMES and not n.startswith(_OTHER_PARTS):
            return None
    return {sheet_names[0]: parts[0]} if len(parts) == 1 else None


_OTHER_PARTS = ("xl/comments", "xl/tables/", "xl/pivot", "xl/externalLinks/", "xl/persons/",
                "xl/threadedComments/", "xl/richData/", "xl/metadata", "xl/connections",
                "xl/queryTables/", "xl/ctrlProps/", "xl/model/", "xl/slicer", "xl/timeline",
                "xl/charts/", "xl/chartsheets/", "xl/dialogsheets/", "xl/macrosheets/")


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
MAX_SHEETS = 1000  # sheets per workbook
MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell


class Skipped(NamedTuple):
    """A sheet (or a cell) the reader left out, and why: ``code`` is SHEET_TOO_LARGE (``detail``
    the used range), SHEET_UNREADABLE (``detail`` a Chinese reason) or CELL_TEXT_TOO_LONG
    (``detail`` the length, ``cell`` the address)."""

    code: str
    sheet: str
    detail: str
    cell: str = "A1"


def read_excel_grids(path: str | Path, display_name: str | None = None, *,
                     data: bytes | None = None, archive=None,
                     max_cells: int = MAX_SHEET_CELLS, max_sheets: int = MAX_SHEETS,
                     max_chars: int = MAX_CELL_CHARS,
                     skipped: list | None = None) -> list[Grid]:
    """One :class:`Grid` per non-empty worksheet (hidden ones too), in workbook order.

    Raises the library's exception for unreadable files; ``files.read_forms`` turns those
    into a :class:`~xltools.readers.files.ReadError` with a Chinese reason. ``data`` (the
    file's bytes) and ``archive`` (its checked zip directory) let ``files.read_grids`` hand over
    what it already read; without them the file is read here.

    A sheet whose used range would hold more than ``max_cells`` cells (one stray character in
    XFD1048576 makes it 17 billion: python-calamine would try to allocate them all and abort
    the process) is not read; neither is a sheet calamine cannot read (invalid XML, a missing
    part, a bad shared-string index). Each is appended to ``skipped`` as a :class:`Skipped`, as
    is a cell whose text is longer than ``max_chars`` (cut to that length). A workbook of more
    than ``max_sheets`` worksheets raises :class:`~xltools.readers.grid.LimitExceeded`.
    """
    path = Path(path)
    return _read_calamine(path, display_name or path.name, data, archive, max_cells,
                          skipped if skipped is not None else [], max_sheets, max_chars)


def _read_calamine(path: Path, name: str, data: bytes | None, archive, max_cells: int,
                   skipped: list, max_sheets: int = MAX_SHEETS,
                   max_chars: int = MAX_CELL_CHARS) -> list[Grid]:
    import python_calamine

    grids: list[Grid] = []
    # from the bytes, not the path: calamine then goes by the content (an .xls saved under an
    # .xlsx name is read as what it is), where from_path would go by the extension
    raw = data if data is not None else path.read_bytes()
    opened = None
    biff_extents = None
    if raw[:8] == OLE_MAGIC:  # .xls: the cell records tell each sheet's range
        from .biff import read_biff, without_sheets

        info = read_biff(raw)
        if info is not None and info.encrypted:
            raise python_calamine.PasswordError("encrypted")
        biff_extents = info.extents if info is not None else None
        too_large = [sheet for sheet, (rows, cols, _) in (biff_extents or {}).items()
                     if rows * cols > max_cells]
        if too_large:  # calamine reads every sheet on opening: empty these ones first
            emptied = without_sheets(raw, info, too_large)
            if emptied is None:
                raise LimitExceeded("工作表已用区域过大，且无法单独跳过该表")
            raw = emptied
    elif archive is None:
        try:
            archive = opened = open_zip(raw)  # the same bytes: the file is read once
        except (zipfile.BadZipFile, OSError, ValueError, struct.error):
            archive = None  # calamine reads it, or reports why not
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
    try:
        names = _worksheet_names(workbook)
        if len(names) > max_sheets:
            raise LimitExceeded(f"工作表过多（{len(names)} 张，上限 {max_sheets} 张）")
        parts = _sheet_parts(archive, names) if archive is not None else {}
        # text longer than a cell may hold needs a part at least that long (the sheet with its
        # inline strings, or the shared strings)
        shared = next((m.file_size for m in archive.infolist()
                       if m.filename.endswith("sharedStrings.xml")), 0) if archive is not None else 0
        for sheet_name in names:
            xml = None
            if archive is not None:
                try:
                    xml = _member(archive, parts.get(sheet_name), strict=True)
                except MemberSizeMismatch:
                    skipped.append(Skipped("SHEET_UNREADABLE", sheet_name,
                                           "压缩数据解压后的大小与声明不符（文件已损坏或被篡改）"))
                    continue
                extent = used_range(xml, max_cells) if xml is not None else \
                    _unmapped_extent(archive, parts, max_cells)
            else:
                extent = (biff_extents.get(sheet_name) or _largest(biff_extents)) \
                    if biff_extents else None
            if extent is not None and extent[0] * extent[1] > max_cells:
                skipped.append(Skipped("SHEET_TOO_LARGE", sheet_name, extent[2]))
                continue
            try:
                sheet = workbook.get_sheet_by_name(sheet_name)
                start = sheet.start
                values = sheet.to_python(skip_empty_area=True) if start is not None else None
            except Exception as exc:  # noqa: BLE001 - reported, never dropped in silence
                skipped.append(Skipped("SHEET_UNREADABLE", sheet_name, sheet_error_reason(exc)))
                continue
            if start is None:
                continue
            no_cache: set[tuple[int, int]] = set()
            if xml is not None and any("" in row for row in values):
                no_cache = formula_cells_without_value(xml)
            if archive is None or shared > max_chars or xml is None or len(xml) > max_chars:
                _cut_long_texts(values, tuple(start), max_chars, sheet_name, skipped)
            grid = _make_grid(name, sheet_name, values, tuple(start), sheet.merged_cell_ranges,
                              no_cache)
            if grid is not None:
                grids.append(grid)
    finally:
        workbook.close()
        if opened is not None:
            opened.close()
    return grids


def _worksheet_names(workbook) -> list[str]:
    """The workbook's worksheets: chart sheets, dialog and macro sheets hold no cells."""
    try:
        meta = workbook.sheets_metadata
    except Exception:  # noqa: BLE001 - an older calamine: every sheet
        return list(workbook.sheet_names)
    return [m.name for m in meta if "Chart" not in str(m.typ) and "Vba" not in str(m.typ)]


def _largest(extents: dict[str, tuple[int, int, str]]) -> tuple[int, int, str] | None:
    return max(extents.values(), key=lambda e: e[0] * e[1], default=None)


def _unmapped_extent(zf, parts: dict[str, str], max_cells: int) -> tuple[int, int, str] | None:
    """A sheet whose part the workbook's relationships did not show: the largest range of the
    zip's XML parts that are not known parts of another kind (so an odd layout cannot hide a
    far cell from the guard)."""
    known = set(parts.values())
    largest = None
    for member in zf.namelist():
        if member in known or not member.endswith(".xml") or member.startswith(_NOT_SHEETS) \
                or member.count("/") and member.rsplit("/", 1)[1] in _NOT_SHEET_NAMES:
            continue
        xml = _member(zf, member)
        extent = used_range(xml, max_cells) if xml else None
        if extent is not None and (largest is None or extent[0] * extent[1] > largest[0] * largest[1]):
            largest = extent
    return largest


_NOT_SHEETS = ("docProps/", "_rels/", "xl/_rels/", "xl/theme/", "xl/drawings/", "customXml/",
               "xl/worksheets/_rels/", "xl/printerSettings/", "[Content_Types]")
_NOT_SHEET_NAMES = frozenset({"workbook.xml", "styles.xml", "sharedStrings.xml", "calcChain.xml",
                              "app.xml", "core.xml"})


def _cut_long_texts(values: list[list[object]], start: tuple[int, int], max_chars: int,
                    sheet: str, skipped: list) -> None:
    """Texts longer than ``max_chars`` cut to that length, each reported (CELL_TEXT_TOO_LONG)."""
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if type(value) is str and len(value) > max_chars:
                row[c] = value[:max_chars]
                skipped.append(Skipped("CELL_TEXT_TOO_LONG", sheet, str(len(value)),
                                       a1(start[0] + r, start[1] + c)))


def sheet_error_reason(exc: BaseException) -> str:
    """Why calamine could not read a sheet, in Chinese (its own message is English)."""
    text = f"{type(exc).__name__} {exc}".lower()
    if "worksheetnotfound" in text or "filenotfound" in text:
        return "工作簿中缺少该工作表的数据部分（文件已损坏）"
    if "dtd" in text or "doctype" in text or "entity" in text:
        return "工作表中含有不允许的文档类型定义（DTD）或未定义的实体"
    if "sharedstring" in text or "shared string" in text or "sst" in text:
        return "共享字符串的编号无效（文件已损坏）"
    if "xml" in text or "syntax" in text or "tag" in text:
        return "工作表的 XML 内容无效（文件已损坏）"
    if "zip" in text or "crc" in text or "deflate" in text:
        return "压缩数据已损坏"
    return "工作表已损坏或格式无法识别"


def _sheet_parts(zf, sheet_names: list[str]) -> dict[str, str]:
    """Sheet name → its XML member, or ``{}`` when the zip cannot tell."""
    try:
        return _only_sheet(zf, sheet_names) or sheet_xml_paths(zf)
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError, KeyError, ValueError):
        return {}


def _member(zf, member: str | None, strict: bool = False) -> bytes | None:
    """The member's bytes, ``None`` when it is missing or damaged; with ``strict`` a member
    that inflates past its declared size raises :class:`MemberSizeMismatch`."""
    if member is None:
        return None
    try:
        return zf.read(member)
    except MemberSizeMismatch:
        if strict:
            raise
        return None
    except (KeyError, zipfile.BadZipFile, OSError, zlib.error, EOFError, ValueError,
            RuntimeError):
        return None


MAX_COLUMNS = 16384
_LETTER_BYTES = bytes(range(65, 91)) + bytes(range(97, 123))
_DIGIT_BYTES = b"0123456789"
# an attribute ending in r, then = and a quote, with any spaces, and the reference's start:
# every cell and row reference in any valid spelling (r="A1", r='A1', r = "A1", r="a1"), and a
# few harmless others (header="0.3"): a superset, used only to show that a sheet is small
_ANY_REF = re.compile(rb"r\s*=\s*[\"']([A-Za-z]*[0-9]+)")
_PLAIN_REF = re.compile(rb'r="([A-Z]*[0-9]+)')
# a reference of at least 3 column letters or of a row past 999 (leading zeros aside), in any
# spelling: when a sheet has none, every reference lies within A1:ZZ999 (see used_range)
_FAR_REF = re.compile(rb"r\s*=\s*[\"'](?:[A-Za-z]{3,}[0-9]|[A-Za-z]*0*[1-9][0-9]{3})")
_NEAR_ROWS, _NEAR_COLS = 999, 702  # the largest row and column (ZZ) such a sheet can reference
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([A-Za-z]{1,7})([0-9]{1,10})[\"']")


def _letters_index(letters: bytes) -> int:
    return _col_index(letters.upper())


def used_range(xml: bytes, max_cells: int | None = None) -> tuple[int, int, str] | None:
    """``(rows, columns, "A1:XFD1048576")`` of the range python-calamine allocates for a sheet,
    or an upper bound of it that is at most ``max_cells`` (default :data:`MAX_SHEET_CELLS`):
    enough to know the sheet is small. ``None`` when the sheet has no cells.

    The range is taken from the cells as calamine places them, however the XML is spelled:
    references in single or double quotes, with spaces around ``=``, in lower case, rows and
    cells without references (placed after the previous one), rows in any order. First the
    quickest bound: no reference past ZZ999 (one search), plus one row and one column for each
    tag; then a bound over every reference; only a sheet neither can show small is looked at
    cell by cell, where an empty cell (``<c r="XFD1" s="1"/>``, which calamine leaves out)
    does not count::

        >>> used_range(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="30"><c r="I30"><v>2</v></c></row>')[2]
        'A1:AAL1011'
        >>> used_range(b'<row r="1"><c r="A1"><v>1</v></c></row><row r="30"><c r="I30"><v>2</v></c></row>', 1000)[2]
        'A1:K32'
        >>> used_range(b'<row r="0000001"><c r="A0000001"><v>1</v></c></row><row r="300"><c r="XFD300"><v>2</v></c></row>')
        (300, 16384, 'A1:XFD300')
        >>> used_range(b"<row r='1048576'><c r = 'XFD1048576' t='inlineStr'><is><t> </t></is></c></row>"
        ...            b"<row r='1'><c r='A1'><v>1</v></c></row>")
        (1048576, 16384, 'A1:XFD1048576')
        >>> used_range(b'<row><c r="A1"><v>1</v></c></row><row><c r="XFD1048576" s="3"/></row>')[2]
        'A1:A1'
        >>> used_range(b'<row r="1"><c><v>1</v></c><c r="B1"><v>1</v></c></row><row r="900000"><c><v>2</v></c></row>')[2]
        'A1:D900002'
    """
    limit = MAX_SHEET_CELLS if max_cells is None else max_cells
    # The quick bound first, without a look at each reference: one search shows that no
    # reference goes past ZZ999; then each row or cell tag (every one starts with "<") can push
    # the range one row or column further at most. A form (≈ 10 KB, 800 tags) is decided here.
    if _FAR_REF.search(xml) is None:
        tags = xml.count(b"<")
        if not tags:
            return None
        bound_rows, bound_cols = _NEAR_ROWS + tags, _NEAR_COLS + tags
        if bound_rows * bound_cols > limit:  # a larger sheet: count the row and cell tags
            bound_rows, bound_cols = _NEAR_ROWS + xml.count(b"<row"), _NEAR_COLS + xml.count(b"<c")
            if b":c" in xml:  # namespace prefixes (<x:row>, <x:c>)
                bound_rows, bound_cols = bound_rows + xml.count(b":row"), bound_cols + xml.count(b":c")
        if bound_rows * bound_cols <= limit:
            return bound_rows, bound_cols, f"A1:{a1(bound_rows - 1, bound_cols - 1)}"
    # the usual spelling (r="A1", never a space before =): one literal search finds every reference
    plain = xml.count(b"r=") == xml.count(b'r="') and b" =" not in xml and b"\t=" not in xml \
        and b"\n=" not in xml and b"\r=" not in xml
    refs = (_PLAIN_REF if plain else _ANY_REF).findall(xml)
    n_rows = xml.count(b"<row")  # rows and cells without a reference follow the previous one
    n_cells = xml.count(b"<c")  # (and more: <col, <cfRule…: a bound only)
    if b":c" in xml:  # namespace prefixes (<x:row>, <x:c>)
        n_rows, n_cells = n_rows + xml.count(b":row"), n_cells + xml.count(b":c")
    if not refs and not n_cells:
        return None
    joined = b" ".join(refs)
    digits = joined.translate(None, _LETTER_BYTES).split()
    rows = max(map(int, digits)) if digits else 0  # by value: r="0000001" is row 1
    letters = joined.translate(None, _DIGIT_BYTES).upper().split()
    col = _col_index(max(zip(map(len, letters), letters))[1]) + 1 if letters else 0
    bound_rows, bound_cols = rows + n_rows, min(col + n_cells, 1 << 40)
    if bound_rows * bound_cols <= limit:
        return bound_rows, bound_cols, f"A1:{a1(max(bound_rows, 1) - 1, max(bound_cols, 1) - 1)}"
    return _exact_range(xml, rows)


def _exact_range(xml: bytes, last_row_ref: int) -> tuple[int, int, str] | None:
    """The range of the non-empty cells, one by one (see :func:`used_range`)."""
    r1 = c1 = None
    r2 = c2 = 0
    loose = 0  # non-empty cells without a reference: calamine puts them after the previous
    for attrs in _CELL_TAG.findall(xml):
        if attrs.endswith(b"/"):
            continue  # <c … />: no value, calamine leaves it out
        m = _REF_ATTR.search(attrs)
        if m is None:
            loose += 1
            continue
        row, col = int(m.group(2)) - 1, _letters_index(m.group(1))
        if r1 is None:
            r1, c1, r2, c2 = row, col, row, col
        else:
            r1, c1, r2, c2 = min(r1, row), min(c1, col), max(r2, row), max(c2, col)
    if loose:  # somewhere after a referenced row or cell: bound them from the top-left corner
        r1 = c1 = 0
        r2 = max(r2, last_row_ref - 1) + xml.count(b"<row") + xml.count(b":row")
        c2 += loose
    if r1 is None:
        return None
    return r2 - r1 + 1, c2 - c1 + 1, f"{a1(r1, c1)}:{a1(r2, c2)}"


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
