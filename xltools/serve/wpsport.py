"""The workbook port of a WPS workbook posted by the add-in: the Excel ribbon's macros, for WPS.

WPS runs no xlwings, so 校验 and 重算 cannot call Python from the sheet. The add-in posts a
snapshot of the workbook instead (values, merged areas, number formats, fills, comments and the
``_xltools_marks`` ledger, see :mod:`.posted`); this port serves the macros' reads from that
snapshot and records every primitive write as an *edit* the add-in then applies with the WPS
object model. So :func:`xltools.excel.macros.do_validate` and ``do_recalculate`` — the very code
behind the Excel ribbon, with its rules (never over a filer's value, the filer's comment kept,
everything recorded in the ledger so 清除标记 takes it out again) — decide what WPS shows.

Edits, in order (``rgb`` is ``RRGGBB``, empty for no fill)::

    {"op": "value",   "sheet": "疫情防控", "cell": "K25", "value": 9.41}
    {"op": "fill",    "sheet": "疫情防控", "cell": "H28", "rgb": "FFC7CE"}
    {"op": "comment", "sheet": "疫情防控", "cell": "H28", "text": "xltools: [错误] …"}  (null: delete)
    {"op": "table",   "name": "问题清单", "create": true, "rows": [[…]], "links": [[1, 7, "疫情防控", "H28"]],
                      "header_rgb": "DDEBF7"}
    {"op": "delete_sheet", "name": "问题清单"}
    {"op": "ledger",  "rows": [["mark", "疫情防控", "H28", "rgb:", "…"]], "header": [...]}

The rule pack is chosen by the request, handed to the macros through a configuration sheet of
this port's own (``xlwings.conf``, ``XLTOOLS_RULES`` = a built-in pack's name or the uploaded
file in the private folder), the same place the Excel template keeps it; a configuration
sheet posted by the add-in is ignored, so a workbook cannot make the service read a path.

Example::

    >>> port = PostedWorkbookPort("a.xlsx", [{"name": "表1", "values": [["项目名称", "甲"]]}])
    >>> port.write("表1", "C1", 9.5); port.edits
    [{'op': 'value', 'sheet': '表1', 'cell': 'C1', 'value': 9.5}, {'op': 'ledger', 'header': ['类型', '工作表', '单元格', '原格式', '说明'], 'rows': [['value', '表1', 'C1', '9.5', '']]}]
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.model import Form
from ..excel.macros import CONF_SHEETS
from ..excel.marks import LEDGER_HEADER, LEDGER_SHEET, MARK_RGB, OUTPUT_HEADER_RGB, MarkingPort
from ..excel.port import Links, PortError
from ..readers.grid import Grid
from .posted import PayloadError, PostedSheet, parse_a1, parse_sheet, sheet_grid



def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rgb_of(fill: str | None) -> str:
    """A ledger's recorded fill → ``RRGGBB`` ('' = none); openpyxl-written fills are XML."""
    if not fill:
        return ""
    if fill.startswith("rgb:"):
        return fill[4:10] if len(fill) == 10 else ""
    if fill.startswith("<"):
        m = re.search(r'fgColor rgb="(?:[0-9A-Fa-f]{2})?([0-9A-Fa-f]{6})"', fill)
        return m.group(1).upper() if m and 'patternType="solid"' in fill else ""
    return ""


def _put(sheet: PostedSheet, row: int, col: int, value: Any) -> None:
    """Set a 1-based cell of a posted sheet, growing its block of values as needed."""
    if row < sheet.first_row or col < sheet.first_col:  # left of or above the block: regrow it
        up, left = max(0, sheet.first_row - row), max(0, sheet.first_col - col)
        width = left + max((len(r) for r in sheet.values), default=0)
        sheet.values = [[None] * width for _ in range(up)] + [[None] * left + r for r in sheet.values]
        sheet.first_row, sheet.first_col = sheet.first_row - up, sheet.first_col - left
    r, c = row - sheet.first_row, col - sheet.first_col
    while len(sheet.values) <= r:
        sheet.values.append([])
    line = sheet.values[r]
    if len(line) <= c:
        line.extend([None] * (c + 1 - len(line)))
    line[c] = value


