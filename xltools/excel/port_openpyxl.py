"""The workbook port on an openpyxl workbook: what the tests drive and the CLI can use on a copy.

The workbook is loaded twice: once for editing (formulas kept, VBA kept for .xlsm) and once
``data_only`` for the cached results of the filer's formulas, so :meth:`read_grid` shows what
Excel showed. A formula without a cached result (a file written by a library and never opened in
Excel) reads as empty and is listed in ``Grid.no_cache``.

openpyxl drops the ribbon's relationship when it saves an .xlsm (see the toolchain notes), so
:meth:`save` puts the ``customUI`` relationship back whenever the source had one.

Example::

    port = OpenpyxlPort(tmp / "示例.xlsm", picks=[tmp / "自评表.docx"])
    import_word_into(port)          # any macro body
    port.save()                     # writes the file it was opened from (or ``save_as``)
    port.messages                   # ['已导入 6 张自评表：…']
"""

from __future__ import annotations

import datetime as _dt
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.fills import Fill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.xml.functions import fromstring, tostring

from ..core.model import Form
from ..readers.grid import Grid, normalise_value
from ..writers.atomic import atomic_path
from .marks import (LEDGER_HEADER, LEDGER_SHEET, MARK_RGB, OUTPUT_HEADER_RGB, MarkingPort, lay_out_table,
                    safe_sheet_name)
from .port import Links, PortError

UI_REL_TYPES = {
    "customUI/customUI14.xml": "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
    "customUI/customUI.xml": "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
}


def _ribbon_parts(path: Path) -> dict[str, bytes]:
    """customUI parts (and their own rels) present in a package."""
    try:
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n.startswith("customUI/")}
    except (zipfile.BadZipFile, OSError):
        return {}


