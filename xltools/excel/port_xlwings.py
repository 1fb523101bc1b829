"""The workbook port inside Excel: a thin adapter over xlwings' Book/Sheet/Range.

It mirrors :class:`~xltools.excel.port_openpyxl.OpenpyxlPort` operation for operation (the
ledger logic is shared in :class:`~xltools.excel.marks.MarkingPort`). It only runs where
xlwings can drive Excel (Windows/macOS); importing this module never imports xlwings, so it is
safe on Linux. Fills are recorded as ``rgb:RRGGBB`` (empty = no fill); comments use the classic
``Range.api.AddComment`` (Windows COM).

Excel is not openpyxl, and three differences matter (``tests/fake_xlwings.py`` reproduces them):

- **Assigning a string parses it**: ``"100%"`` becomes 1, ``"12-31"`` a date, ``"13"`` a number.
  Text we write (our notes, 问题清单, an imported form's text, the ledger) goes into cells
  formatted ``@`` first, so it stays text — as the openpyxl port writes it.
- **Every call crosses a process boundary**: a sheet is read with *one* range read of its
  values; merged areas come from ``Range.Find`` with ``FindFormat.MergeCells`` (a call per
  area, not per cell); number formats from one call per column, and per cell only for the
  numbers of a column whose formats differ.
- **Numbers come back as floats**: they become ``Decimal`` through ``normalise_value``;
  dates as ``YYYY-MM-DD`` text, as the openpyxl port reads them.

    port = XlwingsPort(xw.Book.caller())
    macros.do_recalculate(port)
"""

from __future__ import annotations

