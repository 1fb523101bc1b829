"""What an .xls workbook (BIFF5/BIFF8 in a compound file) holds, read before python-calamine
reads it: whether it is encrypted (a ``FILEPASS`` record) and the range of cells each sheet
really spans, from the cell records themselves (a ``DIMENSIONS`` record can lie).

python-calamine allocates a sheet's whole range at once: one cell at IV65536 on each of 12
sheets of a 10 KB file costs gigabytes, so the reader skips a sheet whose range is too large
before calamine sees it.

    >>> from tests.fixtures.xls_builder import build_xls          # doctest: +SKIP
    >>> info = read_biff(build_xls({"表1": [(0, 0, "项目名称"), (65535, 255, "x")]}))  # doctest: +SKIP
    >>> info.encrypted, info.extents["表1"]                        # doctest: +SKIP
    (False, (65536, 256, 'A1:IV65536'))
"""

from __future__ import annotations

import io
import struct
from typing import NamedTuple

from .grid import a1

BOF, EOF, BOUNDSHEET, FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
# records holding one cell (row, column first): FORMULA, LABEL, NUMBER, BOOLERR, RK, LABELSST,
# RSTRING, BLANK, and the BIFF2-4 forms calamine also reads
_CELL = frozenset({0x0006, 0x0204, 0x0203, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0201,
                   0x0003, 0x0004, 0x0002, 0x0005, 0x0001, 0x0406})
_MULTI = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first column … last column
_HEAD = struct.Struct("<HH")


class BiffInfo(NamedTuple):
    encrypted: bool
    extents: dict[str, tuple[int, int, str]]  # sheet name → (rows, columns, "A1:IV65536")
    cells: dict[str, list[int]] = {}  # sheet name → offsets of its cell records in the stream
    stream: bytes = b""
    stream_name: str = "Workbook"


def workbook_stream(data: bytes) -> tuple[str, bytes] | None:
    """The ``Workbook`` (BIFF8) or ``Book`` (BIFF5) stream of a compound file, or ``None``."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            for name in ("Workbook", "Book"):
                if ole.exists(name):
                    return name, ole.openstream(name).read()
    except Exception:  # noqa: BLE001 - a damaged compound file: calamine reports it
        return None
    return None


def read_biff(data: bytes) -> BiffInfo | None:
    """Encryption and the range of each sheet of an .xls file's bytes; ``None`` when the file
    is not a BIFF workbook this can read (calamine then decides)."""
    found = workbook_stream(data)
    if found is None:
        return None
    info = scan_records(found[1])
    return info._replace(stream=found[1], stream_name=found[0])


_IGNORED = 0x1001  # a chart record type: a worksheet reader passes over it


def without_sheets(data: bytes, info: BiffInfo, sheets: list[str]) -> bytes | None:
    """The file's bytes with every cell record of ``sheets`` turned into a record readers
    ignore (same sizes, so the compound file keeps its layout): python-calamine reads all sheets
    of an .xls when it opens it, so a sheet too large must be emptied before, not skipped
    after. ``None`` when the stream cannot be rewritten (the file is then refused)."""
    import olefile

    stream = bytearray(info.stream)
    kind = struct.pack("<H", _IGNORED)
    for sheet in sheets:
        for pos in info.cells.get(sheet, ()):
            stream[pos:pos + 2] = kind
    buffer = io.BytesIO(data)
    try:
        with olefile.OleFileIO(buffer, write_mode=True) as ole:
            ole.write_stream(info.stream_name, bytes(stream))
    except Exception:  # noqa: BLE001 - an unusual compound file
        return None
    return buffer.getvalue()


def scan_records(stream: bytes) -> BiffInfo:
    """:class:`BiffInfo` of a workbook stream: one pass over its records."""
    sheets: dict[int, str] = {}
    ranges: dict[str, list[int]] = {}
    cells: dict[str, list[int]] = {}
    encrypted = False
    current: str | None = None
    depth = 0
    pos, end = 0, len(stream)
    unpack = _HEAD.unpack_from
    while pos + 4 <= end:
        rtype, size = unpack(stream, pos)
        body = pos + 4
        if rtype == BOF:
            depth += 1
            if depth == 1:
                current = sheets.get(pos)
        elif rtype == EOF:
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
        elif rtype == FILEPASS and current is None:
            encrypted = True
        elif rtype == BOUNDSHEET and size >= 8:
            (offset,) = struct.unpack_from("<I", stream, body)
            sheets[offset] = _sheet_name(stream[body + 6:body + size])
        elif current is not None and depth == 1 and size >= 4 and (rtype in _CELL or
                                                                      rtype in _MULTI):
            cells.setdefault(current, []).append(pos)
            row, col = unpack(stream, body)
            last = col
            if rtype in _MULTI and size >= 6:
                (last,) = struct.unpack_from("<H", stream, body + size - 2)
            box = ranges.get(current)
            if box is None:
                ranges[current] = [row, min(col, last), row, max(col, last)]
            else:
                box[0], box[1] = min(box[0], row), min(box[1], col, last)
                box[2], box[3] = max(box[2], row), max(box[3], col, last)
        pos = body + size
    extents = {name: (r2 - r1 + 1, c2 - c1 + 1, f"{a1(r1, c1)}:{a1(r2, c2)}")
               for name, (r1, c1, r2, c2) in ranges.items()}
    return BiffInfo(encrypted, extents, cells)


def _sheet_name(raw: bytes) -> str:
    """A BOUNDSHEET name: BIFF8 ``cch, flags, chars`` (UTF-16 or compressed Latin-1), else
    BIFF5 ``cch, bytes`` (the ANSI code page: GBK on Chinese Windows)."""
    if not raw:
        return ""
    n = raw[0]
    if len(raw) >= 2 and raw[1] in (0, 1) and len(raw) in (2 + n, 2 + 2 * n):
        chars = raw[2:]
        return chars.decode("utf-16-le", "replace") if raw[1] & 1 else chars.decode("latin-1")
    return raw[1:1 + n].decode("gbk", "replace")
