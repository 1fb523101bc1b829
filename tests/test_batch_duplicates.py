"""The same project filed twice in one batch is flagged (DUPLICATE_FORM), in check and in the summary."""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal as D

import openpyxl

from fixtures.national import synthetic_form, write_national_xlsx
from xltools.cli import main
from xltools.core.batch import FormKey, duplicate_findings
from xltools.core.model import Source


def key(project="访惠聚经费", department="昌吉州党委宣传部", year="2020", budget="13"):
    return FormKey(project, department, year, D(budget))


def test_first_occurrence_is_silent_each_repeat_is_reported_at_its_own_cell():
    a, b, c = (Source(f"{n}.xlsx", "表1", "B1") for n in "abc")
    found = duplicate_findings([(key(), "访惠聚经费", a), (key(), "访惠聚经费", b),
                                (key(), "访惠聚经费", c)])
    assert [f.location for f in found] == [b, c]
    assert all(f.code == "DUPLICATE_FORM" and f.severity == "warning" for f in found)
    assert "在 3 处出现" in found[0].message and "a.xlsx｜表1!B1" in found[0].message


def test_different_year_budget_or_department_is_not_a_duplicate():
    src = Source("a.xlsx", "表1", "B1")
    entries = [(key(), "访惠聚经费", src), (key(year="2021"), "访惠聚经费", src),
               (key(budget="14"), "访惠聚经费", src), (key(department="文明办"), "访惠聚经费", src),
               (None, "", src)]
    assert duplicate_findings(entries) == []


def test_check_and_consolidate_flag_a_form_sent_twice(tmp_path):
    form = synthetic_form("访惠聚驻村工作经费（虚构）", budget="13", executed="13")
    other = synthetic_form("文化强州建设（虚构）", budget="50", executed="49")
    write_national_xlsx([form, other], tmp_path / "宣传部.xlsx")
    write_national_xlsx([form], tmp_path / "宣传部_重发.xlsx")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["check", "--json", str(tmp_path)])
    doc = json.loads(out.getvalue())
    dups = [f for f in doc["findings"] if f["code"] == "DUPLICATE_FORM"]
    assert len(dups) == 1 and dups[0]["project"] == "访惠聚驻村工作经费（虚构）"
    assert dups[0]["location"]["file"] == "宣传部_重发.xlsx"

    summary = tmp_path / "汇总" / "部门汇总.xlsx"
    summary.parent.mkdir()
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert main(["consolidate", str(tmp_path), "-o", str(summary)]) == 0
    assert "（2 个文件）" in said.getvalue()
    ws = openpyxl.load_workbook(summary)["问题清单"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[2] == "DUPLICATE_FORM"]
    assert len(rows) == 1 and rows[0][1] == "警告"
    link = next(c.hyperlink for row in ws.iter_rows() for c in row
                if c.hyperlink and row[2].value == "DUPLICATE_FORM")
    assert "宣传部_重发.xlsx" in link.target


def test_a_blank_template_sheet_is_reported_but_not_consolidated(tmp_path):
    import shutil
    from pathlib import Path

    template = Path(__file__).resolve().parents[1] / "workbooks" / "绩效自评模板.xlsm"
    shutil.copy(template, tmp_path / "模板.xlsm")
    write_national_xlsx([synthetic_form("访惠聚驻村工作经费（虚构）", budget="13", executed="13")],
                        tmp_path / "宣传部.xlsx")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["check", "--json", str(tmp_path)])
    doc = json.loads(out.getvalue())
    assert [f["project"] for f in doc["forms"]] == ["访惠聚驻村工作经费（虚构）"]
    blank = [f for f in doc["findings"] if f["code"] == "FORM_BLANK"]
    assert len(blank) == 1 and blank[0]["location"]["file"] == "模板.xlsm"


def test_every_way_of_writing_the_summary_lists_the_duplicate_and_the_counts_add_up(tmp_path):
    """The command line, ``xltools.consolidate(...).write`` (the Excel 汇总 button) and
    ``write_summary`` make the same 问题清单; the line under the 汇总 table counts what no
    project's row counts (the duplicate warning, the unreadable file's error)."""
    from xltools import consolidate
    from xltools.writers.summary_workbook import write_summary

    form = synthetic_form("访惠聚驻村工作经费（虚构）", budget="13", executed="13")
    inputs = tmp_path / "收到的表"
    inputs.mkdir()
    write_national_xlsx([form], inputs / "宣传部.xlsx")
    write_national_xlsx([form], inputs / "宣传部_重发.xlsx")
    (inputs / "损坏.xlsx").write_bytes(b"PK\x03\x04 broken")
    summary = consolidate([inputs])
    assert list(summary.findings["代码"]).count("DUPLICATE_FORM") == 1
    outs = {"api": summary.write(tmp_path / "api.xlsx"),
            "report": write_summary(summary.report, tmp_path / "report.xlsx")}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["consolidate", str(inputs), "-o", str(tmp_path / "cli.xlsx")]) == 0
    outs["cli"] = tmp_path / "cli.xlsx"
    for name, path in outs.items():
        wb = openpyxl.load_workbook(path)
        codes = [r[2] for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
        assert codes.count("DUPLICATE_FORM") == 1, name
        assert codes.count("READ_FAILED") == 1, name
        texts = [c.value for row in wb["汇总"].iter_rows() for c in row if isinstance(c.value, str)]
        note = [t for t in texts if t.startswith("另有不属于任何项目行的问题")]
        assert note == ["另有不属于任何项目行的问题：错误 1 条、警告 1 条（无法读取的文件、"
                        "未找到自评表、同一项目重复填报等），见“问题清单”。"], name


def test_the_same_file_name_in_two_folders_is_told_apart(tmp_path):
    """财务科/自评表.xlsx and 宣传科/自评表.xlsx hold the same project: the message names both
    by their folders, and the duplicate's link opens its own file."""
    form = synthetic_form("访惠聚驻村工作经费（虚构）", budget="13", executed="13")
    for folder in ("财务科", "宣传科"):
        (tmp_path / folder).mkdir()
        write_national_xlsx([form], tmp_path / folder / "自评表.xlsx")
    summary = tmp_path / "部门汇总.xlsx"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["consolidate", str(tmp_path), "-o", str(summary)]) == 0
    ws = openpyxl.load_workbook(summary)["问题清单"]
    [row] = [r for r in ws.iter_rows() if r[2].value == "DUPLICATE_FORM"]
    message, link = row[5].value, row[8].hyperlink.target
    assert "财务科" in message and "宣传科" in message
    second = sorted(["财务科", "宣传科"])[1]  # input order: the repeat is the later file
    assert link.replace("\\", "/").startswith(f"{second}/")
