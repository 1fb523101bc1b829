"""``xltools check`` at scale: the pooled pipeline, the compact per-form report, the layouts, and
text printed safely in linear time. Forms are synthetic (tests/fixtures/national.py)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from fixtures.national import synthetic_form, write_national_xlsx
from xltools.cli import main
from xltools.commands import check_text as T
from xltools.commands.check import checked_file
from xltools.pipeline import process_file

BOX = set("┃│┏┓┗┛┡┩━╇╈┼")  # rich table borders


@pytest.fixture
def two_forms(tmp_path: Path) -> Path:
    return write_national_xlsx([synthetic_form("甲项目（虚构）", budget="20", executed="15"),
                                synthetic_form("乙项目（虚构）", budget="50", executed="49")],
                               tmp_path / "两个表.xlsx")


@pytest.fixture
def one_form(tmp_path: Path) -> Path:
    return write_national_xlsx([synthetic_form("丙项目（虚构）")], tmp_path / "一个表.xlsx")


def run_text(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_several_forms_give_compact_blocks(two_forms, capsys):
    code, out, err = run_text(capsys, str(two_forms))
    blocks = [b for b in out.split("\n\n") if b.startswith("── ")]
    assert [b.split("\n")[0].split()[1] for b in blocks] == ["甲项目（虚构）", "乙项目（虚构）"]
    for block in blocks:
        lines = block.split("\n")
        assert lines[1].startswith("来源：") and lines[2].startswith("预算执行：") and lines[3].startswith("总分：")
        assert "指标明细" not in block
    assert "执行率 75%" in blocks[0] and "执行率 98%" in blocks[1]
    assert out.rstrip().endswith("个表单：错误 0 条，警告 0 条，提示 0 条。") or "共检查 1 个文件、2 个表单" in out
    assert err == ""  # no progress bar or anything else when stderr is not a terminal


def test_detail_lists_the_indicators_of_every_form(two_forms, capsys):
    _, out, _ = run_text(capsys, "--detail", str(two_forms))
    assert out.count("指标明细：") == 2
    assert not BOX & set(out)  # not a terminal: the list layout, no table borders
    assert "  · 产出指标 / " in out and "    指标值 " in out


def test_a_single_form_shows_its_indicators(one_form, capsys):
    _, out, _ = run_text(capsys, str(one_form))
    assert out.count("指标明细：") == 1 and out.count("── ") == 1


def test_lines_fit_80_columns_apart_from_user_text(two_forms, capsys):
    _, out, _ = run_text(capsys, "--detail", str(two_forms))
    rules = [line for line in out.splitlines() if line.startswith("── ")]
    assert rules and all(T.cell_width(line) <= 80 for line in rules)


def test_a_wide_terminal_gets_a_table_with_bounded_cells(one_form):
    report = process_file(one_form)
    wide = T.render_form(report.results[0], T.Style(width=120, wide=True), True)
    assert BOX & set(wide) and "三级指标" in wide
    table = [line for line in wide.splitlines() if BOX & set(line)]
    assert table and all(T.cell_width(line) <= 120 for line in table)
    narrow = T.render_form(report.results[0], T.Style(width=80), True)
    assert not BOX & set(narrow) and "指标明细：" in narrow


def test_user_text_is_printed_as_written(tmp_path, capsys):
    name = "[bold red]项目[/] [link=http://x]链接[/link] :smile: 123 'quoted' 1.5 http://example.com"
    path = write_national_xlsx([synthetic_form(name)], tmp_path / "标记.xlsx")
    _, out, _ = run_text(capsys, str(path))
    assert f"── {name} " in out and "\x1b" not in out
    style = T.Style(width=120, wide=True, colour=False)
    report = process_file(path)
    assert name[:10] in T.render_form(report.results[0], style, True)


def test_long_text_prints_in_linear_time(tmp_path, capsys):
    """Six project names of 32,767 digits (the most a cell holds): once 221 s in rich's
    highlighter; the report's own work must take well under a second."""
    names = [str(d) * 32_767 for d in range(1, 7)]
    path = write_national_xlsx([synthetic_form(n) for n in names], tmp_path / "长文本.xlsx")
    report = process_file(path)
    assert [len(r.form.project.text) for r in report.results] == [32_767] * 6
    import rich.table  # noqa: F401  (imported once by a worker; not the report's time)

    for style, limit in ((T.Style(), 0.5), (T.Style(width=120, wide=True, colour=True), 1.0)):
        start = time.perf_counter()  # six blocks and six with the indicator table (≈ 0.06 s; wide ≈ 0.25 s)
        done = checked_file(report, as_json=False, detail="single", style=style)
        assert time.perf_counter() - start < limit
        assert len(done.forms) == len(report.results)
    start = time.perf_counter()
    code, out, _ = run_text(capsys, str(path))
    assert time.perf_counter() - start < 5  # the whole command, reading included (≈ 0.3 s)
    for name in names:
        assert f"── {name[:1000]}" in out


