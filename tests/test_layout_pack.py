"""The layout pack: labels as data, matching rules, and users' ``--layouts`` files."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from xltools.cli import main
from xltools.readers.grid import Grid, normalise_value
from xltools.readers.layout_pack import (ROLES, LayoutPackError, active, load_layout_pack,
                                         use)
from xltools.readers.layouts.common import label_key
from xltools.readers.locate import locate_forms

DOCS = Path(__file__).resolve().parents[1] / "docs" / "layouts.md"


@pytest.fixture(autouse=True)
def default_pack():
    use(None)
    yield
    use(None)


def grid(text: str) -> Grid:
    rows = [[normalise_value(c.strip()) if c.strip() else None for c in line.split("|")]
            for line in text.strip().splitlines()]
    return Grid("表.xlsx", "自评表", rows)


@pytest.mark.parametrize("written, key", [
    ("全年\n完成值", "全年完成值"),                 # a line break inside the header
    ("预算数(A)", "预算数"), ("执行率（B/A）", "执行率"), ("项目资金（万元）", "项目资金"),
    ("【调整后】预算数", "预算数"), ("预算执行进度(%)", "预算执行进度"),
    ("項目名稱", "项目名称"), ("一級指標", "一级指标"), ("預算數", "预算数"),   # traditional
    ("ＡＢＣ", "ABC"),                                 # full width
    ("其中：财政拨款", "财政拨款"), ("数量指标 15 分", "数量指标"),
])
def test_labels_match_however_written(written, key):
    assert label_key(written) == key


def test_every_role_is_documented_with_its_default_texts():
    pack = load_layout_pack()
    doc = DOCS.read_text(encoding="utf-8")
    for role in ROLES:
        assert f"`{role}`" in doc, role
        for text in pack.texts[role][:3]:
            assert text in doc, (role, text)


def test_roles_give_fields():
    pack = load_layout_pack()
    assert pack.indicator_columns["年初目标值"] == "target"
    assert pack.indicator_columns["年终完成值"] == "actual"
    assert pack.indicator_columns["得分系数"] == "coefficient"
    assert pack.indicator_columns["是否核心指标"] == "core"
    assert pack.funds_columns["到位数"] == "arrived"
    assert pack.funds_rows["财政拨款"] == "appropriation"
    assert pack.role_of("專項資金名稱") == "project_name"


RENAMED = """
项目支出绩效自评表
项目名称 | 城乡环境整治 | | | | |
项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
年度资金总额 | 100 | 100 | 90 | 10 | 90% | 9
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 完成数值 | 分值 | 得分
产出指标 | 数量指标 | 清运垃圾 | ≥1000吨 | 900吨 | 90 | 81
总分 | | | | | 100 | 90
"""


def _renamed_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for line in RENAMED.strip().splitlines():
        ws.append([normalise_value(c.strip()) if c.strip() else None for c in line.split("|")])
    wb.save(path)
    return path


def test_a_user_alias_makes_a_renamed_header_readable(tmp_path, capsys):
    book = _renamed_xlsx(tmp_path / "改名.xlsx")
    (forms_default, _) = locate_forms(grid(RENAMED))
    assert forms_default[0].indicators[0].actual.is_empty  # 完成数值 is no known header

    aliases = tmp_path / "我省表头.toml"
    aliases.write_text('extends = "default"\n[aliases]\nactual = ["完成数值"]\n', encoding="utf-8")
    assert main(["check", "--json", str(book)]) in (0, 1)
    before = json.loads(capsys.readouterr().out)
    assert before["forms"][0]["indicators"][0]["actual"] == ""
    assert main(["check", "--json", "--layouts", str(aliases), str(book)]) in (0, 1)
    after = json.loads(capsys.readouterr().out)
    row = after["forms"][0]["indicators"][0]
    assert (row["actual"], row["met"]) == ("900吨", False)

    use(load_layout_pack(aliases))
    (forms, _) = locate_forms(grid(RENAMED))
    assert forms[0].indicators[0].actual.text == "900吨"


def test_layouts_reach_the_pool_workers(tmp_path, capsys):
    folder = tmp_path / "收表"
    folder.mkdir()
    for i in range(3):
        _renamed_xlsx(folder / f"表{i}.xlsx")
    aliases = tmp_path / "a.toml"
    aliases.write_text('[aliases]\nactual = "完成数值"\n', encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    code = main(["consolidate", str(folder), "-o", str(out), "--workers", "2", "--json",
                 "--layouts", str(aliases)])
    assert code == 0
    ws = openpyxl.load_workbook(out, read_only=True)["指标明细"]
    rows = list(ws.iter_rows(values_only=True))
    col = next(i for i, h in enumerate(rows[0]) if h and "完成值" in str(h))
    assert [r[col] for r in rows[1:] if any(r)] == ["900吨"] * 3


@pytest.mark.parametrize("content, words", [
    ('[aliases]\nactuals = ["完成数值"]\n', ["actuals", "不是已知的角色"]),
    ('extends = "national"\n', ["extends"]),
    ('[aliases]\nactual = [1]\n', ["[aliases] actual", "列表"]),
    ('[indicators]\nactual = ["x"]\n', ["indicators", "[aliases]"]),
    ('[aliases\n', ["不是有效的 TOML"]),
])
def test_a_bad_layouts_file_is_one_chinese_line(tmp_path, capsys, content, words):
    bad = tmp_path / "坏.toml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(LayoutPackError) as err:
        load_layout_pack(bad)
    assert "坏.toml" in str(err.value) and all(w in str(err.value) for w in words)
    book = _renamed_xlsx(tmp_path / "a.xlsx")
    assert main(["check", "--layouts", str(bad), str(book)]) == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("错误：") and "Traceback" not in stderr
    assert active() is load_layout_pack()  # a bad file leaves the default in use


def test_traditional_characters_are_read():
    text = """
    項目支出績效自評表
    項目名稱 | 鄉村道路養護 | | | | |
    項目資金 | 年初預算數 | 全年預算數 | 全年執行數 | 分值 | 執行率 | 得分
    年度資金總額 | 100 | 120 | 108 | 10 | 90% | 9
    一級指標 | 二級指標 | 三級指標 | 年度指標值 | 實際完成值 | 分值 | 得分
    產出指標 | 數量指標 | 養護里程 | ≥100公里 | 100公里 | 90 | 90
    總分 | | | | | 100 | 99
    """
    (form,), _ = locate_forms(grid(text))
    assert form.project_name == "鄉村道路養護"  # values kept as written
    total = form.funds_row("total")
    assert (total.budget.text, total.executed.text) == ("120", "108")
    ind = form.indicators[0]
    assert (ind.level1, ind.name, ind.target.text, ind.actual.text) == ("產出指標", "養護里程", "≥100公里", "100公里")
    assert form.reported_total.text == "99"


def test_a_worker_started_afresh_reads_with_the_users_pack(tmp_path, monkeypatch):
    """Workers may be spawned rather than forked (Windows, macOS): the pack travels to each
    reading process and is made active there, so a spawned worker reads the renamed header."""
    import multiprocessing

    from xltools import pipeline

    aliases = tmp_path / "a.toml"
    aliases.write_text('[aliases]\nactual = ["完成数值"]\n', encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    books = [_renamed_xlsx(folder / f"改名{i}.xlsx") for i in range(2)]
    monkeypatch.setattr(pipeline, "_context", lambda: multiprocessing.get_context("spawn"))
    use(load_layout_pack(aliases))
    try:
        reports = list(pipeline.iter_files(books, None, workers=2, chunk_size=1))
    finally:
        use(None)
    assert [r.error for r in reports] == [None, None]
    assert [r.results[0].indicators[0].indicator.actual.text for r in reports] == ["900吨", "900吨"]