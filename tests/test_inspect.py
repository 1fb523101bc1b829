"""``xltools inspect``: how each form was understood, for every corpus file and for a file
without a form."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl
import pytest

from xltools.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS))

import render  # noqa: E402


@pytest.fixture(scope="module")
def corpus_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    done = render.render_all(out)
    forms = {f["id"]: f for f in render.load_corpus()}
    return [(forms[fid], path) for fid, paths in done.items() for path in paths]


def test_inspect_reads_every_corpus_file(corpus_files, capsys):
    assert len(corpus_files) >= 12
    for form, path in corpus_files:
        assert main(["inspect", "--json", str(path)]) == 0, path
        doc = json.loads(capsys.readouterr().out)["files"][0]
        assert doc["error"] is None
        found = [f for s in doc["sheets"] for f in s["forms"]]
        if not form.get("readable", True):  # a fragment without any header: say what is missing
            assert found or all(s["missing"] for s in doc["sheets"]), path.name
            continue
        assert found, f"{path.name}: no form"
        expected = form["expected"]
        if form.get("readable", True) and expected.get("project"):
            names = [f["project"].replace(" ", "") for f in found]
            assert expected["project"].replace(" ", "") in names, path.name
        taken = sum(len(f["indicators"]) for f in found)
        if expected.get("indicators"):
            assert taken >= len(expected["indicators"]), path.name
        for f in found:  # each row names its cell; each header column its label cell
            assert all(r["cell"] for r in f["indicators"])
            assert all(c["label_cell"] and c["value_cell"] for c in f["indicator_header"])


def test_inspect_text_names_cells_and_skipped_rows(corpus_files, capsys):
    form, path = next((f, p) for f, p in corpus_files
                      if f["id"].startswith("xinjiang-changji-4") and p.suffix == ".xlsx")
    assert main(["inspect", str(path)]) == 0
    text = capsys.readouterr().out
    assert "项目名称：" in text and "“新闻出版电影放映工作经费”" in text
    assert "项目资金表头：" in text and "全年预算数 = " in text
    assert "读取的指标行（17 行）" in text
    assert "FUNDS_ROW_SHIFTED" in text


def test_inspect_a_file_without_a_form_names_the_closest_candidate(tmp_path, capsys):
    path = tmp_path / "清单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某局项目汇总"])
    ws.append(["序号", "单位", "全年预算数", "全年执行数"])
    ws.append([1, "某局", 100, 90])
    wb.save(path)
    assert main(["inspect", str(path)]) == 0
    text = capsys.readouterr().out
    assert "没有找到自评表" in text
    assert "最接近自评表的是 第 2 行" in text
    assert "已找到：项目资金表头" in text and "缺少：项目名称" in text and "绩效指标表头" in text


def test_inspect_an_unreadable_file_is_one_chinese_line(tmp_path, capsys):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["inspect", str(bad)]) == 2
    out = capsys.readouterr()
    assert "无法读取" in out.out and "Traceback" not in out.out + out.err