class PostedWorkbookPort(MarkingPort):
    """A :class:`~xltools.excel.port.WorkbookPort` over a posted snapshot; writes become edits."""

    def __init__(self, workbook: str, sheets: list[Any], *, ledger: list[list[Any]] | None = None,
                 active: str | None = None, rules: str | None = None):
        if not isinstance(sheets, list):
            raise PayloadError("sheets 应为工作表的列表。")
        self.workbook = workbook
        self.sheets: dict[str, PostedSheet] = {}
        for data in sheets:
            sheet = parse_sheet(data)
            if sheet.name in CONF_SHEETS or sheet.name == LEDGER_SHEET:
                continue  # ours: the ledger comes apart, the configuration is the request's
            self.sheets[sheet.name] = sheet
        self.fills: dict[tuple[str, int, int], str] = {}
        self.comments: dict[tuple[str, int, int], str | None] = {}
        self.ledger = [list(r) for r in (ledger or []) if isinstance(r, list)]
        self.active = active if active in self.sheets else next(iter(self.sheets), "")
        self.rules = rules
        self.edits: list[dict[str, Any]] = []
        self.messages: list[str] = []
        self._grids: dict[str, Grid] = {}

    # --- WorkbookPort ------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return None  # the service never learns (nor opens) where the workbook lives

    def sheet_names(self) -> list[str]:
        names = list(self.sheets)
        return names

    def active_sheet(self) -> str:
        return self.active

    def read_grid(self, sheet: str) -> Grid:
        if sheet not in self.sheets:
            raise PortError(f"工作簿中没有工作表「{sheet}」。")
        if sheet not in self._grids:
            self._grids[sheet] = sheet_grid(self.workbook, self.sheets[sheet])
        return self._grids[sheet]

    def add_sheet_from_form(self, name: str, form: Form | None) -> str:
        raise PortError("WPS 加载项不支持此操作。")

    def message(self, text: str) -> None:
        self.messages.append(text)

    def pick_folder(self) -> Path | None:
        return None

    def pick_file(self, filter: str) -> Path | None:
        return None

    def save(self) -> None:
        pass  # the user saves in WPS

    # --- MarkingPort primitives --------------------------------------------------------------
    def _key(self, sheet: str, address: str) -> tuple[str, int, int]:
        row, col = parse_a1(address)
        return sheet, row, col

    def _read_ledger(self) -> list[list[Any]]:
        return self.ledger

    def _write_ledger(self, rows: list[list[str]]) -> None:
        self.ledger = [list(r) for r in rows]
        self.edits.append({"op": "ledger", "header": list(LEDGER_HEADER), "rows": self.ledger})

    def _get_value(self, sheet: str, address: str) -> Any:
        key = self._key(sheet, address)
        posted = self.sheets.get(sheet)
        if posted is None:
            return None
        r, c = key[1] - posted.first_row, key[2] - posted.first_col
        if 0 <= r < len(posted.values) and 0 <= c < len(posted.values[r]):
            return posted.values[r][c]
        return None

    def _set_value(self, sheet: str, address: str, value: Any) -> None:
        """Into the snapshot too: a grid read afterwards (重算 after 清除) sees the sheet as WPS will."""
        _, row, col = self._key(sheet, address)
        posted = self.sheets.get(sheet)
        if posted is not None:
            _put(posted, row, col, _json_value(value))
            self._grids.pop(sheet, None)
        self.edits.append({"op": "value", "sheet": sheet, "cell": address.upper(),
                           "value": _json_value(value)})

    def _get_fill(self, sheet: str, address: str) -> str:
        key = self._key(sheet, address)
        if key in self.fills:
            return "rgb:" + self.fills[key]
        posted = self.sheets.get(sheet)
        rgb = posted.fills.get(key[1:], "") if posted else ""
        return "rgb:" + (rgb.upper() if re.fullmatch(r"[0-9A-Fa-f]{6}", rgb) else "")

    def _set_fill(self, sheet: str, address: str, fill: str | None) -> None:
        rgb = MARK_RGB if fill is None else _rgb_of(fill)
        self.fills[self._key(sheet, address)] = rgb
        self.edits.append({"op": "fill", "sheet": sheet, "cell": address.upper(), "rgb": rgb})

    def _get_comment(self, sheet: str, address: str) -> str | None:
        key = self._key(sheet, address)
        if key in self.comments:
            return self.comments[key]
        posted = self.sheets.get(sheet)
        return posted.comments.get(key[1:]) if posted else None

    def _set_comment(self, sheet: str, address: str, text: str | None) -> None:
        self.comments[self._key(sheet, address)] = text
        self.edits.append({"op": "comment", "sheet": sheet, "cell": address.upper(), "text": text})

    def _delete_sheet(self, name: str) -> None:
        self.sheets.pop(name, None)
        self.edits.append({"op": "delete_sheet", "name": name})

    def _write_table(self, name: str, rows: list[list[Any]], links: Links, *, create: bool) -> None:
        if create:
            self.sheets[name] = PostedSheet(name, 1, 1, [])
        self.sheets[name].values = [[_json_value(v) for v in row] for row in rows]
        self._grids.pop(name, None)
        self.edits.append({
            "op": "table", "name": name, "create": create,
            "rows": [[_json_value(v) for v in row] for row in rows],
            "links": [[r, c, target, address] for (r, c), (target, address) in sorted(links.items())],
            "header_rgb": OUTPUT_HEADER_RGB,
        })
