"""The workbook port inside Excel: a thin adapter over xlwings' Book/Sheet/Range.

It mirrors :class:`~xltools.excel.port_openpyxl.OpenpyxlPort` operation for operation (the
ledger logic is shared in :class:`~xltools.excel.marks.MarkingPort`). It only runs where
xlwings can drive Excel (Windows/macOS); importing this module never imports xlwings, so it is
safe on Linux. Fills are recorded as ``rgb:RRGGBB`` (empty = no fill); comments use the classic
``Range.api.AddComment`` (Windows COM).

    port = XlwingsPort(xw.Book.caller())
    macros.do_recalculate(port)
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.model import Form
from ..readers.grid import Grid, normalise_value
from .marks import LEDGER_HEADER, LEDGER_SHEET, MARK_RGB, OUTPUT_HEADER_RGB, MarkingPort, safe_sheet_name
from .port import Links


def _rgb(hex6: str) -> tuple[int, int, int]:
    return int(hex6[0:2], 16), int(hex6[2:4], 16), int(hex6[4:6], 16)


def _xl(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value  # Excel has no Decimal


class XlwingsPort(MarkingPort):
    """A :class:`~xltools.excel.port.WorkbookPort` over an open ``xlwings.Book``."""

    def __init__(self, book):
        self.book = book

    @property
    def path(self) -> Path | None:
        full = self.book.fullname
        return Path(full) if full and Path(full).is_file() else None

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def active_sheet(self) -> str:
        return self.book.sheets.active.name

    def read_grid(self, sheet: str) -> Grid:
        used = self.book.sheets[sheet].used_range
        last_row, last_col = used.last_cell.row, used.last_cell.column
        rng = self.book.sheets[sheet].range((1, 1), (last_row, last_col))
        values = rng.options(ndim=2).value
        rows = [[normalise_value(v) for v in row] for row in values]
        merged, formats, seen = [], {}, set()
        for r in range(last_row):
            for c in range(last_col):
                if rows[r][c] is None:
                    continue
                cell = rng[r, c]
                fmt = cell.number_format
                if fmt and fmt != "General":
                    formats[(r, c)] = fmt
                if cell.api.MergeCells:
                    area = cell.merge_area
                    key = (area.row - 1, area.column - 1, area.last_cell.row - 1, area.last_cell.column - 1)
                    if key not in seen:
                        seen.add(key)
                        merged.append(key)
        return Grid(self.book.name, sheet, rows, merged=merged, formats=formats)

    def add_sheet_from_form(self, name: str, form: Form | None) -> str:
        from .sheetcopy import form_snapshot

        title = safe_sheet_name(name, self.sheet_names())
        snap = form_snapshot(form)
        sheet = self.book.sheets.add(title, after=self.book.sheets[-1])
        sheet.range("A1").value = snap.rows  # formulas are written as "=…" text and evaluate
        for (r1, c1, r2, c2) in snap.merges:
            sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).merge()
        for (r, c), fmt in snap.formats.items():
            sheet.range((r + 1, c + 1)).number_format = fmt
        for c, width in snap.widths.items():
            sheet.range((1, c + 1)).column_width = width
        sheet.activate()
        return title

    def message(self, text: str) -> None:
        self.book.app.alert(text, title="xltools")

    def pick_folder(self) -> Path | None:
        dialog = self.book.app.api.FileDialog(4)  # msoFileDialogFolderPicker
        return Path(dialog.SelectedItems(1)) if dialog.Show() == -1 else None

    def pick_file(self, filter: str) -> Path | None:
        answer = self.book.app.api.GetOpenFilename(filter)
        return Path(answer) if isinstance(answer, str) and answer else None

    def save(self) -> None:
        self.book.save()

    # --- primitives for MarkingPort -----------------------------------------------------------
    def _cell(self, sheet: str, address: str):
        return self.book.sheets[sheet].range(address)

    def _read_ledger(self) -> list[list[Any]]:
        if LEDGER_SHEET not in self.sheet_names():
            return []
        values = self.book.sheets[LEDGER_SHEET].used_range.options(ndim=2).value
        return values[1:]

    def _write_ledger(self, rows: list[list[str]]) -> None:
        if LEDGER_SHEET not in self.sheet_names():
            if not rows:
                return
            sheet = self.book.sheets.add(LEDGER_SHEET, after=self.book.sheets[-1])
            sheet.visible = False
        sheet = self.book.sheets[LEDGER_SHEET]
        sheet.clear_contents()
        sheet.range("A1").options(ndim=2).value = [LEDGER_HEADER] + rows
        sheet.range("A:E").number_format = "@"

    def _get_value(self, sheet: str, address: str) -> Any:
        return self._cell(sheet, address).value

    def _set_value(self, sheet: str, address: str, value: Any) -> None:
        self._cell(sheet, address).value = _xl(value)

    def _get_fill(self, sheet: str, address: str) -> str:
        color = self._cell(sheet, address).color
        return "rgb:" + ("" if color is None else "%02X%02X%02X" % tuple(color))

    def _set_fill(self, sheet: str, address: str, fill: str | None) -> None:
        cell = self._cell(sheet, address)
        if fill is None:
            cell.color = _rgb(MARK_RGB)
        elif fill.startswith("rgb:") and len(fill) == 10:
            cell.color = _rgb(fill[4:])
        elif fill.startswith("<"):  # written by the openpyxl port: take its solid colour
            import re

            m = re.search(r'fgColor rgb="(?:[0-9A-F]{2})?([0-9A-F]{6})"', fill)
            cell.color = _rgb(m.group(1)) if m and 'patternType="solid"' in fill else None
        else:
            cell.color = None

    def _get_comment(self, sheet: str, address: str) -> str | None:
        comment = self._cell(sheet, address).api.Comment
        return None if comment is None else comment.Text()

    def _set_comment(self, sheet: str, address: str, text: str | None) -> None:
        api = self._cell(sheet, address).api
        if api.Comment is not None:
            api.Comment.Delete()
        if text is not None:
            api.AddComment(text)

    def _delete_sheet(self, name: str) -> None:
        self.book.sheets[name].delete()

    def _write_table(self, name: str, rows: list[list[Any]], links: Links, *, create: bool) -> None:
        sheet = self.book.sheets.add(name, after=self.book.sheets[-1]) if create else self.book.sheets[name]
        sheet.clear()
        width = max((len(r) for r in rows), default=0)
        sheet.range("A1").value = [[_xl(v) for v in r] + [None] * (width - len(r)) for r in rows]
        if rows:
            header = sheet.range((1, 1), (1, width))
            header.font.bold = True
            header.color = _rgb(OUTPUT_HEADER_RGB)
        for (r, c), (target, address) in links.items():
            cell = sheet.range((r + 1, c + 1))
            sheet.api.Hyperlinks.Add(Anchor=cell.api, Address="", SubAddress=f"'{target}'!{address}",
                                     TextToDisplay=str(cell.value or address))
        sheet.autofit("c")
