"""The built template, add-in and sample: package structure, VBA project, ribbon, reproducibility."""

from __future__ import annotations

import io
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

import xltools
from openpyxl import load_workbook

from xltools.excel.template import build as B
from xltools.excel.template import contenttypes, package, relationships, sources
from xltools.excel.template.udf_wrappers import udf_module_source
from xltools.excel.template.vbaproject import VBA_PROJECT_STREAM

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wb")
    return {p.name: p for p in B.build_all(out)}


@pytest.fixture(scope="module")
def seed_xlsx(tmp_path_factory, seed_path) -> Path:
    from fixtures.national import write_national_xlsx
    from fixtures.seed import load_seed

    return write_national_xlsx(load_seed(seed_path), tmp_path_factory.mktemp("seed") / "宣传部.xlsx")


@pytest.fixture(scope="module")
def sample(tmp_path_factory, seed_xlsx) -> Path:
    path = tmp_path_factory.mktemp("sample") / B.SAMPLE_NAME
    path.write_bytes(B.sample_bytes(seed_xlsx))
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def olevba_modules(path: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.mark.parametrize("name,addin", [(B.TEMPLATE_NAME, False), (B.ADDIN_NAME, True)])
def test_every_module_reads_back_exactly_equal_to_its_source(built, name, addin):
    modules = olevba_modules(built[name])
    expected = {
        "xlwings": sources.xlwings_module(addin=addin).source,
        "XltoolsRibbon": sources.bridge_module("XltoolsRibbon.bas").source,
        "xlwings_udfs": udf_module_source(addin=addin),
    }
    for module, text in expected.items():
        assert _norm(modules[module]) == _norm(text), module
    if addin:
        assert 'PROJECT_NAME As String = "xltools"' in modules["xlwings"]
        assert "ActiveWorkbook, Application.Caller" in modules["xlwings_udfs"]
    else:
        assert 'PROJECT_NAME As String = "xlwings"' in modules["xlwings"]
        assert "ThisWorkbook, Application.Caller" in modules["xlwings_udfs"]
    for code in modules.values():
        assert code.isascii()
    assert sources.CONFIG_HOOK.replace("\r\n", "\n") in _norm(modules["xlwings"])  # the user config first
    assert f'XT_VERSION As String = "{xltools.__version__}"' in modules["XltoolsRibbon"]
    assert "Public Sub XT_RegisterFunctions()" in modules["xlwings_udfs"]
    assert "= Err.Description" not in modules["xlwings_udfs"]  # Chinese cell text instead


@pytest.mark.parametrize("name", [B.TEMPLATE_NAME, B.ADDIN_NAME])
def test_vba_project_is_source_only_with_the_seven_byte_stream(built, name):
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import parse_vba_project

    cfb = CFB.from_bytes(parts(built[name])["xl/vbaProject.bin"])
    assert cfb.get_stream_in_storage("VBA", "_VBA_PROJECT") == bytes.fromhex("CC61FFFF000300")
    assert VBA_PROJECT_STREAM == bytes.fromhex("CC61FFFF000300")
    modules = parse_vba_project(cfb).modules
    assert modules and all(m.text_offset == 0 for m in modules)
    assert not [s for s in cfb.list_streams_in_storage("VBA") if s.startswith("__SRP_")]


@pytest.mark.parametrize("name,main_type", [
    (B.TEMPLATE_NAME, "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    (B.ADDIN_NAME, "application/vnd.ms-excel.addin.macroEnabled.main+xml"),
])
def test_content_types_and_ribbon_relationship(built, name, main_type):
    p = parts(built[name])
    types = p["[Content_Types].xml"]
    assert contenttypes.content_type_of(types, "/xl/workbook.xml") == main_type
    assert contenttypes.content_type_of(types, "/xl/vbaProject.bin") == "application/vnd.ms-office.vbaProject"
    assert contenttypes.content_type_of(types, "/customUI/customUI14.xml") == "application/xml"
    rels = relationships.relationships(p["_rels/.rels"])
    ribbon = [r for r in rels if r["Type"] == relationships.RIBBON_2010]
    assert [r["Target"] for r in ribbon] == ["customUI/customUI14.xml"]
    assert len({r["Id"] for r in rels}) == len(rels)
    assert p["customUI/customUI14.xml"] == (ROOT / "vba_bridge" / "customUI14.xml").read_bytes()
    wb_rels = relationships.relationships(p["xl/_rels/workbook.xml.rels"])
    assert any(r["Type"].endswith("/vbaProject") and r["Target"] == "vbaProject.bin" for r in wb_rels)


def test_openpyxl_resave_loses_the_ribbon_and_assemble_restores_it(built, tmp_path):
    """The trap this builder exists for: a keep_vba save drops the customUI relationship."""
    wb = load_workbook(built[B.TEMPLATE_NAME], keep_vba=True)
    resaved = tmp_path / "resaved.xlsm"
    wb.save(resaved)
    rels = relationships.relationships(parts(resaved)["_rels/.rels"])
    assert not [r for r in rels if r["Type"] == relationships.RIBBON_2010]
    fixed = package.assemble(parts(resaved), addin=False, ribbon=b"<customUI/>", title="t")
    with zipfile.ZipFile(io.BytesIO(fixed)) as z:
        rels = relationships.relationships(z.read("_rels/.rels"))
    assert [r["Target"] for r in rels if r["Type"] == relationships.RIBBON_2010] == ["customUI/customUI14.xml"]


def test_template_sheets_config_and_formulas(built):
    wb = load_workbook(built[B.TEMPLATE_NAME], keep_vba=True)
    assert wb.sheetnames == ["说明", "自评表", "xlwings.conf"]
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden"
    rows = [(r[0].value, r[1].value) for r in conf.iter_rows(max_col=2)]
    # no interpreter in the workbook: the one user config (安装.cmd) says where Python is
    assert rows == [("UDF Modules", "xltools.excel.udfs"), ("Show Console", "False")]
    ws = wb["自评表"]
    assert ws["A1"].value == "项目支出绩效自评表"
    assert ws["H6"].value == '=IFERROR(ROUND(F6/E6,4),"")'
    assert ws["I6"].value == '=IF(OR(H6="",G6=""),"",ROUND(G6*MIN(H6,1),2))'
    assert ws["G6"].value == 10
    assert ws["G7"].value == "—" and ws["I9"].value == "—"
    total = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分"][0]
    assert ws.cell(total, 8).value == f"=ROUND(SUM(I6,H13:H{total - 1}),2)"
    assert wb.code_name == "ThisWorkbook" or wb.code_name is None  # openpyxl may not read it back
    guide = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for word in ("重算得分", "XT_SCORE", "WPS", "解除锁定", "xltools check", "安装.cmd", "问题清单"):
        assert word in guide
    assert "校验结果" not in guide  # the sheet 校验 writes is 问题清单


def test_addin_has_only_its_config_sheet(built):
    p = parts(built[B.ADDIN_NAME])  # openpyxl does not open add-ins: read it as a workbook
    p["[Content_Types].xml"] = contenttypes.set_main_type(p["[Content_Types].xml"], addin=False)
    wb = load_workbook(io.BytesIO(package.write_zip(p)), keep_vba=True)
    assert wb.sheetnames == ["xltools.conf"]
    rows = [(r[0].value, r[1].value) for r in wb["xltools.conf"].iter_rows(max_col=2)]
    assert rows == [("UDF Modules", "xltools.excel.udfs"), ("Show Console", "False")]


def test_rebuild_is_byte_identical(built, tmp_path):
    again = {p.name: p for p in B.build_all(tmp_path)}
    for name in (B.TEMPLATE_NAME, B.ADDIN_NAME):
        assert again[name].read_bytes() == built[name].read_bytes(), name
        with zipfile.ZipFile(again[name]) as z:
            infos = z.infolist()
        assert infos[0].filename == "[Content_Types].xml"
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    core = parts(again[B.TEMPLATE_NAME])["docProps/core.xml"].decode()
    assert "2021-01-01T00:00:00Z" in core


def test_check_reports_a_stale_or_missing_file(tmp_path):
    B.build_all(tmp_path)
    assert B.check(tmp_path) == []
    p = tmp_path / B.ADDIN_NAME
    data = parts(p)
    data["customUI/customUI14.xml"] = data["customUI/customUI14.xml"].replace("汇总文件夹".encode(), "汇总目录".encode())
    p.write_bytes(package.write_zip(data))
    (tmp_path / B.TEMPLATE_NAME).unlink()
    assert sorted(B.check(tmp_path)) == sorted([B.ADDIN_NAME, B.TEMPLATE_NAME])


def test_cli_check_exit_codes(tmp_path, capsys):
    from xltools.cli import main

    assert main(["template", "build", "--out", str(tmp_path)]) == 0
    assert main(["template", "build", "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / B.TEMPLATE_NAME).write_bytes(b"stale")
    assert main(["template", "build", "--out", str(tmp_path), "--check"]) == 1
    assert "过期" in capsys.readouterr().out


def test_committed_workbooks_are_not_stale():
    committed = ROOT / "workbooks"
    if not (committed / B.TEMPLATE_NAME).is_file():
        pytest.fail("workbooks/绩效自评模板.xlsm is missing: run `xltools template build`")
    assert B.check(committed) == []


def test_sample_reads_back_as_the_same_six_forms(sample, seed_xlsx):
    from xltools.readers.files import read_forms

    original = read_forms(seed_xlsx).forms
    again = read_forms(sample)
    assert again.findings == []
    assert [f.project_name for f in again.forms] == [f.project_name for f in original]
    assert [f.reported_total.value for f in again.forms] == [f.reported_total.value for f in original]
    for a, b in zip(again.forms, original):
        assert [(i.level1, i.level2, i.name, i.target.text, i.actual.text) for i in a.indicators] == \
               [(i.level1, i.level2, i.name, i.target.text, i.actual.text) for i in b.indicators]
        assert [i.score.value for i in a.indicators] == [i.score.value for i in b.indicators]
        assert a.funds_row("total").executed.value == b.funds_row("total").executed.value


def test_sample_keeps_reported_values_and_formulas_only_where_missing(sample):
    wb = load_workbook(sample, keep_vba=True)
    assert wb.sheetnames[0] == "说明" and wb.sheetnames[-1] == "xlwings.conf"
    forms = wb.sheetnames[1:-1]
    assert len(forms) == 6
    ws = wb[forms[2]]
    assert ws["H6"].value == Decimal("0.76") or ws["H6"].value == 0.76  # reported 执行率 kept
    assert ws["I6"].value in (Decimal("7.6"), 7.6)
    assert ws["H7"].value == '=IFERROR(ROUND(F7/E7,4),"")'  # 当年财政拨款 had no rate: formula


def test_udf_wrappers_are_generated_by_xlwings_with_ascii_parameters(tmp_path, monkeypatch):
    (tmp_path / "standin_udfs.py").write_text(
        "import xlwings as xw\n"
        "@xw.func\n@xw.arg('预算数', doc='全年预算数')\n"
        "def XT_RATE(预算数, executed):\n    return 1\n"
        "@xw.func\ndef XT_PICK(target, actual, weight, type=None):\n    return 1\n"
        "def helper(x):\n    return x\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    text = udf_module_source("standin_udfs")
    assert text.isascii() and "\r\n" in text
    assert "Function XT_RATE(arg1, executed)" in text
    assert "Function XT_PICK(target, actual, weight, Optional arg4)" in text
    assert 'XLPy.CallUDF("standin_udfs", "XT_PICK", Array(target, actual, weight, arg4), ThisWorkbook' in text
    assert "helper" not in text
    import xlwings

    assert "xlwings.udfs" not in sys.modules and "pythoncom" not in sys.modules
    assert xlwings.func(len) is len  # the Linux pass-through decorators are back


def test_real_udf_module_has_every_documented_function():
    text = udf_module_source()
    names = re.findall(r"^Function (\w+)\(", text, re.M)
    assert set(names) >= {"XT_EXEC_RATE", "XT_BUDGET_SCORE", "XT_MEETS", "XT_SCORE", "XT_GRADE", "XT_PARSE",
                          "XT_AUDIT"}
    assert re.search(r"^Function XT_SCORE\(\w+, \w+, \w+, Optional \w+\)", text, re.M)


def test_customui_parses(built):
    root = ET.fromstring(parts(built[B.TEMPLATE_NAME])["customUI/customUI14.xml"])
    assert root.tag.endswith("customUI")


def test_cli_build_into_a_file_is_one_chinese_line(tmp_path, capsys):
    from xltools.cli import main

    blocker = tmp_path / "workbooks"
    blocker.write_text("不是文件夹", encoding="utf-8")
    assert main(["template", "build", "--out", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：无法创建输出文件夹") and "程序内部错误" not in err
    assert blocker.read_text(encoding="utf-8") == "不是文件夹"


def test_build_leaves_no_temporary_file(tmp_path):
    written = B.build_all(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


def test_cli_check_tells_missing_from_stale_and_finds_the_project(tmp_path, capsys, monkeypatch):
    from xltools.cli import main
    from xltools.commands.template import project_root

    assert main(["template", "build", "--out", str(tmp_path)]) == 0
    (tmp_path / B.TEMPLATE_NAME).write_bytes(b"stale")
    (tmp_path / B.ADDIN_NAME).unlink()
    capsys.readouterr()
    assert main(["template", "build", "--out", str(tmp_path), "--check"]) == 1
    out = capsys.readouterr().out
    assert f"过期：{tmp_path / B.TEMPLATE_NAME}" in out and f"缺失：{tmp_path / B.ADDIN_NAME}" in out
    assert f"过期：{tmp_path / B.ADDIN_NAME}" not in out
    # from a sub-folder of the project, the project's workbooks/ are checked
    monkeypatch.chdir(ROOT / "xltools" / "commands")
    assert project_root() == ROOT
    assert main(["template", "build", "--check"]) == 0
    assert f"{ROOT / 'workbooks'} 中的工作簿与源文件一致" in capsys.readouterr().out
    # outside any project: one Chinese line, not a list of "stale" files
    monkeypatch.chdir(tmp_path)
    assert project_root() is None
    assert main(["template", "build", "--check"]) == 2
    captured = capsys.readouterr()
    assert "请在项目根目录运行" in captured.err and "过期" not in captured.out
