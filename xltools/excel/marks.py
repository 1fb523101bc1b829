"""Our marks and outputs in a filer's workbook, and how to take them back out.

Every fill, comment, value and output sheet xltools adds is recorded in a hidden sheet
``_xltools_marks`` (one row each: 类型 | 工作表 | 单元格 | 原格式 | 说明), saved with the workbook,
so 清除标记 works in a later session too. ``clear_marks`` removes exactly what is recorded:

* ``mark``  — the highlight fill is replaced by the fill the cell had before (``原格式``) and
  our comment (text starting ``xltools:``) is deleted. A cell that already carried the
  filer's own comment keeps it untouched; our note then lives only in the ledger and in 问题清单.
* ``value`` — a value we wrote (the 复核得分 column) is emptied, but only while the cell still
  holds what we wrote (a value the user typed over ours stays).
* ``sheet`` — an output sheet we created (问题清单) is deleted (unless ``sheets=False``).

Example: a cell ``G25`` with a yellow fill of the filer's is marked and then cleared::

    port.mark("疫情防控", "G25", "得分与规则不符")   # fill → light red, comment "xltools: 得分与规则不符"
    port.clear_marks()                                # fill → the filer's yellow, comment gone

:class:`MarkingPort` holds that logic once; a concrete port supplies a handful of primitive
cell operations (``_get_fill``/``_set_fill``/``_get_comment``/… ) for its library.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..writers.text_fit import text_units
from .port import Links, PortError

LEDGER_SHEET = "_xltools_marks"
LEDGER_HEADER = ["类型", "工作表", "单元格", "原格式", "说明"]
COMMENT_PREFIX = "xltools:"
MARK_RGB = "FFC7CE"  # Excel's light red "bad" fill
OUTPUT_HEADER_RGB = "DDEBF7"
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\：]")


@dataclass
class Record:
    kind: str  # "mark" | "value" | "sheet"
    sheet: str
    address: str = ""
    original: str = ""  # mark: the serialized original fill; value: what we wrote
    note: str = ""  # mark: our note; "filer-comment" flag is kept in original's suffix

    def row(self) -> list[str]:
        return [self.kind, self.sheet, self.address, self.original, self.note]

    @classmethod
    def from_row(cls, row: list[Any]) -> "Record | None":
        cells = [("" if v is None else str(v)) for v in list(row) + [None] * 5][:5]
        if cells[0] not in ("mark", "value", "sheet") or not cells[1]:
            return None
        return cls(*cells)


def value_token(value: Any) -> str:
    """How a written value is remembered, so clearing can tell ours from a user's edit.

    >>> value_token(Decimal("9.40")), value_token(9.4), value_token("不计分")
    ('9.4', '9.4', '不计分')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        text = format(d.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return str(value)


def comment_text(notes: list[str]) -> str:
    """Our comment: the prefix, then one note a line.

    >>> comment_text(["得分与规则不符", "缺少偏差原因"])
    'xltools: 得分与规则不符\\n缺少偏差原因'
    """
    return COMMENT_PREFIX + " " + "\n".join(notes)


def is_our_comment(text: str | None) -> bool:
    return bool(text) and text.lstrip().startswith(COMMENT_PREFIX)  # type: ignore[union-attr]


def safe_sheet_name(name: str, taken: list[str] | set[str], default: str = "项目") -> str:
    """A valid, unused sheet name of at most 31 characters (Excel's limit, case-insensitive).

    >>> safe_sheet_name("疫情防控宣传补助经费", ["疫情防控宣传补助经费"])
    '疫情防控宣传补助经费(2)'
    >>> safe_sheet_name("a/b:c", [])
    'a_b_c'
    >>> len(safe_sheet_name("长" * 40, []))
    31
    """
    base = _INVALID_SHEET_CHARS.sub("_", (name or "").strip()).strip("'") or default
    base = base[:31]
    lowered = {t.lower() for t in taken}
    if base.lower() not in lowered:
        return base
    n = 2
    while True:
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        if candidate.lower() not in lowered:
            return candidate
        n += 1


TABLE_FONT_SIZE = 11  # the default font of a sheet openpyxl or Excel creates
TABLE_MIN_WIDTH, TABLE_MAX_WIDTH = 8.0, 50.0  # column widths of an output table, in units


def table_widths(rows: list[list[Any]], *, size: float = TABLE_FONT_SIZE) -> list[float]:
    """Column widths of an output table (问题清单): each column as wide as its longest line,
    between ``TABLE_MIN_WIDTH`` and ``TABLE_MAX_WIDTH`` units; longer texts wrap.

    >>> table_widths([["严重程度", "说明"], ["错误", "得分" * 40]])
    [10.0, 50.0]
    """
    ncols = max((len(r) for r in rows), default=0)
    widths = []
    for c in range(ncols):
        longest = max((text_units(line, size) for r in rows if c < len(r) and r[c] is not None
                       for line in str(r[c]).split("\n")), default=0.0)
        widths.append(round(min(TABLE_MAX_WIDTH, max(TABLE_MIN_WIDTH, longest + 1.6)), 1))
    return widths


def lay_out_table(ws, rows: list[list[Any]]) -> None:
    """An openpyxl output table made readable and printable: column widths from
    :func:`table_widths`, every cell wrapped at the top, row heights that fit the wrapped
    texts, A4 landscape one page wide with the header row repeated on every page."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    from ..writers.text_fit import fit_rows

    for c, width in enumerate(table_widths(rows), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for row in ws.iter_rows(min_row=1, max_row=len(rows)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    fit_rows(ws, 1, len(rows), keep_taller=False)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


class MarkingPort(ABC):
    """The ledger logic shared by every port; subclasses implement the primitives below."""

    # --- primitives a concrete port implements -------------------------------------------
    @abstractmethod
    def sheet_names(self) -> list[str]:
        """Implemented by each port."""

    @abstractmethod
    def _read_ledger(self) -> list[list[Any]]:  # rows after the header
        """Implemented by each port."""

    @abstractmethod
    def _write_ledger(self, rows: list[list[str]]) -> None:
        """Implemented by each port."""

    @abstractmethod
    def _get_value(self, sheet: str, address: str) -> Any:
        """Implemented by each port."""

    @abstractmethod
    def _set_value(self, sheet: str, address: str, value: Any) -> None:
        """Implemented by each port."""

    @abstractmethod
    def _get_fill(self, sheet: str, address: str) -> str:
        """Implemented by each port."""

    @abstractmethod
    def _set_fill(self, sheet: str, address: str, fill: str | None) -> None:
        """``None`` applies our highlight; otherwise restore a serialized fill."""

    @abstractmethod
    def _get_comment(self, sheet: str, address: str) -> str | None:
        """Implemented by each port."""

    @abstractmethod
    def _set_comment(self, sheet: str, address: str, text: str | None) -> None:
        """Implemented by each port."""

    @abstractmethod
    def _delete_sheet(self, name: str) -> None:
        """Implemented by each port."""

    @abstractmethod
    def _write_table(self, name: str, rows: list[list[Any]], links: Links, *, create: bool) -> None:
        """Implemented by each port."""

    def _lay_out_table(self, name: str, rows: list[list[Any]]) -> None:
        """Widths, wrapping, row heights and print setup of an output table just written
        (:func:`lay_out_table`). Nothing by default: Excel autofits what the xlwings port
        writes; the openpyxl port, whose rows would keep no height, overrides this."""

    # --- ledger ----------------------------------------------------------------------------
    def _records(self) -> list[Record]:
        out = []
        for row in self._read_ledger():
            rec = Record.from_row(row)
            if rec is not None:
                out.append(rec)
        return out

    def _save_records(self, records: list[Record]) -> None:
        self._write_ledger([r.row() for r in records])

    def _find(self, records: list[Record], kind: str, sheet: str, address: str = "") -> Record | None:
        for rec in records:
            if rec.kind == kind and rec.sheet == sheet and rec.address == address:
                return rec
        return None

    def our_sheets(self) -> list[str]:
        """Output sheets xltools created (问题清单…), plus the ledger itself."""
        return [r.sheet for r in self._records() if r.kind == "sheet"] + [LEDGER_SHEET]

    def is_ours(self, sheet: str, address: str) -> bool:
        return self._find(self._records(), "value", sheet, address.upper()) is not None

    # --- public operations -------------------------------------------------------------------
    def write(self, sheet: str, address: str, value: Any) -> None:
        address = address.upper()
        records = self._records()
        rec = self._find(records, "value", sheet, address)
        current = self._get_value(sheet, address)
        if rec is None and current not in (None, "") and not (isinstance(current, str) and not current.strip()):
            raise PortError(f"单元格 {sheet}!{address} 已有填报内容，xltools 不会覆盖它。")
        self._set_value(sheet, address, value)
        if rec is None:
            records.append(Record("value", sheet, address, value_token(value)))
        else:
            rec.original = value_token(value)
        self._save_records(records)

    def mark(self, sheet: str, address: str, note: str) -> None:
        address = address.upper()
        records = self._records()
        rec = self._find(records, "mark", sheet, address)
        if rec is None:
            existing = self._get_comment(sheet, address)
            filer_comment = bool(existing) and not is_our_comment(existing)
            rec = Record("mark", sheet, address, self._get_fill(sheet, address),
                         ("!" if filer_comment else "") + note)
            records.append(rec)
        else:
            flag = "!" if rec.note.startswith("!") else ""
            notes = [n for n in rec.note.lstrip("!").split("\n") if n]
            if note not in notes:
                notes.append(note)
            rec.note = flag + "\n".join(notes)
        self._set_fill(sheet, address, None)
        if not rec.note.startswith("!"):
            self._set_comment(sheet, address, comment_text(rec.note.split("\n")))
        self._save_records(records)

    def clear_marks(self, *, sheets: bool = True) -> int:
        """Undo everything recorded; returns how many records were undone."""
        records = self._records()
        existing = set(self.sheet_names())
        kept: list[Record] = []
        undone = 0
        for rec in reversed(records):
            if rec.sheet not in existing:
                undone += 1
                continue
            if rec.kind == "mark":
                self._set_fill(rec.sheet, rec.address, rec.original)
                if is_our_comment(self._get_comment(rec.sheet, rec.address)):
                    self._set_comment(rec.sheet, rec.address, None)
            elif rec.kind == "value":
                if value_token(self._get_value(rec.sheet, rec.address)) == rec.original:
                    self._set_value(rec.sheet, rec.address, None)
            elif rec.kind == "sheet":
                if not sheets:
                    kept.append(rec)
                    continue
                self._delete_sheet(rec.sheet)
            undone += 1
        self._save_records(list(reversed(kept)))
        return undone

    def replace_sheet(self, name: str, rows: list[list[Any]], *, links: Links | None = None) -> None:
        records = self._records()
        exists = name in self.sheet_names()
        if exists and self._find(records, "sheet", name) is None:
            raise PortError(f"工作簿中已有名为「{name}」的工作表（不是 xltools 生成的），请改名后再试。")
        self._write_table(name, rows, links or {}, create=not exists)
        self._lay_out_table(name, rows)
        if not exists:
            records.append(Record("sheet", name))
            self._save_records(records)
