"""The ribbon actions driven through an OpenpyxlPort on copies of a department's workbook."""

from __future__ import annotations

import platform
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xltools.core.engine import evaluate
from xltools.core.rulepack import load_rulepack
from xltools.excel import macros
from xltools.excel.marks import COMMENT_PREFIX, LEDGER_SHEET
from xltools.excel.port_openpyxl import OpenpyxlPort
from xltools.readers.locate import locate_forms

sys.path.insert(0, str(Path(__file__).parent))
from fixtures.national import write_national_xlsx, write_seed_docx  # noqa: E402
from fixtures.seed import load_seed  # noqa: E402


@pytest.fixture(autouse=True)
def user_config(tmp_path, monkeypatch) -> Path:
    """Each test its own (absent) user config and log: never the machine's."""
    path = tmp_path / "用户设置" / "xltools.conf"
    monkeypatch.setenv("XLTOOLS_CONFIG", str(path))
    return path


@pytest.fixture(scope="module")
def seed_forms(seed_path):
    return load_seed(seed_path)


@pytest.fixture(scope="module")
def seed_book(seed_forms, tmp_path_factory) -> Path:
    return write_national_xlsx(seed_forms, tmp_path_factory.mktemp("seed") / "宣传部2020.xlsx")


@pytest.fixture
def book(seed_book, tmp_path) -> Path:
    copy = tmp_path / seed_book.name
    shutil.copy(seed_book, copy)
    return copy


def snapshot(wb, sheets=None):
    """Every cell's value, fill colour and comment on the given sheets."""
    out = {}
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.comment is not None or c.fill.fill_type is not None:
                    out[(ws.title, c.coordinate)] = (c.value, c.fill.fgColor.rgb if c.fill.fill_type else None,
                                                     c.comment.text if c.comment else None)
    return out


def our_comments(wb):
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.comment is not None and c.comment.text.startswith(COMMENT_PREFIX)}


def engine_view(path: Path):
    """What the engine says about each sheet of the untouched file (the expected answers)."""
    port = OpenpyxlPort(path)
    pack = load_rulepack()
    out = {}
    for sheet in port.sheet_names():
        grid = port.read_grid(sheet)
        forms, _ = locate_forms(grid)
        for form in forms:
            out[sheet] = (form, evaluate(form, pack))
    return out


def score_column_of(ws) -> int:
    hits = {c.column for row in ws.iter_rows() for c in row if c.value == macros.SCORE_HEADER}
    assert len(hits) == 1, hits  # one column: headed on the funds and the indicator header rows
    return hits.pop()


def test_recalculate_writes_engine_scores_and_marks_the_satisfaction_score(book):
    expected = engine_view(book)
    original = snapshot(openpyxl.load_workbook(book))
    port = OpenpyxlPort(book)
    text = macros.recalculate(port)
    assert text.startswith("重算完成：6 张自评表")
    assert port.messages == [text]
    port.save()
    wb = openpyxl.load_workbook(book)

    for sheet, (form, result) in expected.items():
        ws = wb[sheet]
        col = score_column_of(ws)
        assert col > max(c.column for row in ws.iter_rows() for c in row
                         if (sheet, c.coordinate) in original)  # right of everything the filer wrote
        for ir in result.indicators:
            row = int(re.sub(r"\D", "", ir.indicator.score.source.cell))
            written = ws.cell(row, col).value
            if ir.score is not None:
                assert Decimal(str(written)) == ir.score, (sheet, ir.indicator.name)
        total_row = int(re.sub(r"\D", "", form.reported_total.source.cell))
        assert Decimal(str(ws.cell(total_row, col).value)) == result.total
        funds = form.funds_row("total")
        if result.funds.score is not None:
            funds_row = int(re.sub(r"\D", "", funds.score.source.cell))
            assert Decimal(str(ws.cell(funds_row, col).value)) == result.funds.score

    # the 疫情防控 satisfaction row: ≧85% target, 80% actual, reported full marks
    sheet = next(s for s in expected if "疫情防控" in s)
    form, result = expected[sheet]
    sat = next(ir for ir in result.indicators if ir.indicator.level1.startswith("满意度"))
    assert sat.met is False and sat.reported_score == sat.weight
    cell = sat.indicator.score.source.cell
    ws = wb[sheet]
    assert ws[cell].fill.fgColor.rgb == "FFFFC7CE"
    assert ws[cell].comment.text.startswith(COMMENT_PREFIX) and "9.41" in ws[cell].comment.text

    # never a filer cell changed
    after = snapshot(wb)
    for key, (value, _fill, _comment) in original.items():
        assert after[key][0] == value, key
    marked = our_comments(wb)
    assert marked and all(after[k][1] == "FFFFC7CE" for k in marked)


