"""The findings of a check as a workbook of their own: one sheet 问题清单.

The same rows as the 部门汇总's 问题清单 (:func:`xltools.writers.rows.finding_rows`, columns
:data:`~xltools.writers.rows.FINDING_COLUMNS`), for a user who wants only the list. The 位置 column
is text (``宣传部.xlsx｜疫情防控!H28``), not a link: the local page's uploads are gone once
the page is closed. Text copied from a form is written as text, never as a formula; the file is
written atomically.

Example::

    >>> write_findings(pairs_of(report)[1], "问题清单.xlsx")          # doctest: +SKIP
    PosixPath('问题清单.xlsx')
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Iterable

import xlsxwriter

from ..core.model import Finding
from . import rows as R
from .atomic import OutputError, atomic_path, os_reason

SHEET = "问题清单"


def write_findings(pairs: Iterable[tuple[str, Finding]], out_path: str | Path) -> Path:
    """Write ``(file path, finding)`` pairs to ``out_path``; :class:`OutputError` on failure."""
    out = Path(out_path)
    rows = R.finding_rows(pairs)
    with atomic_path(out, "问题清单") as tmp:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False})
        try:
            ws = wb.add_worksheet(SHEET)
            head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
            wrap = wb.add_format({"text_wrap": True, "valign": "top"})
            top = wb.add_format({"valign": "top"})
            for c, col in enumerate(R.FINDING_COLUMNS):
                ws.write_string(0, c, col.header, head)
                ws.set_column(c, c, col.width, wrap if col.header == "问题说明" else top)
            for r, row in enumerate(rows, 1):
                for c, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                        ws.write_number(r, c, float(value))
                    else:
                        ws.write_string(r, c, str(value))
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(rows), 1), len(R.FINDING_COLUMNS) - 1)
        finally:
            try:
                wb.close()
            except OSError as exc:
                raise OutputError(f"无法写入问题清单 {out.name}：{os_reason(exc)}。") from exc
    return out
