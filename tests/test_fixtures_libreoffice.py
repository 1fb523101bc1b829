"""LibreOffice recalculates a formulas=True workbook; the bundled samples carry cached values."""

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from fixtures.builders import load_seed, write_national_xlsx
from lo import pdf_to_png, recalc_values, requires_soffice, to_pdf

SAMPLES = Path(__file__).resolve().parents[1] / "workbooks" / "samples"


@requires_soffice
def test_recalculated_rate_of_wenhua(seed_path, tmp_path):
    form = next(f for f in load_seed(seed_path) if f.project_name == "文化强州专项资金")
    path = write_national_xlsx([form], tmp_path / "f.xlsx", formulas=True)
    ws = recalc_values(path, tmp_path).active
    r = next(c.row for c in ws["B"] if c.value == "年度资金总额")
    rate = Decimal(repr(ws.cell(r, 7).value))
    assert rate.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("0.76")
    assert ws.cell(r, 8).value == 7.59   # ROUND(10 × 0.7595, 2)


@requires_soffice
def test_pdf_and_png(tmp_path):
    from fixtures.builders import synthetic_form
    pdf = to_pdf(write_national_xlsx([synthetic_form()], tmp_path / "a.xlsx"), tmp_path)
    assert pdf.read_bytes()[:4] == b"%PDF"
    pngs = pdf_to_png(pdf, tmp_path / "png" / "page", dpi=30)
    assert pngs and pngs[0].read_bytes()[:4] == b"\x89PNG"


def test_bundled_samples_exist_small_and_hold_the_filed_values(seed_path):
    files = sorted(SAMPLES.iterdir())
    assert sum(p.stat().st_size for p in files) < 1_000_000
    xlsx = next(p for p in files if p.name.endswith("_自评表.xlsx"))
    assert any(p.suffix == ".docx" for p in files)
    assert len([p for p in files if "示例" in p.name]) == 4
    wb = openpyxl.load_workbook(xlsx, data_only=True)
    assert len(wb.sheetnames) == 6
    assert all(ws.merged_cells.ranges for ws in wb.worksheets)
    seed = load_seed(seed_path)
    for ws, form in zip(wb.worksheets, seed):
        total_row = next(c.row for c in ws["A"] if c.value == "总分")
        numbers = [c.value for c in ws[total_row] if isinstance(c.value, (int, float))]
        assert Decimal(repr(numbers[-1])) == Decimal(form.reported_total)
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(2).to_python()
    assert any("年度资金总额" in str(v) for row in rows for v in row)
