"""The WPS 加载项's JavaScript in Debian's chromium, against a fake of WPS's ET object model
(tests/wps_fake/fake_et.js) and the real ``xltools serve``.

校验 and 重算 must leave the workbook as the Excel ribbon's macros leave it (the same code runs on
the service: :mod:`xltools.serve.wpsport`), so each result is compared with
``macros.do_validate`` / ``do_recalculate`` on an openpyxl copy of the same workbook, and the
numbers with ``xltools check --json``. The buttons that start the service, open the task pane,
the local page and 关于 are checked against what they ask of the host."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest

from serve_support import ADDIN, FAKE_ET, SAMPLES, check_json, chromium, start_service, workbook_spec

from xltools.excel import macros
from xltools.excel.marks import LEDGER_SHEET, MARK_RGB
from xltools.excel.port_openpyxl import OpenpyxlPort

SAMPLE = SAMPLES / "昌吉州党委宣传部2020_自评表.xlsx"
HOME = "/home/kuaiji"
DISCOVERY = HOME + "/.xltools/serve.json"
EXE = HOME + "/xltools-venv/bin/xltools"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = start_service(tmp_path_factory.mktemp("home"))
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def discovery(service) -> str:
    return (service.home / ".xltools" / "serve.json").read_text(encoding="utf-8")


def load_addin(browser, spec: dict) -> None:
    """The add-in's page as WPS loads it (a local file), with the fake host object model."""
    browser.get((ADDIN / "index.html").as_uri())
    browser.execute_script(FAKE_ET.read_text(encoding="utf-8"))
    browser.execute_script("""
        window.__alerts = [];
        window.alert = (text) => window.__alerts.push(String(text));
        window.Application = makeFakeApplication(arguments[0]);
    """, spec)


