"""``xltools consolidate`` and the pandas API end to end, on files written like a department's."""

from __future__ import annotations

import gc
import hashlib
import json
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from fixtures.national import synthetic_form, write_national_xlsx
from xltools.cli import main
from xltools.writers import rows as R


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "2020年自评表"
    sub = folder / "二级单位"
    sub.mkdir(parents=True)
    write_national_xlsx([synthetic_form("访惠聚驻村工作经费（虚构）", budget="13", executed="13")],
                        folder / "宣传部.xlsx")
    write_national_xlsx([synthetic_form("疫情防控专项经费（虚构）", budget="200", executed="118"),
                         synthetic_form("文化强州建设（虚构）", budget="50", executed="49")],
                        sub / "文明办.xlsx")
    (sub / "损坏.xlsx").write_bytes(b"\x00\x01 not a workbook")
    return folder


def test_writes_the_summary_and_says_so(inputs, tmp_path, capsys):
    before = {p: sha(p) for p in inputs.rglob("*.xlsx")}
    out = tmp_path / "部门汇总.xlsx"
    assert main(["consolidate", str(inputs), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "已读取 3 个表单（3 个文件），失败文件 1 个" in captured.out
    assert captured.out.strip().endswith(f"汇总已写入：{out}")
    assert "损坏.xlsx" in captured.err
    assert {p: sha(p) for p in inputs.rglob("*.xlsx")} == before
    wb = openpyxl.load_workbook(out)
    ws = wb["汇总"]
    # folder order: 二级单位/ (sorted before 宣传部.xlsx), forms in sheet order inside a file
    assert [ws.cell(r, 2).value for r in range(3, 6)] == [
        "疫情防控专项经费（虚构）", "文化强州建设（虚构）", "访惠聚驻村工作经费（虚构）"]
    assert ws.cell(6, 2).value == "合计"
    problems = [row[2] for row in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert "READ_FAILED" in problems
    assert not list(tmp_path.glob(".~xltools-*"))
    assert gc.isenabled()  # paused while the summary was made, and back on


def test_the_garbage_collector_comes_back_on_after_a_failure(inputs, capsys):
    gc.enable()
    assert main(["consolidate", str(inputs), "-o", str(inputs / "宣传部.xlsx")]) == 2
    assert gc.isenabled()
    gc.disable()  # and a caller who had it off finds it off
    try:
        assert main(["consolidate", str(inputs), "-o", str(inputs.parent / "汇总2.xlsx")]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_sheet_numbers_equal_the_engine_results(inputs, tmp_path):
    from xltools.pipeline import check_files

    report = check_files([inputs])
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(inputs), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["汇总"]
    col = {c.header: i + 1 for i, c in enumerate(R.FORM_COLUMNS)}
    for i, result in enumerate(report.results):
        r = 3 + i
        assert D(str(ws.cell(r, col["全年预算数"]).value)) == result.funds.budget.quantize(D("0.01"))
        assert D(str(ws.cell(r, col["执行率"]).value)) == \
            result.funds.execution_rate.quantize(D("0.0001"))
        assert D(str(ws.cell(r, col["复核总分"]).value)) == result.total.quantize(D("0.01"))
        assert ws.cell(r, col["等级"]).value == result.grade
        assert ws.cell(r, col["错误数"]).value == result.count("error")
    cached = openpyxl.load_workbook(out, data_only=True)["汇总"]
    assert D(str(cached.cell(3 + len(report.results), col["全年预算数"]).value)) == D("263")


def test_json_summary_on_stdout(inputs, tmp_path, capsys):
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(inputs), "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["output"] == str(out) and data["files"] == 3 and data["forms"] == 3
    assert len(data["failed_files"]) == 1 and "损坏.xlsx" in data["failed_files"][0]["reason"]
    assert data["rows"][0]["project"] == "疫情防控专项经费（虚构）"
    assert data["rows"][0]["execution_rate"] == "0.59" and data["rows"][0]["budget"] == "200"
    # the same English snake_case convention as check --json, every key
    assert all(k.isascii() and k == k.lower() for row in data["rows"] for k in row)
    assert set(data["rows"][0]) >= {"project", "department", "year", "budget", "executed",
                                    "execution_rate", "reported_total", "total", "grade", "source"}
    # the unreadable file is a READ_FAILED finding shaped as in check --json
    assert [(f["code"], f["severity"], f["location"]["file"]) for f in data["findings"]] == \
        [("READ_FAILED", "error", data["failed_files"][0]["path"])]


def test_never_writes_over_an_input(inputs, capsys):
    target = inputs / "宣传部.xlsx"
    before = sha(target)
    assert main(["consolidate", str(inputs), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "输入文件" in err and "Traceback" not in err
    assert sha(target) == before


@pytest.mark.parametrize("case", ["no_files", "all_bad", "bad_rules", "bad_output"])
def test_exit_2_with_one_chinese_line(case, tmp_path, inputs, capsys):
    out = tmp_path / "汇总.xlsx"
    if case == "no_files":
        (tmp_path / "空").mkdir()
        argv = [str(tmp_path / "空"), "-o", str(out)]
    elif case == "all_bad":
        (tmp_path / "坏").mkdir()
        (tmp_path / "坏" / "a.xlsx").write_bytes(b"nope")
        argv = [str(tmp_path / "坏"), "-o", str(out)]
    elif case == "bad_rules":
        rules = tmp_path / "rules.toml"
        rules.write_text("this is = = not toml", encoding="utf-8")
        argv = [str(inputs), "-o", str(out), "--rules", str(rules)]
    else:  # the parent "folder" is a file: it cannot be created
        argv = [str(inputs), "-o", str(inputs / "宣传部.xlsx" / "汇总.xlsx")]
    assert main(["consolidate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("错误：") and "Traceback" not in err
    assert not out.exists()


def test_pandas_frames_have_the_sheet_columns(inputs, tmp_path):
    from xltools.api import consolidate

    s = consolidate([inputs])
    assert list(s.forms.columns) == [c.header for c in R.FORM_COLUMNS]
    assert list(s.findings.columns) == [c.header for c in R.FINDING_COLUMNS]
    assert list(s.indicators.columns) == [c.header for c in R.INDICATOR_COLUMNS]
    assert len(s.forms) == 3 and len(s.indicators) == 12
    assert s.forms["全年预算数"].dtype == "float64"
    assert s.forms.loc[0, "执行率"] == pytest.approx(0.59)
    assert s.forms["复核总分"].tolist() == [float(r.total.quantize(D("0.01")))
                                           for r in s.report.results]
    assert (s.findings["代码"] == "READ_FAILED").sum() == 1
    out = s.write(tmp_path / "nb.xlsx")
    assert openpyxl.load_workbook(out)["汇总"].cell(4, 2).value == "文化强州建设（虚构）"


def test_links_to_files_whose_names_hold_hash_or_percent(tmp_path):
    """``项目#2.xlsx`` and ``增长12%2020年.xlsx`` (a browser-saved name looks escaped already):
    every link of the summary, percent-decoded, is an existing file next to the summary."""
    from urllib.parse import unquote

    folder = tmp_path / "第#1批 收表"
    folder.mkdir()
    for name in ("项目#2.xlsx", "增长12%2020年.xlsx", "%E9%A1%B9%E7%9B%AE.xlsx"):
        write_national_xlsx([synthetic_form(f"{name}（虚构）")], folder / name)
    out = tmp_path / "部门汇总.xlsx"
    assert main(["consolidate", str(folder), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    targets = {c.hyperlink.target for ws in (wb["汇总"], wb["问题清单"]) for row in ws.iter_rows()
               for c in row if c.hyperlink is not None}
    assert targets
    for target in targets:
        assert "#" not in target
        assert (tmp_path / unquote(target).replace("\\", "/")).is_file(), target


def test_running_again_into_the_same_folder(inputs, capsys):
    """The summary saved in the folder it sums up is replaced on the next run, not read as an
    input; another xltools summary lying there is skipped (SUMMARY_SKIPPED), not a project."""
    out = inputs / "部门汇总.xlsx"
    assert main(["consolidate", str(inputs), "-o", str(out)]) == 0
    first = capsys.readouterr().out
    assert main(["consolidate", str(inputs), "-o", str(out)]) == 0
    assert capsys.readouterr().out == first  # the same forms and files
    other = inputs / "上次汇总.xlsx"
    out.rename(other)
    assert main(["consolidate", str(inputs), "-o", str(out)]) == 0
    assert "已读取 3 个表单（4 个文件）" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    codes = [r[2] for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert "SUMMARY_SKIPPED" in codes
    assert main(["consolidate", str(out), "-o", str(out)]) == 2  # named as an input: refused


def test_an_empty_argument_and_odd_size_limits(inputs, tmp_path, capsys):
    good = inputs / "宣传部.xlsx"
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", "", str(good), "-o", str(out)]) == 0  # "" (an unset variable) names nothing
    assert "已读取 1 个表单（1 个文件）" in capsys.readouterr().out
    for bad in ("nan", "inf", "1e300", "0.001"):
        assert main(["consolidate", str(good), "-o", str(out), "--max-file-mb", bad]) == 2
        err = capsys.readouterr().err
        assert "--max-file-mb 必须是" in err and "内部错误" not in err, (bad, err)


def test_terminate_stops_cleanly(tmp_path):
    """``kill`` (SIGTERM) during a pooled run stops like Ctrl-C: exit 130, the workers gone, no
    temporary file next to the output and the previous output unchanged."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "收表"
    folder.mkdir()
    one = write_national_xlsx([synthetic_form()], tmp_path / "one.xlsx")
    for i in range(1500):
        shutil.copyfile(one, folder / f"表{i:04d}.xlsx")
    out = tmp_path / "部门汇总.xlsx"
    out.write_bytes(b"previous summary")
    proc = subprocess.Popen([sys.executable, "-m", "xltools", "consolidate", str(folder), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    children: list[int] = []
    while proc.poll() is None and len(children) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # signal as soon as the pool's workers are running
        children = _children(proc.pid)
    assert proc.poll() is None, "the run ended before the pool started"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "已中断" in err and "Traceback" not in err
    assert out.read_bytes() == b"previous summary"
    assert not list(tmp_path.glob(".~xltools-*"))
    time.sleep(0.5)
    assert [pid for pid in children if os.path.exists(f"/proc/{pid}")] == []


def _children(pid: int) -> list[int]:
    import os

    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def test_output_folders_are_created_and_removed_when_nothing_is_written(inputs, tmp_path, capsys):
    out = tmp_path / "汇总" / "2020" / "部门汇总.xlsx"
    assert main(["consolidate", str(inputs), "-o", str(out)]) == 0
    assert out.is_file() and "汇总已写入" in capsys.readouterr().out
    empty = tmp_path / "空"
    empty.mkdir()
    (empty / "a.xlsx").write_bytes(b"nope")
    out2 = tmp_path / "新建" / "子" / "部门汇总.xlsx"
    assert main(["consolidate", str(empty), "-o", str(out2)]) == 2
    assert not (tmp_path / "新建").exists()  # created for the run, removed when nothing was written
    capsys.readouterr()


def test_size_limit_keeps_its_decimals(inputs, tmp_path, capsys):
    big = inputs / "大文件.xlsx"
    big.write_bytes(b"PK\x03\x04" + bytes(20_000))  # 0.0191 MB, over a 0.01 MB cap
    out = tmp_path / "汇总.xlsx"
    assert main(["consolidate", str(inputs), "-o", str(out), "--max-file-mb", "0.01"]) == 0
    err = capsys.readouterr().err
    assert "大文件.xlsx" in err and "上限 0.01 MB" in err and "上限 0 MB" not in err
    assert main(["check", "--max-file-mb", "0.01", str(big)]) == 2
    captured = capsys.readouterr()
    assert "（0.0191 MB，上限 0.01 MB）" in captured.err
    assert "上限" not in captured.out  # said once, on stderr
