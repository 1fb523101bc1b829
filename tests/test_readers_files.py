"""files.py: which files are read, and a one-line Chinese reason for every file that cannot be."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from fixtures.builders import synthetic_form, write_bad_inputs, write_national_xlsx

from xltools.readers.files import Limits, ReadError, iter_input_files, read_forms


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, Path]:
    return write_bad_inputs(tmp_path_factory.mktemp("bad"))


def reason(path, **kw) -> str:
    with pytest.raises(ReadError) as info:
        read_forms(path, **kw)
    text = info.value.reason
    assert "\n" not in text and text.startswith(f"无法读取“{Path(path).name}”：")
    return text


def test_missing_file_and_directory(tmp_path):
    assert "文件不存在" in reason(tmp_path / "没有这个文件.xlsx")
    folder = tmp_path / "文件夹.xlsx"
    folder.mkdir()
    assert "文件夹" in reason(folder)


def test_text_file_renamed_xlsx_and_empty_file(bad):
    assert "不是有效的Excel 工作簿" in reason(bad["text_as_xlsx"])
    assert "空的（0 字节）" in reason(bad["empty"])


def test_truncated_workbook_is_corrupt(bad):
    assert "损坏" in reason(bad["truncated"])


def test_encrypted_office_file(bad, tmp_path):
    assert "已加密" in reason(bad["encrypted"])
    docx = tmp_path / "加密.docx"
    docx.write_bytes(bad["encrypted"].read_bytes())
    assert "已加密" in reason(docx)


def test_zip_bomb_is_refused_before_inflating(bad, tmp_path):
    assert "压缩炸弹" in reason(bad["zip_bomb"])
    small = tmp_path / "大.xlsx"
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
    text = reason(small, limits=Limits(max_uncompressed_bytes=2 * 1024 * 1024, max_ratio=10_000))
    assert "解压后过大" in text


def test_too_large_file(tmp_path):
    path = write_national_xlsx([synthetic_form()], tmp_path / "表.xlsx")
    assert "文件过大" in reason(path, limits=Limits(max_file_bytes=100))


def test_empty_workbook_and_unsupported_formats(bad, tmp_path):
    assert "工作簿是空的" in reason(bad["empty_sheet"])
    for ext, target in ((".doc", ".docx"), (".et", ".xlsx"), (".wps", ".docx")):
        path = tmp_path / f"旧格式{ext}"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
        assert f"另存为 {target}" in reason(path)
    other = tmp_path / "说明.txt"
    other.write_text("x")
    assert "不是支持的文件类型" in reason(other)


def test_word_file_under_excel_name(tmp_path):
    path = tmp_path / "改名.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert "Word 文档" in reason(path)


def test_workbook_without_a_form_reports_no_form(bad):
    outcome = read_forms(bad["no_form"])
    assert outcome.forms == []
    (finding,) = outcome.findings
    assert finding.code == "NO_FORM" and finding.severity == "error"
    assert "普通表格.xlsx" in finding.message and "Sheet1" in finding.message


def test_source_is_never_written(tmp_path):
    path = write_national_xlsx([synthetic_form()], tmp_path / "表.xlsx")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    outcome = read_forms(path)
    assert len(outcome.forms) == 1 and outcome.findings == []
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["表.xlsx"]


def test_iter_input_files_walks_folders_and_skips_lock_and_hidden(tmp_path, bad):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel in ("b/2.xlsx", "a.docx", "b/1.xls", ".hidden/x.xlsx", ".x.xlsx", "~$a.xlsx",
                "note.txt", "b/c.XLSM"):
        (tmp_path / rel).write_bytes(b"x")
    given = tmp_path / "given.doc"
    given.write_bytes(b"x")
    found = list(iter_input_files([tmp_path, given, tmp_path / "a.docx", tmp_path / "missing.xlsx"]))
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["a.docx", "b/1.xls", "b/2.xlsx", "b/c.XLSM", "given.doc", "missing.xlsx"]


def test_iter_input_files_takes_each_file_once_and_does_not_enter_linked_folders(tmp_path):
    forms = tmp_path / "表"
    (forms / "子").mkdir(parents=True)
    (forms / "子" / "1.xlsx").write_bytes(b"x")
    (forms / "2.xlsx").write_bytes(b"x")
    (forms / "链接.xlsx").symlink_to(forms / "2.xlsx")  # the same file under another name
    (tmp_path / "别处").mkdir()
    (tmp_path / "别处" / "3.xlsx").write_bytes(b"x")
    (forms / "链接文件夹").symlink_to(tmp_path / "别处", target_is_directory=True)
    found = list(iter_input_files([forms, forms / "子" / "1.xlsx", str(forms) + "/./2.xlsx"]))
    assert [p.relative_to(forms).as_posix() for p in found] == ["2.xlsx", "子/1.xlsx"]
    # a linked folder given by name is searched: only folders met inside are not entered
    assert [p.name for p in iter_input_files([forms / "链接文件夹"])] == ["3.xlsx"]


def test_a_completion_date_typed_as_an_excel_date_reads_as_a_date(tmp_path):
    """完成时间 entered as 2020/12/20 is a date serial in the file; it must read as the date the
    filer sees, compare with ``2020年12月31日前`` and raise no VALUE_UNPARSED."""
    import datetime

    import openpyxl

    from xltools.core.engine import evaluate

    path = write_national_xlsx([synthetic_form()], tmp_path / "日期.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    target = next(c for row in ws.iter_rows() for c in row if c.value == "≥10次")
    target.value = "2020年12月31日前"
    actual = ws.cell(target.row, target.column + 1)
    actual.value = datetime.datetime(2020, 12, 20)
    actual.number_format = "yyyy/m/d"
    wb.save(path)
    form = read_forms(path).forms[0]
    row = next(i for i in form.indicators if i.target.text == "2020年12月31日前")
    assert row.actual.text == "2020年12月20日"
    result = evaluate(form)
    assert "VALUE_UNPARSED" not in {f.code for f in result.findings}
    scored = next(ir for ir in result.indicators if ir.indicator is row)
    assert (scored.rule, scored.met, scored.actual.date) == ("deadline", True, (2020, 12, 20))
    assert scored.score == scored.weight  # met before the deadline: the full weight


def test_a_stray_character_far_away_skips_that_sheet_only(tmp_path):
    """One space typed in XFD1048576 makes a sheet's used range 17 billion cells: python-calamine
    would allocate them all and abort the whole process (the batch with it). The sheet is
    skipped with SHEET_TOO_LARGE; the other sheets and files are read."""
    import openpyxl

    from xltools.pipeline import check_files

    path = write_national_xlsx([synthetic_form("示例项目甲（虚构）"), synthetic_form("示例项目乙（虚构）")],
                               tmp_path / "两表.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0]["XFD1048576"] = " "
    wb.save(path)
    other = write_national_xlsx([synthetic_form("示例项目丙（虚构）")], tmp_path / "另一个.xlsx")
    report = check_files([path, other], workers=1)
    assert sorted(r.project for r in report.results) == ["示例项目丙（虚构）", "示例项目乙（虚构）"]
    big = [f for f in report.findings if f.code == "SHEET_TOO_LARGE"]
    assert len(big) == 1 and big[0].location.cell == "XFD1048576"
    assert "A1:XFD1048576" in big[0].message or ":XFD1048576" in big[0].message


def test_a_long_data_sheet_is_still_read(tmp_path):
    """Far rows alone are not a reason to skip: 60,000 rows × 3 columns is read (and holds no
    form), the form on the other sheet too."""
    import openpyxl

    path = write_national_xlsx([synthetic_form()], tmp_path / "带明细.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("明细")
    for r in range(1, 60001, 5000):
        ws.cell(r, 1, r), ws.cell(r, 3, "凭证")
    wb.save(path)
    outcome = read_forms(path)
    assert len(outcome.forms) == 1
    assert [f.code for f in outcome.findings if f.code == "SHEET_TOO_LARGE"] == []


def test_a_target_typed_as_a_percent_cell_compares_with_a_percent_text(tmp_path):
    """≥85% typed into an Excel cell is stored as 0.85 (format 0%, which python-calamine does
    not read); the actual typed as the text 90% must be compared with 85 %, not with 0.85."""
    import openpyxl

    from xltools.core.engine import evaluate

    path = write_national_xlsx([synthetic_form()], tmp_path / "百分比.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    target = next(c for row in ws.iter_rows() for c in row if c.value == "≥85%")
    target.value, target.number_format = 0.85, "0%"
    wb.save(path)
    result = evaluate(read_forms(path).forms[0])
    row = next(ir for ir in result.indicators if ir.indicator.name.startswith("参训人员满意度"))
    assert (row.met, row.score) == (True, row.weight)  # 90 % against ≥ 85 %
    assert {"OVER_ACHIEVEMENT", "MISSED_TARGET_FULL_SCORE"}.isdisjoint(f.code for f in result.findings)


def test_a_damaged_word_file_is_sent_back_to_word(tmp_path):
    path = tmp_path / "坏文档.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document 未闭合")
    with pytest.raises(ReadError) as info:
        read_forms(path)
    assert "请用 Word/WPS 打开后重新保存再试" in info.value.reason and "坏文档.docx" in info.value.reason


def test_a_form_saved_as_doc_or_et_in_a_folder_is_reported_not_left_out(tmp_path):
    from xltools.pipeline import check_files

    write_national_xlsx([synthetic_form()], tmp_path / "表1.xlsx")
    (tmp_path / "表2.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (tmp_path / "表3.et").write_bytes(b"wps")
    (tmp_path / "导出数据.csv").write_text("a,b", encoding="utf-8")
    assert [p.name for p in iter_input_files([tmp_path])] == ["表1.xlsx", "表2.doc", "表3.et"]
    report = check_files([tmp_path], workers=1)
    reasons = [f.error for f in report.failed_files]
    assert any("另存为 .docx" in r and "表2.doc" in r for r in reasons)
    assert any("另存为 .xlsx" in r and "表3.et" in r for r in reasons)