def press(browser, button: str) -> dict:
    return browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const returned = window.OnAction({Id: arguments[0]});
        Promise.resolve(XLT.lastRun).then(
            (answer) => done({returned, answer: answer || null, alerts: window.__alerts,
                              dump: Application.dump(), calls: Application.calls}),
            (error) => done({error: String(error), alerts: window.__alerts}));
    """, button)


def spec_for(service, workbook: dict, **extra) -> dict:
    spec = {"home": HOME, "files": {DISCOVERY: discovery(service)}, "workbook": workbook}
    spec.update(extra)
    return spec


def cells_of(dump: list[dict]) -> dict:
    """sheet → {(row, col): (value, fill BGR, comment)} of the fake after the run."""
    return {s["name"]: {(c[0], c[1]): (c[2], c[3], c[4]) for c in s["cells"]} for s in dump}


def a1(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def reference(tmp_path, action) -> OpenpyxlPort:
    copy = tmp_path / SAMPLE.name
    shutil.copyfile(SAMPLE, copy)
    port = OpenpyxlPort(copy)
    action(port)
    return port


def bgr(rgb: str) -> int:
    n = int(rgb, 16)
    return ((n >> 16) & 255) | (n & 0xFF00) | ((n & 255) << 16)


def test_validate_marks_the_workbook_like_the_excel_ribbon(service, browser, tmp_path):
    workbook = workbook_spec(SAMPLE)
    load_addin(browser, spec_for(service, workbook))
    run = press(browser, "btnValidate")
    assert run["returned"] is True and "error" not in run, run
    answer = run["answer"]
    assert run["alerts"] == [answer["message"]] and answer["message"].startswith("校验完成：6 张自评表")

    # the numbers are those of `xltools check --json` on the file
    cli = check_json(str(SAMPLE))
    assert answer["document"]["forms"] == cli["forms"]
    assert sorted(f["code"] for f in answer["document"]["findings"]) == \
        sorted(f["code"] for f in cli["findings"] if f["code"] != "DUPLICATE_FORM")

    ref = reference(tmp_path, macros.do_validate)
    after = cells_of(run["dump"])
    names = [s["name"] for s in run["dump"]]
    assert names == ref.wb.sheetnames  # 问题清单 and the ledger added, as in Excel
    # every comment and highlight the Excel ribbon adds, and no other
    for ws in ref.wb.worksheets:
        if ws.title in ("问题清单", LEDGER_SHEET):
            continue
        expected = {(c.row, c.column): c.comment.text for row in ws.iter_rows() for c in row if c.comment}
        got = {rc: v[2] for rc, v in after[ws.title].items() if v[2] is not None}
        assert got == expected, ws.title
        marked = {(c.row, c.column) for row in ws.iter_rows() for c in row
                  if c.fill.fill_type == "solid" and c.fill.fgColor.rgb[-6:] == MARK_RGB}
        assert {rc for rc, v in after[ws.title].items() if v[1] == bgr(MARK_RGB)} == marked
    # 问题清单: the same rows
    issues = [[v for v in row] for row in ref.wb["问题清单"].iter_rows(values_only=True)]
    got = after["问题清单"]
    rows = [[got.get((r, c), (None,))[0] for c in range(1, len(issues[0]) + 1)] for r in range(1, len(issues) + 1)]
    norm = lambda v: None if v in (None, "") else (float(v) if isinstance(v, (int, float, Decimal)) else v)
    assert [[norm(v) for v in r] for r in rows] == [[norm(v) for v in r] for r in issues]
    links = next(s for s in run["dump"] if s["name"] == "问题清单")["links"]
    assert links and all(l["sub"].startswith("'") and "!" in l["sub"] for l in links)
    ledger = next(s for s in run["dump"] if s["name"] == LEDGER_SHEET)
    assert ledger["visible"] == 0

    # nothing the filer typed was changed
    for sheet in workbook["sheets"]:
        for row, col, value, _ in sheet["cells"]:
            assert after[sheet["name"]][(row, col)][0] == value, (sheet["name"], a1(row, col))


def test_recalculate_writes_review_scores_beside_the_forms(service, browser, tmp_path):
    workbook = workbook_spec(SAMPLE)
    load_addin(browser, spec_for(service, workbook))
    run = press(browser, "btnRecalc")
    assert run["answer"]["message"].startswith("重算完成：6 张自评表"), run
    ref = reference(tmp_path, macros.do_recalculate)
    after = cells_of(run["dump"])
    filled = {(s["name"], r, c) for s in workbook["sheets"] for r, c, _, _ in s["cells"]}
    written = 0
    for ws in ref.wb.worksheets:
        if ws.title == LEDGER_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if (ws.title, cell.row, cell.column) in filled or cell.value is None:
                    continue
                got = after[ws.title][(cell.row, cell.column)][0]
                assert got == (float(cell.value) if isinstance(cell.value, (int, float, Decimal)) else cell.value)
                written += 1
    assert written > 30
    assert any(v[0] == "复核得分" for v in after["疫情防控宣传补助经费"].values())

    # again: the earlier marks and scores are replaced, not doubled; still nothing typed is touched
    browser.execute_script("window.__alerts = []")
    again = press(browser, "btnRecalc")
    twice = cells_of(again["dump"])
    assert {k: v for k, v in twice.items() if k != LEDGER_SHEET} == \
        {k: v for k, v in after.items() if k != LEDGER_SHEET}


def test_filer_comment_is_kept_and_workbook_rules_are_used(service, browser):
    workbook = workbook_spec(SAMPLE)
    sheet = next(s for s in workbook["sheets"] if s["name"] == "疫情防控宣传补助经费")
    sheet["comments"].append([28, 8, "填报人：满意度调查见附件"])
    workbook["sheets"].append({"name": "xlwings.conf", "cells": [[1, 1, "XLTOOLS_RULES", None],
                                                                [1, 2, "platform_example", None]]})
    load_addin(browser, spec_for(service, workbook))
    run = press(browser, "btnValidate")
    after = cells_of(run["dump"])
    assert after["疫情防控宣传补助经费"][(28, 8)][2] == "填报人：满意度调查见附件"
    assert after["疫情防控宣传补助经费"][(28, 8)][1] == bgr(MARK_RGB)
    cli = check_json("--rules", "platform_example", str(SAMPLE))
    assert run["answer"]["document"]["forms"] == cli["forms"]


def test_snapshot_reads_what_wps_shows(service, browser):
    """Cells as the service needs them: Value2, formats, merged areas (each once), fills,
    comments; an error value is sent as the text the cell shows, not Excel's error number."""
    workbook = {"name": "a.xlsx", "sheets": [{
        "name": "表1", "merges": ["B2:D2", "B3:B4"], "fills": [[3, 2, "FFFF00"]],
        "comments": [[2, 2, "说明"]],
        "cells": [[2, 2, "项目名称", None], [3, 2, 0.8, "0%"], [3, 5, -2146826281, None, "#DIV/0!"],
                  [4, 5, 44185, "yyyy/m/d"]]}]}
    load_addin(browser, {"home": HOME, "files": {}, "workbook": workbook})
    snap = browser.execute_script("return XLT.workbook.snapshot()")
    sheet, = snap["sheets"]
    assert (sheet["first_row"], sheet["first_col"]) == (2, 2)
    assert sheet["values"] == [["项目名称", None, None, None], [0.8, None, None, "#DIV/0!"],
                               [None, None, None, 44185]]
    assert sheet["merges"] == ["B2:D2", "B3:B4"]
    assert sheet["formats"] == [[3, 2, "0%"], [4, 5, "yyyy/m/d"]]
    assert sheet["fills"] == [[3, 2, "FFFF00"]] and sheet["comments"] == [[2, 2, "说明"]]
    assert snap["workbook"] == "a.xlsx" and snap["ledger"] == [] and snap["skipped"] == []


