"""Consolidating a department's mixed inputs: the Word seed, the stacked seed, the shifted seed and
the provincial layouts together (issue acceptance). The summary's numbers must equal
``xltools check --json`` on the same inputs, and every hyperlink must point at something real."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from fixtures.builders import (load_seed, write_anhui_xlsx, write_hebei_xlsx, write_national_xlsx,
                               write_seed_docx, write_shanxi_xlsx, write_sichuan_xlsx)
from xltools.cli import main

SEED_TOTALS = [D(x) for x in ("100", "100", "87.6", "100", "100", "91.8")]


@pytest.fixture(scope="module")
def department(tmp_path_factory, seed_path, real_forms_path) -> Path:
    seed = load_seed(seed_path)
    root = tmp_path_factory.mktemp("部门") / "收到的自评表"
    (root / "Word").mkdir(parents=True)
    (root / "各省").mkdir()
    write_seed_docx(seed, root / "Word" / "宣传部自评表.docx")
    write_national_xlsx(seed, root / "整表堆叠.xlsx", stacked=True)
    write_national_xlsx(seed, root / "错位.xlsx", offset=(3, 2), rate_as="text", numbers_as_text=True)
    write_sichuan_xlsx(real_forms_path, root / "各省" / "四川.xlsx")
    write_hebei_xlsx(real_forms_path, root / "各省" / "河北.xlsx")
    write_anhui_xlsx(real_forms_path, root / "各省" / "安徽.xlsx")
    write_shanxi_xlsx(real_forms_path, root / "各省" / "山西.xlsx")
    (root / "~$错位.xlsx").write_bytes(b"lock")  # an Office lock file is skipped
    return root


@pytest.fixture(scope="module")
def checked(department) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["check", "--json", str(department)])
    assert code == 1  # the seed carries error findings
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def summary(department, tmp_path_factory) -> Path:
    import contextlib
    import io

    out = tmp_path_factory.mktemp("汇总") / "部门汇总.xlsx"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["consolidate", str(department), "-o", str(out)]) == 0
    return out


def table(ws, first_header: str) -> tuple[list[str], list[list]]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    header = [h for h in rows[start] if h is not None]
    body = []
    for r in rows[start + 1:]:
        if r[0] is None or r[0] == "合计":
            break
        body.append(list(r[: len(header)]))
    return header, body


def test_every_form_of_every_layout_is_read(checked):
    projects = [f["project"] for f in checked["forms"]]
    # 6 (Word) + 6 (stacked) + 6 (shifted) + the provincial examples
    assert len(projects) >= 18 + 4
    seed_forms = [f for f in checked["forms"] if f["department"] == "昌吉州党委宣传部"]
    assert len(seed_forms) == 18
    by_file: dict[str, list[dict]] = {}
    for f in seed_forms:
        by_file.setdefault(Path(f["source"]["file"]).name, []).append(f)
    assert set(by_file) == {"宣传部自评表.docx", "整表堆叠.xlsx", "错位.xlsx"}
    for forms in by_file.values():
        assert [D(f["reported_total"]) for f in forms] == SEED_TOTALS
        assert [f["grade"] for f in forms] == ["优", "优", "良", "优", "优", "优"]
    provinces = {f["source"]["file"] and Path(f["source"]["file"]).name for f in checked["forms"]}
    assert {"四川.xlsx", "河北.xlsx", "安徽.xlsx", "山西.xlsx"} <= provinces
    assert not any("~$" in (f["source"]["file"] or "") for f in checked["forms"])


def test_key_findings_are_raised_in_every_copy(checked):
    for name in ("宣传部自评表.docx", "整表堆叠.xlsx", "错位.xlsx"):
        mine = [f for f in checked["findings"]
                if f["location"] and Path(f["location"]["file"]).name == name]
        codes = {(f["project"], f["code"]) for f in mine}
        assert ("疫情防控宣传补助经费", "MISSED_TARGET_FULL_SCORE") in codes
        assert ("文化强州专项资金", "MIXED_RULES") in codes
        assert ("文化强州专项资金", "LEVEL1_INFERRED") in codes
    shanxi = [f for f in checked["findings"] if f["project"] == "建档立卡个人缴费县级配套资金"]
    assert any(f["code"] == "BUDGET_SCORE_MISMATCH" for f in shanxi)  # 99 % reported as 9


def test_summary_rows_equal_check_json(summary, checked):
    wb = openpyxl.load_workbook(summary)
    assert wb.sheetnames[:4] == ["汇总", "问题清单", "指标明细", "图表"]
    header, body = table(wb["汇总"], "序号")
    assert len(body) == len(checked["forms"])
    col = {h: i for i, h in enumerate(header)}
    for row, form in zip(body, checked["forms"]):
        assert row[col["项目名称"]] == form["project"]
        for title, value in (("报告总分", form["reported_total"]), ("复核总分", form["total"]),
                             ("全年预算数", form["funds"]["budget"])):
            if value is None:
                assert row[col[title]] in (None, "")
            else:
                assert D(repr(row[col[title]])) == D(value).quantize(D("0.01"))
        assert row[col["等级"]] == form["grade"]


def test_findings_sheet_lists_every_finding_with_a_link(summary, checked):
    wb = openpyxl.load_workbook(summary)
    header, body = table(wb["问题清单"], "序号")
    assert len(body) == len(checked["findings"])
    severities = [r[header.index("严重程度")] for r in body]
    order = {"错误": 0, "警告": 1, "提示": 2}
    assert severities == sorted(severities, key=order.__getitem__)


def test_every_hyperlink_target_exists(summary):
    wb = openpyxl.load_workbook(summary)
    checked_links = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                link = cell.hyperlink
                if link is None:
                    continue
                # XlsxWriter stores external links Windows-style (..\\dir\\file.xlsx)
                target = unquote(link.target or "").replace("\\", "/")
                location = link.location or ""
                if "#" in target:
                    target, location = target.split("#", 1)
                if target:
                    path = (summary.parent / target) if not Path(target).is_absolute() else Path(target)
                    assert path.exists(), target
                    if location and path.suffix in (".xlsx", ".xlsm"):
                        sheet = location.split("!")[0].strip("'")
                        assert sheet in openpyxl.load_workbook(path, read_only=True).sheetnames
                elif location:
                    sheet = location.split("!")[0].strip("'")
                    assert sheet in wb.sheetnames
                checked_links += 1
    assert checked_links > 20
