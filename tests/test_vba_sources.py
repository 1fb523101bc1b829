"""The VBA and ribbon sources in vba_bridge/: ASCII VBA, every button wired, every command real."""

from __future__ import annotations

import importlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BRIDGE = ROOT / "vba_bridge"
NS = "{http://schemas.microsoft.com/office/2009/07/customui}"
EXPECTED_ACTIONS = {"new_form", "import_word", "recalculate", "validate", "clear_marks",
                    "consolidate_workbook", "consolidate_folder", "draft_report", "about"}


def ribbon_buttons() -> list[ET.Element]:
    root = ET.parse(BRIDGE / "customUI14.xml").getroot()
    return list(root.iter(f"{NS}button"))


def vba_sources() -> dict[str, str]:
    return {p.name: p.read_bytes().decode("ascii") for p in sorted(BRIDGE.glob("*.bas"))}


def test_vba_sources_are_ascii_and_named():
    sources = {p.name: p.read_bytes() for p in BRIDGE.glob("*.bas")}
    assert "XltoolsRibbon.bas" in sources
    for name, data in sources.items():
        assert data.isascii(), f"{name} has non-ASCII bytes"
        assert data.decode().startswith(f'Attribute VB_Name = "{Path(name).stem}"')


def test_ribbon_is_the_2010_namespace_with_the_four_chinese_groups():
    root = ET.parse(BRIDGE / "customUI14.xml").getroot()
    assert root.tag == f"{NS}customUI"
    tab = next(root.iter(f"{NS}tab"))
    assert tab.get("label") == "绩效自评"
    groups = [g.get("label") for g in root.iter(f"{NS}group")]
    assert groups == ["表单", "计算", "汇总", "帮助"]
    labels = [b.get("label") for b in ribbon_buttons()]
    assert labels == ["新建项目表", "导入Word", "重算得分", "校验", "清除标记", "汇总本工作簿", "汇总文件夹", "生成自评报告",
                      "关于/环境检查"]
    for button in ribbon_buttons():
        assert button.get("imageMso"), button.get("idQ")
        assert re.search(r"[\u4e00-\u9fff]", button.get("screentip") or "")
        assert re.search(r"[\u4e00-\u9fff]", button.get("supertip") or "")


def test_one_tab_the_documents_share_by_qualified_ids():
    """Add-in, template and sample carry this same XML: the tab, groups and buttons have idQ in
    one namespace, so Excel merges them into one 绩效自评 tab (no plain ids that would duplicate)."""
    text = (BRIDGE / "customUI14.xml").read_text(encoding="utf-8")
    assert 'xmlns:xt="xltools.jxzp"' in text
    root = ET.parse(BRIDGE / "customUI14.xml").getroot()
    elements = list(root.iter(f"{NS}tab")) + list(root.iter(f"{NS}group")) + ribbon_buttons()
    assert len(list(root.iter(f"{NS}tab"))) == 1
    for element in elements:
        assert element.get("id") is None and element.get("idQ", "").startswith("xt:"), element.attrib
    ids = [e.get("idQ") for e in elements]
    assert len(ids) == len(set(ids))
    assert root.get("onLoad") == "XT_RibbonLoaded"


def test_every_button_runs_a_macro_function_through_one_callback():
    vba = vba_sources()["XltoolsRibbon.bas"]
    macros = importlib.import_module("xltools.excel.macros")
    for button in ribbon_buttons():
        assert button.get("onAction") == "XT_OnButton"
        assert re.fullmatch(r"[a-z0-9_]+", button.get("tag"))  # XT_IsName accepts it
        assert callable(getattr(macros, button.get("tag"), None)), button.get("tag")
    assert {b.get("tag") for b in ribbon_buttons()} == EXPECTED_ACTIONS
    assert re.search(r"^Public Sub XT_OnButton\(control As IRibbonControl\)$", vba, re.M)
    assert re.search(r"^Public Sub XT_RibbonLoaded\(ribbon As IRibbonUI\)$", vba, re.M)
    # one RunPython in the whole module, after the preflight
    code = "\n".join(line for line in vba.splitlines() if not line.lstrip().startswith("'"))
    assert code.count("RunPython") == 1
    run = re.search(r"^Public Sub XT_Run\(ByVal action As String\)\n(.*?)^End Sub", vba, re.M | re.S).group(1)
    assert run.index("XT_Preflight") < run.index("RunPython")
    assert 'RunPython "import xltools.excel.macros as m; m." & action & "()"' in run


