"""The openpyxl workbook port: provenance, our marks and their removal, output sheets, ribbon."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from xltools.excel.marks import LEDGER_SHEET, safe_sheet_name
from xltools.excel.port import PortError, WorkbookPort
from xltools.excel.port_openpyxl import OpenpyxlPort, restore_ribbon


def _form_like(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "访惠聚经费"
    ws["A1"] = "项目支出绩效自评表"
    ws.merge_cells("A1:H1")
    ws["A3"], ws["C3"] = "项目名称", "访惠聚经费"
    ws.merge_cells("C3:H3")
    ws["A5"], ws["D5"], ws["E5"] = "年度资金总额", 10, 7.6
    ws["H5"] = 0.76
    ws["H5"].number_format = "0%"
    ws["G5"] = "=E5/D5*10"  # a formula openpyxl wrote: no cached value
    ws["D9"], ws["E9"], ws["F9"], ws["G9"] = "≧85%", "80%", 10, 10
    ws["G9"].fill = PatternFill("solid", fgColor="FFFFFF00")  # the filer's yellow
    ws["E9"].comment = Comment("财务科核对过", "张会计")  # the filer's own note
    wb.save(path)
    return path


def test_port_satisfies_protocol(tmp_path):
    port = OpenpyxlPort(_form_like(tmp_path / "部门.xlsx"))
    assert isinstance(port, WorkbookPort)
    assert port.sheet_names() == ["访惠聚经费"]
    assert port.active_sheet() == "访惠聚经费"


def test_read_grid_provenance_merges_formats(tmp_path):
    port = OpenpyxlPort(_form_like(tmp_path / "部门.xlsx"))
    grid = port.read_grid("访惠聚经费")
    cell = grid.cell(2, 5)  # inside the merged C3:H3
    assert cell.value == "访惠聚经费"
    assert str(cell.source) == "部门.xlsx｜访惠聚经费!C3"
    rate = grid.cell(4, 7)
    assert rate.value == Decimal("0.76") and rate.number_format == "0%"
    assert grid.cell(8, 3).value == "≧85%"
    assert (4, 6) in grid.no_cache and grid.raw(4, 6) is None
    assert (0, 0, 0, 7) in grid.merged


def test_mark_then_clear_restores_fill_and_keeps_filer_comment(tmp_path):
    path = _form_like(tmp_path / "部门.xlsx")
    port = OpenpyxlPort(path)
    port.mark("访惠聚经费", "G9", "满意度未达标却给满分：应为 9.41")
    port.mark("访惠聚经费", "E9", "完成值低于指标值")
    port.mark("访惠聚经费", "G9", "缺少偏差原因")  # a second note on the same cell
    port.save()

    wb = openpyxl.load_workbook(path)
    ws = wb["访惠聚经费"]
    assert ws["G9"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["G9"].comment.text == "xltools: 满意度未达标却给满分：应为 9.41\n缺少偏差原因"
    assert ws["E9"].comment.text == "财务科核对过"  # never replaced
    assert ws["E9"].fill.fgColor.rgb == "FFFFC7CE"
    assert wb[LEDGER_SHEET].sheet_state == "hidden"

    port = OpenpyxlPort(path)  # a later session: the ledger travels with the workbook
    assert port.clear_marks() == 2
    port.save()
    wb = openpyxl.load_workbook(path)
    ws = wb["访惠聚经费"]
    assert ws["G9"].fill.fgColor.rgb == "FFFFFF00"
    assert ws["G9"].comment is None
    assert ws["E9"].comment.text == "财务科核对过"
    assert ws["E9"].fill.fill_type is None
    assert LEDGER_SHEET not in wb.sheetnames


def test_write_never_overwrites_filer_cells_and_clear_removes_ours(tmp_path):
    port = OpenpyxlPort(_form_like(tmp_path / "部门.xlsx"))
    with pytest.raises(PortError, match="不会覆盖"):
        port.write("访惠聚经费", "G9", 9.41)
    port.write("访惠聚经费", "I9", Decimal("9.41"))
    port.write("访惠聚经费", "I9", Decimal("9.42"))  # ours: may be rewritten
    port.write("访惠聚经费", "I10", "不计分")
    port.write("访惠聚经费", "I11", 5)
    port._ws("访惠聚经费")["I11"] = "我改过"  # the user typed over one of ours
    port.clear_marks()
    ws = port.wb["访惠聚经费"]
    assert ws["I9"].value is None and ws["I10"].value is None
    assert ws["I11"].value == "我改过"
    assert ws["G9"].value == 10


def test_replace_sheet_links_and_refusal(tmp_path):
    path = _form_like(tmp_path / "部门.xlsx")
    port = OpenpyxlPort(path)
    rows = [["严重程度", "位置"], ["错误", "访惠聚经费!G9"]]
    port.replace_sheet("问题清单", rows, links={(1, 1): ("访惠聚经费", "G9")})
    port.replace_sheet("问题清单", rows[:1] + [["警告", "访惠聚经费!E9"]],
                       links={(1, 1): ("访惠聚经费", "E9")})
    port.save()
    ws = openpyxl.load_workbook(path)["问题清单"]
    assert ws["A2"].value == "警告" and ws.max_row == 2
    assert ws["B2"].hyperlink.location == "'访惠聚经费'!E9"
    with pytest.raises(PortError, match="不是 xltools 生成的"):
        port.replace_sheet("访惠聚经费", rows)
    port.clear_marks(sheets=False)
    assert "问题清单" in port.sheet_names()
    port.clear_marks()
    assert "问题清单" not in port.sheet_names()


def test_bad_workbook_is_a_port_error(tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(PortError, match="无法打开工作簿"):
        OpenpyxlPort(bad)
    with pytest.raises(PortError, match="找不到"):
        OpenpyxlPort(tmp_path / "无.xlsx")


def test_picks_and_messages(tmp_path):
    port = OpenpyxlPort(_form_like(tmp_path / "部门.xlsx"), picks=[tmp_path, None])
    assert port.pick_folder() == tmp_path
    assert port.pick_file("*.docx") is None
    assert port.pick_file("*.docx") is None
    port.message("完成")
    assert port.messages == ["完成"]


def test_restore_ribbon_readds_relationship(tmp_path):
    path = tmp_path / "带功能区.xlsx"
    openpyxl.Workbook().save(path)
    ui = b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"/>'
    assert restore_ribbon(path, {"customUI/customUI14.xml": ui})
    with zipfile.ZipFile(path) as z:
        assert z.read("customUI/customUI14.xml") == ui
        rels = z.read("_rels/.rels").decode()
    assert 'Target="customUI/customUI14.xml"' in rels
    assert "ui/extensibility" in rels
    assert not restore_ribbon(path, {"customUI/customUI14.xml": ui})  # already there
    # a port opened on a ribbon workbook keeps the ribbon through save()
    port = OpenpyxlPort(path)
    port.mark(port.sheet_names()[0], "A1", "测试")
    port.save()
    with zipfile.ZipFile(path) as z:
        assert 'Target="customUI/customUI14.xml"' in z.read("_rels/.rels").decode()
    openpyxl.load_workbook(path)  # still a valid package


def test_safe_sheet_name():
    taken = ["疫情防控宣传补助经费", "新项目", "新项目(2)"]
    assert safe_sheet_name("新项目", taken) == "新项目(3)"
    assert safe_sheet_name("  ", []) == "项目"
    long = safe_sheet_name("长" * 40, ["长" * 31])
    assert len(long) == 31 and long.endswith("(2)")


def test_both_ports_implement_every_primitive_of_the_marking_ledger():
    from xltools.excel.port_openpyxl import OpenpyxlPort
    from xltools.excel.port_xlwings import XlwingsPort

    assert OpenpyxlPort.__abstractmethods__ == frozenset()
    assert XlwingsPort.__abstractmethods__ == frozenset()  # Excel's port can be instantiated


def test_save_keeps_permissions_and_leaves_no_temp_file(tmp_path):
    import os
    import stat

    path = _form_like(tmp_path / "部门.xlsx")
    port = OpenpyxlPort(path)
    port.save()
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask  # not the 0600 of a temp file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["部门.xlsx"]
    assert OpenpyxlPort(path).sheet_names() == ["访惠聚经费"]


def test_save_into_a_missing_folder_is_one_chinese_line(tmp_path):
    from xltools.writers.atomic import OutputError

    port = OpenpyxlPort(_form_like(tmp_path / "部门.xlsx"))
    port.save_as = tmp_path / "没有的文件夹" / "部门.xlsx"
    with pytest.raises(OutputError, match="无法写入工作簿 部门.xlsx：文件夹 .* 不存在"):
        port.save()
