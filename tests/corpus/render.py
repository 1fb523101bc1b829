"""Render the corpus of real forms (tests/corpus/forms/*.json) to .xlsx and .docx.

Each corpus file holds one published form transcribed verbatim (see tests/corpus/README.md).
Its ``layout.rows`` are rows of cells as in an HTML table: a cell is a string, or an object
``{"t": text, "cs": colspan, "rs": rowspan}``; cells are placed left to right, skipping grid
positions taken by a rowspan from above — the same algorithm a browser uses. A string that is a
plain number (``"43.2"``) is written as a number in Excel, everything else as text, verbatim.

Usage::

    python tests/corpus/render.py OUTDIR            # every form as .xlsx, some also as .docx

Worked example::

    >>> g = place([[{"t": "项目名称", "cs": 2}, "示例"], ["a", "b", "c"]])
    >>> g.width, g.height, g.cells[(0, 0)].text, g.cells[(0, 2)].text, g.merges
    (3, 2, '项目名称', '示例', [(0, 0, 0, 1)])

Nothing here knows xltools: the renderer writes what the corpus says, and nothing else.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMS = HERE / "forms"

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class Placed:
    """A cell at its grid position with its span."""

    text: str
    rs: int = 1
    cs: int = 1


@dataclass
class Grid:
    """The placed table: anchors by (row, col), merges as (r1, c1, r2, c2), all 0-based."""

    cells: dict[tuple[int, int], Placed] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    width: int = 0
    height: int = 0

    def text(self, r: int, c: int) -> str:
        cell = self.cells.get((r, c))
        return cell.text if cell else ""


def _cell(raw) -> Placed:
    if isinstance(raw, str):
        return Placed(raw)
    if raw is None:
        return Placed("")
    return Placed(str(raw.get("t", "")), int(raw.get("rs", 1)), int(raw.get("cs", 1)))


def place(rows: list[list]) -> Grid:
    """Place rows of (possibly spanning) cells on a grid, as an HTML table does."""
    grid = Grid()
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for raw in row:
            cell = _cell(raw)
            while (r, c) in taken:
                c += 1
            grid.cells[(r, c)] = cell
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    taken.add((r + dr, c + dc))
            if cell.rs > 1 or cell.cs > 1:
                grid.merges.append((r, c, r + cell.rs - 1, c + cell.cs - 1))
            grid.width = max(grid.width, c + cell.cs)
            grid.height = max(grid.height, r + cell.rs)
            c += cell.cs
        grid.height = max(grid.height, r + 1)
    return grid


def load(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data.setdefault("id", Path(path).stem)
    return data


def corpus_files() -> list[Path]:
    return sorted(FORMS.glob("*.json"))


def load_corpus() -> list[dict]:
    return [load(p) for p in corpus_files()]


def excel_value(text: str):
    """A plain number becomes a number (as a filer's cell would be); everything else stays text."""
    if NUMBER.match(text):
        try:
            d = Decimal(text)
        except InvalidOperation:
            return text
        return int(d) if d == d.to_integral_value() and "." not in text else float(d)
    return text


def write_grid(ws, grid: Grid, top: int = 0, left: int = 0) -> None:
    """Write a placed grid on an openpyxl sheet at 0-based (top, left), merges included."""
    from openpyxl.styles import Alignment

    wrap = Alignment(wrap_text=True, vertical="center")
    for (r, c), cell in grid.cells.items():
        if cell.text == "":
            continue
        xc = ws.cell(row=top + r + 1, column=left + c + 1, value=excel_value(cell.text))
        if isinstance(xc.value, str) and xc.value.startswith("="):
            xc.data_type = "s"  # "=100%" typed as text by the filer, not a formula
        if "\n" in cell.text:
            xc.alignment = wrap
    for r1, c1, r2, c2 in grid.merges:
        ws.merge_cells(start_row=top + r1 + 1, start_column=left + c1 + 1,
                       end_row=top + r2 + 1, end_column=left + c2 + 1)


def sheet_title(form: dict) -> str:
    name = form.get("sheet") or form["expected"].get("project") or "Sheet1"
    name = re.sub(r"[\[\]\*\?/\\:]", "", name)
    return name[:31] or "Sheet1"


def write_xlsx(grids: list[tuple[Grid, int, int]], path: str | Path, title: str = "Sheet1") -> Path:
    """Write one sheet holding each (grid, top, left)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for grid, top, left in grids:
        write_grid(ws, grid, top, left)
    for col in range(1, (max((g.width + l for g, _, l in grids), default=1)) + 1):
        ws.column_dimensions[_col_letter(col)].width = 14
    wb.save(path)
    return Path(path)


def _col_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def write_docx(grids: list[Grid], path: str | Path, paragraphs: list[str] | None = None) -> Path:
    """Write each grid as a Word table (merged cells merged), after optional title paragraphs."""
    import docx

    doc = docx.Document()
    for text in paragraphs or []:
        doc.add_paragraph(text)
    for grid in grids:
        table = doc.add_table(rows=grid.height, cols=grid.width)
        table.style = "Table Grid"
        for r1, c1, r2, c2 in grid.merges:
            table.cell(r1, c1).merge(table.cell(r2, c2))
        for (r, c), cell in grid.cells.items():
            target = table.cell(r, c)
            lines = cell.text.split("\n")
            target.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                target.add_paragraph(line)
        doc.add_paragraph("")
    doc.save(path)
    return Path(path)


def wants_docx(form: dict, index: int = 0) -> bool:
    """Forms published as Word are rendered as .docx too, and about one in four others.

    The choice depends on the form's id only (not on its place in the corpus), so adding a form
    does not move others between .xlsx and .docx.
    """
    return form.get("published_as") == "docx" or zlib.crc32(form["id"].encode("utf-8")) % 4 == 0


def render_form(form: dict, outdir: Path, index: int = 1) -> list[Path]:
    """The form as .xlsx (always) and .docx (Word originals and every 4th form)."""
    outdir.mkdir(parents=True, exist_ok=True)
    grid = place(form["layout"]["rows"])
    out = [write_xlsx([(grid, 0, 0)], outdir / f"{form['id']}.xlsx", sheet_title(form))]
    if wants_docx(form, index):
        out.append(write_docx([grid], outdir / f"{form['id']}.docx"))
    return out


def render_all(outdir: str | Path) -> dict[str, list[Path]]:
    """Render every corpus form; returns form id → rendered files."""
    outdir = Path(outdir)
    return {form["id"]: render_form(form, outdir, i)
            for i, form in enumerate(load_corpus(), start=1)}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/corpus/render.py OUTDIR", file=sys.stderr)
        return 2
    done = render_all(argv[0])
    print(f"{sum(len(v) for v in done.values())} files for {len(done)} forms in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