def test_recalculate_twice_is_idempotent(book):
    port = OpenpyxlPort(book)
    macros.recalculate(port)
    first = snapshot(port.wb)
    ledger_first = sorted(tuple(r) for r in port._read_ledger())
    macros.recalculate(port)
    assert snapshot(port.wb) == first
    assert sorted(tuple(r) for r in port._read_ledger()) == ledger_first


def test_recalculated_workbook_reads_back_the_same_forms(book):
    before = {s: (f.project_name, r.total) for s, (f, r) in engine_view(book).items()}
    port = OpenpyxlPort(book)
    macros.recalculate(port)
    port.save()
    after = {s: (f.project_name, r.total) for s, (f, r) in engine_view(book).items()}
    assert after == before  # our column does not change what the locator reads


def test_validate_writes_issue_list_with_working_links(book):
    port = OpenpyxlPort(book)
    text = macros.validate(port)
    assert re.match(r"校验完成：6 张自评表，错误 \d+ 条、警告 \d+ 条、提示 \d+ 条", text)
    port.save()
    wb = openpyxl.load_workbook(book)
    ws = wb[macros.ISSUES_SHEET]
    assert [c.value for c in ws[1]] == macros.ISSUE_HEADER
    assert ws.max_row > 1
    errors = int(re.search(r"错误 (\d+) 条", text).group(1))
    assert sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "错误") == errors
    links = 0
    for row in ws.iter_rows(min_row=2):
        where = row[7]
        if where.hyperlink is None:
            continue
        links += 1
        m = re.fullmatch(r"'(.+)'!([A-Z]+\d+)", where.hyperlink.location)
        assert m and where.value == f"{m.group(1)}!{m.group(2)}"
        assert m.group(1) in wb.sheetnames
        target = wb[m.group(1)][m.group(2)]
        assert target.comment is not None  # every linked cell carries a note
    assert links == ws.max_row - 1
    assert wb[LEDGER_SHEET].sheet_state == "hidden"


def test_clear_marks_restores_the_filers_workbook(book):
    original = snapshot(openpyxl.load_workbook(book))
    port = OpenpyxlPort(book)
    macros.recalculate(port)
    macros.validate(port)
    text = macros.clear_marks(port)
    assert text.startswith("已清除")
    port.save()
    wb = openpyxl.load_workbook(book)
    assert snapshot(wb) == original
    assert macros.ISSUES_SHEET not in wb.sheetnames and LEDGER_SHEET not in wb.sheetnames
    assert macros.clear_marks(OpenpyxlPort(book)) == "没有需要清除的 xltools 标记。"


def test_import_word_makes_sheets_the_locator_reads_back(seed_forms, book, tmp_path):
    docx = write_seed_docx(seed_forms, tmp_path / "自评表.docx")
    port = OpenpyxlPort(book, picks=[docx])
    before = set(port.sheet_names())
    text = macros.import_word(port)
    assert text.startswith("已从 自评表.docx 导入 6 张自评表")
    new = [s for s in port.sheet_names() if s not in before]
    assert len(new) == 6 and all(len(s) <= 31 for s in new)
    totals = []
    for sheet in new:
        forms, _ = locate_forms(port.read_grid(sheet))
        assert len(forms) == 1
        totals.append(forms[0].reported_total.value)
    assert totals == [f.reported_total for f in seed_forms]