import datetime as _dt
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

    # --- reading ------------------------------------------------------------------------------
    def read_grid(self, sheet: str) -> Grid:
        sh = self.book.sheets[sheet]
        last = sh.used_range.last_cell
        n_rows, n_cols = last.row, last.column
        block = sh.range((1, 1), (n_rows, n_cols))
        values = block.options(ndim=2).value  # the one read of the sheet's values
        rows = [[normalise_value(_read_value(v)) for v in row] for row in values]
        merged = self._merged_areas(block, rows)
        formats = self._number_formats(sh, rows)
        return Grid(self.book.name, sheet, rows, merged=merged, formats=formats)

    def _merged_areas(self, block, rows) -> list[tuple[int, int, int, int]]:
        """Merged areas (0-based, inclusive) through Find + FindFormat.MergeCells: one call per area."""
        found: list[tuple[int, int, int, int]] = []
        find_format = self.book.app.api.FindFormat
        try:
            find_format.Clear()
            find_format.MergeCells = True
            api = block.api
            cell = api.Find(What="", SearchFormat=True)
            limit = len(rows) * (len(rows[0]) if rows else 0) + 1
            while cell is not None and len(found) <= limit:
                area = _area(cell.MergeArea.Address)
                if area in found:
                    break  # wrapped around to the first
                found.append(area)
                cell = api.Find(What="", After=cell, SearchFormat=True)
            return found
        except Exception:  # an Excel without Find-by-format: ask the non-empty cells instead
            return self._merged_areas_by_cell(block, rows)
        finally:
            try:
                find_format.Clear()
            except Exception:
                pass

    @staticmethod
    def _merged_areas_by_cell(block, rows) -> list[tuple[int, int, int, int]]:
        merged, seen = [], set()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                cell = block[r, c]
                if cell.api.MergeCells:
                    area = _area(cell.merge_area.api.Address)
                    if area not in seen:
                        seen.add(area)
                        merged.append(area)
        return merged

    @staticmethod
    def _number_formats(sh, rows) -> dict[tuple[int, int], str]:
        """Formats of the numbers (what tells 0.8 from 80%): a call per column, per cell only
        for the numbers of a column whose cells differ. Text cells need none."""
        formats: dict[tuple[int, int], str] = {}
        n_rows = len(rows)
        for c in range(len(rows[0]) if rows else 0):
            numbers = [r for r in range(n_rows) if isinstance(rows[r][c], Decimal)]
            if not numbers:
                continue
            column = sh.range((1, c + 1), (n_rows, c + 1)).number_format
            for r in numbers:
                fmt = column if column is not None else sh.range((r + 1, c + 1)).number_format
                if fmt and fmt not in ("General", "@"):
                    formats[(r, c)] = fmt
        return formats

    # --- writing a sheet ------------------------------------------------------------------
    def add_sheet_from_form(self, name: str, form: Form | None) -> str:
        """An imported form: its text stays text (cells formatted ``@`` before the one write)."""
        from .sheetcopy import form_snapshot

        title = safe_sheet_name(name, self.sheet_names())
        snap = form_snapshot(form)
        sheet = self.book.sheets.add(title, after=self.book.sheets[-1])
        height = len(snap.rows)
        width = max((len(r) for r in snap.rows), default=0)
        rows = [list(r) + [None] * (width - len(r)) for r in snap.rows]
        if height and width:
            sheet.range((1, 1), (height, width)).number_format = "@"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if _is_formula(value) or _is_number(value):
                        sheet.range((r + 1, c + 1)).number_format = snap.formats.get((r, c), "General")
            sheet.range((1, 1), (height, width)).value = [[_xl(v) for v in row] for row in rows]
            for (r, c), fmt in snap.formats.items():
                value = rows[r][c] if r < height and c < width else None
                if isinstance(value, str) and not _is_formula(value) and fmt != "@":
                    sheet.range((r + 1, c + 1)).number_format = fmt  # after the text is in
        for (r1, c1, r2, c2) in snap.merges:
            sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).merge()
        for c, width_ in snap.widths.items():
            sheet.range((1, c + 1)).column_width = width_
        sheet.activate()
        return title

    def message(self, text: str) -> None:
        self.book.app.alert(text, title="xltools 绩效自评")

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
        return [[_ledger_text(v) for v in row] for row in values[1:]]

    def _write_ledger(self, rows: list[list[str]]) -> None:
        exists = LEDGER_SHEET in self.sheet_names()
        if not rows:
            if exists:  # nothing recorded any more: no hidden sheet left behind
                self.book.sheets[LEDGER_SHEET].delete()
            return
        if not exists:
            sheet = self.book.sheets.add(LEDGER_SHEET, after=self.book.sheets[-1])
            sheet.visible = False
        sheet = self.book.sheets[LEDGER_SHEET]
        sheet.clear_contents()
        sheet.range("A:E").number_format = "@"  # before the values: "9.41" stays the text we wrote
        sheet.range("A1").options(ndim=2).value = [LEDGER_HEADER] + rows

    def _get_value(self, sheet: str, address: str) -> Any:
        return self._cell(sheet, address).value

    def _set_value(self, sheet: str, address: str, value: Any) -> None:
        cell = self._cell(sheet, address)
        fmt = cell.number_format
        if isinstance(value, str) and not _is_formula(value):
            if fmt != "@":
                cell.number_format = "@"  # "8-10" must not become a date
        elif fmt == "@":
            cell.number_format = "General"  # a number, or the cell emptied again
        cell.value = _xl(value)

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
        if rows and width:
            block = sheet.range((1, 1), (len(rows), width))
            block.number_format = "@"  # 问题清单 is text: "9.41" and "12-31" stay as written
            block.value = [[_xl(v) for v in r] + [None] * (width - len(r)) for r in rows]
            header = sheet.range((1, 1), (1, width))
            header.font.bold = True
            header.color = _rgb(OUTPUT_HEADER_RGB)
        for (r, c), (target, address) in links.items():
            cell = sheet.range((r + 1, c + 1))
            text = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
            sheet.api.Hyperlinks.Add(Anchor=cell.api, Address="", SubAddress=f"'{target}'!{address}",
                                     TextToDisplay=str(text or address))
        sheet.autofit("c")


def _area(address: str) -> tuple[int, int, int, int]:
    """``$A$1:$H$1`` → (0, 0, 0, 7).

    >>> _area("$C$3:$H$4"), _area("$B$2")
    ((2, 2, 3, 7), (1, 1, 1, 1))
    """
    parts = address.replace("$", "").split("!")[-1].split(":")
    first, last = _rc(parts[0]), _rc(parts[-1])
    return first[0], first[1], last[0], last[1]


def _rc(a1: str) -> tuple[int, int]:
    letters = "".join(ch for ch in a1 if ch.isalpha()).upper()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int("".join(ch for ch in a1 if ch.isdigit())) - 1, col - 1


def _read_value(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.strftime("%Y-%m-%d")  # as the openpyxl port reads a date cell
    return value


def _ledger_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