def restore_ribbon(saved: Path, parts: dict[str, bytes]) -> bool:
    """Put the customUI parts and their ``_rels/.rels`` relationship back into a saved package.

    Returns True when the package had to be changed.
    """
    if not parts:
        return False
    with zipfile.ZipFile(saved) as z:
        names = z.namelist()
        contents = {n: z.read(n) for n in names}
        infos = {n: z.getinfo(n) for n in names}
    changed = False
    for name, data in parts.items():
        if name not in contents:
            contents[name] = data
            names.append(name)
            changed = True
    rels = contents.get("_rels/.rels", b"").decode("utf-8")
    for part, rel_type in UI_REL_TYPES.items():
        if part in contents and f'Target="{part}"' not in rels and f'Target="/{part}"' not in rels:
            rid = "rIdXltUI14" if part.endswith("14.xml") else "rIdXltUI"
            rels = rels.replace(
                "</Relationships>",
                f'<Relationship Id="{rid}" Type="{rel_type}" Target="{part}"/></Relationships>',
            )
            changed = True
    if not changed:
        return False
    contents["_rels/.rels"] = rels.encode("utf-8")
    tmp = saved.with_suffix(saved.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            info = infos.get(name)
            out.writestr(info if info is not None else name, contents[name])
    tmp.replace(saved)
    return True


def _excel_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value  # openpyxl writes Decimal exactly
    return value


class OpenpyxlPort(MarkingPort):
    """A :class:`~xltools.excel.port.WorkbookPort` over an openpyxl workbook.

    ``picks`` answers :meth:`pick_folder`/:meth:`pick_file` in order (``None`` = cancelled);
    ``active`` names the sheet treated as active (default: the workbook's active sheet).
    ``save_as`` sends :meth:`save` to another file and leaves ``path`` untouched.
    """

    def __init__(self, path: str | Path, *, keep_vba: bool = True, picks: list[Any] | None = None,
                 active: str | None = None, save_as: str | Path | None = None, echo: bool = False):
        self._path = Path(path)
        if not self._path.is_file():
            raise PortError(f"找不到工作簿：{self._path}")
        vba = keep_vba and self._path.suffix.lower() in (".xlsm", ".xltm", ".xlam")
        try:
            self.wb = openpyxl.load_workbook(self._path, keep_vba=vba)
            self._cached = openpyxl.load_workbook(self._path, data_only=True)
        except Exception as exc:  # not a workbook, encrypted, truncated…
            raise PortError(f"无法打开工作簿 {self._path.name}：{type(exc).__name__}") from exc
        self._ribbon = _ribbon_parts(self._path)
        self._picks = list(picks or [])
        self._active = active
        self.save_as = Path(save_as) if save_as else None
        self.messages: list[str] = []
        self.echo = echo

    # --- WorkbookPort ------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._path

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def active_sheet(self) -> str:
        if self._active and self._active in self.wb.sheetnames:
            return self._active
        return self.wb.active.title if self.wb.active is not None else self.wb.sheetnames[0]

    def read_grid(self, sheet: str) -> Grid:
        ws = self._ws(sheet)
        cached = self._cached[sheet] if sheet in self._cached.sheetnames else None
        rows: list[list[Any]] = []
        formats: dict[tuple[int, int], str] = {}
        no_cache: set[tuple[int, int]] = set()
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)):
            values = []
            for c, cell in enumerate(row):
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    value = cached.cell(r + 1, c + 1).value if cached is not None else None
                    if value is None:
                        no_cache.add((r, c))
                elif type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
                    value = cached.cell(r + 1, c + 1).value if cached is not None else None
                    if value is None:
                        no_cache.add((r, c))
                if isinstance(value, (_dt.datetime, _dt.date)):
                    value = value.strftime("%Y-%m-%d")
                values.append(normalise_value(value))
                fmt = cell.number_format
                if fmt and fmt != "General" and value is not None:
                    formats[(r, c)] = fmt
            rows.append(values)
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        return Grid(self._path.name, sheet, rows, merged=merged, formats=formats, no_cache=no_cache)

    def add_sheet_from_form(self, name: str, form: Form | None) -> str:
        from ..writers.form_sheet import write_form_sheet
        from .sheetcopy import formula_mode

        title = safe_sheet_name(name, self.wb.sheetnames)
        ws = self.wb.create_sheet(title)
        write_form_sheet(ws, form, formulas=formula_mode(form))
        self.wb.active = self.wb.sheetnames.index(title)
        self._active = title
        return title

    def message(self, text: str) -> None:
        self.messages.append(text)
        if self.echo:
            print(text)

    def pick_folder(self) -> Path | None:
        return self._pick()

    def pick_file(self, filter: str) -> Path | None:
        return self._pick()

    def save(self) -> None:
        target = self.save_as or self._path
        ledger = self.wb[LEDGER_SHEET] if LEDGER_SHEET in self.wb.sheetnames else None
        if ledger is not None and self.wb.active is not None and self.wb.active.title == LEDGER_SHEET:
            self.wb.active = 0
        with atomic_path(target, "工作簿") as tmp:
            self.wb.save(tmp)
            restore_ribbon(Path(tmp), self._ribbon)

    # --- primitives for MarkingPort -----------------------------------------------------------
    def _ws(self, sheet: str):
        if sheet not in self.wb.sheetnames:
            raise PortError(f"工作簿中没有名为「{sheet}」的工作表。")
        return self.wb[sheet]

    def _pick(self) -> Path | None:
        if not self._picks:
            return None
        answer = self._picks.pop(0)
        return None if answer is None else Path(answer)

    def _read_ledger(self) -> list[list[Any]]:
        if LEDGER_SHEET not in self.wb.sheetnames:
            return []
        return [list(r) for r in self.wb[LEDGER_SHEET].iter_rows(min_row=2, values_only=True)]

    def _write_ledger(self, rows: list[list[str]]) -> None:
        if LEDGER_SHEET in self.wb.sheetnames:
            del self.wb[LEDGER_SHEET]
        if not rows:
            return
        ws = self.wb.create_sheet(LEDGER_SHEET)
        ws.sheet_state = "hidden"
        ws.append(LEDGER_HEADER)
        for row in rows:
            ws.append(row)

    def _get_value(self, sheet: str, address: str) -> Any:
        return self._ws(sheet)[address].value

    def _set_value(self, sheet: str, address: str, value: Any) -> None:
        self._ws(sheet)[address].value = _excel_value(value)

    def _get_fill(self, sheet: str, address: str) -> str:
        return tostring(self._ws(sheet)[address].fill.to_tree()).decode("utf-8")

    def _set_fill(self, sheet: str, address: str, fill: str | None) -> None:
        cell = self._ws(sheet)[address]
        if fill is None:
            cell.fill = PatternFill("solid", fgColor="FF" + MARK_RGB)
        elif fill.startswith("rgb:"):  # written by the xlwings port
            rgb = fill[4:]
            cell.fill = PatternFill("solid", fgColor="FF" + rgb) if rgb else PatternFill()
        else:
            try:
                cell.fill = Fill.from_tree(fromstring(fill))
            except Exception:
                cell.fill = PatternFill()

    def _get_comment(self, sheet: str, address: str) -> str | None:
        comment = self._ws(sheet)[address].comment
        return comment.text if comment is not None else None

    def _set_comment(self, sheet: str, address: str, text: str | None) -> None:
        cell = self._ws(sheet)[address]
        if text is None:
            cell.comment = None
        else:
            comment = Comment(text, "xltools")
            comment.width, comment.height = 300, 120
            cell.comment = comment

    def _delete_sheet(self, name: str) -> None:
        if name in self.wb.sheetnames:
            del self.wb[name]

    def _lay_out_table(self, name: str, rows: list[list[Any]]) -> None:
        lay_out_table(self._ws(name), rows)

    def _write_table(self, name: str, rows: list[list[Any]], links: Links, *, create: bool) -> None:
        if create:
            ws = self.wb.create_sheet(name)
        else:
            index = self.wb.sheetnames.index(name)
            del self.wb[name]
            ws = self.wb.create_sheet(name, index)
        for row in rows:
            ws.append([_excel_value(v) for v in row])
        if rows:
            for cell in ws[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="FF" + OUTPUT_HEADER_RGB)
            ws.freeze_panes = "A2"
        for (r, c), (sheet, address) in links.items():
            cell = ws.cell(r + 1, c + 1)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!{address}",
                                       display=str(cell.value or address))
            cell.font = Font(color="FF0563C1", underline="single")
        widths = [max((len(str(row[c])) if c < len(row) and row[c] is not None else 0) for row in rows)
                  for c in range(max((len(r) for r in rows), default=0))]
        for c, width in enumerate(widths):
            ws.column_dimensions[ws.cell(1, c + 1).column_letter].width = min(60, max(8, width * 2 + 2))
