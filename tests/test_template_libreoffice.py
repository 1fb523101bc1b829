"""The built workbooks in a real spreadsheet engine (LibreOffice, headless, private profiles).

- the template and the sample open and convert to xlsx and pdf;
- with the seed's forms, the native formulas give the engine's 执行率, budget score and total;
- stub-RunPython smoke test: every ribbon callback and plain macro, run through UNO, hands
  Python exactly ``import xltools.excel.macros as m; m.<name>()``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from xltools.core.decimals import round_half_up, to_decimal
from xltools.excel.template import build as B
from xltools.excel.template.sources import VbaModule, vba_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lo import convert, recalc_values, requires_soffice  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
pytestmark = requires_soffice

STUB_XLWINGS = '''Attribute VB_Name = "xlwings"
' Test stand-in for xlwings: RunPython records its command in the first sheet, cell A100.
Public Sub RunPython(PythonCommand As String)
    ThisWorkbook.Worksheets(1).Cells(100, 1).Value = PythonCommand
End Sub
'''

UNO_SCRIPT = r'''
import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

book, profile, callbacks = sys.argv[1], sys.argv[2], sys.argv[3:]
pipe = "xt_%d" % os.getpid()
proc = subprocess.Popen(["soffice", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                         "--headless", "--invisible", "--norestore", "--nologo",
                         "--accept=pipe,name=%s;urp;" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(300):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 4)))
    provider = doc.getScriptProvider()
    sheet = doc.Sheets.getByIndex(0)
    out = {}
    for name in callbacks:
        if name.startswith("XT_U:"):  # a function: its return value
            fn = provider.getScript(
                "vnd.sun.star.script:VBAProject.XltoolsRibbon.XT_U?language=Basic&location=document")
            out[name] = fn.invoke((name[5:],), (), ())[0]
            continue
        sheet.getCellByPosition(0, 99).setString("")
        script = provider.getScript(
            "vnd.sun.star.script:VBAProject.XltoolsRibbon.%s?language=Basic&location=document" % name)
        # a ribbon callback gets the IRibbonControl: any object will do here
        script.invoke((sheet,) if name.startswith("XT_On") else (), (), ())
        out[name] = sheet.getCellByPosition(0, 99).getString()
    doc.close(True)
    print(json.dumps(out, ensure_ascii=True))
finally:
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass
    try:
        proc.wait(timeout=30)
    except Exception:
        proc.kill()
'''


def _uno_python() -> str | None:
    python = "/usr/bin/python3"
    if not Path(python).exists():
        return None
    ok = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
    return python if ok else None


@pytest.fixture(scope="module")
def seed_forms(tmp_path_factory, seed_path):
    from fixtures.national import write_national_xlsx
    from fixtures.seed import load_seed
    from xltools.readers.files import read_forms

    xlsx = write_national_xlsx(load_seed(seed_path), tmp_path_factory.mktemp("seed") / "宣传部.xlsx")
    return read_forms(xlsx).forms


def _num(value) -> Decimal | None:
    return None if value in (None, "") else to_decimal(value)


def test_template_and_sample_open_and_convert(tmp_path):
    source = B.default_sample_source(ROOT / "workbooks")
    assert source is not None, "workbooks/samples/ has no sample source"
    built = {p.name: p for p in B.build_all(tmp_path / "wb", sample_source=source)}
    for name in (B.TEMPLATE_NAME, B.SAMPLE_NAME):
        if name not in built:
            pytest.fail(f"{name} was not built (workbooks/samples/ missing?)")
        xlsx = convert(built[name], "xlsx", tmp_path / "x", profile_dir=tmp_path / "prof")
        pdf = convert(built[name], "pdf", tmp_path / "p", profile_dir=tmp_path / "prof")
        assert xlsx.stat().st_size > 5000 and pdf.read_bytes().startswith(b"%PDF")
    wb = recalc_values(built[B.TEMPLATE_NAME], tmp_path / "t")
    ws = wb["自评表"]
    assert ws["H6"].value in (None, "")  # no budget yet: the rate stays empty, not #DIV/0!
    assert ws["I6"].value in (None, "")
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert ws.cell(total_row, 7).value == 10  # Σ分值 = the budget weight until indicators are weighted
    assert ws.cell(total_row, 8).value == 0


def test_native_formulas_match_the_engine_on_the_seed(tmp_path, seed_forms):
    from xltools.core.engine import evaluate

    data = B.template_bytes(seed_forms, formulas=True)
    path = tmp_path / "recomputed.xlsm"
    path.write_bytes(data)
    wb = recalc_values(path, tmp_path)
    sheets = wb.sheetnames[1:-1]
    assert len(sheets) == len(seed_forms) == 6
    for name, form in zip(sheets, seed_forms):
        ws = wb[name]
        result = evaluate(form)
        rate, score = _num(ws["H6"].value), _num(ws["I6"].value)
        assert round_half_up(rate, 4) == round_half_up(result.funds.execution_rate, 4), name
        assert round_half_up(score, 2) == round_half_up(result.funds.score, 2), name
        total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
        reported = sum((ir.reported_score for ir in result.indicators if ir.reported_score is not None),
                       Decimal(0))
        total = _num(ws.cell(total_row, 8).value)
        assert round_half_up(total, 2) == round_half_up(result.funds.score + reported, 2), name
        if all(ir.score == ir.reported_score for ir in result.indicators) and result.total is not None:
            assert round_half_up(total, 2) == round_half_up(result.total, 2), name


def test_ribbon_callbacks_hand_python_the_expected_commands(tmp_path):
    """Every plain macro and XT_Run itself, through UNO, reach RunPython with the right command.

    The interpreter check uses Windows COM objects (WScript.Shell, Scripting.FileSystemObject)
    that LibreOffice lacks, so this variant's XT_InterpreterProblem answers "" (found); the
    check's own logic is covered in test_vba_sources.py.
    """
    python = _uno_python()
    if python is None:
        pytest.skip("python3-uno is not available for /usr/bin/python3")
    bridge = tmp_path / "bridge"
    shutil.copytree(ROOT / "vba_bridge", bridge)
    vba = (bridge / "XltoolsRibbon.bas").read_text(encoding="ascii")
    vba, n = re.subn(r"(Public Function XT_InterpreterProblem\(\) As String\n)",
                     r"\1    Exit Function\n", vba)
    assert n == 1
    (bridge / "XltoolsRibbon.bas").write_text(vba, encoding="ascii")
    stub = VbaModule("xlwings", vba_text(STUB_XLWINGS, "stub xlwings"))
    book = tmp_path / "stub.xlsm"
    book.write_bytes(B.template_bytes(variant=B.Variant(xlwings_module=stub), bridge=bridge))
    expected = {m.group(1): m.group(2) for m in re.finditer(
        r'Public Sub (XT_\w+)\(\)\n    XT_Run "(\w+)"\nEnd Sub', vba)}
    assert len(expected) == 8  # every button but 关于 has a plain macro
    script = tmp_path / "run_callbacks.py"
    script.write_text(UNO_SCRIPT, encoding="utf-8")
    escaped = r"xltools \u7EE9\u6548\u81EA\u8BC4\uFF1A\u201C\u5B89\u88C5.cmd\u201D"
    proc = subprocess.run([python, str(script), str(book), str(tmp_path / "profile"), *sorted(expected),
                           "XT_U:" + escaped],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    recorded = json.loads(proc.stdout.strip().splitlines()[-1])
    for plain, fn in expected.items():
        assert recorded[plain] == f"import xltools.excel.macros as m; m.{fn}()"
    assert recorded["XT_U:" + escaped] == "xltools 绩效自评：“安装.cmd”"  # the VBA's own decoder
    assert shutil.which("soffice")
