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
RUNPYTHON = re.compile(r'RunPython\s+"import xltools\.excel\.macros as m; m\.(\w+)\(\)"')
EXPECTED_ACTIONS = {"new_form", "import_word", "recalculate", "validate", "clear_marks",
                    "consolidate_workbook", "consolidate_folder", "about"}


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
    assert labels == ["新建项目表", "导入Word", "重算得分", "校验", "清除标记", "汇总本工作簿", "汇总文件夹",
                      "关于/环境检查"]
    for button in ribbon_buttons():
        assert button.get("imageMso"), button.get("id")
        assert re.search(r"[\u4e00-\u9fff]", button.get("screentip") or "")
        assert re.search(r"[\u4e00-\u9fff]", button.get("supertip") or "")


def test_every_onaction_has_a_ribbon_callback_sub():
    vba = "\n".join(vba_sources().values())
    for button in ribbon_buttons():
        action = button.get("onAction")
        pattern = rf"^Public Sub {re.escape(action)}\(control As IRibbonControl\)\s*$"
        assert re.search(pattern, vba, re.M), f"no callback Sub for {action}"


def test_each_callback_runs_one_macro_and_each_macro_one_python_command():
    vba = vba_sources()["XltoolsRibbon.bas"]
    subs = dict(re.findall(r"^Public Sub (\w+)\([^)]*\)\n(.*?)^End Sub", vba, re.M | re.S))
    commands = {}
    for name, body in subs.items():
        if name.startswith("XT_On"):
            plain = name.replace("XT_On", "XT_", 1)
            assert body.strip() == plain, f"{name} should call {plain}"
            assert plain in subs, f"{plain} missing (Alt+F8 macro)"
        else:
            found = RUNPYTHON.findall(body)
            assert len(found) == 1, f"{name}: {body!r}"
            commands[name] = found[0]
    assert set(commands.values()) == EXPECTED_ACTIONS


def test_every_runpython_command_names_a_callable_in_macros():
    macros = importlib.import_module("xltools.excel.macros")
    vba = "\n".join(vba_sources().values())
    names = set(RUNPYTHON.findall(vba))
    assert names == EXPECTED_ACTIONS
    for name in names:
        fn = getattr(macros, name, None)
        assert callable(fn), f"xltools.excel.macros.{name} missing"
    # the VBA may not smuggle another command shape past the regex
    code = "\n".join(line for line in vba.splitlines() if not line.lstrip().startswith("'"))
    assert len(re.findall(r"RunPython", code)) == len(RUNPYTHON.findall(code)) == len(EXPECTED_ACTIONS)


@pytest.mark.parametrize("bad", ["' 重算\n", "Sub A()\n  MsgBox \"完成\"\nEnd Sub\n"])
def test_non_ascii_vba_is_refused_with_the_line(bad):
    from xltools.excel.template.sources import SourceError, vba_text

    with pytest.raises(SourceError, match="非 ASCII"):
        vba_text('Attribute VB_Name = "A"\n' + bad, "A.bas")
