"""The JSON API of ``xltools serve`` without a browser: the grid endpoint builds the same
Grid as the readers (same numbers as ``check --json``), payload errors are Chinese lines, the
posted-workbook port keeps the ledger's rules, an uploaded rule pack is used, and the findings
workbook keeps formula-like text as text. Module doctests run here too."""

from __future__ import annotations

import doctest
import importlib
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from serve_support import SAMPLES, check_json, start_service, workbook_spec

from xltools.core.model import Finding, Source
from xltools.serve.app import ApiError, _check_grid
from xltools.serve.posted import PayloadError, cell_value, sheet_grid
from xltools.serve.wpsport import PostedWorkbookPort

SAMPLE = SAMPLES / "昌吉州党委宣传部2020_自评表.xlsx"


@pytest.mark.parametrize("module", ["xltools.serve.security", "xltools.serve.uploads",
                                    "xltools.serve.posted", "xltools.serve.wpsport"])
def test_module_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def posted(path: Path) -> list[dict]:
    """An .xlsx as the WPS add-in posts it (see wps_addin/js/workbook.js)."""
    out = []
    for sheet in workbook_spec(path)["sheets"]:
        rows = max((c[0] for c in sheet["cells"]), default=1)
        cols = max((c[1] for c in sheet["cells"]), default=1)
        values = [[None] * cols for _ in range(rows)]
        formats = []
        for r, c, v, fmt in sheet["cells"]:
            values[r - 1][c - 1] = v
            if fmt:
                formats.append([r, c, fmt])
        out.append({"name": sheet["name"], "first_row": 1, "first_col": 1, "values": values,
                    "formats": formats, "merges": sheet["merges"], "fills": sheet["fills"],
                    "comments": sheet["comments"]})
    return out


def test_check_grid_gives_the_numbers_of_check_json(tmp_path):
    answer = _check_grid({"workbook": SAMPLE.name, "action": "check", "sheets": posted(SAMPLE)}, tmp_path)
    cli = check_json(str(SAMPLE))
    assert answer["document"]["forms"] == cli["forms"]
    assert answer["edits"] == [] and answer["api"] == "v1"
    mine = {(f["code"], f["message"]) for f in answer["document"]["findings"]}
    assert mine == {(f["code"], f["message"]) for f in cli["findings"] if f["code"] != "DUPLICATE_FORM"}


def test_check_grid_over_http_with_an_uploaded_rule_pack(tmp_path):
    svc = start_service(tmp_path / "home")
    try:
        toml = 'extends = "national"\n[grades]\nlevels = [{ name = "优", min = "99" }, ' \
               '{ name = "良", min = "80" }, { name = "中", min = "60" }, { name = "差", min = "0" }]\n'
        status, answer = svc.json("POST", "/api/v1/check-grid", {
            "workbook": SAMPLE.name, "sheets": posted(SAMPLE), "rules_toml": toml})
        assert status == 200, answer
        rules = tmp_path / "r.toml"
        rules.write_text(toml, encoding="utf-8")
        assert answer["document"]["forms"] == check_json("--rules", str(rules), str(SAMPLE))["forms"]
        assert any(f["total"] and Decimal(f["total"]) >= 90 and f["grade"] == "良"
                   for f in answer["document"]["forms"])
        status, answer = svc.json("POST", "/api/v1/check-grid", {"sheets": "x"})
        assert status == 400 and answer["error"] == "sheets 应为工作表的列表。"
        status, answer = svc.json("POST", "/api/v1/check-grid", {"sheets": [], "rules_toml": "a = ["})
        assert status == 400 and answer["error"].startswith("上传的规则包不是有效的 TOML")
        status, _, body = svc.request("POST", "/api/v1/check-grid", b"not json",
                                      {"Content-Type": "application/json"})
        assert status == 400 and "JSON" in json.loads(body)["error"]
    finally:
        svc.stop()


@pytest.mark.parametrize("payload, message", [
    ({"name": ""}, "每个工作表都需要名称"),
    ({"name": "表1", "values": "abc"}, "二维数组"),
    ({"name": "表1", "values": [[{"x": 1}]]}, "无法识别的单元格值"),
    ({"name": "表1", "values": [[1]], "merges": ["A1:ZZZZ9"]}, "单元格地址"),
    ({"name": "表1", "values": [[1]], "first_row": 0}, "first_row"),
    ({"name": "表1", "values": [[1]], "fills": [[1, 1]]}, "[行, 列, 文字]"),
])
def test_bad_payloads_are_one_chinese_line(payload, message):
    with pytest.raises(PayloadError) as info:
        sheet_grid("a.xlsx", payload)
    assert message in str(info.value)


def test_posted_values_become_what_the_readers_make():
    assert cell_value(44185, "yyyy/m/d") == "2020年12月20日"
    assert cell_value(44185.75, "yyyy-mm-dd h:mm") == "2020年12月20日 18:00"
    assert cell_value(5.0, None) == Decimal(5) and cell_value(True, None) == "是"
    grid = sheet_grid("a.xlsx", {"name": "表1", "first_row": 4, "first_col": 2,
                                 "values": [["执行率", 0.7595]], "formats": [[4, 3, "0.00%"]],
                                 "merges": ["$B$4:$B$5", "A1:A2"]})
    assert grid.address(0, 1) == "C4" and grid.formats == {(0, 1): "0.00%"}
    assert grid.merged == [(0, 0, 1, 0)]  # A1:A2 lies outside the posted block


