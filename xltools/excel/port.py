"""The workbook port: the few operations the ribbon macros need, whatever drives the workbook.

Macros never talk to Excel or openpyxl directly; they take a :class:`WorkbookPort`. Excel hands
them an :class:`~xltools.excel.port_xlwings.XlwingsPort` (``xw.Book.caller()``); tests and the CLI
hand them an :class:`~xltools.excel.port_openpyxl.OpenpyxlPort` on a copy of a workbook.

Everything the port writes into a filer's sheet is *ours* and recorded in the hidden ledger
sheet ``_xltools_marks`` (see :mod:`xltools.excel.marks`), so :meth:`WorkbookPort.clear_marks`
can take exactly that back out and nothing else.

Example (what a macro does with a port)::

    grid = port.read_grid("疫情防控")              # values, merges, number formats, provenance
    port.write("疫情防控", "J12", Decimal("9.41"))   # only into an empty cell or one of ours
    port.mark("疫情防控", "G25", "得分与规则不符：应为 9.41，报告值 10")
    port.replace_sheet("问题清单", rows, links={(1, 7): ("疫情防控", "G25")})
    port.message("校验完成：错误 1 条。")
    port.save()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..core.model import Form
from ..readers.grid import Grid

#: (row index in ``rows``, column index) → (target sheet, target A1 address)
Links = dict[tuple[int, int], tuple[str, str]]


class PortError(Exception):
    """A port operation refused or failed; ``str(exc)`` is one Chinese line for the user."""


@runtime_checkable
class WorkbookPort(Protocol):
    """What a macro may do with the workbook it runs in."""

    @property
    def path(self) -> Path | None:
        """The workbook's file on disk (``None`` for a new, never-saved workbook)."""

    def sheet_names(self) -> list[str]:
        """Every sheet, in tab order (hidden ones included)."""

    def active_sheet(self) -> str:
        """The sheet the user is looking at."""

    def read_grid(self, sheet: str) -> Grid:
        """The sheet's used range from A1 as a :class:`Grid` (file = workbook file name)."""

    def write(self, sheet: str, address: str, value: Any) -> None:
        """Write one of *our* values; raises :class:`PortError` over a filer's non-empty cell."""

    def mark(self, sheet: str, address: str, note: str) -> None:
        """Highlight a cell and attach an ``xltools:`` comment (the filer's comment is kept)."""

    def clear_marks(self, *, sheets: bool = True) -> int:
        """Remove our fills, comments and values (and our output sheets when ``sheets``)."""

    def replace_sheet(self, name: str, rows: list[list[Any]], *, links: Links | None = None) -> None:
        """Create (or clear and rewrite) one of our output sheets, with internal hyperlinks."""

    def add_sheet_from_form(self, name: str, form: Form | None) -> str:
        """Add a sheet holding ``form`` in the national layout; returns the sheet name used."""

    def message(self, text: str) -> None:
        """Tell the user (a message box in Excel)."""

    def pick_folder(self) -> Path | None:
        """Ask for a folder; ``None`` when cancelled."""

    def pick_file(self, filter: str) -> Path | None:
        """Ask for a file (``filter`` like ``"Word 文档 (*.docx),*.docx"``); ``None`` if cancelled."""

    def save(self) -> None:
        """Persist the workbook."""
