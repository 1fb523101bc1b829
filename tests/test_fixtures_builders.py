"""Every builder writes a file openpyxl and calamine open, with merges and labels in place."""

import zipfile

import docx
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from fixtures.builders import (OLE_MAGIC, load_seed, synthetic_form, write_anhui_xlsx,
                               write_bad_inputs, write_hebei_xlsx, write_national_xlsx,
                               write_seed_docx, write_shanxi_xlsx, write_sichuan_xlsx,
                               write_yuan_funds_xlsx)


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_seed(seed_path)


def calamine_rows(path, sheet=0):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(sheet).to_python()


def find(ws, text):
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.replace(" ", "").startswith(text):
                return cell
    raise AssertionError(f"{text} not found")


def test_national_one_sheet_per_form(seed, tmp_path):
    path = write_national_xlsx(seed, tmp_path / "dept.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [f.project_name[:31] for f in seed]
    ws = wb["文化强州专项资金"]
    assert ws["A1"].value == "项目支出绩效自评表" and "A1:I1" in ws.merged_cells
    assert ws["B3"].value == "文化强州专项资金" and "B3:I3" in ws.merged_cells
    funds = find(ws, "项目资金")
    r = funds.row
    assert f"A{r}:A{r + 4}" in ws.merged_cells
    assert [ws.cell(r, c).value for c in range(3, 9)] == \
        ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert ws.cell(r + 1, 4).value == 1060.58 and ws.cell(r + 1, 7).value == 0.76
    assert ws.cell(r + 1, 7).number_format == "0%"
    header = find(ws, "绩效指标")
    h = header.row
    assert (ws.cell(h, 5).value, ws.cell(h + 1, 5).value) == ("年度", "指标值")
    assert f"B{h}:B{h + 1}" in ws.merged_cells          # 一级指标 header over two rows
    assert ws.cell(h + 2, 2).value is None               # the empty 一级 of the 产出 block …
    assert any(str(m).startswith(f"B{h + 2}:B") for m in ws.merged_cells.ranges)  # … merged
    total = find(ws, "总分")
    assert [ws.cell(total.row, c).value for c in (7, 8)] == [100, 87.6]
    rows = calamine_rows(path, 2)
    assert rows[2][1] == "文化强州专项资金"


def test_shifted_funds_row_written_as_in_word(seed, tmp_path):
    form = next(f for f in seed if len(f.funds_rows[0]) == 9)
    ws = openpyxl.load_workbook(write_national_xlsx([form], tmp_path / "x.xlsx")).active
    r = find(ws, "年度资金总额").row
    assert [ws.cell(r, c).value for c in range(3, 10)] == [5, 5, None, 5, 10, 1, 10]


def test_stacked_offset_text_and_formulas(seed, tmp_path):
    path = write_national_xlsx(seed[:2], tmp_path / "s.xlsx", stacked=True, offset=(3, 2),
                               rate_as="text", numbers_as_text=True, formulas=False)
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == 1
    ws = wb.active
    assert ws["C4"].value == "项目支出绩效自评表"
    names = [c for c in ws["D"] if c.value in (seed[0].project_name, seed[1].project_name)]
    gap = 2  # default blank rows between stacked forms
    assert len(names) == 2
    assert names[1].row == names[0].row + len(seed[0].title_rows) + len(seed[0].rows) + gap
    r = find(ws, "年度资金总额").row
    assert ws.cell(r, 4 + 2).value == "13" and ws.cell(r, 8 + 1).value == "100%"
    f = write_national_xlsx(seed[2:3], tmp_path / "f.xlsx", formulas=True)
    ws = openpyxl.load_workbook(f).active
    r = find(ws, "年度资金总额").row
    assert ws.cell(r, 7).value == f"=IFERROR(E{r}/D{r},0)"
    assert ws.cell(r, 8).value == f"=ROUND(F{r}*MIN(G{r},1),2)"
    assert openpyxl.load_workbook(f, data_only=True).active.cell(r, 7).value is None
    t = find(ws, "总分").row
    assert ws.cell(t, 8).value.startswith(f"=H{r}+SUM(")


def test_yuan_funds(seed, tmp_path):
    ws = openpyxl.load_workbook(write_yuan_funds_xlsx(seed[2:3], tmp_path / "y.xlsx")).active
    funds = find(ws, "项目资金")
    assert "（元）" in funds.value
    assert ws.cell(funds.row + 1, 4).value == 10605800


def test_docx_six_tables_with_merges(seed, tmp_path):
    d = docx.Document(write_seed_docx(seed, tmp_path / "dept.docx"))
    assert len(d.tables) == 6
    assert d.paragraphs[0].text == "项目支出绩效自评表"
    for table, form in zip(d.tables, seed):
        xml = table._tbl.xml
        assert 'w:vMerge w:val="restart"' in xml and "w:gridSpan" in xml
        assert table.cell(0, 1).text == form.project_name
        assert table.cell(0, 8).text == form.project_name   # horizontal merge
    odd = d.tables[[len(f.funds_rows[0]) for f in seed].index(9)]
    funds = next(i for i, r in enumerate(odd.rows) if r.cells[1].text == "年度资金总额")
    assert len(odd.rows[funds]._tr.tc_lst) == 9
    assert len(odd.rows[funds - 1]._tr.tc_lst) == 8


def test_provincial_builders(real_forms_path, tmp_path):
    sc = openpyxl.load_workbook(write_sichuan_xlsx(real_forms_path, tmp_path / "sc.xlsx"))
    assert sc.sheetnames == ["F11", "F12"]
    ws = sc["F11"]
    assert find(ws, "预算执行情况(10分)") and find(ws, "绩效指标(90分)")
    r = find(ws, "总额").row
    assert ws.cell(r, 4).value == 3.36 and ws.cell(r, 6).number_format == "0.00%"
    assert "示例" in sc["F12"]["B3"].value                      # synthetic, and says so
    hb = openpyxl.load_workbook(write_hebei_xlsx(real_forms_path, tmp_path / "hb.xlsx")).active
    head = find(hb, "预期指标值")
    assert [hb.cell(head.row + 1, c).value for c in (5, 6, 7)] == ["符号", "值", "单位(文字描述)"]
    assert hb.cell(head.row + 2, 5).value == ">="
    ah = openpyxl.load_workbook(write_anhui_xlsx(real_forms_path, tmp_path / "ah.xlsx")).active
    r = find(ah, "年度资金总额").row
    assert [ah.cell(r, c).value for c in (3, 4, 5)] == [0, 0, 0]
    assert ah.cell(r + 1, 2).value == "其中:本年财政拨款" and ah.cell(r + 1, 4).value == 89.974
    assert find(ah, "产出指标(50分)")
    sx = openpyxl.load_workbook(write_shanxi_xlsx(real_forms_path, tmp_path / "sx.xlsx")).active
    r = find(sx, "年度资金总额").row
    assert sx.cell(r, 3).value is None and sx.cell(r, 4).value == 65.66
    assert find(sx, "指标1:全县参合人数")
    for name in ("sc", "hb", "ah", "sx"):
        assert calamine_rows(tmp_path / f"{name}.xlsx")


def test_bad_inputs(tmp_path):
    files = write_bad_inputs(tmp_path)
    assert files["empty"].stat().st_size == 0
    assert not zipfile.is_zipfile(files["text_as_xlsx"])
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(files["truncated"])
    enc = files["encrypted"].read_bytes()
    assert enc[:8] == OLE_MAGIC and "EncryptionInfo".encode("utf-16-le") in enc
    import olefile
    with olefile.OleFileIO(str(files["encrypted"])) as ole:
        assert ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
    bomb = files["zip_bomb"]
    assert bomb.stat().st_size < 2_000_000
    with zipfile.ZipFile(bomb) as z:
        assert max(i.file_size for i in z.infolist()) >= 600 * 1024 * 1024
        with z.open("xl/worksheets/sheet1.xml") as member:
            assert member.read(1 << 16) == bytes(1 << 16)
    assert files["lock_file"].name.startswith("~$") and files["lock_file"].stat().st_size == 165
    wb = openpyxl.load_workbook(files["empty_sheet"])
    assert len(wb.sheetnames) == 1 and wb.active.max_row == 1 and wb.active["A1"].value is None
    assert openpyxl.load_workbook(files["no_form"]).active["A1"].value == "姓名"
    ws = openpyxl.load_workbook(files["formula_text"]).active
    cell = find(ws, '=HYPERLINK(')
    assert cell.data_type == "s"
    assert calamine_rows(files["formula_text"])[cell.row - 1][3] == '=HYPERLINK("http://x","点击")'


def test_synthetic_form_needs_no_shared(tmp_path):
    form = synthetic_form()
    assert form.reported_total is not None and form.project_name.endswith("（虚构）")
    ws = openpyxl.load_workbook(write_national_xlsx([form], tmp_path / "a.xlsx")).active
    assert ws["B3"].value == form.project_name