def test_import_word_cancel_and_wrong_file(book, tmp_path):
    port = OpenpyxlPort(book, picks=[None, tmp_path / "旧.doc"])
    assert macros.import_word(port) == "已取消。"
    assert "请选择 .docx" in macros.import_word(port)


def test_new_form_adds_a_sheet(book):
    port = OpenpyxlPort(book)
    assert macros.new_form(port) == "已新建工作表「新项目」，请填写项目名称和各项数据。"
    assert "新项目" in macros.new_form(port) and "新项目(2)" in port.sheet_names()
    grid = port.read_grid("新项目")
    assert any("项目名称" in grid.text(r, c) for r in range(grid.height) for c in range(grid.width))


def test_about_reports_the_environment(book):
    text = macros.about(OpenpyxlPort(book))
    assert f"Python {platform.python_version()}" in text
    assert "openpyxl 3.1.5" in text and "xlwings" in text
    assert "规则包：" in text and str(book) in text


def test_rules_from_the_one_user_config_not_from_a_sheet(book, user_config):
    wb = openpyxl.load_workbook(book)
    conf = wb.create_sheet("xlwings.conf")  # a workbook's own setting no longer counts
    conf.append(["XLTOOLS_RULES", "不存在的规则.toml"])
    wb.save(book)
    user_config.parent.mkdir(parents=True)
    user_config.write_bytes("# 设置\r\nRULES=platform_example\r\n".encode("gbk"))  # Notepad's ANSI
    port = OpenpyxlPort(book)
    assert macros.configured_rules(port) == "platform_example"
    assert "platform_example" in macros.about(port)
    assert "xlwings.conf" not in macros.form_sheets(port)
    user_config.write_bytes(b"\xef\xbb\xbfRULES=" + "不存在的规则.toml".encode("utf-8"))
    assert macros.configured_rules(port) == str(user_config.parent / "不存在的规则.toml")
    text = macros.recalculate(port)
    assert text.startswith("重算失败：") and "\n" not in text and "Traceback" not in text
    assert "不存在的规则.toml" in text


def test_consolidate_folder_and_workbook(book, tmp_path):
    port = OpenpyxlPort(book, picks=[tmp_path])
    text = macros.consolidate_folder(port)
    assert text.startswith("汇总完成：1 个文件、6 张自评表")
    out = next(tmp_path.glob("部门汇总_*.xlsx"))
    assert str(out) in text
    openpyxl.load_workbook(out)
    text = macros.consolidate_workbook(OpenpyxlPort(book))  # a second summary, never over the first
    assert "汇总完成" in text and len(list(tmp_path.glob("部门汇总_*.xlsx"))) == 2
    assert macros.folder_inputs(tmp_path) == [str(book)]  # earlier summaries are not inputs
    assert macros.consolidate_folder(OpenpyxlPort(book)) == "已取消。"


def test_draft_report_from_a_folder(book, tmp_path):
    """生成自评报告: the forms of the picked folder → 绩效自评报告_YYYYMMDD.docx there, with the
    numbers of the folder's 部门汇总; a second run never overwrites the first."""
    import docx

    port = OpenpyxlPort(book, picks=[tmp_path, tmp_path])
    text = macros.draft_report(port)
    assert text.startswith("自评报告初稿已生成：6 张自评表"), text
    out = next(tmp_path.glob("绩效自评报告_*.docx"))
    assert str(out) in text
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text.endswith("年度项目支出绩效自评报告")
    assert "共对6个项目开展了绩效自评" in "\n".join(p.text for p in doc.paragraphs)
    assert "已生成" in macros.draft_report(port)  # the report just written is not an input
    assert len(list(tmp_path.glob("绩效自评报告_*.docx"))) == 2
    assert macros.draft_report(OpenpyxlPort(book)) == "已取消。"
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    assert "没有可读取" in macros.draft_report(OpenpyxlPort(book, picks=[empty]))


