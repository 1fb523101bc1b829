"""A workbook posted by the WPS 加载项 (JSON) → one :class:`~xltools.readers.grid.Grid` per sheet.

The add-in sends each sheet's used range as WPS gives it (``Range.Value2``: numbers, text,
booleans; dates as serial numbers), the number formats of the cells that have one, the merged
areas as A1 ranges, and the fills and comments the ledger logic needs (see :mod:`.wpsport`)::

    {"name": "疫情防控", "first_row": 1, "first_col": 1,
     "values": [["项目支出绩效自评表", null], …],
     "formats": [[5, 3, "0.00%"]], "merges": ["A1:J1", "A3:B3"],
     "fills": [[7, 8, "FFFF00"]], "comments": [[28, 8, "填报人的说明"]]}

Rows and columns in ``formats``, ``fills`` and ``comments`` are 1-based sheet coordinates. A
number whose format is a date format becomes the date text a reader shows (``2020年12月20日``),
as the Excel reader does; everything else goes through :func:`~xltools.readers.grid.normalise_value`.
A payload that is not of this shape raises :class:`PayloadError` with a Chinese line.

    >>> sheet = {"name": "表1", "first_row": 3, "first_col": 2, "values": [["项目名称", "访惠聚"]],
    ...          "merges": ["C3:D3"]}
    >>> g = sheet_grid("a.xlsx", sheet)
    >>> g.address(0, 1), g.merged, g.text(0, 1)
    ('C3', [(0, 1, 0, 2)], '访惠聚')
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from ..readers.grid import Grid, normalise_value

MAX_CELLS = 1_000_000  # rows × columns of one posted sheet
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


class PayloadError(ValueError):
    """The posted JSON is not a workbook snapshot; ``args[0]`` is one Chinese line."""


@dataclass
class PostedSheet:
    name: str
    first_row: int  # 1-based sheet row of values[0]
    first_col: int
    values: list[list[Any]]
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # 1-based (row, col)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based, inclusive
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    comments: dict[tuple[int, int], str] = field(default_factory=dict)


def parse_a1(ref: str) -> tuple[int, int]:
    """``"$C$12"`` → ``(12, 3)`` (1-based row, column)."""
    m = _A1.match(ref.strip())
    if not m:
        raise PayloadError(f"单元格地址“{ref}”无法识别。")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:C2"`` → ``(1, 1, 2, 3)``; a sheet name before ``!`` is dropped."""
    ref = ref.rsplit("!", 1)[-1]
    first, _, last = ref.partition(":")
    r1, c1 = parse_a1(first)
    r2, c2 = parse_a1(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _int(value: Any, what: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < low:
        raise PayloadError(f"{what}应为不小于 {low} 的整数。")
    return int(value)


def _cells(items: Any, what: str) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for item in items or ():
        if not isinstance(item, (list, tuple)) or len(item) != 3 or not isinstance(item[2], str):
            raise PayloadError(f"{what}的每一项应为 [行, 列, 文字]。")
        out[(_int(item[0], what), _int(item[1], what))] = item[2]
    return out


def parse_sheet(data: Any) -> PostedSheet:
    """One sheet of the payload, checked."""
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise PayloadError("每个工作表都需要名称（name）。")
    name = data["name"]
    values = data.get("values") or []
    if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
        raise PayloadError(f"工作表“{name}”的 values 应为二维数组。")
    width = max((len(r) for r in values), default=0)
    if len(values) * width > MAX_CELLS:
        raise PayloadError(f"工作表“{name}”的已用区域过大（超过 {MAX_CELLS} 个单元格）。")
    for row in values:
        for v in row:
            if v is not None and not isinstance(v, (str, int, float, bool)):
                raise PayloadError(f"工作表“{name}”含有无法识别的单元格值。")
    merges = data.get("merges") or []
    if not isinstance(merges, list) or not all(isinstance(m, str) for m in merges):
        raise PayloadError(f"工作表“{name}”的 merges 应为 A1 区域的列表。")
    return PostedSheet(
        name=name,
        first_row=_int(data.get("first_row", 1), "first_row"),
        first_col=_int(data.get("first_col", 1), "first_col"),
        values=values,
        formats=_cells(data.get("formats"), f"工作表“{name}”的 formats"),
        merges=[parse_range(m) for m in merges],
        fills=_cells(data.get("fills"), f"工作表“{name}”的 fills"),
        comments=_cells(data.get("comments"), f"工作表“{name}”的 comments"),
    )


def _is_date_format(fmt: str) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return is_date_format(fmt)


def cell_value(value: Any, fmt: str | None) -> Any:
    """A posted value as the grid holds it: a date-formatted serial becomes date text.

    >>> cell_value(44185, "yyyy/m/d"), cell_value(0.8, "0%"), cell_value("  ", None)
    ('2020年12月20日', Decimal('0.8'), None)
    """
    if fmt and isinstance(value, (int, float)) and not isinstance(value, bool) and _is_date_format(fmt):
        from openpyxl.utils.datetime import from_excel

        try:
            moment = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            moment = None
        if isinstance(moment, (datetime.datetime, datetime.date, datetime.time)):
            return normalise_value(moment)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # 5.0 → 5, as the Excel reader does
    return normalise_value(value)


def sheet_grid(file: str, data: Any) -> Grid:
    """The :class:`Grid` of one posted sheet (``file`` is the workbook's name)."""
    sheet = data if isinstance(data, PostedSheet) else parse_sheet(data)
    r0, c0 = sheet.first_row - 1, sheet.first_col - 1
    formats = {(r - 1 - r0, c - 1 - c0): f for (r, c), f in sheet.formats.items()
               if f and f != "General" and r - 1 >= r0 and c - 1 >= c0}
    rows = [[cell_value(v, formats.get((r, c))) for c, v in enumerate(row)]
            for r, row in enumerate(sheet.values)]
    height, width = len(rows), max((len(r) for r in rows), default=0)
    merged = []
    for r1, c1, r2, c2 in sheet.merges:
        a, b, c, d = r1 - 1 - r0, c1 - 1 - c0, r2 - 1 - r0, c2 - 1 - c0
        if c < 0 or d < 0 or a >= height or b >= width or (a == c and b == d):
            continue
        merged.append((max(a, 0), max(b, 0), c, d))
    formats = {k: v for k, v in formats.items() if k[0] < height}
    return Grid(file, sheet.name, rows, origin=(r0, c0), merged=merged, formats=formats)
