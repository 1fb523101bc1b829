"""A form sheet as plain data, so a port without openpyxl worksheets (xlwings) can copy it.

``write_form_sheet`` draws the national layout on an openpyxl worksheet; :func:`form_snapshot`
runs it on a scratch workbook and keeps what a plain copy needs: values (formulas as ``=…``
text), merged ranges, number formats and column widths.

    >>> snap = form_snapshot(None)          # the empty national frame
    >>> any("项目名称" in str(v) for row in snap.rows for v in row)
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.model import Form


@dataclass
class SheetSnapshot:
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based inclusive
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # 0-based column → width


def formula_mode(form: Form | None):
    """A new empty form gets every formula; an imported form keeps the values the filer wrote
    and gets formulas only where a cell was left empty (the filed values are what we check)."""
    return True if form is None else "missing"


def _plain(value: Any) -> Any:
    """A value Excel can take: numbers stay numbers (Decimal → float), the rest as text."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (str, int, float, type(None))) and not isinstance(value, bool):
        return value
    return str(value)


def form_snapshot(form: Form | None) -> SheetSnapshot:
    import openpyxl
    from openpyxl.utils import column_index_from_string

    from ..writers.form_sheet import write_form_sheet

    ws = openpyxl.Workbook().active
    write_form_sheet(ws, form, formulas=formula_mode(form))
    rows, formats = [], {}
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)):
        rows.append([_plain(cell.value) for cell in row])
        for c, cell in enumerate(row):
            if cell.number_format and cell.number_format != "General":
                formats[(r, c)] = cell.number_format
    merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
    widths = {column_index_from_string(k) - 1: d.width for k, d in ws.column_dimensions.items() if d.width}
    return SheetSnapshot(rows, merges, formats, widths)