def test_summary_path_never_reuses_a_name(tmp_path):
    import datetime as dt

    day = dt.date(2021, 3, 5)
    first = macros.summary_path(tmp_path, day)
    assert first.name == "部门汇总_20210305.xlsx"
    first.write_bytes(b"")
    assert macros.summary_path(tmp_path, day).name == "部门汇总_20210305_2.xlsx"


def test_ribbon_command_strings_run_against_a_patched_caller(book, tmp_path, monkeypatch, seed_forms):
    docx = write_seed_docx(seed_forms, tmp_path / "自评表.docx")
    port = OpenpyxlPort(book, picks=[docx, tmp_path, tmp_path])
    monkeypatch.setattr(macros, "_caller_port", lambda: port)
    for name in ("new_form", "import_word", "recalculate", "validate", "clear_marks",
                 "consolidate_workbook", "consolidate_folder", "draft_report", "about"):
        exec(f"import xltools.excel.macros as m; m.{name}()", {})
    assert len(port.messages) == 9
    assert not any("失败" in m for m in port.messages), port.messages
    port.save()
    openpyxl.load_workbook(book, keep_vba=True)


def test_without_excel_the_failure_is_never_silent(capsys, user_config):
    """No port could be made (no Excel here): one Chinese line on stderr and exit status 1, which
    makes xlwings show it; the detail goes to the log file the line names."""
    with pytest.raises(SystemExit) as exit_info:
        macros.recalculate()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    log = user_config.parent / "logs" / "xltools.log"
    assert err.startswith("重算失败：无法连接到调用的 Excel 工作簿") and err.endswith(f"详细信息已记录在 {log}")
    assert "Traceback" not in err and "\n" not in err
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_an_unexpected_error_is_one_line_and_the_detail_is_logged(book, monkeypatch, user_config):
    port = OpenpyxlPort(book)

    def boom(*_args):
        raise KeyError("x")

    monkeypatch.setattr(macros, "locate_all", boom)
    text = macros.validate(port)
    log = user_config.parent / "logs" / "xltools.log"
    assert text == f"校验失败：程序内部错误（KeyError）。详细信息已记录在 {log}"
    assert port.messages == [text]
    detail = log.read_text(encoding="utf-8")
    assert "Traceback" in detail and "KeyError: 'x'" in detail and "校验" in detail


def test_a_message_box_that_cannot_be_shown_exits_non_zero(book, monkeypatch, capsys):
    port = OpenpyxlPort(book)

    def broken(_text):
        raise RuntimeError("Excel is busy")

    monkeypatch.setattr(port, "message", broken)
    monkeypatch.setattr(macros, "_caller_port", lambda: port)
    with pytest.raises(SystemExit) as exit_info:
        macros.new_form()
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith("已新建工作表")
    assert macros.new_form(port).startswith("已新建工作表")  # handed a port (tests, CLI): returns


def test_built_sample_workbook_keeps_vba_and_ribbon(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "workbooks" / "示例_昌吉州党委宣传部2020.xlsm"
    if not sample.is_file():
        pytest.skip("the sample workbook has not been built yet")
    import zipfile

    copy = tmp_path / sample.name
    shutil.copy(sample, copy)
    with zipfile.ZipFile(copy) as z:
        had_ribbon = any(n.startswith("customUI/") for n in z.namelist())
    port = OpenpyxlPort(copy)
    assert macros.validate(port).startswith("校验完成")
    port.save()
    with zipfile.ZipFile(copy) as z:
        names = z.namelist()
        rels = z.read("_rels/.rels").decode()
    assert "xl/vbaProject.bin" in names
    if had_ribbon:
        assert "ui/extensibility" in rels