def test_plain_macros_for_alt_f8_name_real_functions():
    vba = vba_sources()["XltoolsRibbon.bas"]
    plain = dict(re.findall(r'^Public Sub (XT_\w+)\(\)\n    XT_Run "(\w+)"\nEnd Sub', vba, re.M))
    assert set(plain.values()) == EXPECTED_ACTIONS - {"about"}
    assert "XT_About" in re.findall(r"^Public Sub (\w+)\(\)", vba, re.M)


def test_every_sub_that_can_fail_has_an_error_handler():
    """No VBA run-time error dialog (with its 调试 button): each entry point handles errors."""
    vba = vba_sources()["XltoolsRibbon.bas"]
    for name in ("XT_OnButton", "XT_Run", "XT_About"):
        body = re.search(rf"^Public Sub {name}\(.*?\)\n(.*?)^End Sub", vba, re.M | re.S).group(1)
        statements = [line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith("Dim ")]
        assert statements[0] == "On Error GoTo failed", name
        assert "failed:\n    XT_Fail Err.Description, Err.Number" in body


def _chinese(vba: str) -> list[str]:
    from xltools.excel.template.sources import decode_vba_chinese

    return [decode_vba_chinese(m) for m in re.findall(r'XT_U\("([^"]*)"\)', vba)]


def test_messages_are_chinese_and_say_what_to_do():
    texts = _chinese(vba_sources()["XltoolsRibbon.bas"])
    joined = "\n".join(texts)
    assert "请关闭 Excel，运行 xltools 安装包中的“安装.cmd”，然后重新打开 Excel。" in texts
    assert "“受保护的视图”" in joined and "启用编辑" in joined
    assert "请先打开或新建一个工作簿" in joined
    assert "找不到 Python：" in texts and "未找到 xltools 的设置文件：" in texts
    assert all(not t.isascii() for t in texts)  # every escaped string is Chinese text


def test_config_reading_handles_bom_utf16_and_gbk():
    vba = vba_sources()["XltoolsRibbon.bas"]
    assert 'CreateObject("ADODB.Stream")' in vba and "stream.LoadFromFile path" in vba
    for charset in ('"utf-8"', '"unicode"', '"gb2312"'):
        assert charset in vba
    code = "\n".join(line for line in vba.splitlines() if not line.lstrip().startswith("'"))
    assert not re.search(r"^\s*Open .* For ", code, re.M)  # never VBA's ANSI file I/O
    assert 'XT_Expand("%LOCALAPPDATA%") & "\\xltools\\xltools.conf"' in vba


def test_utf8_check_matches_python(tmp_path):
    """XT_IsUtf8, transcribed: the byte rules in the VBA agree with Python's decoder."""
    def is_utf8(data: bytes) -> bool:  # the VBA loop, line for line
        i = 0
        while i < len(data):
            b = data[i]
            more = 0 if b < 0x80 else 1 if 0xC2 <= b <= 0xDF else 2 if 0xE0 <= b <= 0xEF else 3 if 0xF0 <= b <= 0xF4 else -1
            if more < 0 or i + more >= len(data) + (0 if more else 1):
                return False
            if any((data[i + k] & 0xC0) != 0x80 for k in range(1, more + 1)):
                return False
            i += more + 1
        return True

    vba = vba_sources()["XltoolsRibbon.bas"]
    assert "ElseIf b >= &HC2 And b <= &HDF Then" in vba and "If (bytes(i + k) And &HC0) <> &H80" in vba
    samples = ["INTERPRETER_WIN=C:\\Users\\张会计\\py.exe", "RULES=省规则.toml", "plain"]
    for text in samples:
        assert is_utf8(text.encode("utf-8"))
    for text in samples[:2]:
        assert not is_utf8(text.encode("gbk"))


@pytest.mark.parametrize("bad", ["' 重算\n", "Sub A()\n  MsgBox \"完成\"\nEnd Sub\n"])
def test_non_ascii_vba_is_refused_with_the_line(bad):
    from xltools.excel.template.sources import SourceError, vba_text

    with pytest.raises(SourceError, match="非 ASCII"):
        vba_text('Attribute VB_Name = "A"\n' + bad, "A.bas")