def test_starts_the_service_when_it_is_not_running(service, browser):
    workbook = workbook_spec(SAMPLES / "河北_自评表示例.xlsx")
    spec = {"home": HOME, "files": {}, "workbook": workbook, "executables": [EXE],
            "onStart": {"path": DISCOVERY, "text": discovery(service), "delay": 600}}
    load_addin(browser, spec)
    run = press(browser, "btnValidate")
    assert ["ShellExecute", EXE, "serve --no-browser"] in run["calls"]
    assert run["answer"]["message"].startswith("校验完成"), run


def test_says_how_to_start_when_not_installed(service, browser):
    workbook = workbook_spec(SAMPLES / "河北_自评表示例.xlsx")
    stale = json.dumps({"url": "http://127.0.0.1:9/", "token": "x", "port": 9})
    load_addin(browser, {"home": HOME, "files": {DISCOVERY: stale}, "workbook": workbook})
    run = press(browser, "btnValidate")
    assert run["calls"] == []
    assert len(run["alerts"]) == 1 and run["alerts"][0].startswith("校验失败：未能启动 xltools 本地服务")
    assert "xltools serve --no-browser" in run["alerts"][0]
    names = [s["name"] for s in run["dump"]]
    assert names == [s["name"] for s in workbook["sheets"]]  # nothing written


def test_folder_button_opens_the_page_in_a_task_pane(service, browser):
    load_addin(browser, spec_for(service, workbook_spec(SAMPLES / "河北_自评表示例.xlsx")))
    run = press(browser, "btnFolder")
    (kind, url, title), = run["calls"]
    assert kind == "CreateTaskPane" and url == service.page and title == "xltools 部门汇总"
    assert browser.execute_script("return Object.values(Application.panes)[0].Visible") is True
    press(browser, "btnFolder")  # pressed again: the same pane, shown
    assert len(browser.execute_script("return Application.calls")) == 1
    # the pane's page is the local page, and it answers
    browser.get(url)
    assert browser.find_element("id", "drop").is_displayed()


def test_page_and_about_buttons(service, browser):
    load_addin(browser, spec_for(service, workbook_spec(SAMPLES / "河北_自评表示例.xlsx")))
    run = press(browser, "btnPage")
    assert run["calls"] == [["ShellExecute", service.page, ""]]
    run = press(browser, "btnAbout")
    assert "运行中" in run["alerts"][-1] and service.base in run["alerts"][-1]
    assert browser.execute_script("return GetImage({Id: 'btnValidate'})") == "images/validate.svg"


def test_ribbon_xml_names_the_buttons_and_callbacks():
    import xml.etree.ElementTree as ET

    root = ET.parse(ADDIN / "ribbon.xml").getroot()
    ns = {"c": "http://schemas.microsoft.com/office/2006/01/customui"}
    tab = root.find(".//c:tab", ns)
    assert tab.get("label") == "绩效自评"
    buttons = {b.get("id"): b.get("label") for b in root.iterfind(".//c:button", ns)}
    assert buttons == {"btnValidate": "校验当前工作簿", "btnRecalc": "重算", "btnFolder": "汇总文件夹…",
                       "btnPage": "打开本地页面", "btnAbout": "关于"}
    assert {b.get("onAction") for b in root.iterfind(".//c:button", ns)} == {"OnAction"}
    main = (ADDIN / "main.js").read_text(encoding="utf-8")
    assert all(f"window.{name} =" in main for name in ("OnAddinLoad", "OnAction", "GetImage"))
    for image in ("validate", "recalc", "folder", "page", "about"):
        assert (ADDIN / "images" / f"{image}.svg").is_file()