def test_wps_port_keeps_the_ledger_rules():
    sheets = [{"name": "表1", "values": [["项目名称", "甲", None]], "fills": [[1, 2, "ffff00"]],
               "comments": [[1, 2, "填报人的批注"]]}]
    port = PostedWorkbookPort("a.xlsx", sheets)
    port.mark("表1", "B1", "得分与规则不符")
    assert {"op": "fill", "sheet": "表1", "cell": "B1", "rgb": "FFC7CE"} in port.edits
    assert not any(e["op"] == "comment" for e in port.edits)  # the filer's comment stays
    with pytest.raises(Exception) as info:
        port.write("表1", "A1", 1)
    assert "不会覆盖" in str(info.value)
    port.write("表1", "C1", Decimal("9.41"))
    ledger = port.ledger
    # a later run (the add-in posts the ledger back): clearing restores the filer's yellow
    again = PostedWorkbookPort("a.xlsx", [{"name": "表1", "values": [["项目名称", "甲", 9.41]],
                                           "fills": [[1, 2, "FFC7CE"]], "comments": [[1, 2, "填报人的批注"]]}],
                               ledger=ledger)
    assert again.clear_marks() == 2
    assert {"op": "fill", "sheet": "表1", "cell": "B1", "rgb": "FFFF00"} in again.edits
    assert {"op": "value", "sheet": "表1", "cell": "C1", "value": None} in again.edits
    # a ledger written by the openpyxl port (fills recorded as XML) is understood too
    xml = '<fill><patternFill patternType="solid"><fgColor rgb="FF00B050"/></patternFill></fill>'
    third = PostedWorkbookPort("a.xlsx", [{"name": "表1", "values": [["x"]]}],
                               ledger=[["mark", "表1", "A1", xml, "说明"]])
    third.clear_marks()
    assert {"op": "fill", "sheet": "表1", "cell": "A1", "rgb": "00B050"} in third.edits


def test_posted_configuration_sheet_is_ignored():
    port = PostedWorkbookPort("a.xlsx", [{"name": "xlwings.conf", "values": [["XLTOOLS_RULES", "/etc/x.toml"]]},
                                         {"name": "表1", "values": [["x"]]}], rules="platform_example")
    assert port.sheet_names() == ["表1"]  # a posted configuration sheet never chooses the rules
    from xltools.excel.macros import configured_rules, load_pack

    assert configured_rules(port) == "platform_example"  # the request's choice does
    assert load_pack(port).name == load_pack(PostedWorkbookPort("b.xlsx", [], rules="platform_example")).name
    assert load_pack(port).name != load_pack(PostedWorkbookPort("c.xlsx", [])).name


def test_unknown_action_and_rule_pack(tmp_path):
    with pytest.raises(ApiError, match="action"):
        _check_grid({"action": "delete"}, tmp_path)
    with pytest.raises(ApiError, match="规则包“/etc/passwd”不存在"):
        _check_grid({"rules": "/etc/passwd", "sheets": []}, tmp_path)


def test_findings_workbook_keeps_text_as_text(tmp_path):
    from xltools.writers.findings_workbook import write_findings

    finding = Finding("MISSED_TARGET_FULL_SCORE", "error", '=HYPERLINK("http://x","点击")', "项目甲", "指标",
                      Source("a.xlsx", "表1", "H28"), "9.41", "10")
    out = write_findings([("/tmp/a.xlsx", finding)], tmp_path / "问题清单.xlsx")
    ws = openpyxl.load_workbook(out)["问题清单"]
    assert [c.value for c in ws[1]] == ["序号", "严重程度", "代码", "项目", "指标", "问题说明", "应为", "报告值", "位置"]
    row = [c.value for c in ws[2]]
    assert row[:3] == [1, "错误", "MISSED_TARGET_FULL_SCORE"] and row[8] == "a.xlsx｜表1!H28"
    assert ws["F2"].data_type == "s" and ws["F2"].value.startswith("=HYPERLINK")


def test_a_bug_is_one_chinese_line_not_a_traceback():
    import asyncio

    from xltools.serve.security import Guard

    async def broken(scope, receive, send):
        raise ZeroDivisionError("division by zero")

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    guard = Guard(broken, "tok", 8000)
    scope = {"type": "http", "method": "GET", "path": "/api/v1/health", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:8000"), (b"x-xltools-token", b"tok")]}
    asyncio.run(guard(scope, receive, send))
    assert sent[0]["status"] == 500
    assert json.loads(sent[1]["body"])["error"] == \
        "程序内部错误（ZeroDivisionError: division by zero）。请把这一行报告给开发者。"
    assert dict(sent[0]["headers"])[b"cache-control"] == b"no-store"
    assert b"content-security-policy" in dict(sent[0]["headers"])


def test_serve_opens_the_browser_at_the_token_url(monkeypatch, tmp_path):
    """``xltools serve`` without ``--no-browser``: the browser is sent to the URL with the
    token; the page's shutdown request ends ``serve`` with 0 and removes what it made."""
    import http.client
    import io
    import threading
    import webbrowser

    from xltools.serve import server

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    opened: list[str] = []

    def fake_open(url):
        opened.append(url)
        port = int(url.split(":")[2].split("/")[0])
        token = url.split("token=")[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/api/v1/shutdown", headers={"X-XLTools-Token": token})
        assert conn.getresponse().status == 200
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    out = io.StringIO()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(server.serve(0, open_browser=True, out=out)))
    thread.start()
    thread.join(timeout=30)
    assert codes == [0]
    printed = out.getvalue()
    assert len(opened) == 1 and opened[0] in printed and "?token=" in opened[0]
    assert opened[0].startswith("http://127.0.0.1:") and "已停止" in printed
    assert not (tmp_path / ".xltools" / "serve.json").exists()