def test_the_pool_gives_the_same_report_as_one_process(tmp_path, capsys):
    folder = tmp_path / "多"
    folder.mkdir()
    for i in range(40):
        write_national_xlsx([synthetic_form(f"项目{i:02d}（虚构）", budget="20", executed=str(10 + i % 10))],
                            folder / f"{i:02d}.xlsx")
    shutil.copy(folder / "03.xlsx", folder / "03_副本.xlsx")  # the same project twice
    (folder / "坏.xlsx").write_bytes(b"not a workbook")
    outputs = {}
    for workers in ("1", "2"):
        for mode in ([], ["--json"]):
            code, out, err = run_text(capsys, "--workers", workers, *mode, str(folder))
            assert code == 2 and err.count("坏.xlsx") == 1
            outputs[workers, bool(mode)] = out
    assert outputs["1", False] == outputs["2", False]
    assert outputs["1", True] == outputs["2", True]
    text = outputs["1", False]
    assert text.count("\n── 项目") + text.startswith("── 项目") == 41
    other = text.split("── 其他问题 ")[1]
    assert "DUPLICATE_FORM" in other and "坏.xlsx" not in other  # the unreadable file: stderr only
    assert "无法读取 1 个文件" in text
    doc = json.loads(outputs["1", True])
    assert len(doc["forms"]) == 41
    assert [f["code"] for f in doc["findings"] if (f["location"] or {}).get("file", "").endswith("坏.xlsx")] == ["READ_FAILED"]


def test_json_pieces_are_the_documented_document(two_forms, capsys):
    from xltools.writers.json_doc import to_json

    code = main(["check", "--json", str(two_forms)])
    out = capsys.readouterr().out
    report = process_file(two_forms)
    findings = sorted([f for r in report.results for f in r.findings], key=lambda f: f.sort_key())
    assert out == json.dumps(to_json(report.results, findings), ensure_ascii=False, indent=2) + "\n"
    assert code == 0


def test_a_missing_path_is_a_finding_in_json(two_forms, tmp_path, capsys):
    missing = tmp_path / "没有.xlsx"
    code = main(["check", "--json", str(two_forms), str(missing)])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 2 and len(doc["forms"]) == 2
    read_failed = [f for f in doc["findings"] if f["code"] == "READ_FAILED"]
    assert len(read_failed) == 1 and read_failed[0]["location"]["file"] == str(missing)
    assert str(missing) in read_failed[0]["message"] and "不存在" in read_failed[0]["message"]
    assert captured.err.count(str(missing)) == 1


def test_an_unsupported_file_is_said_once(capsys):
    readme = Path(__file__).resolve().parents[1] / "README.md"
    code, out, err = run_text(capsys, str(readme))
    assert code == 2
    assert err.count("README.md") == 1 and "README.md" not in out.replace(str(readme), "")
    assert "不是支持的文件类型" in err and "不是支持的文件类型" not in out


def test_layout_follows_the_terminal(monkeypatch):
    import os
    import sys

    from xltools.commands.check import text_style

    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert text_style() == T.Style(width=80, wide=False, colour=False)  # piped or saved
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((80, 24)))
    narrow = text_style()
    assert narrow.width == 80 and not narrow.wide
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((132, 40)))
    wide = text_style()
    assert wide.width == 132 and wide.wide and wide.colour
    monkeypatch.setenv("NO_COLOR", "1")
    assert not text_style().colour


def test_the_progress_bar_only_on_a_terminal(monkeypatch):
    import sys

    from xltools.commands.progress import BAR_MIN_FILES, Bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not Bar(5000).shown
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert not Bar(BAR_MIN_FILES - 1).shown  # a few files: over before a bar would help
    bar = Bar(BAR_MIN_FILES)
    try:
        assert bar.shown
        bar(BAR_MIN_FILES // 2, BAR_MIN_FILES)
    finally:
        bar.close()
    assert not bar.shown


def test_control_characters_in_user_text_cannot_drive_the_terminal(tmp_path, capsys):
    # _xHHHH_ is how a workbook stores a control character (openpyxl writes it as given)
    path = write_national_xlsx([synthetic_form("换行\n的项目_x001B_[2J_x0007_（虚构）")],
                               tmp_path / "控制字符.xlsx")
    assert process_file(path).results[0].form.project.text == "换行\n的项目\x1b[2J\x07（虚构）"
    _, out, _ = run_text(capsys, str(path))
    assert "\x1b" not in out and "\x07" not in out
    assert "── 换行 的项目␛[2J␇（虚构） " in out
    report = process_file(path)
    for style in (T.Style(), T.Style(width=120, wide=True, colour=True)):
        text = T.render_form(report.results[0], style, True)
        assert "\x1b[2J" not in text and "\x07" not in text
